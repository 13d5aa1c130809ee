import browser from 'webextension-polyfill';
import { useEffect, useState } from 'preact/hooks';
import type { ApprovalView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { Koii } from './Amount.tsx';
import { CopyButton } from './CopyButton.tsx';
import { koiiAmount, secondsLeft } from './format.ts';
import { hostPatternOf } from './host-pattern.ts';
import type { SentTransaction } from './SentTransaction.tsx';
import { t } from '../shared/i18n.ts';
import { errorText } from './use-background.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { useNow } from './use-now.ts';
import { roleText } from './approval-roles.ts';

const TITLES: Record<ApprovalView['kind'], string> = { stake: 'approvalTitleStake', withdraw: 'approvalTitleWithdraw', transfer: 'approvalTitleTransfer' };
const NETWORK_NAMES: Record<ApprovalView['network']['name'], string> = { devnet: 'approvalNetworkDevnet', testnet: 'approvalNetworkTestnet', mainnet: 'approvalNetworkMainnet', custom: 'approvalNetworkCustom' };

/** The task's sites the browser has not granted yet (null until known): approving asks for them. */
function useSitesToAsk(sites: string[]): string[] | null {
  const [toAsk, setToAsk] = useState<string[] | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      const missing: string[] = [];
      for (const site of sites) {
        if (!(await browser.permissions.contains({ origins: [hostPatternOf(site)] }).catch(() => false))) missing.push(site);
      }
      if (live) setToAsk(missing);
    })();
    return () => {
      live = false;
    };
  }, [sites]);
  return toAsk;
}

/** The sites a stake opts into, and whether the browser still has to grant them. */
function ApprovalSites({ sites }: { sites: string[] }) {
  const toAsk = useSitesToAsk(sites);
  if (sites.length === 0) return null;
  return (
    <>
      <h4>{t('approvalSitesHeading')}</h4>
      <ul class="sites" data-testid="approval-sites">
        {sites.map((site) => (
          <li key={site}>{site}</li>
        ))}
      </ul>
      <p class="muted" data-testid="approval-access">
        {toAsk && toAsk.length > 0 ? t('approvalAccessAsk', toAsk.join(', ')) : t('approvalAccessHave')}
      </p>
    </>
  );
}

/** Where it goes, what it moves, what it costs, and the balance after. */
function ApprovalFacts({ approval }: { approval: ApprovalView }) {
  return (
    <dl class="facts">
      <dt>{t('networkHeading')}</dt>
      <dd data-testid="approval-network">
        <strong>{t(NETWORK_NAMES[approval.network.name])}</strong> <code class="addr">{approval.network.endpoint}</code>
        <span class="muted" title={approval.network.genesisHash}>
          {' '}
          {t('approvalChain', `${approval.network.genesisHash.slice(0, 8)}…`)}
        </span>
      </dd>
      {approval.taskName !== null && (
        <>
          <dt>{t('approvalTask')}</dt>
          <dd>
            <strong data-testid="approval-task">{approval.taskName}</strong>
            <code class="addr">{approval.taskId}</code>
          </dd>
        </>
      )}
      <dt>{approval.kind === 'withdraw' ? t('approvalReturned') : t('approvalAmount')}</dt>
      <dd data-testid="approval-amount">
        <Koii amount={approval.amount} />
      </dd>
      {approval.kind === 'withdraw' && (
        <dd class="muted" data-testid="approval-withdraw-steps">
          {t('approvalWithdrawSteps')}
        </dd>
      )}
      <dt>{approval.rent !== null ? t('approvalFeeAndRent') : t('approvalFee')}</dt>
      <dd data-testid="approval-fee">
        <Koii amount={approval.fee} />
      </dd>
      {approval.rent !== null && (
        <dd class="muted" data-testid="approval-rent">
          {t('approvalRent', koiiAmount(approval.rent, t))}
        </dd>
      )}
      <dt>{t('approvalBalance')}</dt>
      <dd>
        <Koii amount={approval.balance} /> →{' '}
        <strong data-testid="approval-balance-after">
          <Koii amount={approval.balanceAfter} />
        </strong>
      </dd>
    </dl>
  );
}

/**
 * One request waiting for the user: everything it does, shown plainly. The answer carries
 * the request's digest back, so it applies to exactly what is on screen.
 */
export function ApprovalCard({ approval, onDone }: { approval: ApprovalView; onDone?: (outcome: 'approved' | 'rejected', sent?: SentTransaction) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(1000);
  const title = approval.kind === 'stake' && !approval.firstStake ? t('approvalTitleAddStake') : t(TITLES[approval.kind]);
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
        (out) =>
          onDone?.(
            approve ? 'approved' : 'rejected',
            out.signature ? { signature: out.signature, where: { network: approval.network.name, rpcUrl: approval.network.endpoint } } : undefined,
          ),
        (e: unknown) => setError(errorText(e)),
      )
      .finally(() => setBusy(false));
  };
  const headingId = `approval-${approval.id}`;
  return (
    <article class="card approval" aria-labelledby={headingId} data-testid="approval">
      <h3 id={headingId}>{title}</h3>
      <ApprovalFacts approval={approval} />
      <ApprovalSites sites={approval.sites} />
      <h4>{t('approvalAccountsHeading')}</h4>
      <ul class="accounts" data-testid="approval-accounts">
        {approval.accounts.map((a) => (
          <li key={a.role}>
            <span class="muted">{roleText(a.role)}</span>
            <code class="addr">{a.address}</code> <CopyButton text={a.address} what={roleText(a.role)} />
          </li>
        ))}
      </ul>
      <p class="muted">
        {t('approvalExpires', secondsLeft(approval.expiresAt, now, t))}
      </p>
      <ErrorNote text={error} />
      <div class="actions">
        <button type="button" class="secondary" disabled={busy} onClick={() => decide(false)}>
          {t('reject')}
        </button>
        <button type="button" class="primary" disabled={busy} onClick={() => decide(true)}>
          {busy ? t('sending') : t('approve')}
        </button>
      </div>
    </article>
  );
}

/** The request an action just queued, to show its card where the action was (null: already gone). */
export async function pendingApproval(approvalId: string): Promise<ApprovalView | null> {
  return (await sendRequest<'approvals.list'>({ type: 'approvals.list' })).find((a) => a.id === approvalId) ?? null;
}

export function ApprovalsList({ approvals, onDone }: { approvals: ApprovalView[]; onDone?: (outcome: 'approved' | 'rejected', sent?: SentTransaction) => void }) {
  if (approvals.length === 0) return <p class="muted">{t('noApprovals')}</p>;
  return (
    <>
      {approvals.map((a) => (
        <ApprovalCard key={a.id} approval={a} {...(onDone ? { onDone } : {})} />
      ))}
    </>
  );
}
