import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Paper } from '../../server/src/corpus/paper';
import { cleanQueryText, matchedWords, queryStems, relatedPapers, termRanges } from '../../server/src/features/related';
import { CorpusIndex } from '../../server/src/index/corpusIndex';
import { Segment } from '../../server/src/index/segment';
import { stem } from '../../server/src/index/stem';
import { IMPACT_LEVELS, IMPACT_MAX } from '../../server/src/index/relatedPostings';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
function paper(key: string, title: string, extra: Partial<Paper> = {}): Paper {
  return { key, type: 'article', title, authors: [], source: '/corpus/a.bib', range, ...extra };
}

const papers = [
  paper('leviathan2023fast', 'Fast Inference from Transformers via Speculative Decoding', { authors: ['Yaniv Leviathan'], year: 2023, abstract: 'We accelerate autoregressive decoders by drafting tokens with a small model.' }),
  paper('cai2024medusa', 'Medusa: Multiple Decoding Heads', { abstract: 'Extra heads on a decoder predict several tokens.' }),
  paper('smith2020retrieval', 'Dense Passage Retrieval for Question Answering', { abstract: 'Retrieving passages with dual encoders.', keywords: 'retrieval, question answering' }),
  paper('decoding2019', 'Graph Neural Networks', { authors: ['Ann Decoding'], venue: 'Decoding Conference', abstract: 'Message passing on graphs.' }),
  paper('dup-a', 'Speculative Sampling', { doi: '10.1/x', abstract: 'Speculative decoding by sampling.' }),
  paper('dup-b', 'Speculative Sampling', { doi: '10.1/X', abstract: 'Speculative decoding by sampling.' }),
];
const index = new CorpusIndex();
index.setSource('/corpus/a.bib', Segment.build(papers));
const keys = (text: string, limit = 10, documentTitle?: string) =>
  relatedPapers(index, { text, limit, context: documentTitle ? { documentTitle } : undefined }).map(h => h.paper.key);

test('cleanQueryText strips citations, comments, math, Pandoc keys and numeric markers', () => {
  const cleaned = cleanQueryText('Speculative decoding \\citep[see][p.~3]{leviathan2023fast,cai2024medusa} is fast % TODO cite more\n'
    + 'with $O(n^2)$ cost and [@smith2020; @jones] or @doe2021 and [12, 14–16] \\emph{drafts}.');
  for (const gone of ['leviathan2023fast', 'cai2024medusa', 'TODO', 'n^2', 'smith2020', 'jones', 'doe2021', '12', '14', 'citep', 'emph', 'see']) {
    assert.ok(!cleaned.includes(gone), `${gone} should be stripped: ${cleaned}`);
  }
  for (const kept of ['Speculative', 'decoding', 'is fast', 'cost', 'drafts']) assert.ok(cleaned.includes(kept), `${kept} kept: ${cleaned}`);
  // An escaped percent is not a comment.
  assert.ok(cleanQueryText('a 50\\% gain in recall').includes('recall'));
});

test('query stems: Porter stemming, stopwords and numbers dropped, counts kept', () => {
  assert.equal(stem('decoding'), stem('decoder'));
  assert.equal(stem('decoders'), 'decod');
  assert.equal(stem('retrieval'), stem('retrieving'));
  const q = queryStems('The decoder and the decoding of 2023 decoders');
  assert.deepEqual([...q], [['decod', 3]]);
});

test('related ranking: stemming makes "decoding" find decoder papers; content fields only', () => {
  const ranked = keys('Speculative decoding drafts tokens to speed up a decoder.');
  assert.equal(ranked[0], 'leviathan2023fast');
  assert.ok(ranked.includes('cai2024medusa'));
  // Author, venue and key words are not related-search evidence.
  assert.ok(!ranked.includes('decoding2019'), ranked.join(','));
  // "retrieving" (query) matches "Retrieval"/"Retrieving" (paper) through the stem.
  assert.equal(keys('methods for retrieving passages')[0], 'smith2020retrieval');
  // A citation command's keys are not query words.
  assert.deepEqual(keys('\\cite{leviathan2023fast}'), []);
});

test('related: repeated DOIs (case-insensitive) appear once; limit respected', () => {
  const ranked = keys('speculative sampling', 10);
  assert.equal(ranked.filter(k => k.startsWith('dup-')).length, 1);
  assert.equal(keys('speculative decoding', 2).length, 2);
  assert.deepEqual(keys('speculative decoding', 0), []);
});

test('related: the document title adds context at a lower weight than the passage', () => {
  // The passage alone is ambiguous between the two decoding papers; the title breaks the tie.
  const withTitle = keys('decoding heads', 10, 'Dense retrieval of multiple passages');
  assert.ok(withTitle.includes('smith2020retrieval'));
  // The passage still dominates: its best match stays first.
  assert.equal(withTitle[0], 'cai2024medusa');
});

