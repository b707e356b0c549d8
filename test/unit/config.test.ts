import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bibInputs, DEFAULT_SETTINGS, readSettings, resolveCorpusEntry } from '../../server/src/config';
import { planSources } from '../../server/src/corpusManager';

test('readSettings validates each field and falls back to defaults', () => {
  assert.deepEqual(readSettings(undefined), DEFAULT_SETTINGS);
  assert.deepEqual(readSettings({ corpus: ['a.bib', 3, ''], sampleCorpus: 'sometimes', completionLimit: -1, citeCommands: ['\\mycite', 'othercite'] }), {
    ...DEFAULT_SETTINGS, corpus: ['a.bib'], citeCommands: ['mycite', 'othercite'],
  });
  // initializationOptions (a generic LSP client) add to the setting.
  assert.deepEqual(readSettings({ corpus: ['b.bib'] }, { corpus: ['a.jsonl'], sampleCorpus: 'never' }).corpus, ['a.jsonl', 'b.bib']);
  assert.equal(readSettings({}, { sampleCorpus: 'never' }).sampleCorpus, 'never');
  assert.equal(readSettings({ completionLimit: 10000 }).completionLimit, 500);
});

test('corpus entries resolve against home and the first workspace folder', () => {
  assert.equal(resolveCorpusEntry('~/lib.bib', '/ws'), path.join(os.homedir(), 'lib.bib'));
  assert.equal(resolveCorpusEntry('refs/lib.bib', '/ws'), '/ws/refs/lib.bib');
  assert.equal(resolveCorpusEntry('/abs/lib.bib', '/ws'), '/abs/lib.bib');
});

test('planSources: workspace .bib files first, then configured files and globs; sample only when nothing else', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-plan-'));
  fs.mkdirSync(path.join(ws, 'node_modules/pkg'), { recursive: true });
  fs.mkdirSync(path.join(ws, 'lib'));
  fs.writeFileSync(path.join(ws, 'refs.bib'), '');
  fs.writeFileSync(path.join(ws, 'node_modules/pkg/ignored.bib'), '');
  fs.writeFileSync(path.join(ws, 'lib/a.jsonl'), '');
  fs.writeFileSync(path.join(ws, 'lib/notes.md'), '');
  const sample = '/ext/dist/sample-corpus.txt';

  const plan = await planSources({ ...DEFAULT_SETTINGS, corpus: ['lib/*'] }, [ws], sample);
  assert.deepEqual(plan, [
    { path: path.join(ws, 'refs.bib'), kind: 'workspace' },
    { path: path.join(ws, 'lib/a.jsonl'), kind: 'configured' },
  ]);
  assert.deepEqual(await planSources({ ...DEFAULT_SETTINGS, workspaceBibFiles: false }, [ws], sample), [{ path: sample, kind: 'sample' }]);
  assert.deepEqual((await planSources({ ...DEFAULT_SETTINGS, sampleCorpus: 'always' }, [ws], sample)).map(p => p.kind), ['workspace', 'sample']);
  assert.deepEqual(await planSources({ ...DEFAULT_SETTINGS, sampleCorpus: 'never', workspaceBibFiles: false }, [ws], sample), []);
  fs.rmSync(ws, { recursive: true, force: true });
});

test('diagnostics settings: nested (VS Code) or flat keys; unused entries off by default', () => {
  assert.equal(DEFAULT_SETTINGS.unusedEntries, false);
  assert.equal(DEFAULT_SETTINGS.diagnostics, true);
  assert.equal(readSettings({ diagnostics: { unusedEntries: true } }).unusedEntries, true);
  assert.equal(readSettings({ 'diagnostics.enabled': false }).diagnostics, false);
  assert.equal(readSettings({ diagnostics: { unusedEntries: 'yes' } }).unusedEntries, false);
  assert.deepEqual(bibInputs({ BIBINPUTS: ['/a', '', '/b//'].join(path.delimiter) }), ['/a', '/b//']);
});

test('planSources indexes the bibliographies documents name, wherever they are (and then no sample)', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-plan2-'));
  try {
    const plan = await planSources({ ...DEFAULT_SETTINGS, workspaceBibFiles: false }, [ws], '/sample.txt', ['/elsewhere/shared.bib', '/x/notes.docx']);
    assert.deepEqual(plan, [{ path: '/elsewhere/shared.bib', kind: 'configured' }]);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
