/**
 * The searchable corpus: one `Segment` per source file (or per part of a large one), with BM25 scoring over
 * corpus-wide statistics. Replacing a source swaps its segment alone.
 *
 * Query modes:
 * - `lookup` (completion, palette search): the last word may be a prefix (expanded to the most
 *   frequent matching terms), papers matching more of the typed words come first, and a query that
 *   is a prefix of a citation key puts those papers on top;
 * - `related`: a bag of words (a paragraph); plain BM25, every term optional, over the exact words.
 *
 * Related-paper search proper (`relatedQuery`, used by `features/related.ts`) scores weighted
 * Porter stems against each segment's related postings (title, abstract, keywords; precomputed
 * BM25 impacts): one multiply-add per posting, corpus-wide idf.
 */
import type { Paper } from '../corpus/paper';
import { IMPACT_LEVELS, IMPACT_MAX } from './relatedPostings';
import { Segment, WEIGHT_UNIT } from './segment';
import { forEachToken, hashString, STOPWORDS } from './tokenizer';
import { gallopTo, indexOfDoc } from './postingsSearch';

export interface ScoredPaper {
  paper: Paper;
  score: number;
}

/** A related-papers result: the paper, its score and the query stems it contains. */
export interface RelatedScored extends ScoredPaper {
  matched: string[];
}

export interface QueryOptions {
  mode: 'lookup' | 'related';
  limit: number;
  /** Score every posting, without pruning or kept rankings (the reference the pruned ranking is tested against). */
  exhaustive?: boolean;
}

const K1 = 1.2;
const B = 0.75;
/** A prefix expands to at most this many terms (the most frequent ones); fewer for one or two letters. */
const MAX_PREFIX_EXPANSION = 64;
const MAX_SHORT_PREFIX_EXPANSION = 16;
const COORDINATION = 1e4;
const KEY_PREFIX_BONUS = 1e6;
/** Postings the first word's prefix may walk (a few ms): `int` at 100k papers would otherwise walk 600k. */
const PREFIX_POSTINGS_BUDGET = 80_000;
/**
 * Related queries: the stems only looked up for candidates may together contribute at most this
 * share of the current k-th best score (see `relatedQuery`). Measured at 1M papers on 300 ACM-CR
 * sentences: 0.5 takes the median from 16 to 5.5 ms; 1 (skipping all it can) makes nearly every
 * paper reached a candidate and is slower than no pruning; 0.3 walks more postings (7.5 ms).
 */
const SKIPPED_SHARE = 0.5;

interface QueryToken {
  text: string;
  prefix: boolean;
  /** How often the token occurs in the query (related mode weighs repeated words). */
  count: number;
}

/** Per-segment scratch space reused across queries (the server answers one request at a time). */
class Scratch {
  readonly total: Float32Array;
  readonly tokenScore: Float32Array;
  readonly matched: Uint16Array;
  readonly touched: Int32Array;
  /** Related-query candidates (see `relatedQuery`); papers a lookup word found (see `scoreToken`). */
  readonly candidates: Int32Array;
  touchedCount = 0;
  /** Whether any paper's total may be set, not only those in `touched` (a related query's walk). */
  anyTotal = false;
  /** How many papers the last word added found (`candidates[0 .. lastWordCount)`). */
  lastWordCount = 0;
  /** Before the last word was added (see `undoLastWord`): each paper's total, and `touchedCount`. */
  private readonly lastWordPrior: Float32Array;
  private touchedBeforeLastWord = 0;
  /**
   * What the totals hold under the last word's scores, when a lookup set it (see `query`): its full
   * words, with the index generation they were scored in. Any reset clears it.
   */
  kept: string | undefined;
  constructor(n: number) {
    this.total = new Float32Array(n);
    this.lastWordPrior = new Float32Array(n);
    this.candidates = new Int32Array(n);
    this.tokenScore = new Float32Array(n);
    this.matched = new Uint16Array(n);
    this.touched = new Int32Array(n);
  }
  /**
   * Adds a query word's scores (in `tokenScore`, for the papers `candidates[0 .. count)`, each
   * once) to the papers' totals, counts the word as matched, and clears `tokenScore` for the next
   * word.
   */
  addWord(count: number): void {
    const { total, matched, tokenScore, touched, candidates: found, lastWordPrior } = this;
    this.lastWordCount = count;
    this.touchedBeforeLastWord = this.touchedCount;
    for (let i = 0; i < count; i++) {
      const d = found[i];
      if (total[d] === 0 && matched[d] === 0) touched[this.touchedCount++] = d;
      lastWordPrior[i] = total[d];
      total[d] += tokenScore[d];
      matched[d]++;
      tokenScore[d] = 0;
    }
  }

