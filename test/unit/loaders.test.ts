import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseCslJson } from '../../server/src/corpus/csljson';
import { parseJsonLines } from '../../server/src/corpus/jsonl';
import { generateKey, uniqueKey } from '../../server/src/corpus/keys';
import { corpusFormat, decodeBytes, loadCorpusFile, parseCorpusText } from '../../server/src/corpus/loader';
import { parsePlainText } from '../../server/src/corpus/plaintext';
import { brief, range } from '../util/loadErrors';
import { corporaDir, repoRoot } from '../util/paths';

// ── keys ──────────────────────────────────────────────────────────────────────────────────────

test('generated keys: surname + year + first significant title word, ASCII-folded', () => {
  const key = (authors: string[], year: number | undefined, title: string) => generateKey({ authors, year, title }, new Set());
  assert.equal(key(['Ashish Vaswani', 'Noam Shazeer'], 2017, 'Attention Is All You Need'), 'vaswani2017attention');
  assert.equal(key(['Ada Lovelace'], 1843, 'On the Theory of a Towards-Stopword'), 'lovelace1843theory');
  assert.equal(key(['Jürgen Müller'], 2020, 'Über Ähnlichkeit'), 'muller2020uber');
  assert.equal(key(['Łukasz Kaiser'], 2017, 'Depthwise Separable Convolutions'), 'kaiser2017depthwise');
  assert.equal(key(['Martin Luther King Jr.'], 1963, 'Why We Can’t Wait'), 'king1963cant');
  assert.equal(key(['Phi Team'], 2025, 'p-MoD: 4 Mixture-of-Depths'), 'team2025mod');
  assert.equal(key([], 2017, 'Attention Is All You Need'), '2017attention');
  assert.equal(key(['Ashish Vaswani'], undefined, ''), 'vaswani');
  assert.equal(key(['凯撒'], undefined, '深度学习'), 'untitled');
});

test('generated keys are unique: -b, -c, … -z, -aa, skipping keys already taken', () => {
  const taken = new Set(['vaswani2017attention-c']);
  const record = { authors: ['Ashish Vaswani'], year: 2017, title: 'Attention Is All You Need' };
  const keys = Array.from({ length: 28 }, () => generateKey(record, taken));
  assert.deepEqual(keys.slice(0, 4), ['vaswani2017attention', 'vaswani2017attention-b', 'vaswani2017attention-d', 'vaswani2017attention-e']);
  assert.deepEqual(keys.slice(-4), ['vaswani2017attention-z', 'vaswani2017attention-aa', 'vaswani2017attention-ab', 'vaswani2017attention-ac']);
  assert.equal(uniqueKey('fresh', taken), 'fresh');
  assert.ok(taken.has('fresh'));
  const started = Date.now();
  const many = new Set<string>();
  for (let i = 0; i < 20_000; i++) uniqueKey('untitled', many);
  assert.equal(many.size, 20_000);
  assert.ok(Date.now() - started < 1000, `20k colliding keys took ${Date.now() - started} ms`);
});

// ── CSL-JSON ──────────────────────────────────────────────────────────────────────────────────

const CSL = `[
  {
    "id": "vaswani2017",
    "type": "paper-conference",
    "title": "Attention <i>Is</i> All You Need",
    "author": [{ "family": "Vaswani", "given": "Ashish" }, { "literal": "Google  Brain" }],
    "issued": { "date-parts": [[2017, 12]] },
    "container-title": "NeurIPS",
    "abstract": "The dominant sequence transduction models…",
    "DOI": "https://doi.org/10.5555/3295222",
    "URL": "https://papers.nips.cc/paper/7181",
    "keyword": "attention, transformers"
  },
  { "id": 42, "title": "Numeric id", "editor": [{ "family": "Gennep", "given": "Arnold", "non-dropping-particle": "van" }], "issued": { "raw": "circa 1909" } },
  { "title": "Keyless", "author": [{ "family": "Lovelace", "given": "Ada" }], "issued": { "literal": "1843" }, "container-title": ["Notes"] }
]`;

