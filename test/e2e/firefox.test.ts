import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { startLocalServer, type LocalServer } from './local-server.ts';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const WEB_EXT = 'node_modules/.bin/web-ext';
// A development build greets the devnet's default endpoint when its background starts.
const DEVNET_PORT = 8899;

describe('the Firefox build', () => {
  let rpc: LocalServer | undefined;
  afterAll(async () => rpc?.close());

  test('web-ext lint reports no errors', async () => {
    const { stdout } = await promisify(execFile)(WEB_EXT, ['lint', '-s', 'dist/firefox', '-o', 'json'], {
      maxBuffer: 10 * 1024 * 1024,
    }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    const report = JSON.parse(stdout) as { errors: { code: string; message: string }[]; warnings: { code: string }[] };
    expect(report.errors).toEqual([]);
    // Preact's renderer assigns innerHTML for dangerouslySetInnerHTML, which we never use.
    expect(report.warnings.map((w) => w.code).filter((c) => c !== 'UNSAFE_VAR_ASSIGNMENT')).toEqual([]);
  });

  test.runIf(existsSync(FIREFOX))('the background starts in headless Firefox and calls the K2 endpoint', async () => {
    rpc = await startLocalServer(
      [
        (req, res) => {
          res.writeHead(req.method === 'OPTIONS' ? 204 : 200, {
            'access-control-allow-origin': '*',
            'access-control-allow-headers': 'content-type',
            'content-type': 'application/json',
          });
          res.end(req.method === 'OPTIONS' ? '' : JSON.stringify({ jsonrpc: '2.0', id: 1, result: { 'solana-core': '1.10.0' } }));
          return true;
        },
      ],
      DEVNET_PORT,
    );
    const child = spawn(
      WEB_EXT,
      ['run', '-s', 'dist/firefox', `--firefox=${FIREFOX}`, '--no-input', '--no-reload', '--arg=--headless'],
      { env: { ...process.env, MOZ_HEADLESS: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // What web-ext said, for the failure message: it exits early when Firefox refuses the add-on.
    let output = '';
    let exited = false;
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.on('exit', () => (exited = true));
    try {
      await expect
        .poll(() => exited || rpc!.requests.some((r) => r.method === 'POST' && r.body.includes('"getVersion"')), {
          timeout: 90_000,
          interval: 500,
        })
        .toBe(true);
      expect(exited, `web-ext exited before the background called K2:\n${output}`).toBe(false);
      const greeting = rpc.requests.find((r) => r.method === 'POST')!;
      expect(greeting.headers.origin).toMatch(/^moz-extension:\/\//);
      expect(greeting.headers.cookie).toBeUndefined();
    } finally {
      try {
        if (child.pid && !exited) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
});
