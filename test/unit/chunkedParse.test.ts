// A large BibTeX text parsed chunk by chunk must give what one parse of the whole text gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import { buildSource } from '../../server/src/corpus/buildSource';
import { CHUNK_BYTES, chunkable, chunkStarts, parseBibtexInChunks } from '../../server/src/corpus/chunkedParse';
import type { Paper } from '../../server/src/corpus/paper';
import { PaperStore } from '../../server/src/corpus/paperStore';

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

test('chunks start at lines that start an entry and cover the text', () => {
  const bytes = Buffer.from(library(500));
  const starts = chunkStarts(bytes, 4096);
  assert.ok(starts.length > 10, `${starts.length} chunks`);
  assert.equal(starts[0], 0);
  for (let i = 1; i < starts.length; i++) {
    assert.ok(starts[i] > starts[i - 1]);
    assert.equal(bytes[starts[i]], 0x40);
    assert.equal(bytes[starts[i] - 1], 0x0a);
  }
  assert.equal(chunkable(bytes), false, 'smaller than 1.5 chunks');
  assert.equal(chunkable(bytes, 4096), true);
  assert.equal(chunkable(Buffer.concat([Buffer.from('% Encoding: windows-1252\n'), bytes]), 4096), false);
  assert.equal(chunkable(Buffer.concat([bytes, Buffer.from([0xff, 0xfe])]), 4096), false, 'not UTF-8');
});

test('parsed in chunks: the papers, positions, macros and errors of one parse', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const text = library(400, eol);
    const whole = parseBibtex(text, '/lib.bib', new Map([['ext', 'External']]), { firstLine: 7 });
    const papers: Paper[] = [];
    let chunks = 0;
    const chunked = parseBibtexInChunks(Buffer.from(text), '/lib.bib', new Map([['ext', 'External']]), 7, p => { papers.push(...p); chunks++; }, 4096)!;
    assert.ok(chunks > 10, `${chunks} chunks`);
    assert.deepEqual(papers, whole.papers, JSON.stringify(eol));
    assert.deepEqual(chunked.errors, whole.errors, JSON.stringify(eol));
    assert.deepEqual([...chunked.macros], [...whole.macros]);
    assert.ok(papers.some(p => p.venue === 'Journal of Conference on Things'), 'a macro of an earlier chunk expands');
    assert.ok(chunked.errors.some(e => /Duplicate key "paper3" \(first at line/.test(e.message)), 'a duplicate across chunks');
    assert.ok(papers.filter(p => p.keyGenerated).length >= 4);
  }
});

test('errors past 1,000 are counted across chunks as in one parse', () => {
  const text = Array.from({ length: 1500 }, (_, i) => `@article{e${i}, title = {Broken ${i}\n`).join('');
  const whole = parseBibtex(text, '/b.bib');
  const chunked = parseBibtexInChunks(Buffer.from(text), '/b.bib', new Map(), 0, () => undefined, 2048)!;
  assert.equal(chunked.errors.filter(e => e.severity === 'error').length, 1000);
  assert.deepEqual(chunked.errors.at(-1), whole.errors.at(-1));
  assert.match(chunked.errors.at(-1)!.message, /^500 more syntax errors/);
});

test('a crossref parent in another chunk: the text must be parsed whole', () => {
  const filler = Array.from({ length: 200 }, (_, i) => `@misc{f${i}, title = {Filler ${i}}}\n`).join('');
  const text = `@inproceedings{child, crossref = {PARENT}, title = {Child}}\n${filler}@proceedings{parent, booktitle = {The Proceedings}, year = 2020}\n`;
  assert.equal(parseBibtexInChunks(Buffer.from(text), '/c.bib', new Map(), 0, () => undefined, 1024), undefined);
  const alone = `@inproceedings{child, crossref = {nowhere}, title = {Child}}\n${filler}`;
  const res = parseBibtexInChunks(Buffer.from(alone), '/c.bib', new Map(), 0, () => undefined, 1024)!;
  assert.deepEqual([...res.missingCrossrefs], ['nowhere']);
});

test('buildSource indexes a large UTF-8 file in chunks (also gzipped) with the result of one parse', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-chunks-'));
  try {
    let text = library(100);
    while (Buffer.byteLength(text) < CHUNK_BYTES * 2) text += library(3000).replace(/paper(\d+)/g, `p${text.length}x$1`);
    const file = path.join(dir, 'big.bib');
    fs.writeFileSync(file, text);
    const whole = parseBibtex(text, file);
    const built = await buildSource({ file, macros: [], takenKeyHashes: [] });
    const store = PaperStore.fromParts(built.segment.store);
    assert.equal(store.length, whole.papers.length);
    // The store keeps what a paper has (no undefined fields, no `keyGenerated: false`).
    const plain = (p: Paper) => JSON.parse(JSON.stringify({ ...p, keyGenerated: p.keyGenerated || undefined }));
    for (const d of [0, 1, Math.floor(store.length / 2), store.length - 1]) assert.deepEqual(plain(store.get(d)), plain(whole.papers[d]));
    assert.deepEqual(built.errors, whole.errors);
    const gz = path.join(dir, 'big.bib.gz');
    fs.writeFileSync(gz, (await import('node:zlib')).gzipSync(text));
    const fromGz = await buildSource({ file: gz, macros: [], takenKeyHashes: [] });
    assert.equal(fromGz.segment.store.offsets.length, built.segment.store.offsets.length);
    assert.deepEqual(fromGz.errors, whole.errors);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
