/**
 * Large BibTeX files indexed in parts (one worker each), over LSP: the same papers, diagnostics and
 * results as the file indexed whole; what crosses parts (duplicate keys, macros) is still found; a
 * crossref parent in another part makes the file be indexed whole; the parts' caches are used on
 * restart. Tiny parts (`indexPartBytes`) make a small fixture split into many.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestServer } from './lspClient';

function library(entries: number): string {
  const out = ['@string{conf = "Conference on Things"}'];
  for (let i = 0; i < entries; i++) {
    if (i === 150) out.push('@string{j = {Journal} # " of " # conf}');
    if (i === 200) out.push('@article{broken, title = {Unclosed');
    const venue = i > 150 && i % 2 ? 'journal = j' : 'booktitle = conf';
    out.push(`@inproceedings{paper${i},`, `  title = {Study ${i} of ${i % 7 ? 'retrieval' : 'speculative decoding'}},`,
      `  author = {Author, A${i} and Other, B},`, `  ${venue}, year = ${2000 + (i % 20)},`, '}', '');
  }
  out.push('@misc{paper10, title = {A second paper10}}', '');
  return out.join('\n');
}

const QUERIES = ['speculative decoding', 'journal of conference', 'study 123', 'paper10', 'author a77'];

async function session(file: string, cacheDir: string, partBytes?: number, queries = QUERIES) {
  const server = await TestServer.start({
    folders: [path.dirname(file)],
    initializationOptions: { corpus: [file], sampleCorpus: 'never', cacheDir, indexPartBytes: partBytes },
    settings: { workspaceBibFiles: false },
  });
  try {
    const status = await server.ready();
    const results = [];
    for (const q of queries) results.push((await server.search(q, 8)).items.map(i => [i.key, i.title, i.venue, i.year]));
    const diagnostics = (await server.diagnosticsFor(pathToFileURL(file).href)).map(d => [d.message, d.range.start.line, d.range.start.character, d.range.end.character]);
    return { status, results, diagnostics, logs: server.logs };
  } finally {
    await server.stop();
  }
}

test('a BibTeX file indexed in parts answers exactly like the file indexed whole', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-split-lsp-'));
  try {
    const file = path.join(root, 'library.bib');
    fs.writeFileSync(file, library(400));
    const whole = await session(file, path.join(root, 'cache-whole'));
    const split = await session(file, path.join(root, 'cache-split'), 4096);
    assert.ok(split.logs.some(l => / in \d+ parts/.test(l)), split.logs.join('\n'));
    assert.ok(!whole.logs.some(l => / in \d+ parts/.test(l)));
    assert.equal(split.status.papers, 401);
    assert.equal(split.status.papers, whole.status.papers);
    assert.deepEqual(split.results, whole.results);
    assert.deepEqual(split.diagnostics, whole.diagnostics);
    assert.ok(split.diagnostics.some(d => String(d[0]).startsWith('Duplicate key "paper10"')), 'a duplicate across parts is reported');
    assert.ok(split.results[1].some(r => r[2] === 'Journal of Conference on Things'), 'macros from an earlier part expand');
    // Restart: every part comes from the cache, with the same answers.
    const warm = await session(file, path.join(root, 'cache-split'), 4096);
    assert.deepEqual(warm.status.sources.map(s => s.from), ['cache']);
    assert.deepEqual(warm.results, whole.results);
    assert.deepEqual(warm.diagnostics, whole.diagnostics);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a crossref parent in another part: the file is indexed whole, children inherit', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-split-lsp-'));
  try {
    const file = path.join(root, 'dblp.bib');
    const text = library(300).replace('@inproceedings{paper3,', '@inproceedings{paper3,\n  crossref = {DBLP:conf/x},')
      .replace('booktitle = conf, year = 2003', 'year = 2003')
      + '@proceedings{DBLP:conf/x, title = {Proceedings X}, booktitle = {The X Conference}, year = 2003}\n';
    fs.writeFileSync(file, text);
    const split = await session(file, path.join(root, 'cache'), 4096, ['paper3']);
    assert.ok(split.logs.some(l => l.includes('indexed whole (a crossref parent is in another part)')), split.logs.join('\n'));
    assert.deepEqual(split.results[0][0], ['paper3', 'Study 3 of retrieval', 'The X Conference', 2003]);
    assert.ok(!split.diagnostics.some(d => String(d[0]).startsWith('crossref parent')));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
