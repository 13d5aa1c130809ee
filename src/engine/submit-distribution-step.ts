import { createKeyPairSignerFromPrivateKeyBytes, type Instruction, type KeyPairSigner, type TransactionSigner } from '@solana/kit';
import { serializeDistributionList } from '../core/distribution.ts';
import { fromHex, toHex } from '../core/hex.ts';
import type { PlannedStep } from '../core/lifecycle.ts';
import type { TaskState } from '../core/task-state.ts';
import { distributionAccountSpace, submitDistributionListInstruction, uploadDistributionListChunks } from '../k2/distribution-instructions.ts';
import { systemCreateAccountInstruction } from '../k2/system-instructions.ts';
import { PROTOCOL_CHOICES, TASK_PROGRAM_ID } from '../k2/program-ids.ts';
import { boundedRent } from '../k2/rent.ts';
import { buildTransaction, MAX_TRANSACTION_BYTES, toWireBytes } from '../k2/transaction.ts';
import { EndpointsDisagreeError, listDisagreement } from './cross-check.ts';
import { secondState, stepTransaction, type StepDeps, type StepOutcome } from './step-deps.ts';

// Submitting a round's distribution list: an account of its own, created, written in chunks
// and submitted, in as few transactions as fit.

const randomSeedHex = (): string => toHex(crypto.getRandomValues(new Uint8Array(32)));

/**
 * The key of the account a round's distribution list is written into. It signs the list's
 * upload, so whoever holds it could write into the account before the list is submitted: it
 * is never stored. It is derived from the staking key's Ed25519 signature (deterministic) of
 * the task, round and attempt, so a restarted worker finds the same account, and only the
 * holder of the staking key can find it. A signer without a WebCrypto key pair (none in the
 * extension) falls back to a random key kept in the journal.
 */
async function distributionAccountSigner(deps: StepDeps, round: number, attempt: number): Promise<KeyPairSigner> {
  const pair = (deps.staking as Partial<KeyPairSigner>).keyPair;
  if (!pair) return signerFromHex(await deps.remember(`distribution-key:${round}:${attempt}`, async () => randomSeedHex()));
  const label = new TextEncoder().encode(`k2-light-node distribution account v1:${deps.taskId}:${round}:${attempt}`);
  const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', pair.privateKey, label));
  const seed = new Uint8Array(await crypto.subtle.digest('SHA-256', signature));
  try {
    return await createKeyPairSignerFromPrivateKeyBytes(seed);
  } finally {
    seed.fill(0);
  }
}

async function signerFromHex(hex: string): Promise<KeyPairSigner> {
  return createKeyPairSignerFromPrivateKeyBytes(fromHex(hex));
}

const PACKING_BLOCKHASH = { blockhash: '11111111111111111111111111111111', lastValidBlockHeight: 0n };

/** Splits instructions, in order, into groups that each fit one transaction (by index). */
async function packInstructions(feePayer: TransactionSigner, instructions: readonly Instruction[]): Promise<number[][]> {
  const groups: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < instructions.length; i++) {
    const candidate = [...current, i];
    const built = await buildTransaction({ feePayer, instructions: candidate.map((j) => instructions[j]!), blockhash: PACKING_BLOCKHASH });
    if (current.length > 0 && toWireBytes(built).length > MAX_TRANSACTION_BYTES) {
      groups.push(current);
      current = [i];
    } else current = candidate;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Writes and submits the task's list for `step.round` into a new account of this node's. */
export async function submitDistribution(deps: StepDeps, state: TaskState, step: Extract<PlannedStep, { kind: 'submit-distribution' }>): Promise<StepOutcome> {
  const account = await distributionAccountSigner(deps, step.round, step.attempt);
  const second = await secondState(deps);
  if (second) {
    const why = listDisagreement(state, second, step.round, (st, r) => deps.plugin.distribution(st, r));
    if (why) throw new EndpointsDisagreeError(`${why}: no list is submitted now`);
  }
  const list = deps.plugin.distribution(state, step.round);
  const json = await deps.remember(`distribution-json:${step.round}:${step.attempt}`, async () => serializeDistributionList(list));
  const bytes = new TextEncoder().encode(json).length;
  const space = distributionAccountSpace(bytes, step.round, deps.taskId);
  const create = (lamports: bigint) =>
    systemCreateAccountInstruction({ payer: deps.main, newAccount: account, lamports, space, owner: TASK_PROGRAM_ID });
  const instructions = [
    create(0n),
    ...uploadDistributionListChunks({ taskState: deps.taskId, distributionAccount: account, listJson: json, round: step.round }),
    submitDistributionListInstruction({ taskState: deps.taskId, submitter: deps.staking, distributionAccount: account, round: step.round }),
  ];
  // As few transactions as fit: a list of one chunk is created, written and submitted in
  // one. The packing depends only on the list, so a restarted node sends the same groups.
  const groups = await packInstructions(deps.main, instructions);
  for (const [i, group] of groups.entries()) {
    const key =
      i === groups.length - 1
        ? `distribution-submit:${step.round}:${step.attempt}`
        : i === 0
          ? `distribution-account:${step.round}:${step.attempt}`
          : `distribution-chunk:${step.round}:${step.attempt}:${i}`;
    await deps.sendOnce(key, async () => {
      const withFunding = await Promise.all(
        group.map(async (j) => {
          if (j !== 0) return instructions[j]!;
          const rent = boundedRent(await deps.rpc.getMinimumBalanceForRentExemption(Number(space)), space);
          return create(rent + PROTOCOL_CHOICES.distributionAccountFunding);
        }),
      );
      return stepTransaction(deps, withFunding);
    });
  }
  return { kind: step.kind, summary: `submitted the distribution list of round ${step.round} (${list.size} entries)` };
}
