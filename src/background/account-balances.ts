import type { K2Rpc } from '../k2/rpc-client.ts';

// Balances for the import screen: each address asked at once on the configured endpoint,
// none waited for longer than a screen can wait. A failed or late read is null ("balance
// unknown"), never an error: it must not block the import.

const BALANCE_READ_MS = 6000;

export async function readBalances(rpc: Pick<K2Rpc, 'getBalance'>, addresses: string[], timeoutMs = BALANCE_READ_MS): Promise<(bigint | null)[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    return await Promise.all(addresses.map((a) => Promise.race([rpc.getBalance(a).catch(() => null), late])));
  } finally {
    clearTimeout(timer);
  }
}
