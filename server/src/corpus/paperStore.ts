/**
 * The papers of one corpus file in a compact, columnar binary form: every text field of every
 * paper as UTF-8 in one byte array, with offsets, and the numbers (year, flags, source range) in
 * one Int32Array. A paper is decoded to a `Paper` object only when it is asked for (a result, a
 * hover), so a 100k-paper file costs one ArrayBuffer instead of a million small strings on the
 * server's heap, moves between threads without copying (the buffers are transferred), and is
 * written to and read from the index cache as it is.
 *
 * When the index cache holds the text, the store can leave it there (`fromFile`): the bytes of a
 * paper are read from the cache file when it is decoded (a few µs from the page cache), so titles
 * and abstracts cost no memory at all — what keeps a million papers within the memory budget.
 */
import fs from 'node:fs';
import type { Paper } from './paper';
import { readFully } from './readFully';

const TEXT_FIELDS = ['key', 'type', 'title', 'authors', 'venue', 'abstract', 'doi', 'url', 'arxiv', 'keywords'] as const;
type TextField = typeof TEXT_FIELDS[number];
const F = TEXT_FIELDS.length;
const FIELD: Record<TextField, number> = Object.fromEntries(TEXT_FIELDS.map((f, i) => [f, i])) as Record<TextField, number>;
/** Ints per paper: year, flags, range start line/character, end line/character. */
const I = 6;
const NO_YEAR = -0x80000000;
const KEY_GENERATED = 1;
/** Presence bits of the optional text fields start here (bit 1 + field index). */
const PRESENT = 1;
const AUTHOR_SEPARATOR = '\u001f';

/** The store as plain data: what is transferred between threads and written to the cache. */
export interface PaperStoreParts {
  source: string;
  /** UTF-8 of every text field of every paper. */
  bytes: Uint8Array;
  /** `offsets[d * F + f]` is where field f of paper d starts in `bytes`; one extra entry at the end. */
  offsets: Uint32Array;
  ints: Int32Array;
  /**
   * The keys again, UTF-8, concatenated (`keyOffsets[d]..keyOffsets[d + 1]`): always in memory,
   * so key lookups (hover, diagnostics, key completion) never read the file.
   */
  keyBytes: Uint8Array;
  keyOffsets: Uint32Array;
}

const decoder = new TextDecoder();

/** Where a store's bytes sit in a file (the index cache): the rest of the store stays in memory. */
export interface StoreFile { path: string; offset: number; length: number }

export class PaperStore {
  private fd: number | undefined;
  private scratch = new Uint8Array(4096);

  private constructor(private readonly parts: PaperStoreParts, private readonly file?: StoreFile) {
    if (file) this.fd = fs.openSync(file.path, 'r');
  }

  /** @internal A store `PaperStoreEncoder` has just built (consistent by construction). */
  static fromEncoded(parts: PaperStoreParts): PaperStore {
    return new PaperStore(parts);
  }

  static fromParts(parts: PaperStoreParts): PaperStore {
    PaperStore.check(parts, parts.bytes.length);
    return new PaperStore(parts);
  }

  /** A store whose bytes are read from `file` on demand (`parts.bytes` is not used). */
  static fromFile(parts: PaperStoreParts, file: StoreFile): PaperStore {
    PaperStore.check(parts, file.length);
    const store = new PaperStore({ ...parts, bytes: new Uint8Array(0) }, file);
    if (fs.fstatSync(store.fd!).size < file.offset + file.length) {
      store.close();
      throw new Error('paper store file is shorter than its index says');
    }
    return store;
  }

  private static check(parts: PaperStoreParts, byteLength: number): void {
    const n = parts.ints.length / I;
    if (!Number.isInteger(n) || parts.offsets.length !== n * F + 1 || parts.offsets[n * F] > byteLength) {
      throw new Error('inconsistent paper store');
    }
    for (let i = 0; i < n * F; i++) if (parts.offsets[i] > parts.offsets[i + 1]) throw new Error('inconsistent paper store');
    if (parts.keyOffsets.length !== n + 1 || parts.keyOffsets[n] > parts.keyBytes.length) throw new Error('inconsistent paper store');
    for (let i = 0; i < n; i++) if (parts.keyOffsets[i] > parts.keyOffsets[i + 1]) throw new Error('inconsistent paper store');
  }

