/**
 * One immutable index segment: the papers of one corpus file as a compact inverted index.
 * Postings live in typed arrays (CSR layout: `offsets[t]..offsets[t+1]` into `docs`/`weights`),
 * so a 100k-paper file costs a few tens of MB rather than the ~1.4 GB of a default MiniSearch index.
 *
 * Each paper is indexed as one virtual BM25 document whose term frequencies are field-boosted
 * (a term in the title counts `FIELD_BOOSTS.title` times); the scorer in `corpusIndex.ts` applies
 * BM25 with corpus-wide statistics, so a changed file is re-indexed alone. This serves lookups
 * (completion, palette search) on exact words and prefixes.
 *
 * Related-paper search uses a second set of postings built in the same pass (`related`, see
 * `relatedPostings.ts`): Porter stems of the title, abstract and keywords only, with precomputed
 * BM25 impacts.
 */
import type { Paper } from '../corpus/paper';
import { PaperStore, PaperStoreEncoder, type PaperStoreParts, type StoreFile } from '../corpus/paperStore';
import { RelatedBuilder, RelatedPostings, RELATED_FIELDS, type RelatedPostingsParts } from './relatedPostings';
import { idsInStringOrder } from './stringOrder';
import { TermDictionary, type TermDictionaryParts } from './termDictionary';
import { TermPairs } from './termPairs';
import { ASCII_LOWER, hashString, scanTokens, type TokenSink } from './tokenizer';

/** A segment as plain data: what a worker transfers and the index cache stores. */
export interface SegmentParts {
  store: PaperStoreParts;
  dict: TermDictionaryParts;
  offsets: Uint32Array;
  docs: Uint32Array;
  /** Field-boosted term frequencies in units of `WEIGHT_UNIT` (see there). */
  weights: Uint8Array;
  docLength: Float32Array;
  totalLength: number;
  sortedTerms: Uint32Array;
  keyOrder: Uint32Array;
  keyHashes: Float64Array;
  related: RelatedPostingsParts;
}

/**
 * A 52-bit hash of a citation key (two 32-bit FNV-1a variants), for telling a worker which keys
 * other corpus files already use without sending the keys themselves.
 */
export function keyHash(key: string): number {
  const h1 = hashString(key) >>> 0;
  let h2 = 0x01000193 | 0;
  for (let i = key.length - 1; i >= 0; i--) h2 = Math.imul(h2 ^ key.charCodeAt(i), 0x5bd1e995);
  return h1 * 1048576 + ((h2 >>> 12) & 0xfffff);
}

/** Whether a sorted Float64Array holds `h`. */
export function hasHash(sorted: Float64Array, h: number): boolean {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < h) lo = mid + 1; else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === h;
}

export const FIELD_BOOSTS = {
  key: 3,
  title: 3,
  authors: 2,
  keywords: 1.5,
  venue: 1,
  year: 1,
  abstract: 1,
} as const;

type Field = keyof typeof FIELD_BOOSTS;

/**
 * Postings store a paper's field-boosted term frequency in one byte, in half units (every boost is
 * a multiple of 0.5, so this is exact), saturating at 127.5. BM25 barely tells such frequencies
 * apart (tf/(tf+k) is within 1% of 1 there), and a byte instead of a float saves 30 MB of the
 * 113k-paper index and 270 MB at a million papers.
 */
export const WEIGHT_UNIT = 0.5;

function quantizedWeight(tf: number): number {
  return Math.min(255, Math.round(tf / WEIGHT_UNIT));
}

function fieldText(p: Paper, f: Field): string | undefined {
  switch (f) {
    case 'key': return p.key;
    case 'title': return p.title;
    case 'authors': return p.authors.length ? p.authors.join(' ') : undefined;
    case 'keywords': return p.keywords;
    case 'venue': return p.venue;
    case 'year': return p.year !== undefined ? String(p.year) : undefined;
    case 'abstract': return p.abstract;
  }
}

const FIELDS = Object.keys(FIELD_BOOSTS) as Field[];

export class Segment {
  private readonly dict: TermDictionary;
  /** Term ids ordered by term string, for prefix ranges. */
  private readonly sortedTerms: Uint32Array;
  private readonly offsets: Uint32Array;
  readonly docs: Uint32Array;
  /** In units of `WEIGHT_UNIT`. */
  readonly weights: Uint8Array;
  /** Field-boosted length of each paper. */
  readonly docLength: Float32Array;
  /** `frequentPrefixTerms` of prefixes many terms share, as they are asked for. */
  private readonly prefixTop = new Map<string, number[]>();
  readonly totalLength: number;
  /** Doc ids sorted by lower-cased key, for key lookups and key-prefix matches. */
  private readonly keyOrder: Uint32Array;
  /** `keyHash` of every key, sorted. */
  readonly keyHashes: Float64Array;

