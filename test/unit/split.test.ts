import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSource } from '../../server/src/corpus/buildSource';
import { PaperStore } from '../../server/src/corpus/paperStore';
import { entryLineStart, planParts, scanPrefix, splittableHead, partEnds } from '../../server/src/corpus/split';

/** A BibTeX library with macros defined along the way, a broken entry and a commented-out macro. */
function library(entries: number, eol = '\n'): string {
  const out = ['% Library', '@string{conf = "Conference on Things"}', '%@string{j = "commented out"}'];
  for (let i = 0; i < entries; i++) {
    if (i === Math.floor(entries / 3)) out.push('@STRING ( j = {Journal} # " of " # conf )');
    if (i === Math.floor(entries / 2)) out.push(`@article{broken${i}, title = {Unclosed`);
    const venue = i > entries / 3 && i % 2 ? 'journal = j' : 'booktitle = conf';
    out.push(`@inproceedings{paper${i},`, `  title = {Paper number ${i} on retrieval},`, `  author = {Author, A${i} and Other, B},`, `  ${venue}, year = ${2000 + (i % 20)},`, '}', '');
  }
  return out.join(eol);
}

function tempFile(name: string, text: string): { file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-split-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return { file, dir };
}

test('a part boundary is a line that starts with @ and an entry type', () => {
  const b = (s: string) => Buffer.from(s);
  assert.equal(entryLineStart(b('x}\n@article{a,')), 3);
  assert.equal(entryLineStart(b('mail me @home\n@ {x}\n  @misc{a}\n@Book{b}')), 31);
  assert.equal(entryLineStart(b('x}\r@misc{a}')), 3);
  assert.equal(entryLineStart(b('no entry here\n@1\n')), -1);
  assert.equal(splittableHead(b('% Encoding: UTF-8\n@misc{a}')), true);
  assert.equal(splittableHead(b('% Encoding: windows-1252\n@misc{a}')), false);
  assert.equal(splittableHead(new Uint8Array([0x1f, 0x8b, 8, 0])), false);
  assert.equal(splittableHead(new Uint8Array([0x40, 0, 0x6d, 0])), false, 'UTF-16 without BOM');
});

