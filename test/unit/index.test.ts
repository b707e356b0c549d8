import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Paper } from '../../server/src/corpus/paper';
import { CorpusIndex } from '../../server/src/index/corpusIndex';
import { Segment } from '../../server/src/index/segment';
import { TermDictionary } from '../../server/src/index/termDictionary';
import { hashString, tokenize } from '../../server/src/index/tokenizer';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
function paper(key: string, title: string, extra: Partial<Paper> = {}): Paper {
  return { key, type: 'article', title, authors: [], source: '/corpus/a.bib', range, ...extra };
}

const papers = [
  paper('vaswani2017attention', 'Attention Is All You Need', { authors: ['Ashish Vaswani', 'Noam Shazeer'], year: 2017, venue: 'NeurIPS', abstract: 'The dominant sequence transduction models are based on recurrent networks.' }),
  paper('cai2024medusa', 'Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads', { authors: ['Tianle Cai'], year: 2024, abstract: 'Speculative decoding with extra heads.' }),
  paper('leviathan2023fast', 'Fast Inference from Transformers via Speculative Decoding', { authors: ['Yaniv Leviathan'], year: 2023 }),
  paper('muller2020theory', 'A Theory of Ünïcode Folding', { authors: ['Jürgen Müller'], year: 2020 }),
  paper('10.1145/3331184.3331265', 'Deep Retrieval', { year: 2019 }),
];

function keys(index: CorpusIndex, q: string, mode: 'lookup' | 'related' = 'lookup'): string[] {
  return index.query(q, { mode, limit: 10 }).map(r => r.paper.key);
}

test('tokenizer folds case and diacritics, splits letter/digit runs, drops stopwords', () => {
  assert.deepEqual(tokenize('The Müller-Lyer GPT4 model of 2017'), ['muller', 'lyer', 'gpt', '4', 'model', '2017']);
  assert.deepEqual(tokenize('vaswani2017attention'), ['vaswani', '2017', 'attention']);
});

test('free words typed in a citation find the paper; all words matched ranks first', () => {
  const index = new CorpusIndex();
  index.setSource('/corpus/a.bib', papers);
  assert.equal(keys(index, 'medusa decoding')[0], 'cai2024medusa');
  assert.equal(keys(index, 'vaswani 2017')[0], 'vaswani2017attention');
  // "speculative decoding" is in Leviathan's title and Cai's abstract: both found, title first.
  assert.deepEqual(keys(index, 'speculative decoding').slice(0, 2), ['leviathan2023fast', 'cai2024medusa']);
});

test('the last word is a prefix, including a stopword-looking one', () => {
  const index = new CorpusIndex();
  index.setSource('/corpus/a.bib', papers);
  assert.equal(keys(index, 'medu')[0], 'cai2024medusa');
  assert.equal(keys(index, 'the')[0], 'muller2020theory');
  assert.deepEqual(keys(index, 'the '), []);
});

test('a key prefix (also a DOI) puts that key first; diacritics fold', () => {
  const index = new CorpusIndex();
  index.setSource('/corpus/a.bib', papers);
  assert.equal(keys(index, 'lev')[0], 'leviathan2023fast');
  assert.equal(keys(index, '10.1145/3331')[0], '10.1145/3331184.3331265');
  assert.equal(keys(index, 'müller')[0], 'muller2020theory');
  assert.equal(keys(index, 'unicode')[0], 'muller2020theory');
});

test('related mode is a bag of words; sources can be replaced and removed alone', () => {
  const index = new CorpusIndex();
  index.setSource('/corpus/a.bib', papers);
  index.setSource('/corpus/b.bib', [paper('other2021', 'Speculative Sampling for Decoding', { source: '/corpus/b.bib' })]);
  assert.equal(index.size, 6);
  const related = keys(index, 'We accelerate inference with speculative decoding of transformers.', 'related');
  assert.equal(related[0], 'leviathan2023fast');
  assert.ok(related.includes('other2021'));
  index.setSource('/corpus/b.bib', []);
  assert.equal(index.size, 5);
  assert.ok(!keys(index, 'sampling').includes('other2021'));
  assert.equal(index.removeSource('/corpus/a.bib'), true);
  assert.equal(index.size, 0);
  assert.deepEqual(keys(index, 'medusa'), []);
});

