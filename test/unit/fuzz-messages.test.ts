import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MessageValidationError, parseEnvelope, parseRequest, type Request } from '../../src/shared/messages.ts';

// Property-based fuzzing of the messages between the extension's contexts, as the background
// receives them (JSON-like values: Chrome serialises messages as JSON, Firefox structured-
// clones them). parseRequest either returns a request of a known type with exactly that
// type's fields, each of its type and within its bounds, or throws MessageValidationError.
// (src/shared/messages.ts is not this file's to change: anything found is reported.)

const FIELDS = {
  status: [],
  visit: ['url', 'title'],
  'sites.add': ['origin'],
  'sites.remove': ['origin'],
  'wallet.status': [],
  'wallet.create': ['password'],
  'wallet.import': ['password', 'secret'],
  'wallet.importPreview': ['secret', 'stakingKey'],
  'wallet.importConfirm': ['password', 'mainPath'],
  'wallet.importCancel': [],
  'wallet.balances': ['addresses'],
  'wallet.confirmBackup': ['words'],
  'wallet.export': ['password', 'what'],
  'wallet.unlock': ['password'],
  'wallet.changePassword': ['password', 'newPassword'],
  'wallet.lock': [],
  'wallet.activity': [],
  'wallet.transfer': ['to', 'amount'],
  'wallet.faucet': [],
  'node.status': [],
  'node.join': ['taskId', 'stake'],
  'node.withdraw': ['taskId'],
  'node.leave': ['taskId'],
  'node.claim': ['taskId'],
  'tasks.discover': [],
  'task.info': ['taskId'],
  'tasks.add': ['taskId'],
  'approvals.list': [],
  'approvals.decide': ['id', 'approve', 'digest'],
  'settings.get': [],
  'settings.update': ['patch'],
  'ipfs.setToken': ['password', 'token'],
  'records.list': ['offset', 'limit'],
  'records.delete': ['taskId', 'round', 'url'],
  'records.clear': [],
  'visits.list': ['offset', 'limit'],
  'visits.delete': ['url'],
  'visits.clear': [],
  'node.attention': [],
  'attention.dismiss': ['taskId', 'round'],
  'ledger.get': [],
  'ledger.csv': [],
} satisfies Record<Request['type'], string[]>;
const TYPES = Object.keys(FIELDS) as Request['type'][];

const fieldValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.webUrl(),
  fc.constantFrom('file:///etc/passwd', 'javascript:alert(1)', 'chrome://settings', 'https://u:p@a.org/', '  example.org  ', 'host:8080', '12.5', '1e9', '0.0000000001', '', ' '),
  fc.constantFrom("m/44'/501'/0'", "m/44'/501'/0'/0'", "m/44'/501'/1'", "m/44'/501'/99'/0'", null),
  fc.array(fc.constantFrom('7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK', 'HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk', 'not-an-address', 3), { maxLength: 6 }),
  fc.string({ minLength: 1000, maxLength: 5000 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.boolean(),
);

/** Requests of a known type with plausible, hostile or missing fields, and extra ones. */
const nearRequest = fc
  .tuple(
    fc.constantFrom(...TYPES),
    fc.dictionary(fc.constantFrom('url', 'title', 'origin', 'password', 'secret', 'taskId', 'stake', 'id', 'approve', 'digest', 'words', 'what', 'to', 'amount', 'patch', 'offset', 'limit', 'round', 'stakingKey', 'mainPath', 'addresses', 'token', 'extra', '__proto__', 'constructor'), fieldValue, { maxKeys: 4 }),
  )
  .map(([type, fields]) => JSON.parse(JSON.stringify({ type, ...fields })) as unknown);

function checkParsed(req: Request): void {
  const fields: string[] = FIELDS[req.type];
  const allowed = ['type', ...fields];
  expect(Object.keys(req).every((k) => allowed.includes(k))).toBe(true);
  for (const k of fields) expect(k in req).toBe(true);
  const r = req as unknown as Record<string, unknown>;
  for (const k of ['url', 'title', 'origin', 'password', 'secret', 'taskId', 'stake', 'id', 'digest', 'to', 'amount']) {
    if (k in r) expect(typeof r[k]).toBe('string');
  }
  if ('url' in r) expect(String(r.url)).toMatch(/^https?:\/\//);
  if ('origin' in r) expect(new URL(String(r.origin)).origin).toBe(r.origin);
  if ('approve' in r) expect(typeof r.approve).toBe('boolean');
  if ('stakingKey' in r) expect(r.stakingKey === null || typeof r.stakingKey === 'string').toBe(true);
  if ('mainPath' in r) expect([null, "m/44'/501'/0'", "m/44'/501'/0'/0'"]).toContain(r.mainPath);
  if ('addresses' in r) {
    expect(Array.isArray(r.addresses) && r.addresses.length >= 1 && r.addresses.length <= 4).toBe(true);
    for (const a of r.addresses as unknown[]) expect(String(a)).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
  }
  // What passed once passes again unchanged: validation is a fixed point.
  expect(parseRequest(JSON.parse(JSON.stringify(req)))).toEqual(req);
}

let accepted = 0;
function parseOrValidationError(raw: unknown): void {
  let req: Request;
  try {
    req = parseRequest(raw);
  } catch (err) {
    if (!(err instanceof MessageValidationError)) throw new Error(`escaped: ${(err as Error)?.name}: ${(err as Error)?.message}`);
    expect((err as Error).message.length).toBeLessThan(200);
    return;
  }
  accepted++;
  checkParsed(req);
}

describe('messages between contexts under hostile input', () => {
  test('any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), parseOrValidationError), { numRuns: 2000 });
  });

  test('requests of every known type with hostile, missing and extra fields', () => {
    accepted = 0;
    fc.assert(fc.property(nearRequest, parseOrValidationError), { numRuns: 5000 });
    // The generator reaches past validation often enough for the checks on accepted requests to bite.
    expect(accepted).toBeGreaterThan(200);
  });

  test('structured-clone values (dates, maps, typed arrays, null prototypes)', () => {
    fc.assert(
      fc.property(fc.anything({ withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withBigInt: true, withSparseArray: true }), parseOrValidationError),
      { numRuns: 1000 },
    );
  });

  test('envelopes: a value or an error as data, or a MessageValidationError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ ok: fc.boolean(), value: fc.jsonValue(), error: fc.oneof(fc.jsonValue(), fc.record({ name: fc.string(), message: fc.string() })) }, { requiredKeys: ['ok'] })), (raw) => {
        try {
          const env = parseEnvelope(raw);
          if (!env.ok) expect(typeof env.error.name === 'string' && typeof env.error.message === 'string').toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(MessageValidationError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
