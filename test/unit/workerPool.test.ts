// The worker pool that builds corpus files off the server's thread, with the bundled worker script
// (dist/loadWorker.js, built by `npm test` before the tests run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkerPool } from '../../server/src/corpus/offThread';
import { PaperStore } from '../../server/src/corpus/paperStore';
import type { BuildRequest } from '../../server/src/corpus/buildSource';
import { repoRoot } from '../util/paths';

const script = path.join(repoRoot, 'dist/loadWorker.js');

function bib(dir: string, name: string, n: number): string {
  const file = path.join(dir, name);
  const entries = Array.from({ length: n }, (_, i) => `@article{${name.replace('.bib', '')}${i}, title = {Paper ${i} on worker threads}, year = 2020}\n`);
  fs.writeFileSync(file, entries.join(''));
  return file;
}

const request = (file: string): BuildRequest => ({ file, macros: [], takenKeyHashes: [] });
const keys = (b: { segment: { store: Parameters<typeof PaperStore.fromParts>[0] } }) => [...PaperStore.fromParts(b.segment.store)].map(p => p.key);

test('a worker that finished a build is reused for the next one, then let go when idle', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-pool-'));
  const pool = new WorkerPool(script, 300);
  try {
    const a = await pool.build(request(bib(dir, 'a.bib', 3)), () => undefined).result;
    const b = await pool.build(request(bib(dir, 'b.bib', 2)), () => undefined).result;
    assert.deepEqual(keys(a!), ['a0', 'a1', 'a2']);
    assert.deepEqual(keys(b!), ['b0', 'b1']);
    assert.deepEqual(pool.stats, { started: 1, reused: 1 });
    assert.equal(pool.idleCount, 1);
    // Two builds at once need two workers; both are kept afterwards.
    const [c, d] = await Promise.all([pool.build(request(bib(dir, 'c.bib', 1)), () => undefined).result, pool.build(request(bib(dir, 'd.bib', 1)), () => undefined).result]);
    assert.deepEqual([keys(c!), keys(d!)], [['c0'], ['d0']]);
    assert.deepEqual(pool.stats, { started: 2, reused: 2 });
    assert.equal(pool.idleCount, 2);
    // Idle workers end by themselves.
    await new Promise<void>(resolve => { const check = () => (pool.idleCount === 0 ? resolve() : setTimeout(check, 20)); check(); });
  } finally {
    await pool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('prestarted workers take the next builds; a prestarted worker that fails is dropped, and builds still succeed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-pool-'));
  const pool = new WorkerPool(script, 5000);
  const bad = path.join(dir, 'bad.js');
  fs.writeFileSync(bad, "throw new Error('the worker script is broken');\n");
  const badPool = new WorkerPool(bad, 5000);
  try {
    pool.prestart(2);
    assert.deepEqual([pool.idleCount, pool.stats.started], [2, 2]);
    const [a, b] = await Promise.all([pool.build(request(bib(dir, 'a.bib', 2)), () => undefined).result, pool.build(request(bib(dir, 'b.bib', 1)), () => undefined).result]);
    assert.deepEqual([keys(a!), keys(b!)], [['a0', 'a1'], ['b0']]);
    assert.deepEqual(pool.stats, { started: 2, reused: 2 });
    // Its workers throw while booting: each is dropped (no unhandled 'error' event), and a build
    // falls back to this thread.
    badPool.prestart(2);
    await new Promise<void>(resolve => { const check = () => (badPool.idleCount === 0 ? resolve() : setTimeout(check, 20)); check(); });
    const c = await badPool.build(request(bib(dir, 'c.bib', 2)), () => undefined).result;
    assert.deepEqual(keys(c!), ['c0', 'c1']);
  } finally {
    await Promise.all([pool.close(), badPool.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a cancelled build ends its worker; the next build gets a fresh one and succeeds', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-pool-'));
  const pool = new WorkerPool(script, 5000);
  try {
    const job = pool.build(request(bib(dir, 'big.bib', 20000)), () => undefined);
    job.cancel();
    assert.equal(await job.result, undefined);
    const next = await pool.build(request(bib(dir, 'small.bib', 2)), () => undefined).result;
    assert.deepEqual(keys(next!), ['small0', 'small1']);
    assert.deepEqual(pool.stats, { started: 2, reused: 0 });
  } finally {
    await pool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without the worker script the file is built in-process', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-pool-'));
  const pool = new WorkerPool(path.join(dir, 'missing.js'));
  try {
    const built = await pool.build(request(bib(dir, 'x.bib', 2)), () => undefined).result;
    assert.deepEqual(keys(built!), ['x0', 'x1']);
    assert.deepEqual(pool.stats, { started: 0, reused: 0 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a build that throws (a bug) gives one error naming the file, in a worker or in-process', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-pool-'));
  const file = path.join(dir, 'keyless.bib');
  fs.writeFileSync(file, '@article{, title = {No key}, author = {Doe, J}, year = 2020}\n');
  // Malformed on purpose: a generated key is looked up in `takenKeyHashes`, which throws.
  const bad = { file, macros: [], takenKeyHashes: null } as unknown as BuildRequest;
  for (const pool of [new WorkerPool(script), new WorkerPool(path.join(dir, 'missing.js'))]) {
    try {
      const built = await pool.build(bad, () => undefined).result;
      assert.equal(built!.segment.store.ints.length, 0);
      assert.match(built!.errors[0].message, /^Could not index .*keyless\.bib: /);
    } finally {
      await pool.close();
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
