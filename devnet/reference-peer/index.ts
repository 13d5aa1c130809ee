import { createKeyPairSignerFromPrivateKeyBytes, type KeyPairSigner } from '@solana/kit';
import { sha256 } from '@noble/hashes/sha2.js';
import type { TimeSource } from '../clock.ts';
import { createRpc, createTaskReader, type TaskBasics } from './k2.ts';
import { ix, LIST_CHUNK_BYTES, send, TASK_PROGRAM } from './instructions.ts';
import {
  auditSubmission,
  bytesMatchCid,
  canonicalize,
  cidFor,
  encodeBundle,
  fetchPage,
  readPageIndexDeclaration,
  recordOf,
  sha256Hex,
  type PageRecord,
} from './page-index.ts';
import { buildDistributionList, sameList, sampleSubmitters, selectDistributionNode } from './runner-rules.ts';

// A reference peer: a node of a page-index task that behaves as Koii's published runner does
// (koii-network/namespace-wrapper + task-template, driven on the desktop node's schedule),
// written from ../shared/k2-protocol.md and docs/page-index-task.md only. It imports nothing
// from src/, so the devnet can hold the extension's own engine to an independent reading of
// the rules. All waiting goes through `time`, so a test may step the clock.

export type ReferenceFault = 'bad-proof' | 'false-audit';

export interface ReferencePeerOptions {
  name: string;
  devnetUrl: string;
  taskId: string;
  time: TimeSource;
  /** The slot length the runner assumes (getAverageSlotTime): it times the Payout trigger. */
  slotMs: number;
  seed?: string;
  stake: bigint;
  /** Absolute URLs it browses; only those on the task's origins are ever indexed. */
  pages: string[];
  fault?: ReferenceFault;
  onEvent?(peer: string, message: string): void;
  /**
   * TEMPORARY: the page-index declaration to use while the devnet's task has no metadata
   * document (`task_metadata` empty). A task whose metadata names a document is always read
   * from it; this is ignored then.
   */
  pageIndexFallback?: { rules: 1; origins: string[]; keepParameters?: string[] };
  /**
   * Where the selected node writes its distribution list. 'staking' (default) is today's
   * desktop node: its own staking account, topped up with the rent for the list's size.
   * 'new-account' is the older wrapper's way: a fresh account funded with rent + 0.15 KOII.
   */
  listAccount?: 'staking' | 'new-account';
  /** Slots between polls when no window edge comes sooner (default 2). */
  pollSlots?: number;
  /**
   * Slots into the audit window before this peer audits. Koii's runner audits when the task
   * node's timer next fires, not all at the window's first slot; by default a stable share
   * of the window's first third, drawn from the name (a false accuser acts at once).
   */
  auditDelaySlots?: number;
  /** Pages fetched per round of work (default 3). */
  pagesPerRound?: number;
  /** Network timeout of one page fetch, in wall milliseconds (default 5000). */
  pageTimeoutMs?: number;
  /** Addresses this node may fetch (default: 127.0.0.1, localhost and [::1] only). */
  mayFetch?(url: string): boolean;
  /** The audit sample's random source (default Math.random, as the runner). */
  random?(): number;
}

export interface ReferencePeer {
  name: string;
  staking: string;
  main: string;
  /** The first round it works for: the round it staked in. */
  joinedRound: number;
  stop(): Promise<void>;
}

const KOII = 1_000_000_000n;
const LIST_ACCOUNT_EXTRA = 150_000_000n + 10_000n;
const loopbackOnly = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

