/**
 * LSP-level tests of bibliography discovery, definition, references, rename, diagnostics, code
 * actions and symbols: the bundled server over stdio on a small multi-file LaTeX + Markdown
 * workspace written to a temporary directory, with a library outside the workspace as corpus.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  CodeAction, CompletionList, Diagnostic, DocumentSymbol, Location, LocationLink, Position, Range, SymbolInformation, TextEdit, WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { TestServer } from './lspClient';
import { applyEdits, positionOf, rangeOf } from '../util/fixture';
import { tempWorkspace, type TempWorkspace } from '../util/workspace';

const REFS = `@article{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
  journal = {NeurIPS}
}

@inproceedings{devlin2019bert,
  title = {{BERT}: Pre-training of Deep Bidirectional Transformers},
  author = {Devlin, Jacob},
  year = {2019},
  booktitle = {NAACL}
}
`;
const EXTRA = `@misc{devlin2019bert,
  title = {BERT again},
  year = {2019}
}

@misc{radford2019language,
  title = {Language Models are Unsupervised Multitask Learners},
  year = {2019}
}
`;
const LIBRARY = `@inproceedings{brown2020language,
  title = {Language Models are Few-Shot Learners},
  author = {Brown, Tom and Mann, Benjamin},
  year = {2020},
  booktitle = {NeurIPS}
}
`;
const MAIN = `\\documentclass{article}
\\begin{document}
\\input{chapters/intro}
Transformers \\cite{vaswani2017attention} and typos \\cite{vaswni2017attention}.
GPT-3 \\citep{brown2020language}.
\\begin{verbatim}
\\cite{not-a-citation}
\\end{verbatim}
\\bibliography{refs, extra}
\\end{document}
`;
const INTRO = `\\section{Introduction}
As \\citet{devlin2019bert} show, and \\cite{attention is all you need}.
`;
const NOTES = `---
title: Notes
bibliography: refs.bib
---

Attention [@vaswani2017attention; see @fig-one] and @devlin2019bert and [@nokey2020].
`;
const SHARED = `@book{knuth1984texbook, title = {The TeXbook}, author = {Knuth, Donald}, year = {1984}}
`;

describe('bibliography features on a multi-file project', () => {
  let server: TestServer;
  let dir: string;
  let ws: string;
  let w: TempWorkspace;
  const file = (rel: string) => w.file(rel);
  const uri = (rel: string) => w.uri(rel);

  before(async () => {
    w = tempWorkspace('rw-bib-', {
      'ws/refs.bib': REFS, 'ws/extra.bib': EXTRA, 'ws/main.tex': MAIN, 'ws/chapters/intro.tex': INTRO, 'ws/notes.md': NOTES,
      'ws/thesis.tex': '\\documentclass{book}\n\\begin{document}\n\\cite{knuth1984texbook}\n\\bibliography{shared}\n\\end{document}\n',
      'lib/library.bib': LIBRARY, 'bibinputs/shared.bib': SHARED,
    });
    ({ dir, ws } = w);
    server = await TestServer.start({
      folders: [ws],
      initializationOptions: { corpus: [path.join(dir, 'lib', 'library.bib')] },
      env: { BIBINPUTS: path.join(dir, 'bibinputs') },
    });
    await server.waitForStatus(s => s.ready && s.sources.length === 3);
  });
  after(async () => { await server.stop(); w.dispose(); });

  test('undefined keys are checked against the document\'s own bibliography, not the corpus; verbatim is no citation', async () => {
    await server.open(uri('main.tex'), 'latex', MAIN);
    const diags = await server.waitForDiagnostics(uri('main.tex'), d => d.length > 0);
    const keys = diags.map(d => (d.data as { key: string }).key).sort();
    assert.deepEqual(keys, ['brown2020language', 'vaswni2017attention'], JSON.stringify(diags));
    const typo = diags.find(d => (d.data as { key: string }).key === 'vaswni2017attention')!;
    assert.deepEqual(typo.range, rangeOf(MAIN, 'vaswni2017attention'));
    assert.equal(typo.severity, 2);
    assert.match(String(typo.message), /refs\.bib, extra\.bib/);
  });

  test('an included file is checked against its root\'s bibliography', async () => {
    await server.open(uri('chapters/intro.tex'), 'latex', INTRO);
    const diags = await server.waitForDiagnostics(uri('chapters/intro.tex'), d => d.length > 0);
    assert.deepEqual(diags.map(d => (d.data as { key: string }).key), ['attention is all you need']);
  });

  test('quick fixes: the closest key, by title, and adding a corpus paper to the bibliography', async () => {
    const diags = await server.waitForDiagnostics(uri('main.tex'), d => d.length === 2);
    const typo = diags.find(d => (d.data as { key: string }).key === 'vaswni2017attention')!;
    const fixes = await server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uri('main.tex') }, range: typo.range, context: { diagnostics: [typo] },
    });
    assert.equal(fixes[0].title, "Replace with 'vaswani2017attention'");
    assert.equal(fixes[0].isPreferred, true);
    const edit = fixes[0].edit!.changes![uri('main.tex')];
    assert.match(applyEdits(MAIN, edit), /typos \\cite\{vaswani2017attention\}/);

    const missing = diags.find(d => (d.data as { key: string }).key === 'brown2020language')!;
    const add = await server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uri('main.tex') }, range: missing.range, context: { diagnostics: [missing] },
    });
    assert.equal(add[0].title, "Add 'brown2020language' to refs.bib (from library.bib)");
    // The append is the client's guarded command: the server computes it when it is run.
    assert.equal(add[0].edit, undefined);
    assert.equal(add[0].command?.command, 'relatedWork.addToBibliography');
    const [docUri, papers] = add[0].command!.arguments as [string, unknown];
    assert.equal(docUri, uri('main.tex'));
    const appended = await server.request<{ edit?: WorkspaceEdit; expected?: unknown }>('relatedWork/addToBibliography', { uri: docUri, papers });
    assert.ok(appended.expected, 'the append carries the fingerprint of the text it was computed against');
    const bibEdit = appended.edit!.changes![uri('refs.bib')];
    assert.equal(bibEdit.length, 1);
    assert.deepEqual(bibEdit[0].range.start, { line: REFS.split('\n').length - 1, character: 0 });
    const after = applyEdits(REFS, bibEdit);
    assert.ok(after.endsWith(`}\n\n${LIBRARY.trim()}\n`), after);

    const introDiags = await server.waitForDiagnostics(uri('chapters/intro.tex'), d => d.length === 1);
    const byTitle = await server.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uri('chapters/intro.tex') }, range: introDiags[0].range, context: { diagnostics: introDiags },
    });
    assert.equal(byTitle[0].title, "Replace with 'vaswani2017attention' (Attention Is All You Need)");
    assert.match(applyEdits(INTRO, byTitle[0].edit!.changes![uri('chapters/intro.tex')]), /\\cite\{vaswani2017attention\}/);
  });

  test('Markdown: front-matter bibliography, cross-references are not citations', async () => {
    await server.open(uri('notes.md'), 'markdown', NOTES);
    const diags = await server.waitForDiagnostics(uri('notes.md'), d => d.length > 0);
    assert.deepEqual(diags.map(d => (d.data as { key: string }).key), ['nokey2020']);
  });

  test('a bibliography found through BIBINPUTS is indexed and defines the keys', async () => {
    await server.open(uri('thesis.tex'), 'latex', fs.readFileSync(file('thesis.tex'), 'utf8'));
    const status = await server.waitForStatus(s => s.ready && s.sources.some(x => x.path.endsWith('shared.bib')));
    assert.equal(status.sources.find(x => x.path.endsWith('shared.bib'))?.papers, 1);
    const diags = await server.waitForDiagnostics(uri('thesis.tex'), d => d.length === 0);
    assert.deepEqual(diags, []);
  });

  test('a key defined in two of a document\'s bibliography files is a warning on the later one', async () => {
    const diags = await server.waitForDiagnostics(uri('extra.bib'), d => d.some(x => x.code === 'duplicate-key'));
    const dup = diags.find(d => d.code === 'duplicate-key')!;
    assert.deepEqual(dup.range, rangeOf(EXTRA, 'devlin2019bert'));
    assert.match(String(dup.message), /also defined in refs\.bib/);
    assert.equal(dup.relatedInformation?.[0].location.uri, uri('refs.bib'));
  });

  test('go to definition leads from a citation to the key in the .bib', async () => {
    const links = await server.request<LocationLink[]>('textDocument/definition', {
      textDocument: { uri: uri('main.tex') }, position: positionOf(MAIN, 'vaswani2017attention', 3),
    });
    assert.equal(links.length, 1);
    assert.equal(links[0].targetUri, uri('refs.bib'));
    assert.deepEqual(links[0].targetSelectionRange, rangeOf(REFS, 'vaswani2017attention'));
    assert.deepEqual(links[0].originSelectionRange, rangeOf(MAIN, 'vaswani2017attention'));
    // A key only in the corpus (not the bibliography) still leads to its record.
    const corpusOnly = await server.request<LocationLink[]>('textDocument/definition', {
      textDocument: { uri: uri('main.tex') }, position: positionOf(MAIN, 'brown2020language', 2),
    });
    assert.equal(corpusOnly[0].targetUri, pathToFileURL(path.join(dir, 'lib', 'library.bib')).href);
  });

  test('references from a .bib entry find every citation in the workspace (files not open too)', async () => {
    await server.open(uri('refs.bib'), 'bibtex', REFS);
    const refs = await server.request<Location[]>('textDocument/references', {
      textDocument: { uri: uri('refs.bib') }, position: positionOf(REFS, 'devlin2019bert', 1), context: { includeDeclaration: false },
    });
    assert.deepEqual(refs.map(r => path.relative(ws, new URL(r.uri).pathname)).sort(), ['chapters/intro.tex', 'notes.md']);
    const withDecl = await server.request<Location[]>('textDocument/references', {
      textDocument: { uri: uri('main.tex') }, position: positionOf(MAIN, 'vaswani2017attention', 1), context: { includeDeclaration: true },
    });
    assert.deepEqual(withDecl.map(r => path.basename(new URL(r.uri).pathname)).sort(), ['main.tex', 'notes.md', 'refs.bib']);
  });

  test('rename: prepareRename gives the key; the entry and every citation change in one edit', async () => {
    const prep = await server.request<{ range: Range; placeholder: string }>('textDocument/prepareRename', {
      textDocument: { uri: uri('main.tex') }, position: positionOf(MAIN, 'vaswani2017attention', 4),
    });
    assert.deepEqual(prep, { range: rangeOf(MAIN, 'vaswani2017attention'), placeholder: 'vaswani2017attention' });
    const none = await server.request('textDocument/prepareRename', { textDocument: { uri: uri('main.tex') }, position: { line: 0, character: 3 } });
    assert.equal(none, null);
    const edit = await server.request<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri: uri('main.tex') }, position: positionOf(MAIN, 'vaswani2017attention', 4), newName: 'vaswani2017',
    });
    const changes = edit.changes!;
    assert.deepEqual(Object.keys(changes).map(u => path.basename(new URL(u).pathname)).sort(), ['main.tex', 'notes.md', 'refs.bib']);
    assert.match(applyEdits(REFS, changes[uri('refs.bib')]), /^@article\{vaswani2017,\n/);
    assert.match(applyEdits(MAIN, changes[uri('main.tex')]), /Transformers \\cite\{vaswani2017\} and typos \\cite\{vaswni2017attention\}/);
    assert.match(applyEdits(NOTES, changes[uri('notes.md')]), /\[@vaswani2017; see @fig-one\]/);
    await assert.rejects(server.request('textDocument/rename', {
      textDocument: { uri: uri('main.tex') }, position: positionOf(MAIN, 'vaswani2017attention', 4), newName: 'bad key',
    }), /not a valid citation key/);
  });

  test('document symbols of a .bib and workspace symbols by title or author', async () => {
    const symbols = await server.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uri('refs.bib') } });
    assert.deepEqual(symbols.map(s => s.name), ['vaswani2017attention', 'devlin2019bert']);
    assert.match(symbols[0].detail ?? '', /Attention Is All You Need/);
    assert.deepEqual(symbols[1].selectionRange, rangeOf(REFS, 'devlin2019bert'));
    const ws1 = await server.request<SymbolInformation[]>('workspace/symbol', { query: 'few-shot learners' });
    assert.equal(ws1[0].containerName, 'brown2020language');
    assert.match(ws1[0].name, /Language Models are Few-Shot Learners/);
    const byAuthor = await server.request<SymbolInformation[]>('workspace/symbol', { query: 'shazeer' });
    assert.equal(byAuthor[0].containerName, 'vaswani2017attention');
  });

  test('unsaved edits of an open .bib: syntax errors at once, with exact ranges; keys defined at once', async () => {
    const broken = `${REFS}\n@article{broken2021,\n  title = {Unclosed,\n  year = 2021\n\n@misc{vaswni2017attention, title = {Typo key}}\n`;
    await server.change(uri('refs.bib'), broken);
    const diags = await server.waitForDiagnostics(uri('refs.bib'), d => d.some(x => x.severity === 1));
    const err = diags.find(d => d.severity === 1)!;
    assert.ok(err.range.start.line >= REFS.split('\n').length && err.range.start.line <= REFS.split('\n').length + 4, JSON.stringify(err));
    // main.tex's typo is now defined in the (unsaved) refs.bib.
    const main = await server.waitForDiagnostics(uri('main.tex'), d => d.length === 1);
    assert.equal((main[0].data as { key: string }).key, 'brown2020language');
    await server.change(uri('refs.bib'), REFS);
    await server.waitForDiagnostics(uri('refs.bib'), d => !d.some(x => x.severity === 1));
  });
});

describe('unused entries', () => {
  test('are hints only when relatedWork.diagnostics.unusedEntries is on', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-unused-'));
    fs.writeFileSync(path.join(ws, 'refs.bib'), REFS);
    const text = '\\documentclass{article}\n\\begin{document}\n\\cite{devlin2019bert}\n\\bibliography{refs}\n\\end{document}\n';
    fs.writeFileSync(path.join(ws, 'paper.tex'), text);
    const server = await TestServer.start({ folders: [ws], settings: { diagnostics: { unusedEntries: true } } });
    try {
      await server.ready();
      await server.open(pathToFileURL(path.join(ws, 'paper.tex')).href, 'latex', text);
      const diags = await server.waitForDiagnostics(pathToFileURL(path.join(ws, 'refs.bib')).href, d => d.length > 0);
      assert.equal(diags.length, 1);
      assert.equal(diags[0].severity, 4);
      assert.deepEqual(diags[0].tags, [1]);
      assert.deepEqual(diags[0].range, rangeOf(REFS, 'vaswani2017attention'));
    } finally {
      await server.stop();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});

test('a .bib edited on disk changes what completion offers', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-edit-'));
  const refs = path.join(ws, 'refs.bib');
  fs.writeFileSync(refs, REFS);
  const server = await TestServer.start({ folders: [ws] });
  try {
    await server.waitForStatus(s => s.ready && s.papers === 2);
    const text = 'See \\cite{zebra';
    const docUri = await server.open(pathToFileURL(path.join(ws, 'p.tex')).href, 'latex', text);
    const before = await server.completion(docUri, positionOf(text, 'zebra', 5)) as CompletionList;
    assert.deepEqual(before.items.map(i => i.label), []);
    fs.appendFileSync(refs, '\n@article{zebra2024, title = {Zebra Finches Sing}, year = 2024}\n');
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(refs).href, type: 2 }] });
    await server.waitForStatus(s => s.ready && s.papers === 3);
    const after = await server.completion(docUri, positionOf(text, 'zebra', 5)) as CompletionList;
    assert.equal(after.items[0]?.label, 'zebra2024');
  } finally {
    await server.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

// Diagnostics never delay completion: a completion request right after an edit is answered before
// the debounced check runs.
test('completion is answered while diagnostics are pending', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-fast-'));
  fs.writeFileSync(path.join(ws, 'refs.bib'), REFS);
  const server = await TestServer.start({ folders: [ws] });
  try {
    await server.ready();
    const text = '\\documentclass{article}\n\\begin{document}\n\\cite{nosuch} \\cite{vas\n\\bibliography{refs}\n\\end{document}\n';
    const docUri = await server.open(pathToFileURL(path.join(ws, 'p.tex')).href, 'latex', text);
    const list = await server.completion(docUri, positionOf(text, '{vas', 4)) as CompletionList;
    assert.equal(list.items[0].label, 'vaswani2017attention');
    assert.equal(server.diagnostics.get(docUri), undefined, 'completion came before the debounced check');
    const diags: Diagnostic[] = await server.waitForDiagnostics(docUri, d => d.length > 0);
    assert.ok(diags.some(d => (d.data as { key: string }).key === 'nosuch'));
  } finally {
    await server.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
