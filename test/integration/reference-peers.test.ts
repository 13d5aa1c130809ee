import { getBase58Decoder } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { wallTime } from '../../devnet/clock.ts';
import { startDemoSite, type DemoSite } from '../../devnet/demo-site.ts';
import { startDevnet, type Devnet } from '../../devnet/devnet.ts';
import { startReferencePeer, type ReferencePeer } from '../../devnet/reference-peer/index.ts';
import { sha256Hex } from '../../devnet/reference-peer/page-index.ts';
import { selectDistributionNode } from '../../devnet/reference-peer/runner-rules.ts';
import { engineTask, testTime, waitForSlot } from './devnet-fixture.ts';

// Four reference peers (devnet/reference-peer: Koii's published runner, written without
// src/), one of which submits invented proofs, run six rounds of work on the devnet on the
// stepped clock. What they do is read back from the task state's raw JSON.

const TASK = engineTask('reference peers');
const SLOT_MS = 400;
const ROUNDS = 6;
// One ROE over 4 KOII: 70 % of it is fractional (-2800000000.7), as Koii's lists can hold.
const STAKE = 2n * TASK.minimumStake + 1n;
const PAGES = ['/pages/community-library.html', '/pages/night-sky.html', '/pages/river-restoration.html', '/pages/001.html', '/pages/medium-2.html'];

type Trigger = { votes: { is_valid: boolean; voter: unknown }[] };
interface RawState {
  submissions: Record<string, Record<string, { submission_value: string; slot: number }>>;
  submissions_audit_trigger: Record<string, Record<string, Trigger>>;
  distribution_rewards_submission: Record<string, Record<string, { submission_value: unknown; slot: number }>>;
  distributions_audit_trigger: Record<string, Record<string, Trigger>>;
  distributions_audit_record: Record<string, string>;
  stake_list: Record<string, number>;
  starting_slot: number;
  round_time: number;
}

const base58 = getBase58Decoder();
/** A key as the task JSON writes it: base58 text or an array of 32 bytes. */
const keyText = (v: unknown): string => (typeof v === 'string' ? v : base58.decode(Uint8Array.from(v as number[])));

function rawJson(devnet: Devnet, address: string): unknown {
  const data = devnet.ledger.get(address)!.data;
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  return JSON.parse(new TextDecoder().decode(data.subarray(0, end)));
}

