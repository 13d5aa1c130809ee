import { Transaction as Web3Transaction } from '@solana/web3.js';
import { generateKeyPairSigner, type Instruction, type KeyPairSigner } from '@solana/kit';
import nacl from 'tweetnacl';
import bs58 from 'bs58';
import { describe, expect, test } from 'vitest';
import { additionalStakeInstructions, claimRewardInstruction, firstStakeInstructions, stakeInstruction, withdrawInstruction } from '../../src/k2/stake-instructions.ts';
import { auditDistributionInstruction, auditSubmissionsInstruction, payoutInstruction, submitTaskInstruction } from '../../src/k2/round-instructions.ts';
import { submitDistributionListInstruction, uploadDistributionListChunks } from '../../src/k2/distribution-instructions.ts';
import { systemCreateAccountInstruction } from '../../src/k2/system-instructions.ts';
import { createTaskInstruction, fundTaskInstruction } from './helpers/task-creator-instructions.ts';
import { TASK_PROGRAM_ID } from '../../src/k2/program-ids.ts';
import {
  buildTransaction,
  decodeWireTransaction,
  toWireBase64,
  toWireBytes,
  transactionSignature,
  WireTransactionError,
} from '../../src/k2/transaction.ts';

// Every transaction our builders produce, read back by an independent implementation
// (@solana/web3.js 1.x) and its signatures checked by another (tweetnacl). Our own
// decodeWireTransaction must agree with both.

const TASK = 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc';
const POT = 'stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr';
const BLOCKHASH = { blockhash: 'EETubP5AKHgjPAhzPAFcb8BAY1hMH639CWCFTqi3hq1k', lastValidBlockHeight: 100n };

// Top-level, not beforeAll: test.each lists the cases while the file is collected.
const [main, staking, dist, peer, taskKey] = await Promise.all(Array.from({ length: 5 }, () => generateKeyPairSigner())) as [
  KeyPairSigner,
  KeyPairSigner,
  KeyPairSigner,
  KeyPairSigner,
  KeyPairSigner,
];

/** A list long enough for three chunks: the way the engine sends it, one chunk per transaction. */
function bigList(): string {
  const entries: Record<string, number> = {};
  for (let i = 0; i < 30; i++) entries[`${peer.address.slice(0, 40)}${String(i).padStart(4, '0')}`] = 1_000_000 + i;
  return JSON.stringify(entries);
}

