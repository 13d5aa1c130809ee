import type { K2Rpc } from '../../k2/rpc-client.ts';
import { createSignedLedger, type Refusal, type SignedEntry } from '../../k2/signed-ledger.ts';
import type { StoredApproval } from '../../store/approval-store.ts';
import { ApprovalError, type Settled } from './approval-record.ts';

// An approved request's transaction on the signed-transaction ledger (src/k2/signed-ledger.ts).
// What sets an approval apart from a step of the engine: it was signed on the user's word, so
// it is never signed again. One that can never land ends failed and the user is asked again;
// a second endpoint, when the user set one, must agree that it expired unseen (were the first
// wrong, both would land); and while the user waits it is polled and re-sent.

export type SignedApproval = StoredApproval & SignedEntry;

type Patch = Partial<StoredApproval>;
/** Changes a stored request; a function may look at it first and return null to leave it. */
type Update = (id: string, change: Patch | ((stored: StoredApproval) => Patch | null)) => Promise<StoredApproval>;

interface SendingDeps {
  update: Update;
  secondRpc?: () => Promise<K2Rpc | null>;
  polls: number;
  pollMs: number;
}

const EXPIRED = 'the transaction expired before it reached K2: ask again';

function refusalText(r: Refusal): string {
  const logs = r.logs.filter((l) => /error|failed|cannot/i.test(l)).slice(-1);
  return `K2 refused it: ${logs[0] ?? r.message}`.slice(0, 300);
}

const ledgerFields = (a: SignedApproval): Patch => ({ status: a.status, ...(a.error !== undefined ? { error: a.error } : {}), ...(a.landed ? { landed: true } : {}) });
const settledOf = (a: StoredApproval, already = false): Settled => ({
  id: a.id,
  kind: a.kind,
  taskId: a.taskId,
  status: a.status === 'confirmed' ? 'confirmed' : 'failed',
  ...(a.error !== undefined && a.status !== 'confirmed' ? { error: a.error } : {}),
  ...(already ? { already: true as const } : {}),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createApprovalSending(deps: SendingDeps) {
  const ledger = createSignedLedger<SignedApproval>(
    {
      put: async (a) => void (await deps.update(a.id, ledgerFields(a))),
      async settle(a) {
        let wrote = false;
        await deps.update(a.id, (stored) => {
          if (stored.status === 'confirmed' || stored.status === 'failed') return null;
          wrote = true;
          return ledgerFields(a);
        });
        return wrote;
      },
    },
    { refusalText, landedText: (err) => `K2 refused it: ${JSON.stringify(err).slice(0, 200)}` },
  );

  async function fail(a: StoredApproval, error: string): Promise<Settled> {
    await deps.update(a.id, { status: 'failed', error });
    return settledOf({ ...a, status: 'failed', error });
  }

  /** Looks a sent transaction up; re-sends the same bytes while they can still land. */
  async function settle(a: SignedApproval, rpc: K2Rpc, resend: boolean): Promise<Settled | null> {
    const lookup = await ledger.lookUp(rpc, a, deps.secondRpc);
    if (lookup.kind === 'landed') return settledOf(lookup.entry, lookup.already);
    if (lookup.kind === 'expired') return fail(a, EXPIRED);
    if (lookup.kind === 'live' && resend) await ledger.resend(rpc, a);
    return null;
  }

  // Stored signed by the caller, in the same serial step that found it pending (a second
  // approve must find it used): the ledger takes it from there.
  return {
    /**
     * Sends it and waits a while for K2 to confirm it: what settled, or null while it has
     * not (it is settled later, by reconcile). A refusal throws, with K2's reason.
     */
    async send(a: SignedApproval, rpc: K2Rpc): Promise<Settled | null> {
      const outcome = await ledger.send(rpc, a); // transport: stays 'signed', reconciled later
      if (outcome.kind === 'landed') return settledOf(outcome.entry, outcome.already);
      // Not taken (the endpoint does not know the blockhash yet): re-sent while waiting.
      const notTaken = outcome.kind === 'refused' && outcome.refusal.kind === 'not-taken';
      if (outcome.kind === 'refused' && !notTaken) {
        // The ledger stored a plain refusal failed. Out of funds it leaves to its owner, and an
        // approval ends failed too: the user's yes was for this transaction, never a rebuilt one.
        if (outcome.refusal.kind === 'out-of-funds') await fail(a, refusalText(outcome.refusal));
        throw new ApprovalError(refusalText(outcome.refusal));
      }
      for (let i = 0; i < deps.polls; i++) {
        const settled = await settle(a, rpc, notTaken);
        if (settled) {
          if (settled.status === 'failed') throw new ApprovalError(settled.error!);
          return settled;
        }
        await sleep(deps.pollMs);
      }
      return null;
    },

    settle,
  };
}
