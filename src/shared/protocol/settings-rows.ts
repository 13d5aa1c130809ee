import { bool, distinct, int, list, nullable, object, refine, someFields, text, type Check } from '../../core/validate.ts';
import type { LimitsView, SettingsPatch, SettingsView } from '../views/settings.ts';
import { endpoint, koii, MAX_TOKEN, MAX_URL_LENGTH, MessageValidationError, parseServiceUrl, password } from './fields.ts';
import { answer, row } from './row.ts';

// The settings: read them, change some of them, and the IPFS upload token kept in the vault.

export const MAX_IPFS_GATEWAYS = 8;
/** Endpoints besides the main one (failover and cross-check). */
const MAX_CHECK_ENDPOINTS = 3;
/** Auto-lock choices, in minutes; 0 = only when the browser closes. */
export const AUTO_LOCK_CHOICES = [0, 1, 5, 15, 30, 60, 240] as const;

export const LIMIT_RANGES: Record<keyof LimitsView, [number, number]> = {
  pagesPerHour: [1, 10_000],
  bytesPerRound: [64 * 1024, 1024 * 1024 * 1024],
  cpuMsPerRound: [100, 3_600_000],
};

const serviceUrl = (what: string): Check<string> => refine(text(MAX_URL_LENGTH), (s) => parseServiceUrl(s, what));

const autoLockMinutes = refine(int(0, 240), (m, name) => {
  if ((AUTO_LOCK_CHOICES as readonly number[]).includes(m)) return m;
  throw new MessageValidationError(`"${name}" must be one of ${AUTO_LOCK_CHOICES.join(', ')}`);
});

const LIMIT_FIELDS = Object.fromEntries(Object.entries(LIMIT_RANGES).map(([key, [min, max]]) => [key, int(min, max)])) as Record<keyof LimitsView, Check<number>>;
const limits: Check<Partial<LimitsView>> = refine(object, (l) => someFields(l, LIMIT_FIELDS));

const PATCH_FIELDS = {
  ipfsGateways: nullable(
    distinct(list(serviceUrl('IPFS gateway'), 1, MAX_IPFS_GATEWAYS, `null or a list of 1 to ${MAX_IPFS_GATEWAYS} URLs`), 'a gateway is listed twice'),
  ),
  ipfsUploadUrl: nullable(serviceUrl('IPFS upload service')),
  rpcUrl: endpoint,
  checkRpcUrls: distinct(list(endpoint, 0, MAX_CHECK_ENDPOINTS, `a list of at most ${MAX_CHECK_ENDPOINTS} endpoints`), 'an endpoint is listed twice'),
  autoLockMinutes,
  paused: bool,
  onboarded: bool,
  notifications: bool,
  autoClaim: nullable(koii),
  feeBudgetPerDay: koii,
  limits,
};

const patch: Check<SettingsPatch> = refine(object, (raw) => someFields(raw, PATCH_FIELDS));

/** The IPFS upload token, or null to remove it: printable text only. */
const token: Check<string | null> = (value, name) => {
  if (value === null) return null;
  const t = text(MAX_TOKEN)(value, name).trim();
  if (t === '' || /[\u0000-\u001f\u007f]/.test(t)) throw new MessageValidationError(`"${name}" must be printable text (or null to remove it)`);
  return t;
};

export const SETTINGS_ROWS = {
  'settings.get': row({ fields: {}, answer: answer<SettingsView>(), reads: true }),
  'settings.update': row({ fields: { patch }, answer: answer<SettingsView>() }),
  /** The IPFS upload token (null removes it): into the vault, so against the password. */
  'ipfs.setToken': row({ fields: { token, password }, answer: answer<{ tokenSet: boolean }>() }),
};
