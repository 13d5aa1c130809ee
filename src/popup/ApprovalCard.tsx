import browser from 'webextension-polyfill';
import { useEffect, useState } from 'preact/hooks';
import type { ApprovalView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { secondsLeft } from './format.ts';
import { hostPatternOf } from './host-pattern.ts';
import { errorText } from './use-background.ts';

const TITLES: Record<ApprovalView['kind'], string> = { stake: 'Stake on a task', withdraw: 'Withdraw your stake', transfer: 'Send KOII' };
const NETWORK_NAMES: Record<ApprovalView['network']['name'], string> = { devnet: 'Local devnet', testnet: 'K2 testnet', mainnet: 'K2 mainnet', custom: 'Custom endpoint' };

/**
 * One request waiting for the user: everything it does, shown plainly. The answer carries
 * the request's digest back, so it applies to exactly what is on screen.
 */
export function ApprovalCard({ approval, onDone }: { approval: ApprovalView; onDone?: (outcome: 'approved' | 'rejected') => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  // The task's sites the browser has not granted yet: approving asks for them.
  const [toAsk, setToAsk] = useState<string[] | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      const missing: string[] = [];
      for (const site of approval.sites) {
        if (!(await browser.permissions.contains({ origins: [hostPatternOf(site)] }).catch(() => false))) missing.push(site);
      }
      if (live) setToAsk(missing);
    })();
    return () => {
      live = false;
    };
  }, [approval.sites]);
  const title = approval.kind === 'stake' && !approval.firstStake ? 'Add stake to a task' : TITLES[approval.kind];
  const decide = (approve: boolean) => {
    // The browser's prompt for the task's sites must be asked in the click itself, before
    // anything is awaited (a prompt needs the user's gesture). The answer goes to the
    // background at the same time: Firefox may close a toolbar popup while its prompt shows.
    // Sites already granted resolve without a prompt; a refusal leaves the stake as it is, and
    // the status then says the node cannot audit there.
    if (approve && approval.sites.length > 0) {
      void browser.permissions.request({ origins: [...new Set(approval.sites.map(hostPatternOf))] }).catch(() => false);
    }
    setBusy(true);
    setError(null);
    void sendRequest<'approvals.decide'>({ type: 'approvals.decide', id: approval.id, approve, digest: approval.digest })
      .then(
        () => onDone?.(approve ? 'approved' : 'rejected'),
        (e: unknown) => setError(errorText(e)),
      )
      .finally(() => setBusy(false));
  };
  const headingId = `approval-${approval.id}`;
  return (
    <article class="card approval" aria-labelledby={headingId} data-testid="approval">
      <h3 id={headingId}>{title}</h3>
      <dl class="facts">
        <dt>Network</dt>
        <dd data-testid="approval-network">
          <strong>{NETWORK_NAMES[approval.network.name]}</strong> <code class="addr">{approval.network.endpoint}</code>
          <span class="muted"> chain {approval.network.genesisHash.slice(0, 8)}…</span>
        </dd>
        {approval.taskName !== null && (
          <>
            <dt>Task</dt>
            <dd>
              <strong data-testid="approval-task">{approval.taskName}</strong>
              <code class="addr">{approval.taskId}</code>
            </dd>
          </>
        )}
        <dt>{approval.kind === 'withdraw' ? 'Returned to your main account' : 'Amount'}</dt>
        <dd data-testid="approval-amount">{approval.amount} KOII</dd>
        {approval.kind === 'withdraw' && (
          <dd class="muted" data-testid="approval-withdraw-steps">
            K2 first moves the stake into this task's claimable balance, then a claim in the same transaction pays that balance (with any rewards not yet claimed) to your main account.
          </dd>
        )}
        <dt>Fee{approval.rent !== null ? ' and account rent' : ''}</dt>
        <dd data-testid="approval-fee">{approval.fee} KOII</dd>
        {approval.rent !== null && (
          <dd class="muted" data-testid="approval-rent">
            of which {approval.rent} KOII is rent: it creates your staking account on K2 and stays in it.
          </dd>
        )}
        <dt>Main account balance</dt>
        <dd>
          {approval.balance} → <strong data-testid="approval-balance-after">{approval.balanceAfter} KOII</strong>
        </dd>
      </dl>
      {approval.sites.length > 0 && (
        <>
          <h4>Sites the node will audit</h4>
          <ul class="sites" data-testid="approval-sites">
            {approval.sites.map((site) => (
              <li key={site}>{site}</li>
            ))}
          </ul>
          <p class="muted" data-testid="approval-access">
            {toAsk && toAsk.length > 0
              ? `Approving also asks your browser for access to ${toAsk.join(', ')}: the node fetches public pages there to check peers' work for this task. It sends no cookies and reads nothing of your own browsing there unless you opt the site in.`
              : "The node fetches public pages of these sites to check peers' work for this task, without your cookies."}
          </p>
        </>
      )}
      <h4>Accounts involved</h4>
      <ul class="accounts" data-testid="approval-accounts">
        {approval.accounts.map((a) => (
          <li key={a.role}>
            <span class="muted">{a.role}</span>
            <code class="addr">{a.address}</code>
          </li>
        ))}
      </ul>
      <p class="muted">
        Expires in <span>{secondsLeft(approval.expiresAt, now)}</span>. Nothing is sent unless you approve.
      </p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="secondary" disabled={busy} onClick={() => decide(false)}>
          Reject
        </button>
        <button type="button" class="primary" disabled={busy} onClick={() => decide(true)}>
          {busy ? 'Sending…' : 'Approve'}
        </button>
      </div>
    </article>
  );
}

export function ApprovalsList({ approvals, onDone }: { approvals: ApprovalView[]; onDone?: (outcome: 'approved' | 'rejected') => void }) {
  if (approvals.length === 0) return <p class="muted">Nothing waits for your approval.</p>;
  return (
    <>
      {approvals.map((a) => (
        <ApprovalCard key={a.id} approval={a} {...(onDone ? { onDone } : {})} />
      ))}
    </>
  );
}
