import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stepCounts, stepsSentTwice } from '../../devnet/ledger-history.ts';
import { campaignPhases, formatFigure, runCampaign, type CampaignResult } from '../integration/fault-campaign-run.ts';

// The fault campaign at length (npm run test:soak): fifty rounds at 30 % dropped requests of
// every kind, then every other fault once. Prints the figure the issue asks for — rounds
// completed on time under 30 % dropped requests, goal ≥ 95 % — and holds the node to it.

const DROP_ROUNDS = 50;

describe('the fault campaign, soaked', () => {
  let result: CampaignResult;

  beforeAll(async () => {
    result = await runCampaign({ dbName: 'fault-soak', phases: campaignPhases(DROP_ROUNDS), seed: 2026 });
    const lines = result.phases.map((p) => formatFigure(result, p).line);
    const stake = result.state.stakeList.get(result.node.staking.address);
    console.log(['fault soak:', ...lines, `node stake at the end: ${stake}`, `proxy: ${result.proxy.stats.requests} requests, faults ${JSON.stringify(result.proxy.stats.faults)}`].join('\n  '));
    if (process.env.K2_FAULT_LOG) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.K2_FAULT_LOG, (await result.node.events()).map((e) => `${e.at} ${e.level} ${e.message}`).join('\n'));
    }
  }, 290_000);
  afterAll(async () => {
    await result?.proxy.close();
    await result?.net.stop();
  });

  test('under 30 % dropped requests, at least 95 % of rounds are completed on time', () => {
    const f = formatFigure(result, result.phases[0]!);
    expect(f.done / f.total, f.line).toBeGreaterThanOrEqual(0.95);
  });

  test('the node recovers after every fault, and never sends a step twice', () => {
    const after = result.phases.find((p) => p.name === 'after the storm')!;
    expect(formatFigure(result, after).done).toBe(after.to - after.from);
    // As in the campaign: a transaction K2 refused for a blockhash it did not know (a lagging
    // endpoint) is re-sent as it is, and signed anew only once it has expired and can never
    // land. So a step may be signed twice; the chain runs at most one, and no transaction of a
    // step reaches K2 after another one of it ran.
    const ledger = result.net.devnet.ledger;
    const signers = [result.node.staking.address, result.node.main.address];
    for (const [step, signatures] of result.node.sent.byStep) {
      if (step.startsWith('ClaimReward')) continue;
      expect([...signatures].filter((sig) => ledger.processed.get(sig)?.err === null).length, step).toBeLessThanOrEqual(1);
    }
    for (const [step, n] of stepCounts(ledger, signers)) expect(n, step).toBe(1);
    expect(stepsSentTwice(ledger, signers)).toEqual([]);
  });

  test('no fault ever turned into a vote against an honest peer', () => {
    const honest = new Set<string>(result.net.peers.filter((p) => !p.fault).map((p) => p.staking.address));
    for (const [round, byKey] of result.state.submissionsAuditTrigger) {
      for (const [candidate, trigger] of byKey) {
        const mine = trigger.votes.find((v) => v.voter === result.node.staking.address);
        if (mine && honest.has(candidate)) expect(mine.isValid, `round ${round}`).toBe(true);
      }
    }
  });
});