  /** Takes back the last `addWord` exactly (totals restored, not subtracted). */
  undoLastWord(): void {
    const { total, matched, candidates: found, lastWordPrior } = this;
    for (let i = 0; i < this.lastWordCount; i++) {
      const d = found[i];
      total[d] = lastWordPrior[i];
      matched[d]--;
    }
    this.touchedCount = this.touchedBeforeLastWord;
    this.lastWordCount = 0;
  }

  reset(): void {
    this.kept = undefined;
    if (this.anyTotal) {
      this.total.fill(0);
      this.anyTotal = false;
    }
    if (this.touchedCount * 8 > this.total.length) {
      // Most papers were touched: clearing the whole arrays is faster.
      this.total.fill(0);
      this.matched.fill(0);
      this.touchedCount = 0;
      return;
    }
    for (let i = 0; i < this.touchedCount; i++) {
      const d = this.touched[i];
      this.total[d] = 0;
      this.matched[d] = 0;
    }
    this.touchedCount = 0;
  }
}

interface Entry { path: string; segment: Segment; scratch: Scratch }

/**
 * The index terms one query word stands for (see `expand`), resolved once in every segment:
 * `ids[e * terms.length + t]` is term t's id in entry e's segment (-1 where it has none), `idf[t]`
 * its corpus-wide BM25 idf, and `byIdf` the term indexes rarest first (the pruned scorers' order).
 */
interface Expansion { terms: string[]; ids: Int32Array; idf: Float64Array; byIdf: Uint16Array }

/**
 * A term a query word stands for (see `expand`): its `hashString`, and for a prefix's completion its
 * papers in the segments where it was among the most frequent, its id in each of them, and the next
 * term met with the same hash.
 */
interface Chosen { term: string; hash: number; df: number; at: (number | undefined)[]; sameHash: Chosen | undefined }

/** How many one-word prefix lookups are kept (see `prefixLookups`). */
const PREFIX_LOOKUP_CACHE = 512;
/** How many query words' expansions are kept (see `expansions`). */
const EXPANSION_CACHE = 512;

export class CorpusIndex {
  private entries: Entry[] = [];
  /**
   * Ranked results of one-word prefix lookups (`\cite{r`, `\cite{con`): the costliest queries to
   * rank (a short prefix expands to the most frequent words), typed at the start of every citation,
   * and the same until the index changes. Kept as segment entries and doc ids; decoded on each hit.
   */
  private readonly prefixLookups = new Map<string, { score: number; item: number }[]>();
  /**
   * Query words' expansions, until the index changes. At a million papers (54 segments) finding a
   * prefix's terms in every segment cost as much as scoring them; the same words recur as one types.
   */
  private readonly expansions = new Map<string, Expansion>();
  /** Counts index changes: scores a scratch kept from before one are not reused (see `Scratch.kept`). */
  private generation = 0;
  private docCount = 0;
  private totalLength = 0;

  /** Sources in priority order (earlier wins for duplicate keys); `setSource` keeps this order. */
  constructor(private readonly priority: (path: string) => number = () => 0) {}

  get size(): number { return this.docCount; }

  get sources(): readonly string[] { return [...new Set(this.entries.map(e => e.path))]; }

  /**
   * Adds or replaces the papers of one source file: a built segment, the segments of its parts (a
   * large file is indexed in parts, in file order), or papers to index now.
   */
  setSource(path: string, content: Segment | readonly Segment[] | readonly Paper[]): void {
    const segments = content instanceof Segment ? [content]
      : content.length > 0 && content.every(c => c instanceof Segment) ? content as readonly Segment[]
      : [Segment.build(content as readonly Paper[])];
    for (const e of this.entries) if (e.path === path && !segments.includes(e.segment)) e.segment.close();
    this.entries = this.entries.filter(e => e.path !== path);
    for (const segment of segments) this.entries.push({ path, segment, scratch: new Scratch(segment.size) });
    this.entries.sort((a, b) => this.priority(a.path) - this.priority(b.path));
    this.recompute();
  }

  removeSource(path: string): boolean {
    const before = this.entries.length;
    for (const e of this.entries) if (e.path === path) e.segment.close();
    this.entries = this.entries.filter(e => e.path !== path);
    if (this.entries.length === before) return false;
    this.recompute();
    return true;
  }

  private recompute(): void {
    this.prefixLookups.clear();
    this.expansions.clear();
    this.generation++;
    this.docCount = 0;
    this.totalLength = 0;
    for (const { segment } of this.entries) {
      this.docCount += segment.size;
      this.totalLength += segment.totalLength;
    }
  }

  /** The segments of one source (several for a file indexed in parts). */
  segmentsOf(path: string): Segment[] {
    return this.entries.filter(e => e.path === path).map(e => e.segment);
  }

  /** The segments of every source but `path`. */
  segmentsExcept(path: string): Segment[] {
    return this.entries.filter(e => e.path !== path).map(e => e.segment);
  }

