import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { roundStartSlot } from '../../src/core/rounds.ts';
import { campaignPhases, formatFigure, roundsCoveredBy, runCampaign, type CampaignResult } from './fault-campaign-run.ts';
import { stepCounts, stepsSentTwice } from '../../devnet/ledger-history.ts';

// The node against K2 and a proof store that misbehave in every way the fault proxy knows,
// one fault after another, with clean rounds between them. For each: the node keeps going,
// misses only the round the fault made impossible, says so in its status and its log, and
// never sends a transaction twice. The figure for 30 % dropped requests is printed; the
// longer run of it is the soak (npm run test:soak).

const DROP_ROUNDS = 8;

describe('the fault campaign', () => {
  let result: CampaignResult;

  beforeAll(async () => {
    result = await runCampaign({ dbName: 'fault-campaign', phases: campaignPhases(DROP_ROUNDS), seed: 11 });
    const lines = result.phases.map((p) => formatFigure(result, p).line);
    console.log(['fault campaign:', ...lines, `proxy: ${result.proxy.stats.requests} requests, faults ${JSON.stringify(result.proxy.stats.faults)}`].join('\n  '));
    if (process.env.K2_FAULT_LOG) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.K2_FAULT_LOG, (await result.node.events()).map((e) => `${e.at} ${e.level} ${e.message}`).join('\n'));
    }
  }, 240_000);
  afterAll(async () => {
    await result?.proxy.close();
    await result?.net.stop();
  });

  const phase = (name: string) => result.phases.find((p) => p.name.startsWith(name))!;
  const slotRange = (from: number, to: number) => {
    const s = result.state;
    return [roundStartSlot(s, from), roundStartSlot(s, to)] as const;
  };

  test('under 30 % dropped requests, rounds are still completed on time', () => {
    const f = formatFigure(result, phase('30 %'));
    // The goal is 95 %; eight rounds make a coarse figure, the soak measures it over fifty.
    expect(f.done / f.total, f.line).toBeGreaterThanOrEqual(0.85);
  });

  test('every round outside the faults that made it impossible is completed', () => {
    const impossible = new Set(result.phases.filter((p) => !p.recoverable).flatMap(roundsCoveredBy));
    const drop = new Set(roundsCoveredBy(phase('30 %')));
    for (const [round, done] of result.completed) {
      if (impossible.has(round) || drop.has(round)) continue;
      expect(done, `round ${round}`).toBe(true);
    }
  });

  test('a lagging K2 costs nothing', () => {
    for (const r of roundsCoveredBy(phase('K2 lags'))) expect(result.completed.get(r), `round ${r}`).toBe(true);
  });

  test('each outage is reported in the status and the log while it lasts', async () => {
    const events = await result.node.events();
    const check = (name: string, state: string, pattern: RegExp) => {
      const p = phase(name);
      const [from, to] = slotRange(p.from, p.to);
      const wakes = result.node.wakes.filter((w) => w.slot >= from && w.slot <= to + 5);
      expect(wakes.some((w) => w.state === state), `${name}: status ${state} in ${JSON.stringify(wakes.map((w) => w.state))}`).toBe(true);
      expect(events.some((e) => pattern.test(e.message)), `${name}: log matches ${pattern}`).toBe(true);
    };
    check('K2 answers only', 'error', /could not reach K2: .*HTTP (429|5\d\d)/);
    check('K2 answers truncated', 'error', /could not reach K2: .*malformed answer|not valid JSON/);
    check('K2 times out', 'error', /could not reach K2: .*timed out/);
    check('proof store down', 'error', /IPFS upload (to \S+ failed|service \S+ answered HTTP 503)|\S+ (unreachable|answered HTTP 503)/);
    check('proof store serves wrong bytes', 'error', /(CID of other bytes|bytes that do not match the CID)/);
    check('proof store answers HTML', 'error', /HTML page/);
    check('browser offline', 'offline', /browser is offline/);
    expect(result.offlineCalls).toBeGreaterThan(0);
  });

  test('a fault never turns into a vote against an honest peer', () => {
    const honest = new Set<string>(result.net.peers.filter((p) => !p.fault).map((p) => p.staking.address));
    for (const [round, byKey] of result.state.submissionsAuditTrigger) {
      for (const [candidate, trigger] of byKey) {
        const mine = trigger.votes.find((v) => v.voter === result.node.staking.address);
        if (mine && honest.has(candidate)) expect(mine.isValid, `round ${round}`).toBe(true);
      }
    }
  });

  test('no step was ever executed twice', () => {
    // A transaction refused for a blockhash K2 does not know is re-sent as it is, and rebuilt
    // only once its blockhash expired: then the old one can never land. So a step may have
    // been signed twice, but the chain must have executed at most one of them.
    expect(result.node.sent.byStep.size).toBeGreaterThan(0);
    const ledger = result.net.devnet.ledger;
    for (const [step, signatures] of result.node.sent.byStep) {
      if (step.startsWith('ClaimReward')) continue;
      const executed = [...signatures].filter((sig) => ledger.processed.get(sig)?.err === null);
      expect(executed.length, step).toBeLessThanOrEqual(1);
    }
    for (const [step, n] of stepCounts(ledger, [result.node.staking.address, result.node.main.address])) expect(n, step).toBe(1);
    // As the devnet received them, answers lost on the way back included: never another
    // transaction for a step after one of its transactions ran.
    expect(stepsSentTwice(ledger, [result.node.staking.address, result.node.main.address])).toEqual([]);
  });

  test('the database is consistent afterwards: every outbox entry settled or still able to land', async () => {
    const height = result.net.devnet.clock.slot();
    for (const e of await result.node.db.getAll('outbox')) {
      expect(['signed', 'sent', 'confirmed', 'failed']).toContain(e.status);
      if (e.status === 'signed' || e.status === 'sent') expect(e.lastValidBlockHeight >= BigInt(height - 300), e.key).toBe(true);
    }
    expect((await result.node.db.getAll('tasks')).length).toBe(1);
  });
});
