/**
 * No lost edits (an append computed against text the file no longer has is refused, and the file's
 * other bytes are never touched), Restricted Mode's corpus plan (nothing outside the workspace is
 * read), and untrusted text in hovers (escaped Markdown, whatever the line structure).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Paper } from '../../server/src/corpus/paper';
import { DEFAULT_SETTINGS, insideFolders } from '../../server/src/config';
import { planSources } from '../../server/src/corpusManager';
import { appendEntries } from '../../server/src/features/bibliographyAppend';
import { fingerprint, staleReason } from '../../server/src/features/fileGuard';
import { applyEdit, offsetAt } from '../util/fixture';
import { escapeMarkdown, paperMarkdown } from '../../server/src/lsp/toProto';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const paper = (p: Partial<Paper>): Paper => ({ key: 'k', type: 'article', title: 'T', authors: ['A B'], source: '/lib/x.json', range, ...p });

const REFS = '% my references\n@article{own2020,\n  title = {Own},\n  year = 2020\n}\n';

test('fileGuard: fingerprints tell texts apart; offsets follow LSP lines', () => {
  assert.deepEqual(fingerprint(REFS), fingerprint(`${REFS}`));
  assert.notDeepEqual(fingerprint(REFS), fingerprint(REFS.replace('Own', 'Owm')));
  assert.equal(fingerprint('').length, 0);
  assert.equal(offsetAt('a\r\nb\rc\nd', { line: 3, character: 0 }), 7);
  assert.equal(offsetAt('ab\ncd', { line: 0, character: 99 }), 2, 'clamped to the line');
  assert.equal(offsetAt('ab', { line: 9, character: 0 }), 2);
  assert.equal(applyEdit('ab\ncd', { range: { start: { line: 1, character: 1 }, end: { line: 1, character: 1 } }, newText: 'X' }), 'ab\ncXd');
});

test('no lost edits: an append is applied only to the text it was computed against; other bytes untouched', () => {
  const files: Record<string, string> = { '/ws/refs.bib': REFS };
  const r = appendEntries({ textOf: f => files[f] }, '/ws/refs.bib', [paper({ key: 'new2024', title: 'New', year: 2024, source: '/lib/x.json' })]);
  assert.ok(r.edit?.expected);
  assert.deepEqual(r.edit.expected, fingerprint(REFS));

  // Unchanged file: the edit applies, and every byte the file had is still there, in place.
  assert.equal(staleReason('/ws/refs.bib', REFS, r.edit.expected), undefined);
  const after = applyEdit(REFS, r.edit);
  assert.equal(after.slice(0, REFS.length), REFS);
  assert.equal(after.slice(REFS.length), r.edit.newText);
  assert.match(r.edit.newText, /@\w+\{new2024,/);

  // Changed on disk since (another tool added an entry at the end, the user edited a title of the
  // same length, or the file went away): refused, with a message naming the file.
  const grown = `${REFS}@book{other2021, title = {Other}}\n`;
  const sameLength = REFS.replace('Own', 'Owe');
  for (const now of [grown, sameLength, '', undefined]) {
    const reason = staleReason('/ws/refs.bib', now, r.edit.expected);
    assert.match(String(reason), /refs\.bib/, JSON.stringify(now));
    // What the client then does: nothing. The file keeps exactly its new bytes.
  }
  // Applied blindly, the stale edit would have cut into the grown file's last entry.
  const blind = applyEdit(grown, r.edit);
  assert.notEqual(blind.slice(0, grown.length), grown);

  // CSL-JSON: an insertion inside the array; removing it gives back the file byte for byte.
  const csl = '[\n  {"id": "own2020", "title": "Own"}\n]\n';
  const c = appendEntries({ textOf: () => csl }, '/ws/refs.json', [paper({ key: 'n2024', source: '/lib/x.bib' })]);
  assert.ok(c.edit?.expected);
  assert.deepEqual(c.edit.expected, fingerprint(csl));
  const cAfter = applyEdit(csl, c.edit);
  const at = offsetAt(csl, c.edit.range.start);
  assert.equal(cAfter.slice(0, at) + cAfter.slice(at + c.edit.newText.length), csl);
  assert.deepEqual((JSON.parse(cAfter) as Array<{ id: string }>).map(i => i.id), ['own2020', 'n2024']);
});

test('Restricted Mode: corpus files outside the workspace folders are not read, inside ones are', async t => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-trust-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const ws = path.join(tmp, 'ws');
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(path.join(ws, 'lib'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(ws, 'refs.bib'), '@article{a, title={A}}');
  fs.writeFileSync(path.join(ws, 'lib', 'inside.json'), '[]');
  fs.writeFileSync(path.join(outside, 'secret.bib'), '@article{s, title={S}}');
  fs.writeFileSync(path.join(outside, 'other.bib'), '@article{o, title={O}}');
  fs.symlinkSync(path.join(outside, 'secret.bib'), path.join(ws, 'lib', 'link.jsonl'));
  const settings = { ...DEFAULT_SETTINGS, workspaceBibFiles: true, sampleCorpus: 'never' as const, corpus: ['lib/inside.json', path.join(outside, 'secret.bib'), `${outside}/*.bib`, '../outside/other.bib', 'lib/link.jsonl'] };
  const named = [path.join(outside, 'named.bib'), path.join(ws, 'lib', 'named.bib')];

  const trusted = (await planSources(settings, [ws], undefined, named)).map(p => p.path);
  assert.ok(trusted.includes(path.join(outside, 'secret.bib')) && trusted.includes(path.join(outside, 'other.bib')) && trusted.includes(path.join(outside, 'named.bib')));

  const restricted = { skipped: [] as string[] };
  const plan = (await planSources(settings, [ws], '/ext/sample.txt', named, restricted)).map(p => p.path);
  assert.deepEqual(plan.sort(), [path.join(ws, 'lib', 'inside.json'), path.join(ws, 'lib', 'named.bib'), path.join(ws, 'refs.bib')].sort());
  assert.deepEqual(restricted.skipped.sort(), [path.join(outside, 'secret.bib'), outside, path.join(outside, 'other.bib'), path.join(ws, 'lib', 'link.jsonl'), path.join(outside, 'named.bib')].sort());
  assert.ok(!insideFolders(path.join(ws, '..', 'outside', 'x.bib'), [ws]));
  assert.ok(insideFolders(path.join(ws, 'a', '..', 'b.bib'), [ws]));
  assert.ok(!insideFolders(`${ws}-sibling/x.bib`, [ws]));
});

test('hovers escape untrusted text on every line: no HTML, links, lists, headings or command links', () => {
  const hostile = paper({
    title: 'T <img src=x onerror=alert(1)>',
    abstract: 'First.\n# Heading\n- item\n1. item\n<script>alert(1)</script>\n[x](command:workbench.action.quit) javascript:alert(1) <https://evil.example>',
    url: 'javascript:alert(1)',
  });
  const md = paperMarkdown(hostile, { abstract: 'sentences' });
  assert.ok(!/<(img|script|https)/i.test(md), md);
  assert.ok(!md.includes('](command'), md);
  assert.ok(!/\(javascript/i.test(md) && !md.includes('javascript:'), md);
  for (const line of escapeMarkdown('a\n# h\n- i\n+ j\n2. k\n  = l').split('\n').slice(1)) assert.match(line, /^\s*(\\[#=+-]|\d+\\\.)/, line);
});
