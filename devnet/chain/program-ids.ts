// The addresses the devnet's chain knows by name (k2-protocol.md, "The task program").

export const TASK_PROGRAM_ID = 'Koiitask22222222222222222222222222222222222';
export const SYSTEM_PROGRAM_ID = '11111111111111111111111111111111';
export const CLOCK_SYSVAR_ID = 'SysvarC1ock11111111111111111111111111111111';
