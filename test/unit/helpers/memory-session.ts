import type { SessionStorage } from '../../../src/background/wallet/unlocked-session.ts';

/** storage.session in memory, cloning on the way in and out as the browser does. */
export function memorySession(): SessionStorage & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (key) => (data.has(key) ? { [key]: structuredClone(data.get(key)) } : {}),
    set: async (items) => {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
    remove: async (key) => {
      data.delete(key);
    },
  };
}
