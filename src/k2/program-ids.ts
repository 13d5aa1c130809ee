// Program and sysvar addresses, and every protocol choice the notes (k2-protocol.md) leave
// UNCONFIRMED, in one place: pointing the node at the real K2 should mean editing only this file.

export const TASK_PROGRAM_ID = 'Koiitask22222222222222222222222222222222222';
export const SYSTEM_PROGRAM_ID = '11111111111111111111111111111111';
export const SYSVAR_CLOCK = 'SysvarC1ock11111111111111111111111111111111';

/** The accounts AuditSubmissions (#2) may list; roles are fixed per slot (see round-instructions.ts). */
type AuditSubmissionsAccount = 'taskState' | 'voter' | 'candidate' | 'clock';
/** The accounts UploadDistributionList (#11) may list. */
type UploadDistributionAccount = 'taskState' | 'distributionAccount' | 'clock';

interface ProtocolChoices {
  auditSubmissionsAccounts: AuditSubmissionsAccount[];
  isValidEncoding: 'ns64' | 'u8';
  uploadDistributionAccounts: UploadDistributionAccount[];
  stakeAccountSpace: bigint;
  stakeRentExemptBytes: number;
  stakeExtraLamports: bigint;
  distributionAccountFunding: bigint;
  distributionAccountSpace: bigint | null;
  withdrawLockRounds: number;
}

/**
 * Mutable on purpose: a test or a devnet may flip one choice to check that the builders and
 * the decoder follow it together. Production code only reads it.
 */
export const PROTOCOL_CHOICES: ProtocolChoices = {
  /**
   * UNCONFIRMED. AuditSubmissions (#2) accounts in order: task state (w), voter (s,w),
   * candidate (w), clock sysvar. Both the candidate and the trailing clock were seen only in
   * the KPL program's builder; the KOII program is assumed to take the same list, like
   * AuditDistribution (#3), which the table confirms. Drop 'clock' here if K2 refuses it.
   */
  auditSubmissionsAccounts: ['taskState', 'voter', 'candidate', 'clock'],
  /**
   * UNCONFIRMED width. is_valid as ns64 (1/0), the table's layout for the KOII program; the
   * KPL program writes one byte. 'u8' switches both audit builders and the decoder.
   */
  isValidEncoding: 'ns64',
  /**
   * UNCONFIRMED. UploadDistributionList (#11) accounts: task state (w), distribution data
   * account (s,w), no clock: as the KPL program's builder has it.
   */
  uploadDistributionAccounts: ['taskState', 'distributionAccount'],
  /** First stake: CreateAccount for the staking key with this much space (Koii's desktop node). */
  stakeAccountSpace: 100n,
  /** …funded with the stake + rent exemption for this many bytes (ask the RPC for it)… */
  stakeRentExemptBytes: 1000,
  /** …+ this many extra ROE. */
  stakeExtraLamports: 10_000n,
  /**
   * The distribution list's data account is funded with about 0.15 KOII + 10,000 ROE on top
   * of its rent exemption (the caller adds the rent, which depends on the space).
   */
  distributionAccountFunding: 150_000_000n + 10_000n,
  /**
   * UNCONFIRMED. The notes say Koii creates the distribution account with space 100 and the
   * program presumably grows it while the list is uploaded. Whether K2 reallocates is not
   * known (the devnet does not), so null sizes the account to fit the list's JSON wrapper;
   * set 100n to copy Koii's desktop node.
   */
  distributionAccountSpace: null,
  /**
   * UNCONFIRMED (devnet rule): rounds a stake stays locked after the node's last submission;
   * an earlier Withdraw fails with "submission cannot withdraw".
   */
  withdrawLockRounds: 3,
};
