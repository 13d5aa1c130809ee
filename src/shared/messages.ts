// The one request/response protocol between the extension's contexts and its background.
// Every request is validated on receipt: the background trusts no context, not even its own
// popup, because a compromised page script could try to speak to it through a content script.

import { isMainPath, MAIN_PATHS, type MainPath } from '../wallet/account-paths.ts';

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
  /** What the vault holds: a recovery phrase can be exported, an imported key only as key files. */
  kind: 'mnemonic' | 'keyfile' | null;
  /** A new recovery phrase counts as backed up once the user typed some of its words back. */
  backupConfirmed: boolean;
  /** The word positions (1-based) to type back, while a new phrase waits for its confirmation. */
  backupChallenge: number[] | null;
  /** Onboarding was finished (or skipped): the popup opens on the status view. */
  onboarded: boolean;
  /** Idle minutes before the wallet locks itself; 0 = only when the browser closes. */
  autoLockMinutes: number;
  /** Where a recovery phrase's main account was derived (the user's choice at import); null for an imported key. */
  mainPath: MainPath | null;
}

/** A main account an import would use: one per derivation path for a phrase, the key itself for a key file. */
export interface ImportCandidate {
  /** null: the imported key file or base58 key. */
  path: MainPath | null;
  address: string;
}

/** What an import holds, checked by the background before any password is set: addresses only. */
export interface ImportPreview {
  kind: 'mnemonic' | 'keyfile';
  candidates: ImportCandidate[];
  stakingAddress: string;
  /** Derived from the phrase, read from the staking key file the user gave, or made new for a key file. */
  stakingSource: 'phrase' | 'file' | 'new';
}

/** KOII balances on the configured endpoint, in the order asked; null where the read failed. */
export interface BalancesView {
  rpcUrl: string;
  balances: (string | null)[];
}

export type RoundStage = 'work' | 'submission' | 'audit' | 'distribution';

/** Where a task's rounds are, so the popup can draw (and animate) the current round. */
export interface TaskTimeline {
  roundTime: number;
  submissionWindow: number;
  auditWindow: number;
  startingSlot: number;
  /** A slot the node read, when it read it, and how long a slot lasts: the popup extrapolates. */
  slot: number;
  slotAt: number;
  slotMs: number;
}

/** A vote this node sent on a peer's submission: `false` with the reason the audit found. */
export interface PeerVote {
  peer: string;
  valid: boolean;
  reason?: string;
}

/** A peer whose submission could not be judged, and why (its store is down, its pages time out). */
export interface UndecidedPeer {
  peer: string;
  reason: string;
}

/**
 * This node's check of a submitted distribution list: its verdict (undecided when the node
 * could not check it), the reason for anything but valid, and whether a vote was sent.
 */
export interface ListAudit {
  candidate: string;
  verdict: 'valid' | 'invalid' | 'undecided';
  reason?: string;
  voted: boolean;
}

export interface RoundView {
  round: number;
  pages: number;
  submission?: string;
  /** Peers whose submission of this round this node reached a verdict on (voted or not). */
  judged: number;
  /** Peers not judged at the latest attempt, with the reason. */
  undecided: UndecidedPeer[];
  /** Votes this node sent on this round's submissions, one per peer. */
  votes: PeerVote[];
  /** This node's checks of this round's distribution lists, one per list author. */
  listAudits: ListAudit[];
  /** KOII earned in this round, once paid. */
  earned?: string;
  notes: string[];
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
  /** KOII claimed so far for this task, when the engine keeps that count. */
  claimed: string | null;
  timeline: TaskTimeline | null;
  rounds: RoundView[];
  /** The task's sites the browser has not granted access to: the node cannot audit pages there. */
  cannotAudit: string[];
}

/** A task the node stopped working on whose stake may still be on K2, waiting to be withdrawn. */
export interface LeftTaskView {
  taskId: string;
  name: string;
  leftAt: number;
}

export type NodeState = 'running' | 'paused' | 'locked' | 'offline' | 'idle' | 'error' | 'over-budget' | 'out-of-funds' | 'no-wallet';

