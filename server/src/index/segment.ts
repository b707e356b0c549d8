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
import { RelatedBuilder, RelatedPostings, RELATED_FIELDS } from './relatedPostings';
import { TermDictionary } from './termDictionary';
import { scanTokens, type TokenSink } from './tokenizer';

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

/** (term, doc, weight) triples collected while building, in fixed-size chunks (no copying on growth). */
class Triples {
  private static readonly CHUNK = 1 << 20;
  private terms: Uint32Array[] = [];
  private docs: Uint32Array[] = [];
  private weights: Float32Array[] = [];
  private fill = Triples.CHUNK;
  length = 0;
  push(t: number, d: number, w: number): void {
    if (this.fill === Triples.CHUNK) {
      this.terms.push(new Uint32Array(Triples.CHUNK));
      this.docs.push(new Uint32Array(Triples.CHUNK));
      this.weights.push(new Float32Array(Triples.CHUNK));
      this.fill = 0;
    }
    const c = this.terms.length - 1;
    this.terms[c][this.fill] = t;
    this.docs[c][this.fill] = d;
    this.weights[c][this.fill] = w;
    this.fill++;
    this.length++;
  }
  /** The filled chunks, in insertion order (plain loops over them beat a callback per triple). */
  chunks(): { terms: Uint32Array; docs: Uint32Array; weights: Float32Array }[] {
    return this.terms.map((t, c) => {
      const n = c === this.terms.length - 1 ? this.fill : Triples.CHUNK;
      return { terms: t.subarray(0, n), docs: this.docs[c].subarray(0, n), weights: this.weights[c].subarray(0, n) };
    });
  }
}

export class Segment {
  private readonly dict: TermDictionary;
  /** Term ids ordered by term string, for prefix ranges. */
  private readonly sortedTerms: Uint32Array;
  private readonly terms: string[];
  private readonly offsets: Uint32Array;
  readonly docs: Uint32Array;
  readonly weights: Float32Array;
  /** Field-boosted length of each paper. */
  readonly docLength: Float32Array;
  readonly totalLength: number;
  /** Lower-cased keys with their doc ids, sorted by key, for key-prefix matches. */
  private readonly keyOrder: Uint32Array;
  private readonly lowerKeys: string[];

