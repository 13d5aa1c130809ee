// The page-index rules a task declares in its metadata document (docs/page-index-task.md §1):
// `"pageIndex": { "rules": 1, "origins": [...], "keepParameters": [...] }`. Every node reads the same document by
// its CID, so which sites a task covers is public and the same for all of them: the user's
// opted-in sites decide what this node may read of their browsing, never what a peer may prove.

const RULES_VERSION = 1;
const MAX_ORIGINS = 64;
const MAX_KEPT_PARAMETERS = 32;
/** A query parameter's name as a task may keep it: 1 to 64 of letters, digits, `_`, `-`, `.`, `[`, `]`. */
const PARAMETER_NAME = /^[A-Za-z0-9_.[\]-]{1,64}$/;
/** A metadata document is a few hundred bytes; a megabyte is someone else's file. */
export const MAX_METADATA_BYTES = 64 * 1024;

export interface PageIndexRules {
  rules: typeof RULES_VERSION;
  /** Serialised origins, e.g. "https://en.wikipedia.org". */
  origins: string[];
  /** Query parameters a record's URL keeps (exact names); every other one is dropped. Absent (rules read before it existed): none. */
  keepParameters?: string[];
}

class TaskRulesError extends Error {
  override name = 'TaskRulesError';
}

/** An origin exactly as a URL serialises it: http(s), lowercase host, default port omitted, nothing else. */
function isSerialisedOrigin(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
}

export function parsePageIndexRules(metadata: Uint8Array): PageIndexRules {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(metadata));
  } catch {
    throw new TaskRulesError('the task metadata is not UTF-8 JSON');
  }
  const section = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>).pageIndex : undefined;
  if (typeof section !== 'object' || section === null || Array.isArray(section)) throw new TaskRulesError('the task metadata declares no page-index rules');
  const { rules, origins, keepParameters = [] } = section as Record<string, unknown>;
  if (rules !== RULES_VERSION) throw new TaskRulesError(`the task follows page-index rules ${String(rules).slice(0, 10)}; this node knows version ${RULES_VERSION}`);
  if (!Array.isArray(origins) || origins.length === 0 || origins.length > MAX_ORIGINS) throw new TaskRulesError(`the task must declare 1 to ${MAX_ORIGINS} origins`);
  for (const o of origins) {
    if (typeof o !== 'string' || !isSerialisedOrigin(o)) throw new TaskRulesError(`"${String(o).slice(0, 80)}" is not an http(s) origin`);
  }
  if (new Set(origins).size !== origins.length) throw new TaskRulesError('the task declares an origin twice');
  if (!Array.isArray(keepParameters) || keepParameters.length > MAX_KEPT_PARAMETERS) {
    throw new TaskRulesError(`keepParameters must list at most ${MAX_KEPT_PARAMETERS} parameter names`);
  }
  for (const k of keepParameters) {
    if (typeof k !== 'string' || !PARAMETER_NAME.test(k)) throw new TaskRulesError(`"${String(k).slice(0, 80)}" is not a parameter name a task may keep`);
  }
  if (new Set(keepParameters).size !== keepParameters.length) throw new TaskRulesError('the task keeps a parameter twice');
  return { rules: RULES_VERSION, origins: origins as string[], keepParameters: keepParameters as string[] };
}

/** Whether a page belongs to one of the task's origins. */
export function coveredByTask(url: string, origins: readonly string[]): boolean {
  try {
    return origins.includes(new URL(url).origin);
  } catch {
    return false;
  }
}

/**
 * `coveredByTask` for a URL already known to be canonical (a decoded bundle's record: http or
 * https, no credentials, written as the URL parser writes it). Such a URL's origin is the text
 * before its path, which always starts with "/", so the audit of a 1,000-record bundle need
 * not parse every URL a second time.
 */
export function canonicalCoveredByTask(canonical: string, origins: readonly string[]): boolean {
  const path = canonical.indexOf('/', canonical.indexOf('//') + 2);
  return path > 0 && origins.includes(canonical.slice(0, path));
}
