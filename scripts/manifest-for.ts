import { readFileSync } from 'node:fs';
import type { ManifestV3Export } from '@crxjs/vite-plugin';

export type Target = 'chrome' | 'firefox';

const GECKO_ID = 'k2-light-node@koii-light-node.org';

/**
 * manifest.json is written for Chrome; Firefox differences live here, in one place.
 * A development build may reach 127.0.0.1 (the embedded devnet and the demo site);
 * a store build asks for every host at the moment the user opts a site in.
 */
export function manifestFor(target: Target, { dev }: { dev: boolean }): ManifestV3Export {
  const base = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));
  const manifest = structuredClone(base);
  if (dev) manifest.host_permissions = ['http://127.0.0.1/*', 'http://localhost/*'];
  if (target === 'firefox') {
    manifest.background = { scripts: [base.background.service_worker], type: 'module' };
    manifest.browser_specific_settings = {
      // 140 is the ESR that Debian ships (and CI installs), and the first desktop release that
      // reads data_collection_permissions; Firefox for Android reads it from 142.
      gecko_android: { strict_min_version: '142.0' },
      gecko: {
        id: GECKO_ID,
        strict_min_version: '140.0',
        // The node reads public web pages the user opted in and sends proofs of them to the
        // K2 network and its proof store, where anyone can read them: the titles and text
        // hashes are "websiteContent"; the URLs of the pages the user visited, with the time
        // each was fetched, are "browsingActivity". Both leave the device, so both are declared.
        data_collection_permissions: { required: ['browsingActivity', 'websiteContent'] },
      },
    };
    // Firefox has no unlimitedStorage warning-free path for MV3 event pages; IndexedDB is
    // persistent there without it.
    manifest.permissions = base.permissions.filter((p: string) => p !== 'unlimitedStorage');
    // Chrome's floor (Ed25519 in WebCrypto); Firefox's is strict_min_version above.
    delete manifest.minimum_chrome_version;
  }
  return manifest;
}