  /** Papers with exactly this key, highest-priority source first. */
  byKey(key: string): Paper[] {
    const out: Paper[] = [];
    for (const { segment } of this.entries) for (const d of segment.docsWithKey(key)) out.push(segment.paper(d));
    return out;
  }

  /** The paper with this key from `source` if that file has it, else the highest-priority one. */
  paperWithKey(key: string, source?: string): Paper | undefined {
    const papers = this.byKey(key);
    return papers.find(p => p.source === source) ?? papers[0];
  }

  /** The first `limit` papers in source priority order (what an empty completion shows). */
  first(limit: number): Paper[] {
    const out: Paper[] = [];
    for (const { segment } of this.entries) {
      for (let d = 0; d < segment.size; d++) {
        if (out.length >= limit) return out;
        out.push(segment.paper(d));
      }
    }
    return out;
  }

  /** `count` papers spread evenly over every segment (in index order). */
  sample(count: number): Paper[] {
    const out: Paper[] = [];
    if (this.docCount === 0 || count <= 0) return out;
    const step = Math.max(1, Math.floor(this.docCount / count));
    let base = 0;
    for (const { segment } of this.entries) {
      for (let g = Math.ceil(base / step) * step; g < base + segment.size && out.length < count; g += step) out.push(segment.paper(g - base));
      base += segment.size;
    }
    return out;
  }

  query(text: string, options: QueryOptions): ScoredPaper[] {
    const tokens = queryTokens(text, options.mode === 'lookup');
    const keyPrefix = options.mode === 'lookup' ? keyPrefixOf(text) : undefined;
    if (tokens.length === 0 && !keyPrefix) return [];
    const oneWord = options.mode === 'lookup' && tokens.length === 1 && tokens[0].prefix && !options.exhaustive ? `${options.limit}\u0000${text}` : undefined;
    const cached = oneWord !== undefined ? this.prefixLookups.get(oneWord) : undefined;
    if (cached) return this.decode(cached);
    const avgLength = this.docCount ? this.totalLength / this.docCount : 1;
    // Only the first word's prefix is walked in full (later ones are looked up in the papers the
    // first found): its expansions stop at a postings budget, most frequent first.
    const expansions = tokens.map((t, i) => this.expansion(t, i === 0 ? PREFIX_POSTINGS_BUDGET : Infinity));
    // A later prefix is walked in full where the earlier words found nothing: there the budget holds too.
    const unrestricted = (ti: number) => (ti === 0 ? expansions[0] : this.expansion(tokens[ti], PREFIX_POSTINGS_BUDGET));
    // A query with key punctuation (`10.1145/3`, `smith:2020`) may be a key being typed.
    const keyLike = keyPrefix !== undefined && /[^\p{L}\p{N}]/u.test(keyPrefix);
    const keyMatches = keyPrefix ? this.keysWithPrefix(keyPrefix, options.limit) : [];
    // Full words then a prefix, typed a letter at a time (`paper d`, `paper de`): the full words'
    // scores stay in the scratches, so the next keystroke with the same words takes back the
    // prefix's scores and adds its own, instead of scoring the words again. (Exhaustive queries,
    // which tests compare with, score everything afresh.)
    const last = tokens[tokens.length - 1];
    const words = options.mode === 'lookup' && !options.exhaustive && tokens.length > 1 && last.prefix
      ? `${this.generation}\u0002${tokens.slice(0, -1).map(t => `${t.text}\u0000${t.count}`).join('\u0001')}` : undefined;
    // Heap payload: entry index * 2^32 + doc id; only the winners are decoded.
    const heap = new TopK(options.limit);
    this.entries.forEach((entry, e) => {
      const { segment, scratch } = entry;
      const reuse = words !== undefined && scratch.kept === words;
      if (reuse) scratch.undoLastWord();
      else scratch.reset();
      // When such a query matches keys, its number and word fragments would only add noise (and
      // scan huge postings): the key matches alone answer it.
      const entryKeyMatches = keyMatches.filter(m => m.entry === e);
      // The best score a paper had before a pruned last word (see `scoreToken`).
      let beforeLast: number | undefined;
      if (keyLike && keyMatches.length > 0) {
        // Key matches alone (below).
      } else if (options.mode === 'lookup' && tokens.length === 1 && !options.exhaustive) {
        this.scoreOnlyToken(entry, e, expansions[0], tokens[0].count, avgLength, heap, options.limit, entryKeyMatches);
      } else {
        tokens.forEach((token, ti) => {
          if (reuse && token !== last) return; // kept
          // In lookup mode papers matching every word rank first, so a prefix after full words only
          // needs scoring on the papers those words found (when they found any).
          const restrict = options.mode === 'lookup' && token.prefix && ti > 0 && scratch.touchedCount > 0;
          const terms = restrict || !token.prefix ? expansions[ti] : unrestricted(ti);
          const prune = restrict && !options.exhaustive ? { heap, limit: options.limit } : undefined;
          beforeLast = this.scoreToken(entry, e, terms, token.count, avgLength, restrict, prune);
        });
        scratch.kept = words;
      }
      if (keyPrefix) {
        for (const m of entryKeyMatches) {
          const d = m.doc;
          if (scratch.total[d] === 0 && scratch.matched[d] === 0) scratch.touched[scratch.touchedCount++] = d;
          scratch.total[d] += KEY_PREFIX_BONUS / (1 + segment.papers.key(d).length - keyPrefix.length);
        }
      }
      const coordinate = options.mode === 'lookup';
      const base = e * 4294967296;
      // When the results already beat every paper the last word did not find (their scores are at
      // most `beforeLast`), only the papers it found are offered. (Such queries have several words,
      // so no key prefix adds to other papers.)
      const onlyLast = beforeLast !== undefined && !keyPrefix && heap.full && heap.threshold > beforeLast + margin(beforeLast);
      const papers = onlyLast ? scratch.candidates : scratch.touched;
      const count = onlyLast ? scratch.lastWordCount : scratch.touchedCount;
      for (let i = 0; i < count; i++) {
        const d = papers[i];
        const score = scratch.total[d] + (coordinate ? COORDINATION * scratch.matched[d] : 0);
        heap.offer(score, base + d);
      }
    });
    const ranked = heap.sorted();
    if (oneWord !== undefined) {
      if (this.prefixLookups.size >= PREFIX_LOOKUP_CACHE) this.prefixLookups.clear();
      this.prefixLookups.set(oneWord, ranked);
    }
    return this.decode(ranked);
  }

