// Builds dist/chrome and dist/firefox from one source. `--prod` drops development
// host permissions (what the stores get); the default is a development build.
// `--out-dir=DIR` writes DIR/chrome and DIR/firefox instead (the e2e tests keep both builds).
// `--target=chrome|firefox` builds one.
import { readFileSync, writeFileSync } from 'node:fs';

// What ships is a production bundle, whoever runs this: vitest (NODE_ENV=test) runs it for
// the e2e tests, and Vite and Preact's preset read NODE_ENV: under "test" they emitted JSX's
// development form, with every component's absolute source path in the popup's code.
process.env.NODE_ENV = 'production';
const { build } = await import('vite');

const prod = process.argv.includes('--prod');
const only = process.argv.find((a) => a.startsWith('--target='))?.slice('--target='.length);
const outDir = process.argv.find((a) => a.startsWith('--out-dir='))?.slice('--out-dir='.length) ?? 'dist';
const targets = only ? [only] : ['chrome', 'firefox'];

/**
 * crxjs lists a script imported with `?script` as web-accessible to every site. Ours is
 * registered through the scripting API, which needs no such entry, and a web-accessible
 * file lets any page detect that the extension is installed.
 */
function dropContentScriptFromWebAccessible(dir) {
  const file = `${dir}/manifest.json`;
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  const war = (manifest.web_accessible_resources ?? [])
    .map((entry) => ({ ...entry, resources: entry.resources.filter((r) => !r.startsWith('src/content/')) }))
    .filter((entry) => entry.resources.length > 0);
  if (war.length > 0) manifest.web_accessible_resources = war;
  else delete manifest.web_accessible_resources;
  writeFileSync(file, JSON.stringify(manifest, null, 2));
}

for (const target of targets) {
  process.env.K2_TARGET = target;
  process.env.K2_DEV = prod ? '0' : '1';
  process.env.K2_OUT_DIR = outDir;
  await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
  dropContentScriptFromWebAccessible(`${outDir}/${target}`);
  console.log(`built ${outDir}/${target}${prod ? ' (store build)' : ''}`);
}