export interface NodeView {
  state: NodeState;
  rpcUrl: string;
  network: NetworkId;
  balance: string | null;
  mainAddress: string | null;
  stakingAddress: string | null;
  tasks: TaskView[];
  leftTasks: LeftTaskView[];
  pendingApprovals: number;
  events: LogEvent[];
}

/** An audit raised against this node's submission of a round, and what it cost (own-incidents.ts). */
export interface IncidentView {
  taskId: string;
  taskName: string;
  round: number;
  status: 'audited' | 'slash-pending' | 'slashed' | 'cleared';
  triggeredBy: string;
  votesInvalid: number;
  votesValid: number;
  /** KOII taken (or to be taken) from the stake; null while the votes are not against the node. */
  slashed: string | null;
  seenAt: number;
}

/** The incidents of this node the user has not dismissed (the badge shows the rest: src/background/attention.ts). */
export interface AttentionView {
  incidents: IncidentView[];
}

export type ApprovalKind = 'stake' | 'withdraw' | 'transfer';

export interface ApprovalView {
  id: string;
  kind: ApprovalKind;
  /** A stake on a task the staking key has no account for yet creates it (and pays its rent). */
  firstStake: boolean;
  taskId: string | null;
  taskName: string | null;
  /** KOII moved by the operation (the stake, the transfer; for a withdrawal, the stake returned). */
  amount: string;
  fee: string;
  balance: string;
  balanceAfter: string;
  accounts: { role: string; address: string }[];
  /** Where it will be sent: the K2 endpoint, the chain it serves, and the network's name. */
  network: { name: NetworkId; endpoint: string; genesisHash: string };
  /** For a first stake: the rent that creates the staking account, in KOII (also counted in the fee). */
  rent: string | null;
  /**
   * A stake: the sites the task covers, whose pages the node will fetch to audit peers. The
   * popup asks the browser for access to them when the user approves.
   */
  sites: string[];
  createdAt: number;
  expiresAt: number;
  /** Binds a decision to exactly what was shown: the answer must carry it back. */
  digest: string;
}

export type NetworkId = 'devnet' | 'testnet' | 'mainnet' | 'custom';

export interface LimitsView {
  pagesPerHour: number;
  bytesPerRound: number;
  cpuMsPerRound: number;
}

export interface SettingsView {
  network: NetworkId;
  rpcUrl: string;
  /** More endpoints of the same network: failover, and a second opinion on what drives a vote or a list. */
  checkRpcUrls: string[];
  /**
   * The networks offered, and where the node can earn on each: `knownTasks` page-index tasks
   * this release knows there (the devnet's are listed by the devnet itself), `addedTasks` the
   * ones the user added by id for that endpoint.
   */
  networks: { id: Exclude<NetworkId, 'custom'>; url: string; knownTasks: number | 'devnet'; addedTasks: number }[];
  /** Tasks the user added by id for the configured endpoint. */
  addedTasks: number;
  devBuild: boolean;
  autoLockMinutes: number;
  paused: boolean;
  /** KOII; null = claim only by hand. */
  autoClaim: string | null;
  /** KOII of fees the node may spend on round operations per day without asking. */
  feeBudgetPerDay: string;
  /** KOII the node's round operations spent in the current day, when the node runs. */
  feeSpentToday: string | null;
  limits: LimitsView;
  onboarded: boolean;
  ipfs: IpfsSettingsView;
  /** Browser notifications of a slash, low funds and a wallet locked after a restart (opt-in). */
  notifications: boolean;
}

/** Where proofs are read from and uploaded to (the token itself never leaves the background). */
export interface IpfsSettingsView {
  /** The gateways the node asks, in order. */
  gateways: string[];
  /** True when they are the network's default (no choice of the user's). */
  gatewaysDefault: boolean;
  defaultGateways: string[];
  /** Kubo RPC API base the node uploads to; null: none (the node cannot submit). */
  uploadUrl: string | null;
  uploadDefault: boolean;
  defaultUploadUrl: string | null;
  /** Whether an upload token is kept in the vault. */
  tokenSet: boolean;
}

export interface SettingsPatch {
  rpcUrl?: string;
  checkRpcUrls?: string[];
  autoLockMinutes?: number;
  paused?: boolean;
  autoClaim?: string | null;
  feeBudgetPerDay?: string;
  limits?: Partial<LimitsView>;
  onboarded?: boolean;
  /** Gateways in order; null: the network's default. */
  ipfsGateways?: string[] | null;
  /** The upload service's base URL; null: the network's default. */
  ipfsUploadUrl?: string | null;
  notifications?: boolean;
}

