import type { Address, AuditTrigger, TaskState } from '../../../src/core/task-state.ts';

// Test task states: sensible defaults, every field filled, overridable.

export const KEYS = [
  '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK',
  'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc',
  'GcdayuLaLyrdmUu324nahyv33G5poQdLUEZ1nEytDeP',
  'HNz5roDpBbyzj4rYJk1LQLRHsN9FL6vqBn7v1jTnxYNZ',
  '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin',
  'CuieVDEDtLo7FypA9SbLM9saXFdb1dsshEkyErMqkRQq',
] as const;

export function taskStateFixture(overrides: Partial<TaskState> = {}): TaskState {
  return {
    taskId: 'Koiitask22222222222222222222222222222222222',
    taskName: 'Test',
    taskDescription: '',
    taskManager: KEYS[5],
    taskAuditProgram: '',
    taskMetadata: '',
    isActive: true,
    isAllowlisted: true,
    isMigrated: false,
    migratedTo: '',
    stakePotAccount: 'stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr',
    totalBountyAmount: 1_000_000n,
    bountyAmountPerRound: 1000n,
    minimumStakeAmount: 100n,
    totalStakeAmount: 0n,
    stakeList: new Map(),
    availableBalances: new Map(),
    startingSlot: 100,
    roundTime: 60,
    submissionWindow: 20,
    auditWindow: 20,
    submissions: new Map(),
    submissionsAuditTrigger: new Map(),
    distributionRewardsSubmission: new Map(),
    distributionsAuditTrigger: new Map(),
    distributionsAuditRecord: new Map(),
    allowedFailedDistributions: 2,
    ipAddressList: new Map(),
    ...overrides,
  };
}

export function withSubmissions(state: TaskState, round: number, keys: readonly Address[], value = (k: Address) => `cid-${k.slice(0, 6)}-${round}`): TaskState {
  state.submissions.set(round, new Map(keys.map((k, i) => [k, { submissionValue: value(k), slot: 1000 + i }])));
  for (const k of keys) if (!state.stakeList.has(k)) state.stakeList.set(k, 1000n);
  return state;
}

export function trigger(votes: Array<[Address, boolean]>): AuditTrigger {
  return { triggerBy: votes[0]?.[0] ?? KEYS[0], slot: 1, votes: votes.map(([voter, isValid]) => ({ voter, isValid, slot: 1 })) };
}
