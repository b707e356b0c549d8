/**
 * Term string ↔ dense id, as an open-addressing hash table over typed arrays. Terms can be looked
 * up by a range of a larger string plus its precomputed hash (see `scanTokens`), so indexing does
 * not allocate a string for a term it has seen before. Uses far less memory than a `Map<string, number>`
 * of the same terms.
 */
import { hashString, STOPWORDS } from './tokenizer';

/** A dictionary as plain data: the terms concatenated, their UTF-16 start offsets, the hash table. */
export interface TermDictionaryParts {
  text: string;
  offsets: Uint32Array;
  hashes: Int32Array<ArrayBufferLike>;
  table: Int32Array<ArrayBufferLike>;
  stopwordCount: number;
}

function splitTerms(text: string, offsets: Uint32Array): string[] {
  const n = offsets.length - 1;
  if (n < 0 || offsets[n] !== text.length) throw new Error('inconsistent term dictionary');
  const terms = new Array<string>(n);
  for (let i = 0; i < n; i++) terms[i] = text.slice(offsets[i], offsets[i + 1]);
  return terms;
}

export class TermDictionary {
  readonly terms: string[] = [];
  private hashes: Int32Array<ArrayBufferLike> = new Int32Array(1024);
  /** Slot → term id + 1 (0 = empty). Kept at most half full. */
  private table: Int32Array<ArrayBufferLike> = new Int32Array(2048);
  private mask = 2047;
  /** Ids below this are stopwords (interned first so a lookup tells them apart for free). */
  readonly stopwordCount: number;

  constructor(parts?: TermDictionaryParts) {
    if (parts) {
      this.terms = splitTerms(parts.text, parts.offsets);
      this.hashes = parts.hashes;
      this.table = parts.table;
      this.mask = parts.table.length - 1;
      this.stopwordCount = parts.stopwordCount;
      if (this.terms.length > this.hashes.length || (this.table.length & this.mask) !== 0 || this.table.length < 2 * this.terms.length) {
        throw new Error('inconsistent term dictionary');
      }
      return;
    }
    for (const w of STOPWORDS) this.intern(w);
    this.stopwordCount = this.terms.length;
  }

  /** The dictionary as plain data (for a worker to transfer, or the index cache to store). */
  toParts(): TermDictionaryParts {
    const offsets = new Uint32Array(this.terms.length + 1);
    let at = 0;
    this.terms.forEach((t, i) => { offsets[i] = at; at += t.length; });
    offsets[this.terms.length] = at;
    return { text: this.terms.join(''), offsets, hashes: this.hashes, table: this.table, stopwordCount: this.stopwordCount };
  }

  get size(): number { return this.terms.length; }

  isStopword(id: number): boolean { return id < this.stopwordCount; }

  /** Id of `text.slice(start, end)` (whose hash is `hash`), or -1. */
  findRange(text: string, start: number, end: number, hash: number): number {
    const len = end - start;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.table[slot];
      if (entry === 0) return -1;
      const id = entry - 1;
      if (this.hashes[id] !== hash) continue;
      const term = this.terms[id];
      if (term.length !== len) continue;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (term.charCodeAt(i) !== text.charCodeAt(start + i)) { same = false; break; }
      }
      if (same) return id;
    }
  }

  /** Id of `text.slice(start, end)`, added if new. */
  internRange(text: string, start: number, end: number, hash: number): number {
    const found = this.findRange(text, start, end, hash);
    return found >= 0 ? found : this.add(text.slice(start, end), hash);
  }

  intern(term: string): number {
    return this.internRange(term, 0, term.length, hashString(term));
  }

  get(term: string): number | undefined {
    const id = this.findRange(term, 0, term.length, hashString(term));
    return id >= 0 ? id : undefined;
  }

  private add(term: string, hash: number): number {
    const id = this.terms.length;
    this.terms.push(term);
    if (id === this.hashes.length) {
      const grown = new Int32Array(id * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[id] = hash;
    if ((id + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    else this.place(id);
    return id;
  }

  private place(id: number): void {
    let slot = this.hashes[id] & this.mask;
    while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
    this.table[slot] = id + 1;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let id = 0; id < this.terms.length; id++) this.place(id);
  }

  /** Bytes held by the typed arrays (the strings come on top). */
  get typedBytes(): number { return this.hashes.byteLength + this.table.byteLength; }
}
