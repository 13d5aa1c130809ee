import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { submissionVerdicts } from '../../src/core/distribution.ts';
import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import type { TaskState } from '../../src/core/task-state.ts';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/engine/node-engine.ts';
import { startDemoSite, type DemoSite } from '../../devnet/demo-site.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { startReferencePeer, type ReferencePeer } from '../../devnet/reference-peer/index.ts';
import { engineTask, taskState, testTime } from './devnet-fixture.ts';
import { driveNodes, startTestNode, type TestNode } from './node-fixture.ts';

// A mixed network for twenty rounds, on the stepped clock: three copies of this node's engine
// on different local settings (one opted in the task's site, another that site and one the task
// does not cover, one waking when asked, the others a few slots late, other limits and claims),
// three reference peers that behave as Koii's published runner (written without src/), one
// reference peer that submits invented proofs and one that accuses everybody. (Koii's runner
// answers an accusation only where its random sample of five meets the accused; the engine
// answers every accusation of the round, so an accused node is answered by the others.)
// Honest nodes must agree: no honest node votes against an honest peer or an honest list, the
// cheat is slashed every round it cheats, and every honest node is paid every round it worked.

const TASK = engineTask('consensus');
const ROUNDS = 20;
const SLOT_MS = 400;

describe('a mixed network: this node twice, Koii reference peers, a cheat and a false accuser', () => {
  let net: Network;
  let otherSite: DemoSite;
  let nodes: TestNode[] = [];
  let peers: ReferencePeer[] = [];
  let first = 0;
  let last = 0;
  const events: string[] = [];

  beforeAll(async () => {
    net = await startNetwork({ time: testTime(), slotMs: SLOT_MS, task: TASK, peers: [], useCorpus: false });
    otherSite = await startDemoSite({ useCorpus: false });
    const fund = (address: string, roe: bigint) => net.devnet.ledger.mint(address, roe);
    const pages = net.demoSite.pages.map((p) => `${net.demoSite.url}${p}`);
    const common = { devnetUrl: net.devnet.url, taskId: net.taskId, time: net.time, slotMs: SLOT_MS, pages, onEvent: (p: string, m: string) => events.push(`${net.devnet.clock.slot()} ${p}: ${m}`) };
    peers = await Promise.all([
      startReferencePeer({ ...common, name: 'alice', stake: TASK.minimumStake * 2n }, fund),
      startReferencePeer({ ...common, name: 'bob', stake: TASK.minimumStake * 2n }, fund),
      startReferencePeer({ ...common, name: 'carol', stake: TASK.minimumStake * 2n }, fund),
      // Enough stake to outlive a few slashings of 70 % and keep cheating.
      startReferencePeer({ ...common, name: 'mallory', stake: TASK.minimumStake * 100n, fault: 'bad-proof' }, fund),
      startReferencePeer({ ...common, name: 'trent', stake: TASK.minimumStake * 2n, fault: 'false-audit' }, fund),
    ]);
    nodes = [
      await startTestNode(net, { dbName: 'consensus-a' }),
      await startTestNode(net, {
        dbName: 'consensus-b',
        settings: async () => ({ ...DEFAULT_ENGINE_SETTINGS, autoClaimThreshold: null, keepRounds: 4, limits: { ...DEFAULT_ENGINE_SETTINGS.limits, pagesPerHour: 30 } }),
      }),
      await startTestNode(net, {
        dbName: 'consensus-c',
        settings: async () => ({ ...DEFAULT_ENGINE_SETTINGS, autoClaimThreshold: 1n, feeBudgetPerDay: 50_000_000_000n }),
      }),
    ];
    const s0 = taskState(net.devnet);
    first = Math.max(...peers.map((p) => p.joinedRound), phaseAt(s0, net.devnet.clock.slot()).round) + 1;
    last = first + ROUNDS;
    await driveNodes(
      net,
      [
        { node: nodes[0]! },
        {
          node: nodes[1]!,
          // The task's site and one it does not cover, interleaved; wakes 3 slots late.
          pages: net.demoSite.pages.flatMap((p) => [`${otherSite.url}${p}`, `${net.demoSite.url}${p}`]),
          wakeLagMs: 3 * SLOT_MS,
        },
        { node: nodes[2]!, pages: [...net.demoSite.pages].reverse().map((p) => `${net.demoSite.url}${p}`), wakeLagMs: 7 * SLOT_MS },
      ],
      // The last worked round's list is paid in round last+2's audit window.
      roundStartSlot(s0, last + 2) + TASK.submissionWindow + TASK.auditWindow + 5,
    );
  }, 300_000);

  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await otherSite?.close();
    await net?.stop();
  });

  const honest = () => new Map<string, string>([...nodes.map((n, i) => [n.staking.address, `node ${'ABC'[i]}`] as const), ...peers.filter((p) => ['alice', 'bob', 'carol'].includes(p.name)).map((p) => [p.staking, p.name] as const)]);
  const named = (key: string) => honest().get(key) ?? peers.find((p) => p.staking === key)?.name ?? key;
  const worked = (s: TaskState, key: string) => Array.from({ length: ROUNDS }, (_, i) => first + i).filter((r) => s.submissions.get(r)?.has(key));
  const logOf = async (n: TestNode) => (await n.db.getAll('events')).map((e) => `${e.source}: ${e.message}`);

  test('no honest node votes against an honest peer or an honest list', () => {
    const s = taskState(net.devnet);
    const h = honest();
    const wrong: string[] = [];
    for (const [kind, triggers] of [['proof', s.submissionsAuditTrigger], ['list', s.distributionsAuditTrigger]] as const) {
      for (const [round, byCandidate] of triggers) {
        for (const [candidate, trigger] of byCandidate) {
          if (!h.has(candidate)) continue;
          for (const v of trigger.votes) if (!v.isValid && h.has(v.voter)) wrong.push(`round ${round}: ${named(v.voter)} voted against ${named(candidate)}'s ${kind}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  test('the false accuser did accuse, and the accused honest nodes were answered', () => {
    const s = taskState(net.devnet);
    const trent = peers.find((p) => p.name === 'trent')!.staking;
    let accused = 0;
    for (const byCandidate of s.submissionsAuditTrigger.values()) {
      for (const [candidate, trigger] of byCandidate) {
        if (trigger.triggerBy !== trent || !honest().has(candidate)) continue;
        accused++;
        expect(trigger.votes.some((v) => v.isValid && honest().has(v.voter)), named(candidate)).toBe(true);
      }
    }
    expect(accused).toBeGreaterThan(0);
  });

  test('the cheat is slashed every round it cheats', () => {
    const s = taskState(net.devnet);
    const mallory = peers.find((p) => p.name === 'mallory')!.staking;
    const cheated = worked(s, mallory);
    expect(cheated.length).toBeGreaterThan(0);
    for (const r of cheated) expect(submissionVerdicts(s, r).get(mallory), `round ${r}`).toBe('slashed');
    expect(s.stakeList.get(mallory)! < TASK.minimumStake * 100n).toBe(true);
  });

  test('every honest node worked every round and was paid for it', async () => {
    const s = taskState(net.devnet);
    for (const [key, name] of honest()) {
      expect(worked(s, key), name).toEqual(Array.from({ length: ROUNDS }, (_, i) => first + i));
      for (const r of worked(s, key)) {
        expect(s.distributionsAuditRecord.get(r), `round ${r}: ${events.filter((e) => e.includes(`round ${r}`)).slice(-4).join(' | ')}`).toBe('PayoutSuccessful');
        const t = s.submissionsAuditTrigger.get(r)?.get(key);
        const votes = t ? `${named(t.triggerBy)} raised at ${t.slot}: ${t.votes.map((v) => `${named(v.voter)}=${v.isValid}@${v.slot}`).join(' ')}` : '';
        const said = events.filter((e) => e.includes(key.slice(0, 8)) && e.includes(`round ${r}`)).join('\n');
        expect(submissionVerdicts(s, r).get(key), `${name} in round ${r}: ${votes}\n${said}`).toBe('valid');
      }
    }
  });

  test('node B indexes only the task\'s site, and its verdicts are node A\'s', async () => {
    const b = nodes[1]!;
    const records = await b.db.getAll('records');
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.url.startsWith(net.demoSite.url))).toBe(true);
    expect((await logOf(b)).some((l) => l.includes(`not indexed: ${otherSite.url} is not one of the sites the joined tasks cover`))).toBe(true);
    // Wherever both judged the same peer's proof, they reached the same verdict.
    const verdicts = async (n: TestNode) =>
      new Map((await n.db.getAll('journal')).filter((j) => j.key.startsWith('verdict:')).map((j) => [j.key, JSON.stringify(j.value)] as const));
    const [va, vb] = [await verdicts(nodes[0]!), await verdicts(b)];
    let shared = 0;
    for (const [k, v] of va) {
      if (!vb.has(k)) continue;
      shared++;
      expect(vb.get(k), k).toBe(v);
    }
    expect(shared).toBeGreaterThan(0);
  });
});
