/**
 * Term string ↔ dense id, as an open-addressing hash table over typed arrays. Terms can be looked
 * up by a range of a larger string plus its precomputed hash (see `scanTokens`), so indexing does
 * not allocate a string for a term it has seen before. Uses far less memory than a `Map<string, number>`
 * of the same terms.
 */
import { detach } from '../corpus/records';
import { hashString, STOPWORDS } from './tokenizer';

/** A dictionary as plain data: the terms concatenated, their UTF-16 start offsets, the hash table. */
export interface TermDictionaryParts {
  text: string;
  offsets: Uint32Array;
  hashes: Int32Array<ArrayBufferLike>;
  table: Int32Array<ArrayBufferLike>;
  stopwordCount: number;
}

export class TermDictionary {
  /** The terms in id order while building; empty for a dictionary loaded from parts. */
  private readonly list: string[] = [];
  /** A loaded dictionary's terms, concatenated (`text.slice(starts[id], starts[id + 1])`): one string, not a million. */
  private readonly text: string | undefined;
  private readonly starts: Uint32Array | undefined;
  private hashes: Int32Array<ArrayBufferLike> = new Int32Array(1024);
  /** Slot → term id + 1 (0 = empty). Kept at most half full. */
  private table: Int32Array<ArrayBufferLike> = new Int32Array(2048);
  private mask = 2047;
  /** Ids below this are stopwords (interned first so a lookup tells them apart for free). */
  readonly stopwordCount: number;

  constructor(parts?: TermDictionaryParts) {
    if (parts) {
      const n = parts.offsets.length - 1;
      if (n < 0 || parts.offsets[n] !== parts.text.length) throw new Error('inconsistent term dictionary');
      for (let i = 0; i < n; i++) if (parts.offsets[i] > parts.offsets[i + 1]) throw new Error('inconsistent term dictionary');
      this.text = parts.text;
      this.starts = parts.offsets;
      this.hashes = parts.hashes;
      this.table = parts.table;
      this.mask = parts.table.length - 1;
      this.stopwordCount = parts.stopwordCount;
      if (n > this.hashes.length || (this.table.length & this.mask) !== 0 || this.table.length < 2 * n) {
        throw new Error('inconsistent term dictionary');
      }
      return;
    }
    for (const w of STOPWORDS) this.intern(w);
    this.stopwordCount = this.list.length;
  }

  /** The dictionary as plain data (for a worker to transfer, or the index cache to store). */
  toParts(): TermDictionaryParts {
    if (this.text !== undefined) {
      return { text: this.text, offsets: this.starts!, hashes: this.hashes, table: this.table, stopwordCount: this.stopwordCount };
    }
    const offsets = new Uint32Array(this.list.length + 1);
    let at = 0;
    this.list.forEach((t, i) => { offsets[i] = at; at += t.length; });
    offsets[this.list.length] = at;
    return { text: this.list.join(''), offsets, hashes: this.hashes, table: this.table, stopwordCount: this.stopwordCount };
  }

  get size(): number { return this.text !== undefined ? this.starts!.length - 1 : this.list.length; }

  /** The term with this id. */
  term(id: number): string {
    return this.text !== undefined ? this.text.slice(this.starts![id], this.starts![id + 1]) : this.list[id];
  }

  /** Every term, in id order (a copy). */
  allTerms(): string[] {
    return this.text !== undefined ? Array.from({ length: this.size }, (_, i) => this.term(i)) : this.list.slice();
  }

  isStopword(id: number): boolean { return id < this.stopwordCount; }

  /**
   * Id of `text.slice(start, end)` (whose hash is `hash`), or -1. With `caseMask` `ASCII_LOWER`,
   * of that range lower-cased (an ASCII letters-and-digits token, see `scanTokens`).
   */
  findRange(text: string, start: number, end: number, hash: number, caseMask = 0): number {
    const len = end - start;
    const own = this.text, starts = this.starts;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.table[slot];
      if (entry === 0) return -1;
      const id = entry - 1;
      if (this.hashes[id] !== hash) continue;
      let same = true;
      if (own !== undefined) {
        const at = starts![id];
        if (starts![id + 1] - at !== len) continue;
        for (let i = 0; i < len; i++) {
          if (own.charCodeAt(at + i) !== (text.charCodeAt(start + i) | caseMask)) { same = false; break; }
        }
      } else {
        const term = this.list[id];
        if (term.length !== len) continue;
        for (let i = 0; i < len; i++) {
          if (term.charCodeAt(i) !== (text.charCodeAt(start + i) | caseMask)) { same = false; break; }
        }
      }
      if (same) return id;
    }
  }

  /** Id of `text.slice(start, end)` (lower-cased with `caseMask` `ASCII_LOWER`), added if new. */
  internRange(text: string, start: number, end: number, hash: number, caseMask = 0): number {
    const found = this.findRange(text, start, end, hash, caseMask);
    if (found >= 0) return found;
    const term = text.slice(start, end);
    return this.add(caseMask ? term.toLowerCase() : term, hash);
  }

  intern(term: string): number {
    return this.internRange(term, 0, term.length, hashString(term));
  }

  /** Id of `term`, or undefined; `hash`: its `hashString`, when the caller already has it. */
  get(term: string, hash = hashString(term)): number | undefined {
    const id = this.findRange(term, 0, term.length, hash);
    return id >= 0 ? id : undefined;
  }

  /** The `hashString` of term `id`. */
  hashOf(id: number): number { return this.hashes[id]; }

  /** Whether term `id` is `s`, compared in place (no string made). */
  equals(id: number, s: string): boolean {
    return this.length(id) === s.length && this.commonPrefix(id, s) === s.length;
  }

  /**
   * Where term `id` sorts against `prefix`, in JavaScript string order, compared in place: 0 when it
   * starts with `prefix`, negative when it sorts before (and does not start with it), positive after.
   */
  prefixOrder(id: number, prefix: string): number {
    const len = this.length(id);
    const same = this.commonPrefix(id, prefix);
    if (same < len && same < prefix.length) return this.charAt(id, same) - prefix.charCodeAt(same);
    return len >= prefix.length ? 0 : -1;
  }

  private length(id: number): number {
    return this.text !== undefined ? this.starts![id + 1] - this.starts![id] : this.list[id].length;
  }

  private charAt(id: number, i: number): number {
    return this.text !== undefined ? this.text.charCodeAt(this.starts![id] + i) : this.list[id].charCodeAt(i);
  }

  /** How many leading UTF-16 units term `id` shares with `s`. */
  private commonPrefix(id: number, s: string): number {
    const n = Math.min(this.length(id), s.length);
    let i = 0;
    while (i < n && this.charAt(id, i) === s.charCodeAt(i)) i++;
    return i;
  }

  private add(term: string, hash: number): number {
    if (this.text !== undefined) throw new Error('a loaded term dictionary is read-only');
    const id = this.list.length;
    // A term sliced from a paper's text would otherwise keep that text (or a whole chunk of the
    // file) alive as long as the dictionary.
    this.list.push(detach(term));
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
    for (let id = 0; id < this.list.length; id++) this.place(id);
  }

  /** Bytes held by the typed arrays (the strings come on top). */
  get typedBytes(): number { return this.hashes.byteLength + this.table.byteLength; }
}
