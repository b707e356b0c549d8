/**
 * What an index build collects before it sorts postings by term: each paper's (term, value) pairs,
 * paper after paper, in fixed-size chunks (no copying as they grow). The paper of a pair is not
 * stored: `ends[d]` is the number of pairs up to the end of paper `d`, and `sort` walks both.
 *
 * The chunks come from a pool each thread keeps and go back to it when the pairs are sorted, so the
 * parts a worker builds one after another write to the same memory. Memory a process touches for
 * the first time costs a page fault per 4 KB (the kernel zeroes each page); on the 2-core benchmark
 * VM that was ~14 µs a page, and fresh buffers were a large share of a first index's time.
 */

export const PAIR_CHUNK = 1 << 20;
/** Chunks of each type a thread keeps for its next build (the pairs of a 32 MB part fit). */
const SPARE_LIMIT = 8;

type Values = Uint8Array | Float32Array;
type ValuesType<V extends Values> = { new(length: number): V };

const spareTerms: Uint32Array[] = [];
const spareValues = new Map<ValuesType<Values>, Values[]>();

function spareOf<V extends Values>(type: ValuesType<V>): V[] {
  let list = spareValues.get(type);
  if (!list) spareValues.set(type, (list = []));
  return list as V[];
}

export class TermPairs<V extends Values> {
  private readonly terms: Uint32Array[] = [];
  private readonly values: V[] = [];
  private fill = PAIR_CHUNK;
  private ends = new Uint32Array(1024);
  private papers = 0;
  length = 0;

  constructor(private readonly type: ValuesType<V>) {}

  push(term: number, value: number): void {
    if (this.fill === PAIR_CHUNK) {
      this.terms.push(spareTerms.pop() ?? new Uint32Array(PAIR_CHUNK));
      this.values.push(spareOf(this.type).pop() ?? new this.type(PAIR_CHUNK));
      this.fill = 0;
    }
    const c = this.terms.length - 1;
    this.terms[c][this.fill] = term;
    this.values[c][this.fill] = value;
    this.fill++;
    this.length++;
  }

  /** Closes paper `d`: the pairs pushed since the last paper are its own (papers are closed in order, none skipped). */
  endPaper(d: number): void {
    if (d !== this.papers) throw new Error(`paper ${d} closed out of order`);
    if (d >= this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[d] = this.length;
    this.papers++;
  }

  /**
   * The pairs as postings (CSR layout: term t's are `offsets[t]..offsets[t + 1]` of `docs` and
   * `values`), by a counting sort on the term; docs ascend within a term. The chunks go back to
   * the thread's pool: the pairs are empty afterwards, ready for another build.
   */
  sort(termCount: number): { offsets: Uint32Array; docs: Uint32Array; values: V } {
    const ends = this.ends;
    const chunks = this.terms.map((t, c) => {
      const n = c === this.terms.length - 1 ? this.fill : PAIR_CHUNK;
      return { terms: t.subarray(0, n), values: this.values[c].subarray(0, n) };
    });
    const offsets = new Uint32Array(termCount + 1);
    for (const { terms } of chunks) for (let i = 0; i < terms.length; i++) offsets[terms[i] + 1]++;
    for (let t = 0; t < termCount; t++) offsets[t + 1] += offsets[t];
    const cursor = offsets.slice(0, termCount);
    const docs = new Uint32Array(this.length);
    const values = new this.type(this.length);
    // (Plain loops over the chunks: a callback per pair would be slower.)
    let d = 0;
    let g = 0;
    for (const chunk of chunks) {
      for (let i = 0; i < chunk.terms.length; i++, g++) {
        while (ends[d] <= g) d++;
        const at = cursor[chunk.terms[i]]++;
        docs[at] = d;
        values[at] = chunk.values[i];
      }
    }
    this.release();
    return { offsets, docs, values };
  }

  private release(): void {
    const values = spareOf(this.type);
    for (const t of this.terms) if (spareTerms.length < SPARE_LIMIT) spareTerms.push(t);
    for (const v of this.values) if (values.length < SPARE_LIMIT) values.push(v);
    this.terms.length = 0;
    this.values.length = 0;
    this.fill = PAIR_CHUNK;
    this.length = 0;
    this.papers = 0;
  }
}
