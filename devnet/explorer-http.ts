import { TASK_PROGRAM_ID } from './chain/program-ids.ts';
import { decodeSystemInstruction, decodeTaskInstruction } from './chain/task-instructions.ts';
import { SYSTEM_PROGRAM, type Ledger } from './ledger.ts';

// A minimal, read-only explorer of the devnet's ledger, for people: GET /explorer/account/<address>
// and /explorer/tx/<signature> answer plain HTML (no script, a CSP that allows none), drawn from
// what the ledger keeps. The extension links here when its network is the local devnet; it never
// fetches these pages itself.

export const EXPLORER_PREFIX = '/explorer/';
const ROE_PER_KOII = 1_000_000_000n;
const MAX_TRANSACTIONS_LISTED = 50;
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,88}$/;

export interface ExplorerPage {
  status: number;
  html: string;
}

/** The explorer's headers: HTML that may run nothing and load nothing but its own inline style. */
export const EXPLORER_HEADERS = { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'x-content-type-options': 'nosniff' };

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Exact KOII with grouped thousands, from ROE (the devnet does not share src/'s formatter). */
export function koii(roe: bigint): string {
  const negative = roe < 0n;
  const abs = negative ? -roe : roe;
  const whole = (abs / ROE_PER_KOII).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = (abs % ROE_PER_KOII).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''} KOII`;
}

const accountLink = (a: string) => `<a href="${EXPLORER_PREFIX}account/${escape(a)}"><code>${escape(a)}</code></a>`;
const txLink = (s: string) => `<a href="${EXPLORER_PREFIX}tx/${escape(s)}"><code>${escape(s.slice(0, 16))}…</code></a>`;

function page(title: string, body: string, status = 200): ExplorerPage {
  return {
    status,
    html: `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">
<title>${escape(title)} · K2 devnet explorer</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}code{font-family:ui-monospace,monospace;word-break:break-all}th{text-align:left;padding-right:1rem;vertical-align:top}td{vertical-align:top;padding:.15rem .5rem .15rem 0}</style>
</head>
<body><p>K2 local devnet explorer (read-only)</p><h1>${escape(title)}</h1>
${body}
</body></html>
`,
  };
}

/** What an instruction did, in words: the task program's and the system program's by name. */
function describeInstruction(ix: { programId: string; accounts: string[]; data: Uint8Array }): string {
  try {
    if (ix.programId === TASK_PROGRAM_ID) {
      const d = decodeTaskInstruction(ix.data);
      const parts: string[] = [d.kind];
      if ('round' in d) parts.push(`round ${d.round}`);
      if ('submission' in d) parts.push(`submission ${d.submission}`);
      if ('isValid' in d) parts.push(d.isValid ? 'valid' : 'invalid');
      if ('amount' in d) parts.push(koii(d.amount));
      return `task program: ${parts.join(', ')}`;
    }
    if (ix.programId === SYSTEM_PROGRAM) {
      const d = decodeSystemInstruction(ix.data);
      return `system program: ${d.kind} ${koii(d.lamports)}`;
    }
  } catch {
    // An instruction the decoders do not know is shown by its program alone.
  }
  return `program ${ix.programId} (${ix.data.length} bytes of data)`;
}

function accountPage(ledger: Ledger, address: string): ExplorerPage {
  const acc = ledger.get(address);
  const rows = acc
    ? `<tr><th>Balance</th><td>${koii(acc.lamports)} <small>(${acc.lamports.toString()} ROE)</small></td></tr>
<tr><th>Owner</th><td>${accountLink(acc.owner)}</td></tr>
<tr><th>Data</th><td>${acc.data.length} bytes${acc.executable ? ', executable' : ''}</td></tr>`
    : `<tr><th>Balance</th><td>${koii(0n)}: no account on the devnet yet</td></tr>`;
  const txs = [...ledger.received].filter(([, t]) => t.signers.includes(address) || t.instructions.some((ix) => ix.accounts.includes(address))).reverse();
  const list =
    txs.length === 0
      ? '<p>No transaction names this account.</p>'
      : `<table><thead><tr><th>Slot</th><th>Transaction</th><th>Status</th><th>What it did</th></tr></thead><tbody>
${txs
  .slice(0, MAX_TRANSACTIONS_LISTED)
  .map(([sig, t]) => `<tr><td>${t.slot}</td><td>${txLink(sig)}</td><td>${t.executed ? 'executed' : 'refused'}</td><td>${t.instructions.map((ix) => escape(describeInstruction(ix))).join('<br>')}</td></tr>`)
  .join('\n')}
</tbody></table>${txs.length > MAX_TRANSACTIONS_LISTED ? `<p>The ${MAX_TRANSACTIONS_LISTED} newest of ${txs.length}.</p>` : ''}`;
  return page('Account', `<p><code>${escape(address)}</code></p><table>${rows}</table><h2>Transactions</h2>${list}`);
}

function txPage(ledger: Ledger, signature: string): ExplorerPage {
  const received = ledger.received.get(signature);
  const processed = ledger.processed.get(signature);
  if (!received && !processed) return page('Transaction not found', `<p>The devnet has no transaction <code>${escape(signature)}</code>.</p>`, 404);
  const slot = received?.slot ?? processed!.slot;
  const status = processed ? (processed.err === null ? 'executed' : 'failed') : 'refused by the program';
  const signers = received?.signers ?? processed?.signers ?? [];
  const instructions = received?.instructions ?? processed?.instructions ?? [];
  return page(
    'Transaction',
    `<p><code>${escape(signature)}</code></p>
<table><tr><th>Slot</th><td>${slot}</td></tr><tr><th>Status</th><td>${status}</td></tr>
<tr><th>Signers</th><td>${signers.map(accountLink).join('<br>') || 'none (a devnet airdrop)'}</td></tr></table>
<h2>Instructions</h2>
${
  instructions.length === 0
    ? '<p>None recorded.</p>'
    : `<ol>${instructions.map((ix) => `<li>${escape(describeInstruction(ix))}<br>accounts: ${ix.accounts.map(accountLink).join(', ')}</li>`).join('\n')}</ol>`
}`,
  );
}

/** The page for an explorer path, or null when the path is not the explorer's. */
export function explorerPage(ledger: Ledger, pathname: string): ExplorerPage | null {
  if (!pathname.startsWith(EXPLORER_PREFIX)) return null;
  const [kind, id, ...rest] = pathname.slice(EXPLORER_PREFIX.length).split('/');
  if (rest.length > 0 || !id || !BASE58.test(id)) return page('Not found', '<p>Explorer pages: <code>/explorer/account/&lt;address&gt;</code> and <code>/explorer/tx/&lt;signature&gt;</code>.</p>', 404);
  if (kind === 'account') return accountPage(ledger, id);
  if (kind === 'tx') return txPage(ledger, id);
  return page('Not found', '<p>Unknown explorer page.</p>', 404);
}