export interface TaskInfo {
  taskId: string;
  name: string;
  minimumStake: string;
  bountyPerRound: string;
  roundTime: number;
  stakers: number;
  joined: boolean;
  /** A plugin shipped in this extension can do this task's work (else it cannot be joined). */
  runnable: boolean;
  /** KOII this node's staking key has on the task. */
  myStake: string;
}

export interface RecordItem {
  taskId: string;
  round: number;
  url: string;
  title: string;
  fetchedAt: number;
  textLength: number;
}

export interface Page<T> {
  total: number;
  items: T[];
}

/** One round of a task in the earnings ledger: amounts in ROE, as decimal integer text. */
export interface LedgerRoundView {
  round: number;
  /** When the round's first line was written (ms since the epoch). */
  at: number;
  reward: string;
  slash: string;
  fees: string;
  net: string;
  claimed: string;
  /** Its payout is in (reward or slash); otherwise only fees are known so far. */
  paid: boolean;
}

/** A task's earnings for the life of the wallet: its latest rounds, and totals over all of them. */
export interface LedgerTaskView {
  taskId: string;
  name: string;
  rounds: LedgerRoundView[];
  /** Rounds in the ledger in all (the view holds the latest of them). */
  roundCount: number;
  totals: { reward: string; slash: string; fees: string; net: string; claimed: string };
}

export interface LedgerView {
  tasks: LedgerTaskView[];
}

export type ExportWhat = 'mnemonic' | 'main-key' | 'staking-key';

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
  /**
   * Step one of an import from the popup: the phrase or key (and a staking key file, or null)
   * go to the background once and wait there, in session memory, for the password; the
   * answer names the accounts they hold, never a secret.
   */
  'wallet.importPreview': {
    request: { type: 'wallet.importPreview'; secret: string; stakingKey: string | null };
    response: ImportPreview;
  };
  /** Step two: the password, and for a phrase the main account chosen (null: the desktop node's). */
  'wallet.importConfirm': { request: { type: 'wallet.importConfirm'; password: string; mainPath: MainPath | null }; response: WalletStatus };
  /** The user went back: what waits for the password is forgotten. */
  'wallet.importCancel': { request: { type: 'wallet.importCancel' }; response: { cancelled: boolean } };
  /** Balances of a few addresses on the configured K2 endpoint (never one the page names). */
  'wallet.balances': { request: { type: 'wallet.balances'; addresses: string[] }; response: BalancesView };
  'wallet.confirmBackup': { request: { type: 'wallet.confirmBackup'; words: string[] }; response: WalletStatus };
  'wallet.export': { request: { type: 'wallet.export'; password: string; what: ExportWhat }; response: { text: string } };
  'wallet.unlock': { request: { type: 'wallet.unlock'; password: string }; response: WalletStatus };
  /** A new password for the vault, against the current one. */
  'wallet.changePassword': { request: { type: 'wallet.changePassword'; password: string; newPassword: string }; response: WalletStatus };
  'wallet.lock': { request: { type: 'wallet.lock' }; response: WalletStatus };
  /** The user did something in the popup or options page: auto-lock counts from now. */
  'wallet.activity': { request: { type: 'wallet.activity' }; response: { unlocked: boolean } };
  'wallet.transfer': { request: { type: 'wallet.transfer'; to: string; amount: string }; response: { approvalId: string } };
  /** Test KOII for the main account, from the network's faucet (the devnet and the testnet only). */
  'wallet.faucet': { request: { type: 'wallet.faucet' }; response: { received: string } };
  'node.status': { request: { type: 'node.status' }; response: NodeView };
  'node.join': { request: { type: 'node.join'; taskId: string; stake: string }; response: { approvalId: string } };
  'node.withdraw': { request: { type: 'node.withdraw'; taskId: string }; response: { approvalId: string } };
  'node.leave': { request: { type: 'node.leave'; taskId: string }; response: { left: string } };
  /** `claimed`: the KOII claimed ("0" when nothing was claimable), for the popup's own words. */
  'node.claim': { request: { type: 'node.claim'; taskId: string }; response: { done: string; claimed?: string } };
  'node.attention': { request: { type: 'node.attention' }; response: AttentionView };
  /** The user saw the warning of an incident: the status view and the badge stop showing it. */
  'attention.dismiss': { request: { type: 'attention.dismiss'; taskId: string; round: number }; response: { dismissed: boolean } };
  'tasks.discover': { request: { type: 'tasks.discover' }; response: TaskInfo[] };
  'task.info': { request: { type: 'task.info'; taskId: string }; response: TaskInfo };
  /**
   * A task the release does not know, added by its id on the configured network: it must be
   * active and declare page-index rules in its metadata; it is then bound to that plugin.
   */
  'tasks.add': { request: { type: 'tasks.add'; taskId: string }; response: TaskInfo };
  'approvals.list': { request: { type: 'approvals.list' }; response: ApprovalView[] };
  'approvals.decide': {
    request: { type: 'approvals.decide'; id: string; approve: boolean; digest: string };
    response: { done: string; signature?: string };
  };
  'settings.get': { request: { type: 'settings.get' }; response: SettingsView };
  'settings.update': { request: { type: 'settings.update'; patch: SettingsPatch }; response: SettingsView };
  /** The IPFS upload token (null removes it): into the vault, so against the password. */
  'ipfs.setToken': { request: { type: 'ipfs.setToken'; password: string; token: string | null }; response: { tokenSet: boolean } };
  'records.list': { request: { type: 'records.list'; offset: number; limit: number }; response: Page<RecordItem> };
  'records.delete': { request: { type: 'records.delete'; taskId: string; round: number; url: string }; response: { total: number } };
  'records.clear': { request: { type: 'records.clear' }; response: { total: number } };
  'visits.list': { request: { type: 'visits.list'; offset: number; limit: number }; response: Page<Visit> };
  'visits.delete': { request: { type: 'visits.delete'; url: string }; response: { total: number } };
  'visits.clear': { request: { type: 'visits.clear' }; response: { total: number } };
  /** The earnings ledger: per task, its latest rounds and its totals. */
  'ledger.get': { request: { type: 'ledger.get' }; response: LedgerView };
  /** The whole earnings ledger as CSV, to download. */
  'ledger.csv': { request: { type: 'ledger.csv' }; response: { filename: string; csv: string } };
}