test('CSL-JSON: fields, people, issued years, keys (generated when missing), one range per item', () => {
  const res = parseCslJson(CSL, '/corpus/refs.json');
  assert.deepEqual(res.errors, []);
  assert.deepEqual(res.papers[0], {
    key: 'vaswani2017', keyGenerated: false, type: 'paper-conference', title: 'Attention Is All You Need',
    authors: ['Ashish Vaswani', 'Google Brain'], year: 2017, venue: 'NeurIPS', abstract: 'The dominant sequence transduction models…',
    doi: '10.5555/3295222', url: 'https://papers.nips.cc/paper/7181', arxiv: undefined, keywords: 'attention, transformers',
    source: '/corpus/refs.json', range: range(1, 2, 12, 3),
  });
  assert.deepEqual(res.papers.slice(1).map(p => [p.key, p.keyGenerated, p.type, p.authors, p.year, p.venue, p.range]), [
    ['42', false, 'misc', ['Arnold van Gennep'], 1909, undefined, range(13, 2, 13, 159)],
    ['lovelace1843keyless', true, 'misc', ['Ada Lovelace'], 1843, 'Notes', range(14, 2, 14, 141)],
  ]);
});

test('CSL-JSON: {items: […]} and a single item are accepted', () => {
  const wrapped = parseCslJson(`{"items": [{"id": "a", "title": "A"}, {"id": "b", "title": "B"}]}`, 'x.json');
  assert.deepEqual(wrapped.papers.map(p => [p.key, p.range]), [['a', range(0, 11, 0, 36)], ['b', range(0, 38, 0, 63)]]);
  const single = parseCslJson(`{"id": "only", "title": "One", "author": [{"family": "X"}]}`, 'x.json');
  assert.deepEqual(single.papers.map(p => [p.key, p.range]), [['only', range(0, 0, 0, 59)]]);
});

test('CSL-JSON: invalid JSON is one error at the syntax error; a non-object item is an error, the rest loads', () => {
  const bad = parseCslJson('[\n  {"id": "a", "title": "A"},\n  {"id": "b" "title": "B"}\n]', 'x.json');
  assert.deepEqual(bad.papers, []);
  assert.deepEqual(brief(bad.errors), [`error 2:13-2:14 Invalid JSON: unexpected '"'`]);
  assert.deepEqual(brief(parseCslJson('[{"id": "a"}', 'x.json').errors), ['error 0:12-0:12 Invalid JSON: unexpected end of input']);
  assert.deepEqual(brief(parseCslJson('', 'x.json').errors), ['error 0:0-0:0 Invalid JSON: unexpected end of input']);
  const mixed = parseCslJson('[{"id": "a", "title": "A"}, 7]', 'x.json');
  assert.deepEqual(mixed.papers.map(p => p.key), ['a']);
  assert.deepEqual(brief(mixed.errors), ['error 0:0-0:30 CSL-JSON item 2 is not an object']);
});

// ── JSON Lines ────────────────────────────────────────────────────────────────────────────────

const JSONL = [
  String.raw`{"id": "2503.11731", "authors": ["Xianming Zeng", "Sicong Du"], "title": "Sensor Simulation via {G}aussian Splatting", "summary": "We use \\emph{3D}\nGaussians --- fast.", "categories": ["cs.CV", "cs.RO"], "abs": "https://arxiv.org/abs/2503.11731"}`,
  String.raw`{"paper_id": "77490025", "title": "State of ocular muscles", "authors": [{"first": "M.", "middle": ["A."], "last": "Pen'kov", "suffix": ""}], "abstract": null, "year": 1975, "doi": "10.1/xyz", "journal": "Oftalmol Zh", "arxiv_id": null}`,
  'this is not json',
  '{"key": "mykey", "title": "Explicit", "authors": "A. One, B. Two and C. Three", "year": "2020"}',
  '[1, 2]',
  '',
  '{"id": "cs/9603104", "title": "Old arXiv", "authors": "D. Cohn", "summary": "x"}',
].join('\n');

test('JSON Lines: arXiv and Semantic Scholar records, explicit keys, a bad line is an error and the others load', () => {
  const res = parseJsonLines(JSONL, '/corpus/daily.jsonl');
  assert.deepEqual(res.papers[0], {
    key: 'zeng2025sensor', keyGenerated: true, type: 'misc', title: 'Sensor Simulation via Gaussian Splatting',
    authors: ['Xianming Zeng', 'Sicong Du'], year: 2025, venue: undefined, abstract: 'We use 3D Gaussians — fast.',
    doi: undefined, url: 'https://arxiv.org/abs/2503.11731', arxiv: '2503.11731', keywords: 'cs.CV, cs.RO',
    source: '/corpus/daily.jsonl', range: range(0, 0, 0, JSONL.split('\n')[0].length),
  });
  assert.deepEqual(res.papers.slice(1).map(p => [p.key, p.authors, p.year, p.venue, p.doi, p.abstract, p.arxiv, p.range.start.line]), [
    ['penkov1975state', ["M. A. Pen'kov"], 1975, 'Oftalmol Zh', '10.1/xyz', undefined, undefined, 1],
    ['mykey', ['A. One', 'B. Two', 'C. Three'], 2020, undefined, undefined, undefined, undefined, 3],
    ['cohn1996old', ['D. Cohn'], 1996, undefined, undefined, 'x', 'cs/9603104', 6],
  ]);
  assert.deepEqual(brief(res.errors), [
    "error 2:0-2:1 Invalid JSON: unexpected 't'",
    'error 4:0-4:6 Expected a JSON object on this line',
  ]);
});

