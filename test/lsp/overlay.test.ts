/**
 * Unsaved edits to an open corpus `.bib` take effect at once (the file is indexed from the editor's
 * text, the others are left alone); closing the editor without saving brings back what the file
 * on disk says. The file itself is never written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestServer } from './lspClient';

const BIB = '@article{vaswani2017, title = {Attention Is All You Need}, author = {Vaswani, Ashish}, year = 2017}\n';

test('unsaved edits to an open .bib are indexed at once; closing without saving reverts', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-overlay-'));
  const bib = path.join(ws, 'refs.bib');
  fs.writeFileSync(bib, BIB);
  const other = path.join(ws, 'other.bib');
  fs.writeFileSync(other, '@misc{other2020, title = {Another Library}}\n');
  const server = await TestServer.start({ folders: [ws], initializationOptions: { sampleCorpus: 'never' } });
  try {
    const first = await server.ready();
    assert.equal(first.papers, 2);
    const uri = pathToFileURL(bib).href;
    await server.open(uri, 'bibtex', BIB);
    const edited = `${BIB}@inproceedings{fresh2024, title = {Brand New Speculative Idea}, year = 2024}\n@misc{broken, title = {Unclosed\n`;
    await server.change(uri, edited);
    const after = await server.waitForStatus(s => s.ready && s.papers === 3);
    assert.equal(after.sources.find(s => s.path === other)?.papers, 1, 'the other file is untouched');
    assert.deepEqual((await server.search('brand new speculative', 3)).items.map(i => i.key), ['fresh2024']);
    const problems = await server.waitForDiagnostics(uri, d => d.some(x => x.severity === 1));
    assert.ok(problems.some(d => d.range.start.line === 2), JSON.stringify(problems));
    assert.equal(fs.readFileSync(bib, 'utf8'), BIB, 'the file on disk is not written');
    // Closing without saving: the file on disk counts again.
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await server.waitForStatus(s => s.ready && s.papers === 2);
    assert.deepEqual((await server.search('brand new speculative', 3)).items.map(i => i.key), []);
  } finally {
    await server.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