/** Requests that only read: they do not count as the user being active (auto-lock). */
export const READ_ONLY_REQUESTS: ReadonlySet<RequestType> = new Set<RequestType>([
  'status',
  'wallet.status',
  'wallet.balances',
  'node.status',
  'node.attention',
  'approvals.list',
  'settings.get',
  'records.list',
  'visits.list',
  'tasks.discover',
  'task.info',
  'ledger.get',
  'ledger.csv',
]);

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

/**
 * A site as the user opts it in: scheme and host (and port), nothing else. One site: a host
 * name of letters, digits, hyphens and dots, an IPv4 or an IPv6 address; a wildcard (`*`,
 * `*.example.com`) would become a match pattern for many sites and is refused.
 */
export function normalizeOrigin(text: string): string {
  const trimmed = text.trim();
  // "host:8080" has no scheme; "javascript:…" has one and must be refused, not prefixed.
  const withScheme = /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(trimmed) ? trimmed : `https://${trimmed}`;
  const url = parseWebUrl(withScheme);
  const host = url.hostname;
  if (!/^\[[0-9a-f:.]+\]$/.test(host) && !/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(host)) {
    throw new MessageValidationError(`"${host.slice(0, 80)}" is not one site's host name (no wildcards)`);
  }
  return url.origin;
}

const ADDRESS = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const KOII_AMOUNT = /^\d{1,19}(\.\d{1,9})?$/;
const MAX_PASSWORD = 1024;
/** A key file: 64 numbers of at most 3 digits, with room for a pretty-printed one. */
const MAX_SECRET = 4096;
/** Balances asked at once: the candidates of one import. */
export const MAX_BALANCE_ADDRESSES = 4;

function addressField(v: Record<string, unknown>, key: string): string {
  const s = stringField(v, key, 44);
  if (!ADDRESS.test(s)) throw new MessageValidationError(`"${key}" is not an address`);
  return s;
}

