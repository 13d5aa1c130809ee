import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { buildDistributionList } from '../src/core/distribution.ts';
import { cidOf } from '../src/core/content-address.ts';
import type { DistributionList, TaskState } from '../src/core/task-state.ts';
import { canonicalUrl } from '../src/tasks/page-index/canonical-url.ts';
import type { PageRecord } from '../src/tasks/page-index/page-record.ts';
import { MAX_BUNDLE_BYTES } from '../src/tasks/page-index/proof-bundle.ts';
import type { PluginContext } from '../src/tasks/task-plugin.ts';
import { HOSTILE_PATHS } from './hostile-site.ts';
import type { PeerFault } from './peers.ts';

// What hostile peers submit: each fault builds a bundle that an honest auditor must refuse,
// for its own reason, without fetching what it would not fetch for itself. (The addresses
// in private-proof are never requested: auditors refuse the bundle before fetching.)

export interface HostileContext {
  taskId: string;
  /** Pages of the demo site, for records that look honest next to the hostile ones. */
  pages: () => string[];
  hostileSiteUrl: string | undefined;
  devnetUrl: string;
}

/** A record that claims an article at `url` (its hashes are made up). */
function claim(url: string, i: number): PageRecord {
  const digest = bytesToHex(sha256(new TextEncoder().encode(`${url}:${i}`)));
  return { url: canonicalUrl(url), fetchedAt: Date.now(), title: 'An article', textLength: 4000 + i, sha256: digest, simhash: digest.slice(0, 16) };
}

function bundleJson(ctx: HostileContext, round: number, node: string, records: unknown[], extra: Record<string, unknown> = {}): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ v: 1, task: ctx.taskId, round, node, records, ...extra }));
}

export function hostileSubmission(fault: PeerFault, ctx: HostileContext) {
  return async (round: number, pctx: PluginContext): Promise<string | null> => {
    const node = pctx.stakingKey;
    const honestLooking = ctx.pages().slice(0, 2).map(claim);
    switch (fault) {
      case 'private-proof': {
        const targets = ['http://10.0.0.1/', 'http://192.168.1.1/admin', 'http://172.16.5.4/', 'http://169.254.169.254/latest/meta-data/', `${ctx.devnetUrl}/health`];
        return pctx.proofStore.put(bundleJson(ctx, round, node, [...honestLooking, claim(targets[round % targets.length]!, 9)]));
      }
      case 'oversized-proof':
        return pctx.proofStore.put(bundleJson(ctx, round, node, honestLooking, { pad: 'x'.repeat(MAX_BUNDLE_BYTES + 1024) }));
      case 'malformed-proof': {
        if (round % 2 === 0) {
          const depth = 50_000;
          return pctx.proofStore.put(new TextEncoder().encode(`{"v":1,"task":"${ctx.taskId}","round":${round},"node":"${node}","records":${'['.repeat(depth)}${']'.repeat(depth)}}`));
        }
        return pctx.proofStore.put(bundleJson(ctx, round, node, [...honestLooking, { ...claim('http://example.org/', 1), url: 'file:///etc/passwd' }]));
      }
      case 'missing-proof':
        // The CID of bytes that were never uploaded anywhere.
        return cidOf(new TextEncoder().encode(`never uploaded ${round} ${node} ${Math.random()}`));
      case 'hostile-pages': {
        const base = ctx.hostileSiteUrl ?? 'http://10.0.0.1';
        return pctx.proofStore.put(bundleJson(ctx, round, node, HOSTILE_PATHS.map((p, i) => claim(`${base}${p}`, i))));
      }
      default:
        throw new Error(`no hostile submission for ${fault}`);
    }
  };
}

/** An address with no submission anywhere: the unfair list pays it. */
export const UNKNOWN_PAYEE = 'BPFLoaderUpgradeab1e11111111111111111111111';

/** The list the rules give, with the slashing left out and a stranger paid. */
export function unfairDistribution(state: TaskState, round: number): DistributionList {
  const list = buildDistributionList(state, round);
  for (const [key, amount] of list) if (amount < 0) list.set(key, 0);
  list.set(UNKNOWN_PAYEE, 1);
  return list;
}
