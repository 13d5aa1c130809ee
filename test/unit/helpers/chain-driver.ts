import { Keypair, PublicKey, SystemProgram, SYSVAR_CLOCK_PUBKEY, Transaction, TransactionInstruction, type Signer } from '@solana/web3.js';
import { wallTime } from '../../../devnet/clock.ts';
import { startDevnet, type Devnet, type DevnetTaskConfig } from '../../../devnet/devnet.ts';

// Drives the devnet's chain the way a client of K2 does: over HTTP JSON-RPC, with
// transactions laid out by hand from k2-protocol.md and signed by @solana/web3.js, on a clock
// the test sets (the devnet's `now` option). Nothing here comes from src/.

export const TASK_PROGRAM = new PublicKey('Koiitask22222222222222222222222222222222222');

/** 10-slot rounds: submission window [0, 4), audit window [4, 8), idle [8, 10) of each. */
export const CHAIN_TASK: DevnetTaskConfig = {
  name: 'chain test task',
  roundTime: 10,
  submissionWindow: 4,
  auditWindow: 4,
  bountyPerRound: 10_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 1_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 2,
  origins: ['http://127.0.0.1:8900'],
};

export const SLOT_MS = 100;

export interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string; data?: { logs?: string[] } };
}

export function ns64(n: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return b;
}

export function blob(text: string, n: number): Buffer {
  const b = Buffer.alloc(n, 0x20);
  b.write(text, 'utf8');
  return b;
}

const meta = (pubkey: PublicKey, isSigner: boolean, isWritable: boolean) => ({ pubkey, isSigner, isWritable });

export interface Staker {
  main: Keypair;
  staking: Keypair;
}

export class ChainDriver {
  private id = 1;
  private constructor(
    readonly devnet: Devnet,
    private readonly time: { now: number; genesis: number },
  ) {}

  static async start(task: DevnetTaskConfig = CHAIN_TASK): Promise<ChainDriver> {
    const time = { now: 1_700_000_000_000, genesis: 1_700_000_000_000 };
    const devnet = await startDevnet({ slotMs: SLOT_MS, tasks: [task], time: { ...wallTime, now: () => time.now } });
    return new ChainDriver(devnet, time);
  }

  close(): Promise<void> {
    return this.devnet.close();
  }

  get url(): string {
    return this.devnet.url;
  }

  get taskId(): PublicKey {
    return new PublicKey(this.devnet.taskIds[0]!);
  }

  /** Moves the devnet's clock to the start of `slot`. */
  setSlot(slot: number): void {
    this.time.now = this.time.genesis + slot * SLOT_MS;
  }

  /** Moves the clock into round `round`'s window (offset slots into the round). */
  setRound(round: number, offset: number, task: DevnetTaskConfig = CHAIN_TASK): void {
    this.setSlot((task.startDelay ?? 5) + round * task.roundTime + offset);
  }

