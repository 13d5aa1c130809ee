import { buildDistributionList, checkDistributionList } from '../../src/core/distribution.ts';
import { BUILTIN_PLUGINS, type PluginTable } from '../../src/tasks/plugin-registry.ts';
import { AuditUndecidedError, ProofRejectedError, type AuditVerdict, type PluginEntry, type TaskPlugin, type TaskRules } from '../../src/tasks/task-plugin.ts';

// A second task type, written only here: a task that pays nodes to check that a list of URLs
// answers. Its rules (the metadata's `urlCheck` section) name the URLs; its work is its own
// (no visits): at each wake of a round, each URL is fetched once and the answer recorded; the
// submission is the CID of the round's checks; an audit accepts a proof that checks only the
// task's URLs, each of them. It runs through the real engine, store and views by its row in a
// plugin table given to the engine: nothing in src/ names it.

export const URL_CHECK = 'url-check';

interface UrlCheckRules extends TaskRules {
  urls: string[];
}

interface UrlCheck {
  url: string;
  answered: boolean;
  checkedAt: number;
}

const MAX_PROOF_BYTES = 64 * 1024;

function parseRules(metadata: Uint8Array): UrlCheckRules {
  const doc = JSON.parse(new TextDecoder().decode(metadata)) as { urlCheck?: { rules?: unknown; origins?: unknown; urls?: unknown } };
  const section = doc.urlCheck;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
  if (section?.rules !== 1 || !strings(section.origins) || !strings(section.urls)) throw new Error('the task metadata declares no url-check rules');
  return { origins: section.origins, urls: section.urls };
}

function describe(record: unknown) {
  const check = record as UrlCheck;
  return { title: `${check.url} ${check.answered ? 'answered' : 'did not answer'}`, at: check.checkedAt, size: 1 };
}

/** Why a proof of `round` by `submitter` is not one this task pays for, or null. */
function proofProblem(bytes: Uint8Array, rules: UrlCheckRules, taskId: string, round: number, submitter: string): string | null {
  let proof: { task?: unknown; round?: unknown; node?: unknown; checks?: unknown };
  try {
    proof = JSON.parse(new TextDecoder().decode(bytes)) as typeof proof;
  } catch {
    return 'the proof is not JSON';
  }
  if (proof.task !== taskId || proof.round !== round || proof.node !== submitter) return 'the proof is for another task, round or node';
  if (!Array.isArray(proof.checks)) return 'the proof holds no checks';
  const checked = new Set(proof.checks.map((c) => (c as UrlCheck).url));
  const missing = rules.urls.find((u) => !checked.has(u));
  if (missing) return `the proof does not check ${missing}`;
  const extra = [...checked].find((u) => !rules.urls.includes(u));
  return extra ? `the proof checks ${String(extra)}, not one of the task's URLs` : null;
}

export const urlCheckEntry: PluginEntry<UrlCheckRules> = {
  parseRules,
  describe,
  create(host): TaskPlugin {
    const done = new Set<number>();
    return {
      name: URL_CHECK,
      work: {
        async ownWork(round, ctx) {
          if (done.has(round)) return [];
          done.add(round);
          const records = [];
          for (const url of host.rules.urls) {
            const page = await ctx.fetchPage(url);
            records.push({ key: url, record: { url, answered: page.ok, checkedAt: ctx.now() } satisfies UrlCheck });
          }
          return records;
        },
      },
      async submission(round, ctx) {
        const checks = (await host.records.forRound(round)) as UrlCheck[];
        if (checks.length === 0) return null;
        return ctx.proofStore.put(new TextEncoder().encode(JSON.stringify({ task: host.taskId, round, node: ctx.stakingKey, checks })));
      },
      async audit(submission, round, submitter, ctx): Promise<AuditVerdict> {
        let bytes: Uint8Array;
        try {
          bytes = await ctx.proofStore.get(submission, MAX_PROOF_BYTES);
        } catch (err) {
          if (err instanceof ProofRejectedError) return { valid: false, reason: err.message };
          throw new AuditUndecidedError(`the proof of ${submitter} is unavailable: ${(err as Error).message}`);
        }
        const problem = proofProblem(bytes, host.rules, host.taskId, round, submitter);
        return problem ? { valid: false, reason: problem } : { valid: true };
      },
      distribution: (state, round) => buildDistributionList(state, round),
      distributionCheck(state, round, list, earlier): AuditVerdict {
        const r = checkDistributionList(state, round, list, earlier);
        if (r.ok === 'undecided') throw new AuditUndecidedError(r.reason);
        return r.ok ? { valid: true } : { valid: false, reason: r.reasons.join('; ') };
      },
    };
  },
};

/** The built-in plugins and this one: what the test's nodes are given. */
export const WITH_URL_CHECK: PluginTable = { ...BUILTIN_PLUGINS, [URL_CHECK]: urlCheckEntry as PluginEntry<TaskRules> };
