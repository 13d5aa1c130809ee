import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { roundStartSlot } from '../../src/core/rounds.ts';
import type { AuditVerdict } from '../../src/tasks/task-plugin.ts';
import { UNKNOWN_PAYEE } from '../../devnet/hostile-peer-plugin.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { taskState, testTime } from './devnet-fixture.ts';
import { startFaultNode, type FaultNode } from './fault-fixture.ts';
import { driveNode } from './node-fixture.ts';

// Hostile peers submit what they can to hurt an auditor — bundles at private addresses, over
// the cap, deeply nested or naming file:, CIDs never uploaded, records at pages that inflate,
// loop, redirect to the LAN or never end — and a selected node's list that pays a stranger and
// leaves out the slashing. The real engine, with a development build's policy (its own two
// sites on 127.0.0.1 and nothing else private), votes each of them down for its own reason,
// never an honest peer, and keeps doing its own rounds.

const TASK = {
  name: 'hostile peers',
  roundTime: 90,
  submissionWindow: 30,
  auditWindow: 30,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 3,
  startDelay: 10,
};
const ROUNDS = 7;
const PEER_STAKE = TASK.minimumStake * 100n;

const EXPECTED_REASON: Record<string, RegExp> = {
  ivan: /^a record outside the task's sites/,
  oscar: /^proof bundle rejected: too large/,
  nora: /^malformed proof bundle/,
  hank: /^0 of 5 sampled pages match/,
};
/** Submits CIDs no store has: nothing this node can check, so never judged (undecided). */
const UNDECIDED = 'mia';

