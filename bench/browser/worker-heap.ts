import type { BrowserContext, CDPSession } from 'playwright-core';

// The extension's service worker heap, read over the DevTools protocol. Playwright opens CDP
// sessions on pages only, so a page's session attaches to the worker target and talks to it
// through Target.sendMessageToTarget.

/** What grew between two censuses, largest growth first. */
export function censusGrowth(before: HeapCensus, after: HeapCensus, top = 12): Array<{ what: string; count: number; bytes: number }> {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .map((what) => ({ what, count: (after.get(what)?.count ?? 0) - (before.get(what)?.count ?? 0), bytes: (after.get(what)?.bytes ?? 0) - (before.get(what)?.bytes ?? 0) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

export interface HeapSample {
  /** V8 JS heap in use, after a full garbage collection. */
  usedBytes: number;
  totalBytes: number;
  /** Blink's own (C++) heap for the worker, and ArrayBuffer backing stores. */
  embedderBytes: number;
  backingStorageBytes: number;
}

/** Live objects grouped by kind and constructor (or string / code / array…), from a heap snapshot. */
export type HeapCensus = Map<string, { count: number; bytes: number }>;

export interface WorkerHeap {
  sample(): Promise<HeapSample>;
  census(): Promise<HeapCensus>;
  detach(): Promise<void>;
}

export async function attachToServiceWorker(context: BrowserContext, extensionId: string): Promise<WorkerHeap> {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp: CDPSession = await context.newCDPSession(page);
  const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string; url: string }> };
  const target = targetInfos.find((t) => t.type === 'service_worker' && t.url.includes(extensionId));
  if (!target) throw new Error('the extension has no running service worker');
  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })) as { sessionId: string };
  let nextId = 1;
  let chunks: string[] = [];
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  cdp.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message) as { id?: number; method?: string; params?: { chunk?: string }; result?: unknown; error?: { message: string } };
    if (m.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(m.params!.chunk!);
    const p = m.id !== undefined ? pending.get(m.id) : undefined;
    if (!p) return;
    pending.delete(m.id!);
    if (m.error) p.reject(new Error(m.error.message));
    else p.resolve(m.result);
  });
  const send = <T>(method: string, params: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  return {
    async sample() {
      await send('HeapProfiler.collectGarbage');
      const u = await send<{ usedSize: number; totalSize: number; embedderHeapUsedSize?: number; backingStorageSize?: number }>('Runtime.getHeapUsage');
      return { usedBytes: u.usedSize, totalBytes: u.totalSize, embedderBytes: u.embedderHeapUsedSize ?? 0, backingStorageBytes: u.backingStorageSize ?? 0 };
    },
    async census() {
      chunks = [];
      await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const snapshot = JSON.parse(chunks.join('')) as {
        snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
        nodes: number[];
        strings: string[];
      };
      chunks = [];
      const fields = snapshot.snapshot.meta.node_fields;
      const types = snapshot.snapshot.meta.node_types[0];
      const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
      const out: HeapCensus = new Map();
      for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
        const type = types[snapshot.nodes[i + iType]!]!;
        const name = type === 'object' || type === 'closure' || type === 'native' ? snapshot.strings[snapshot.nodes[i + iName]!]! : `(${type})`;
        const key = `${type}:${name.slice(0, 80)}`;
        const c = out.get(key) ?? { count: 0, bytes: 0 };
        c.count++;
        c.bytes += snapshot.nodes[i + iSize]!;
        out.set(key, c);
      }
      return out;
    },
    async detach() {
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
      await cdp.detach().catch(() => {});
    },
  };
}
