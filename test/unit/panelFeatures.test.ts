/**
 * The pure features behind the related-papers panel: which passage the cursor is in, what the
 * document says about itself, the Cite edit, the BibTeX export, and the webview message guards.
 * Fixtures are inline with the `<|>` cursor marker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { citationEdit, preferredCommand } from '../../server/src/features/citationEdit';
import { entryAsWritten, formatBibtex } from '../../server/src/features/bibtexExport';
import { documentContext, passageAt } from '../../server/src/features/passage';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import type { Paper } from '../../server/src/corpus/paper';
import { isPanelItem, parseFromWebview, parseToWebview } from '../../client/src/panel/messages';
import { parseFixture } from '../util/fixture';

function passage(src: string, languageId = 'latex') {
  const { text, pos } = parseFixture(src);
  return passageAt(text, languageId, pos)?.text;
}

/** The document after citing `key` at the cursor, with the new cursor shown as `<|>`. */
function cite(src: string, key: string, languageId = 'latex'): string {
  const { text, pos } = parseFixture(src);
  const r = citationEdit(text, languageId, pos, key);
  if (!r.edit) return `unchanged: ${r.reason}`;
  const lines = text.split('\n');
  const { start, end } = r.edit.range;
  assert.deepEqual(start, end, 'Cite only inserts');
  const line = lines[start.line];
  lines[start.line] = line.slice(0, start.character) + r.edit.newText + line.slice(start.character);
  assert.ok(r.cursor);
  const l2 = lines[r.cursor.line];
  lines[r.cursor.line] = `${l2.slice(0, r.cursor.character)}<|>${l2.slice(r.cursor.character)}`;
  return lines.join('\n');
}

test('passage: the LaTeX paragraph around the cursor, up to blank lines and headings', () => {
  const doc = `\\section{Related Work}
\\paragraph{Speculative decoding.}
A draft model proposes tokens
that the tar<|>get model verifies \\citep{a}.

Another paragraph.`;
  assert.equal(passage(doc), '\\paragraph{Speculative decoding.}\nA draft model proposes tokens\nthat the target model verifies \\citep{a}.');
  assert.equal(passage('\\section{Related<|> Work}\nText under it.'), undefined, 'a heading is no passage');
  assert.equal(passage('Para one.\n<|>\nPara two.'), undefined, 'a blank line is no passage');
  assert.equal(passage('Intro text.\n\\begin{itemize}\n\\item First po<|>int\n\\item Second\n\\end{itemize}'), '\\item First point', 'an \\item is its own paragraph');
  assert.equal(passage('% a comment li<|>ne\nText.'), undefined, 'a comment line is not prose');
  assert.equal(passage('\\begin{verbatim}\ncode he<|>re\n\\end{verbatim}'), undefined, 'verbatim is not prose');
});

test('passage: Markdown paragraphs skip front matter, fences and headings; list items stand alone', () => {
  const md = `---
title: "Fast Decoding"
---

# Related work

Speculative decoding uses a dr<|>aft model [@a].
It verifies in parallel.

- item one
`;
  assert.equal(passage(md, 'markdown'), 'Speculative decoding uses a draft model [@a].\nIt verifies in parallel.');
  assert.equal(passage('---\ntitle: x<|>\n---\nText', 'markdown'), undefined, 'front matter is not prose');
  assert.equal(passage('```\nco<|>de\n```', 'markdown'), undefined, 'fenced code is not prose');
  assert.equal(passage('Intro.\n\n- first it<|>em\n- second item', 'markdown'), '- first item');
  assert.equal(passage('# Head<|>ing\ntext', 'markdown'), undefined);
});

test('passage: a selection wins over the paragraph; a huge paragraph is cut around the cursor', () => {
  const text = 'one two three four\nfive six';
  assert.equal(passageAt(text, 'latex', { line: 0, character: 0 }, { start: { line: 0, character: 4 }, end: { line: 1, character: 4 } })?.text, 'two three four\nfive');
  const long = `${'alpha '.repeat(2000)}beta ${'gamma '.repeat(2000)}`;
  const p = passageAt(long, 'latex', { line: 0, character: 12_003 });
  assert.ok(p && p.text.length <= 6000 && p.text.includes('beta'), 'window holds the cursor');
});

test('documentContext: title and cited keys, LaTeX and Markdown', () => {
  const tex = documentContext('\\title[Short]{Fast {Decoding}\\\\ for LLMs\\thanks{x}}\n\\cite{a,b} \\citep[p.~3]{c} \\cite{a}', 'latex');
  assert.equal(tex.title, 'Fast {Decoding} for LLMs');
  assert.deepEqual(tex.citedKeys, ['a', 'b', 'c']);
  const md = documentContext('---\ntitle: "Fast Decoding"\n---\nSee [@x; @y] and @z.', 'markdown');
  assert.equal(md.title, 'Fast Decoding');
  assert.deepEqual(md.citedKeys, ['x', 'y', 'z']);
  assert.equal(documentContext('no title', 'latex').title, undefined);
});

test('Cite: a new citation uses the command the document uses most', () => {
  assert.equal(cite('Draft models help<|>.', 'medusa'), 'Draft models help~\\cite{medusa}<|>.');
  assert.equal(cite('\\citep{a} \\citep{b} \\citet{c}\nDraft models help<|>', 'medusa'), '\\citep{a} \\citep{b} \\citet{c}\nDraft models help~\\citep{medusa}<|>');
  assert.equal(cite('Draft models help. <|>', 'm'), 'Draft models help. \\cite{m}<|>');
  assert.equal(preferredCommand('\\nocite{a} \\nocite{b} \\parencite{c}'), 'parencite');
});

