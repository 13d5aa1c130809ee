import type { K2Rpc } from '../k2/rpc-client.ts';

// The main account's balance for everything that shows it (the popup's status, the badge's
// "low funds"): one last-known value, kept in session storage so that a restarted worker
// does not ask K2 again at every start, and one read at a time. Nothing that paints waits on
// the network longer than it says: a known value is answered at once, however old, while a
// read for a newer one goes out; its answer, if different, is announced with `onChange`.

interface BalanceSession {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

export interface MainBalance {
  /**
   * The balance of `address`. A known value younger than `maxAgeMs` is answered as is;
   * otherwise one read goes out (shared with any other caller), waited for at most `waitMs`
   * when no value is known, not at all when one is (that one is answered).
   */
  get(address: string, opts: { maxAgeMs: number; waitMs: number }): Promise<bigint | null>;
  /**
   * Funds moved (the value is still shown until the new one comes) or the endpoint may have
   * changed (`keepValue` false: the old endpoint's value is not shown): the next `get` reads
   * again, and a read under way is ignored.
   */
  forget(keepValue?: boolean): void;
}

const SESSION_KEY = 'k2-main-balance';

interface Known {
  address: string;
  at: number;
  value: bigint | null;
}

export function createMainBalance(deps: {
  rpc: () => Promise<Pick<K2Rpc, 'getBalance'>>;
  session: BalanceSession;
  onChange?: () => void;
  now?: () => number;
}): MainBalance {
  const now = deps.now ?? Date.now;
  let known: Known | null = null;
  let loaded = false;
  /** Bumped by forget(): a read that started before it answers nothing. */
  let generation = 0;
  let reading: { address: string; generation: number; answer: Promise<bigint | null> } | null = null;

  async function load(): Promise<void> {
    if (loaded) return;
    loaded = true;
    const kept = (await deps.session.get(SESSION_KEY))[SESSION_KEY] as { address: string; at: number; value: string | null } | undefined;
    if (kept && !known) known = { address: kept.address, at: kept.at, value: kept.value === null ? null : BigInt(kept.value) };
  }

  function read(address: string): Promise<bigint | null> {
    if (reading?.address === address && reading.generation === generation) return reading.answer;
    const started = generation;
    const before = known?.address === address ? known.value : null;
    const answer = (async () => (await deps.rpc()).getBalance(address))().then(
      (value) => {
        if (started !== generation) return value;
        known = { address, at: now(), value };
        void deps.session.set({ [SESSION_KEY]: { address, at: known.at, value: value.toString() } }).catch(() => undefined);
        if (value !== before) deps.onChange?.();
        return value;
      },
      // Unreachable or refused: what was known stays known (and is not read again at once).
      () => {
        if (started === generation) known = { address, at: now(), value: before };
        return before;
      },
    );
    const entry = { address, generation: started, answer };
    reading = entry;
    void answer.finally(() => {
      if (reading === entry) reading = null;
    });
    return answer;
  }

  return {
    async get(address, { maxAgeMs, waitMs }) {
      await load();
      const mine = known?.address === address ? known : null;
      if (mine && now() - mine.at < maxAgeMs) return mine.value;
      const answer = read(address);
      if (mine) return mine.value;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
      try {
        return await Promise.race([answer, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    forget(keepValue = true) {
      generation++;
      known = keepValue && known ? { ...known, at: Number.NEGATIVE_INFINITY } : null;
    },
  };
}
