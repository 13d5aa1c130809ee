import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { createMainBalance } from '../../src/background/main-balance.ts';
import { listRecords } from '../../src/background/collected-data.ts';
import { buildNodeView } from '../../src/background/node-view.ts';
import { roundStartSlot } from '../../src/core/rounds.ts';
import { engineTask, taskState, testTime } from './devnet-fixture.ts';
import { driveNodes, startTestNode, type TestNode } from './node-fixture.ts';
import { URL_CHECK, WITH_URL_CHECK } from './url-check-plugin.ts';

// The plugin contract, by a task type that src/ does not know: url-check
// (test/integration/url-check-plugin.ts) runs through the real engine, store, status view
// and collected-data view, given to the engine as a row of its plugin table. Two nodes on a
// url-check task of the devnet: each checks the task's URLs, submits, audits the other,
// the selected one submits the list, the other checks it, and both are paid.

const ROUNDS = 5;

describe('a task type added as a plugin table row, with no change to the engine', () => {
  let site: Server;
  let net: Network;
  let nodes: TestNode[];
  let urls: string[];

  beforeAll(async () => {
    site = createServer((req, res) => {
      res.writeHead(req.url === '/down' ? 503 : 200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>ok</title><p>ok</p>');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    urls = [`${origin}/up`, `${origin}/down`];
    net = await startNetwork({
      time: testTime(),
      slotMs: 400,
      task: { ...engineTask('url-check'), origins: [origin], plugin: URL_CHECK, metadata: { urlCheck: { rules: 1, origins: [origin], urls } } },
      peers: [],
      useCorpus: false,
    });
    nodes = [await startTestNode(net, { dbName: 'url-check-a', plugins: WITH_URL_CHECK }), await startTestNode(net, { dbName: 'url-check-b', plugins: WITH_URL_CHECK })];
    await driveNodes(
      net,
      nodes.map((node) => ({ node })),
      roundStartSlot(taskState(net.devnet), ROUNDS + 2) + 45,
    );
  }, 180_000);
  afterAll(async () => {
    await net?.stop();
    site?.close();
  });

  test('each node joined the task with the url-check plugin and its rules', async () => {
    for (const node of nodes) expect(await node.db.get('tasks', net.taskId)).toMatchObject({ plugin: URL_CHECK, rules: { urls } });
  });

  test('both submit every round, each proof a CID of the checks of the task URLs', () => {
    const s = taskState(net.devnet);
    for (let r = 0; r < ROUNDS; r++) for (const node of nodes) expect(s.submissions.get(r)?.get(node.staking.address)?.submissionValue, `round ${r}`).toMatch(/^bafkrei/);
  });

  test("each judged the other's proofs valid through the plugin's audit, and voted against no one", async () => {
    for (const [me, other] of [nodes, [...nodes].reverse()] as [TestNode, TestNode][]) {
      const judged = (await me.db.getAll('rounds')).filter((r) => r.judgedPeers.includes(other.staking.address));
      expect(judged.length).toBeGreaterThanOrEqual(ROUNDS - 1);
      expect(judged.flatMap((r) => r.votes)).toEqual([]);
    }
  });

  test('lists were submitted, checked and paid; both nodes earned', async () => {
    const s = taskState(net.devnet);
    expect([...s.distributionsAuditRecord.values()].filter((v) => v === 'PayoutSuccessful').length).toBeGreaterThanOrEqual(ROUNDS - 2);
    for (const node of nodes) {
      const rounds = await node.db.getAll('rounds');
      expect(rounds.filter((r) => r.earned !== undefined && BigInt(r.earned) > 0n).length).toBeGreaterThanOrEqual(1);
      expect(rounds.some((r) => r.listAudits.some((a) => a.verdict === 'valid'))).toBe(true);
    }
  });

  test("the status view shows the task's rounds: records filed, proofs submitted", async () => {
    const node = nodes[0]!;
    const balance = createMainBalance({ rpc: async () => node.rpc, session: { get: async () => ({}), set: async () => undefined } });
    const view = await buildNodeView(node.db, {
      wallet: { exists: true, unlocked: true, mainAddress: node.main.address, stakingAddress: node.staking.address } as never,
      engineState: 'running',
      balance,
      rpcUrl: net.devnet.url,
      pendingApprovals: 0,
    });
    const task = view.tasks.find((t) => t.taskId === net.taskId)!;
    expect(task.round).toBeGreaterThanOrEqual(ROUNDS);
    expect(task.rounds.some((r) => r.pages === urls.length && r.submission?.startsWith('bafkrei'))).toBe(true);
  });

  test('the collected-data view lists the records as the plugin describes them', async () => {
    const page = await listRecords(nodes[0]!.db, 0, 50, WITH_URL_CHECK);
    expect(page.total).toBeGreaterThan(0);
    const titles = new Set(page.items.map((i) => i.title));
    expect(titles).toEqual(new Set([`${urls[0]} answered`, `${urls[1]} did not answer`]));
    for (const item of page.items) expect(item.fetchedAt).toBeGreaterThan(0);
  });
});
