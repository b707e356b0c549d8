/**
 * The on-disk container of the persisted index cache: one file per corpus file, holding named
 * typed arrays (the paper store and the index segment) and a little JSON, stamped with what it was
 * built from (the corpus file's path, size, mtime and content hash) and the format version.
 *
 * Layout: the 8-byte magic `RWCACHE\0`, a little-endian u32 header length, the UTF-8 JSON header,
 * zero padding to 8 bytes (the data start), then each section's bytes at the 8-aligned offset
 * (relative to the data start) the header gives.
 * Reading never trusts the file: the magic, version, stamp, a checksum of the data, every section's
 * type, offset and length are checked, and anything wrong means "no cache" (the caller rebuilds
 * and rewrites it).
 * Writes go to a temporary file renamed into place, so a crash never leaves half a cache.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const MAGIC = Buffer.from('RWCACHE\0', 'latin1');

export type Section = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
const TYPES = { Uint8Array, Uint16Array, Uint32Array, Int32Array, Float32Array, Float64Array } as const;
type TypeName = keyof typeof TYPES;

/** What a cache was built from: a cache is used only when all of it still holds. */
export interface Stamp {
  /** The corpus file, absolute. */
  source: string;
  size: number;
  mtimeMs: number;
  /** SHA-1 of the corpus file's bytes. */
  sha1: string;
  /** Format version of the payload (bumped whenever the segment or store layout changes). */
  version: number;
}

interface Header {
  stamp: Stamp;
  /** Checksum of everything after the header (the sections and their padding). */
  dataHash: { alg: ChecksumAlg; value: string };
  meta: unknown;
  sections: { name: string; type: TypeName; offset: number; length: number }[];
}

export interface CacheContents {
  meta: unknown;
  sections: Map<string, Section>;
  /** Where each section's bytes start in the file. */
  fileOffsets: Map<string, number>;
}

type ChecksumAlg = 'crc32' | 'sha1';

/** Incremental checksum: zlib's CRC-32 where Node has it (≥ 20.15; ~5 GB/s), else SHA-1. */
function checksum(alg: ChecksumAlg) {
  const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (alg === 'crc32' && crc32) {
    let value = 0;
    // (An empty view over an empty ArrayBuffer makes zlib.crc32 return 0: skip empty updates.)
    return { update(b: Uint8Array) { if (b.byteLength > 0) value = crc32(b, value); }, digest: () => (value >>> 0).toString(16) };
  }
  if (alg === 'crc32') return undefined;
  const h = createHash('sha1');
  return { update(b: Uint8Array) { h.update(b); }, digest: () => h.digest('hex') };
}

const DEFAULT_ALG: ChecksumAlg = (zlib as { crc32?: unknown }).crc32 ? 'crc32' : 'sha1';

/** The cache file of one corpus file inside `dir`. */
export function cachePath(dir: string, source: string): string {
  return path.join(dir, `${createHash('sha1').update(source).digest('hex').slice(0, 20)}.rwcache`);
}

/** Size, mtime and content hash of a corpus file, as a stamp for `version`. */
export function stampOf(source: string, bytes: Uint8Array, stat: fs.Stats, version: number): Stamp {
  return { source, size: stat.size, mtimeMs: stat.mtimeMs, sha1: sha1Of(bytes), version };
}

const align8 = (n: number) => (n + 7) & ~7;

function typeName(arr: Section): TypeName {
  for (const name of Object.keys(TYPES) as TypeName[]) if (arr instanceof TYPES[name]) return name;
  throw new Error('unsupported section type');
}

