import {
  AccountRole,
  address,
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getAddressEncoder,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Blockhash,
  type Instruction,
  type TransactionSigner,
} from '@solana/kit';
import type { Rpc } from './k2.ts';

// The task program's instructions as ../shared/k2-protocol.md's table gives them (first byte
// the index, integers little-endian, strings space-padded), and legacy transactions with the
// main account as fee payer, as Koii's tools send them. Written without src/.

export const TASK_PROGRAM = 'Koiitask22222222222222222222222222222222222';
export const SYSTEM_PROGRAM = '11111111111111111111111111111111';
export const CLOCK_SYSVAR = 'SysvarC1ock11111111111111111111111111111111';

/** UploadDistributionList: a 512-byte blob of u16 index, u16 stride, then the chunk. */
export const LIST_BLOB_BYTES = 512;
export const LIST_CHUNK_BYTES = 508;

type Meta = { address: ReturnType<typeof address>; role: AccountRole; signer?: TransactionSigner };
const w = (a: string): Meta => ({ address: address(a), role: AccountRole.WRITABLE });
const r = (a: string): Meta => ({ address: address(a), role: AccountRole.READONLY });
const ws = (s: TransactionSigner): Meta => ({ address: s.address, role: AccountRole.WRITABLE_SIGNER, signer: s });
const clock = (): Meta => r(CLOCK_SYSVAR);

function bytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const i64 = (v: bigint | number): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(v), true);
  return out;
};
const u64 = (v: bigint | number): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(v), true);
  return out;
};
const u32 = (v: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v, true);
  return out;
};
const u16 = (v: number): Uint8Array => {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new Error(`${v} does not fit a u16`);
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, v, true);
  return out;
};
/** A string padded with spaces to n bytes (k2-protocol.md: blob(n)). */
function spacePadded(text: string, n: number): Uint8Array {
  const enc = new TextEncoder().encode(text);
  if (enc.length > n) throw new Error(`"${text.slice(0, 40)}" is longer than ${n} bytes`);
  const out = new Uint8Array(n).fill(0x20);
  out.set(enc);
  return out;
}
const round = (v: number) => {
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`bad round ${v}`);
  return i64(v);
};
const task = (accounts: Meta[], data: Uint8Array): Instruction => ({ programAddress: address(TASK_PROGRAM), accounts, data });

export const ix = {
  /** System CreateAccount: u32 0, u64 lamports, u64 space, owner. */
  createAccount(p: { payer: TransactionSigner; account: TransactionSigner; lamports: bigint; space: number; owner: string }): Instruction {
    return {
      programAddress: address(SYSTEM_PROGRAM),
      accounts: [ws(p.payer), ws(p.account)],
      data: bytes(u32(0), u64(p.lamports), u64(p.space), new Uint8Array(getAddressEncoder().encode(address(p.owner)))),
    };
  },
  /** System Transfer: u32 2, u64 lamports. */
  transfer(p: { from: TransactionSigner; to: string; lamports: bigint }): Instruction {
    return { programAddress: address(SYSTEM_PROGRAM), accounts: [ws(p.from), w(p.to)], data: bytes(u32(2), u64(p.lamports)) };
  },
  /** #9 Stake: stakeAmount ns64, ip_address blob64 (empty: a node that serves nothing). */
  stake(p: { taskId: string; staking: TransactionSigner; stakePot: string; amount: bigint }): Instruction {
    return task([w(p.taskId), ws(p.staking), w(p.stakePot), clock()], bytes(Uint8Array.of(9), i64(p.amount), spacePadded('', 64)));
  },
  /** #1 SubmitTask: submission blob512, round ns64. */
  submitTask(p: { taskId: string; staking: TransactionSigner; submission: string; round: number }): Instruction {
    return task([w(p.taskId), ws(p.staking), clock()], bytes(Uint8Array.of(1), spacePadded(p.submission, 512), round(p.round)));
  },
  /** #2 AuditSubmissions / #3 AuditDistribution: is_valid ns64 (1/0), round ns64. */
  audit(p: { kind: 'submission' | 'distribution'; taskId: string; voter: TransactionSigner; candidate: string; isValid: boolean; round: number }): Instruction {
    return task(
      [w(p.taskId), ws(p.voter), w(p.candidate), clock()],
      bytes(Uint8Array.of(p.kind === 'submission' ? 2 : 3), i64(p.isValid ? 1 : 0), round(p.round)),
    );
  },
  /** #4 Payout: round ns64; task state, clock, distribution data account. */
  payout(p: { taskId: string; listAccount: string; round: number }): Instruction {
    return task([w(p.taskId), clock(), w(p.listAccount)], bytes(Uint8Array.of(4), round(p.round)));
  },
  /** #7 ClaimReward: task state, claimer (the staking key), stake pot, beneficiary. */
  claimReward(p: { taskId: string; staking: TransactionSigner; stakePot: string; beneficiary: string }): Instruction {
    return task([w(p.taskId), ws(p.staking), w(p.stakePot), w(p.beneficiary)], Uint8Array.of(7));
  },
  /**
   * #11 UploadDistributionList, one instruction per chunk: blob512 = u16 chunk index, u16 508
   * (the stride, in every chunk, the last one included), up to 508 bytes, zero padding; then
   * round ns64. The task state is read-only, as in Koii's KOII-program client.
   */
  uploadDistributionList(p: { taskId: string; listAccount: TransactionSigner; list: Uint8Array; round: number }): Instruction[] {
    const count = Math.max(1, Math.ceil(p.list.length / LIST_CHUNK_BYTES));
    return Array.from({ length: count }, (_, i) => {
      const blob = new Uint8Array(LIST_BLOB_BYTES);
      blob.set(u16(i), 0);
      blob.set(u16(LIST_CHUNK_BYTES), 2);
      blob.set(p.list.subarray(i * LIST_CHUNK_BYTES, (i + 1) * LIST_CHUNK_BYTES), 4);
      return task([r(p.taskId), ws(p.listAccount)], bytes(Uint8Array.of(11), blob, round(p.round)));
    });
  },
  /** #12 SubmitDistributionList: round ns64; task state, submitter, distribution data account. */
  submitDistributionList(p: { taskId: string; staking: TransactionSigner; listAccount: TransactionSigner; round: number }): Instruction {
    return task([w(p.taskId), ws(p.staking), ws(p.listAccount), clock()], bytes(Uint8Array.of(12), round(p.round)));
  },
};

/** Builds, signs and sends one legacy transaction; answers its signature. */
export async function send(rpc: Rpc, feePayer: TransactionSigner, instructions: Instruction[]): Promise<string> {
  const latest = await rpc.call<{ value: { blockhash: string; lastValidBlockHeight: number } }>('getLatestBlockhash', [{ commitment: 'confirmed' }]);
  const message = pipe(
    createTransactionMessage({ version: 'legacy' }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: latest.value.blockhash as Blockhash, lastValidBlockHeight: BigInt(latest.value.lastValidBlockHeight) }, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const tx = await signTransactionMessageWithSigners(message);
  await rpc.call<string>('sendTransaction', [getBase64EncodedWireTransaction(tx), { encoding: 'base64', preflightCommitment: 'confirmed' }]);
  return getSignatureFromTransaction(tx);
}
