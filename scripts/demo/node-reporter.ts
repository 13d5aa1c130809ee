import type { Page } from 'playwright-core';
import { parseKoii } from '../../src/core/amounts.ts';
import { phaseAt } from '../../src/core/rounds.ts';
import type { TaskState } from '../../src/core/task-state.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import type { ListAudit, NodeView, PeerVote, RoundView } from '../../src/shared/messages.ts';
import { feeFor } from '../../devnet/ledger.ts';
import type { Network } from '../../devnet/network.ts';
import { koii, readable, type DemoTally, type Speaker } from './demo-lines.ts';
import { askBackground } from './popup-driver.ts';

// The user's own node, round by round, as the extension itself reports it: the popup's page
// asks the background for its status (the same `node.status` the popup draws), and each new
// fact in it becomes a line: pages indexed, the proof submitted (with its CID), the peers
// judged and the votes sent with their reasons, distribution lists checked, what a round
// earned, claims. The devnet's chain confirms what the node says (its proof is on K2) and
// adds what only the chain knows: who wrote a round's distribution list and whether it paid.

export interface NodeReporter {
  /** The figures of the summary, after one last look at the node's status (a claim just made). */
  tally(): Promise<DemoTally>;
  stop(): Promise<void>;
}

export interface ReporterOptions {
  popup: Page;
  net: Network;
  mainAddress: string;
  stakingAddress: string;
  /** Accounts by name: the peers' keys, the user's ("you"). */
  names: ReadonlyMap<string, string>;
  print: (round: number | null, who: Speaker, text: string) => void;
  pollMs?: number;
}

/**
 * Log lines the round summaries below say better (and would otherwise say twice), and each
 * page's "visited", which its "indexed" (or "skipped") line follows.
 */
const SAID_OTHERWISE = [/^submitted round \d+:/, /^round \d+: judged /, /^voted (valid|invalid) on /, /\bundecided: /, /distribution list of round \d+ by /, /^visited /];

interface Seen {
  submission?: string;
  judged: number;
  undecided: string;
  votes: PeerVote[];
  lists: Map<string, string>;
  earned?: string;
}

export function taskStateOf(net: Network): TaskState {
  return decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
}