  private constructor(
    readonly papers: PaperStore,
    private readonly parts: SegmentParts,
    /** Stemmed content-field postings with BM25 impacts, for related-paper search. */
    readonly related: RelatedPostings,
  ) {
    this.dict = new TermDictionary(parts.dict);
    this.offsets = parts.offsets;
    this.docs = parts.docs;
    this.weights = parts.weights;
    this.docLength = parts.docLength;
    this.totalLength = parts.totalLength;
    this.sortedTerms = parts.sortedTerms;
    this.keyOrder = parts.keyOrder;
    this.keyHashes = parts.keyHashes;
  }

  /**
   * A segment from plain data (built in a worker, or read from the index cache). The data is
   * checked so that no stored index can make a query read out of bounds or loop: a damaged one
   * throws, and the caller rebuilds it. `checked`: the worker that made or read the parts has
   * already run these checks (`fromParts` there), so the server's thread does not walk every
   * posting again (30-70 ms for a 20k-paper part); the store is checked either way.
   */
  static fromParts(parts: SegmentParts, storeFile?: StoreFile, checked = false): Segment {
    const papers = storeFile ? PaperStore.fromFile(parts.store, storeFile) : PaperStore.fromParts(parts.store);
    try {
      return checked ? Segment.unchecked(papers, parts) : Segment.checked(papers, parts);
    } catch (e) {
      papers.close();
      throw e;
    }
  }

  private static checked(papers: PaperStore, parts: SegmentParts): Segment {
    const n = papers.length;
    const terms = parts.offsets.length - 1;
    const ok = parts.docs.length === parts.weights.length && parts.offsets[terms] === parts.docs.length
      && parts.docLength.length === n && parts.keyOrder.length === n && parts.keyHashes.length === n
      && parts.sortedTerms.length === terms && parts.dict.offsets.length - 1 === terms && Number.isFinite(parts.totalLength);
    if (!ok) throw new Error('inconsistent segment');
    for (let t = 0; t < terms; t++) if (parts.offsets[t] > parts.offsets[t + 1]) throw new Error('inconsistent segment');
    for (let i = 0; i < parts.docs.length; i++) if (parts.docs[i] >= n) throw new Error('inconsistent segment');
    for (let i = 0; i < n; i++) if (parts.keyOrder[i] >= n) throw new Error('inconsistent segment');
    for (let i = 0; i < terms; i++) if (parts.sortedTerms[i] >= terms) throw new Error('inconsistent segment');
    return new Segment(papers, parts, RelatedPostings.fromParts(parts.related, n));
  }

  /** @internal A segment from parts this process has just built (no validation). */
  static trusted(parts: SegmentParts): Segment {
    return Segment.unchecked(PaperStore.fromParts(parts.store), parts);
  }

  private static unchecked(papers: PaperStore, parts: SegmentParts): Segment {
    return new Segment(papers, parts, new RelatedPostings(new TermDictionary(parts.related.dict), parts.related.offsets,
      parts.related.docs, parts.related.impacts, parts.related.maxImpact));
  }

  /** Lets go of the file a file-backed paper store reads from; the segment must not be used afterwards. */
  close(): void { this.papers.close(); }

  /** The segment as plain data (the arrays themselves, not copies). */
  toParts(): SegmentParts {
    return { ...this.parts, related: this.related.toParts() };
  }

  /** Builds a segment in one go; `SegmentBuilder` does the same in slices. */
  static build(papers: readonly Paper[], source = papers[0]?.source ?? ''): Segment {
    const builder = new SegmentBuilder(papers, source);
    while (!builder.done) builder.step(papers.length);
    return builder.finish();
  }

  get size(): number { return this.papers.length; }

  /** Paper `d`, decoded from the store (a fresh object each call). */
  paper(d: number): Paper { return this.papers.get(d); }

  /** Doc ids of the papers whose key is exactly `key`. */
  docsWithKey(key: string): number[] {
    const lower = key.toLowerCase();
    const order = this.keyOrder;
    const lo = lowerBound(order.length, i => this.papers.key(order[i]).toLowerCase() < lower);
    const out: number[] = [];
    for (let i = lo; i < order.length; i++) {
      const k = this.papers.key(order[i]);
      if (k.toLowerCase() !== lower) break;
      if (k === key) out.push(order[i]);
    }
    return out;
  }

