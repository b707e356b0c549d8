/**
 * The related-papers half of a segment: stemmed postings over title, abstract and keywords with
 * precomputed, 8-bit quantised BM25 impacts (term-frequency saturation and length normalisation
 * folded in at build time), so scoring a query term is one multiply-add per posting and each term
 * knows its largest contribution in the segment (for MaxScore pruning in `corpusIndex.ts`).
 *
 * Why these choices (numbers in docs/retrieval.md, measured on ACM-CR): Porter stemming, only the
 * three content fields (keys, authors, venue and year only add noise to a passage query), one
 * concatenated BM25 document rather than BM25F, k1 = 1.5 and b = 0.6.
 */
import { TermDictionary, type TermDictionaryParts } from './termDictionary';
import { stem } from './stem';
import { indexOfDoc } from './postingsSearch';
import { TermPairs } from './termPairs';

export const RELATED_K1 = 1.5;
export const RELATED_B = 0.6;
/** Impacts are stored as round(impact / IMPACT_MAX * 255); an impact is below k1 + 1. */
export const IMPACT_MAX = RELATED_K1 + 1;
export const IMPACT_LEVELS = 255;

/** Field weights (as term-frequency multipliers) of the related postings; other fields are not indexed here. */
export const RELATED_FIELDS = { title: 1, abstract: 1, keywords: 1 } as const;

export interface RelatedPostingsParts {
  dict: TermDictionaryParts;
  offsets: Uint32Array;
  docs: Uint32Array;
  impacts: Uint8Array;
  maxImpact: Uint8Array;
}

export class RelatedPostings {
  static fromParts(p: RelatedPostingsParts, docCount: number): RelatedPostings {
    const dict = new TermDictionary(p.dict);
    const n = p.offsets.length - 1;
    if (n !== dict.size || p.maxImpact.length !== n || p.offsets[n] !== p.docs.length || p.impacts.length !== p.docs.length) {
      throw new Error('inconsistent related postings');
    }
    for (let i = 0; i < p.docs.length; i++) if (p.docs[i] >= docCount) throw new Error('inconsistent related postings');
    return new RelatedPostings(dict, p.offsets, p.docs, p.impacts, p.maxImpact);
  }

  toParts(): RelatedPostingsParts {
    return { dict: this.dict.toParts(), offsets: this.offsets, docs: this.docs, impacts: this.impacts, maxImpact: this.maxImpact };
  }

  constructor(
    private readonly dict: TermDictionary,
    private readonly offsets: Uint32Array,
    readonly docs: Uint32Array,
    readonly impacts: Uint8Array,
    /** Largest impact of each stem's postings. */
    readonly maxImpact: Uint8Array,
  ) {}

  /** Id of a stem (see `stem`), or undefined when no paper of the segment has it. */
  stemId(s: string): number | undefined {
    const id = this.dict.get(s);
    return id !== undefined && this.offsets[id + 1] > this.offsets[id] ? id : undefined;
  }

  docFreq(stemId: number): number { return this.offsets[stemId + 1] - this.offsets[stemId]; }

  /** Whether paper `doc` has the stem. */
  has(stemId: number, doc: number): boolean { return this.impact(stemId, doc) > 0; }

  /** The quantised impact of the stem in paper `doc`, 0 if it lacks the stem. */
  impact(stemId: number, doc: number): number {
    const at = indexOfDoc(this.docs, this.offsets[stemId], this.offsets[stemId + 1], doc);
    return at < 0 ? 0 : this.impacts[at];
  }

  start(stemId: number): number { return this.offsets[stemId]; }
  end(stemId: number): number { return this.offsets[stemId + 1]; }

  get typedBytes(): number {
    return this.dict.typedBytes + this.offsets.byteLength + this.docs.byteLength + this.impacts.byteLength + this.maxImpact.byteLength;
  }
}

/**
 * Collects the related postings while `SegmentBuilder` scans a paper: the builder hands over each
 * non-stopword term of the content fields (by its id in the segment's exact-word dictionary, so
 * each distinct word is stemmed once per segment, not once per occurrence).
 */
export class RelatedBuilder {
  private readonly dict = new TermDictionary();
  /** Exact-word term id → stem id (-1: not yet stemmed). */
  private stemOf = new Int32Array(1 << 16).fill(-1);
  private tf = new Float32Array(1 << 16);
  private touched: number[] = [];
  private length = 0;
  private docLength: Float32Array;
  /** Papers closed so far (`endDoc`). */
  private docCount = 0;
  private totalLength = 0;
  /** Each paper's (stem, term frequency) pairs. */
  private readonly pairs = new TermPairs(Float32Array);

  /** `expected`: how many papers there will be, if known (the arrays grow as needed). */
  constructor(expected = 0) {
    this.docLength = new Float32Array(Math.max(1024, expected));
  }

  /** One occurrence of the exact-word term `termId` (text `term`) with the field's weight. */
  add(termId: number, term: string, weight: number): void {
    if (termId >= this.stemOf.length) {
      const grown = new Int32Array(Math.max(termId + 1, this.stemOf.length * 2)).fill(-1);
      grown.set(this.stemOf);
      this.stemOf = grown;
    }
    let s = this.stemOf[termId];
    if (s < 0) {
      s = this.dict.intern(stem(term));
      this.stemOf[termId] = s;
    }
    if (s >= this.tf.length) {
      const grown = new Float32Array(Math.max(s + 1, this.tf.length * 2));
      grown.set(this.tf);
      this.tf = grown;
    }
    if (this.tf[s] === 0) this.touched.push(s);
    this.tf[s] += weight;
    this.length += weight;
  }

  /** Closes paper `d` (papers are closed in order). */
  endDoc(d: number): void {
    for (const s of this.touched) {
      this.pairs.push(s, this.tf[s]);
      this.tf[s] = 0;
    }
    this.pairs.endPaper(d);
    this.touched.length = 0;
    if (d >= this.docLength.length) {
      const grown = new Float32Array(Math.max(d + 1, this.docLength.length * 2));
      grown.set(this.docLength);
      this.docLength = grown;
    }
    this.docCount = Math.max(this.docCount, d + 1);
    this.docLength[d] = this.length;
    this.totalLength += this.length;
    this.length = 0;
  }

  finish(): RelatedPostings {
    const termCount = this.dict.size;
    const avg = this.docCount ? this.totalLength / this.docCount : 1;
    const { offsets, docs, values: tfs } = this.pairs.sort(termCount);
    const impacts = new Uint8Array(docs.length);
    const maxImpact = new Uint8Array(termCount);
    const k1 = RELATED_K1, b = RELATED_B;
    const norm = new Float32Array(this.docCount);
    for (let d = 0; d < this.docCount; d++) norm[d] = k1 * (1 - b + b * this.docLength[d] / avg);
    for (let s = 0; s < termCount; s++) {
      let max = 0;
      for (let at = offsets[s]; at < offsets[s + 1]; at++) {
        const tf = tfs[at];
        const impact = (tf * (k1 + 1)) / (tf + norm[docs[at]]);
        const q = Math.max(1, Math.min(IMPACT_LEVELS, Math.round((impact / IMPACT_MAX) * IMPACT_LEVELS)));
        impacts[at] = q;
        if (q > max) max = q;
      }
      maxImpact[s] = max;
    }
    return new RelatedPostings(this.dict, offsets, docs, impacts, maxImpact);
  }
}