test('byKey returns papers of the highest-priority source first', () => {
  const order = ['/ws/refs.bib', '/corpus/a.bib'];
  const index = new CorpusIndex(p => order.indexOf(p));
  index.setSource('/corpus/a.bib', papers);
  index.setSource('/ws/refs.bib', [paper('cai2024medusa', 'Medusa (workspace copy)', { source: '/ws/refs.bib' })]);
  assert.deepEqual(index.byKey('cai2024medusa').map(p => p.source), ['/ws/refs.bib', '/corpus/a.bib']);
  assert.deepEqual(index.byKey('missing'), []);
});

test('a key being typed with punctuation lists only the keys it starts', () => {
  const index = new CorpusIndex();
  index.setSource('/corpus/acm.bib', [
    paper('10.1145/3331184.3331265', 'Deep Retrieval'),
    paper('10.1145/2009916.2009934', 'Query Expansion'),
    paper('10.1145/3331184.3331300', 'Neural Ranking'),
  ]);
  assert.deepEqual(keys(index, '10.1145/3331').sort(), ['10.1145/3331184.3331265', '10.1145/3331184.3331300']);
  // Without punctuation the words still count: "retrieval" is not a key prefix.
  assert.deepEqual(keys(index, 'retrieval'), ['10.1145/3331184.3331265']);
});

test('a prefix after full words ranks papers that have all of them', () => {
  const index = new CorpusIndex();
  index.setSource('/corpus/a.bib', papers);
  assert.deepEqual(keys(index, 'speculative dec').slice(0, 2), ['leviathan2023fast', 'cai2024medusa']);
  assert.equal(keys(index, 'inference acc')[0], 'cai2024medusa');
});

test('lookup: a prefix after a rare word is looked up in that word\'s papers (long postings), same ranking rules', () => {
  // 3000 papers share "common"/"commodity" words; three have the rare word "zymurgy". The prefix
  // "com" after "zymurgy" takes the binary-search path (few touched papers, long postings).
  const many: Paper[] = [];
  for (let i = 0; i < 3000; i++) many.push(paper(`p${i}`, i % 2 ? 'Common ground in retrieval' : 'Commodity hardware for search'));
  many.push(paper('z1', 'Zymurgy and common yeast'), paper('z2', 'Zymurgy at home'), paper('z3', 'Commodity zymurgy kits'));
  const index = new CorpusIndex();
  index.setSource('/many.bib', many);
  const top = keys(index, 'zymurgy com');
  assert.deepEqual(top.slice(0, 2).sort(), ['z1', 'z3'], 'papers with both words first');
  assert.deepEqual(top.slice(2), ['z2'], 'then the paper with the full word only (the prefix is scored on those papers alone)');
});

test('lookup: a lone short prefix walks a bounded number of postings, most frequent words first', () => {
  const many: Paper[] = [];
  for (let i = 0; i < 120_000; i++) many.push(paper(`p${i}`, i % 3 === 0 ? 'International workshop' : i % 3 === 1 ? 'Interaction design' : 'Interface study'));
  many.push(paper('rare', 'Intricate patterns'));
  const index = new CorpusIndex();
  index.setSource('/big.bib', many);
  const t = performance.now();
  const top = keys(index, 'int');
  const ms = performance.now() - t;
  assert.equal(top.length, 10);
  assert.ok(top.every(k => k.startsWith('p')), 'the frequent expansions are the ones walked');
  assert.ok(ms < 500, `${ms} ms`);
});

test('a one-word prefix lookup is kept until the index changes, and a kept result equals a fresh one', () => {
  const index = new CorpusIndex();
  index.setSource('/corpus/a.bib', papers);
  const first = keys(index, 'spec');
  assert.deepEqual(first, ['leviathan2023fast', 'cai2024medusa']);
  assert.deepEqual(keys(index, 'spec'), first, 'the kept result');
  // A new source with a better match: the kept result must not hide it.
  index.setSource('/corpus/b.bib', [paper('spec2025', 'Speculative Speculation about Speculative Sampling', { year: 2025 })]);
  assert.equal(keys(index, 'spec')[0], 'spec2025');
  index.removeSource('/corpus/b.bib');
  assert.deepEqual(keys(index, 'spec'), first);
  // Kept results are decoded afresh: changing a returned paper changes nothing kept.
  index.query('spec', { mode: 'lookup', limit: 5 })[0].paper.key = 'changed';
  assert.deepEqual(keys(index, 'spec'), first);
});