  /** `hash`: the term's `hashString`, when the caller already has it. */
  termId(term: string, hash?: number): number | undefined { return this.dict.get(term, hash); }

  /** Number of papers containing the term. */
  docFreq(termId: number): number { return this.offsets[termId + 1] - this.offsets[termId]; }

  postings(termId: number): { start: number; end: number } {
    return { start: this.offsets[termId], end: this.offsets[termId + 1] };
  }

  termString(termId: number): string { return this.dict.term(termId); }

  /** `hashString` of a term, and whether a term is a given string, without making its string. */
  termHash(termId: number): number { return this.dict.hashOf(termId); }
  termIs(termId: number, s: string): boolean { return this.dict.equals(termId, s); }

  /** Ids of the terms starting with `prefix`, in term order. */
  prefixTerms(prefix: string): Uint32Array {
    // Compared in place: at 54 segments, making a string per probe was a large part of a new prefix's cost.
    const lo = lowerBound(this.sortedTerms.length, i => this.dict.prefixOrder(this.sortedTerms[i], prefix) < 0);
    const hi = lowerBound(this.sortedTerms.length, i => this.dict.prefixOrder(this.sortedTerms[i], prefix) <= 0);
    return this.sortedTerms.subarray(lo, hi);
  }

  /**
   * The `max` most frequent terms starting with `prefix` (all of them when fewer). A prefix that
   * many terms share (`co`: thousands) is typed again and again: the choice is kept for next time.
   */
  frequentPrefixTerms(prefix: string, max: number): ArrayLike<number> {
    const ids = this.prefixTerms(prefix);
    if (ids.length <= max) return ids;
    const key = `${max}\u0000${prefix}`;
    let top = this.prefixTop.get(key);
    if (!top) {
      if (this.prefixTop.size >= PREFIX_TOP_CACHE) this.prefixTop.clear();
      this.prefixTop.set(key, (top = mostFrequent(this, ids, max)));
    }
    return top;
  }

  /** Doc ids whose key starts with `prefix` (case-insensitive), at most `limit`. */
  keysWithPrefix(prefix: string, limit: number): number[] {
    const p = prefix.toLowerCase();
    const lo = lowerBound(this.keyOrder.length, i => this.papers.key(this.keyOrder[i]).toLowerCase() < p);
    const out: number[] = [];
    for (let i = lo; i < this.keyOrder.length && out.length < limit; i++) {
      const d = this.keyOrder[i];
      if (!this.papers.key(d).toLowerCase().startsWith(p)) break;
      out.push(d);
    }
    return out;
  }

  /** Approximate retained size in bytes of the typed arrays (for status/benchmarks). */
  get typedBytes(): number {
    return this.dict.typedBytes + this.offsets.byteLength + this.docs.byteLength + this.weights.byteLength + this.docLength.byteLength
      + this.sortedTerms.byteLength + this.keyOrder.byteLength + this.keyHashes.byteLength + this.related.typedBytes + this.papers.byteSize;
  }
}

/** Prefixes whose most frequent terms a segment keeps (a few KB). */
const PREFIX_TOP_CACHE = 512;

/** The `max` terms of `ids` with the most papers (one pass; a short-prefix range holds thousands). */
function mostFrequent(segment: Segment, ids: Uint32Array, max: number): number[] {
  const best: number[] = [];
  const df: number[] = [];
  let min = 0; // index of the least frequent kept term, once `best` is full
  for (let i = 0; i < ids.length; i++) {
    const f = segment.docFreq(ids[i]);
    if (best.length < max) {
      best.push(ids[i]);
      df.push(f);
      if (best.length === max) for (let k = 1; k < max; k++) if (df[k] < df[min]) min = k;
    } else if (f > df[min]) {
      best[min] = ids[i];
      df[min] = f;
      for (let k = 0; k < max; k++) if (df[k] < df[min]) min = k;
    }
  }
  return best;
}

/** First index in [0, n) for which `before(i)` is false (`before` must be monotone). */
function lowerBound(n: number, before: (i: number) => boolean): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Builds a `Segment` a slice of papers at a time, so the caller can yield to the event loop
 * between slices and keep answering requests while a large file is indexed.
 */