test('matchedTerms are stems that termRanges highlights in the title and abstract', () => {
  const [hit] = relatedPapers(index, { text: 'A decoder that drafts tokens speculatively', limit: 1 });
  assert.equal(hit.paper.key, 'leviathan2023fast');
  assert.ok(hit.matchedTerms.includes('decod'), hit.matchedTerms.join(','));
  assert.ok(hit.matchedTerms.includes('specul'));
  assert.ok(!hit.matchedTerms.includes('a'));
  const terms = new Set(hit.matchedTerms);
  const title = hit.paper.title;
  const words = termRanges(title, terms).map(([s, e]) => title.slice(s, e));
  assert.deepEqual(words, ['Speculative', 'Decoding']);
  const abstract = hit.paper.abstract!;
  const inAbstract = termRanges(abstract, terms).map(([s, e]) => abstract.slice(s, e));
  assert.deepEqual(inAbstract, ['decoders', 'drafting', 'tokens']);
  // Every matched term is highlighted somewhere in the title or abstract (or keywords).
  for (const t of hit.matchedTerms) {
    assert.ok(termRanges(`${title} ${abstract}`, new Set([t])).length > 0, t);
  }
});

test('termRanges: diacritics folded, y→i stems, nothing for an empty set', () => {
  assert.deepEqual(termRanges('Müller studies', new Set([stem('muller')])), [[0, 6]]);
  assert.deepEqual(termRanges('she studies; it was studied', new Set([stem('study')])).length, 2);
  assert.deepEqual(termRanges('the rayed and ayed', new Set([stem('ayed')])), [[14, 18]]);
  assert.deepEqual(termRanges('anything', new Set()), []);
});

test('lookup mode is unaffected by stemming: prefixes and exact words still complete', () => {
  const lookup = (q: string) => index.query(q, { mode: 'lookup', limit: 5 }).map(r => r.paper.key);
  assert.equal(lookup('decodi')[0] !== undefined, true);
  assert.ok(lookup('leviathan').includes('leviathan2023fast'));
  assert.ok(lookup('medus').includes('cai2024medusa'));
  assert.ok(lookup('decoding2019').includes('decoding2019'));
});

test('matchedWords: the surface word for each matched stem, in the stems\' order', () => {
  const stems = [stem('decoding'), stem('models'), stem('zebras')];
  assert.deepEqual(matchedWords(['Speculative Decoding', 'Large language models decode faster.'], stems), ['decoding', 'models', stem('zebras')]);
});

test('related query with MaxScore pruning returns what scoring every posting returns', () => {
  // A random corpus over a Zipf-like vocabulary, in several segments so that later segments are
  // pruned against the results of earlier ones; queries of 3 to 30 words, limits 1 to 25.
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const vocab = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}x`);
  const word = () => vocab[Math.floor(vocab.length * rand() ** 3)];
  const words = (n: number) => Array.from({ length: n }, word).join(' ');
  const segments: Segment[] = [];
  for (let s = 0; s < 5; s++) {
    segments.push(Segment.build(Array.from({ length: 300 + 100 * s }, (_, i) =>
      paper(`s${s}p${i}`, words(3 + Math.floor(rand() * 8)), { abstract: rand() < 0.8 ? words(Math.floor(rand() * 60)) : undefined }))));
  }
  const big = new CorpusIndex();
  segments.forEach((seg, s) => big.setSource(`/corpus/s${s}.bib`, seg));
  for (let q = 0; q < 200; q++) {
    const stems = queryStems(words(3 + Math.floor(rand() * 28)));
    const limit = 1 + Math.floor(rand() * 25);
    const got = big.relatedQuery(stems, limit);
    // Every paper scored in full, in source order.
    const all: { key: string; score: number }[] = [];
    const weights = [...stems].map(([s, n]) => ({ s, w: n * big.relatedIdf(s) * (IMPACT_MAX / IMPACT_LEVELS) })).filter(x => x.w > 0);
    for (const seg of segments) {
      for (let d = 0; d < seg.size; d++) {
        let score = 0;
        for (const { s, w } of weights) {
          const id = seg.related.stemId(s);
          if (id !== undefined) score += w * seg.related.impact(id, d);
        }
        if (score > 0) all.push({ key: seg.papers.key(d), score });
      }
    }
    const want = all.sort((a, b) => b.score - a.score).slice(0, limit);
    assert.equal(new Set(got.map(g => g.paper.key)).size, got.length, `query ${q} dup`);
    assert.equal(got.length, want.length, `query ${q}`);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
    for (let i = 0; i < want.length; i++) {
      assert.ok(close(got[i].score, want[i].score), `query ${q} rank ${i}: ${got[i].score} vs ${want[i].score}`);
      // The paper returned has that score in full (ties may be listed in either order).
      const full = all.find(a => a.key === got[i].paper.key)!;
      assert.ok(close(full.score, got[i].score), `query ${q}: ${got[i].paper.key} scored ${got[i].score}, in full ${full.score}`);
    }
  }
});