test('a prefix shared by many terms expands to the most frequent, also when asked again', () => {
  const word = (i: number) => `ter${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
  const many = Array.from({ length: 200 }, (_, i) => paper(`p${i}`, `${word(i)}${i % 3 === 0 ? ' termfrequent' : ''}`));
  const index = new CorpusIndex();
  index.setSource('/corpus/m.bib', many);
  assert.equal(keys(index, 'ter').length, 10);
  const segmentTop = (s: Segment) => Array.from(s.frequentPrefixTerms('ter', 4), id => s.termString(id));
  const segment = Segment.build(many);
  const top = segmentTop(segment);
  assert.equal(top.length, 4);
  assert.ok(top.includes('termfrequent'), top.join());
  assert.deepEqual(segmentTop(segment), top, 'kept');
});

test('a prefix that is a word one segment has among its most frequent stays among the expansions, however many words other segments add', () => {
  // The first segment has 70 words `netaa`…, each in three papers: more than the 64 most frequent
  // completions a prefix of three or more letters expands to. In the second, "net" is the only
  // `net…` word, in two papers: the last of all the words met, yet kept.
  const word = (i: number) => `net${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
  const frequent = Array.from({ length: 210 }, (_, i) => paper(`p${i}`, `${word(i % 70)} systems`));
  const rare = [paper('dotnet', 'The .NET runtime'), paper('petri', 'Petri net semantics')];
  const index = new CorpusIndex();
  index.setSource('/corpus/a.bib', frequent);
  index.setSource('/corpus/b.bib', rare);
  assert.deepEqual(keys(index, 'net').slice(0, 2).sort(), ['dotnet', 'petri'], 'the rarer word ranks first');
  assert.equal(keys(index, 'runtime net')[0], 'dotnet');
  assert.equal(keys(index, 'semantics net')[0], 'petri');
  // A prefix that is no word expands to its frequent completions only.
  assert.ok(keys(index, 'neta').every(k => k.startsWith('p')));
});

test('prefix expansions across segments: terms with the same hash stay apart, and scores do not depend on the split', () => {
  // "zqhaczf" and "zqvlbpp" have the same 32-bit FNV-1a hash (the dictionaries' hash).
  assert.equal(hashString('zqhaczf'), hashString('zqvlbpp'));
  const a = [paper('a1', 'zqhaczf methods'), paper('a2', 'zqhaczf zqhaczf survey'), paper('a3', 'zqvlbpp notes')];
  const b = [paper('b1', 'zqvlbpp methods'), paper('b2', 'zqvlbpp analysis of zqvlbpp'), paper('b3', 'unrelated text'), paper('b4', 'zqhaczf results')];
  const split = new CorpusIndex();
  split.setSource('/corpus/a.bib', Segment.build(a));
  split.setSource('/corpus/b.bib', Segment.build(b));
  const whole = new CorpusIndex();
  whole.setSource('/corpus/ab.bib', Segment.build([...a, ...b]));
  for (const q of ['zq', 'zqh', 'zqv', 'zqhaczf', 'zqvlbpp', 'methods zq', 'zqvlbpp zqh']) {
    const got = split.query(q, { mode: 'lookup', limit: 10 }).map(r => `${r.paper.key}:${r.score.toFixed(6)}`).sort();
    const want = whole.query(q, { mode: 'lookup', limit: 10 }).map(r => `${r.paper.key}:${r.score.toFixed(6)}`).sort();
    assert.deepEqual(got, want, q);
  }
  for (const index of [split, whole]) assert.deepEqual(keys(index, 'zq').sort(), ['a1', 'a2', 'a3', 'b1', 'b2', 'b4']);
  assert.deepEqual(keys(split, 'zqv').sort(), ['a3', 'b1', 'b2']);
  assert.deepEqual(keys(split, 'zqh').sort(), ['a1', 'a2', 'b4']);
});

test('prefix terms are found by an in-place search, in a built and in a loaded dictionary', () => {
  const words = ['a', 'ab', 'abc', 'abd', 'abz', 'ac', 'b', 'ba', 'zz', 'zza', 'é', 'éa'];
  // The dictionary itself, while building (a list of strings) and loaded (one string).
  const building = new TermDictionary();
  for (const w of words) building.intern(w);
  const loadedDict = new TermDictionary(structuredClone(building.toParts()));
  for (const d of [building, loadedDict]) {
    for (const w of words) {
      const id = d.get(w)!;
      assert.ok(d.equals(id, w) && !d.equals(id, `${w}x`) && !d.equals(id, w.slice(1)), w);
      for (const prefix of ['', 'a', 'ab', 'abc', 'b', 'zzz', 'é']) {
        const order = d.prefixOrder(id, prefix);
        const want = w.startsWith(prefix) ? 0 : w < prefix ? -1 : 1;
        assert.equal(Math.sign(order), want, `${w} vs ${prefix}`);
      }
    }
  }
  const built = Segment.build(words.map((w, i) => paper(`k${i}`, w)));
  const loaded = Segment.trusted(structuredClone(built.toParts()));
  for (const segment of [built, loaded]) {
    for (const prefix of ['', 'a', 'ab', 'abc', 'abe', 'b', 'c', 'z', 'zz', 'zzaa', 'e', 'ea']) {
      const got = Array.from(segment.prefixTerms(prefix), id => segment.termString(id));
      const all = Array.from(segment.prefixTerms(''), id => segment.termString(id));
      assert.deepEqual(got, all.filter(t => t.startsWith(prefix)), prefix);
    }
  }
});

test('lookup: one-word queries are pruned, yet rank exactly as scoring every posting does', () => {
  // A random corpus over a Zipf-like vocabulary in several segments (later segments are pruned
  // against earlier results), keys that share prefixes with the words (key matches add a bonus),
  // titles weighted over abstracts; prefixes of 1 to 5 letters and whole words, limits 1 to 60.
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const syllables = ['co', 'con', 'pro', 're', 'in', 'inter', 'tra', 'de', 'ma', 'st'];
  const vocab = Array.from({ length: 300 }, (_, i) => `${syllables[i % syllables.length]}${'bcdfghklmn'[Math.floor(i / 10) % 10]}${'aeiou'[Math.floor(i / 100)]}x`);
  const word = () => vocab[Math.floor(vocab.length * rand() ** 2.5)];
  const words = (n: number) => Array.from({ length: n }, word).join(' ');
  const index = new CorpusIndex();
  for (let s = 0; s < 4; s++) {
    index.setSource(`/corpus/s${s}.bib`, Segment.build(Array.from({ length: 250 + 150 * s }, (_, i) =>
      paper(`${word()}${s}x${i}`, words(2 + Math.floor(rand() * 8)), { abstract: rand() < 0.7 ? words(Math.floor(rand() * 50)) : undefined }))));
  }
  let pruned = 0;
  for (let q = 0; q < 300; q++) {
    const w = word();
    const text = rand() < 0.2 ? w : w.slice(0, 1 + Math.floor(rand() * 5));
    const limit = 1 + Math.floor(rand() * 60);
    const want = index.query(text, { mode: 'lookup', limit, exhaustive: true });
    const got = index.query(text, { mode: 'lookup', limit });
    assert.deepEqual(got.map(r => [r.paper.key, r.score]), want.map(r => [r.paper.key, r.score]), `query ${q}: ${text} (limit ${limit})`);
    // And again, from the kept ranking.
    assert.deepEqual(index.query(text, { mode: 'lookup', limit }).map(r => r.paper.key), want.map(r => r.paper.key));
    if (want.length === limit) pruned++;
  }
  assert.ok(pruned > 200, `most queries fill their limit (${pruned})`);
  // The prefix after full words (`\cite{paper d`) is pruned too: two and three words.
  // (Small limits more often: a high bar is where the pruning skips the most.)
  let full = 0;
  for (let q = 0; q < 1500; q++) {
    const words = Array.from({ length: 2 + Math.floor(rand() * 2) }, word);
    const last = words.pop()!;
    const text = `${words.join(' ')} ${last.slice(0, 1 + Math.floor(rand() * 4))}`;
    const limit = rand() < 0.7 ? 1 + Math.floor(rand() * 5) : 1 + Math.floor(rand() * 60);
    const want = index.query(text, { mode: 'lookup', limit, exhaustive: true });
    const got = index.query(text, { mode: 'lookup', limit });
    assert.deepEqual(got.map(r => [r.paper.key, r.score]), want.map(r => [r.paper.key, r.score]), `query ${q}: ${text} (limit ${limit})`);
    if (want.length === limit) full++;
  }
  assert.ok(full > 1000, `most queries fill their limit (${full})`);
});

test('lookup: after a word every paper shares, postings too weak to reach the results are passed over, yet the ranking is exact', () => {
  // `common` is in every paper once, so the prefix after it decides: its postings' weights (words
  // repeated 1 to 6 times, in titles or abstracts) and the papers' lengths (a few words to ~150)
  // set which of them can reach the results. Small limits: a bar near the best scores.
  let seed = 5;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const vocab = Array.from({ length: 40 }, (_, i) => `${['ba', 'be', 'bo', 'da', 'de'][i % 5]}${'klmnprstvz'[Math.floor(i / 5) % 10]}${'aeiou'[Math.floor(i / 10) % 5]}q`);
  const word = () => vocab[Math.floor(vocab.length * rand() ** 2)];
  const repeated = () => Array(1 + Math.floor(rand() * 6)).fill(word()).join(' ');
  const filler = (n: number) => Array.from({ length: n }, (_, i) => `filler${i % 7}`).join(' ');
  const index = new CorpusIndex();
  for (let s = 0; s < 5; s++) {
    index.setSource(`/corpus/c${s}.bib`, Segment.build(Array.from({ length: 200 }, (_, i) => paper(`k${s}x${i}`,
      rand() < 0.4 ? repeated() : filler(1 + Math.floor(rand() * 4)),
      { abstract: `common ${repeated()} ${filler(Math.floor(rand() ** 2 * 150))}` }))));
  }
  for (let q = 0; q < 800; q++) {
    const w = word();
    const text = `common ${w.slice(0, 1 + Math.floor(rand() * 3))}`;
    const limit = 1 + Math.floor(rand() * 8);
    const want = index.query(text, { mode: 'lookup', limit, exhaustive: true });
    const got = index.query(text, { mode: 'lookup', limit });
    assert.deepEqual(got.map(r => [r.paper.key, r.score]), want.map(r => [r.paper.key, r.score]), `query ${q}: ${text} (limit ${limit})`);
  }
});

test('lookup: typing after full words reuses their scores, and ranks as scoring afresh', () => {
  // Keystroke sequences as an editor sends them: `w1 w2 p`, `w1 w2 pr`, ... then back to one
  // letter, with now and then a one-word lookup (answered from its kept ranking), a related query
  // (which uses the same scratch space), other words, or a corpus change in between. Every answer
  // must equal an exhaustive ranking by an index that keeps nothing.
  let seed = 23;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const vocab = Array.from({ length: 120 }, (_, i) => `${['co', 're', 'in', 'pa', 'st', 'de'][i % 6]}${'bcdfghklmn'[Math.floor(i / 6) % 10]}${'aeiou'[Math.floor(i / 60)]}w`);
  const word = () => vocab[Math.floor(vocab.length * rand() ** 2)];
  const words = (n: number) => Array.from({ length: n }, word).join(' ');
  const segments = Array.from({ length: 4 }, (_, s) => Segment.build(Array.from({ length: 150 + 100 * s }, (_, i) =>
    paper(`${word()}${s}y${i}`, words(2 + Math.floor(rand() * 6)), { abstract: rand() < 0.7 ? words(Math.floor(rand() * 40)) : undefined }))));
  const typed = new CorpusIndex();
  const fresh = new CorpusIndex();
  for (const [s, segment] of segments.entries()) { typed.setSource(`/s${s}.bib`, segment); fresh.setSource(`/s${s}.bib`, segment); }
  const check = (text: string, limit: number) => {
    const want = fresh.query(text, { mode: 'lookup', limit, exhaustive: true });
    const got = typed.query(text, { mode: 'lookup', limit });
    assert.deepEqual(got.map(r => [r.paper.key, r.score]), want.map(r => [r.paper.key, r.score]), `${text} (limit ${limit})`);
  };
  let keystrokes = 0;
  for (let q = 0; q < 150; q++) {
    // Every tenth, a word no paper has: the prefix after it is then walked on its own, adding papers.
    const head = q % 10 === 0 ? 'absentword' : words(1 + Math.floor(rand() * 2));
    const next = word();
    const limit = 1 + Math.floor(rand() * 20);
    const prefixes = [1, 2, 3, 4, 3, 2, 1].map(n => next.slice(0, n));
    for (const [i, p] of prefixes.entries()) {
      if (q === 75 && i === 3) {
        // The index changes between keystrokes: what the scratches held is not reused.
        const added = Segment.build([paper('zz1', `${head} ${next}`), paper('zz2', `${next} ${head} ${next}`)]);
        typed.setSource('/added.bib', added);
        fresh.setSource('/added.bib', added);
      }
      check(`${head} ${p}`, limit);
      keystrokes++;
      const r = rand();
      if (r < 0.05) check(next.slice(0, 2), limit);
      else if (r < 0.1) typed.relatedQuery(new Map([[word(), 1], [word(), 2]]), 5);
      else if (r < 0.13) check(`${word()} ${p}`, limit);
    }
  }
  assert.ok(keystrokes > 1000);
});
