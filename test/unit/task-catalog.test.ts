import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addedTasks, addTaskById, discoverTasks } from '../../src/background/task-catalog.ts';
import { createK2Rpc, type K2Rpc } from '../../src/k2/rpc-client.ts';
import { getSetting, openNodeDb, putSetting } from '../../src/store/node-db.ts';
import { startDevnet, type Devnet } from '../../devnet/devnet.ts';

// Adding a task by its id, as a user does on a network where this release knows no
// page-index task (the testnet and the mainnet today): looked up on K2, its rules read,
// bound to the page-index plugin, and offered for that endpoint only.

const TASK = { name: 'added task', roundTime: 400, submissionWindow: 150, auditWindow: 150, bountyPerRound: 1_000_000_000n, totalBounty: 1_000_000_000_000n, minimumStake: 2_000_000_000n };
// The endpoint the user configured (a remote one: the devnet's own task list does not apply).
const ENDPOINT = 'https://k2.example';
let devnet: Devnet;
let rpc: K2Rpc;
let n = 0;

beforeAll(async () => {
  devnet = await startDevnet({ slotMs: 50, tasks: [TASK] });
  rpc = createK2Rpc({ endpoints: [devnet.url], timeoutMs: 5000, retries: 0 });
});
afterAll(async () => devnet?.close());

describe('a task added by its id', () => {
  const rules = async () => ({ rules: 1, origins: ['https://site.example'] });

  test('is bound to page-index and offered on its endpoint from then on, and only there', async () => {
    const db = await openNodeDb(`catalog-${++n}`);
    const id = devnet.taskIds[0]!;
    expect(await discoverTasks(rpc, db, ENDPOINT, 'mainnet', null)).toEqual([]);
    // A binding that names no shipped plugin: the task cannot run until it is added.
    await putSetting(db, 'taskBindings', { [id]: 'crawler' });
    const info = await addTaskById(rpc, db, ENDPOINT, id, null, rules);
    expect(info).toMatchObject({ taskId: id, name: 'added task', runnable: true, minimumStake: '2' });
    expect(await getSetting(db, 'taskBindings', {})).toEqual({ [id]: 'page-index' });
    expect(await addedTasks(db, ENDPOINT)).toEqual([id]);
    expect((await discoverTasks(rpc, db, ENDPOINT, 'mainnet', null)).map((t) => t.taskId)).toEqual([id]);
    expect(await discoverTasks(rpc, db, 'https://other.example', 'custom', null)).toEqual([]);
    // Adding it again changes nothing.
    await addTaskById(rpc, db, ENDPOINT, id, null, rules);
    expect(await addedTasks(db, ENDPOINT)).toEqual([id]);
    db.close();
  });

  test('a task without page-index rules, or no task at all, is refused and nothing is kept', async () => {
    const db = await openNodeDb(`catalog-${++n}`);
    const noRules = async () => {
      throw new Error('the rules of task added task could not be read (bafkrei…): no pageIndex member');
    };
    await expect(addTaskById(rpc, db, ENDPOINT, devnet.taskIds[0]!, null, noRules)).rejects.toThrow(/no pageIndex member/);
    await expect(addTaskById(rpc, db, ENDPOINT, '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK', null, rules)).rejects.toThrow(/^no task 7EqQ\w+ could be read on https:\/\/k2\.example/);
    expect(await addedTasks(db, ENDPOINT)).toEqual([]);
    expect(await getSetting(db, 'taskBindings', {})).toEqual({});
    db.close();
  });
});