  /** Lets go of the file (a file-backed store only); the store must not be used afterwards. */
  close(): void {
    if (this.fd !== undefined) { try { fs.closeSync(this.fd); } catch { /* already closed */ } this.fd = undefined; }
  }

  /** Whether the text lives in a file rather than in memory. */
  get fileBacked(): boolean { return this.file !== undefined; }

  /** Bytes `[a, b)` of the text, from memory or from the file. */
  private bytes(a: number, b: number): Uint8Array {
    if (!this.file) return this.parts.bytes.subarray(a, b);
    const len = b - a;
    if (len > this.scratch.length) this.scratch = new Uint8Array(Math.max(len, this.scratch.length * 2));
    if (this.fd === undefined) throw new Error('paper store closed');
    return readFully(this.fd, this.scratch.subarray(0, len), this.file.offset + a, 'paper store file truncated');
  }

  /** Encodes papers (all from `source`). */
  static encode(papers: readonly Paper[], source: string): PaperStore {
    const encoder = new PaperStoreEncoder(source, papers.length);
    for (const p of papers) encoder.add(p);
    return encoder.finish();
  }

  get source(): string { return this.parts.source; }
  get length(): number { return this.parts.ints.length / I; }

  /** The buffers, to transfer or persist (not copies: do not modify). */
  toParts(): PaperStoreParts { return this.parts; }

  /** Bytes held in memory (for memory accounting). */
  get byteSize(): number {
    return this.parts.bytes.byteLength + this.parts.offsets.byteLength + this.parts.ints.byteLength
      + this.parts.keyBytes.byteLength + this.parts.keyOffsets.byteLength;
  }

  key(d: number): string {
    const { keyBytes, keyOffsets } = this.parts;
    return decodeRange(keyBytes, keyOffsets[d], keyOffsets[d + 1]);
  }

  keyGenerated(d: number): boolean { return (this.parts.ints[d * I + 1] & KEY_GENERATED) !== 0; }

  /** Decodes paper `d` into a fresh `Paper` (one read of its bytes when file-backed). */
  get(d: number): Paper {
    const { ints, offsets } = this.parts;
    const flags = ints[d * I + 1];
    const base = offsets[d * F];
    const all = this.bytes(base, offsets[d * F + F]);
    const field = (f: number) => decodeRange(all, offsets[d * F + f] - base, offsets[d * F + f + 1] - base);
    const has = (f: TextField) => (flags & (1 << (PRESENT + FIELD[f]))) !== 0;
    const p: Paper = {
      key: field(FIELD.key),
      type: field(FIELD.type),
      title: field(FIELD.title),
      authors: has('authors') ? field(FIELD.authors).split(AUTHOR_SEPARATOR) : [],
      source: this.parts.source,
      range: {
        start: { line: ints[d * I + 2], character: ints[d * I + 3] },
        end: { line: ints[d * I + 4], character: ints[d * I + 5] },
      },
    };
    if (flags & KEY_GENERATED) p.keyGenerated = true;
    if (ints[d * I] !== NO_YEAR) p.year = ints[d * I];
    const optional = ['venue', 'abstract', 'doi', 'url', 'arxiv', 'keywords'] as const;
    for (const f of optional) if (has(f)) p[f] = field(FIELD[f]);
    return p;
  }

  *[Symbol.iterator](): IterableIterator<Paper> {
    for (let d = 0; d < this.length; d++) yield this.get(d);
  }
}