test('planParts: an even number of parts, each starting at an entry, covering the file', async () => {
  const text = library(400);
  const { file, dir } = tempFile('lib.bib', text);
  try {
    const size = Buffer.byteLength(text);
    assert.equal(await planParts(file, size, size), undefined, 'smaller than 1.5 parts: whole');
    const parts = (await planParts(file, size, 8192))!;
    assert.ok(parts.length >= 4 && parts.length % 2 === 0, `${parts.length} parts`);
    assert.equal(parts[0].start, 0);
    assert.equal(parts.at(-1)!.end, size);
    for (let i = 1; i < parts.length; i++) {
      assert.equal(parts[i].start, parts[i - 1].end);
      assert.equal(text[parts[i].start], '@');
      assert.equal(text[parts[i].start - 1], '\n');
    }
    assert.equal(await planParts(file.replace(/bib$/, 'jsonl'), size, 8192), undefined, 'only BibTeX is split');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('scanPrefix: line number (LF, CRLF and lone CR) and the macros defined before a part', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const text = library(60, eol);
    const { file, dir } = tempFile('lib.bib', text);
    try {
      const at = text.indexOf('@inproceedings{paper40,');
      const prefix = scanPrefix(file, Buffer.byteLength(text.slice(0, at)));
      assert.equal(prefix.line, text.slice(0, at).split(eol).length - 1, JSON.stringify(eol));
      assert.deepEqual(prefix.macros, [['conf', 'Conference on Things'], ['j', 'Journal of Conference on Things']]);
      assert.deepEqual(scanPrefix(file, text.indexOf('@STRING')).macros, [['conf', 'Conference on Things']]);
      // From an earlier boundary and what the text before it gives (a worker's previous part):
      // the same prefix, whether a macro is defined before that boundary, after it, or redefined.
      const end = Buffer.byteLength(text.slice(0, at));
      for (const earlier of ['@inproceedings{paper5,', '@inproceedings{paper30,', '@inproceedings{paper40,']) {
        const from = Buffer.byteLength(text.slice(0, text.indexOf(earlier)));
        assert.deepEqual(scanPrefix(file, end, undefined, { at: from, ...scanPrefix(file, from) }), prefix, earlier);
      }
      const redefined = scanPrefix(file, end, undefined, { at: 0, line: 0, macros: [['j', 'old'], ['x', 'kept']] });
      assert.deepEqual(redefined.macros, [['x', 'kept'], ['conf', 'Conference on Things'], ['j', 'Journal of Conference on Things']]);
      assert.deepEqual(scanPrefix(file, end, undefined, { at: end + 1, line: 99, macros: [] }), prefix, 'a start past the end is ignored');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a file built in parts gives the papers, positions and errors of the file built whole', async () => {
  // (`conf` defined again two thirds in: a redefinition moves to the end of the macros in order.)
  const lib = library(300, '\r\n');
  const at = lib.indexOf('@inproceedings{paper200,');
  const text = `${lib.slice(0, at)}@string{conf = "Conference on Things"}\r\n${lib.slice(at)}`;
  const { file, dir } = tempFile('lib.bib', text);
  try {
    const papersOf = (store: PaperStore) => Array.from({ length: store.length }, (_, d) => store.get(d));
    const whole = await buildSource({ file, macros: [], takenKeyHashes: [] });
    const parts = (await planParts(file, Buffer.byteLength(text), 8192))!;
    const built = [];
    // One after another in this thread, as a worker builds them: each part's first line and macros
    // come from where the one before ended. Cached, the prefix is stamped into each part's cache.
    const cacheDir = path.join(dir, 'cache');
    for (const part of parts) built.push(await buildSource({ file, macros: [], takenKeyHashes: [], part, cacheDir }));
    const split = built.flatMap(b => {
      const store = PaperStore.fromFile(b.segment.store, b.storeFile!);
      try { return papersOf(store); } finally { store.close(); }
    });
    assert.equal(split.length, 300);
    assert.deepEqual(split, papersOf(PaperStore.fromParts(whole.segment.store)));
    assert.ok(split.some(p => p.venue === 'Journal of Conference on Things'), 'a macro defined in an earlier part expands');
    assert.deepEqual(built.flatMap(b => b.errors), whole.errors);
    assert.equal(whole.errors.filter(e => e.severity === 'error').length, 1);
    assert.deepEqual(built.flatMap(b => b.macros).map(m => m[0]), ['conf', 'j', 'conf']);
    assert.deepEqual(built.flatMap(b => b.undefinedMacros), []);
    // Touched, not changed: each part's prefix, now scanned from the start of the file, matches
    // the one stamped into its cache (same line, same macros in the same order), so all are used.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    for (const part of parts) {
      const again = await buildSource({ file, macros: [], takenKeyHashes: [], part, cacheDir });
      assert.equal(again.from, 'cache', `part ${part.index}: ${again.cacheNote}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('partEnds: parts shrink from first to last pair, covering the file', () => {
  assert.deepEqual(partEnds(2), [0.5]);
  for (const count of [4, 6, 8, 12]) {
    const ends = partEnds(count);
    assert.equal(ends.length, count - 1);
    const sizes = [...ends, 1].map((e, k) => e - (k ? ends[k - 1] : 0));
    for (let k = 1; k < count; k++) assert.ok(sizes[k] <= sizes[k - 1] + 1e-12, `part ${k} of ${count} is not larger than the one before`);
    // The two parts of a pair are the same size; the first pair is 5/3 the size of the last.
    for (let k = 0; k < count; k += 2) assert.ok(Math.abs(sizes[k] - sizes[k + 1]) < 1e-12);
    assert.ok(Math.abs(sizes[0] / sizes[count - 1] - 1.25 / 0.75) < 1e-9);
  }
});
