import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { getBase58Encoder } from '@solana/kit';
import nacl from 'tweetnacl';
import { secretFromSeed } from '../../src/wallet/keypair.ts';
import { ed25519Backend } from '../lib/ed25519-verify.ts';
import { openSignedPayload, signPayload } from '../lib/signed-payload.ts';
import { fmt, row, type Figure } from '../lib/row.ts';
import { interleaved, median, round } from '../lib/stats.ts';

// Signature checks per second. "Our path" is bench/lib/signed-payload.ts's openSignedPayload,
// kept here since the extension checks no signed payload today (base58 decode, WebCrypto
// Ed25519 verify with the key imported per call, JSON parse; no verdict where WebCrypto has no Ed25519), awaited one at a time; the devnet's
// validator calls @noble/curves ed25519.verify directly (devnet/runtime.ts). Against it, on
// identical (signature, message, key) triples: tweetnacl and @noble/curves called bare, and,
// for the record, WebCrypto's Ed25519 called bare (keys imported beforehand).

const ID = 'ed25519';
const KEYS = 64;
const ROUNDS = 9;
const b58e = getBase58Encoder();

export const ed25519Verify: Figure = {
  id: ID,
  title: 'ed25519 verify throughput: our path vs tweetnacl and @noble/curves',
  async run() {
    const cases: Array<{ signed: string; address: string; publicKey: Uint8Array; sig: Uint8Array; msg: Uint8Array; key: CryptoKey }> = [];
    for (let i = 0; i < KEYS; i++) {
      const secret = await secretFromSeed(sha256(new TextEncoder().encode(`bench-key-${i}`)));
      // A Koii-style signed payload: what a node signs for a task, about 200 bytes.
      const body = {
        taskId: 'Koiitask22222222222222222222222222222222222',
        round: 1000 + i,
        submission: `bafkreig${'a'.repeat(51)}`,
        pubKey: secret.address,
        timestamp: 1_750_000_000_000 + i,
      };
      const signed = await signPayload(body, secret);
      const bytes = b58e.encode(signed) as Uint8Array;
      const sig = bytes.slice(0, 64);
      const msg = bytes.slice(64);
      const key = await crypto.subtle.importKey('raw', secret.publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
      cases.push({ signed, address: secret.address, publicKey: secret.publicKey, sig, msg, key });
    }
    let ok = 0;
    const contenders = {
      ours: async () => {
        for (const c of cases) if (await openSignedPayload(c.signed, c.address)) ok++;
      },
      noble: () => {
        for (const c of cases) if (ed25519.verify(c.sig, c.msg, c.publicKey)) ok++;
      },
      tweetnacl: () => {
        for (const c of cases) if (nacl.sign.detached.verify(c.msg, c.sig, c.publicKey)) ok++;
      },
      webcrypto: async () => {
        for (const c of cases) if (await crypto.subtle.verify({ name: 'Ed25519' }, c.key, c.sig as Uint8Array<ArrayBuffer>, c.msg as Uint8Array<ArrayBuffer>)) ok++;
      },
    };
    for (const f of Object.values(contenders)) await f(); // warm-up
    ok = 0;
    const t = await interleaved(ROUNDS, contenders);
    if (ok !== ROUNDS * KEYS * 4) throw new Error(`only ${ok} of ${ROUNDS * KEYS * 4} checks passed`);
    const perSec = (ms: number) => (KEYS * 1000) / ms;
    const ratios = t.ours.map((ms, i) => perSec(ms) / Math.max(perSec(t.noble[i]!), perSec(t.tweetnacl[i]!)));
    const ratio = median(ratios);
    const rate = (k: keyof typeof t) => median(t[k].map(perSec));
    const msgBytes = cases[0]!.msg.length;
    // What our path adds to the bare call it wraps: decoding the attached form (base58), importing the key, and the JSON body.
    const backend = await ed25519Backend();
    if (backend !== 'webcrypto') throw new Error("this platform's WebCrypto has no Ed25519: the node's path cannot verify here");
    const bare = t.webcrypto;
    const overhead = median(t.ours.map((ms, i) => (ms - bare[i]!) / ms));
    return {
      rows: [
        row(ID, {
          name: 'ed25519 verify: our path / faster of tweetnacl and @noble/curves',
          value: round(ratio),
          unit: 'ratio',
          display: `${fmt(ratio, 2)}×`,
          budget: '≥ 1.00',
          pass: ratio >= 1,
          note:
            `median over ${ROUNDS} interleaved rounds of ${KEYS} signed ${msgBytes}-byte payloads; ours = openSignedPayload (base58 + WebCrypto + JSON, awaited one at a time), ` +
            `so it pays for decoding the attached form and importing the key, which the bare calls do not: ${fmt(overhead * 100, 0)} % of its time is spent outside the bare WebCrypto verify`,
        }),
        row(ID, {
          name: 'ed25519 verifies per second: ours / @noble/curves / tweetnacl / WebCrypto',
          value: Math.round(rate('ours')),
          unit: 'verify/s',
          display: `${fmt(rate('ours'), 0)} / ${fmt(rate('noble'), 0)} / ${fmt(rate('tweetnacl'), 0)} / ${fmt(rate('webcrypto'), 0)}`,
          budget: '',
          pass: null,
          note: `WebCrypto = crypto.subtle Ed25519 called bare, awaited one at a time, keys imported beforehand; our path verifies with it`,
        }),
      ],
      details: { roundsMs: t, ratios, messageBytes: msgBytes, backend, shareOutsideVerify: round(overhead) },
    };
  },
};