  /** The papers of ranked heap items (entry index * 2^32 + doc id). */
  private decode(ranked: readonly { score: number; item: number }[]): ScoredPaper[] {
    return ranked.map(({ score, item }) => ({ score, paper: this.entries[Math.floor(item / 4294967296)].segment.paper(item % 4294967296) }));
  }

  /** The first `limit` keys starting with `prefix` (case-insensitive) in key order, over every segment. */
  private keysWithPrefix(prefix: string, limit: number): { entry: number; doc: number }[] {
    const all = this.entries.flatMap(({ segment }, entry) => segment.keysWithPrefix(prefix, limit)
      .map(doc => ({ entry, doc, key: segment.papers.key(doc).toLowerCase() })));
    all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.entry - b.entry || a.doc - b.doc));
    return all.slice(0, limit);
  }

  /**
   * Papers ranked by BM25 over the related postings for weighted stems (stem → query weight,
   * e.g. its count in the passage). Scores are comparable within one call only.
   *
   * Top-k with MaxScore pruning (Turtle & Flood), term at a time per segment. Once the
   * heap holds `limit` papers, a paper of a later segment must score above its worst one (`θ`).
   * A segment's query stems are taken in increasing order of their largest contribution there
   * (query weight × the segment's largest impact of the stem); the longest prefix of them whose
   * bounds sum to at most θ cannot put a paper in the results on their own. Only the other stems'
   * postings are walked in full, into a dense array of totals (no list of the papers reached: its
   * unpredictable branch per posting cost more than the walk). A paper becomes a candidate when its
   * total crosses θ minus the skipped stems' bounds, seen during the walk; the candidates are then
   * looked up in the skipped stems (a galloping search in ascending doc ids), dropping those that
   * can no longer reach θ. The low-idf stems of a passage have the longest postings and the
   * smallest bounds, so those are the ones skipped.
   * The results are those of scoring every posting (up to float rounding of the sums).
   */
  relatedQuery(stems: ReadonlyMap<string, number>, limit: number): RelatedScored[] {
    if (stems.size === 0 || this.docCount === 0 || limit <= 0) return [];
    const weights = [...stems].map(([stem, qw]) => ({ stem, weight: (qw > 0 ? qw * this.relatedIdf(stem) : 0) * (IMPACT_MAX / IMPACT_LEVELS) }))
      .filter(w => w.weight > 0);
    // Heap payload: entry index * 2^32 + doc id.
    const heap = new TopK(limit);
    const terms: { id: number; weight: number; bound: number }[] = [];
    this.entries.forEach(({ segment, scratch }, e) => {
      scratch.reset();
      const { related } = segment;
      const { docs, impacts } = related;
      terms.length = 0;
      for (const { stem, weight } of weights) {
        const id = related.stemId(stem);
        if (id !== undefined) terms.push({ id, weight, bound: weight * related.maxImpact[id] });
      }
      if (terms.length === 0) return;
      // Smallest bound first; ties: the longer postings first (the more worth skipping).
      terms.sort((a, b) => a.bound - b.bound || related.docFreq(b.id) - related.docFreq(a.id));
      const theta = heap.full ? heap.threshold : -1;
      // Bounds are summed in doubles and scores in floats: prune only what is clearly below θ.
      const below = theta - Math.abs(theta) * 1e-5;
      // terms[0 .. skip) are looked up for candidates only; their bounds sum to at most θ.
      let skip = 0;
      let rest = 0;
      while (skip < terms.length && rest + terms[skip].bound <= below * SKIPPED_SHARE) rest += terms[skip++].bound;
      const { total } = scratch;
      const n = total.length;
      // Any paper may hold a score after the walk: the next reset clears all totals.
      scratch.anyTotal = true;
      const base = e * 4294967296;
      if (skip === 0) {
        // Nothing to prune by (the first segments): walk, then offer every paper above θ.
        for (let t = terms.length - 1; t >= 0; t--) {
          const { id, weight } = terms[t];
          for (let i = related.start(id), end = related.end(id); i < end; i++) total[docs[i]] += weight * impacts[i];
        }
        const floor = Math.max(theta, 0);
        for (let d = 0; d < n; d++) if (total[d] > floor) heap.offer(total[d], base + d);
        return;
      }
      // A paper becomes a candidate when its total crosses `need`, which it does at most once
      // (totals only grow); stored totals are floats, so the crossing is tested on the stored value.
      const need = below - rest;
      const cand = scratch.candidates;
      let candidates = 0;
      for (let t = terms.length - 1; t >= skip; t--) {
        const { id, weight } = terms[t];
        for (let i = related.start(id), end = related.end(id); i < end; i++) {
          const d = docs[i];
          const old = total[d];
          const v = Math.fround(old + weight * impacts[i]);
          total[d] = v;
          if (v > need && old <= need) cand[candidates++] = d;
        }
      }
      // In ascending doc order for the galloping lookups.
      cand.subarray(0, candidates).sort();
      for (let t = skip - 1; t >= 0 && candidates > 0; t--) {
        const { id, weight, bound } = terms[t];
        rest -= bound;
        const start = related.start(id), end = related.end(id);
        let kept = 0;
        if (candidates * 8 < end - start) {
          let at = start;
          for (let c = 0; c < candidates; c++) {
            const d = cand[c];
            at = gallopTo(docs, at, end, d);
            if (at < end && docs[at] === d) total[d] += weight * impacts[at];
            if (total[d] + rest > below) cand[kept++] = d;
          }
        } else {
          // Many candidates: a merge along the postings.
          let c = 0;
          for (let i = start; i < end && c < candidates; i++) {
            const d = docs[i];
            while (c < candidates && cand[c] < d) {
              if (total[cand[c]] + rest > below) cand[kept++] = cand[c];
              c++;
            }
            if (c < candidates && cand[c] === d) {
              total[d] += weight * impacts[i];
              if (total[d] + rest > below) cand[kept++] = d;
              c++;
            }
          }
          for (; c < candidates; c++) if (total[cand[c]] + rest > below) cand[kept++] = cand[c];
        }
        candidates = kept;
      }
      for (let c = 0; c < candidates; c++) {
        const d = cand[c];
        if (total[d] > theta) heap.offer(total[d], base + d);
      }
    });
    return heap.sorted().map(({ score, item }) => {
      const { segment } = this.entries[Math.floor(item / 4294967296)];
      const d = item % 4294967296;
      // Which query stems this paper has: a binary search in each stem's postings (docs ascending).
      const matched = weights.filter(({ stem }) => {
        const id = segment.related.stemId(stem);
        return id !== undefined && segment.related.has(id, d);
      }).map(w => w.stem);
      return { paper: segment.paper(d), score, matched };
    });
  }

  /** BM25 idf of a stem in the related postings over the whole corpus (0 when no paper has it). */
  relatedIdf(stem: string): number {
    let df = 0;
    for (const { segment } of this.entries) {
      const id = segment.related.stemId(stem);
      if (id !== undefined) df += segment.related.docFreq(id);
    }
    return df === 0 ? 0 : bm25Idf(this.docCount, df);
  }

  /** `expand`, resolved in every segment (see `Expansion`); kept until the index changes. */
  private expansion(token: QueryToken, budget: number): Expansion {
    const key = `${token.prefix ? budget : 'word'}\u0000${token.text}`;
    let x = this.expansions.get(key);
    if (x) return x;
    const chosen = this.expand(token, budget);
    const terms = chosen.map(c => c.term);
    const n = terms.length;
    const ids = new Int32Array(this.entries.length * n);
    const df = new Float64Array(n);
    this.entries.forEach(({ segment }, e) => {
      for (let t = 0; t < n; t++) {
        // The ids `expand` met in this segment, else a dictionary lookup.
        const id = chosen[t].at[e] ?? segment.termId(terms[t], chosen[t].hash) ?? -1;
        ids[e * n + t] = id;
        if (id >= 0) df[t] += segment.docFreq(id);
      }
    });
    const idf = df.map(f => bm25Idf(this.docCount, f));
    const byIdf = Uint16Array.from(terms.keys()).sort((a, b) => idf[b] - idf[a] || a - b);
    x = { terms, ids, idf, byIdf };
    if (this.expansions.size >= EXPANSION_CACHE) this.expansions.clear();
    this.expansions.set(key, x);
    return x;
  }

  /**
   * The index terms a query token stands for: itself, or for a prefix the most frequent completions,
   * each with the ids `expand` met it under (see `Chosen`).
   */
  private expand(token: QueryToken, budget: number): Chosen[] {
    if (!token.prefix) return [{ term: token.text, hash: hashString(token.text), df: 0, at: [], sameHash: undefined }];
    const max = token.text.length <= 2 ? MAX_SHORT_PREFIX_EXPANSION : MAX_PREFIX_EXPANSION;
    // The same terms come up in every segment: they are matched by their stored hash and compared
    // in place, so each term's string is made once, not once per segment.
    const byHash = new Map<number, Chosen>();
    const met: Chosen[] = [];
    this.entries.forEach(({ segment }, e) => {
      const top = segment.frequentPrefixTerms(token.text, max);
      for (let i = 0; i < top.length; i++) {
        const id = top[i];
        const hash = segment.termHash(id);
        let c = byHash.get(hash);
        while (c && !segment.termIs(id, c.term)) c = c.sameHash;
        if (!c) {
          c = { term: segment.termString(id), hash, df: 0, at: [], sameHash: byHash.get(hash) };
          byHash.set(hash, c);
          met.push(c);
        }
        c.df += segment.docFreq(id);
        c.at[e] = id;
      }
    });
    // Most papers first; ties in the order first met (a stable sort).
    met.sort((a, b) => b.df - a.df);
    const terms: Chosen[] = [];
    let postings = 0;
    for (const c of met.slice(0, max)) {
      if (terms.length > 0 && postings + c.df > budget) break;
      terms.push(c);
      postings += c.df;
    }
    // The exact word, when it exists, is always among the expansions.
    const exact = met.find(c => c.term === token.text);
    if (exact && !terms.includes(exact)) terms.push(exact);
    return terms;
  }

  /**
   * Scores a lookup query of one word (`\cite{inter`, the start of every citation) with pruning.
   * A paper's score is its best expansion's BM25 (every paper found matches the one word, so
   * coordination adds the same to all), so an expansion whose largest possible score (idf ×
   * (k1 + 1)) is below what the results already hold cannot change them, and neither can a
   * posting that scores below it. Expansions are taken rarest first, which are also the
   * highest-scoring; the frequent ones, with the longest postings, come last and are mostly
   * skipped; within a long postings list, a posting whose weight cannot reach the bar at any paper
   * length is passed over. The bar is the better of: the worst result of earlier segments, and the
   * `limit`-th best first score of a paper in this one. Key matches get their full score by
   * lookup. Ranks as scoring every posting does (up to float rounding).
   */
  private scoreOnlyToken(entry: Entry, e: number, x: Expansion, queryCount: number, avgLength: number,
    heap: TopK, limit: number, keyMatches: readonly { doc: number }[]): void {
    const { segment, scratch } = entry;
    const { tokenScore } = scratch;
    const { docs, weights, docLength } = segment;
    const k1b = K1 * (1 - B), kb = (K1 * B) / avgLength;
    const present: { id: number; weight: number }[] = [];
    const n = x.terms.length;
    for (const t of x.byIdf) {
      const id = x.ids[e * n + t];
      const weight = x.idf[t] * queryCount;
      if (id >= 0 && weight > 0) present.push({ id, weight });
    }
    // Earlier segments' results: a paper here must score above the worst of them.
    const global = heap.full ? heap.threshold - COORDINATION : -Infinity;
    const kth = new KthBest(limit);
    // The papers found, each once (a typed buffer: a frequent word finds tens of thousands).
    const found = scratch.candidates;
    let count = 0;
    for (let t = 0; t < present.length; t++) {
      const { id, weight } = present[t];
      const w1 = weight * (K1 + 1);
      // `low`: a paper scoring no more than this cannot be among the results. `floor`: postings
      // whose weight is at most this score no more than `low` at any paper length (tf / (tf + k1b)
      // bounds the BM25 term), so they are passed over without reading the paper's length.
      let low = -Infinity, floor = -1;
      const raise = () => {
        const bar = Math.max(global, kth.value);
        low = bar - Math.max(1, Math.abs(bar)) * 1e-5;
        floor = weightFloor(low, w1, k1b);
      };
      raise();
      if (w1 < low) break;
      const { start, end } = segment.postings(id);
      for (let i = start; i < end; i++) {
        const q = weights[i];
        if (q <= floor) continue;
        const d = docs[i];
        const s = bm25(w1, q * WEIGHT_UNIT, k1b, kb, docLength[d]);
        if (s <= low) continue;
        const before = tokenScore[d];
        if (before === 0) {
          found[count++] = d;
          kth.offer(s);
          raise();
        }
        if (s > before) tokenScore[d] = s;
      }
    }
    // Key matches are in the results whatever their words score: they get their full score, from
    // the postings passed over or skipped too.
    for (const { doc: d } of keyMatches) {
      for (let t = 0; t < present.length; t++) {
        const { id, weight } = present[t];
        const { start, end } = segment.postings(id);
        const at = indexOfDoc(docs, start, end, d);
        if (at < 0) continue;
        const s = bm25(weight * (K1 + 1), weights[at] * WEIGHT_UNIT, k1b, kb, docLength[d]);
        if (tokenScore[d] === 0) found[count++] = d;
        if (s > tokenScore[d]) tokenScore[d] = s;
      }
    }
    scratch.addWord(count);
  }

  /**
   * Adds one query token's BM25 contribution (max over its expansions) to the segment's scratch.
   * `onlyTouched`: scored only on the papers earlier words found.
   *
   * `prune` (the prefix ending a lookup of several words, `\cite{paper d`: at a million papers the
   * slowest keystrokes): MaxScore over the expansions. A paper's score for the token is its best
   * expansion's BM25, so expansions go rarest first (highest-scoring: idf × (k1 + 1) bounds each).
   * Once the best score any paper had before this word, plus a match and the next expansion's
   * bound, is below the bar, the remaining expansions are skipped: they cannot lift a paper to the
   * bar, and a paper already above their bounds keeps its best expansion. Within an expansion, a
   * posting whose weight could not add enough even at paper length 0 is passed over unread. The
   * bar is the better of the earlier segments' worst result and the `limit`-th best score a paper
   * found here had when first found (both at most the final worst result). Ranks as scoring every
   * posting does. Returns, when pruned, the best score a paper had before this word: a paper this
   * word did not find scores no more (see `query`).
   */
  private scoreToken(entry: Entry, e: number, x: Expansion, queryCount: number, avgLength: number,
    onlyTouched: boolean, prune?: { heap: TopK; limit: number }): number | undefined {
    const { segment, scratch } = entry;
    const { tokenScore, matched, touched, total } = scratch;
    const { docs, weights, docLength } = segment;
    const k1b = K1 * (1 - B), kb = (K1 * B) / avgLength;
    // Pruned: rarest first (see above).
    const present: { id: number; w1: number }[] = [];
    const n = x.terms.length;
    for (let i = 0; i < n; i++) {
      const t = prune ? x.byIdf[i] : i;
      const id = x.ids[e * n + t];
      if (id >= 0) present.push({ id, w1: x.idf[t] * queryCount * (K1 + 1) });
    }
    let best = Infinity;
    let global = -Infinity;
    let kth: KthBest | undefined;
    if (prune) {
      best = -Infinity;
      for (let k = 0; k < scratch.touchedCount; k++) {
        const d = touched[k];
        const s = total[d] + COORDINATION * matched[d];
        if (s > best) best = s;
      }
      if (prune.heap.full) global = prune.heap.threshold;
      kth = new KthBest(prune.limit);
    }
    // The papers this word found, each once (a typed buffer: a frequent word finds tens of thousands).
    const found = scratch.candidates;
    let count = 0;
    /** Scores expansion `t` for paper `d`, from posting `at`. */
    const score = (w1: number, d: number, at: number) => {
      const s = bm25(w1, weights[at] * WEIGHT_UNIT, k1b, kb, docLength[d]);
      const before = tokenScore[d];
      if (before === 0) {
        found[count++] = d;
        kth?.offer(total[d] + COORDINATION * (matched[d] + 1) + s);
      }
      if (s > before) tokenScore[d] = s;
    };
    /** What this word must add to the best earlier score to reach the bar (-Infinity unpruned). */
    const needed = () => {
      if (!kth) return -Infinity;
      const bar = Math.max(global, kth.value);
      return bar - margin(bar) - COORDINATION - best;
    };
    for (const { id, w1 } of present) {
      let low = needed();
      if (w1 < low) break;
      // Postings that cannot lift a paper to the bar are passed over unread.
      let floor = weightFloor(low, w1, k1b);
      const { start, end } = segment.postings(id);
      // Restricted to the papers earlier words found: when those are few and the postings long
      // (a short prefix's frequent expansions), look each paper up instead of walking the list.
      if (onlyTouched && scratch.touchedCount * 24 < end - start) {
        for (let k = 0; k < scratch.touchedCount; k++) {
          const d = touched[k];
          const at = indexOfDoc(docs, start, end, d);
          if (at >= 0 && weights[at] > floor) score(w1, d, at);
        }
        continue;
      }
      let kthAt = kth?.value;
      for (let i = start; i < end; i++) {
        if (weights[i] <= floor) continue;
        const d = docs[i];
        if (onlyTouched && matched[d] === 0) continue;
        score(w1, d, i);
        if (kth && kth.value !== kthAt) {
          kthAt = kth.value;
          low = needed();
          if (w1 < low) break;
          floor = weightFloor(low, w1, k1b);
        }
      }
    }
    scratch.addWord(count);
    return prune ? best : undefined;
  }
}