function cases(): Array<[string, KeyPairSigner, Instruction[]]> {
  const chunks = uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: bigList(), round: 10 });
  return [
    ['first stake (fee payer ≠ staking key)', main, firstStakeInstructions({ payer: main, stakingKey: staking, taskState: TASK, stakePot: POT, amount: 5_000_000_000n, rentExemptLamports: 7_850_880n })],
    ['additional stake', main, additionalStakeInstructions({ payer: main, stakingKey: staking, taskState: TASK, stakePot: POT, amount: 1n })],
    ['stake paid by the staking key itself', staking, [stakeInstruction({ taskState: TASK, stakingKey: staking, stakePot: POT, amount: 3n, ipAddress: 'https://node.example' })]],
    ['submit', main, [submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', round: 12 })]],
    ['audit', main, [auditSubmissionsInstruction({ taskState: TASK, voter: staking, candidate: peer.address, isValid: false, round: 12 })]],
    ['audit distribution', main, [auditDistributionInstruction({ taskState: TASK, voter: staking, candidate: peer.address, isValid: true, round: 11 })]],
    [
      'distribution account + first chunk',
      main,
      [systemCreateAccountInstruction({ payer: main, newAccount: dist, lamports: 1_000_000n, space: 2_000n, owner: TASK_PROGRAM_ID }), chunks[0]!],
    ],
    ...chunks.slice(1).map((c, i): [string, KeyPairSigner, Instruction[]] => [`distribution chunk ${i + 1}`, main, [c]]),
    ['distribution submit', main, [submitDistributionListInstruction({ taskState: TASK, submitter: staking, distributionAccount: dist, round: 10 })]],
    ['payout', main, [payoutInstruction({ taskState: TASK, distributionAccount: dist.address, round: 10 })]],
    ['claim', main, [claimRewardInstruction({ taskState: TASK, claimer: staking, stakePot: POT, beneficiary: main.address })]],
    ['withdraw', main, [withdrawInstruction({ taskState: TASK, stakingKey: staking })]],
    ['fund task', main, [fundTaskInstruction({ taskState: TASK, funder: main, stakePot: POT, amount: 9n })]],
    [
      'create task',
      main,
      [
        createTaskInstruction({
          payer: main,
          taskState: taskKey,
          stakePot: POT,
          taskName: 'Page Index',
          taskDescription: 'd',
          taskAuditProgram: 'a',
          taskExecutableNetwork: 'IPFS',
          totalBountyAmount: 1000n,
          bountyAmountPerRound: 10n,
          roundTime: 1500n,
          auditWindow: 600n,
          submissionWindow: 500n,
          minimumStakeAmount: 2n,
          taskMetadata: '',
          localVars: '',
          allowedFailedDistributions: 8n,
        }),
      ],
    ],
  ];
}

describe('transactions cross-checked by @solana/web3.js and tweetnacl', () => {
  test('the chunked upload really has several chunks', () => {
    expect(cases().filter(([name]) => name.startsWith('distribution chunk')).length).toBeGreaterThanOrEqual(2);
  });

  test.each(cases().map(([name], i) => [name, i] as const))('%s decodes identically and every signature verifies', async (_name, i) => {
    const [name, feePayer, instructions] = cases()[i]!;
    const tx = await buildTransaction({ feePayer, instructions, blockhash: BLOCKHASH });
    const wire = toWireBytes(tx);
    expect(Buffer.from(toWireBase64(tx), 'base64')).toEqual(Buffer.from(wire));
    expect(wire.length).toBeLessThanOrEqual(1232);
    const decoded = Web3Transaction.from(Buffer.from(wire));

    expect(decoded.feePayer?.toBase58(), name).toBe(feePayer.address);
    expect(decoded.recentBlockhash).toBe(BLOCKHASH.blockhash);
    expect(decoded.instructions).toHaveLength(instructions.length);
    // A message lists each account once, with the strongest role any instruction gives it.
    const signer = new Set<string>([feePayer.address]);
    const writable = new Set<string>([feePayer.address]);
    for (const ix of instructions) {
      for (const a of ix.accounts!) {
        if (a.role >= 2) signer.add(a.address);
        if (a.role % 2 === 1) writable.add(a.address);
      }
    }
    decoded.instructions.forEach((ix, k) => {
      const ours = instructions[k]!;
      expect(ix.programId.toBase58()).toBe(ours.programAddress);
      expect(Buffer.from(ix.data)).toEqual(Buffer.from(ours.data!));
      expect(ix.keys.map((m) => [m.pubkey.toBase58(), m.isSigner, m.isWritable])).toEqual(
        ours.accounts!.map((a) => [a.address, signer.has(a.address), writable.has(a.address)]),
      );
    });

    const message = decoded.serializeMessage();
    expect(decoded.signatures.map((s) => s.publicKey.toBase58()).sort()).toEqual([...signer].sort());
    for (const { publicKey, signature } of decoded.signatures) {
      expect(signature).not.toBeNull();
      expect(nacl.sign.detached.verify(message, signature!, publicKey.toBytes())).toBe(true);
    }
    expect(bs58.encode(decoded.signatures[0]!.signature!)).toBe(transactionSignature(tx));
    expect(decoded.verifySignatures()).toBe(true);

    // Our decoder reads the same transaction web3.js read.
    const ours = decodeWireTransaction(wire);
    expect(ours.feePayer).toBe(feePayer.address);
    expect(ours.recentBlockhash).toBe(BLOCKHASH.blockhash);
    expect(Buffer.from(ours.messageBytes)).toEqual(Buffer.from(message));
    expect(ours.instructions).toEqual(
      decoded.instructions.map((ix) => ({
        programAddress: ix.programId.toBase58(),
        accounts: ix.keys.map((m) => ({ address: m.pubkey.toBase58(), isSigner: m.isSigner, isWritable: m.isWritable })),
        data: new Uint8Array(ix.data),
      })),
    );
    expect(ours.signatures.map((s) => s.signer)).toEqual(decoded.signatures.map((s) => s.publicKey.toBase58()));
    for (const { signer: key, signature } of ours.signatures) {
      expect(nacl.sign.detached.verify(ours.messageBytes, signature!, bs58.decode(key))).toBe(true);
    }
  });

  test('a key that is both fee payer and staking key signs once', async () => {
    const tx = await buildTransaction({
      feePayer: staking,
      instructions: [submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'cid', round: 1 })],
      blockhash: BLOCKHASH,
    });
    const decoded = decodeWireTransaction(toWireBytes(tx));
    expect(decoded.signatures.map((s) => s.signer)).toEqual([staking.address]);
    expect(decoded.instructions[0]!.accounts[1]).toEqual({ address: staking.address, isSigner: true, isWritable: true });
  });

  test('the signed transaction carries its blockhash lifetime', async () => {
    const tx = await buildTransaction({ feePayer: main, instructions: cases()[3]![2], blockhash: BLOCKHASH });
    expect(tx.lifetimeConstraint).toEqual({ blockhash: BLOCKHASH.blockhash, lastValidBlockHeight: 100n });
  });

  test('a tampered message no longer verifies', async () => {
    const tx = await buildTransaction({ feePayer: main, instructions: cases()[3]![2], blockhash: BLOCKHASH });
    const wire = Buffer.from(toWireBytes(tx));
    wire.writeUInt8(wire.readUInt8(wire.length - 1) ^ 1, wire.length - 1);
    const decoded = Web3Transaction.from(wire);
    expect(nacl.sign.detached.verify(decoded.serializeMessage(), decoded.signatures[0]!.signature!, decoded.signatures[0]!.publicKey.toBytes())).toBe(false);
    const ours = decodeWireTransaction(wire);
    expect(nacl.sign.detached.verify(ours.messageBytes, ours.signatures[0]!.signature!, bs58.decode(ours.signatures[0]!.signer))).toBe(false);
  });

  test('decodeWireTransaction refuses malformed bytes', async () => {
    const tx = await buildTransaction({ feePayer: main, instructions: cases()[3]![2], blockhash: BLOCKHASH });
    const wire = toWireBytes(tx);
    expect(() => decodeWireTransaction(new Uint8Array(0))).toThrow(WireTransactionError);
    expect(() => decodeWireTransaction(wire.subarray(0, 100))).toThrow(WireTransactionError);
    // Two signatures' worth of header with one signature on the wire.
    const wrongCount = Uint8Array.from(wire);
    expect(wrongCount[1 + 2 * 64]).toBe(2);
    wrongCount[1 + 2 * 64] = 3;
    expect(() => decodeWireTransaction(wrongCount)).toThrow(WireTransactionError);
    // An instruction pointing past the account list.
    const badIndex = Uint8Array.from(wire);
    // signatures (1 + 2·64), header (3), key count, keys, blockhash, instruction count, then the program index.
    const keyCount = wire[1 + 2 * 64 + 3]!;
    const programIndexAt = 1 + 2 * 64 + 3 + 1 + 32 * keyCount + 32 + 1;
    badIndex[programIndexAt] = 200;
    expect(() => decodeWireTransaction(badIndex)).toThrow('account index 200 out of range');
  });
});
