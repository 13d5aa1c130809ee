// JSON as K2 writes it in account data: u64 amounts are bare numbers, and some exceed 2^53,
// where JavaScript's JSON.parse would round them to another amount. This reader keeps every
// integer literal exact (a number while it is a safe integer, a bigint beyond), and the writer
// prints bigints as bare digits, as serde_json does for a u64.

export type Json = null | boolean | string | number | bigint | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export class JsonError extends Error {
  override name = 'JsonError';
}

const MAX_DEPTH = 64;

/** A JSON object with no prototype: a key such as "__proto__" is data, never a setter. */
export function jsonObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

export function parseJson(text: string): Json {
  let i = 0;
  const n = text.length;

  const fail = (what: string): never => {
    throw new JsonError(`${what} at character ${i}`);
  };
  const skip = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const literal = (word: string, value: Json): Json => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail('unexpected token');
  };

  const string = (): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      i += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          fail('bad escape');
      }
      start = i;
    }
  };

  const number = (): number | bigint => {
    const m = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const found = m.exec(text);
    if (!found || found[0] === '-' || found[0].length === 0) return fail('bad number');
    const token = found[0];
    i += token.length;
    if (found[2] === undefined && found[3] === undefined) {
      const v = Number(token);
      return Number.isSafeInteger(v) ? v : BigInt(token);
    }
    const v = Number(token);
    if (!Number.isFinite(v)) fail('number out of range');
    return v;
  };

  const value = (depth: number): Json => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    skip();
    if (i >= n) fail('unexpected end');
    const c = text[i]!;
    if (c === '{') {
      i++;
      const obj = jsonObject();
      skip();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        skip();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        obj[key] = value(depth + 1);
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const arr: Json[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    return number();
  };

  const result = value(0);
  skip();
  if (i !== n) fail('trailing characters');
  return result;
}

export function stringifyJson(v: Json): string {
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new JsonError('a JSON number must be finite');
      return JSON.stringify(v);
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'object':
      if (v === null) return 'null';
      if (Array.isArray(v)) return `[${v.map(stringifyJson).join(',')}]`;
      return `{${Object.keys(v)
        .map((k) => `${JSON.stringify(k)}:${stringifyJson(v[k]!)}`)
        .join(',')}}`;
    default:
      throw new JsonError(`cannot write ${typeof v} as JSON`);
  }
}

export function isJsonObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Account data as text: the bytes before the trailing zero padding, strict UTF-8. */
export function accountText(data: Uint8Array): string {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(0, end));
  } catch {
    throw new JsonError('account data is not UTF-8');
  }
}
