import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Paper } from '../../server/src/corpus/paper';
import { Segment } from '../../server/src/index/segment';
import { PAIR_CHUNK, TermPairs } from '../../server/src/index/termPairs';

/** Postings as `term → [doc, value][]`, from a sort of the pairs as the builders do it. */
function postings(pairs: TermPairs<Uint8Array>, termCount: number): Map<number, [number, number][]> {
  const { offsets, ends, chunks } = pairs.sorted(termCount);
  const out = new Map<number, [number, number][]>();
  let d = 0;
  let g = 0;
  for (const { terms, values } of chunks) {
    for (let i = 0; i < terms.length; i++, g++) {
      while (ends[d] <= g) d++;
      if (!out.has(terms[i])) out.set(terms[i], []);
      out.get(terms[i])!.push([d, values[i]]);
    }
  }
  for (const [t, list] of out) assert.equal(list.length, offsets[t + 1] - offsets[t], `offsets of term ${t}`);
  return out;
}

test('term pairs: papers without pairs, pairs across chunk boundaries, and chunks reused by the next build', () => {
  const termCount = 997;
  const make = (seed: number) => {
    // Enough pairs for two chunks and a bit; every fifth paper has none.
    const expected = new Map<number, [number, number][]>();
    const pairs = new TermPairs(Uint8Array);
    let d = 0;
    for (let pushed = 0; pushed < PAIR_CHUNK * 2 + 1000; d++) {
      if (d % 5 !== 4) {
        for (let k = 0; k < 40; k++, pushed++) {
          const t = (d * 31 + k * 17 + seed) % termCount;
          const v = (d + k + seed) % 256;
          pairs.push(t, v);
          if (!expected.has(t)) expected.set(t, []);
          expected.get(t)!.push([d, v]);
        }
      }
      pairs.endPaper(d);
    }
    return { pairs, expected };
  };
  const first = make(1);
  assert.deepEqual(postings(first.pairs, termCount), first.expected);
  first.pairs.release();
  // The second build writes into the first one's chunks: nothing of the first may show through.
  const second = make(7);
  assert.deepEqual(postings(second.pairs, termCount), second.expected);
  second.pairs.release();
  assert.throws(() => new TermPairs(Uint8Array).endPaper(1), /out of order/);
});

test('segments built one after another in a thread (reused buffers) equal segments built alone', () => {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const papers = (prefix: string, n: number): Paper[] => Array.from({ length: n }, (_, i) => ({
    key: `${prefix}${i}`, type: 'article', title: `${prefix} title ${i % 97} retrieval ${i % 13}`, authors: [`Author ${i % 31}`],
    abstract: i % 3 ? `We study ${prefix} number ${i} and ${i % 7} related models.` : undefined, source: `/${prefix}.bib`, range,
  }));
  const a = papers('alpha', 3000);
  const b = papers('beta', 2000);
  const alone = Segment.build(b).toParts();
  Segment.build(a);
  const after = Segment.build(b).toParts();
  assert.deepEqual(after.offsets, alone.offsets);
  assert.deepEqual(after.docs, alone.docs);
  assert.deepEqual(after.weights, alone.weights);
  assert.deepEqual(after.related.docs, alone.related.docs);
  assert.deepEqual(after.related.impacts, alone.related.impacts);
  assert.deepEqual(after.store.bytes, alone.store.bytes);
});