/**
 * The largest quantised posting weight whose BM25 term (query weight × (k1 + 1) = `w1`) is at most
 * `low` at any paper length: tf / (tf + k1b) bounds it. Postings up to it can be passed over.
 */
function weightFloor(low: number, w1: number, k1b: number): number {
  return low <= 0 ? -1 : low >= w1 ? Infinity : Math.floor((low * k1b) / (w1 - low) / WEIGHT_UNIT);
}

/** Totals are float32 sums: comparisons with a bound keep this margin, so rounding does not decide. */
function margin(score: number): number {
  return 1e-3 + Math.abs(score) * 1e-6;
}

/**
 * A posting's BM25 term score: `w1` = query weight × (k1 + 1), `tf` its field-boosted frequency,
 * `k1b` = k1 (1 − b) and `kb` = k1 b / average length. The one expression every lookup path uses,
 * so a paper scores the same whichever way its posting was reached.
 */
function bm25(w1: number, tf: number, k1b: number, kb: number, length: number): number {
  return (w1 * tf) / (tf + k1b + kb * length);
}

function bm25Idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** Query words; in lookup mode the last word is a prefix unless the text ends with a separator. */
function queryTokens(text: string, prefixLast: boolean): QueryToken[] {
  const byText = new Map<string, QueryToken>();
  forEachToken(text, (tok, atEnd) => {
    // Stopwords are dropped, except a last word still being typed ("the" may become "theory").
    if (STOPWORDS.has(tok) && !(atEnd && prefixLast)) return;
    const existing = byText.get(tok);
    if (existing) { existing.count++; existing.prefix ||= atEnd && prefixLast; return; }
    byText.set(tok, { text: tok, prefix: atEnd && prefixLast, count: 1 });
  }, true);
  return [...byText.values()];
}

