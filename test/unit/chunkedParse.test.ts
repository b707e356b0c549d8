// A large BibTeX text parsed chunk by chunk must give what one parse of the whole text gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import { buildSource } from '../../server/src/corpus/buildSource';
import { CHUNKED_FROM, fileBytes, memoryBytes, nextChunkStart, parseBibtexInChunks, type ChunkedParse } from '../../server/src/corpus/chunkedParse';
import type { Paper } from '../../server/src/corpus/paper';
import { PaperStore } from '../../server/src/corpus/paperStore';
import { planParts } from '../../server/src/corpus/split';

/** Macros defined along the way, a broken entry, a duplicate key far from its first use, key-less entries, non-ASCII text. */
function library(entries: number, eol = '\n'): string {
  const out = ['% Library', '@string{conf = "Conference on Things"}'];
  for (let i = 0; i < entries; i++) {
    if (i === Math.floor(entries / 3)) out.push('@STRING ( j = {Journal} # " of " # conf )');
    if (i === Math.floor(entries / 2)) out.push(`@article{broken${i}, title = {Unclosed`);
    if (i === entries - 5) out.push('@misc{paper3, title = {The same key again}}');
    const venue = i > entries / 3 && i % 2 ? 'journal = j' : 'booktitle = conf';
    const key = i % 97 === 13 ? '' : `paper${i}`;
    out.push(`@inproceedings{${key},`, `  title = {Paper number ${i} on r\\'etrieval — “ünïcode”},`, `  author = {Müller, A${i} and Other, B},`, `  ${venue}, year = ${2000 + (i % 20)},`, '}', '');
  }
  return out.join(eol);
}

/** Chunk starts, as the parser walks them. */
function starts(bytes: Uint8Array, chunkBytes: number): number[] {
  const src = memoryBytes(bytes);
  const out = [];
  for (let at = 0; at < src.length; at = nextChunkStart(src, at, chunkBytes)) out.push(at);
  return out;
}

/** A parse in chunks that must succeed. */
function chunked(bytes: Uint8Array, consume: (papers: Paper[]) => void, chunkBytes: number, macros = new Map<string, string>(), firstLine = 0): ChunkedParse {
  const res = parseBibtexInChunks(memoryBytes(bytes), '/lib.bib', macros, firstLine, consume, chunkBytes);
  assert.ok(typeof res !== 'string', `parsed whole: ${String(res)}`);
  return res;
}

test('chunks start at lines that start an entry and cover the text', () => {
  const bytes = Buffer.from(library(500));
  const at = starts(bytes, 4096);
  assert.ok(at.length > 10, `${at.length} chunks`);
  assert.equal(at[0], 0);
  for (let i = 1; i < at.length; i++) {
    assert.ok(at[i] > at[i - 1]);
    assert.equal(bytes[at[i]], 0x40);
    assert.equal(bytes[at[i] - 1], 0x0a);
  }
  const whole = (b: Uint8Array) => parseBibtexInChunks(memoryBytes(b), '/x.bib', new Map(), 0, () => undefined, 4096);
  assert.equal(whole(Buffer.concat([Buffer.from('% Encoding: windows-1252\n'), bytes])), 'encoding');
  assert.equal(whole(Buffer.concat([bytes, Buffer.from('@misc{z, title = {\xff}}\n', 'latin1')])), 'encoding', 'not UTF-8');
});