  async rpc(method: string, params: unknown[] = []): Promise<RpcAnswer> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: this.id++, method, params }),
    });
    return (await res.json()) as RpcAnswer;
  }

  async result<T>(method: string, params: unknown[] = []): Promise<T> {
    const r = await this.rpc(method, params);
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result as T;
  }

  async blockhash(): Promise<string> {
    return (await this.result<{ value: { blockhash: string } }>('getLatestBlockhash')).value.blockhash;
  }

  async balance(key: PublicKey): Promise<number> {
    return (await this.result<{ value: number }>('getBalance', [key.toBase58()])).value;
  }

  async accountData(key: PublicKey): Promise<Uint8Array | null> {
    const r = await this.result<{ value: { data: [string, string] } | null }>('getAccountInfo', [key.toBase58(), { encoding: 'base64' }]);
    return r.value ? new Uint8Array(Buffer.from(r.value.data[0], 'base64')) : null;
  }

  /** The task account's JSON as K2 holds it: the bytes before the zero padding. */
  async taskJson(): Promise<Record<string, any>> {
    return JSON.parse(trimZeros(await this.accountData(this.taskId))) as Record<string, any>;
  }

  async airdrop(key: PublicKey, roe: number): Promise<void> {
    const r = await this.rpc('requestAirdrop', [key.toBase58(), roe]);
    if (r.error) throw new Error(r.error.message);
  }

  async transaction(feePayer: Keypair, signers: Signer[], ...ixs: TransactionInstruction[]): Promise<Transaction> {
    const tx = new Transaction({ feePayer: feePayer.publicKey, recentBlockhash: await this.blockhash() });
    tx.add(...ixs);
    tx.sign(feePayer, ...signers.filter((s) => !s.publicKey.equals(feePayer.publicKey)));
    return tx;
  }

  /** Sends; answers the JSON-RPC answer (error included). */
  async send(feePayer: Keypair, signers: Signer[], ...ixs: TransactionInstruction[]): Promise<RpcAnswer> {
    const tx = await this.transaction(feePayer, signers, ...ixs);
    return this.rpc('sendTransaction', [tx.serialize().toString('base64'), { encoding: 'base64' }]);
  }

  /** Sends and fails the test with the program's logs if the chain refuses. */
  async sendOk(feePayer: Keypair, signers: Signer[], ...ixs: TransactionInstruction[]): Promise<string> {
    const r = await this.send(feePayer, signers, ...ixs);
    if (r.error) throw new Error(`${r.error.message}\n${(r.error.data?.logs ?? []).join('\n')}`);
    return r.result as string;
  }

  async stakePot(): Promise<PublicKey> {
    return new PublicKey(Uint8Array.from((await this.taskJson()).stake_pot_account as number[]));
  }

  /** A funded main account and a staking key staked as Koii's desktop node does it. */
  async staker(stake: bigint): Promise<Staker> {
    const s = { main: Keypair.generate(), staking: Keypair.generate() };
    await this.airdrop(s.main.publicKey, 100_000_000_000);
    const rent = await this.result<number>('getMinimumBalanceForRentExemption', [1000]);
    await this.sendOk(
      s.main,
      [s.staking],
      SystemProgram.createAccount({ fromPubkey: s.main.publicKey, newAccountPubkey: s.staking.publicKey, lamports: Number(stake) + rent + 10_000, space: 100, programId: TASK_PROGRAM }),
      this.stakeIx(s.staking.publicKey, stake),
    );
    return s;
  }

  stakeIx(staking: PublicKey, amount: bigint, pot?: PublicKey): TransactionInstruction {
    return this.ix([meta(this.taskId, false, true), meta(staking, true, true), meta(pot ?? this.potCache!, false, true), meta(SYSVAR_CLOCK_PUBKEY, false, false)], Buffer.concat([Buffer.from([9]), ns64(amount), blob('', 64)]));
  }

  potCache: PublicKey | undefined;
  async init(): Promise<this> {
    this.potCache = await this.stakePot();
    return this;
  }

  submitIx(staking: PublicKey, submission: string, round: number): TransactionInstruction {
    return this.ix([meta(this.taskId, false, true), meta(staking, true, true), meta(SYSVAR_CLOCK_PUBKEY, false, false)], Buffer.concat([Buffer.from([1]), blob(submission, 512), ns64(round)]));
  }

  /** AuditSubmissions (2) or AuditDistribution (3); the candidate read-only as Koii's KPL client marks it. */
  auditIx(index: 2 | 3, voter: PublicKey, candidate: PublicKey, isValid: boolean, round: number, candidateWritable = false): TransactionInstruction {
    return this.ix(
      [meta(this.taskId, false, true), meta(voter, true, true), meta(candidate, false, candidateWritable), meta(SYSVAR_CLOCK_PUBKEY, false, false)],
      Buffer.concat([Buffer.from([index]), ns64(isValid ? 1 : 0), ns64(round)]),
    );
  }

  /** UploadDistributionList chunks: u16 index, u16 stride (508), 508 bytes, zero padding; round ns64. */
  uploadIxs(dataAccount: PublicKey, listJson: string, round: number, stride = 508): TransactionInstruction[] {
    const bytes = Buffer.from(listJson, 'utf8');
    const count = Math.max(1, Math.ceil(bytes.length / 508));
    return Array.from({ length: count }, (_, i) => {
      const payload = Buffer.alloc(512);
      payload.writeUInt16LE(i, 0);
      payload.writeUInt16LE(stride, 2);
      bytes.copy(payload, 4, i * 508, Math.min(bytes.length, (i + 1) * 508));
      // Task state read-only, as Koii's KOII-program client sends it.
      return this.ix([meta(this.taskId, false, false), meta(dataAccount, true, true)], Buffer.concat([Buffer.from([11]), payload, ns64(round)]));
    });
  }

  submitListIx(submitter: PublicKey, dataAccount: PublicKey, round: number): TransactionInstruction {
    const accounts = [meta(this.taskId, false, true), meta(submitter, true, true), meta(dataAccount, true, true), meta(SYSVAR_CLOCK_PUBKEY, false, false)];
    return this.ix(accounts, Buffer.concat([Buffer.from([12]), ns64(round)]));
  }

  payoutIx(dataAccount: PublicKey, round: number): TransactionInstruction {
    return this.ix([meta(this.taskId, false, true), meta(SYSVAR_CLOCK_PUBKEY, false, false), meta(dataAccount, false, true)], Buffer.concat([Buffer.from([4]), ns64(round)]));
  }

  claimIx(claimer: PublicKey, beneficiary: PublicKey): TransactionInstruction {
    return this.ix([meta(this.taskId, false, true), meta(claimer, true, true), meta(this.potCache!, false, true), meta(beneficiary, false, true)], Buffer.from([7]));
  }

  withdrawIx(staking: PublicKey): TransactionInstruction {
    return this.ix([meta(this.taskId, false, true), meta(staking, true, true), meta(SYSVAR_CLOCK_PUBKEY, false, false)], Buffer.from([10]));
  }

  private ix(keys: ReturnType<typeof meta>[], data: Buffer): TransactionInstruction {
    return new TransactionInstruction({ programId: TASK_PROGRAM, keys, data });
  }
}

export function trimZeros(data: Uint8Array | null): string {
  if (!data) throw new Error('no account');
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  return new TextDecoder().decode(data.subarray(0, end));
}

/** The task methods' answers: JSON inside base64 account data. */
export function taskMethodJson(result: unknown): Record<string, any> {
  const r = result as { value: { data: [string, string] } };
  return JSON.parse(Buffer.from(r.value.data[0], 'base64').toString('utf8')) as Record<string, any>;
}

export function logsOf(r: RpcAnswer): string {
  return `${r.error?.message ?? ''}\n${(r.error?.data?.logs ?? []).join('\n')}`;
}
