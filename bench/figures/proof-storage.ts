import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { startNetwork } from '../../devnet/network.ts';
import { engineTask } from '../../test/integration/devnet-fixture.ts';
import { startBenchNode } from '../lib/devnet-node.ts';
import { fmt, row, type Figure } from '../lib/row.ts';
import { percentile, round } from '../lib/stats.ts';

// Where proofs go, per round: the engine against the devnet's IPFS node (Helia's UnixFS over
// a blockstore, behind Kubo's RPC `add` and a trustless gateway), three simulated peers (one
// faulty). Timed at the node's proof store: each upload of its bundle (Kubo `add`, the CID
// checked against the bytes) and each read of a peer's bundle (raw block from the gateway,
// checked against its CID); and, at the IPFS node, the reads of this node's bundles by the
// peers that audit it. Two page visits a round, as in the K2 requests figure.

const ID = 'proof-storage';
const TASK = engineTask('bench proofs');
const SLOT_MS = 30;
const WARMUP_ROUNDS = 2;
const MEASURED_ROUNDS = 10;

export const proofStorage: Figure = {
  id: ID,
  title: 'Proof upload and fetch per round: sizes and times, engine against the devnet IPFS node',
  async run() {
    const net = await startNetwork({
      slotMs: SLOT_MS,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
      peerPollMs: 60,
      useCorpus: false,
    });
    try {
      const s0 = decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
      const roundNow = () => phaseAt(s0, net.devnet.clock.slot()).round;
      const ops: { op: 'upload' | 'fetch'; bytes: number; ms: number; ok: boolean; round: number }[] = [];
      const node = await startBenchNode(net, { dbName: `bench-proof-storage-${Date.now()}`, onRequest: () => {}, onProof: (p) => ops.push({ ...p, round: roundNow() }) });
      const first = Math.max(0, roundNow()) + WARMUP_ROUNDS;
      const end = first + MEASURED_ROUNDS;
      const pages = net.demoSite.pages;
      let page = 0;
      let lastVisitRound = -2;
      let wakeAt = 0;
      while (net.devnet.clock.slot() < roundStartSlot(s0, end)) {
        const { round: r, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
        if (r !== lastVisitRound && r >= 0 && slotInRound >= 3) {
          lastVisitRound = r;
          for (let i = 0; i < 2; i++) await node.engine.recordVisit(`${net.demoSite.url}${pages[page++ % pages.length]}`);
        }
        if (Date.now() >= wakeAt) wakeAt = Date.now() + (await node.engine.wake()).nextWakeMs;
        await new Promise((res) => setTimeout(res, Math.max(1, Math.min(wakeAt - Date.now(), SLOT_MS))));
      }

      const inWindow = (r: number) => r >= first && r < end;
      const measured = ops.filter((o) => inWindow(o.round));
      const uploads = measured.filter((o) => o.op === 'upload' && o.ok);
      const fetches = measured.filter((o) => o.op === 'fetch' && o.ok);
      const failed = measured.filter((o) => !o.ok).length;
      // This node's bundles as the peers read them from the IPFS node's gateway.
      const state = decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
      const mine = new Set(Array.from({ length: MEASURED_ROUNDS }, (_, i) => state.submissions.get(first + i)?.get(node.staking.address)?.submissionValue).filter((c): c is string => !!c));
      const peerReads = net.devnet.proofStore.events.filter((e) => e.kind === 'get' && mine.has(e.cid));
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      const kb = (b: number) => b / 1024;
      const upMs = uploads.map((o) => o.ms);
      const getMs = fetches.map((o) => o.ms);
      const upBytes = uploads.map((o) => o.bytes);
      const getBytes = fetches.map((o) => o.bytes);
      const maxBundle = Math.max(0, ...upBytes, ...getBytes);
      return {
        rows: [
          row(ID, {
            name: 'proof upload per round: bundle size, time (Kubo RPC add, devnet IPFS node)',
            value: round(mean(upMs), 2),
            unit: 'ms',
            display: `${fmt(uploads.length / MEASURED_ROUNDS, 1)} × ${fmt(kb(mean(upBytes)))} KB in ${fmt(mean(upMs))} ms (p95 ${fmt(percentile(upMs, 95))} ms)`,
            budget: '',
            pass: null,
            note: `rounds ${first}–${end - 1}; the bundle's CID is computed here and must equal the one the service answers`,
          }),
          row(ID, {
            name: "proof fetch per round: peers' bundles read and verified (trustless gateway, raw block)",
            value: round(mean(getMs), 2),
            unit: 'ms',
            display: `${fmt(fetches.length / MEASURED_ROUNDS, 1)} × ${fmt(kb(mean(getBytes)))} KB in ${fmt(mean(getMs))} ms (p95 ${fmt(percentile(getMs, 95))} ms)`,
            budget: '',
            pass: null,
            note: `fetches include the task's metadata document when read; ${failed} upload(s) or fetch(es) failed in the measured rounds`,
          }),
          row(ID, {
            name: "this node's bundles read by the peers from the IPFS node, per round",
            value: round(peerReads.length / MEASURED_ROUNDS, 2),
            unit: 'reads',
            display: `${fmt(peerReads.length / MEASURED_ROUNDS, 1)} reads of ${fmt(kb(mean(peerReads.map((e) => e.bytes))))} KB`,
            budget: '',
            pass: null,
            note: `${mine.size} of ${MEASURED_ROUNDS} rounds submitted; every read is a peer's audit (the node never reads its own bundle)`,
          }),
          row(ID, {
            name: 'largest proof bundle moved',
            value: round(kb(maxBundle), 2),
            unit: 'KB',
            display: `${fmt(kb(maxBundle))} KB`,
            budget: '≤ 256 KB (one IPFS chunk: rules v1 cap)',
            pass: maxBundle <= 256 * 1024,
          }),
        ],
        details: { first, end, uploads: uploads.map(({ bytes, ms, round: r }) => ({ bytes, ms: round(ms, 2), round: r })), fetches: fetches.map(({ bytes, ms, round: r }) => ({ bytes, ms: round(ms, 2), round: r })), peerReads: peerReads.length },
      };
    } finally {
      await net.stop();
    }
  },
};
