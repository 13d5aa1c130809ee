// The one request/response protocol between the extension's contexts and its background.
// Every request is validated on receipt: the background trusts no context, not even its own
// popup, because a compromised page script could try to speak to it through a content script.

export interface Visit {
  url: string;
  origin: string;
  title: string;
  visitedAt: number;
}

export interface LogEvent {
  id?: number;
  at: number;
  level: 'info' | 'warn' | 'error';
  source: string;
  message: string;
}

export interface NodeStatus {
  version: string;
  target: 'chrome' | 'firefox';
  dbVersion: number;
  startedAt: number;
  visitCount: number;
  recentVisits: Visit[];
  sites: string[];
  events: LogEvent[];
}

export interface WalletStatus {
  exists: boolean;
  unlocked: boolean;
  mainAddress: string | null;
  stakingAddress: string | null;
  /** While wrong passwords are being slowed down: how long until the next attempt. */
  retryInMs: number;
}

export interface TaskView {
  taskId: string;
  name: string;
  round: number;
  phase: 'submission' | 'audit' | 'idle';
  /** 0..1 through the current round. */
  progress: number;
  stake: string;
  claimable: string;
  rounds: { round: number; pages: number; submission?: string; audits: number; invalidFound: number; earned?: string }[];
}

export interface NodeView {
  state: 'running' | 'paused' | 'locked' | 'offline' | 'idle' | 'error' | 'over-budget' | 'out-of-funds' | 'no-wallet';
  rpcUrl: string;
  balance: string | null;
  tasks: TaskView[];
}

export interface ApprovalView {
  id: string;
  kind: 'stake';
  taskId: string;
  taskName: string;
  amount: string;
  fee: string;
  balanceAfter: string;
  accounts: { role: string; address: string }[];
  expiresAt: number;
}

/** Requests and the type each one answers with. */
export interface RequestMap {
  status: { request: { type: 'status' }; response: NodeStatus };
  visit: { request: { type: 'visit'; url: string; title: string }; response: { recorded: boolean } };
  'sites.add': { request: { type: 'sites.add'; origin: string }; response: { sites: string[] } };
  'sites.remove': { request: { type: 'sites.remove'; origin: string }; response: { sites: string[] } };
  'wallet.status': { request: { type: 'wallet.status' }; response: WalletStatus };
  'wallet.create': { request: { type: 'wallet.create'; password: string }; response: { mnemonic: string; status: WalletStatus } };
  'wallet.import': {
    request: { type: 'wallet.import'; password: string; secret: string };
    response: WalletStatus;
  };
  'wallet.unlock': { request: { type: 'wallet.unlock'; password: string }; response: WalletStatus };
  'wallet.lock': { request: { type: 'wallet.lock' }; response: WalletStatus };
  'node.status': { request: { type: 'node.status' }; response: NodeView };
  'node.join': { request: { type: 'node.join'; taskId: string; stake: string }; response: { approvalId: string } };
  'approvals.list': { request: { type: 'approvals.list' }; response: ApprovalView[] };
  'approvals.decide': { request: { type: 'approvals.decide'; id: string; approve: boolean }; response: { done: string } };
}

export type RequestType = keyof RequestMap;
export type Request = RequestMap[RequestType]['request'];
export type ResponseOf<T extends RequestType> = RequestMap[T]['response'];

/** Errors cross contexts as data and are re-thrown on the other side. */
export interface WireError {
  name: string;
  message: string;
}
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };

export class MessageValidationError extends Error {
  override name = 'MessageValidationError';
}

const MAX_URL_LENGTH = 2048;
const MAX_TITLE_LENGTH = 512;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function exactKeys(v: Record<string, unknown>, keys: string[]): void {
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) throw new MessageValidationError(`unexpected field "${k}"`);
  }
}