describe('hostile peers against the real engine', () => {
  let net: Network;
  let node: FaultNode;
  const events: string[] = [];

  beforeAll(async () => {
    // On the stepped clock: ten nodes share this process and every one of them audits the
    // hostile pages (bombs inflated to the cap, endless bodies, hangs) each round; time waits
    // for them, so the CPU never decides whether a vote makes its window.
    net = await startNetwork({
      time: testTime(),
      slotMs: 80,
      task: TASK,
      peers: [
        { name: 'alice' },
        { name: 'bob' },
        { name: 'carol' },
        { name: 'ivan', fault: 'private-proof' },
        { name: 'oscar', fault: 'oversized-proof' },
        { name: 'nora', fault: 'malformed-proof' },
        { name: 'mia', fault: 'missing-proof' },
        { name: 'hank', fault: 'hostile-pages' },
        { name: 'uma', fault: 'unfair-distribution' },
      ],
      peerPollMs: 120,
      // Enough stake that a hostile peer outlives a few slashings (70 % each) and keeps
      // submitting, so the node's rotating sample of five audits meets every one of them.
      peerStake: PEER_STAKE,
      // Hostile pages that hang cost an auditor its page timeout: a few slots, not a window.
      peerPageTimeoutMs: 300,
      useCorpus: false,
      hostileSite: true,
      onEvent: (peer, message) => events.push(`${peer}: ${message}`),
    });
    const ownSites = new Set([net.demoSite.url, net.hostileSite!.url]);
    node = await startFaultNode(net, {
      dbName: 'hostile-peers',
      rpcUrl: net.devnet.url,
      proofStoreUrl: net.devnet.url,
      allowPrivate: (url) => ownSites.has(new URL(url).origin),
      pageTimeoutMs: 300,
    });
    const s = taskState(net.devnet);
    await driveNode(net, node, roundStartSlot(s, ROUNDS + 2) + s.submissionWindow + s.auditWindow + 5);
  }, 180_000);
  afterAll(async () => net?.stop());

  const key = (name: string) => net.peers.find((p) => p.name === name)!.staking.address;
  const nameOf = (address: string) => net.peers.find((p) => p.staking.address === address)?.name ?? address;

  test('the node keeps doing its own rounds', () => {
    const s = taskState(net.devnet);
    for (let r = 1; r < ROUNDS; r++) expect(s.submissions.get(r)?.has(node.staking.address), `round ${r}`).toBe(true);
  });

  test('each hostile bundle is voted down by the node, for its own reason', async () => {
    const verdicts = (await node.db.getAll('journal')).filter((j) => j.key.startsWith('verdict:'));
    const seen = new Map<string, string[]>();
    for (const j of verdicts) {
      const name = nameOf(j.key.split(':')[2]!);
      const v = j.value as AuditVerdict;
      if (name in EXPECTED_REASON) {
        expect(v.valid, `${name} in ${j.key}`).toBe(false);
        if (!v.valid) {
          expect(v.reason, name).toMatch(EXPECTED_REASON[name]!);
          seen.set(name, [...(seen.get(name) ?? []), v.reason]);
        }
      } else {
        expect(name, 'a peer whose bundle no store has is never judged').not.toBe(UNDECIDED);
        expect(v, `${name} in ${j.key}`).toEqual({ valid: true });
      }
    }
    console.log(`hostile peers: the node's verdicts\n  ${[...seen].map(([n, rs]) => `${n} ×${rs.length}: ${rs[0]!.slice(0, 110)}`).join('\n  ')}`);
    expect([...seen.keys()].sort()).toEqual(Object.keys(EXPECTED_REASON).sort());
  });

  test('on chain, its votes are right: invalid for hostile bundles, never against an honest peer', () => {
    const s = taskState(net.devnet);
    let invalid = 0;
    for (const [round, byKey] of s.submissionsAuditTrigger) {
      for (const [candidate, trigger] of byKey) {
        const mine = trigger.votes.find((v) => v.voter === node.staking.address);
        if (!mine) continue;
        const hostile = nameOf(candidate) in EXPECTED_REASON;
        expect(mine.isValid, `${nameOf(candidate)} in round ${round}`).toBe(!hostile);
        if (!mine.isValid) invalid++;
      }
    }
    expect(invalid).toBeGreaterThan(0);
    for (const name of ['alice', 'bob', 'carol', 'uma', UNDECIDED]) expect(s.stakeList.get(key(name)), name).toBe(PEER_STAKE);
    for (const name of Object.keys(EXPECTED_REASON)) expect(s.stakeList.get(key(name))! < PEER_STAKE, `${name} slashed`).toBe(true);
  });

  test('a bundle no store has is undecided: no vote from anyone, and the node says why', async () => {
    const s = taskState(net.devnet);
    for (const byKey of s.submissionsAuditTrigger.values()) expect(byKey.has(key(UNDECIDED))).toBe(false);
    const said = (await node.events()).filter((e) => e.message.includes(key(UNDECIDED)) && /no gateway has .* has no such CID/.test(e.message));
    expect(said.length).toBeGreaterThan(0);
  });

  test('the unfair distribution list is refused: it pays a stranger and leaves out the slashing', async () => {
    const s = taskState(net.devnet);
    const umaLists = [...s.distributionRewardsSubmission].filter(([, lists]) => lists.has(key('uma'))).map(([r]) => r);
    if (umaLists.length === 0) console.log(events.filter((e) => e.startsWith('uma')).join('\n'));
    expect(umaLists.length, 'uma was selected at least once').toBeGreaterThan(0);
    let judged = 0;
    let votedOnChain = 0;
    for (const r of umaLists) {
      const j = await node.db.get('journal', [net.taskId, `distribution-verdict:${r}:${key('uma')}`]);
      if (j) {
        judged++;
        const v = j.value as AuditVerdict;
        expect(v.valid ? '(valid)' : v.reason).toContain(`pays ${UNKNOWN_PAYEE}, which made no submission`);
      }
      // A vote that reached the chain is invalid.
      const mine = s.distributionsAuditTrigger.get(r)?.get(key('uma'))?.votes.find((x) => x.voter === node.staking.address);
      if (mine) {
        expect(mine.isValid, `round ${r}`).toBe(false);
        votedOnChain++;
      }
    }
    expect(judged).toBeGreaterThan(0);
    expect(votedOnChain).toBeGreaterThan(0);
  });

  test('no step was ever sent as two different transactions', () => {
    for (const [step, signatures] of node.sent.byStep) {
      if (step.startsWith('ClaimReward')) continue;
      expect(signatures.size, step).toBe(1);
    }
  });
});
