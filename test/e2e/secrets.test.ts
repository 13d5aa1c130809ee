import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { deriveNodeKeys, exportKeyFile } from '../../src/wallet/keypair.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { launchExtension, readExtensionDatabase, type ExtensionSession } from './chromium-harness.ts';

// Where the secret must never be, checked in the built extension after it has worked a few
// rounds against the devnet: not in IndexedDB or extension storage on disk, not in the log,
// not in any answer the popup or options page gets (but the export it asks for with the
// password), not reachable from a web page; and the extension's pages run no inline script
// (their CSP allows only the extension's own files).

const PASSWORD = 'Quartz-58-meadow-Violet';
const TASK = {
  name: 'secrets task',
  roundTime: 90,
  submissionWindow: 30,
  auditWindow: 30,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 10,
};

type Answer<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };
declare const chrome: {
  runtime: { sendMessage(m: unknown): Promise<unknown> };
  storage: { local: { get(k: null): Promise<unknown> }; session: { get(k: null): Promise<unknown> } };
};

async function ask<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => chrome.runtime.sendMessage(r), request)) as Answer<T>;
  if (!answer.ok) throw new Error(`${answer.error.name}: ${answer.error.message}`);
  return answer.value;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('the secret stays in the background', () => {
  let net: Network;
  let ext: ExtensionSession;
  let popup: Page;
  let mnemonic = '';
  /** Every form in which the keys could leak: phrase, seeds (hex, bytes as JSON), key files. */
  let forms: string[] = [];

  beforeAll(async () => {
    net = await startNetwork({ port: 8899, slotMs: 100, task: TASK, peers: [{ name: 'alice' }], useCorpus: false });
    ext = await launchExtension();
    popup = await ext.openPopup();
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await net?.stop();
  });

  test('a wallet that has staked and worked a few rounds', async () => {
    const created = await ask<{ mnemonic: string; status: { mainAddress: string; stakingAddress: string } }>(popup, { type: 'wallet.create', password: PASSWORD });
    mnemonic = created.mnemonic;
    const keys = await deriveNodeKeys(mnemonic);
    forms = [mnemonic, mnemonic.split(' ').slice(0, 4).join(' ')];
    for (const k of [keys.main, keys.staking]) forms.push(hex(k.seed), exportKeyFile(k).slice(1, 60), JSON.stringify(Array.from(k.seed)).slice(1, 60));
    net.devnet.ledger.mint(created.status.mainAddress, 50_000_000_000n);

    const { approvalId } = await ask<{ approvalId: string }>(popup, { type: 'node.join', taskId: net.taskId, stake: '4' });
    const [shown] = await ask<{ id: string; digest: string }[]>(popup, { type: 'approvals.list' });
    await ask(popup, { type: 'approvals.decide', id: approvalId, approve: true, digest: shown!.digest });
    await ask(popup, { type: 'sites.add', origin: net.demoSite.url });

    const tab = await ext.context.newPage();
    for (const page of net.demoSite.pages.slice(0, 2)) {
      await tab.goto(`${net.demoSite.url}${page}`, { waitUntil: 'commit' });
      await tab.waitForTimeout(800);
    }
    // Until the node has submitted a round's proof: it has signed, logged and stored its work.
    const submitted = () =>
      [...decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId).submissions.values()].some((m) => m.has(created.status.stakingAddress));
    await expect.poll(submitted, { timeout: 90_000, interval: 200 }).toBe(true);
  });

  test('nothing stored on disk holds it: IndexedDB, extension storage, the log', async () => {
    const idb = await readExtensionDatabase(ext);
    const local = await popup.evaluate(() => chrome.storage.local.get(null));
    const dump = JSON.stringify({ idb, local });
    expect(dump.length).toBeGreaterThan(1000);
    expect(dump).toContain('ciphertext');
    for (const form of forms) expect(dump.includes(form), `a form of the secret in storage: ${form.slice(0, 12)}…`).toBe(false);
  });

  test('no answer to the popup or options page carries it, but the password-gated export', async () => {
    const reads = ['status', 'wallet.status', 'node.status', 'settings.get', 'approvals.list', 'tasks.discover'].map((type) => ({ type }));
    reads.push({ type: 'records.list', offset: 0, limit: 100 } as never, { type: 'visits.list', offset: 0, limit: 100 } as never);
    for (const request of reads) {
      const answer = JSON.stringify(await popup.evaluate((r) => chrome.runtime.sendMessage(r), request));
      for (const form of forms) expect(answer.includes(form), `${request.type} answered with a form of the secret`).toBe(false);
    }
    await expect(ask(popup, { type: 'wallet.export', password: 'not the password', what: 'mnemonic' })).rejects.toThrow();
    expect((await ask<{ text: string }>(popup, { type: 'wallet.export', password: PASSWORD, what: 'mnemonic' })).text).toBe(mnemonic);
  });

  test('a web page cannot reach the background, and the extension pages run no injected script', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${net.demoSite.url}${net.demoSite.pages[0]}`, { waitUntil: 'commit' });
    const fromPage = await page.evaluate(async (id) => {
      const runtime = (globalThis as { chrome?: { runtime?: { sendMessage?: (id: string, m: unknown) => Promise<unknown> } } }).chrome?.runtime;
      if (!runtime?.sendMessage) return 'no runtime';
      try {
        return JSON.stringify(await runtime.sendMessage(id, { type: 'wallet.export', password: 'x', what: 'mnemonic' }));
      } catch (err) {
        return `refused: ${(err as Error).message}`;
      }
    }, ext.extensionId);
    expect(fromPage).toMatch(/^(no runtime|refused)/);
    await page.close();

    // The CSP of extension pages: an inline script is refused, and the browser reports the
    // policy it enforced (the test's own evaluate runs through DevTools, which CSP exempts).
    const csp = await popup.evaluate(
      () =>
        new Promise<{ ran: boolean; policy: string }>((resolve) => {
          document.addEventListener('securitypolicyviolation', (e) => resolve({ ran: Boolean((window as unknown as { __inlineRan?: boolean }).__inlineRan), policy: e.originalPolicy }), { once: true });
          const s = document.createElement('script');
          s.textContent = 'window.__inlineRan = true';
          document.body.append(s);
        }),
    );
    expect(csp.ran).toBe(false);
    for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) expect(csp.policy).toContain(directive);
    expect(csp.policy).not.toMatch(/unsafe-(inline|eval)/);
  });
});
