import { CID } from 'multiformats/cid';
import { CODEC } from '../../core/content-address.ts';

// A UnixFS file (ipfs/specs UNIXFS.md) put back together from blocks already checked against
// their CIDs: a raw block is its own bytes; a dag-pb node's file is its own data followed by
// its links' files, in order. Only the few protobuf fields a file needs are read (dag-pb's
// PBNode Links=2 / Data=1, PBLink Hash=1; UnixFS Data Type=1, Data=2, filesize=3).

/** A block the file needs is not among those served (a CAR cut short, a gateway that gave up). */
export class MissingBlockError extends Error {
  override name = 'MissingBlockError';
}

/** The blocks are what the CID names, and they are not a UnixFS file (a directory, garbage). */
export class NotAFileError extends Error {
  override name = 'NotAFileError';
}

/** The file the CID names is larger than the cap: known from verified blocks alone. */
export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(readonly size: number) {
    super(`${size} bytes`);
  }
}

const MAX_DEPTH = 32;
const FILE = 2;
const RAW = 0;

interface Field {
  no: number;
  /** Length-delimited value, or null for a varint. */
  bytes: Uint8Array | null;
  value: number;
}

function varint(b: Uint8Array, at: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (at + i >= b.length) throw new NotAFileError('a protobuf varint runs past the block');
    const x = b[at + i]!;
    value += (x & 0x7f) * 2 ** (7 * i);
    if ((x & 0x80) === 0) return [value, at + i + 1];
  }
  throw new NotAFileError('a protobuf varint longer than 10 bytes');
}

/** The fields of one protobuf message (varints and length-delimited; fixed-width skipped). */
function fields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let o = 0;
  while (o < b.length) {
    const [key, next] = varint(b, o);
    o = next;
    const no = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      const [value, n] = varint(b, o);
      out.push({ no, bytes: null, value });
      o = n;
    } else if (wire === 2) {
      const [len, n] = varint(b, o);
      if (n + len > b.length) throw new NotAFileError('a protobuf field runs past the block');
      out.push({ no, bytes: b.subarray(n, n + len), value: len });
      o = n + len;
    } else if (wire === 1) o += 8;
    else if (wire === 5) o += 4;
    else throw new NotAFileError(`protobuf wire type ${wire} in a dag-pb block`);
  }
  if (o !== b.length) throw new NotAFileError('a protobuf field runs past the block');
  return out;
}

interface FileNode {
  links: CID[];
  data: Uint8Array;
  /** What the node says its file's size is (undefined when it does not say). */
  filesize: number | undefined;
}

function fileNode(block: Uint8Array): FileNode {
  const links: CID[] = [];
  let unixfs: Uint8Array | null = null;
  for (const f of fields(block)) {
    if (f.no === 2 && f.bytes) {
      const hash = fields(f.bytes).find((l) => l.no === 1 && l.bytes);
      if (!hash?.bytes) throw new NotAFileError('a dag-pb link without a hash');
      try {
        links.push(CID.decode(hash.bytes));
      } catch {
        throw new NotAFileError('a dag-pb link whose hash is not a CID');
      }
    } else if (f.no === 1 && f.bytes) unixfs = f.bytes;
  }
  if (!unixfs) throw new NotAFileError('a dag-pb node without UnixFS data');
  const d = fields(unixfs);
  const type = d.find((f) => f.no === 1 && f.bytes === null)?.value;
  if (type !== FILE && type !== RAW) throw new NotAFileError(`UnixFS type ${String(type)} is not a file`);
  return { links, data: d.find((f) => f.no === 2 && f.bytes)?.bytes ?? new Uint8Array(0), filesize: d.find((f) => f.no === 3 && f.bytes === null)?.value };
}

/**
 * The file `root` names, from `blocks` (each already checked against its CID, keyed by the
 * CID's string). Throws FileTooLargeError as soon as verified blocks show it is over
 * `maxBytes`, MissingBlockError when a block it needs is not there, NotAFileError otherwise.
 */
export function assembleFile(root: CID, blocks: ReadonlyMap<string, Uint8Array>, maxBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const add = (bytes: Uint8Array) => {
    size += bytes.length;
    if (size > maxBytes) throw new FileTooLargeError(size);
    parts.push(bytes);
  };
  const visit = (cid: CID, depth: number): void => {
    if (depth > MAX_DEPTH) throw new NotAFileError(`a UnixFS DAG deeper than ${MAX_DEPTH}`);
    const block = blocks.get(cid.toString());
    if (!block) throw new MissingBlockError(`block ${cid.toString().slice(0, 24)}… was not served`);
    if (cid.code === CODEC.raw) return add(block);
    if (cid.code !== CODEC.dagPb) throw new NotAFileError(`codec 0x${cid.code.toString(16)} in a UnixFS file`);
    const node = fileNode(block);
    if (depth === 0 && node.filesize !== undefined && node.filesize > maxBytes) throw new FileTooLargeError(node.filesize);
    add(node.data);
    for (const link of node.links) visit(link, depth + 1);
  };
  visit(root, 0);
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  if (root.code === CODEC.dagPb) {
    const declared = fileNode(blocks.get(root.toString())!).filesize;
    if (declared !== undefined && declared !== size) throw new NotAFileError(`the file's blocks hold ${size} bytes, its root says ${declared}`);
  }
  return out;
}

/** What the root block alone tells of the file's size, when it is a UnixFS node that says. */
export function declaredFileSize(root: CID, block: Uint8Array): number | undefined {
  if (root.code === CODEC.raw) return block.length;
  try {
    return fileNode(block).filesize;
  } catch {
    return undefined;
  }
}