/** Writes the cache; returns where each section's bytes start in the file. */
export function writeCacheFile(file: string, stamp: Stamp, meta: unknown, sections: Record<string, Section>): Map<string, number> {
  // Section offsets are relative to the data start: the 8-aligned end of the header.
  const header: Header = { stamp, dataHash: { alg: DEFAULT_ALG, value: '' }, meta, sections: [] };
  let at = 0;
  const entries = Object.entries(sections);
  const hash = checksum(DEFAULT_ALG)!;
  for (const [name, arr] of entries) {
    header.sections.push({ name, type: typeName(arr), offset: at, length: arr.length });
    const next = align8(at + arr.byteLength);
    hash.update(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    if (next - at - arr.byteLength > 0) hash.update(new Uint8Array(next - at - arr.byteLength));
    at = next;
  }
  header.dataHash.value = hash.digest();
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = align8(MAGIC.length + 4 + headerBytes.length);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(tmp, 'w');
  try {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(headerBytes.length);
    let pos = 0;
    const write = (b: Uint8Array) => { fs.writeSync(fd, b, 0, b.length, pos); pos += b.length; };
    write(MAGIC);
    write(len);
    write(headerBytes);
    for (const [i, [, arr]] of entries.entries()) {
      const offset = dataStart + header.sections[i].offset;
      if (offset > pos) write(Buffer.alloc(offset - pos));
      write(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    }
    const end = dataStart + at;
    if (end > pos) write(Buffer.alloc(end - pos));
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
    return new Map(header.sections.map(sec => [sec.name, dataStart + sec.offset]));
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * What a cache is checked against: the corpus file as it is now. The content hash is computed
 * (by reading the corpus file) only when the size matches but the mtime does not — a file saved
 * without changes keeps its cache; one whose size or content changed does not.
 */
export interface Probe {
  source: string;
  size: number;
  mtimeMs: number;
  version: number;
  sha1: () => string;
}

/**
 * The cache in `file` if it is intact and was built from exactly the corpus file `probe`
 * describes; otherwise undefined (and a damaged or outdated file is deleted). Sections named in
 * `lazy` are checksummed but not kept in memory (only their file offsets are returned): the file
 * is read once, section by section, into arrays of their own.
 */
export function readCacheFile(file: string, probe: Probe | Stamp, lazy: readonly string[] = []): CacheContents | undefined {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch { return undefined; }
  let contents: CacheContents | undefined;
  try {
    const expected: Probe = typeof probe.sha1 === 'string' ? { ...probe, sha1: () => probe.sha1 as string } : probe as Probe;
    contents = read(fd, expected, new Set(lazy));
  } catch {
    contents = undefined;
  } finally {
    fs.closeSync(fd);
  }
  if (!contents) fs.rmSync(file, { force: true });
  return contents;
}

export function sha1Of(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

function readExactly(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = fs.readSync(fd, into, done, into.length - done, position + done);
    if (n <= 0) throw new Error('cache file truncated');
    done += n;
  }
}

function read(fd: number, expected: Probe, lazy: ReadonlySet<string>): CacheContents | undefined {
  const size = fs.fstatSync(fd).size;
  const head = Buffer.alloc(MAGIC.length + 4);
  if (size < head.length) return undefined;
  readExactly(fd, head, 0);
  if (!head.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const headerLength = head.readUInt32LE(MAGIC.length);
  if (MAGIC.length + 4 + headerLength > size) return undefined;
  const headerBytes = Buffer.alloc(headerLength);
  readExactly(fd, headerBytes, head.length);
  const header = JSON.parse(headerBytes.toString('utf8')) as Header;
  const s = header?.stamp;
  if (!s || s.source !== expected.source || s.size !== expected.size || s.version !== expected.version
    || !Array.isArray(header.sections)) return undefined;
  if (s.mtimeMs !== expected.mtimeMs && s.sha1 !== expected.sha1()) return undefined;
  const hash = header.dataHash && checksum(header.dataHash.alg);
  if (!hash) return undefined;
  const dataStart = align8(MAGIC.length + 4 + headerLength);
  // Sections in file order, each within the file and after the previous one.
  const layout = [...header.sections].sort((a, b) => a.offset - b.offset);
  let pos = dataStart;
  const sections = new Map<string, Section>();
  const fileOffsets = new Map<string, number>();
  const chunk = new Uint8Array(1 << 23);
  const stream = (from: number, length: number) => {
    for (let done = 0; done < length;) {
      const n = Math.min(chunk.length, length - done);
      const view = chunk.subarray(0, n);
      readExactly(fd, view, from + done);
      hash.update(view);
      done += n;
    }
  };
  for (const sec of layout) {
    const Type = Object.hasOwn(TYPES, sec.type) ? TYPES[sec.type] : undefined;
    if (!Type || typeof sec.name !== 'string' || !Number.isSafeInteger(sec.offset) || !Number.isSafeInteger(sec.length)
      || sec.offset < 0 || sec.length < 0 || sec.offset % 8 !== 0 || dataStart + sec.offset < pos) return undefined;
    const at = dataStart + sec.offset;
    const bytes = sec.length * Type.BYTES_PER_ELEMENT;
    if (at + bytes > size) return undefined;
    stream(pos, at - pos); // padding
    if (lazy.has(sec.name)) {
      stream(at, bytes);
      sections.set(sec.name, new Type(0));
    } else {
      const arr = new Type(sec.length);
      const view = new Uint8Array(arr.buffer, 0, bytes);
      readExactly(fd, view, at);
      hash.update(view);
      sections.set(sec.name, arr);
    }
    fileOffsets.set(sec.name, at);
    pos = at + bytes;
  }
  stream(pos, size - pos); // trailing padding
  // Bit rot or a torn copy anywhere in the data: the whole cache is discarded.
  if (hash.digest() !== header.dataHash.value) return undefined;
  return { meta: header.meta, sections, fileOffsets };
}

/** Caches unused this long are deleted (a cache is touched whenever it is used). */
export const CACHE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** Marks a cache as used now (for `pruneCacheDir`); best effort. */
export function touchCacheFile(file: string): void {
  try { const now = new Date(); fs.utimesSync(file, now, now); } catch { /* read-only or gone: fine */ }
}

/**
 * Deletes the caches and plan notes in `dir` (shared by every workspace) not used for `maxAgeMs`, except those
 * in `keep`, and temporary files a crash left behind. Returns the deleted names. Best effort.
 */
export async function pruneCacheDir(dir: string, keep: ReadonlySet<string>, maxAgeMs = CACHE_MAX_AGE_MS, now = Date.now()): Promise<string[]> {
  let names: string[];
  try { names = await fs.promises.readdir(dir); } catch { return []; }
  const deleted: string[] = [];
  for (const name of names) {
    if (!/\.rw(?:cache|plan)(\..*\.tmp)?$/.test(name)) continue;
    const file = path.join(dir, name);
    if (keep.has(file)) continue;
    try {
      const { mtimeMs } = await fs.promises.stat(file);
      if (now - mtimeMs < maxAgeMs && !name.endsWith('.tmp')) continue;
      if (name.endsWith('.tmp') && now - mtimeMs < 3600_000) continue; // maybe being written right now
      await fs.promises.rm(file, { force: true });
      deleted.push(name);
    } catch { /* gone meanwhile */ }
  }
  return deleted;
}
