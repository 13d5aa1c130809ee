import { address, getAddressEncoder, type TransactionSigner } from '@solana/kit';
import { concat, u32, u64 } from './layout.ts';
import { SYSTEM_PROGRAM_ID } from './program-ids.ts';
import { signer, writable, type AddressLike, type K2Instruction } from './instruction-kit.ts';

// System program: kit ships no System builders, and a node needs only these two.

export const SYSTEM_INSTRUCTION = { CreateAccount: 0, Transfer: 2 } as const;

const systemProgram = address(SYSTEM_PROGRAM_ID);

/** System CreateAccount: u32 0, u64 lamports, u64 space, owner. Both payer and new account sign. */
export function systemCreateAccountInstruction(p: {
  payer: TransactionSigner;
  newAccount: TransactionSigner;
  lamports: bigint;
  space: bigint;
  owner: AddressLike;
}): K2Instruction {
  return {
    programAddress: systemProgram,
    accounts: [signer(p.payer), signer(p.newAccount)],
    data: concat(u32(SYSTEM_INSTRUCTION.CreateAccount), u64(p.lamports), u64(p.space), new Uint8Array(getAddressEncoder().encode(address(p.owner)))),
  };
}

/** System Transfer: u32 2, u64 lamports. */
export function systemTransferInstruction(p: { from: TransactionSigner; to: AddressLike; lamports: bigint }): K2Instruction {
  return {
    programAddress: systemProgram,
    accounts: [signer(p.from), writable(p.to)],
    data: concat(u32(SYSTEM_INSTRUCTION.Transfer), u64(p.lamports)),
  };
}