/** A non-negative amount of KOII as text (amounts cross contexts as strings, never as numbers). */
function koiiField(v: Record<string, unknown>, key: string): string {
  const s = stringField(v, key, 40).trim();
  if (!KOII_AMOUNT.test(s)) throw new MessageValidationError(`"${key}" is not an amount of KOII`);
  return s;
}

function intField(v: Record<string, unknown>, key: string, min: number, max: number): number {
  const n = v[key];
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new MessageValidationError(`"${key}" must be a whole number`);
  if (n < min || n > max) throw new MessageValidationError(`"${key}" must be between ${min} and ${max}`);
  return n;
}

function boolField(v: Record<string, unknown>, key: string): boolean {
  if (typeof v[key] !== 'boolean') throw new MessageValidationError(`"${key}" must be true or false`);
  return v[key] as boolean;
}

/** A K2 endpoint: https, or plain http only to this machine (the local devnet). */
export function parseEndpoint(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new MessageValidationError('the K2 endpoint is not a valid URL');
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new MessageValidationError('a K2 endpoint must use https (plain http only on this machine)');
  }
  if (url.username || url.password) throw new MessageValidationError('URLs with credentials are refused');
  if (url.search || url.hash) throw new MessageValidationError('a K2 endpoint has no query or fragment');
  return url.href.replace(/\/$/, '');
}

/**
 * An IPFS gateway or upload service: https, or plain http only to this machine (the devnet);
 * a path is kept (some services live under one), credentials, query and fragment are refused.
 */
export function parseServiceUrl(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new MessageValidationError(`the ${what} is not a valid URL`);
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new MessageValidationError(`an ${what} must use https (plain http only on this machine)`);
  }
  if (url.username || url.password) throw new MessageValidationError(`an ${what} URL with credentials is refused: set the token instead`);
  if (url.search || url.hash) throw new MessageValidationError(`an ${what} URL has no query or fragment`);
  return url.href.replace(/\/+$/, '');
}

export const MAX_IPFS_GATEWAYS = 8;
const MAX_TOKEN = 4096;

/** Endpoints besides the main one (failover and cross-check). */
export const MAX_CHECK_ENDPOINTS = 3;

/** Auto-lock choices, in minutes; 0 = only when the browser closes. */
export const AUTO_LOCK_CHOICES = [0, 1, 5, 15, 30, 60, 240] as const;

export const LIMIT_RANGES: Record<keyof LimitsView, [number, number]> = {
  pagesPerHour: [1, 10_000],
  bytesPerRound: [64 * 1024, 1024 * 1024 * 1024],
  cpuMsPerRound: [100, 3_600_000],
};

