// The warm-up requests the server answers after start-up must go through the real ranking code:
// each completion finds papers, each hover names a paper, each related query has hits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCorpusText } from '../../server/src/corpus/loader';
import { completeCitation } from '../../server/src/features/completion';
import { hoverCitation } from '../../server/src/features/hover';
import { relatedPapers } from '../../server/src/features/related';
import { letterRequests, warmUpIndex, warmUpRequests } from '../../server/src/features/warmUp';
import { CorpusIndex } from '../../server/src/index/corpusIndex';
import { repoRoot } from '../util/paths';

/** The sample corpus as `parts` sources; also which source each key is in. */
function sampleIndex(parts: number): { index: CorpusIndex; partOf: Map<string, number> } {
  const file = path.join(repoRoot, 'server/data/sample-corpus.txt');
  const papers = parseCorpusText(fs.readFileSync(file, 'utf8'), file).papers;
  const index = new CorpusIndex();
  const partOf = new Map<string, number>();
  const size = Math.ceil(papers.length / parts);
  for (let i = 0; i < parts; i++) {
    const slice = papers.slice(i * size, (i + 1) * size);
    for (const p of slice) partOf.set(p.key, i);
    index.setSource(`/corpus/part${i}.txt`, slice);
  }
  return { index, partOf };
}

test('warm-up requests are real requests that find papers, spread over every source', () => {
  const { index, partOf } = sampleIndex(3);
  const requests = warmUpRequests(index, 12);
  const kinds = new Set(requests.map(r => r.kind));
  assert.deepEqual([...kinds].sort(), ['completion', 'hover', 'related']);
  const hovered = new Set<number>();
  for (const r of requests) {
    if (r.kind === 'completion') {
      const c = completeCitation(r.text, r.position, r.languageId, index, { limit: 10, extraCommands: [] });
      assert.ok(c && c.results.length > 0, `no completion for ${JSON.stringify(r.text)}`);
    } else if (r.kind === 'hover') {
      const h = hoverCitation(r.text, r.position, r.languageId, index, []);
      assert.ok(h && h.papers.length > 0, `no hover for ${JSON.stringify(r.text)}`);
      hovered.add(partOf.get(h.papers[0].key)!);
    } else {
      assert.ok(relatedPapers(index, { text: r.text, limit: 5 }).length > 0, `no related papers for ${JSON.stringify(r.text.slice(0, 60))}`);
    }
  }
  assert.equal(hovered.size, 3, 'papers come from every source');
});

test('an empty index gives no warm-up requests; a small one no more papers than it has', () => {
  assert.deepEqual(warmUpRequests(new CorpusIndex(), 8), []);
  const { index } = sampleIndex(1);
  assert.equal(index.sample(10_000).length, index.size);
  assert.equal(new Set(index.sample(5).map(p => p.key)).size, 5);
});

test('the one-letter citations are completion requests for a to z', () => {
  const { index } = sampleIndex(1);
  const letters = letterRequests();
  assert.equal(letters.length, 26);
  for (const r of letters) {
    const c = completeCitation(r.text, r.position, r.languageId, index, { limit: 50, extraCommands: [] });
    assert.equal(c?.context.prefix.length, 1, r.text);
  }
});

test('the warm-up index is built a few papers per pause, in parts, and ranks as the same papers indexed at once', async () => {
  const file = path.join(repoRoot, 'server/data/sample-corpus.txt');
  const papers = parseCorpusText(fs.readFileSync(file, 'utf8'), file).papers;
  let pauses = 0;
  const index = await warmUpIndex(papers, file, async () => { pauses++; }, 4, 8);
  // Every step of at most 8 papers, and each part's finish, came after a pause.
  assert.ok(pauses >= Math.ceil(papers.length / 8) + 4, `${pauses} pauses for ${papers.length} papers`);
  assert.equal(index.size, papers.length);
  const { index: atOnce } = sampleIndex(4);
  for (const r of warmUpRequests(atOnce, 8).filter(r => r.kind === 'completion')) {
    const keys = (i: CorpusIndex) => completeCitation(r.text, r.position, r.languageId, i, { limit: 10, extraCommands: [] })?.results.map(x => x.paper.key);
    assert.deepEqual(keys(index), keys(atOnce), r.text);
  }
});
