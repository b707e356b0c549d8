import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachePath, pruneCacheDir, readCacheFile, stampOf, writeCacheFile, type Stamp } from '../../server/src/cache/cacheFile';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cache-test-'));
}

function fixture() {
  const dir = tmpDir();
  const source = path.join(dir, 'lib.bib');
  fs.writeFileSync(source, '@misc{a, title={A}}\n');
  const stamp = stampOf(source, fs.readFileSync(source), fs.statSync(source), 1);
  const file = cachePath(path.join(dir, 'cache'), source);
  const sections = {
    bytes: new Uint8Array([1, 2, 3]),
    ints: new Int32Array([-1, 2 ** 30, 7]),
    floats: new Float32Array([0.5, 1.25]),
    empty: new Uint32Array(0),
  };
  writeCacheFile(file, stamp, { papers: 1 }, sections);
  return { dir, source, stamp, file, sections };
}

test('cache file: sections and meta round-trip for the same stamp', () => {
  const { dir, stamp, file, sections } = fixture();
  const c = readCacheFile(file, stamp);
  assert.ok(c);
  assert.deepEqual(c.meta, { papers: 1 });
  assert.deepEqual([...c.sections.get('bytes')!], [1, 2, 3]);
  assert.deepEqual([...c.sections.get('ints')!], [...sections.ints]);
  assert.ok(c.sections.get('floats') instanceof Float32Array);
  assert.deepEqual([...c.sections.get('floats')!], [0.5, 1.25]);
  assert.equal(c.sections.get('empty')!.length, 0);
  assert.deepEqual(fs.readdirSync(path.dirname(file)).filter(f => f.endsWith('.tmp')), [], 'no temporary file left');
  fs.rmSync(dir, { recursive: true });
});

test('cache file: a changed size, content, or version is a miss, and the stale file is deleted', () => {
  for (const change of [{ size: 1 }, { mtimeMs: 1, sha1: '0'.repeat(40) }, { version: 2 }, { source: '/other.bib' }] as Partial<Stamp>[]) {
    const { dir, stamp, file } = fixture();
    assert.equal(readCacheFile(file, { ...stamp, ...change }), undefined, JSON.stringify(change));
    assert.equal(fs.existsSync(file), false, 'stale cache removed');
    fs.rmSync(dir, { recursive: true });
  }
});

test('cache file: a new mtime with the same content keeps the cache; the content is hashed only then', () => {
  const { dir, stamp, file } = fixture();
  let hashed = 0;
  const probe = { ...stamp, sha1: () => { hashed++; return stamp.sha1; } };
  assert.ok(readCacheFile(file, probe));
  assert.equal(hashed, 0, 'same mtime: the corpus file is not read');
  assert.ok(readCacheFile(file, { ...probe, mtimeMs: stamp.mtimeMs + 1000 }));
  assert.equal(hashed, 1);
  fs.rmSync(dir, { recursive: true });
});

test('cache file: truncated, garbled or hostile files are discarded, never trusted', () => {
  const { dir, stamp, file } = fixture();
  const good = fs.readFileSync(file);
  const damaged: Buffer[] = [
    good.subarray(0, good.length - 3),                  // truncated data
    good.subarray(0, 10),                               // truncated header
    Buffer.concat([Buffer.from('NOTCACHE'), good.subarray(8)]),
    Buffer.from(good).fill(0x7b, 12, 20),               // broken JSON
    Buffer.alloc(0),
  ];
  // A header that claims a section far outside the file, or an unknown type.
  const headerLength = good.readUInt32LE(8);
  const header = JSON.parse(good.toString('utf8', 12, 12 + headerLength));
  for (const patch of [{ offset: 1 << 30 }, { type: 'BigInt64Array' }, { type: '__proto__' }, { offset: 3 }, { length: -1 }]) {
    const h = { ...header, sections: header.sections.map((s: object, i: number) => (i === 0 ? { ...s, ...patch } : s)) };
    const hb = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(4); len.writeUInt32LE(hb.length);
    damaged.push(Buffer.concat([good.subarray(0, 8), len, hb, Buffer.alloc(64)]));
  }
  for (const [i, bytes] of damaged.entries()) {
    fs.writeFileSync(file, bytes);
    assert.equal(readCacheFile(file, stamp), undefined, `damaged variant ${i}`);
    assert.equal(fs.existsSync(file), false);
  }
  assert.equal(readCacheFile(path.join(dir, 'missing.rwcache'), stamp), undefined);
  fs.rmSync(dir, { recursive: true });
});

test('cache file: one flipped bit in the data is caught by the checksum', () => {
  const { dir, stamp, file } = fixture();
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 9] ^= 1;
  fs.writeFileSync(file, bytes);
  assert.equal(readCacheFile(file, stamp), undefined);
  fs.rmSync(dir, { recursive: true });
});

test('cache dir pruning: caches unused for 30 days and stale temporary files go; recent, kept and foreign files stay', async () => {
  const dir = tmpDir();
  const day = 24 * 3600 * 1000;
  const now = Date.now();
  const make = (name: string, ageDays: number) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, 'x');
    const t = new Date(now - ageDays * day);
    fs.utimesSync(f, t, t);
    return f;
  };
  make('old.rwcache', 40);
  make('recent.rwcache', 3);
  const kept = make('kept-old.rwcache', 90);
  make('crash.rwcache.123.456.tmp', 1);
  make('writing.rwcache.123.456.tmp', 0);
  make('notes.txt', 400);
  const deleted = await pruneCacheDir(dir, new Set([kept]), 30 * day, now);
  assert.deepEqual(deleted.sort(), ['crash.rwcache.123.456.tmp', 'old.rwcache']);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['kept-old.rwcache', 'notes.txt', 'recent.rwcache', 'writing.rwcache.123.456.tmp']);
  assert.deepEqual(await pruneCacheDir(path.join(dir, 'missing'), new Set()), []);
  fs.rmSync(dir, { recursive: true });
});

test('a cache whose checksum holds but whose index does not is discarded by the worker and rebuilt', async () => {
  const { buildSource, CACHE_VERSION } = await import('../../server/src/corpus/buildSource');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cache-bad-'));
  try {
    const file = path.join(dir, 'lib.bib');
    fs.writeFileSync(file, Array.from({ length: 50 }, (_, i) => `@article{k${i}, title = {Paper ${i} about caches}}\n`).join(''));
    const cacheDir = path.join(dir, 'cache');
    const first = await buildSource({ file, macros: [], takenKeyHashes: [], cacheDir });
    assert.equal(first.from, 'parse');
    // Rewrite the cache with a posting that names a paper the segment does not have: the stamp and
    // the data checksum are right, the index is not.
    const stat = fs.statSync(file);
    const stamp = stampOf(file, fs.readFileSync(file), stat, CACHE_VERSION);
    const cache = cachePath(cacheDir, file);
    const read = readCacheFile(cache, stamp)!;
    const sections = Object.fromEntries(read.sections);
    const docs = (sections.docs as Uint32Array).slice();
    docs[0] = 1_000_000;
    writeCacheFile(cache, stamp, read.meta, { ...sections, docs });
    const again = await buildSource({ file, macros: [], takenKeyHashes: [], cacheDir });
    assert.equal(again.from, 'parse');
    assert.match(again.cacheNote ?? '', /cache discarded: inconsistent segment/);
    assert.equal(again.checked, true);
    assert.equal((await buildSource({ file, macros: [], takenKeyHashes: [], cacheDir })).from, 'cache', 'the rebuilt cache is used');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