function parseSettingsPatch(raw: unknown): SettingsPatch {
  if (!isRecord(raw)) throw new MessageValidationError('"patch" must be an object');
  exactKeys(raw, ['rpcUrl', 'checkRpcUrls', 'autoLockMinutes', 'paused', 'autoClaim', 'feeBudgetPerDay', 'limits', 'onboarded', 'ipfsGateways', 'ipfsUploadUrl', 'notifications']);
  const patch: SettingsPatch = {};
  if ('ipfsGateways' in raw) {
    const list = raw.ipfsGateways;
    if (list === null) patch.ipfsGateways = null;
    else {
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_IPFS_GATEWAYS) {
        throw new MessageValidationError(`"ipfsGateways" must be null or a list of 1 to ${MAX_IPFS_GATEWAYS} URLs`);
      }
      const gateways = list.map((g, i) => parseServiceUrl(stringField({ [`ipfsGateways[${i}]`]: g }, `ipfsGateways[${i}]`, MAX_URL_LENGTH), 'IPFS gateway'));
      if (new Set(gateways).size !== gateways.length) throw new MessageValidationError('a gateway is listed twice');
      patch.ipfsGateways = gateways;
    }
  }
  if ('ipfsUploadUrl' in raw) {
    patch.ipfsUploadUrl = raw.ipfsUploadUrl === null ? null : parseServiceUrl(stringField(raw, 'ipfsUploadUrl', MAX_URL_LENGTH), 'IPFS upload service');
  }
  if ('rpcUrl' in raw) patch.rpcUrl = parseEndpoint(stringField(raw, 'rpcUrl', MAX_URL_LENGTH));
  if ('checkRpcUrls' in raw) {
    const list = raw.checkRpcUrls;
    if (!Array.isArray(list) || list.length > MAX_CHECK_ENDPOINTS) throw new MessageValidationError(`"checkRpcUrls" must be a list of at most ${MAX_CHECK_ENDPOINTS} endpoints`);
    const urls = list.map((u, i) => parseEndpoint(stringField({ [`checkRpcUrls[${i}]`]: u }, `checkRpcUrls[${i}]`, MAX_URL_LENGTH)));
    if (new Set(urls).size !== urls.length) throw new MessageValidationError('an endpoint is listed twice');
    patch.checkRpcUrls = urls;
  }
  if ('autoLockMinutes' in raw) {
    const m = intField(raw, 'autoLockMinutes', 0, 240);
    if (!(AUTO_LOCK_CHOICES as readonly number[]).includes(m)) {
      throw new MessageValidationError(`"autoLockMinutes" must be one of ${AUTO_LOCK_CHOICES.join(', ')}`);
    }
    patch.autoLockMinutes = m;
  }
  if ('paused' in raw) patch.paused = boolField(raw, 'paused');
  if ('onboarded' in raw) patch.onboarded = boolField(raw, 'onboarded');
  if ('notifications' in raw) patch.notifications = boolField(raw, 'notifications');
  if ('autoClaim' in raw) patch.autoClaim = raw.autoClaim === null ? null : koiiField(raw, 'autoClaim');
  if ('feeBudgetPerDay' in raw) patch.feeBudgetPerDay = koiiField(raw, 'feeBudgetPerDay');
  if ('limits' in raw) {
    const l = raw.limits;
    if (!isRecord(l)) throw new MessageValidationError('"limits" must be an object');
    exactKeys(l, Object.keys(LIMIT_RANGES));
    const limits: Partial<LimitsView> = {};
    for (const [key, [min, max]] of Object.entries(LIMIT_RANGES) as [keyof LimitsView, [number, number]][]) {
      if (key in l) limits[key] = intField(l, key, min, max);
    }
    patch.limits = limits;
  }
  return patch;
}

