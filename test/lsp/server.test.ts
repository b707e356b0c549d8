/**
 * LSP-level tests: the bundled `dist/server.js` over stdio, on the bundled sample corpus and on the
 * 27,848-entry NeurIPS/ICML/ICLR bibliography from ../shared/corpora (decompressed by the test).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import type { MarkupContent, Position } from 'vscode-languageserver-protocol';
import { TestServer } from './lspClient';
import { corporaDir, repoRoot } from '../util/paths';

/** The position just after the first occurrence of `needle` (or inside it, at `offset`). */
function positionOf(text: string, needle: string, offset = needle.length): Position {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `fixture lacks ${needle}`);
  const before = text.slice(0, at + offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

function hoverText(h: { contents: unknown } | null): string {
  assert.ok(h, 'expected a hover');
  return (h.contents as MarkupContent).value;
}

describe('bundled sample corpus', () => {
  let server: TestServer;
  const emptyFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-empty-'));
  before(async () => {
    server = await TestServer.start({ folders: [emptyFolder] });
    await server.ready();
  });
  after(async () => { await server.stop(); fs.rmSync(emptyFolder, { recursive: true, force: true }); });

  test('status reports the 86 sample papers from one source', async () => {
    const s = await server.status();
    assert.equal(s.ready, true);
    assert.equal(s.papers, 86);
    assert.equal(s.sources.length, 1);
    assert.match(s.sources[0].path, /sample-corpus\.txt$/);
    assert.equal(s.sources[0].papers, 86);
  });

  test('progress was reported while indexing', () => {
    const kinds = server.progress.map(p => (p as { value: { kind: string } }).value.kind);
    assert.ok(kinds.includes('begin') && kinds.includes('end'), `progress kinds: ${kinds}`);
  });

  test('LaTeX completion ranks free words typed inside \\cite{', async () => {
    const text = 'As shown by \\citep[see][p. 3]{medusa decoding}, heads help.\n';
    const uri = await server.open('untitled:paper.tex', 'latex', text);
    const list = await server.completion(uri, positionOf(text, 'medusa decoding'));
    assert.ok(list && list.items.length > 0);
    assert.equal(list.isIncomplete, true);
    const top = list.items[0];
    assert.match(String(top.detail), /Medusa/);
    assert.equal(top.filterText, 'medusa decoding');
    assert.equal(top.sortText, '00000');
    const edit = top.textEdit as { range: { start: Position; end: Position }; newText: string };
    assert.equal(edit.newText, top.label);
    assert.deepEqual(edit.range.start, positionOf(text, 'medusa decoding', 0));
    // The list is lean: the documentation comes when the editor resolves the item it shows.
    assert.equal(top.documentation, undefined);
    const resolved = await server.resolve(top);
    const doc = (resolved.documentation as MarkupContent).value;
    assert.match(doc, /\*\*Medusa/);
    assert.match(doc, /sample-corpus\.txt/);
  });

  test('Pandoc completion after [@ offers sample papers, capped and in server order', async () => {
    const text = 'Speculative decoding [@';
    const uri = await server.open('untitled:draft.md', 'markdown', text);
    const list = await server.completion(uri, positionOf(text, '[@'));
    assert.ok(list);
    assert.equal(list.items.length, 50);
    assert.deepEqual(list.items.map(i => i.sortText), list.items.map((_, i) => String(i).padStart(5, '0')));
  });

  test('no completion outside a citation', async () => {
    const text = 'Plain text, e-mail me at john@example.com';
    const uri = await server.open('untitled:other.md', 'markdown', text);
    assert.equal(await server.completion(uri, positionOf(text, 'john@')), null);
  });

  test('hover on a cited key shows its title; an unknown key says so', async () => {
    const { items } = await server.search('medusa', 1);
    const key = items[0].key;
    const text = `See \\cite{${key}, nosuchkey2020}.`;
    const uri = await server.open('untitled:hover.tex', 'latex', text);
    const md = hoverText(await server.hover(uri, positionOf(text, key, 2)));
    assert.match(md, /Medusa/);
    assert.match(md, /\(file:\/\/\S+\/sample-corpus\.txt#L\d+\)/);
    const unknown = hoverText(await server.hover(uri, positionOf(text, 'nosuchkey2020', 3)));
    assert.match(unknown, /no paper with key `nosuchkey2020`/);
  });

  test('search and related requests return typed items', async () => {
    const search = await server.search('medusa', 5);
    assert.ok(search.items.length >= 1);
    assert.match(search.items[0].title, /Medusa/);
    for (const key of ['key', 'title', 'authors', 'score', 'source'] as const) assert.ok(key in search.items[0]);
    const related = await server.related('Speculative decoding with multiple decoding heads accelerates LLM inference \\cite{x}.', 5);
    assert.ok(related.items.length > 0);
    assert.ok(related.items.some(i => /Medusa|[Ss]peculative/.test(i.title)), related.items.map(i => i.title).join(' | '));
  });
});

describe('related papers (the side panel) on the bundled sample corpus', () => {
  let server: TestServer;
  const emptyFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-related-'));
  const paper = `\\documentclass{article}
\\title{Faster Decoding for Large Language Models}
\\begin{document}
\\section{Related Work}

A small draft model proposes several tokens that the large target model then verifies
in a single forward pass, so speculative decoding accelerates inference without changing
the output distribution \\citep{kangaroo}. % a comment about $x^2$ math

\\end{document}
`;
  before(async () => {
    server = await TestServer.start({ folders: [emptyFolder] });
    await server.ready();
  });
  after(async () => { await server.stop(); fs.rmSync(emptyFolder, { recursive: true, force: true }); });

  test('a paragraph about speculative decoding ranks speculative-decoding papers first', async () => {
    const r = await server.related('A small draft model proposes tokens that the target model verifies in parallel: speculative decoding accelerates inference \\cite{x}.', 10);
    assert.equal(r.items.length, 10);
    const top = r.items.slice(0, 3).map(i => i.title);
    for (const t of top) assert.match(t, /speculative|draft/i, `top 3: ${top.join(' | ')}`);
    assert.doesNotMatch(r.query, /cite|\\|\bx\b/, 'citation commands and keys are not part of the query');
    for (let i = 1; i < r.items.length; i++) assert.ok(r.items[i - 1].score >= r.items[i].score, 'sorted by score');
  });

  test('with a uri and a position the server takes the paragraph, marks cited papers and highlights matched words', async () => {
    const uri = await server.open('untitled:related.tex', 'latex', paper);
    const r = await server.relatedAt({ uri, position: positionOf(paper, 'single forward'), limit: 20 });
    assert.deepEqual(r.range, { start: { line: 5, character: 0 }, end: { line: 7, character: paper.split('\n')[7].length } });
    assert.deepEqual(r.citedKeys, ['kangaroo']);
    assert.doesNotMatch(r.query, /comment|kangaroo|citep/, `query: ${r.query}`);
    assert.match(r.query, /draft model proposes/);
    assert.ok(r.items.length > 0);
    for (const item of r.items) assert.equal(item.cited, item.key === 'kangaroo', item.key);
    assert.ok(r.items.some(i => i.key === 'kangaroo'), 'the cited paper is related too');
    const withMarks = r.items.filter(i => i.highlights.abstract.length > 0);
    assert.ok(withMarks.length > 0, 'some abstract has highlighted words');
    for (const item of r.items) {
      assert.ok(item.matchedTerms.length > 0, `${item.key} matched no term`);
      for (const [s, e] of [...item.highlights.abstract]) {
        assert.ok(0 <= s && s < e && e <= (item.abstract ?? '').length);
        assert.match((item.abstract ?? '').slice(s, e), /^[\p{L}\p{N}]+$/u, 'a highlight is one whole word');
      }
      for (const link of item.links) assert.match(link.href, /^https?:\/\//);
    }
    const heading = await server.relatedAt({ uri, position: positionOf(paper, 'Related Work') });
    assert.deepEqual(heading.items, [], 'a heading is no paragraph');
    const selection = await server.relatedAt({ uri, position: { line: 0, character: 0 }, selection: { start: positionOf(paper, 'A small', 0), end: positionOf(paper, 'draft model') } });
    assert.equal(selection.query, 'A small draft model');
  });

  test('citationEdit cites in the document\'s syntax and joins an adjacent citation', async () => {
    const uri = await server.open('untitled:cite.tex', 'latex', paper);
    const fresh = await server.citationEdit({ uri, position: positionOf(paper, 'several tokens'), key: 'medusa' });
    assert.deepEqual(fresh.edit?.newText, '~\\citep{medusa}');
    const joined = await server.citationEdit({ uri, position: positionOf(paper, '\\citep{kangaroo}'), key: 'medusa' });
    assert.deepEqual(joined.edit?.newText, ',medusa');
    const again = await server.citationEdit({ uri, position: positionOf(paper, '\\citep{kangaroo}'), key: 'kangaroo' });
    assert.equal(again.edit, undefined);
    const md = 'Drafting helps.';
    const mdUri = await server.open('untitled:cite.md', 'markdown', md);
    const pandoc = await server.citationEdit({ uri: mdUri, position: positionOf(md, 'helps'), key: 'medusa' });
    assert.equal(pandoc.edit?.newText, ' [@medusa]');
  });

  test('bibtex returns an entry for an indexed key and nothing for an unknown one', async () => {
    const { items } = await server.search('medusa', 1);
    const { bibtex } = await server.bibtex({ key: items[0].key, source: items[0].source });
    assert.match(bibtex ?? '', new RegExp(`^@misc\\{${items[0].key},\\n  title = \\{Medusa`));
    assert.deepEqual(await server.bibtex({ key: 'no-such-key-2099' }), {});
  });
});

describe('NeurIPS/ICML/ICLR bibliography (27,848 entries)', { skip: !fs.existsSync(path.join(corporaDir, 'ml/neurips-icml-iclr.bib.gz')) && 'corpora absent' }, () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-ml-'));
    const bib = path.join(dir, 'neurips-icml-iclr.bib');
    fs.writeFileSync(bib, zlib.gunzipSync(fs.readFileSync(path.join(corporaDir, 'ml/neurips-icml-iclr.bib.gz'))));
    // Passed as initializationOptions.corpus, the way a generic LSP client configures the server.
    // An empty workspace folder inside `dir`; the corpus comes from initializationOptions.corpus.
    const ws = path.join(dir, 'ws');
    fs.mkdirSync(ws);
    server = await TestServer.start({ folders: [ws], initializationOptions: { corpus: [bib] } });
    await server.ready();
  });
  after(async () => { await server.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

  test('indexes the whole file and no sample corpus', async () => {
    const s = await server.status();
    assert.equal(s.sources.length, 1);
    assert.ok(s.papers > 27_000, `papers: ${s.papers}`);
  });

  test('\\cite{vaswani 2017 finds Attention is All you Need first', async () => {
    const text = '\\begin{document}\nTransformers~\\cite{vaswani 2017';
    const uri = await server.open('untitled:ml.tex', 'latex', text);
    const list = await server.completion(uri, positionOf(text, 'vaswani 2017'));
    assert.ok(list);
    assert.equal(list.items[0].label, 'vaswani2017attention');
    assert.equal(list.items[0].detail, 'Attention is All you Need');
  });

  test('a key prefix completes to the key', async () => {
    const text = '\\citet{ho2020den}';
    const uri = await server.open('untitled:ml2.tex', 'latex', text);
    const list = await server.completion(uri, positionOf(text, 'ho2020den'));
    assert.ok(list);
    assert.equal(list.items[0].label, 'ho2020denoising');
  });

  test('hover shows title, authors, venue, abstract, links and the source line', async () => {
    const text = 'Diffusion \\parencite{ho2020denoising}';
    const uri = await server.open(pathToFileURL(path.join(dir, 'p.tex')).href, 'latex', text);
    const md = hoverText(await server.hover(uri, positionOf(text, 'ho2020', 2)));
    assert.match(md, /Denoising Diffusion Probabilistic Models/);
    assert.match(md, /Ho, Jain, Abbeel|Jonathan Ho/);
    assert.match(md, /2020/);
    assert.match(md, /high quality image synthesis/);
    assert.match(md, /https:\/\/arxiv\.org\/abs\/2006\.11239/);
    assert.match(md, /\(file:\/\/\S+\/neurips-icml-iclr\.bib#L\d+\)/);
  });
});

describe('a workspace .bib with a broken entry', () => {
  let server: TestServer;
  let ws: string;
  const bib = [
    '@string{nips = "Advances in Neural Information Processing Systems"}',
    '@inproceedings{good2020,',
    '  title = {A {G}ood {P}aper on {S}peculative {D}ecoding},',
    '  author = {M{\\"u}ller, J{\\"o}rg and Smith, Ann},',
    '  booktitle = nips, year = 2020',
    '}',
    '@article{broken2021,',
    '  title = {Unterminated {brace},',
    '  year = 2021',
    '',
    '@article{after2022, title = {Still Loaded After the Broken One}, year = {2022}}',
  ].join('\n');
  before(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-broken-'));
    fs.writeFileSync(path.join(ws, 'refs.bib'), bib);
    server = await TestServer.start({ folders: [ws] });
    await server.ready();
  });
  after(async () => { await server.stop(); fs.rmSync(ws, { recursive: true, force: true }); });

  test('the workspace .bib replaces the sample corpus (sampleCorpus: auto)', async () => {
    const s = await server.status();
    assert.deepEqual(s.sources.map(x => path.basename(x.path)), ['refs.bib']);
  });

  test('the entries around the broken one load, decoded for display', async () => {
    const { items } = await server.search('speculative', 5);
    assert.equal(items[0].key, 'good2020');
    assert.equal(items[0].title, 'A Good Paper on Speculative Decoding');
    assert.deepEqual(items[0].authors, ['Jörg Müller', 'Ann Smith']);
    assert.equal(items[0].venue, 'Advances in Neural Information Processing Systems');
    assert.equal((await server.search('after2022', 1)).items[0]?.key, 'after2022');
  });

  test('the broken entry is a diagnostic on its line in the .bib', async () => {
    const diags = await server.diagnosticsFor(pathToFileURL(path.join(ws, 'refs.bib')).href);
    const errors = diags.filter(d => d.severity === 1);
    assert.ok(errors.length >= 1, JSON.stringify(diags));
    assert.ok(errors.some(d => d.range.start.line >= 6 && d.range.start.line <= 9), JSON.stringify(errors));
    const status = await server.status();
    assert.ok(status.sources[0].errors >= 1);
  });
});

test('generated keys are unique across the corpus, not only within a file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-dup-'));
  const copy = path.join(dir, 'copy.txt');
  fs.copyFileSync(path.join(repoRoot, 'server/data/sample-corpus.txt'), copy);
  const server = await TestServer.start({ folders: [dir], initializationOptions: { corpus: [copy], sampleCorpus: 'always' } });
  try {
    const status = await server.ready();
    assert.equal(status.papers, 172);
    const { items } = await server.search('medusa', 10);
    // Both files give the Medusa paper the key `medusa` (and another paper `medusa-b`); in the
    // file loaded second it clashes, and takes the next free suffix of the same base.
    const keys = items.filter(i => /^Medusa/.test(i.title)).map(i => i.key).sort();
    assert.deepEqual(keys, ['medusa', 'medusa-c']);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the server is not ready before it has planned and loaded its corpus', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-early-'));
  const server = await TestServer.start({ folders: [dir] });
  try {
    // Asked right after `initialized`: either still loading (not ready) or done with all 86 papers.
    const early = await server.status();
    assert.ok(!early.ready || early.papers === 86, JSON.stringify(early));
    const done = await server.ready();
    assert.equal(done.papers, 86);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the server warms up on the sample corpus, then on the index, without failures', { timeout: 30_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-warm-'));
  const server = await TestServer.start({ folders: [dir], initializationOptions: { sampleWarmUpDelayMs: 0 } });
  try {
    const sample = await server.waitForLog(/^Warmed up with \d+ requests on the sample corpus/);
    assert.ok(Number(/(\d+) requests/.exec(sample)![1]) >= 40, sample);
    await server.ready();
    const index = await server.waitForLog(/^Warmed up the index with \d+ requests/);
    assert.ok(Number(/(\d+) requests/.exec(index)![1]) >= 8 + 26, index);
    assert.deepEqual(server.logs.filter(l => /Warm-up/.test(l)), []);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an index ready within the delay is warmed up alone: no sample warm-up beside a quick load', { timeout: 30_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-warm-'));
  const server = await TestServer.start({ folders: [dir], initializationOptions: { sampleWarmUpDelayMs: 3000 } });
  try {
    await server.ready();
    await server.waitForLog(/^Warmed up the index with \d+ requests/);
    // Past the delay: the sample warm-up was skipped, not merely late.
    await server.waitForLog(/^No sample corpus warm-up: the index was ready within 3000 ms/);
    assert.deepEqual(server.logs.filter(l => /on the sample corpus in/.test(l)), []);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('sample warm-up at once for a first index; a restart on an unchanged corpus waits for its cache load instead', { timeout: 30_000 }, async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-warm-'));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-warm-cache-'));
  const refs = path.join(ws, 'refs.bib');
  fs.writeFileSync(refs, '@article{first2020, title = {First Paper}, year = 2020}\n');
  const start = async () => {
    const server = await TestServer.start({ folders: [ws], initializationOptions: { cacheDir, corpus: [refs], sampleCorpus: 'never' } });
    await server.ready();
    await server.waitForLog(/^Warmed up the index with \d+ requests/);
    const log = await server.waitForLog(/on the sample corpus in|^No sample corpus warm-up/);
    await server.stop();
    return log;
  };
  try {
    assert.match(await start(), /^Warmed up with \d+ requests on the sample corpus in/);
    assert.match(await start(), /^No sample corpus warm-up: the index was ready within 1500 ms/);
    // The file changed: a first index again.
    fs.writeFileSync(refs, '@article{second2021, title = {Second Paper}, year = 2021}\n');
    assert.match(await start(), /^Warmed up with \d+ requests on the sample corpus in/);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a .bib changed, created or deleted on disk updates the index (didChangeWatchedFiles)', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-watch-'));
  const refs = path.join(ws, 'refs.bib');
  fs.writeFileSync(refs, '@article{first2020, title = {First Paper}, year = 2020}\n');
  const server = await TestServer.start({ folders: [ws] });
  const notify = (file: string, type: 1 | 2 | 3) =>
    server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(file).href, type }] });
  try {
    await server.waitForStatus(s => s.ready && s.papers === 1);
    fs.appendFileSync(refs, '@article{second2021, title = {Second Paper About Zebras}, year = 2021}\n');
    await notify(refs, 2);
    await server.waitForStatus(s => s.ready && s.papers === 2);
    assert.equal((await server.search('zebras', 5)).items[0]?.key, 'second2021');

    const more = path.join(ws, 'more.bib');
    fs.writeFileSync(more, '@book{third2022, title = {Third}}\n');
    await notify(more, 1);
    await server.waitForStatus(s => s.ready && s.papers === 3 && s.sources.length === 2);

    fs.rmSync(refs);
    await notify(refs, 3);
    const after = await server.waitForStatus(s => s.ready && s.papers === 1);
    assert.deepEqual(after.sources.map(s => path.basename(s.path)), ['more.bib']);
    assert.deepEqual((await server.search('zebras', 5)).items, []);
  } finally {
    await server.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