/** UTF-8 → string; short ASCII runs by hand (faster than TextDecoder for keys). */
function decodeRange(bytes: Uint8Array, a: number, b: number): string {
  if (b - a <= 32) {
    let s = '';
    for (let i = a; i < b; i++) {
      const c = bytes[i];
      if (c >= 0x80) return decoder.decode(bytes.subarray(a, b));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(bytes.subarray(a, b));
}

function fieldOf(p: Paper, f: TextField): string | undefined {
  switch (f) {
    case 'key': return p.key;
    case 'type': return p.type;
    case 'title': return p.title;
    case 'authors': return p.authors.length ? p.authors.join(AUTHOR_SEPARATOR) : undefined;
    default: return p[f];
  }
}

/**
 * Builds a store a paper at a time (so the caller can let go of each paper once it is added). The
 * text goes into one buffer, which the caller may size or reuse (see `buildSource`), grown only
 * when it falls short, and the store's text is a view of it: no copy at the end, and no memory
 * touched twice (fresh pages are a large share of a first index's time, see `termPairs.ts`).
 */
export class PaperStoreEncoder {
  private n = 0;
  private offsets: Uint32Array;
  private ints: Int32Array;
  private bytes: Buffer;
  private size = 0;

  /**
   * `expected`: how many papers (an estimate; the arrays grow as needed). `text`: the buffer to
   * write their text into, from the start (a larger one replaces it when it fills up).
   */
  constructor(private readonly source: string, expected = 1024, text: Uint8Array = new Uint8Array(64 << 10)) {
    this.offsets = new Uint32Array(Math.max(1, expected) * F + 1);
    this.ints = new Int32Array(Math.max(1, expected) * I);
    this.bytes = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  }

  get length(): number { return this.n; }

  add(p: Paper): void {
    const d = this.n++;
    if (this.n * I > this.ints.length) {
      const capacity = (this.ints.length / I) * 2;
      const offsets = new Uint32Array(capacity * F + 1);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const ints = new Int32Array(capacity * I);
      ints.set(this.ints);
      this.ints = ints;
    }
    const { offsets, ints } = this;
    let flags = p.keyGenerated ? KEY_GENERATED : 0;
    for (let f = 0; f < F; f++) {
      offsets[d * F + f] = this.size;
      const value = fieldOf(p, TEXT_FIELDS[f]);
      if (value !== undefined) {
        flags |= 1 << (PRESENT + f);
        this.put(value);
      }
    }
    ints[d * I] = p.year ?? NO_YEAR;
    ints[d * I + 1] = flags;
    ints[d * I + 2] = p.range.start.line;
    ints[d * I + 3] = p.range.start.character;
    ints[d * I + 4] = p.range.end.line;
    ints[d * I + 5] = p.range.end.character;
  }

  private put(text: string): void {
    // Worst case 3 bytes per UTF-16 code unit.
    if (this.size + text.length * 3 > this.bytes.length) {
      const grown = Buffer.from(new ArrayBuffer(Math.max(1024, this.bytes.length * 1.5, this.size + text.length * 3)));
      grown.set(this.bytes.subarray(0, this.size));
      this.bytes = grown;
    }
    // (`Buffer.write` is 2-3× `TextEncoder.encodeInto` here, and makes no view per call.)
    this.size += this.bytes.write(text, this.size);
  }

  finish(): PaperStore {
    const n = this.n;
    const offsets = this.offsets.slice(0, n * F + 1);
    offsets[n * F] = this.size;
    const ints = this.ints.slice(0, n * I);
    const bytes = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.size);
    this.bytes = Buffer.alloc(0);
    const keyOffsets = new Uint32Array(n + 1);
    for (let d = 0; d < n; d++) keyOffsets[d + 1] = keyOffsets[d] + offsets[d * F + 1] - offsets[d * F];
    const keyBytes = new Uint8Array(keyOffsets[n]);
    for (let d = 0; d < n; d++) keyBytes.set(bytes.subarray(offsets[d * F], offsets[d * F + 1]), keyOffsets[d]);
    return PaperStore.fromEncoded({ source: this.source, bytes, offsets, ints, keyBytes, keyOffsets });
  }
}
