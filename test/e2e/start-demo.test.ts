import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// What a newcomer runs first: `npm start -- --headless`, as a child process, with nothing
// else done. The demo drives the extension's popup by itself (wallet, faucet, opt-in, an
// approved stake) and browses the demo site; the output must then show the user's own node
// submitting its first proof (with its CID), auditing its peers and being paid for a round.
// Ctrl+C (SIGINT to the whole process group, as a terminal sends it) prints the summary and
// stops everything: exit 0, nothing left on the devnet's ports.
//
// The global setup has just built dist/, hence --no-build. Every wait polls the output
// against a deadline of minutes (a busy machine is slow, never wrong); an idle one sees the
// first payout about two minutes in.

const DEADLINE_MS = 5 * 60_000;
/**
 * 18-s rounds instead of the demo's 30 s, so the first payout comes in about a minute: a
 * round the node misses on a busy machine only delays the lines the test waits for.
 */
const SLOT_MS = 150;

describe('npm start -- --headless: the demo', () => {
  let child: ChildProcess;
  let out = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let exitCode: number | string | undefined;

  beforeAll(() => {
    // What `npm start -- --headless` runs (package.json), started without npm so that the
    // script's own exit code is the one seen: npm itself dies of a terminal's SIGINT.
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--headless', '--no-build', `--slot-ms=${SLOT_MS}`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    void exited.then((e) => (exitCode = e.code ?? e.signal ?? "unknown"));
  });
  afterAll(async () => {
    // The run's output, kept as a test artefact.
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/start-demo.log', out);
    // Whatever happened: the demo's whole process group goes, so that the next test finds
    // ports 8899 and 8900 free (Chromium leaves with its pipe to the demo).
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });

  /** The first match of `re` in the output, waiting for it to come. */
  async function line(re: RegExp): Promise<RegExpMatchArray> {
    const until = Date.now() + DEADLINE_MS;
    for (;;) {
      const m = out.match(re);
      if (m) return m;
      if (exitCode !== undefined) throw new Error(`npm start exited (${exitCode}) before printing ${re}:\n${out.slice(-3000)}`);
      if (Date.now() > until) throw new Error(`no line ${re} after ${DEADLINE_MS / 1000} s:\n${out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  test('the demo sets the node up through the popup and says it approved the stake in your name', { timeout: DEADLINE_MS + 10_000 }, async () => {
    await line(/\* demo +created a wallet in the popup/);
    await line(/\* demo +pressed "Get test KOII": Received 20 test KOII/);
    await line(/\* demo +opted the demo site http:\/\/127\.0\.0\.1:8900 in/);
    await line(/\* demo +The demo approved staking 5 KOII from your wallet, as you would in the popup/);
    // The peers are there, each under its own name, amounts in KOII.
    await line(/ {3}mallory +staked 100000 KOII/);
  });

  test("your node's first proof, with its CID, on K2", { timeout: DEADLINE_MS + 10_000 }, async () => {
    await line(/\* you +indexed \/pages\/\S+ \(\d+ characters\)/);
    const [, round, cid] = await line(/\* you +submitted your proof of round (\d+): CID (b[a-z2-7]{50,}) \(\d+ pages? indexed\), on K2 now/);
    expect(Number(round)).toBeGreaterThanOrEqual(0);
    expect(out).toContain(`http://127.0.0.1:8899/ipfs/${cid}`);
  });

  test('its audits of the peers, and its vote on the one that invents records, with the reason', { timeout: DEADLINE_MS + 10_000 }, async () => {
    await line(/\* you +audited the proofs of round \d+: judged \d+ peers?/);
    await line(/\* you +voted invalid on mallory's proof of round \d+: \d+ of \d+ sampled pages match/);
  });

  test('its first payout, and the round header with its balance', { timeout: DEADLINE_MS + 10_000 }, async () => {
    await line(/ k2 +round \d+ paid out/);
    const [, earned] = await line(/\* you +earned ([\d.]+) KOII for round \d+/);
    expect(Number(earned)).toBeGreaterThan(0);
    await line(/\* you +round \d+ begins · balance [\d.]+ KOII · stake 5 KOII/);
  });

  test('Ctrl+C prints the summary and stops cleanly: exit 0, the devnet and demo site gone', { timeout: 120_000 }, async () => {
    process.kill(-child.pid!, 'SIGINT');
    const { code } = await exited;
    expect(out).toContain('Your node in this demo:');
    const row = (name: string) => out.match(new RegExp(`\\| ${name} +\\| +([^|]+?) \\|`))?.[1];
    expect(Number(row('Rounds seen'))).toBeGreaterThanOrEqual(2);
    expect(Number(row('Proofs submitted'))).toBeGreaterThanOrEqual(1);
    expect(row('Earned \\(rounds paid out\\)')).toMatch(/^[\d.]+ KOII$/);
    expect(Number.parseFloat(row('Earned \\(rounds paid out\\)')!)).toBeGreaterThan(0);
    expect(Number.parseFloat(row('Fees paid')!)).toBeGreaterThan(0);
    expect(Number(row('Votes cast: invalid'))).toBeGreaterThanOrEqual(1);
    expect(row('Main account balance')).toMatch(/^[\d.]+ KOII$/);
    expect(out).toContain('Stopped: browser closed, devnet stopped.');
    expect(code).toBe(0);
    for (const port of [8899, 8900]) expect(await refused(port), `port ${port}`).toBe(true);
  });
});

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