export class SegmentBuilder {
  private readonly dict = new TermDictionary();
  /** Each paper's (term, weight) pairs, sorted into postings at the end. */
  private readonly pairs = new TermPairs(Uint8Array);
  private docLength: Float32Array;
  /** Field-boosted term frequency of the paper being indexed, by term id, and the ids it touched. */
  private tf = new Float32Array(1 << 16);
  private touched: number[] = [];
  private totalLength = 0;
  private next = 0;
  private boost = 1;
  /** Weight of the current field in the related postings (0: not indexed there). */
  private relatedWeight = 0;
  private readonly related: RelatedBuilder;
  private length = 0;
  private readonly sink: TokenSink = {
    ascii: (text, start, end, hash) => this.count(this.dict.internRange(text, start, end, hash, ASCII_LOWER)),
    folded: token => this.count(this.dict.intern(token)),
  };

  /** Papers added and not indexed yet (each is let go once indexed and encoded). */
  private queue: (Paper | undefined)[] = [];
  private queued = 0;
  private readonly store: PaperStoreEncoder;
  private readonly lowerKeys: string[] = [];
  private readonly keyHashes: number[] = [];

  /**
   * `papers`: the first (or only) papers; more can be added with `add`, in order. `text`: the
   * buffer the paper store writes their text into (see `PaperStoreEncoder`).
   */
  constructor(papers: readonly Paper[], private readonly source = papers[0]?.source ?? '', text?: Uint8Array) {
    this.docLength = new Float32Array(Math.max(1024, papers.length));
    this.related = new RelatedBuilder(papers.length);
    this.store = new PaperStoreEncoder(source, papers.length, text);
    this.add(papers);
  }

  /** More papers, indexed after those added before. */
  add(papers: readonly Paper[]): void {
    for (let i = 0; i < papers.length; i++) this.queue.push(papers[i]);
  }

  /** Every paper added so far is indexed. */
  get done(): boolean { return this.queued >= this.queue.length; }
  /** Share of the papers added so far that are indexed. */
  get progress(): number { return this.queue.length ? this.queued / this.queue.length : 1; }
  /** Papers indexed so far. */
  get size(): number { return this.next; }

  private count(id: number): void {
    if (this.dict.isStopword(id)) return;
    if (id >= this.tf.length) {
      const grown = new Float32Array(Math.max(id + 1, this.tf.length * 2));
      grown.set(this.tf);
      this.tf = grown;
    }
    if (this.tf[id] === 0) this.touched.push(id);
    this.tf[id] += this.boost;
    this.length += this.boost;
    if (this.relatedWeight > 0) this.related.add(id, this.dict.term(id), this.relatedWeight);
  }

  /** Indexes up to `count` more papers. */
  step(count: number): void {
    const end = Math.min(this.queue.length, this.queued + count);
    for (; this.queued < end; this.queued++) {
      const paper = this.queue[this.queued]!;
      this.queue[this.queued] = undefined;
      const d = this.next++;
      this.length = 0;
      for (const f of FIELDS) {
        const text = fieldText(paper, f);
        if (!text) continue;
        this.boost = FIELD_BOOSTS[f];
        this.relatedWeight = (RELATED_FIELDS as Partial<Record<Field, number>>)[f] ?? 0;
        scanTokens(text, this.sink);
      }
      this.relatedWeight = 0;
      this.related.endDoc(d);
      for (const id of this.touched) {
        this.pairs.push(id, quantizedWeight(this.tf[id]));
        this.tf[id] = 0;
      }
      this.touched.length = 0;
      this.pairs.endPaper(d);
      if (d >= this.docLength.length) {
        const grown = new Float32Array(this.docLength.length * 2);
        grown.set(this.docLength);
        this.docLength = grown;
      }
      this.docLength[d] = this.length;
      this.totalLength += this.length;
      this.store.add(paper);
      this.lowerKeys.push(paper.key.toLowerCase());
      this.keyHashes.push(keyHash(paper.key));
    }
    if (this.queued === this.queue.length) { this.queue = []; this.queued = 0; }
  }

  finish(): Segment {
    while (!this.done) this.step(this.queue.length);
    const n = this.next;
    const lowerKeys = this.lowerKeys;
    const keyOrder = idsInStringOrder(lowerKeys);
    const keyHashes = Float64Array.from(this.keyHashes).sort();
    const store = this.store.finish();
    const docLength = this.docLength.slice(0, n);
    const termCount = this.dict.size;
    const { offsets, docs, values: weights } = this.pairs.sort(termCount);
    const sortedTerms = idsInStringOrder(this.dict.allTerms());
    // Built here, so consistent by construction: no validation pass (`fromParts` checks what comes from elsewhere).
    return Segment.trusted({
      store: store.toParts(), dict: this.dict.toParts(), offsets, docs, weights, docLength,
      totalLength: this.totalLength, sortedTerms, keyOrder, keyHashes, related: this.related.finish().toParts(),
    });
  }
}