test('a file read a chunk at a time parses as from memory', () => {
  const text = library(300, '\r\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-chunks-'));
  try {
    const file = path.join(dir, 'lib.bib');
    fs.writeFileSync(file, `junk before${text}junk after`);
    const fd = fs.openSync(file, 'r');
    const fromMemory: Paper[] = [];
    const expected = chunked(Buffer.from(text), p => fromMemory.push(...p), 2048);
    // Read windows larger than the file, a few chunks, and smaller than a chunk.
    for (const windowBytes of [1 << 20, 5000, 1000]) {
      const fromFile: Paper[] = [];
      const seen: Buffer[] = [];
      const res = parseBibtexInChunks(fileBytes(fd, 11, 11 + Buffer.byteLength(text), windowBytes), '/lib.bib', new Map(), 0, (p, _n, chunk) => { fromFile.push(...p); seen.push(Buffer.from(chunk)); }, 2048);
      assert.deepEqual(res, expected, `window ${windowBytes}`);
      assert.deepEqual(fromFile, fromMemory);
      assert.equal(Buffer.concat(seen).toString(), text, 'every byte handed on once, in order');
    }
    fs.closeSync(fd);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('parsed in chunks: the papers, positions, macros and errors of one parse', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const text = library(400, eol);
    const whole = parseBibtex(text, '/lib.bib', new Map([['ext', 'External']]), { firstLine: 7 });
    const papers: Paper[] = [];
    let chunks = 0;
    const res = chunked(Buffer.from(text), p => { papers.push(...p); chunks++; }, 4096, new Map([['ext', 'External']]), 7);
    assert.ok(chunks > 10, `${chunks} chunks`);
    assert.deepEqual(papers, whole.papers, JSON.stringify(eol));
    assert.deepEqual(res.errors, whole.errors, JSON.stringify(eol));
    assert.deepEqual([...res.macros], [...whole.macros]);
    assert.ok(papers.some(p => p.venue === 'Journal of Conference on Things'), 'a macro of an earlier chunk expands');
    assert.ok(res.errors.some(e => /Duplicate key "paper3" \(first at line/.test(e.message)), 'a duplicate across chunks');
    assert.ok(papers.filter(p => p.keyGenerated).length >= 4);
  }
});

test('errors past 1,000 are counted across chunks as in one parse', () => {
  const text = Array.from({ length: 1500 }, (_, i) => `@article{e${i}, title = {Broken ${i}\n`).join('');
  const whole = parseBibtex(text, '/b.bib');
  const res = chunked(Buffer.from(text), () => undefined, 2048);
  assert.equal(res.errors.filter(e => e.severity === 'error').length, 1000);
  assert.deepEqual(res.errors.at(-1), whole.errors.at(-1));
  assert.match(res.errors.at(-1)!.message, /^500 more syntax errors/);
});

test('a crossref parent in another chunk: the text must be parsed whole', () => {
  const filler = Array.from({ length: 200 }, (_, i) => `@misc{f${i}, title = {Filler ${i}}}\n`).join('');
  const text = `@inproceedings{child, crossref = {PARENT}, title = {Child}}\n${filler}@proceedings{parent, booktitle = {The Proceedings}, year = 2020}\n`;
  assert.equal(parseBibtexInChunks(memoryBytes(Buffer.from(text)), '/c.bib', new Map(), 0, () => undefined, 1024), 'crossref');
  const alone = `@inproceedings{child, crossref = {nowhere}, title = {Child}}\n${filler}`;
  const res = chunked(Buffer.from(alone), () => undefined, 1024);
  assert.deepEqual([...res.missingCrossrefs], ['nowhere']);
});

test('buildSource indexes a large file and its parts in chunks read from disk, with the result of one parse, and caches them', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-chunks-'));
  try {
    // Copies of one library with their own keys, just over two parts, each long enough to be chunked.
    // (Long abstracts: as many bytes with fewer papers, as real libraries have; the test stays quick.)
    const abstract = 'We study retrieval of related work with sparse and dense models, and report results. '.repeat(12);
    const one = library(600).replaceAll('  author =', `  abstract = {${abstract}},\n  author =`);
    const copies = Math.ceil((CHUNKED_FROM * 2.05) / Buffer.byteLength(one));
    const text = Array.from({ length: copies }, (_, k) => one.replaceAll('{paper', `{p${k}x`)).join('\n');
    const file = path.join(dir, 'big.bib');
    fs.writeFileSync(file, text);
    const whole = parseBibtex(text, file);
    // The store keeps what a paper has (no undefined fields, no `keyGenerated: false`).
    const plain = (p: Paper) => JSON.parse(JSON.stringify({ ...p, keyGenerated: p.keyGenerated || undefined }));
    const samples = (papers: Paper[]) => [0, 1, Math.floor(papers.length / 2), papers.length - 1].map(d => plain(papers[d]));
    const papersOf = (b: { segment: { store: Parameters<typeof PaperStore.fromParts>[0] } }) => [...PaperStore.fromParts(b.segment.store)];
    const cacheDir = path.join(dir, 'cache');
    const built = await buildSource({ file, macros: [], takenKeyHashes: [], cacheDir });
    assert.equal(built.from, 'parse');
    const store = PaperStore.fromFile(built.segment.store, built.storeFile!);
    const fromStore = [...store];
    store.close();
    assert.equal(fromStore.length, whole.papers.length);
    assert.deepEqual(samples(fromStore), samples(whole.papers));
    assert.deepEqual(built.errors, whole.errors);
    // The cache's content hash was computed chunk by chunk: a touched (unchanged) file still uses it.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    assert.equal((await buildSource({ file, macros: [], takenKeyHashes: [], cacheDir })).from, 'cache');
    // Parts of the file, each read in chunks: together, the papers of one parse.
    const parts = (await planParts(file, Buffer.byteLength(text), CHUNKED_FROM))!;
    assert.equal(parts.length, 2);
    // All parts are built before any is read: a build that reused a buffer another part's store
    // still holds would show here.
    const builtParts = [];
    for (const part of parts) builtParts.push(await buildSource({ file, macros: [], takenKeyHashes: [], part }));
    const fromParts = builtParts.flatMap(papersOf);
    assert.deepEqual(samples(fromParts), samples(whole.papers));
    assert.equal(fromParts.length, whole.papers.length);
    // The second part's first line and macros came from where this thread's first part ended (no
    // scan of the text before it): every paper's position and expanded venue is that of one parse.
    const content = (p: Paper) => plain({ ...p, key: p.keyGenerated ? '' : p.key });
    assert.deepEqual(fromParts.map(content), whole.papers.map(content));
    // The same with a cache: each part's text goes to its cache file, and the next part's build
    // writes into the buffer the text was in; every part reads its own papers back from its file.
    const partStores = [];
    for (const part of parts) {
      const b = await buildSource({ file, macros: [], takenKeyHashes: [], part, cacheDir: path.join(dir, 'part-cache') });
      assert.equal(b.segment.store.bytes.length, 0, 'the text stays in the cache file');
      partStores.push(PaperStore.fromFile(b.segment.store, b.storeFile!));
    }
    const fromCachedParts = partStores.flatMap(s => { const all = [...s]; s.close(); return all; });
    // (Generated keys are made unique across parts by the corpus manager, not here.)
    assert.deepEqual(fromCachedParts.map(content), whole.papers.map(content));
    // Gzipped: decompressed, then chunked in memory.
    const gz = path.join(dir, 'big.bib.gz');
    fs.writeFileSync(gz, (await import('node:zlib')).gzipSync(text));
    const fromGz = await buildSource({ file: gz, macros: [], takenKeyHashes: [] });
    assert.equal(papersOf(fromGz).length, whole.papers.length);
    assert.deepEqual(fromGz.errors, whole.errors);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
