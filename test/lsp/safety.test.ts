/**
 * Untrusted text stays text (hovers and completion documentation over LSP on a hostile corpus), and
 * Restricted Mode (`initializationOptions.trusted: false`): corpus files outside the workspace are
 * not read, nothing is written (no index cache, no bibliography appends), and the status says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CompletionList, Diagnostic, MarkupContent } from 'vscode-languageserver-protocol';
import { AddToBibliographyRequest, type AddToBibliographyResult } from '../../server/src/protocol';
import { TestServer } from './lspClient';

const HOSTILE = [
  {
    id: 'hostile2024', type: 'article-journal',
    title: 'Hostile <img src=x onerror=alert(1)> [x](command:workbench.action.quit)',
    author: [{ family: 'Mallory</script><script>alert(2)</script>', given: 'Eve' }],
    issued: { 'date-parts': [[2024]] },
    'container-title': 'Journal of <i>Untrusted</i> Input',
    abstract: 'It tries <img src=x onerror=alert(1)> and </script><script>alert(2)</script>. It links [quit](command:workbench.action.quit) and [js](javascript:alert(3)).\n# Heading\n<a href="command:workbench.action.quit">click</a> javascript:alert(4)',
    URL: 'javascript:alert(4)',
    DOI: '10.1/x)(command:workbench.action.quit',
  },
];

/** What must never appear in Markdown built from hostile text. */
function assertInert(md: string): void {
  assert.ok(!/<\s*(img|script|a|i)\b/i.test(md), `raw HTML in ${md}`);
  assert.ok(!/\]\(\s*(command|javascript):/i.test(md), `a command or javascript link in ${md}`);
  assert.ok(!/javascript:/i.test(md), `an unescaped javascript: in ${md}`);
  for (const m of md.matchAll(/\]\(([^)]*)\)/g)) assert.match(m[1], /^(https:\/\/|file:\/\/)/, `link target ${m[1]}`);
}

test('hovers and completion documentation render hostile corpus text inert', async t => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-hostile-'));
  t.after(() => fs.rmSync(ws, { recursive: true, force: true }));
  const lib = path.join(ws, 'library.json');
  fs.writeFileSync(lib, JSON.stringify(HOSTILE));
  const server = await TestServer.start({ folders: [ws], initializationOptions: { corpus: [lib], sampleCorpus: 'never' } });
  try {
    await server.ready();
    const text = 'See \\cite{hostile2024} and \\cite{hostile';
    const uri = await server.open('untitled:h.tex', 'latex', text);
    const hover = await server.hover(uri, { line: 0, character: 12 });
    assert.ok(hover);
    const md = (hover.contents as MarkupContent).value;
    assert.equal((hover.contents as MarkupContent).kind, 'markdown');
    assert.match(md, /Hostile &lt;img/);
    assertInert(md);

    const list = await server.completion(uri, { line: 0, character: text.length }) as CompletionList;
    const item = list.items.find(i => i.label === 'hostile2024');
    assert.ok(item);
    const resolved = await server.resolve(item);
    assertInert((resolved.documentation as MarkupContent).value);

    // A key that is itself a payload: the "no paper" hover keeps it in a code span.
    const evil = '\\cite{`<img src=x onerror=alert(1)>`}';
    const evilUri = await server.open('untitled:k.tex', 'latex', evil);
    const none = await server.hover(evilUri, { line: 0, character: 10 });
    if (none) assert.match((none.contents as MarkupContent).value, /^Related Work: no paper with key `[^`\n]*` in the corpus\.$/);
  } finally {
    await server.stop();
  }
});

test('Restricted Mode: outside corpus files are not read, no cache or bibliography is written, the status says so', async t => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-restricted-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const ws = path.join(tmp, 'ws');
  const outside = path.join(tmp, 'outside');
  const cacheDir = path.join(tmp, 'cache');
  fs.mkdirSync(ws);
  fs.mkdirSync(outside);
  const refs = '@article{own2020, title = {Own Work}, year = 2020}\n';
  fs.writeFileSync(path.join(ws, 'refs.bib'), refs);
  fs.writeFileSync(path.join(ws, 'inside.json'), JSON.stringify([{ id: 'inside2021', title: 'Inside Paper on Zebras' }]));
  fs.writeFileSync(path.join(outside, 'secret.bib'), '@article{secret2022, title = {Secret Paper on Zebras}, year = 2022}\n');
  const doc = path.join(ws, 'paper.tex');
  const docText = '\\documentclass{article}\n\\begin{document}\nZebras \\cite{inside2021} and \\cite{secret2022}.\n\\bibliography{refs}\n\\end{document}\n';
  fs.writeFileSync(doc, docText);
  const settings = { corpus: ['inside.json', path.join(outside, 'secret.bib')], sampleCorpus: 'never', bibliography: { addOnInsert: true } };

  const server = await TestServer.start({ folders: [ws], settings, initializationOptions: { trusted: false, cacheDir } });
  try {
    const status = await server.waitForStatus(s => s.ready && s.sources.length === 2);
    assert.deepEqual(status.restricted, { skipped: [path.join(outside, 'secret.bib')] });
    assert.deepEqual(status.sources.map(s => path.basename(s.path)).sort(), ['inside.json', 'refs.bib']);
    assert.deepEqual((await server.search('zebras', 5)).items.map(i => i.key), ['inside2021']);
    assert.ok(!fs.existsSync(cacheDir) || fs.readdirSync(cacheDir).length === 0, 'no index cache written');

    const uri = await server.open(pathToFileURL(doc).href, 'latex', docText);
    // Completion carries no "add to the bibliography" command, addToBibliography refuses.
    const text = docText.replace('\\cite{secret2022}', '\\cite{zebra');
    await server.change(uri, text);
    const line = text.split('\n').findIndex(l => l.includes('\\cite{zebra'));
    const list = await server.completion(uri, { line, character: text.split('\n')[line].indexOf('zebra') + 5 }) as CompletionList;
    assert.ok(list.items.length > 0);
    assert.ok(list.items.every(i => !i.command), 'no append command');
    const add = await server.request<AddToBibliographyResult>(AddToBibliographyRequest.method, { uri, papers: [{ key: 'inside2021' }] });
    assert.equal(add.edit, undefined);
    assert.match(String(add.reason), /not trusted/);
    // Quick fixes on an undefined key edit the document only, never the bibliography file.
    const diags = await server.waitForDiagnostics(uri, d => d.some(x => (x.data as { key?: string } | undefined)?.key === 'inside2021'));
    const d = diags.find(x => (x.data as { key?: string } | undefined)?.key === 'inside2021') as Diagnostic;
    const actions = await server.request<CodeAction[] | null>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    for (const a of actions ?? []) assert.deepEqual(Object.keys(a.edit?.changes ?? {}), [uri], a.title);
    assert.equal(fs.readFileSync(path.join(ws, 'refs.bib'), 'utf8'), refs);
  } finally {
    await server.stop();
  }

  // The same workspace trusted: the outside file is read, the cache written.
  const trusted = await TestServer.start({ folders: [ws], settings, initializationOptions: { cacheDir } });
  try {
    const status = await trusted.waitForStatus(s => s.ready && s.sources.length === 3);
    assert.equal(status.restricted, undefined);
    assert.deepEqual((await trusted.search('zebras', 5)).items.map(i => i.key).sort(), ['inside2021', 'secret2022']);
  } finally {
    await trusted.stop();
  }
});
