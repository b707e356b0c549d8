import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Paper } from '../../server/src/corpus/paper';
import { Segment } from '../../server/src/index/segment';
import { PAIR_CHUNK, TermPairs } from '../../server/src/index/termPairs';

/** Postings as `term → [doc, value][]`, from the sorted pairs (terms without postings left out). */
function postings(pairs: TermPairs<Uint8Array>, termCount: number): Map<number, [number, number][]> {
  const { offsets, docs, values } = pairs.sort(termCount);
  const out = new Map<number, [number, number][]>();
  for (let t = 0; t < termCount; t++) {
    if (offsets[t + 1] === offsets[t]) continue;
    const list: [number, number][] = [];
    for (let at = offsets[t]; at < offsets[t + 1]; at++) list.push([docs[at], values[at]]);
    out.set(t, list);
  }
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
  // Sorting gives the chunks back to the pool.
  assert.deepEqual(postings(first.pairs, termCount), first.expected);
  // The second build writes into the first one's chunks: nothing of the first may show through.
  const second = make(7);
  assert.deepEqual(postings(second.pairs, termCount), second.expected);
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
