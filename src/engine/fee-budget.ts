import { formatKoii } from '../core/amounts.ts';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';

// Round operations (submit, audit, vote, distribution, payout, claim) are signed without asking
// the user, so what they may cost is capped: fees and the funding of distribution accounts,
// per rolling day. Spending is written before the transaction is stored and sent, so a crash
// can only over-count, never let the node spend past the cap.

export const DAY_MS = 24 * 3600_000;

export class FeeBudgetExceededError extends Error {
  override name = 'FeeBudgetExceededError';
}

interface Spend {
  windowStart: number;
  spent: bigint;
}

const KEY = 'feeSpend';

export function createFeeBudget(db: NodeDb, budgetPerDay: () => Promise<bigint>, now: () => number = Date.now) {
  async function current(): Promise<Spend> {
    const s = await getSetting<Spend>(db, KEY, { windowStart: now(), spent: 0n });
    return now() - s.windowStart >= DAY_MS ? { windowStart: now(), spent: 0n } : s;
  }
  return {
    /** Records `roe` as spent, or refuses when it would pass the day's budget. */
    async charge(roe: bigint): Promise<void> {
      const s = await current();
      const budget = await budgetPerDay();
      if (s.spent + roe > budget) {
        throw new FeeBudgetExceededError(
          `the fee budget of ${formatKoii(budget)} KOII a day is spent (${formatKoii(s.spent)} KOII so far): round operations wait until it renews or is raised`,
        );
      }
      await putSetting(db, KEY, { windowStart: s.windowStart, spent: s.spent + roe });
    },
    async spentToday(): Promise<bigint> {
      return (await current()).spent;
    },
  };
}

type FeeBudget = ReturnType<typeof createFeeBudget>;
