// Where src/background/approvals.ts still finds the builders it uses: it was in other hands
// while the builders were split by job (instruction-kit, round-, stake-, distribution- and
// system-instructions.ts). Point its import at those files and delete this one.
export { additionalStakeInstructions, claimRewardInstruction, firstStakeInstructions, withdrawInstruction } from './stake-instructions.ts';
export { systemTransferInstruction } from './system-instructions.ts';
export type { K2Instruction } from './instruction-kit.ts';
