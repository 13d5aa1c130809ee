import { gzipSync } from 'node:zlib';

// Which sources the bytes of a minified file come from, read from its source map: each
// mapping segment owns the generated text up to the next segment. Grouped by npm package
// (or by folder of our own code), it says what a bundle's size is made of.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64_INDEX.get(ch);
    if (digit === undefined) throw new Error(`bad VLQ character ${ch}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

export function groupOf(source: string): string {
  const nm = source.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = source.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const src = /(?:^|\/)(src\/[^/]+)\//.exec(source);
  return src ? src[1]! : source.replace(/^(\.\.\/)+/, '');
}

export interface Weight {
  group: string;
  bytes: number;
  /** The group's own text, gzipped on its own: an estimate of its share once compressed. */
  gzipBytes: number;
}

export function weighBySource(code: string, map: { sources: string[]; mappings: string }): Weight[] {
  const text = new Map<string, string[]>();
  const lines = code.split('\n');
  const mappingLines = map.mappings.split(';');
  let srcIdx = 0;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    const segs = (mappingLines[li] ?? '').split(',').filter(Boolean);
    let col = 0;
    const owned: Array<{ col: number; group: string }> = [];
    for (const s of segs) {
      const v = decodeVlq(s);
      col += v[0]!;
      if (v.length >= 4) {
        srcIdx += v[1]!;
        owned.push({ col, group: groupOf(map.sources[srcIdx] ?? 'unknown') });
      } else owned.push({ col, group: '(generated)' });
    }
    if (owned.length === 0 || owned[0]!.col > 0) owned.unshift({ col: 0, group: '(generated)' });
    for (let i = 0; i < owned.length; i++) {
      const piece = line.slice(owned[i]!.col, owned[i + 1]?.col ?? line.length);
      const list = text.get(owned[i]!.group) ?? [];
      list.push(piece);
      text.set(owned[i]!.group, list);
    }
  }
  return [...text.entries()]
    .map(([group, pieces]) => {
      const joined = pieces.join('');
      return { group, bytes: Buffer.byteLength(joined), gzipBytes: gzipSync(joined, { level: 9 }).length };
    })
    .sort((a, b) => b.bytes - a.bytes);
}