  private constructor(
    readonly papers: readonly Paper[],
    dict: TermDictionary, offsets: Uint32Array, docs: Uint32Array,
    weights: Float32Array, docLength: Float32Array, totalLength: number,
    /** Stemmed content-field postings with BM25 impacts, for related-paper search. */
    readonly related: RelatedPostings,
  ) {
    this.dict = dict;
    const terms = dict.terms;
    this.terms = terms;
    this.offsets = offsets;
    this.docs = docs;
    this.weights = weights;
    this.docLength = docLength;
    this.totalLength = totalLength;
    // The native string sort is several times faster than sorting ids with a comparator; terms are
    // unique, so each sorted string maps back to exactly one id.
    const sorted = terms.slice().sort();
    this.sortedTerms = new Uint32Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) this.sortedTerms[i] = dict.get(sorted[i])!;
    this.lowerKeys = papers.map(p => p.key.toLowerCase());
    const keys = Array.from(papers.keys());
    keys.sort((a, b) => (this.lowerKeys[a] < this.lowerKeys[b] ? -1 : this.lowerKeys[a] > this.lowerKeys[b] ? 1 : 0));
    this.keyOrder = Uint32Array.from(keys);
  }

  /** Builds a segment in one go; `SegmentBuilder` does the same in slices. */
  static build(papers: readonly Paper[]): Segment {
    const builder = new SegmentBuilder(papers);
    while (!builder.done) builder.step(papers.length);
    return builder.finish();
  }

  /** @internal used by SegmentBuilder */
  static fromParts(papers: readonly Paper[], dict: TermDictionary, offsets: Uint32Array,
    docs: Uint32Array, weights: Float32Array, docLength: Float32Array, totalLength: number, related: RelatedPostings): Segment {
    return new Segment(papers, dict, offsets, docs, weights, docLength, totalLength, related);
  }

  get size(): number { return this.papers.length; }

  termId(term: string): number | undefined { return this.dict.get(term); }

  /** Number of papers containing the term. */
  docFreq(termId: number): number { return this.offsets[termId + 1] - this.offsets[termId]; }

  postings(termId: number): { start: number; end: number } {
    return { start: this.offsets[termId], end: this.offsets[termId + 1] };
  }

  termString(termId: number): string { return this.terms[termId]; }

  /** Ids of the terms starting with `prefix`, in term order. */
  prefixTerms(prefix: string): Uint32Array {
    const lo = lowerBound(this.sortedTerms.length, i => this.terms[this.sortedTerms[i]] < prefix);
    const hi = lowerBound(this.sortedTerms.length, i => {
      const t = this.terms[this.sortedTerms[i]];
      return t < prefix || t.startsWith(prefix);
    });
    return this.sortedTerms.subarray(lo, hi);
  }

  /** Doc ids whose key starts with `prefix` (case-insensitive), at most `limit`. */
  keysWithPrefix(prefix: string, limit: number): number[] {
    const p = prefix.toLowerCase();
    const lo = lowerBound(this.keyOrder.length, i => this.lowerKeys[this.keyOrder[i]] < p);
    const out: number[] = [];
    for (let i = lo; i < this.keyOrder.length && out.length < limit; i++) {
      const d = this.keyOrder[i];
      if (!this.lowerKeys[d].startsWith(p)) break;
      out.push(d);
    }
    return out;
  }

  /** Approximate retained size in bytes of the typed arrays (for status/benchmarks). */
  get typedBytes(): number {
    return this.dict.typedBytes + this.offsets.byteLength + this.docs.byteLength + this.weights.byteLength + this.docLength.byteLength
      + this.sortedTerms.byteLength + this.keyOrder.byteLength + this.related.typedBytes;
  }
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
  private readonly triples = new Triples();
  private readonly docLength: Float32Array;
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
    ascii: (lower, start, end, hash) => this.count(this.dict.internRange(lower, start, end, hash)),
    folded: token => this.count(this.dict.intern(token)),
  };

  constructor(private readonly papers: readonly Paper[]) {
    this.docLength = new Float32Array(papers.length);
    this.related = new RelatedBuilder(papers.length);
  }

  get done(): boolean { return this.next >= this.papers.length; }
  get progress(): number { return this.papers.length ? this.next / this.papers.length : 1; }

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
    if (this.relatedWeight > 0) this.related.add(id, this.dict.terms[id], this.relatedWeight);
  }

  /** Indexes up to `count` more papers. */
  step(count: number): void {
    const end = Math.min(this.papers.length, this.next + count);
    for (let d = this.next; d < end; d++) {
      const paper = this.papers[d];
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
        this.triples.push(id, d, this.tf[id]);
        this.tf[id] = 0;
      }
      this.touched.length = 0;
      this.docLength[d] = this.length;
      this.totalLength += this.length;
    }
    this.next = end;
  }

  finish(): Segment {
    const { triples } = this;
    const termCount = this.dict.size;
    // Counting sort of (term, doc, weight) by term; docs stay ascending within a term.
    const offsets = new Uint32Array(termCount + 1);
    const chunks = triples.chunks();
    for (const { terms } of chunks) {
      for (let i = 0; i < terms.length; i++) offsets[terms[i] + 1]++;
    }
    for (let t = 0; t < termCount; t++) offsets[t + 1] += offsets[t];
    const cursor = offsets.slice(0, termCount);
    const docs = new Uint32Array(triples.length);
    const weights = new Float32Array(triples.length);
    for (const chunk of chunks) {
      for (let i = 0; i < chunk.terms.length; i++) {
        const at = cursor[chunk.terms[i]]++;
        docs[at] = chunk.docs[i];
        weights[at] = chunk.weights[i];
      }
    }
    return Segment.fromParts(this.papers, this.dict, offsets, docs, weights, this.docLength, this.totalLength, this.related.finish());
  }
}