async function keyFor(label: string): Promise<KeyPairSigner> {
  return createKeyPairSignerFromPrivateKeyBytes(sha256(new TextEncoder().encode(label)));
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

type Phase = 'submission' | 'audit' | 'idle';
function phaseOf(t: TaskBasics, slot: number): { round: number; phase: Phase; nextEdge: number } {
  const round = Math.floor((slot - t.startingSlot) / t.roundTime);
  const start = t.startingSlot + round * t.roundTime;
  const at = slot - start;
  if (at < t.submissionWindow) return { round, phase: 'submission', nextEdge: start + t.submissionWindow };
  if (at < t.submissionWindow + t.auditWindow) return { round, phase: 'audit', nextEdge: start + t.submissionWindow + t.auditWindow };
  return { round, phase: 'idle', nextEdge: start + t.roundTime };
}

/** The list JSON a distribution account holds for `round`: `{ round: { taskId: [bytes…] } }`. */
function accountText(round: number, taskId: string, bytes: Uint8Array): string {
  return JSON.stringify({ [String(round)]: { [taskId]: Array.from(bytes) } });
}

/** The list in an account, or why it is not a list (the account itself was read). */
function listFromAccount(data: Uint8Array, round: number, taskId: string): { list: Record<string, number> } | { invalid: string } {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  try {
    const held = (JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(0, end))) as Record<string, Record<string, unknown>>)[String(round)]?.[taskId];
    if (!Array.isArray(held)) return { invalid: `no list for round ${round} in the account` };
    const cut = held.indexOf(0);
    const list = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from((cut === -1 ? held : held.slice(0, cut)) as number[]))) as unknown;
    if (typeof list !== 'object' || list === null || Array.isArray(list)) return { invalid: 'the list is not a JSON object' };
    if (!Object.values(list).every((v) => typeof v === 'number' && Number.isFinite(v))) return { invalid: 'the list holds something other than numbers' };
    return { list: list as Record<string, number> };
  } catch (err) {
    return { invalid: `the list does not parse: ${(err as Error).message.slice(0, 100)}` };
  }
}