function pageFields(raw: Record<string, unknown>): { offset: number; limit: number } {
  return { offset: intField(raw, 'offset', 0, 1_000_000_000), limit: intField(raw, 'limit', 1, 500) };
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
    case 'wallet.importCancel':
    case 'wallet.activity':
    case 'wallet.faucet':
    case 'node.status':
    case 'node.attention':
    case 'approvals.list':
    case 'settings.get':
    case 'tasks.discover':
    case 'records.clear':
    case 'visits.clear':
    case 'ledger.get':
    case 'ledger.csv':
      exactKeys(raw, ['type']);
      return { type };
    case 'wallet.create':
    case 'wallet.unlock':
      exactKeys(raw, ['type', 'password']);
      return { type, password: stringField(raw, 'password', MAX_PASSWORD) };
    case 'wallet.changePassword':
      exactKeys(raw, ['type', 'password', 'newPassword']);
      return { type, password: stringField(raw, 'password', MAX_PASSWORD), newPassword: stringField(raw, 'newPassword', MAX_PASSWORD) };
    case 'wallet.import':
      exactKeys(raw, ['type', 'password', 'secret']);
      return { type, password: stringField(raw, 'password', MAX_PASSWORD), secret: stringField(raw, 'secret', MAX_SECRET) };
    case 'wallet.importPreview': {
      exactKeys(raw, ['type', 'secret', 'stakingKey']);
      const stakingKey = raw.stakingKey === null ? null : stringField(raw, 'stakingKey', MAX_SECRET);
      return { type, secret: stringField(raw, 'secret', MAX_SECRET), stakingKey };
    }
    case 'wallet.importConfirm': {
      exactKeys(raw, ['type', 'password', 'mainPath']);
      const mainPath = raw.mainPath;
      if (mainPath !== null && !isMainPath(mainPath)) {
        throw new MessageValidationError(`"mainPath" must be null or one of ${MAIN_PATHS.map((p) => `"${p}"`).join(', ')}`);
      }
      return { type, password: stringField(raw, 'password', MAX_PASSWORD), mainPath };
    }
    case 'wallet.balances': {
      exactKeys(raw, ['type', 'addresses']);
      const list = raw.addresses;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BALANCE_ADDRESSES) {
        throw new MessageValidationError(`"addresses" must be a list of 1 to ${MAX_BALANCE_ADDRESSES} addresses`);
      }
      const addresses = list.map((a, i) => addressField({ [`addresses[${i}]`]: a }, `addresses[${i}]`));
      return { type, addresses };
    }
    case 'wallet.confirmBackup': {
      exactKeys(raw, ['type', 'words']);
      const words = raw.words;
      if (!Array.isArray(words) || words.length === 0 || words.length > 24) {
        throw new MessageValidationError('"words" must be a list of 1 to 24 words');
      }
      if (!words.every((w) => typeof w === 'string' && w.length <= 32)) throw new MessageValidationError('each word must be text of at most 32 characters');
      return { type, words: words as string[] };
    }
    case 'wallet.export': {
      exactKeys(raw, ['type', 'password', 'what']);
      const what = raw.what;
      if (what !== 'mnemonic' && what !== 'main-key' && what !== 'staking-key') {
        throw new MessageValidationError('"what" must be "mnemonic", "main-key" or "staking-key"');
      }
      return { type, password: stringField(raw, 'password', MAX_PASSWORD), what };
    }
    case 'wallet.transfer': {
      exactKeys(raw, ['type', 'to', 'amount']);
      return { type, to: addressField(raw, 'to'), amount: koiiField(raw, 'amount') };
    }
    case 'node.join': {
      exactKeys(raw, ['type', 'taskId', 'stake']);
      return { type, taskId: addressField(raw, 'taskId'), stake: koiiField(raw, 'stake') };
    }
    case 'node.withdraw':
    case 'node.leave':
    case 'node.claim':
    case 'task.info':
    case 'tasks.add':
      exactKeys(raw, ['type', 'taskId']);
      return { type, taskId: addressField(raw, 'taskId') };
    case 'attention.dismiss':
      exactKeys(raw, ['type', 'taskId', 'round']);
      return { type, taskId: addressField(raw, 'taskId'), round: intField(raw, 'round', 0, Number.MAX_SAFE_INTEGER) };
    case 'approvals.decide': {
      exactKeys(raw, ['type', 'id', 'approve', 'digest']);
      const id = stringField(raw, 'id', 64);
      if (!/^[0-9a-f]{8,64}$/.test(id)) throw new MessageValidationError('"id" is not a request id');
      const digest = stringField(raw, 'digest', 64);
      if (!/^[0-9a-f]{64}$/.test(digest)) throw new MessageValidationError('"digest" is not a SHA-256 digest');
      return { type, id, approve: boolField(raw, 'approve'), digest };
    }
    case 'ipfs.setToken': {
      exactKeys(raw, ['type', 'password', 'token']);
      let token: string | null = null;
      if (raw.token !== null) {
        token = stringField(raw, 'token', MAX_TOKEN).trim();
        if (token === '' || /[\u0000-\u001f\u007f]/.test(token)) throw new MessageValidationError('"token" must be printable text (or null to remove it)');
      }
      return { type, password: stringField(raw, 'password', MAX_PASSWORD), token };
    }
    case 'settings.update':
      exactKeys(raw, ['type', 'patch']);
      return { type, patch: parseSettingsPatch(raw.patch) };
    case 'records.list':
    case 'visits.list':
      exactKeys(raw, ['type', 'offset', 'limit']);
      return { type, ...pageFields(raw) };
    case 'records.delete': {
      exactKeys(raw, ['type', 'taskId', 'round', 'url']);
      const url = stringField(raw, 'url', MAX_URL_LENGTH);
      parseWebUrl(url);
      return { type, taskId: addressField(raw, 'taskId'), round: intField(raw, 'round', 0, 2 ** 40), url };
    }
    case 'visits.delete': {
      exactKeys(raw, ['type', 'url']);
      const url = stringField(raw, 'url', MAX_URL_LENGTH);
      parseWebUrl(url);
      return { type, url };
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