test('JSON Lines: the real daily-arXiv and S2ORC samples load completely', t => {
  const dir = path.join(corporaDir, 'metadata');
  if (!fs.existsSync(dir)) { t.skip(`${dir} not found`); return; }
  const arxiv = parseJsonLines(fs.readFileSync(path.join(dir, 'daily-arxiv/2025-03-18.jsonl'), 'utf8'), 'a.jsonl');
  assert.deepEqual([arxiv.papers.length, arxiv.errors.length], [465, 0]);
  assert.ok(arxiv.papers.every(p => p.arxiv && p.year === 2025 && p.title && p.abstract && p.authors.length));
  assert.equal(new Set(arxiv.papers.map(p => p.key)).size, 465);
  const s2 = parseJsonLines(fs.readFileSync(path.join(dir, 's2orc/metadata_sample.jsonl'), 'utf8'), 's.jsonl');
  assert.deepEqual([s2.papers.length, s2.errors.length], [1000, 0]);
});

// ── plain text ────────────────────────────────────────────────────────────────────────────────

test('plain text: exactly the 86 papers of the bundled sample corpus, none of the page furniture', () => {
  const text = fs.readFileSync(path.join(repoRoot, 'server/data/sample-corpus.txt'), 'utf8');
  const res = parsePlainText(text, 'sample-corpus.txt');
  assert.equal(res.papers.length, 86);
  assert.deepEqual(res.errors, []);
  const first = res.papers[0];
  assert.equal(first.title, 'MedReason: Eliciting Factual Medical Reasoning Steps in LLMs via Knowledge Graphs');
  assert.match(first.abstract!, /^Medical tasks such as diagnosis and treatment planning require precise and complex reasoning/);
  assert.deepEqual([first.key, first.keyGenerated, first.range.start, first.range.end.line], ['medreason', true, { line: 10, character: 0 }, 12]);
  assert.equal(res.papers[85].title, 'Distiller: A Systematic Study of Model Distillation Methods in Natural Language Processing');
  for (const furniture of ['New', 'Get trending papers in your email inbox!', 'Subscribe', 'byAK and the research community', 'Apr 8']) {
    assert.ok(!res.papers.some(p => p.title === furniture), furniture);
  }
  assert.equal(new Set(res.papers.map(p => p.key)).size, 86);
});

test('plain text: a second abstract paragraph joins its paper; short stray blocks are skipped', () => {
  const words = (n: number, w: string) => Array(n).fill(w).join(' ');
  const text = [
    'Header', '', 'First Paper Title', '', words(20, 'alpha'), '', words(25, 'beta'), '', // lines 0–6
    'Mar 3', '', '  Second Title  ', '', words(10, 'gamma'), words(10, 'delta'), // lines 8–13
    '', 'A title without abstract', '', 'Too short to be one.',
  ].join('\n');
  const res = parsePlainText(text, 'list.txt');
  assert.deepEqual(res.papers.map(p => [p.key, p.title, p.abstract, p.range]), [
    ['first', 'First Paper Title', `${words(20, 'alpha')}\n\n${words(25, 'beta')}`, range(2, 0, 6, 124)],
    ['second', 'Second Title', `${words(10, 'gamma')} ${words(10, 'delta')}`, range(10, 2, 13, 59)],
  ]);
});

// ── bytes, formats, files ─────────────────────────────────────────────────────────────────────

