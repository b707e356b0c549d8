/**
 * The persisted index cache, over LSP: a restart on an unchanged corpus reads the cache; a changed
 * file, a damaged cache or another format version means a rebuild, with the same results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestServer } from './lspClient';
import { repoRoot } from '../util/paths';

function workspace() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cache-'));
  const ws = path.join(root, 'ws');
  const cacheDir = path.join(root, 'cache');
  fs.mkdirSync(ws);
  fs.copyFileSync(path.join(repoRoot, 'server/data/sample-corpus.txt'), path.join(ws, 'library.txt'));
  fs.writeFileSync(path.join(ws, 'refs.bib'), '@string{nips = "NeurIPS"}\n@inproceedings{vaswani2017, title = {Attention Is All You Need}, author = {Vaswani, Ashish}, booktitle = nips, year = 2017}\n@misc{broken, title = {Unclosed\n');
  return { root, ws, cacheDir };
}

async function session(ws: string, cacheDir: string) {
  const server = await TestServer.start({
    folders: [ws],
    initializationOptions: { corpus: [path.join(ws, 'library.txt')], sampleCorpus: 'never', cacheDir },
  });
  const status = await server.ready();
  const search = await server.search('speculative decoding', 5);
  const hover = await server.search('vaswani2017', 1);
  const diagnostics = await server.diagnosticsFor(`file://${path.join(ws, 'refs.bib')}`);
  await server.stop();
  return { status, keys: search.items.map(i => i.key), hover: hover.items[0], diagnostics: diagnostics.map(d => d.message) };
}

test('index cache: a restart on an unchanged corpus reads every file from the cache, with the same results', async () => {
  const { root, ws, cacheDir } = workspace();
  try {
    const cold = await session(ws, cacheDir);
    assert.deepEqual(cold.status.sources.map(s => s.from), ['parse', 'parse']);
    assert.equal(fs.readdirSync(cacheDir).filter(f => f.endsWith('.rwcache')).length, 2);
    const warm = await session(ws, cacheDir);
    assert.deepEqual(warm.status.sources.map(s => s.from), ['cache', 'cache']);
    assert.equal(warm.status.papers, cold.status.papers);
    assert.deepEqual(warm.keys, cold.keys);
    assert.deepEqual(warm.hover, cold.hover);
    assert.ok(warm.diagnostics.length > 0, 'load errors come back from the cache too');
    assert.deepEqual(warm.diagnostics, cold.diagnostics);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('index cache: a changed file is re-parsed, a damaged cache is discarded and rebuilt', async () => {
  const { root, ws, cacheDir } = workspace();
  try {
    const cold = await session(ws, cacheDir);
    // Same size, new content and mtime: the stamp no longer matches.
    const bib = path.join(ws, 'refs.bib');
    fs.writeFileSync(bib, fs.readFileSync(bib, 'utf8').replace('Attention Is All You Need', 'Attention Is All You Want'));
    for (const f of fs.readdirSync(cacheDir)) {
      const file = path.join(cacheDir, f);
      const bytes = fs.readFileSync(file);
      if (bytes.length > 10_000) {
        // The library's cache: flip bytes in the middle of its data.
        bytes.fill(0xff, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 4096);
        fs.writeFileSync(file, bytes);
      }
    }
    const after = await session(ws, cacheDir);
    const from = Object.fromEntries(after.status.sources.map(s => [path.basename(s.path), s.from]));
    assert.equal(from['refs.bib'], 'parse', 'changed file');
    assert.equal(after.hover.title, 'Attention Is All You Want');
    assert.equal(from['library.txt'], 'parse', 'damaged cache (its data no longer matches its checksum)');
    assert.equal(after.status.papers, cold.status.papers);
    assert.deepEqual(after.keys, cold.keys);
    const again = await session(ws, cacheDir);
    assert.deepEqual(again.status.sources.map(s => s.from), ['cache', 'cache'], 'the rebuilt caches are used next time');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
