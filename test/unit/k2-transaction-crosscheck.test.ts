import { Transaction as Web3Transaction } from '@solana/web3.js';
import { generateKeyPairSigner, type Instruction, type KeyPairSigner } from '@solana/kit';
import nacl from 'tweetnacl';
import bs58 from 'bs58';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  additionalStakeInstructions,
  auditDistributionInstruction,
  auditSubmissionsInstruction,
  claimRewardInstruction,
  firstStakeInstructions,
  payoutInstruction,
  submitDistributionListInstruction,
  submitTaskInstruction,
  systemCreateAccountInstruction,
  uploadDistributionListChunks,
  withdrawInstruction,
} from '../../src/k2/instructions.ts';
import { TASK_PROGRAM_ID } from '../../src/k2/program-ids.ts';
import { buildTransaction, toWireBytes, transactionSignature } from '../../src/k2/transaction.ts';

// Every transaction our builders produce, read back by an independent implementation
// (@solana/web3.js 1.x) and its signatures checked by another (tweetnacl).

const TASK = 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc';
const POT = 'stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr';
const BLOCKHASH = { blockhash: 'EETubP5AKHgjPAhzPAFcb8BAY1hMH639CWCFTqi3hq1k', lastValidBlockHeight: 100n };

let main: KeyPairSigner;
let staking: KeyPairSigner;
let dist: KeyPairSigner;
let peer: KeyPairSigner;
beforeAll(async () => {
  main = await generateKeyPairSigner();
  staking = await generateKeyPairSigner();
  dist = await generateKeyPairSigner();
  peer = await generateKeyPairSigner();
});

function cases(): Array<[string, Instruction[]]> {
  return [
    ['first stake', firstStakeInstructions({ payer: main, stakingKey: staking, taskState: TASK, stakePot: POT, amount: 5_000_000_000n, rentExemptLamports: 7_850_880n })],
    ['additional stake', additionalStakeInstructions({ payer: main, stakingKey: staking, taskState: TASK, stakePot: POT, amount: 1n })],
    ['submit', [submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', round: 12 })]],
    ['audit', [auditSubmissionsInstruction({ taskState: TASK, voter: staking, candidate: peer.address, isValid: false, round: 12 })]],
    ['audit distribution', [auditDistributionInstruction({ taskState: TASK, voter: staking, candidate: peer.address, isValid: true, round: 11 })]],
    [
      'distribution upload',
      [
        systemCreateAccountInstruction({ payer: main, newAccount: dist, lamports: 1_000_000n, space: 2_000n, owner: TASK_PROGRAM_ID }),
        ...uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: JSON.stringify({ [peer.address]: 50, [staking.address]: 50 }), round: 10 }),
      ],
    ],
    ['distribution submit', [submitDistributionListInstruction({ taskState: TASK, submitter: staking, distributionAccount: dist, round: 10 })]],
    ['payout', [payoutInstruction({ taskState: TASK, distributionAccount: dist.address, round: 10 })]],
    ['claim', [claimRewardInstruction({ taskState: TASK, claimer: staking, stakePot: POT, beneficiary: main.address })]],
    ['withdraw', [withdrawInstruction({ taskState: TASK, stakingKey: staking })]],
  ];
}

describe('transactions cross-checked by @solana/web3.js and tweetnacl', () => {
  test.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])('case %i decodes identically and every signature verifies', async (i) => {
    const [name, instructions] = cases()[i]!;
    const tx = await buildTransaction({ feePayer: main, instructions, blockhash: BLOCKHASH });
    const wire = toWireBytes(tx);
    const decoded = Web3Transaction.from(Buffer.from(wire));

    expect(decoded.feePayer?.toBase58(), name).toBe(main.address);
    expect(decoded.recentBlockhash).toBe(BLOCKHASH.blockhash);
    expect(decoded.instructions).toHaveLength(instructions.length);
    // A message lists each account once, with the strongest role any instruction gives it.
    const signer = new Set<string>([main.address]);
    const writable = new Set<string>([main.address]);
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
    expect(decoded.signatures.length).toBeGreaterThan(0);
    for (const { publicKey, signature } of decoded.signatures) {
      expect(signature).not.toBeNull();
      expect(nacl.sign.detached.verify(message, signature!, publicKey.toBytes())).toBe(true);
    }
    expect(bs58.encode(decoded.signatures[0]!.signature!)).toBe(transactionSignature(tx));
    expect(decoded.verifySignatures()).toBe(true);
  });

  test('a tampered message no longer verifies', async () => {
    const tx = await buildTransaction({ feePayer: main, instructions: cases()[2]![1], blockhash: BLOCKHASH });
    const wire = Buffer.from(toWireBytes(tx));
    wire.writeUInt8(wire.readUInt8(wire.length - 1) ^ 1, wire.length - 1);
    const decoded = Web3Transaction.from(wire);
    expect(nacl.sign.detached.verify(decoded.serializeMessage(), decoded.signatures[0]!.signature!, decoded.signatures[0]!.publicKey.toBytes())).toBe(false);
  });
});