export async function startReferencePeer(opts: ReferencePeerOptions, fund: (address: string, roe: bigint) => void): Promise<ReferencePeer> {
  const seed = opts.seed ?? 'k2-devnet';
  const me = opts.name;
  const main = await keyFor(`${seed}:reference-peer:${me}:main`);
  const staking = await keyFor(`${seed}:reference-peer:${me}:staking`);
  const rpc = createRpc(opts.devnetUrl);
  const reader = createTaskReader(rpc, opts.taskId);
  const time = opts.time;
  const say = (message: string) => opts.onEvent?.(me, message);
  const mayFetch = opts.mayFetch ?? loopbackOnly;
  const random = opts.random ?? Math.random;
  const taskId = opts.taskId;

  const basics = await reader.basics();

  // ---- Section 1: the task's declaration, read by CID from the proof store and checked.
  const declaration = await (async () => {
    if (basics.taskMetadata === '') {
      // TEMPORARY: this devnet does not yet publish task metadata by CID.
      if (opts.pageIndexFallback) return readPageIndexDeclaration({ pageIndex: opts.pageIndexFallback });
      return { refused: 'the task has no metadata document' };
    }
    const res = await fetch(`${opts.devnetUrl}/ipfs/${encodeURIComponent(basics.taskMetadata)}`);
    if (!res.ok) return { refused: `task metadata ${basics.taskMetadata} not found (${res.status})` };
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (!bytesMatchCid(bytes, basics.taskMetadata)) return { refused: 'task metadata bytes do not match its CID (or its CID is not a raw SHA-256 CID)' };
    try {
      return readPageIndexDeclaration(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
    } catch {
      return { refused: 'task metadata is not UTF-8 JSON' };
    }
  })();
  if ('refused' in declaration) throw new Error(`${me} cannot join ${taskId}: ${declaration.refused}`);
  const origins = declaration.origins;
  const keepParameters = declaration.keepParameters;
  const myPages = [...new Set(opts.pages.map((p) => canonicalize(p, keepParameters)).filter((p): p is string => p !== null && origins.includes(originOf(p)!)))];

  // ---- Stake, as the desktop node does: CreateAccount owned by the task program on the first stake.
  fund(main.address, opts.stake * 10n + 10n * KOII);
  {
    const account = await reader.account(staking.address);
    const stakeIx = ix.stake({ taskId, staking, stakePot: basics.stakePot, amount: opts.stake });
    if (account?.owner !== TASK_PROGRAM) {
      const rent = BigInt(await rpc.call<number>('getMinimumBalanceForRentExemption', [1000]));
      await send(rpc, main, [ix.createAccount({ payer: main, account: staking, lamports: opts.stake + rent + 10_000n, space: 100, owner: TASK_PROGRAM }), stakeIx]);
    } else {
      await send(rpc, main, [ix.transfer({ from: main, to: staking.address, lamports: opts.stake }), stakeIx]);
    }
  }
  const joinedRound = Math.max(0, phaseOf(basics, await rpc.call<number>('getSlot', [])).round);
  say(`staked ${opts.stake} ROE as ${staking.address}; works from round ${joinedRound}${opts.fault ? ` (fault: ${opts.fault})` : ''}`);

  // ---- Work (section 2, 3): records of a few pages, a bundle, its CID in the proof store.
  const extracted = new Map<string, Omit<PageRecord, 'fetchedAt'> | { notArticle: string }>();
  const rebuild = async (url: string): Promise<{ kind: 'record'; record: PageRecord } | { kind: 'bad'; reason: string } | { kind: 'unknown'; reason: string }> => {
    const got = await fetchPage(url, { mayFetch, timeoutMs: opts.pageTimeoutMs ?? 5000 });
    if (got.kind !== 'page') return got;
    // The same bytes make the same record: extract each page version once.
    const key = `${url}\n${sha256Hex(got.html)}`;
    let built = extracted.get(key);
    if (!built) {
      const r = recordOf(got.html, url, 0, keepParameters);
      built = 'notArticle' in r ? r : { url: r.url, title: r.title, textLength: r.textLength, sha256: r.sha256, simhash: r.simhash };
      if (extracted.size > 500) extracted.clear();
      extracted.set(key, built);
    }
    if ('notArticle' in built) return { kind: 'bad', reason: `not an article: ${built.notArticle}` };
    return { kind: 'record', record: { ...built, fetchedAt: Math.floor(time.now()) } };
  };
  const pagesFor = (round: number): string[] => {
    const n = myPages.length;
    if (n === 0) return [];
    const start = ([...me].reduce((s, c) => s + c.charCodeAt(0), 0) + round * 7) % n;
    return [...new Set(Array.from({ length: Math.min(opts.pagesPerRound ?? 3, n) }, (_, k) => myPages[(start + k) % n]!))];
  };
  const bundles = new Map<number, string>();
  async function work(round: number): Promise<void> {
    if (bundles.has(round) || round < joinedRound) return;
    let records: PageRecord[];
    if (opts.fault === 'bad-proof') {
      // Invented records: real URLs of the task's origins, made-up hashes.
      records = pagesFor(round).map((url, i) => {
        const made = sha256Hex(`invented:${me}:${round}:${i}`);
        return { url, fetchedAt: Math.floor(time.now()), title: 'Invented page', textLength: 4000 + i, sha256: made, simhash: made.slice(0, 16) };
      });
    } else {
      records = [];
      for (const url of pagesFor(round)) {
        const got = await rebuild(url);
        if (got.kind === 'record') records.push(got.record);
        else say(`round ${round}: skipped ${url}: ${got.reason}`);
      }
    }
    if (records.length === 0) {
      bundles.set(round, '');
      say(`round ${round}: nothing to prove`);
      return;
    }
    const bytes = encodeBundle({ task: taskId, round, node: staking.address, records });
    // Uploaded as IPFS services take files: Kubo's RPC `add`, CIDv1 with raw leaves, so a
    // bundle of one chunk (≤ 256 KiB) is one raw block whose CID is the bytes' own.
    const form = new FormData();
    form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'bundle.json');
    const res = await fetch(`${opts.devnetUrl}/api/v0/add?cid-version=1&raw-leaves=true&pin=true`, { method: 'POST', body: form });
    const line = res.ok ? (await res.text()).trim().split('\n').pop() ?? '' : '';
    let cid: string | undefined;
    try {
      cid = (JSON.parse(line) as { Hash?: string }).Hash;
    } catch {
      cid = undefined;
    }
    if (cid !== cidFor(bytes)) throw new Error(`IPFS add answered ${res.status} with ${String(cid)} for round ${round}'s bundle`);
    bundles.set(round, cid);
    say(`round ${round}: bundle of ${records.length} records is ${cid}`);
  }

  // ---- Submission of round R−1's proof in round R's submission window.
  const submitted = new Set<number>();
  const submitTries = new Map<number, number>();
  async function submitProof(round: number): Promise<void> {
    if (round < joinedRound || submitted.has(round)) return;
    await work(round);
    const cid = bundles.get(round);
    if (!cid) return;
    // The runner submits once per round; one more try covers a request lost on the way.
    const tries = (submitTries.get(round) ?? 0) + 1;
    if (tries > 2) return;
    submitTries.set(round, tries);
    await send(rpc, main, [ix.submitTask({ taskId, staking, submission: cid, round })]);
    submitted.add(round);
    say(`submitted round ${round}: ${cid}`);
  }

  // ---- Audit of round R−1's submissions in round R's audit window (validateAndVoteOnNodes).
  const getBytes = async (cid: string): Promise<Uint8Array | null> => {
    const res = await fetch(`${opts.devnetUrl}/ipfs/${cid}`);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`proof store answered ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const auditWindowOpen = async (round: number) => {
    const p = phaseOf(basics, await rpc.call<number>('getSlot', []));
    return p.round === round && p.phase === 'audit';
  };
  async function vote(kind: 'submission' | 'distribution', candidate: string, round: number, isValid: boolean): Promise<void> {
    try {
      await send(rpc, main, [ix.audit({ kind, taskId, voter: staking, candidate, isValid, round })]);
      say(`voted ${isValid} on ${kind === 'submission' ? 'the submission' : 'the list'} of ${candidate} for round ${round}`);
    } catch (err) {
      say(`vote ${isValid} on ${candidate} (${kind}, round ${round}) failed: ${(err as Error).message.slice(0, 200)}`);
    }
  }
  async function auditSubmissions(round: number, current: number): Promise<void> {
    // One read of the round, as the runner makes: its triggers decide where a true vote goes.
    const snapshot = await reader.submissions(round);
    if (!snapshot.submissions) return;
    for (const candidate of sampleSubmitters(Object.keys(snapshot.submissions), random)) {
      if (candidate === staking.address) continue;
      const entry = snapshot.submissions[candidate] as { submission_value?: unknown };
      const value = typeof entry?.submission_value === 'string' ? entry.submission_value.trim() : '';
      const verdict =
        opts.fault === 'false-audit'
          ? ({ verdict: 'invalid', reason: 'false-audit fault' } as const)
          : await auditSubmission({ task: taskId, origins, keepParameters, round, submitter: candidate, submission: value, getBytes, rebuild });
      if (verdict.verdict === 'undecided') {
        say(`round ${round}: no vote on ${candidate}: ${verdict.reason}`);
        continue;
      }
      if (!(await auditWindowOpen(current))) {
        say(`round ${round}: the audit window closed before the verdict on ${candidate}`);
        return;
      }
      if (verdict.verdict === 'invalid') {
        say(`round ${round}: ${candidate} is invalid: ${verdict.reason}`);
        await vote('submission', candidate, round, false);
      } else if (snapshot.triggers[candidate]) {
        await vote('submission', candidate, round, true);
      }
    }
  }

  // ---- Distribution (selectAndGenerateDistributionList) in round R's submission window.
  const payouts: { round: number; account: string; due: number }[] = [];
  async function generateList(round: number): Promise<Record<string, number> | null> {
    const subs = await reader.submissions(round);
    if (!subs.submissions) return null;
    const { stakeList } = await reader.stakesAndBalances();
    return buildDistributionList({ submissions: subs.submissions, triggers: subs.triggers, stakeList, bounty: basics.bountyPerRound });
  }
  async function submitList(round: number, current: number): Promise<void> {
    const list = await generateList(round);
    if (!list || Object.keys(list).length === 0) {
      say(`round ${round}: no distribution list to submit`);
      return;
    }
    const listBytes = new TextEncoder().encode(JSON.stringify(list));
    // Every chunk is written whole (the stride is 508 in each), so the account holds whole chunks.
    const padded = new Uint8Array(Math.max(1, Math.ceil(listBytes.length / LIST_CHUNK_BYTES)) * LIST_CHUNK_BYTES);
    padded.set(listBytes);
    const size = new TextEncoder().encode(accountText(round, taskId, padded)).length;
    const rent = BigInt(await rpc.call<number>('getMinimumBalanceForRentExemption', [size]));
    let listAccount: KeyPairSigner;
    if ((opts.listAccount ?? 'staking') === 'staking') {
      listAccount = staking;
      const held = BigInt((await reader.account(staking.address))?.lamports ?? 0);
      if (held < rent) await send(rpc, main, [ix.transfer({ from: main, to: staking.address, lamports: rent - held })]);
    } else {
      listAccount = await keyFor(`${seed}:reference-peer:${me}:list:${round}:${current}`);
      await send(rpc, main, [ix.createAccount({ payer: main, account: listAccount, lamports: rent + LIST_ACCOUNT_EXTRA, space: size, owner: TASK_PROGRAM })]);
    }
    for (const chunk of ix.uploadDistributionList({ taskId, listAccount, list: listBytes, round })) await send(rpc, main, [chunk]);
    await send(rpc, main, [ix.submitDistributionList({ taskId, staking, listAccount, round })]);
    // The runner's setTimeout(payoutTrigger, (audit_window + submission_window) * avgSlotTime).
    payouts.push({ round, account: listAccount.address, due: time.now() + (basics.auditWindow + basics.submissionWindow) * opts.slotMs });
    say(`submitted the distribution list of round ${round} (${Object.keys(list).length} keys) in ${listAccount.address}`);
  }
  const distributedIn = new Set<number>();
  async function distribute(current: number): Promise<void> {
    if (distributedIn.has(current)) return;
    distributedIn.add(current);
    // The list of round R−2, and (isPreviousRoundFailed) a retry of round R−3 whose payout failed.
    for (const [round, retry] of [
      [current - 2, false],
      [current - 3, true],
    ] as const) {
      if (round < 0) continue;
      try {
        const dist = await reader.distributions(round);
        if (retry && dist.record !== 'PayoutFailed') continue;
        const byRound = new Map<number, Record<string, unknown> | null>();
        for (const r of [round, round - 1, round - 2].filter((x) => x >= 0)) {
          byRound.set(r, await reader.submissions(r).then((s) => s.submissions, () => null));
        }
        const selected = selectDistributionNode({
          round,
          submissionsOf: (r) => byRound.get(r) ?? null,
          auditRecord: dist.record,
          listSubmitters: Object.keys(dist.lists),
          isPreviousFailed: retry,
          sha256Hex,
        });
        if (selected === staking.address) await submitList(round, current);
      } catch (err) {
        say(`distribution of round ${round} failed: ${(err as Error).message.slice(0, 300)}`);
      }
    }
  }

  // ---- List audit (validateAndVoteOnDistributionList) in round R's audit window.
  const listsAuditedIn = new Set<number>();
  async function auditLists(current: number): Promise<void> {
    if (listsAuditedIn.has(current)) return;
    listsAuditedIn.add(current);
    const currentStart = basics.startingSlot + current * basics.roundTime;
    for (const round of [current - 2, current - 3]) {
      if (round < 0) continue;
      const dist = await reader.distributions(round);
      // A retry's list (round R−3) is audited only when it was submitted in this round.
      if (round === current - 3 && !Object.values(dist.lists).some((l) => l.slot >= currentStart)) continue;
      for (const [submitter, entry] of Object.entries(dist.lists)) {
        if (submitter === staking.address) continue;
        let valid: boolean | null = null;
        let why = '';
        try {
          const account = await reader.account(entry.submissionValue);
          if (!account) why = `no account ${entry.submissionValue}`;
          else {
            const held = listFromAccount(account.data, round, taskId);
            const regenerated = await generateList(round);
            if ('invalid' in held) [valid, why] = [false, held.invalid];
            else if (regenerated) [valid, why] = [sameList(held.list, regenerated), 'it differs from the list regenerated from the task state'];
            else why = 'no submissions to regenerate from';
          }
        } catch (err) {
          why = (err as Error).message.slice(0, 200);
        }
        if (valid === null) {
          say(`round ${round}: no vote on the list of ${submitter}: ${why}`);
          continue;
        }
        if (valid) say(`round ${round}: the list of ${submitter} matches the regenerated list`);
        if (!valid) {
          say(`round ${round}: the list of ${submitter} is invalid: ${why}`);
          await vote('distribution', submitter, round, false);
        } else if (dist.triggers[submitter]) {
          await vote('distribution', submitter, round, true);
        }
      }
    }
  }

  // ---- Payout triggers and claims.
  async function payOut(): Promise<void> {
    const now = time.now();
    for (const p of payouts.filter((x) => x.due <= now)) {
      payouts.splice(payouts.indexOf(p), 1);
      try {
        await send(rpc, main, [ix.payout({ taskId, listAccount: p.account, round: p.round })]);
        say(`triggered the payout of round ${p.round}`);
      } catch (err) {
        say(`payout of round ${p.round} failed: ${(err as Error).message.slice(0, 300)}`);
      }
    }
  }
  const claimChecked = new Set<string>();
  async function claim(round: number, phase: Phase): Promise<void> {
    const key = `${round}:${phase}`;
    if (claimChecked.has(key)) return;
    claimChecked.add(key);
    const { availableBalances } = await reader.stakesAndBalances();
    const amount = availableBalances[staking.address] ?? 0;
    if (amount <= 0) return;
    await send(rpc, main, [ix.claimReward({ taskId, staking, stakePot: basics.stakePot, beneficiary: main.address })]);
    say(`claimed ${amount} ROE`);
  }

  // ---- The loop: act on the window the chain is in, then sleep to the next edge or poll.
  let stopped = false;
  let wakeForStop: () => void = () => {};
  const stopping = new Promise<void>((resolve) => (wakeForStop = resolve));
  const auditedRounds = new Set<number>();
  const pollMs = (opts.pollSlots ?? 2) * opts.slotMs;
  const auditDelaySlots =
    opts.auditDelaySlots ?? (opts.fault === 'false-audit' ? 0 : [...me].reduce((n, c) => n + c.charCodeAt(0), 0) % Math.max(1, Math.floor(basics.auditWindow / 3)));
  const attempt = async (what: string, f: () => Promise<void>) => {
    try {
      await f();
    } catch (err) {
      say(`error in ${what}: ${(err as Error).message.slice(0, 300)}`);
    }
  };
  async function tick(): Promise<number> {
    const slot = await rpc.call<number>('getSlot', []);
    const { round, phase, nextEdge } = phaseOf(basics, slot);
    if (round < 0) return (basics.startingSlot - slot) * opts.slotMs;
    await attempt('payout', payOut);
    if (phase === 'submission') {
      await attempt('submission', () => submitProof(round - 1));
      await attempt('distribution', () => distribute(round));
    } else if (phase === 'audit') {
      const audited = round - 1;
      const auditAt = basics.startingSlot + round * basics.roundTime + basics.submissionWindow + auditDelaySlots;
      if (audited >= 0 && !auditedRounds.has(audited) && slot >= auditAt) {
        auditedRounds.add(audited);
        await attempt('audit', () => auditSubmissions(audited, round));
      }
      await attempt('list audit', () => auditLists(round));
    }
    await attempt('work', () => work(round));
    await attempt('claim', () => claim(round, phase));
    const untilPayout = payouts.length ? Math.min(...payouts.map((p) => p.due)) - time.now() : Infinity;
    return Math.max(1, Math.min(pollMs, (nextEdge - slot) * opts.slotMs, untilPayout));
  }
  const running = time.spawn(`reference-peer:${me}`, async () => {
    while (!stopped) {
      let sleepMs = pollMs;
      try {
        sleepMs = await tick();
      } catch (err) {
        say(`error: ${(err as Error).message.slice(0, 300)}`);
      }
      if (stopped) break;
      // A stop cuts the wait short: on a stepped clock nobody else may move time any more.
      await Promise.race([time.sleep(sleepMs), stopping]);
    }
  });

  return {
    name: me,
    staking: staking.address,
    main: main.address,
    joinedRound,
    async stop() {
      stopped = true;
      wakeForStop();
      await running;
    },
  };
}
