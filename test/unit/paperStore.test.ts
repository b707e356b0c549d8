import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import type { Paper } from '../../server/src/corpus/paper';
import { PaperStore, PaperStoreEncoder } from '../../server/src/corpus/paperStore';
import { corporaDir } from '../util/paths';

/** A paper as JSON sees it (undefined properties dropped, keyGenerated false dropped). */
const plain = (p: Paper) => {
  const o = JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
  if (o.keyGenerated === false) delete o.keyGenerated;
  return o;
};

const range = { start: { line: 1, character: 2 }, end: { line: 3, character: 4 } };

test('paper store: every field round-trips, optional fields stay absent, Unicode intact', () => {
  const papers: Paper[] = [
    { key: 'müller2020', keyGenerated: true, type: 'article', title: 'Über „Zeichen“ 𝔘 – ok', authors: ['Jürgen Müller', '李雷'], year: 2020, venue: 'Journal', abstract: 'x'.repeat(5000), doi: '10.1/x', url: 'https://e.org', arxiv: '2401.00001', keywords: 'a; b', source: '/s.bib', range },
    { key: 'k', type: 'misc', title: '', authors: [], source: '/s.bib', range },
    { key: 'y0', type: 'misc', title: 'Year zero', authors: ['A'], year: 0, source: '/s.bib', range },
  ];
  const store = PaperStore.encode(papers, '/s.bib');
  assert.equal(store.length, 3);
  for (let i = 0; i < papers.length; i++) assert.deepEqual(plain(store.get(i)), plain(papers[i]));
  assert.equal(store.key(0), 'müller2020');
  assert.equal(store.keyGenerated(0), true);
  assert.equal(store.keyGenerated(1), false);
  assert.equal('venue' in store.get(1), false);
  assert.deepEqual([...store].map(p => p.key), ['müller2020', 'k', 'y0']);
  const again = PaperStore.fromParts(store.toParts());
  assert.deepEqual(plain(again.get(0)), plain(papers[0]));
  assert.throws(() => PaperStore.fromParts({ ...store.toParts(), ints: new Int32Array(5) }), /inconsistent/);
});

test('paper store: the NeurIPS/ICML/ICLR bibliography round-trips and is smaller than the objects', { skip: !fs.existsSync(path.join(corporaDir, 'ml/neurips-icml-iclr.bib.gz')) && 'corpora absent' }, () => {
  const file = path.join(corporaDir, 'ml/neurips-icml-iclr.bib.gz');
  const { papers } = parseBibtex(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'), '/ml.bib');
  const store = PaperStore.encode(papers, '/ml.bib');
  assert.equal(store.length, papers.length);
  for (let i = 0; i < papers.length; i += 7) assert.deepEqual(plain(store.get(i)), plain(papers[i]), `paper ${i}`);
  const jsonBytes = Buffer.byteLength(JSON.stringify(papers));
  assert.ok(store.byteSize < jsonBytes, `${store.byteSize} bytes vs ${jsonBytes} as JSON`);
});

test('paper store: a file-backed store reads its text from the file, and fails cleanly on a short file', () => {
  const papers: Paper[] = [
    { key: 'a', type: 'misc', title: 'Älpha', authors: ['X Y'], abstract: 'first', source: '/s.bib', range },
    { key: 'b', type: 'misc', title: 'Beta', authors: [], year: 2001, source: '/s.bib', range },
  ];
  const parts = PaperStore.encode(papers, '/s.bib').toParts();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-store-'));
  const file = path.join(dir, 'store.bin');
  fs.writeFileSync(file, Buffer.concat([Buffer.from('HEADER--'), Buffer.from(parts.bytes)]));
  const store = PaperStore.fromFile({ ...parts, bytes: new Uint8Array(0) }, { path: file, offset: 8, length: parts.bytes.length });
  assert.equal(store.fileBacked, true);
  assert.deepEqual(plain(store.get(0)), plain(papers[0]));
  assert.deepEqual(plain(store.get(1)), plain(papers[1]));
  assert.equal(store.key(1), 'b');
  assert.equal(store.byteSize < parts.bytes.length + parts.offsets.byteLength + parts.ints.byteLength, true, 'no text in memory');
  store.close();
  assert.throws(() => store.get(0), /closed/);
  assert.throws(() => PaperStore.fromFile(parts, { path: file, offset: 8, length: parts.bytes.length + 100 }), /inconsistent|shorter/);
  fs.rmSync(dir, { recursive: true });
});

test('a store built a paper at a time grows from nothing and keeps every paper', () => {
  const encoder = new PaperStoreEncoder('/g.bib');
  const made = Array.from({ length: 5000 }, (_, i) => ({
    key: `k${i}`, type: 'article', title: `Title ${i} — ü`, authors: [`Author ${i}`], year: 1900 + (i % 200),
    ...(i % 3 ? { abstract: 'x'.repeat(i % 700) } : {}), source: '/g.bib',
    range: { start: { line: i * 3, character: 0 }, end: { line: i * 3 + 2, character: 1 } },
  }));
  for (const p of made) encoder.add(p);
  const store = encoder.finish();
  assert.equal(store.length, 5000);
  for (const d of [0, 1, 2, 1023, 1024, 4097, 4999]) assert.deepEqual(store.get(d), made[d]);
  assert.equal(store.key(4999), 'k4999');
  PaperStore.fromParts(store.toParts()); // passes the checks a cached store must pass
});
