// Program and sysvar addresses, and every protocol choice the notes leave UNCONFIRMED,
// in one place so that pointing the node at the real K2 means changing only this file.

export const TASK_PROGRAM_ID = 'Koiitask22222222222222222222222222222222222';
export const SYSTEM_PROGRAM_ID = '11111111111111111111111111111111';
export const SYSVAR_CLOCK_ID = 'SysvarC1ock11111111111111111111111111111111';

export const PROTOCOL_CHOICES = {
  /**
   * AuditSubmissions (#2) accounts: task state (w), voter (s,w), candidate (w), then the clock
   * sysvar. Confirmed only in the KPL program's builder; the KOII program is assumed the same.
   */
  auditSubmissionsIncludesClock: true,
  /**
   * is_valid is written as ns64 (the table's layout for the KOII program); the KPL program
   * uses one byte. 'u8' switches every audit builder and the decoder.
   */
  isValidEncoding: 'ns64' as 'ns64' | 'u8',
  /**
   * UploadDistributionList (#11) accounts: task state (w), distribution data account (s,w).
   * Confirmed only in the KPL program's builder.
   */
  uploadDistributionIncludesClock: false,
  /** The first stake creates the staking-key account with this much space… */
  stakeAccountSpace: 100n,
  /** …funded with the stake + rent exemption for this many bytes + stakeExtraLamports. */
  stakeRentExemptBytes: 1000,
  stakeExtraLamports: 10_000n,
  /** The distribution list's data account: about 0.15 KOII + rent + 10,000 ROE. */
  distributionAccountFunding: 150_000_000n + 10_000n,
  /** Rounds a stake stays locked after the node's last submission (devnet rule). */
  withdrawLockRounds: 3,
};