export function reportYourNode(o: ReporterOptions): NodeReporter {
  const { net, print } = o;
  const name = (address: string) => o.names.get(address) ?? `${address.slice(0, 4)}…${address.slice(-4)}`;
  const say = (text: string) => print(roundNow(), 'you', readable(text, o.names).replaceAll(`${net.demoSite.url}/`, '/'));
  const timing = taskStateOf(net);
  const roundNow = () => phaseAt(timing, net.devnet.clock.slot()).round;

  let lastEventId: number | null = null;
  let lastRound: number | null = null;
  let rounds = 0;
  let claimed = 0n;
  const seen = new Map<number, Seen>();
  /** Rounds this node submitted, with what the chain said so far about their lists and payout. */
  const chainSaid = new Map<number, { list?: string; record?: string }>();

  function noteRound(r: RoundView, state: TaskState): void {
    const before = seen.get(r.round) ?? { judged: 0, undecided: '', votes: [], lists: new Map<string, string>() };
    const now: Seen = { ...before, votes: [...before.votes], lists: new Map(before.lists) };
    if (r.submission && !before.submission) {
      now.submission = r.submission;
      const onChain = state.submissions.get(r.round)?.get(o.stakingAddress)?.submissionValue === r.submission;
      say(
        `submitted your proof of round ${r.round}: CID ${r.submission} (${r.pages} page${r.pages === 1 ? '' : 's'} indexed)` +
          `${onChain ? ', on K2 now' : ''} · ${net.devnet.url}/ipfs/${r.submission}`,
      );
      chainSaid.set(r.round, {});
    }
    const newVotes = r.votes.filter((v) => !before.votes.some((b) => b.peer === v.peer));
    const undecided = r.undecided.map((u) => `${name(u.peer)} (${u.reason})`).join(', ');
    if (r.judged !== before.judged || newVotes.length > 0 || undecided !== before.undecided) {
      const invalid = r.votes.filter((v) => !v.valid).length;
      const parts = [`judged ${r.judged} peer${r.judged === 1 ? '' : 's'}`];
      if (r.undecided.length > 0) parts.push(`${r.undecided.length} undecided: ${undecided}`);
      parts.push(invalid > 0 ? `voted invalid on ${invalid}` : 'found no invalid proof');
      say(`audited the proofs of round ${r.round}: ${parts.join(' · ')}`);
      for (const v of newVotes) {
        say(v.valid ? `voted valid on ${name(v.peer)}'s proof of round ${r.round} (answering another node's audit)` : `voted invalid on ${name(v.peer)}'s proof of round ${r.round}: ${v.reason ?? 'no reason given'}`);
      }
      now.judged = r.judged;
      now.undecided = undecided;
      now.votes.push(...newVotes);
    }
    for (const list of r.listAudits) {
      const key = `${list.verdict}:${list.voted}`;
      if (before.lists.get(list.candidate) === key) continue;
      now.lists.set(list.candidate, key);
      say(listLine(r.round, list, name(list.candidate)));
    }
    if (r.earned !== undefined && before.earned === undefined) {
      now.earned = r.earned;
      say(r.earned.startsWith('-') ? `was slashed ${r.earned.slice(1)} KOII for round ${r.round}` : `earned ${r.earned} KOII for round ${r.round} (your share of the round's bounty)`);
    }
    seen.set(r.round, now);
  }

  /** What the chain says about the rounds this node submitted: whose list, and whether it paid. */
  function watchChain(state: TaskState): void {
    for (const [round, said] of chainSaid) {
      const lists = state.distributionRewardsSubmission.get(round);
      if (lists && lists.size > 0) {
        const newest = [...lists].sort((a, b) => b[1].slot - a[1].slot)[0]![0];
        if (said.list !== newest) {
          said.list = newest;
          print(roundNow(), 'k2', `round ${round}'s distribution list was written by ${newest === o.stakingAddress ? 'you (your node was selected)' : `${name(newest)} (selected by K2's rule)`}`);
        }
      }
      const record = state.distributionsAuditRecord.get(round);
      if (record && record !== 'Uninitialized' && said.record !== record) {
        said.record = record;
        print(
          roundNow(),
          'k2',
          record === 'PayoutSuccessful'
            ? `round ${round} paid out: its list passed the audits, and its rewards wait on K2 for each node's claim`
            : `round ${round}'s list failed its audit: the next selected node writes it again`,
        );
      }
    }
  }

  function roundHeader(view: NodeView, state: TaskState): void {
    const round = roundNow();
    if (round === lastRound) return;
    lastRound = round;
    const stake = state.stakeList.get(o.stakingAddress) ?? 0n;
    if (stake === 0n) return;
    rounds++;
    const balance = net.devnet.ledger.lamports(o.mainAddress);
    const waiting = state.availableBalances.get(o.stakingAddress) ?? 0n;
    print(round, 'you', `round ${round} begins · balance ${koii(balance)} · stake ${koii(stake)} · rewards waiting ${koii(waiting)} · node ${view.state}`);
  }

  async function poll(): Promise<void> {
    const view = await askBackground<NodeView>(o.popup, { type: 'node.status' });
    const state = taskStateOf(net);
    roundHeader(view, state);
    const events = [...view.events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    if (lastEventId === null) lastEventId = events.at(-1)?.id ?? 0;
    for (const e of events) {
      if ((e.id ?? 0) <= lastEventId) continue;
      lastEventId = e.id ?? lastEventId;
      if (SAID_OTHERWISE.some((re) => re.test(e.message))) continue;
      say(e.level === 'info' ? e.message : `${e.level}: ${e.message}`);
    }
    const task = view.tasks.find((t) => t.taskId === net.taskId);
    for (const r of task?.rounds ?? []) noteRound(r, state);
    if (task?.claimed) claimed = parseKoii(task.claimed);
    watchChain(state);
  }

  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      // A worker restarting or a popup reloading: the next poll asks again.
      await poll().catch(() => undefined);
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
  })();

  return {
    async tally(): Promise<DemoTally> {
      await Promise.race([poll().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      const state = taskStateOf(net);
      const all = [...seen.values()];
      const lists = all.flatMap((s) => [...s.lists.values()]).filter((k) => k.endsWith(':true'));
      let fees = 0n;
      for (const tx of net.devnet.ledger.processed.values()) {
        const payer = tx.signers?.[0];
        if (payer === o.mainAddress || payer === o.stakingAddress) fees += feeFor(tx.signers!.length);
      }
      return {
        rounds,
        proofs: all.filter((s) => s.submission).length,
        earnedRoe: all.reduce((sum, s) => sum + (s.earned ? parseKoii(s.earned) : 0n), 0n),
        feesRoe: fees,
        votesValid: all.reduce((n, s) => n + s.votes.filter((v) => v.valid).length, 0) + lists.filter((k) => k.startsWith('valid')).length,
        votesInvalid: all.reduce((n, s) => n + s.votes.filter((v) => !v.valid).length, 0) + lists.filter((k) => k.startsWith('invalid')).length,
        claimedRoe: claimed,
        balanceRoe: net.devnet.ledger.get(o.mainAddress) ? net.devnet.ledger.lamports(o.mainAddress) : null,
        stakeRoe: state.stakeList.get(o.stakingAddress) ?? 0n,
        pendingRoe: state.availableBalances.get(o.stakingAddress) ?? 0n,
      };
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

function listLine(round: number, list: ListAudit, author: string): string {
  const what = `the distribution list of round ${round} by ${author}`;
  if (list.verdict === 'valid') return list.voted ? `checked ${what}: valid, and voted so (answering another node's audit)` : `checked ${what}: valid`;
  if (list.verdict === 'invalid') return `checked ${what}: invalid (${list.reason ?? 'no reason given'})${list.voted ? ', voted invalid' : ''}`;
  return `could not check ${what} yet: ${list.reason ?? 'no reason given'}`;
}