/** In lookup mode a query without spaces may be the start of a citation key (`vaswani2017`, `10.1145/3`). */
function keyPrefixOf(text: string): string | undefined {
  const t = text.trim();
  return t.length > 0 && !/\s/.test(t) ? t : undefined;
}

/** The `k`-th largest of the numbers offered so far (-Infinity until `k` were offered): a min-heap of the best `k`. */
class KthBest {
  private readonly heap: Float64Array;
  private size = 0;
  constructor(private readonly k: number) { this.heap = new Float64Array(Math.max(0, k)); }
  get value(): number { return this.k > 0 && this.size === this.k ? this.heap[0] : -Infinity; }
  offer(x: number): void {
    const h = this.heap;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (h[p] <= x) break;
        h[i] = h[p];
        i = p;
      }
      h[i] = x;
    } else if (this.k > 0 && x > h[0]) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = l;
        if (l >= this.k) break;
        if (r < this.k && h[r] < h[l]) m = r;
        if (h[m] >= x) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = x;
    }
  }
}

/**
 * Keeps the `k` best-scored items (numbers: entry * 2^32 + doc). Equal scores go to the smaller
 * item, that is the earlier paper in source order, so results do not depend on how a file was
 * split into segments or in which order postings were walked.
 */
class TopK {
  private readonly scores: number[] = [];
  private readonly items: number[] = [];
  constructor(private readonly k: number) {}
  get full(): boolean { return this.k > 0 && this.scores.length >= this.k; }
  /** The worst kept score (when full, an item must score above it to enter from a later item). */
  get threshold(): number { return this.scores[0]; }
  offer(score: number, item: number): void {
    if (this.k <= 0) return;
    if (this.scores.length < this.k) {
      this.scores.push(score);
      this.items.push(item);
      this.up(this.scores.length - 1);
    } else if (score > this.scores[0] || (score === this.scores[0] && item < this.items[0])) {
      this.scores[0] = score;
      this.items[0] = item;
      this.down(0);
    }
  }
  sorted(): { score: number; item: number }[] {
    return this.scores.map((score, i) => ({ score, item: this.items[i] })).sort((a, b) => b.score - a.score || a.item - b.item);
  }
  /** Whether slot `i` holds a worse item than slot `j` (the heap keeps the worst on top). */
  private worse(i: number, j: number): boolean {
    return this.scores[i] < this.scores[j] || (this.scores[i] === this.scores[j] && this.items[i] > this.items[j]);
  }
  private swap(i: number, j: number): void {
    [this.scores[i], this.scores[j]] = [this.scores[j], this.scores[i]];
    [this.items[i], this.items[j]] = [this.items[j], this.items[i]];
  }
  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.worse(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }
  private down(i: number): void {
    const n = this.scores.length;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.worse(l, m)) m = l;
      if (r < n && this.worse(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
