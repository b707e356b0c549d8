/**
 * Robustness over other parsers' test suites (../shared/corpora/messy: torture files, broken
 * entries, odd encodings): every file with a corpus extension loads without throwing, and every
 * reported problem has a range inside the file. Prints a summary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { corpusFormat, decodeBytes, loadCorpusFile } from '../../server/src/corpus/loader';
import { insideText } from '../util/loadErrors';
import { corporaDir } from '../util/paths';

const MESSY = path.join(corporaDir, 'messy');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  }).sort();
}

test('every file of the messy set loads with the matching loader; all ranges lie inside the file', async t => {
  if (!fs.existsSync(MESSY)) { t.skip(`${MESSY} not found`); return; }
  const summary = { files: 0, skipped: 0, papers: 0, errors: 0, warnings: 0 };
  for (const file of files(MESSY)) {
    if (!corpusFormat(file)) { summary.skipped++; continue; }
    summary.files++;
    const result = await loadCorpusFile(file);
    const lines = decodeBytes(fs.readFileSync(file)).text.split(/\r\n?|\n/);
    for (const p of result.papers) {
      assert.ok(insideText(p.range, lines), `${file}: ${p.key} has range ${JSON.stringify(p.range)}`);
      assert.equal(typeof p.title, 'string');
      assert.ok(p.key, `${file}: a paper without a key`);
    }
    for (const e of result.errors) assert.ok(insideText(e.range, lines), `${file}: "${e.message}" has range ${JSON.stringify(e.range)}`);
    summary.papers += result.papers.length;
    summary.errors += result.errors.filter(e => e.severity === 'error').length;
    summary.warnings += result.errors.filter(e => e.severity === 'warning').length;
  }
  t.diagnostic(`messy set: ${summary.files} files loaded (${summary.skipped} skipped: no corpus extension), ${summary.papers} papers, ${summary.errors} errors, ${summary.warnings} warnings`);
  assert.ok(summary.files > 1000 && summary.papers > 15_000, JSON.stringify(summary));
});

test('messy set: known hard files load as other parsers intend', async t => {
  if (!fs.existsSync(MESSY)) { t.skip(`${MESSY} not found`); return; }
  const load = (rel: string) => loadCorpusFile(path.join(MESSY, rel));

  const gbk = await load('python-bibtexparser/gbk_test.bib');
  assert.deepEqual(gbk.papers.map(p => [p.key, p.authors, p.venue]), [['凯撒2013', ['凯撒'], '测试期刊']]);
  assert.match(gbk.errors[0].message, /GBK/);

  for (const name of ['tiny-LE-withBOM.bib', 'tiny-BE-withBOM.bib', 'tiny-LE-noBOM.bib', 'tiny-BE-noBOM.bib']) {
    const r = await load(`jabref/importer/fileformat/${name}`);
    assert.ok(r.papers.length > 0 && r.errors.every(e => e.severity === 'warning'), `${name}: ${r.papers.length} papers, ${JSON.stringify(r.errors)}`);
  }

  const latin9 = await load('biber-tdata/encoding1.bib');
  assert.deepEqual(latin9.papers.map(p => p.title), ['Šome title']);

  // bibtex-ruby's error fixture: each broken object is one error, the valid ones still load
  // (the key-less `@book{ author = "An Author" }` with a generated key).
  const errors = await load('bibtex-ruby/test_fixtures_errors.bib');
  assert.deepEqual(errors.papers.map(p => [p.key, p.authors]), [['author', ['An Author']], ['key', ['An Author']]]);
  assert.deepEqual(errors.errors.filter(e => e.severity === 'error').map(e => e.range.start.line + 1), [9, 12, 15, 21, 34, 40, 46, 53, 59]);
});