test('Cite: inside or right after a citation the key joins it', () => {
  assert.equal(cite('\\citep{a<|>}', 'b'), '\\citep{a,b<|>}');
  assert.equal(cite('\\citep{a}<|> more', 'b'), '\\citep{a,b<|>} more');
  assert.equal(cite('\\citep{a,<|>}', 'b'), '\\citep{a,b<|>}');
  assert.equal(cite('\\citep{<|>a}', 'b'), '\\citep{a,b<|>}', 'a cursor at a key joins after that key');
  assert.equal(cite('\\citep{a, <|>}', 'b'), '\\citep{a, b<|>}');
  assert.equal(cite('\\citep{a,b<|>}', 'b'), 'unchanged: This citation already has b.');
  assert.equal(cite('\\citep{a}<|>', 'a'), 'unchanged: This citation already has a.');
});

test('Cite: Pandoc syntax in Markdown', () => {
  assert.equal(cite('Draft models help<|>.', 'medusa', 'markdown'), 'Draft models help [@medusa]<|>.');
  assert.equal(cite('Help [@a<|>].', 'b', 'markdown'), 'Help [@a; @b<|>].');
  assert.equal(cite('Help [@a]<|>.', 'b', 'markdown'), 'Help [@a; @b<|>].');
  assert.equal(cite('<|>', 'k', 'markdown'), '[@k]<|>');
  assert.match(cite('x<|>', 'k', 'plaintext'), /^unchanged: /);
});

const paper = (over: Partial<Paper>): Paper => ({
  key: 'k', type: 'article', title: 'T', authors: [], source: '/x.json',
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, ...over,
});

test('BibTeX export: generated entries escape LaTeX specials and keep braces balanced', () => {
  const b = formatBibtex(paper({
    key: 'smith2020', type: 'article-journal', title: 'Costs & benefits of 100% {recall}_x', authors: ['Ann Smith', 'Bo Li'],
    year: 2020, venue: 'J. of #Things', doi: '10.1/{x}', abstract: 'A \\ b ~ c ^ d',
  }));
  assert.match(b, /^@article\{smith2020,\n/);
  assert.match(b, /title = \{Costs \\& benefits of 100\\% \\\{recall\\\}\\_x\}/);
  assert.match(b, /author = \{Ann Smith and Bo Li\}/);
  assert.match(b, /journal = \{J\. of \\#Things\}/);
  assert.match(b, /doi = \{10\.1\/x\}/);
  assert.match(b, /abstract = \{A \\textbackslash\{\} b \\textasciitilde\{\} c \\textasciicircum\{\} d\}/);
  let depth = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === '\\') { i++; continue; }
    if (b[i] === '{') depth++;
    if (b[i] === '}') depth--;
    assert.ok(depth >= 0);
  }
  assert.equal(depth, 0, 'balanced braces');
  const inproc = formatBibtex(paper({ type: 'paper-conference', venue: 'ACL', arxiv: '2401.1' }));
  assert.match(inproc, /^@inproceedings\{k,/);
  assert.match(inproc, /booktitle = \{ACL\}/);
  assert.match(inproc, /eprint = \{2401\.1\},\n {2}archiveprefix = \{arXiv\}/);
});

test('BibTeX export: an entry from a .bib file is copied as written', () => {
  const text = '@string{acl = "ACL"}\n\n% note\n@inproceedings{medusa,\n  title = {Medusa},\n  booktitle = acl,\n}\n@misc{other, title={O}}\n';
  const { papers } = parseBibtex(text, '/lib.bib');
  const medusa = papers.find(p => p.key === 'medusa')!;
  assert.equal(entryAsWritten(text, medusa), '@inproceedings{medusa,\n  title = {Medusa},\n  booktitle = acl,\n}');
  assert.equal(entryAsWritten('changed file', medusa), undefined, 'a file that changed since indexing is not trusted');
});

const item = {
  key: 'k', source: '/a.bib', title: 't', authors: ['A'], relevance: 0.5, matchedTerms: ['x'],
  highlights: { title: [[0, 1]], abstract: [] }, cited: false, pinned: false,
};

test('webview messages: only well-formed messages pass the guards, both ways', () => {
  assert.deepEqual(parseFromWebview({ type: 'cite', paper: { key: 'k', source: '/a.bib', extra: 1 } }), { type: 'cite', paper: { key: 'k', source: '/a.bib' } });
  assert.deepEqual(parseFromWebview({ type: 'search', query: 'q' }), { type: 'search', query: 'q' });
  assert.equal(parseFromWebview({ type: 'cite', paper: { key: '', source: '/a' } }), undefined);
  assert.equal(parseFromWebview({ type: 'pin', paper: { key: 'k', source: '/a' } }), undefined, 'pin needs a boolean');
  assert.equal(parseFromWebview({ type: 'runCommand', command: 'x' }), undefined);
  assert.equal(parseFromWebview('cite'), undefined);
  assert.equal(parseFromWebview(null), undefined);
  assert.ok(isPanelItem(item));
  assert.equal(isPanelItem({ ...item, highlights: { title: [[0]], abstract: [] } }), false);
  assert.equal(isPanelItem({ ...item, authors: [1] }), false);
  const state = { view: 'results', pinned: [], items: [item] };
  assert.equal(parseToWebview({ type: 'state', state })?.type, 'state');
  assert.equal(parseToWebview({ type: 'state', state: { ...state, view: 'html' } }), undefined);
  assert.equal(parseToWebview({ type: 'state', state: { ...state, items: [{ ...item, title: 3 }] } }), undefined);
  assert.equal(parseToWebview({ type: 'notice', text: 'hi', kind: 'html' }), undefined);
  assert.deepEqual(parseToWebview({ type: 'status', status: { ready: true, papers: 3 } }), { type: 'status', status: { ready: true, papers: 3, message: undefined } });
});