function stringField(v: Record<string, unknown>, key: string, max: number): string {
  const s = v[key];
  if (typeof s !== 'string') throw new MessageValidationError(`"${key}" must be a string`);
  if (s.length > max) throw new MessageValidationError(`"${key}" is longer than ${max} characters`);
  return s;
}

/** An http(s) URL; anything else (file:, chrome:, data:, javascript:) is refused. */
export function parseWebUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MessageValidationError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MessageValidationError(`only http and https pages can be indexed, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new MessageValidationError('URLs with credentials are refused');
  return url;
}

/** A site as the user opts it in: scheme and host (and port), nothing else. */
export function normalizeOrigin(text: string): string {
  const trimmed = text.trim();
  // "host:8080" has no scheme; "javascript:…" has one and must be refused, not prefixed.
  const withScheme = /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(trimmed) ? trimmed : `https://${trimmed}`;
  const url = parseWebUrl(withScheme);
  return url.origin;
}

/** Validates an untrusted value as a Request; throws MessageValidationError otherwise. */
export function parseRequest(raw: unknown): Request {
  if (!isRecord(raw)) throw new MessageValidationError('a request must be an object');
  const type = raw.type;
  switch (type) {
    case 'status':
      exactKeys(raw, ['type']);
      return { type };
    case 'visit': {
      exactKeys(raw, ['type', 'url', 'title']);
      const url = stringField(raw, 'url', MAX_URL_LENGTH);
      parseWebUrl(url);
      return { type, url, title: stringField(raw, 'title', MAX_TITLE_LENGTH) };
    }
    case 'sites.add':
    case 'sites.remove': {
      exactKeys(raw, ['type', 'origin']);
      return { type, origin: normalizeOrigin(stringField(raw, 'origin', MAX_URL_LENGTH)) };
    }
    case 'wallet.status':
    case 'wallet.lock':
    case 'node.status':
    case 'approvals.list':
      exactKeys(raw, ['type']);
      return { type };
    case 'wallet.create':
    case 'wallet.unlock':
      exactKeys(raw, ['type', 'password']);
      return { type, password: stringField(raw, 'password', 1024) };
    case 'wallet.import':
      exactKeys(raw, ['type', 'password', 'secret']);
      return { type, password: stringField(raw, 'password', 1024), secret: stringField(raw, 'secret', 4096) };
    case 'node.join': {
      exactKeys(raw, ['type', 'taskId', 'stake']);
      const taskId = stringField(raw, 'taskId', 44);
      if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(taskId)) throw new MessageValidationError('"taskId" is not an address');
      const stake = stringField(raw, 'stake', 40);
      if (!/^\d+(\.\d{1,9})?$/.test(stake.trim())) throw new MessageValidationError('"stake" is not an amount of KOII');
      return { type, taskId, stake: stake.trim() };
    }
    case 'approvals.decide': {
      exactKeys(raw, ['type', 'id', 'approve']);
      if (typeof raw.approve !== 'boolean') throw new MessageValidationError('"approve" must be true or false');
      return { type, id: stringField(raw, 'id', 64), approve: raw.approve };
    }
    default:
      throw new MessageValidationError(
        typeof type === 'string' ? `unknown request type "${type.slice(0, 40)}"` : 'a request needs a string "type"',
      );
  }
}

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

export class RemoteError extends Error {
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
  }
}

export function parseEnvelope(raw: unknown): Envelope<unknown> {
  if (!isRecord(raw) || typeof raw.ok !== 'boolean') {
    throw new MessageValidationError('the background sent no valid answer');
  }
  if (raw.ok) return { ok: true, value: raw.value };
  const e = raw.error;
  if (!isRecord(e) || typeof e.name !== 'string' || typeof e.message !== 'string') {
    throw new MessageValidationError('the background sent a malformed error');
  }
  return { ok: false, error: { name: e.name, message: e.message } };
}

/** The name of the port the popup opens to hear about state changes. */
export const UPDATES_PORT = 'k2-updates';