test('decodeBytes: UTF-8 and BOM-marked UTF-16 silently, other encodings with a warning naming them', () => {
  const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
  assert.deepEqual(decodeBytes(Buffer.from('\ufeff@a{k}', 'utf8')), { text: '@a{k}' });
  assert.deepEqual(decodeBytes(Buffer.from('\ufeffCafé', 'utf16le')), { text: 'Café' });
  assert.deepEqual(decodeBytes(utf16be('\ufeffCafé')), { text: 'Café' });
  assert.deepEqual(decodeBytes(Buffer.from('@article{k, title = {Café}}', 'utf16le')), {
    text: '@article{k, title = {Café}}', warning: 'File has no byte-order mark but looks like UTF-16LE: decoded as such',
  });
  assert.deepEqual(decodeBytes(Buffer.from('% Encoding: windows-1252\n{Caf\xe9 \x93q\x94}', 'latin1')), {
    text: '% Encoding: windows-1252\n{Café “q”}', warning: 'File is not UTF-8: decoded as windows-1252, the encoding it declares',
  });
  assert.deepEqual(decodeBytes(Buffer.from('% -*- coding: latin-9-unix -*-\n{\xa6ome}', 'latin1')), {
    text: '% -*- coding: latin-9-unix -*-\n{Šome}', warning: 'File is not UTF-8: decoded as iso-8859-15, the encoding it declares',
  });
  assert.deepEqual(decodeBytes(Buffer.concat([Buffer.from('@article{k, author = {'), Buffer.from('bfadc8f6', 'hex'), Buffer.from('}}')])), {
    text: '@article{k, author = {凯撒}}', warning: 'File is not UTF-8: decoded as GBK (gb18030), which its bytes look like',
  });
  const fallback = 'File is not UTF-8: decoded as windows-1252 (Latin-1); accented letters may be wrong';
  assert.deepEqual(decodeBytes(Buffer.from('{M\xfcller and S\xf6me}', 'latin1')), { text: '{Müller and Söme}', warning: fallback });
  assert.deepEqual(decodeBytes(Buffer.from('% Encoding: UTF-8\n{Test\xe9 I. Last}', 'latin1')), { text: '% Encoding: UTF-8\n{Testé I. Last}', warning: fallback });
});

test('corpusFormat by extension, .gz looked through', () => {
  const cases: Array<[string, string | undefined]> = [
    ['/a/refs.bib', 'bibtex'], ['/a/REFS.BIB', 'bibtex'], ['x.bibtex', 'bibtex'], ['x.biblatex', 'bibtex'], ['x.bib.gz', 'bibtex'],
    ['x.json', 'csl-json'], ['x.csl.json', 'csl-json'], ['x.jsonl', 'jsonl'], ['x.ndjson', 'jsonl'], ['x.jsonl.gz', 'jsonl'],
    ['x.txt', 'text'], ['x.csl.yml', undefined], ['x.gz', undefined], ['bib', undefined], ['x.bib.bak', undefined],
  ];
  for (const [p, format] of cases) assert.equal(corpusFormat(p), format, p);
});

test('parseCorpusText dispatches on the file name', () => {
  assert.equal(parseCorpusText('@misc{k, title = {T}}', 'a.bib').papers[0].key, 'k');
  assert.equal(parseCorpusText('[{"id": "c", "title": "T"}]', 'a.csl.json').papers[0].key, 'c');
  assert.equal(parseCorpusText('{"key": "j", "title": "T"}', 'a.ndjson').papers[0].key, 'j');
  assert.equal(parseCorpusText(`Title\n\n${'word '.repeat(20)}`, 'a.txt').papers[0].title, 'Title');
  assert.deepEqual(brief(parseCorpusText('x', 'a.docx').errors), ['error 0:0-0:0 Not a corpus file (.bib, .json, .jsonl or .txt): a.docx']);
});

test('loadCorpusFile: reads .gz transparently, reports the encoding, turns an unreadable file into one error', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-corpus-'));
  try {
    const gz = path.join(dir, 'refs.bib.gz');
    fs.writeFileSync(gz, zlib.gzipSync('@string{j = "J. Test"}\n@article{k, title = {T}, journal = j # " " # x}'));
    const res = await loadCorpusFile(gz);
    assert.deepEqual(res.papers.map(p => [p.key, p.venue, p.source]), [['k', 'J. Test', gz]]);
    assert.deepEqual([...res.macros!], [['j', 'J. Test']]);
    assert.deepEqual([...res.undefinedMacros!], ['x']);
    assert.deepEqual((await loadCorpusFile(gz, new Map([['x', 'X']]))).papers[0].venue, 'J. Test X');

    const latin1 = path.join(dir, 'old.bib');
    fs.writeFileSync(latin1, Buffer.from('@book{k, title = {\xc9tudes}}', 'latin1'));
    const old = await loadCorpusFile(latin1);
    assert.equal(old.papers[0].title, 'Études');
    assert.deepEqual(brief(old.errors), ['warning 0:0-0:0 File is not UTF-8: decoded as windows-1252 (Latin-1); accented letters may be wrong']);

    const missing = await loadCorpusFile(path.join(dir, 'missing.bib'));
    assert.equal(missing.papers.length, 0);
    assert.equal(missing.errors.length, 1);
    assert.match(missing.errors[0].message, /^Cannot read .*missing\.bib: ENOENT/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