describe('reference peers: three honest, one with invented proofs', () => {
  let devnet: Devnet;
  let site: DemoSite;
  let peers: ReferencePeer[] = [];
  let first = 0;
  const events: string[] = [];
  const seenLists = new Map<string, { round: string; list: Record<string, number> }>();

  beforeAll(async () => {
    site = await startDemoSite({ useCorpus: true });
    // The task declares the demo site as its origin, in its metadata document (by CID).
    devnet = await startDevnet({ time: testTime(), slotMs: SLOT_MS, tasks: [{ ...TASK, origins: [site.url] }] });
    const taskId = devnet.taskIds[0]!;
    const common = {
      devnetUrl: devnet.url,
      taskId,
      time: devnet.time,
      slotMs: SLOT_MS,
      stake: STAKE,
      pages: PAGES.map((p) => `${site.url}${p}`),
      onEvent: (peer: string, message: string) => events.push(`${devnet.clock.slot()} ${peer}: ${message}`),
    };
    const fund = (address: string, roe: bigint) => devnet.ledger.mint(address, roe);
    peers = await Promise.all(
      (['alice', 'bob', 'carol', 'mallory'] as const).map((name) =>
        startReferencePeer({ ...common, name, ...(name === 'mallory' ? { fault: 'bad-proof' as const } : {}) }, fund),
      ),
    );
    first = Math.max(...peers.map((p) => p.joinedRound));
    const s = rawJson(devnet, taskId) as RawState;
    // The lists as they were submitted: a staking account keeps a round's list only until the
    // next one it uploads, so a watcher reads each one while it is there.
    let watching = true;
    void devnet.time.spawn('list watcher', async () => {
      while (watching) {
        const now = rawJson(devnet, taskId) as RawState;
        for (const [round, lists] of Object.entries(now.distribution_rewards_submission)) {
          for (const [submitter, entry] of Object.entries(lists)) {
            const key = `${round}:${submitter}`;
            const held = (rawJson(devnet, keyText(entry.submission_value)) as Record<string, Record<string, number[]>>)[round]?.[taskId];
            if (!held || seenLists.has(key)) continue;
            const bytes = held.slice(0, held.indexOf(0) === -1 ? held.length : held.indexOf(0));
            seenLists.set(key, { round, list: JSON.parse(new TextDecoder().decode(Uint8Array.from(bytes))) as Record<string, number> });
          }
        }
        await devnet.time.sleep(5 * SLOT_MS);
      }
    });
    // Rounds first … first+5 are worked; the last one's list is paid in round first+7's idle part.
    await waitForSlot(devnet, s.starting_slot + (first + ROUNDS + 2) * s.round_time);
    watching = false;
  }, 120_000);

  afterAll(async () => {
    if (process.env.K2_REFERENCE_LOG) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.K2_REFERENCE_LOG, events.join('\n'));
      writeFileSync(`${process.env.K2_REFERENCE_LOG}.state.json`, JSON.stringify(state()));
    }
    await Promise.all(peers.map((p) => p.stop()));
    await site?.close();
    await devnet?.close();
  });

  const state = () => rawJson(devnet, devnet.taskIds[0]!) as RawState;
  const honest = () => peers.filter((p) => p.name !== 'mallory');
  const mallory = () => peers.find((p) => p.name === 'mallory')!;
  const errors = () => events.filter((e) => /error|failed/.test(e)).slice(0, 8).join('\n');

  test('every honest peer submitted every round after joining', () => {
    const s = state();
    for (const p of honest()) {
      for (let r = p.joinedRound; r < first + ROUNDS; r++) {
        expect(s.submissions[r]?.[p.staking], `${p.name} round ${r}\n${errors()}`).toBeDefined();
      }
    }
  });

  test('the bad-proof peer was voted invalid by every honest peer, and slashed', () => {
    const s = state();
    const bad = mallory().staking;
    const r0 = mallory().joinedRound;
    const trigger = s.submissions_audit_trigger[r0]?.[bad];
    expect(trigger, errors()).toBeDefined();
    const voters = trigger!.votes.filter((v) => !v.is_valid).map((v) => keyText(v.voter));
    for (const p of honest()) expect(voters, `${p.name} voted false on mallory`).toContain(p.staking);
    // Slashed: a negative entry for it in a list that was paid.
    const slashes: number[] = [];
    for (const { round, list } of seenLists.values()) {
      if (s.distributions_audit_record[round] === 'PayoutSuccessful' && (list[bad] ?? 0) < 0) slashes.push(list[bad]!);
    }
    expect(slashes.length, errors()).toBeGreaterThanOrEqual(1);
    // -(stake * 0.7) in doubles, fractional as Koii's lists are: of the whole stake, or of what
    // the first slash left (a list built, or rebuilt after a failed payout, once it landed).
    const first = -(Number(STAKE) * 0.7);
    const second = -((Number(STAKE) - Math.trunc(-first)) * 0.7);
    expect(Number.isInteger(first)).toBe(false);
    for (const slash of slashes) expect([first, second]).toContain(slash);
    expect(s.stake_list[bad]!).toBeLessThan(Number(STAKE));
    for (const p of honest()) expect(s.stake_list[p.staking]).toBe(Number(STAKE));
  });

  test('every round was paid out', () => {
    const s = state();
    for (let r = first; r < first + ROUNDS; r++) {
      expect(s.distributions_audit_record[r], `round ${r}\n${events.filter((e) => e.includes(`round ${r}`)).slice(-6).join('\n')}`).toBe('PayoutSuccessful');
    }
  });

  test('no honest peer got a false vote from an honest peer, on its proof or its list', () => {
    const s = state();
    const honestKeys = new Set(honest().map((p) => p.staking));
    for (const triggers of [s.submissions_audit_trigger, s.distributions_audit_trigger]) {
      for (const [round, byCandidate] of Object.entries(triggers ?? {})) {
        for (const [candidate, trigger] of Object.entries(byCandidate)) {
          if (!honestKeys.has(candidate)) continue;
          const falseFromHonest = trigger.votes.filter((v) => !v.is_valid && honestKeys.has(keyText(v.voter)));
          expect(falseFromHonest, `round ${round}: ${candidate}`).toEqual([]);
        }
      }
    }
  });

  test('each list came from the node namespace-wrapper\'s selection names', () => {
    const s = state();
    for (let r = first; r < first + ROUNDS; r++) {
      const selected = selectDistributionNode({
        round: r,
        submissionsOf: (x) => s.submissions[x] ?? null,
        auditRecord: undefined,
        listSubmitters: [],
        isPreviousFailed: false,
        sha256Hex,
      });
      expect(Object.keys(s.distribution_rewards_submission[r] ?? {}), `round ${r}`).toEqual([selected]);
    }
  });

  test('honest peers claimed their rewards', () => {
    for (const p of honest()) expect(events.some((e) => e.includes(`${p.name}: claimed`)), p.name).toBe(true);
  });
});

describe('reference peers read the task\'s origins from its metadata document', () => {
  let devnet: Devnet;
  beforeAll(async () => {
    devnet = await startDevnet({ slotMs: SLOT_MS, tasks: [TASK] });
  });
  afterAll(async () => {
    await devnet?.close();
  });

  /** Replaces the task's metadata CID with one the test wrote (a document of its choosing). */
  function setTaskMetadata(cid: string): void {
    const taskId = devnet.taskIds[0]!;
    const account = devnet.ledger.get(taskId)!;
    const json = rawJson(devnet, taskId) as Record<string, unknown>;
    const bytes = new TextEncoder().encode(JSON.stringify({ ...json, task_metadata: cid }));
    const data = new Uint8Array(account.data.length);
    data.set(bytes);
    account.data = data;
  }
  const fund = (address: string, roe: bigint) => devnet.ledger.mint(address, roe);
  const options = (name: string) => ({ name, devnetUrl: devnet.url, taskId: devnet.taskIds[0]!, time: wallTime, slotMs: SLOT_MS, stake: STAKE, pages: [] });

  test('a declared page-index task is joined; its origins come from the document', async () => {
    const doc = { author: 'test', description: 'page index', pageIndex: { rules: 1, origins: ['http://127.0.0.1:8900'] } };
    setTaskMetadata(await devnet.proofStore.add(new TextEncoder().encode(JSON.stringify(doc))));
    const peer = await startReferencePeer(options('dana'), fund);
    await peer.stop();
    expect((rawJson(devnet, devnet.taskIds[0]!) as RawState).stake_list[peer.staking]).toBe(Number(STAKE));
  });

  test('a task whose metadata declares no valid pageIndex, or does not match its CID, is not joined', async () => {
    setTaskMetadata(await devnet.proofStore.add(new TextEncoder().encode(JSON.stringify({ pageIndex: { rules: 2, origins: ['http://127.0.0.1:8900'] } }))));
    await expect(startReferencePeer(options('erin'), fund)).rejects.toThrow(/not version 1/);
    setTaskMetadata('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy');
    await expect(startReferencePeer(options('erin'), fund)).rejects.toThrow(/not found/);
  });
});
