/**
 * LSP-level tests of the drafting requests against the bundled server: several keys cited at once,
 * drafted citation sentences (`relatedWork/citationSnippet`) and the snippet completion items, the
 * paragraph draft from the keys cited in a selection (`relatedWork/draftParagraph`), adding cited
 * papers to the bibliography (`relatedWork/addToBibliography`, BibTeX and CSL-JSON) and the quick
 * fix doing the same into a CSL-JSON bibliography.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CompletionList, Diagnostic, Position, TextEdit } from 'vscode-languageserver-protocol';
import {
  AddToBibliographyRequest, CitationSnippetRequest, DraftParagraphRequest,
  type AddToBibliographyResult, type CitationSnippetResult, type DraftParagraphResult,
} from '../../server/src/protocol';
import { TestServer } from './lspClient';
import { applyEdits, positionOf } from '../util/fixture';
import { tempWorkspace, type TempWorkspace } from '../util/workspace';

const LIBRARY = `@inproceedings{leviathan2023fast,
  title = {Fast Inference from Transformers via Speculative Decoding},
  author = {Leviathan, Yaniv and Kalman, Matan and Matias, Yossi},
  year = {2023},
  booktitle = {ICML},
  abstract = {Inference from large autoregressive models is slow. In this work we introduce speculative decoding, an algorithm to sample from autoregressive models faster by computing several tokens in parallel. Our method yields 2x-3x acceleration.}
}

@article{cai2024medusa,
  title = {Medusa: Simple {LLM} Inference Acceleration Framework with Multiple Decoding Heads},
  author = {Cai, Tianle and Li, Yuhong and Geng, Zhengyang},
  year = {2024},
  journal = {ICML},
  abstract = {Decoding is sequential. We present Medusa, which adds extra decoding heads to predict multiple tokens in parallel for speculative decoding.}
}

@inproceedings{frantar2023gptq,
  title = {{GPTQ}: Accurate Post-Training Quantization for Generative Transformers},
  author = {Frantar, Elias and Alistarh, Dan},
  year = {2023},
  booktitle = {ICLR},
  abstract = {We propose GPTQ, a one-shot weight quantization method based on approximate second-order information.}
}
`;
const REFS = `@misc{own2020,
  title = {Our Own Paper},
  year = {2020}
}
`;
const TEX = `\\documentclass{article}
\\usepackage{natbib}
\\begin{document}
Drafting models \\citep{leviathan2023fast} and heads \\citep{cai2024medusa} and GPTQ \\citep{frantar2023gptq}.
Here: 
\\bibliography{refs}
\\end{document}
`;
const CSL = `[
  {
    "id": "own2020",
    "type": "article",
    "title": "Our Own Paper"
  }
]
`;
const MD = `---
bibliography: refs.json
---

Speculative decoding [@leviathan2023fast] and [@nokey].
`;

describe('drafting requests', () => {
  let server: TestServer;
  let dir: string;
  let ws: string;
  let w: TempWorkspace;
  const file = (rel: string) => w.file(rel);
  const uri = (rel: string) => w.uri(rel);

  before(async () => {
    w = tempWorkspace('rw-draft-', { 'ws/refs.bib': REFS, 'ws/refs.json': CSL, 'ws/paper.tex': TEX, 'ws/notes.md': MD, 'lib/library.bib': LIBRARY });
    ({ dir, ws } = w);
    server = await TestServer.start({
      folders: [ws],
      initializationOptions: { corpus: [path.join(dir, 'lib', 'library.bib')] },
      settings: { bibliography: { addOnInsert: true } },
    });
    await server.waitForStatus(s => s.ready && s.sources.length >= 2);
    await server.open(uri('paper.tex'), 'latex', TEX);
    await server.open(uri('notes.md'), 'markdown', MD);
  });
  after(async () => { await server.stop(); w.dispose(); });

  test('citationEdit cites several keys at once', async () => {
    const r = await server.citationEdit({ uri: uri('paper.tex'), position: positionOf(TEX, 'Here: ', 6), key: 'cai2024medusa', keys: ['cai2024medusa', 'frantar2023gptq'] });
    assert.equal(r.edit?.newText, '\\citep{cai2024medusa,frantar2023gptq}');
  });

  test('citationSnippet: a drafted sentence with natbib\'s \\citep in the LaTeX document, [@key] in Markdown', async () => {
    const tex = await server.request<CitationSnippetResult>(CitationSnippetRequest.method, { uri: uri('paper.tex'), papers: [{ key: 'cai2024medusa' }] });
    assert.equal(tex.text, 'Cai et al. (2024) present Medusa, which adds extra decoding heads to predict multiple tokens in parallel for speculative decoding \\citep{cai2024medusa}.');
    assert.equal(tex.snippet, '${2:Cai et al.} (${3:2024}) ${1:present Medusa, which adds extra decoding heads to predict multiple tokens in parallel for speculative decoding} \\\\citep{cai2024medusa\\}.$0');
    const md = await server.request<CitationSnippetResult>(CitationSnippetRequest.method, { uri: uri('notes.md'), papers: [{ key: 'leviathan2023fast' }, { key: 'nope' }] });
    assert.equal(md.text, 'Leviathan et al. (2023) introduce speculative decoding, an algorithm to sample from autoregressive models faster by computing several tokens in parallel [@leviathan2023fast].');
    assert.deepEqual(md.missing, ['nope']);
  });

  test('completion: a drafted-sentence item after the top key, with the bibliography command (addOnInsert on)', async () => {
    const text = TEX.replace('Here: ', 'Here: \\citep{medusa}');
    await server.change(uri('paper.tex'), text);
    const list = await server.completion(uri('paper.tex'), positionOf(text, '{medusa}', 7)) as CompletionList;
    assert.equal(list.items[0].label, 'cai2024medusa');
    const snippet = list.items.find(i => i.kind === 15);
    assert.ok(snippet, JSON.stringify(list.items.map(i => [i.label, i.kind])));
    assert.equal(snippet.label, 'cai2024medusa');
    const after = applyEdits(text, [snippet.textEdit as TextEdit, ...(snippet.additionalTextEdits ?? [])]);
    assert.match(after, /Here: \$\{2:Cai et al\.\} .* \\\\citep\{cai2024medusa\\\}\.\$0\n/);
    assert.deepEqual(snippet.command?.arguments, [uri('paper.tex'), [{ key: 'cai2024medusa', source: path.join(dir, 'lib', 'library.bib') }]]);
    await server.change(uri('paper.tex'), TEX);
  });

  test('draftParagraph from the keys cited in a selection: themes, chronological, one sentence per paper', async () => {
    const line = TEX.split('\n').findIndex(l => l.startsWith('Drafting'));
    const r = await server.request<DraftParagraphResult>(DraftParagraphRequest.method, {
      uri: uri('paper.tex'), selection: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } },
    });
    assert.ok(r.text, r.reason);
    assert.deepEqual(r.themes?.map(t => t.keys), [['leviathan2023fast', 'cai2024medusa'], ['frantar2023gptq']]);
    const paragraphs = r.text.split('\n\n');
    assert.equal(paragraphs.length, 2);
    assert.match(paragraphs[0], /^Several works address [^\n]*\.\nLeviathan et al\. \(2023\) introduce [^\n]* \\citep\{leviathan2023fast\}\.\nCai et al\. \(2024\) present [^\n]* \\citep\{cai2024medusa\}\.$/);
    assert.match(paragraphs[1], /\nFrantar and Alistarh \(2023\) propose GPTQ, [^\n]* \\citep\{frantar2023gptq\}\.$/);
    const none = await server.request<DraftParagraphResult>(DraftParagraphRequest.method, { uri: uri('paper.tex'), papers: [{ key: 'nope' }] });
    assert.equal(none.text, undefined);
    assert.deepEqual(none.missing, ['nope']);
  });

  test('addToBibliography: the entry as written in its .bib, appended to refs.bib; keys already there skipped', async () => {
    const r = await server.request<AddToBibliographyResult>(AddToBibliographyRequest.method, {
      uri: uri('paper.tex'), papers: [{ key: 'cai2024medusa' }, { key: 'own2020' }, { key: 'nope' }],
    });
    assert.deepEqual([r.added, r.skipped, r.missing, r.file], [['cai2024medusa'], ['own2020'], ['nope'], file('refs.bib')]);
    const edits = r.edit!.changes[uri('refs.bib')];
    assert.equal(edits.length, 1);
    assert.deepEqual(edits[0].range.start, edits[0].range.end, 'an insertion at the end');
    const after = applyEdits(REFS, edits);
    assert.ok(after.startsWith(REFS));
    assert.ok(after.includes(LIBRARY.slice(LIBRARY.indexOf('@article{cai2024medusa'), LIBRARY.indexOf('}\n\n@inproceedings{frantar') + 1)), 'verbatim');
  });

  test('addToBibliography into a CSL-JSON bibliography: a generated CSL item inside the array', async () => {
    const r = await server.request<AddToBibliographyResult>(AddToBibliographyRequest.method, { uri: uri('notes.md'), papers: [{ key: 'leviathan2023fast' }] });
    assert.equal(r.file, file('refs.json'));
    const after = applyEdits(CSL, r.edit!.changes[uri('refs.json')]);
    const items = JSON.parse(after) as Array<Record<string, unknown>>;
    assert.deepEqual(items.map(i => i.id), ['own2020', 'leviathan2023fast']);
    assert.deepEqual(items[1].author, [{ family: 'Leviathan', given: 'Yaniv' }, { family: 'Kalman', given: 'Matan' }, { family: 'Matias', given: 'Yossi' }]);
    assert.deepEqual(items[1].issued, { 'date-parts': [[2023]] });
  });

  test('quick fix on an undefined key in Markdown adds a CSL-JSON item to refs.json', async () => {
    const diags = await server.waitForDiagnostics(uri('notes.md'), d => d.some(x => (x.data as { key?: string })?.key === 'leviathan2023fast'));
    const d = diags.find(x => (x.data as { key: string }).key === 'leviathan2023fast') as Diagnostic;
    const actions = await server.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri('notes.md') }, range: d.range, context: { diagnostics: [d] } });
    const add = actions.find(a => a.title === "Add 'leviathan2023fast' to refs.json (from library.bib)");
    assert.ok(add?.command, actions.map(a => a.title).join(' | '));
    const [docUri, papers] = add.command.arguments as [string, unknown];
    const appended = await server.request<{ edit?: { changes?: Record<string, TextEdit[]> } }>('relatedWork/addToBibliography', { uri: docUri, papers });
    const after = applyEdits(CSL, appended.edit!.changes![uri('refs.json')]);
    assert.deepEqual((JSON.parse(after) as Array<{ id: string }>).map(i => i.id), ['own2020', 'leviathan2023fast']);
    assert.equal(add.isPreferred, true);
  });
});
