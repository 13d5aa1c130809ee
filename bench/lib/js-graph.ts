import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The JavaScript a context of the built extension loads: its entry files and everything they
// import, statically or dynamically, followed through the emitted chunks. Shared chunks count
// in every context that loads them, because each context loads them.

const STATIC_IMPORT = /(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'`](\.{1,2}\/[^"'`]+|\/[^"'`]+)["'`]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*["'`](\.{1,2}\/[^"'`]+|\/[^"'`]+)["'`]\s*\)/g;

function resolveSpecifier(root: string, from: string, spec: string): string {
  return spec.startsWith('/') ? join(root, spec) : resolve(dirname(from), spec);
}

/** Files (absolute paths) reachable from `entries`, entries included. */
export function jsClosure(root: string, entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(root, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const re of [STATIC_IMPORT, DYNAMIC_IMPORT]) {
      for (const m of code.matchAll(re)) {
        const target = resolveSpecifier(root, file, m[1]!);
        if (target.endsWith('.js') || target.endsWith('.mjs')) queue.push(target);
      }
    }
  }
  return [...seen].sort();
}

/** The module scripts and module preloads an HTML page of the extension loads. */
export function htmlScripts(root: string, htmlPath: string): string[] {
  const html = readFileSync(join(root, htmlPath), 'utf8');
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) out.push(m[1]!);
  for (const m of html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) out.push(m[1]!);
  return out.map((src) => relative(root, resolveSpecifier(root, join(root, htmlPath), src)));
}
