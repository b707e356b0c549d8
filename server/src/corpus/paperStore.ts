/**
 * The papers of one corpus file in a compact, columnar binary form: every text field of every
 * paper as UTF-8 in one byte array, with offsets, and the numbers (year, flags, source range) in
 * one Int32Array. A paper is decoded to a `Paper` object only when it is asked for (a result, a
 * hover), so a 100k-paper file costs one ArrayBuffer instead of a million small strings on the
 * server's heap, moves between threads without copying (the buffers are transferred), and is
 * written to and read from the index cache as it is.
 */
import type { Paper } from './paper';

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
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class PaperStore {
  private constructor(private readonly parts: PaperStoreParts) {}

  static fromParts(parts: PaperStoreParts): PaperStore {
    const n = parts.ints.length / I;
    if (!Number.isInteger(n) || parts.offsets.length !== n * F + 1 || parts.offsets[n * F] > parts.bytes.length) {
      throw new Error('inconsistent paper store');
    }
    return new PaperStore(parts);
  }

  /** Encodes papers (all from `source`). */
  static encode(papers: readonly Paper[], source: string): PaperStore {
    const n = papers.length;
    const offsets = new Uint32Array(n * F + 1);
    const ints = new Int32Array(n * I);
    const chunks: Uint8Array[] = [];
    let size = 0;
    let chunk = new Uint8Array(1 << 20);
    let used = 0;
    const put = (text: string) => {
      // Worst case 3 bytes per UTF-16 code unit.
      if (used + text.length * 3 > chunk.length) {
        chunks.push(chunk.subarray(0, used));
        chunk = new Uint8Array(Math.max(1 << 20, text.length * 3));
        used = 0;
      }
      const { written } = encoder.encodeInto(text, chunk.subarray(used));
      used += written;
      size += written;
    };
    for (let d = 0; d < n; d++) {
      const p = papers[d];
      let flags = p.keyGenerated ? KEY_GENERATED : 0;
      for (let f = 0; f < F; f++) {
        offsets[d * F + f] = size;
        const value = fieldOf(p, TEXT_FIELDS[f]);
        if (value !== undefined) {
          flags |= 1 << (PRESENT + f);
          put(value);
        }
      }
      ints[d * I] = p.year ?? NO_YEAR;
      ints[d * I + 1] = flags;
      ints[d * I + 2] = p.range.start.line;
      ints[d * I + 3] = p.range.start.character;
      ints[d * I + 4] = p.range.end.line;
      ints[d * I + 5] = p.range.end.character;
    }
    offsets[n * F] = size;
    chunks.push(chunk.subarray(0, used));
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) { bytes.set(c, at); at += c.length; }
    return new PaperStore({ source, bytes, offsets, ints });
  }

  get source(): string { return this.parts.source; }
  get length(): number { return this.parts.ints.length / I; }

  /** The buffers, to transfer or persist (not copies: do not modify). */
  toParts(): PaperStoreParts { return this.parts; }

  /** Bytes held (for memory accounting). */
  get byteSize(): number {
    return this.parts.bytes.byteLength + this.parts.offsets.byteLength + this.parts.ints.byteLength;
  }

  key(d: number): string { return this.text(d, FIELD.key); }

  keyGenerated(d: number): boolean { return (this.parts.ints[d * I + 1] & KEY_GENERATED) !== 0; }

  /** Decodes paper `d` into a fresh `Paper`. */
  get(d: number): Paper {
    const { ints } = this.parts;
    const flags = ints[d * I + 1];
    const has = (f: TextField) => (flags & (1 << (PRESENT + FIELD[f]))) !== 0;
    const opt = (f: TextField) => (has(f) ? this.text(d, FIELD[f]) : undefined);
    const authors = this.text(d, FIELD.authors);
    const p: Paper = {
      key: this.text(d, FIELD.key),
      type: this.text(d, FIELD.type),
      title: this.text(d, FIELD.title),
      authors: has('authors') ? authors.split(AUTHOR_SEPARATOR) : [],
      source: this.parts.source,
      range: {
        start: { line: ints[d * I + 2], character: ints[d * I + 3] },
        end: { line: ints[d * I + 4], character: ints[d * I + 5] },
      },
    };
    if (flags & KEY_GENERATED) p.keyGenerated = true;
    if (ints[d * I] !== NO_YEAR) p.year = ints[d * I];
    const optional = ['venue', 'abstract', 'doi', 'url', 'arxiv', 'keywords'] as const;
    for (const f of optional) {
      const v = opt(f);
      if (v !== undefined) p[f] = v;
    }
    return p;
  }

  *[Symbol.iterator](): IterableIterator<Paper> {
    for (let d = 0; d < this.length; d++) yield this.get(d);
  }

  private text(d: number, f: number): string {
    const { bytes, offsets } = this.parts;
    const a = offsets[d * F + f], b = offsets[d * F + f + 1];
    if (a === b) return '';
    // Short ASCII runs are faster by hand than through TextDecoder.
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
