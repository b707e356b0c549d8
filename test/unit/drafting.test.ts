/**
 * The drafting features: the author phrase, the contribution sentence picker, the summary, the
 * template and its snippet escaping, the snippet completion's citation wrapper, theme grouping and
 * the paragraph draft, several keys cited at once, the BibTeX generator (round-tripped through the
 * project's own parser) and appending to BibTeX and CSL-JSON bibliographies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import { parseCslJson } from '../../server/src/corpus/csljson';
import type { Paper } from '../../server/src/corpus/paper';
import { addToBibliography, appendEntries, cslItem, cslName } from '../../server/src/features/bibliographyAppend';
import { formatBibtex } from '../../server/src/features/bibtexExport';
import { citationEdit } from '../../server/src/features/citationEdit';
import { citeContextAt } from '../../server/src/features/citeContext';
import { citedKeysIn } from '../../server/src/features/citations';
import { rangeOf } from '../util/fixture';
import { completeCitation } from '../../server/src/features/completion';
import { draftParagraph, groupThemes } from '../../server/src/features/draftParagraph';
import {
  authorPhrase, baseForm, citationWrapper, citeForms, contributionSentence, DEFAULT_TEMPLATE, draftSentence, draftSentences, escapeSnippet,
  latexCitePackage, renderTemplate, sentences, shorten, summaryOf, surname, thirdPerson, titleName,
} from '../../server/src/features/snippet';
import { CorpusIndex } from '../../server/src/index/corpusIndex';
import { toCompletionList } from '../../server/src/lsp/toProto';
import { parseFixture } from '../util/fixture';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
function paper(p: Partial<Paper> & { key: string }): Paper {
  return { type: 'misc', title: '', authors: [], source: '/corpus/lib.jsonl', range, ...p };
}

const MEDUSA = paper({
  key: 'cai2024medusa', title: 'Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads',
  authors: ['Tianle Cai', 'Yuhong Li', 'Zhengyang Geng'], year: 2024, venue: 'ICML',
  abstract: 'Large Language Models (LLMs) employ auto-regressive decoding that requires sequential computation. '
    + 'This creates a bottleneck, e.g. for latency, as each step waits on the previous one. '
    + 'In this paper, we present Medusa, an efficient method that augments LLM inference by adding extra decoding heads to predict multiple subsequent tokens in parallel. '
    + 'Experiments show that Medusa achieves a 2.2x speedup without compromising generation quality.',
});

// ---- Author phrase ------------------------------------------------------------------------------------

test('surname: last word, particles kept, suffixes dropped, "Family, Given" as written', () => {
  assert.equal(surname('Ashish Vaswani'), 'Vaswani');
  assert.equal(surname('Ludwig van Beethoven'), 'van Beethoven');
  assert.equal(surname('Martin Luther King Jr.'), 'King');
  assert.equal(surname('Vaswani, Ashish'), 'Vaswani');
  assert.equal(surname('OpenAI'), 'OpenAI');
});

test('authorPhrase: one, two, "et al."; "others" counts as more; no authors → the title\'s name', () => {
  assert.deepEqual(authorPhrase(['Ann Smith']), { text: 'Smith', plural: false });
  assert.deepEqual(authorPhrase(['Ann Smith', 'Bo Jones']), { text: 'Smith and Jones', plural: true });
  assert.deepEqual(authorPhrase(['Tianle Cai', 'Yuhong Li', 'Zhengyang Geng']), { text: 'Cai et al.', plural: true });
  assert.deepEqual(authorPhrase(['Ann Smith', 'others']), { text: 'Smith et al.', plural: true });
  assert.deepEqual(authorPhrase([], 'Medusa: Simple LLM Inference'), { text: 'Medusa', plural: false });
  assert.deepEqual(authorPhrase([], 'A Very Long Title Without Any Colon'), { text: 'This work', plural: false });
  assert.equal(titleName('Attention Is All You Need'), undefined);
  assert.equal(titleName('Big Bird Model Family Here: too long'), undefined, 'more than four words before the colon');
});

// ---- Contribution sentence ------------------------------------------------------------------------------

test('sentences: abbreviations, initials and decimals do not end a sentence', () => {
  assert.deepEqual(sentences('We use e.g. BERT and a 2.5x speedup. J. Smith agrees! Does it work? Yes.'), [
    'We use e.g. BERT and a 2.5x speedup.', 'J. Smith agrees!', 'Does it work?', 'Yes.',
  ]);
  assert.deepEqual(sentences(''), []);
});

test('contributionSentence: the "we present" sentence over background and results', () => {
  assert.match(contributionSentence(MEDUSA.abstract)!, /^In this paper, we present Medusa/);
  assert.equal(
    contributionSentence('Transformers dominate NLP. This paper introduces a sparse attention that scales linearly. Results are strong on benchmarks.'),
    'This paper introduces a sparse attention that scales linearly.',
  );
  // No cue phrase at all: position and length decide (the second sentence, not the short first one).
  assert.equal(contributionSentence('Short one. A longer sentence about graph neural networks for molecules follows here. Last.'),
    'A longer sentence about graph neural networks for molecules follows here.');
  assert.equal(contributionSentence(undefined), undefined);
});

test('summaryOf: the verb phrase agrees with the subject, first person becomes third, long text is cut at a clause', () => {
  assert.equal(summaryOf('We propose a method for our task.', true), 'propose a method for their task');
  assert.equal(summaryOf('We propose a method for our task.', false), 'proposes a method for their task');
  assert.equal(summaryOf('This paper studies how models fail.', true), 'study how models fail');
  assert.equal(summaryOf('This paper studies how models fail.', false), 'studies how models fail');
  assert.equal(summaryOf('Here we also address caching.', true), 'address caching');
  assert.equal(summaryOf('Large models are slow.', true), 'show that large models are slow', 'no cue: "show that …"');
  assert.equal(summaryOf('LLMs are slow.', true), 'show that LLMs are slow', 'an acronym keeps its case');
  const long = summaryOf(contributionSentence(MEDUSA.abstract)!, true, 12);
  assert.equal(long, 'present Medusa, an efficient method that augments LLM inference by adding extra …');
  assert.equal(shorten('one two three, four five six seven eight', 6), 'one two three …', 'cut at the comma past half');
  assert.equal(thirdPerson('address'), 'addresses');
  assert.equal(thirdPerson('study'), 'studies');
  assert.equal(baseForm('presents'), 'present');
  assert.equal(baseForm('studies'), 'study');
  assert.equal(baseForm('addresses'), 'address');
});

// ---- Citation commands and template ----------------------------------------------------------------------

test('citeForms: natbib, biblatex, plain \\cite and Pandoc; auto reads the document', () => {
  assert.deepEqual(citeForms(['a'], 'latex', 'natbib'), { cite: '\\citep{a}', textcite: '\\citet{a}' });
  assert.deepEqual(citeForms(['a', 'b'], 'latex', 'biblatex'), { cite: '\\parencite{a,b}', textcite: '\\textcite{a,b}' });
  assert.deepEqual(citeForms(['a', 'b'], 'pandoc', 'natbib'), { cite: '[@a; @b]', textcite: '@a; @b' });
  assert.equal(citeForms(['a'], 'latex', 'auto', '\\usepackage[style=apa]{biblatex}').cite, '\\parencite{a}');
  assert.equal(citeForms(['a'], 'latex', 'auto', '\\usepackage{natbib}').cite, '\\citep{a}');
  assert.equal(citeForms(['a'], 'latex', 'auto', 'just \\cite{x}').cite, '\\cite{a}');
  assert.equal(latexCitePackage('\\addbibresource{refs.bib}'), 'biblatex');
  assert.equal(latexCitePackage('as \\citet{x} shows'), 'natbib');
});

test('draftSentence: the issue\'s example, in LaTeX (natbib) and Pandoc', () => {
  const tex = draftSentence(MEDUSA, { syntax: 'latex', style: 'natbib', template: DEFAULT_TEMPLATE, maxWords: 12 }, 'plain');
  assert.equal(tex, 'Cai et al. (2024) present Medusa, an efficient method that augments LLM inference by adding extra … \\citep{cai2024medusa}.');
  const md = draftSentence(MEDUSA, { syntax: 'pandoc', style: 'auto', template: '${textcite} ${summary}.', maxWords: 5 }, 'plain');
  assert.equal(md, '@cai2024medusa present Medusa, an efficient method ….');
  const noYear = draftSentence(paper({ key: 'x', title: 'T', authors: ['Ann Smith'] }), { syntax: 'latex', style: 'natbib', template: '${authors} (${year}) ${summary}', maxWords: 20 }, 'plain');
  assert.equal(noYear, 'Smith (n.d.) presents T', 'no abstract: "presents <title>"; no year: n.d.');
});

test('template as a snippet: tab stops on summary, authors, year; $, } and \\ escaped in corpus text and template', () => {
  const parts = { authors: 'Smith', year: '2020', title: 'Costs in $ and {braces}', summary: 'save $5 on \\emph{x}', cite: '\\citep{k}', textcite: '\\citet{k}' };
  assert.equal(escapeSnippet('a $1 } \\ b'), 'a \\$1 \\} \\\\ b');
  assert.equal(
    renderTemplate('${authors} (${year}) ${summary}; see ${title} ${cite}. $HOME ${unknown}', parts, 'snippet'),
    '${2:Smith} (${3:2020}) ${1:save \\$5 on \\\\emph{x\\}}; see Costs in \\$ and {braces\\} \\\\citep{k\\}. \\$HOME \\${unknown\\}$0',
  );
  assert.equal(renderTemplate('${authors}: ${summary} ${cite}', parts, 'plain'), 'Smith: save $5 on \\emph{x} \\citep{k}');
  // Several papers: each has its own tab stops, the final cursor after the last.
  const two = draftSentences([MEDUSA, paper({ key: 'b', title: 'B', authors: ['Bo Jones'], year: 2021 })], { syntax: 'pandoc', style: 'auto', template: '${authors} ${summary} ${cite}.' }, 'snippet');
  assert.match(two, /^\$\{2:Cai et al\.\} \$\{1:present Medusa/);
  assert.match(two, / \$\{5:Jones\} \$\{4:presents B\} \[@b\]\.\$0$/);
  assert.equal((two.match(/\$0/g) ?? []).length, 1);
});

test('corpus text is escaped for the document: LaTeX specials, Pandoc citations and emphasis', () => {
  const p = paper({ key: 'k', title: 'T', authors: ['A B', 'C D', 'E F'], year: 2020, abstract: 'We propose 100% of_the #1 method & @fake *bold* [x].' });
  const tex = draftSentence(p, { syntax: 'latex', style: 'natbib', template: '${summary}' }, 'plain');
  assert.equal(tex, 'propose 100\\% of\\_the \\#1 method \\& @fake *bold* [x]');
  const md = draftSentence(p, { syntax: 'pandoc', style: 'auto', template: '${summary}' }, 'plain');
  assert.equal(md, 'propose 100% of\\_the \\#1 method & \\@fake \\*bold\\* \\[x\\]');
  // And as a snippet, the LaTeX escapes' backslashes are escaped again for snippet syntax.
  assert.equal(draftSentence(p, { syntax: 'latex', style: 'natbib', template: '${summary}' }, 'snippet'), '${1:propose 100\\\\% of\\\\_the \\\\#1 method \\\\& @fake *bold* [x]}$0');
});

// ---- Snippet completion ----------------------------------------------------------------------------------

test('citationWrapper: the opening and closing of a fresh one-key citation', () => {
  const at = (src: string, languageId = 'latex') => {
    const { text, pos } = parseFixture(src);
    const ctx = citeContextAt(text, pos, languageId)!;
    const w = citationWrapper(text, ctx);
    if (!w) return undefined;
    const line = text.split('\n')[ctx.range.start.line];
    return [line.slice(w.before.start.character, w.before.end.character), w.after ? line.slice(w.after.start.character, w.after.end.character) : undefined];
  };
  assert.deepEqual(at('As shown \\citep{medu<|>}.'), ['\\citep{', '}']);
  assert.deepEqual(at('\\citep[see][p.~3]{medu<|>'), ['\\citep[see][p.~3]{', undefined]);
  assert.equal(at('\\cite{a,medu<|>}'), undefined, 'other keys: not a fresh citation');
  assert.deepEqual(at('Text [@medu<|>] more', 'markdown'), ['[@', ']']);
  assert.deepEqual(at('Text @medu<|> more', 'markdown'), ['@', undefined]);
  assert.equal(at('[see @a; @medu<|>]', 'markdown'), undefined);
});

test('completion: drafted-sentence items for the top papers, right after their keys, deleting the citation around', () => {
  const index = new CorpusIndex();
  index.setSource('/corpus/lib.jsonl', [MEDUSA, paper({ key: 'other2020', title: 'Medusa jellyfish biology', authors: ['Ann Smith'], year: 2020 })]);
  const { text, pos } = parseFixture('\\usepackage{natbib}\nAs shown \\cite{medusa<|>}.');
  const draft = { syntax: 'latex' as const, style: 'auto' as const, template: DEFAULT_TEMPLATE, documentText: text };
  const c = completeCitation(text, pos, 'latex', index, { limit: 10, extraCommands: [], snippets: { count: 1, draft } })!;
  const list = toCompletionList(c, { uri: 'file:///doc.tex' });
  assert.deepEqual(list.items.map(i => [i.label, i.kind, i.sortText]), [
    [c.results[0].paper.key, 18, '00000'], [c.results[1].paper.key, 18, '00001'], [c.results[0].paper.key, 15, '00000s'],
  ]);
  const snippet = list.items[2];
  assert.equal(snippet.insertTextFormat, 2);
  assert.equal(snippet.filterText, 'medusa', 'same filter word as the key items');
  assert.deepEqual(snippet.additionalTextEdits?.map(e => [e.range.start.character, e.range.end.character, e.newText]), [[9, 15, ''], [21, 22, '']]);
  assert.match((snippet.textEdit as { newText: string }).newText, /\\\\citep\{cai2024medusa\\\}\.\$0$|\\\\citep\{other2020\\\}\.\$0$/);
  assert.equal(list.items[0].command?.command, 'relatedWork.didInsertCitation');
  assert.deepEqual(list.items[0].command?.arguments, ['file:///doc.tex', [{ key: c.results[0].paper.key, source: '/corpus/lib.jsonl' }]]);
  // Nothing typed yet: no sentence items (the first papers of the corpus are no match).
  const empty = parseFixture('\\cite{<|>}');
  assert.equal(completeCitation(empty.text, empty.pos, 'latex', index, { limit: 10, extraCommands: [], snippets: { count: 3, draft } })!.snippets.length, 0);
  assert.equal(toCompletionList(c).items[0].command, undefined, 'no command unless the bibliography setting is on');
});

// ---- Several keys at once ----------------------------------------------------------------------------------

test('citationEdit with several keys: one new citation, or joined to the adjacent one; keys already there left out', () => {
  const apply = (src: string, keys: string[], languageId = 'latex') => {
    const { text, pos } = parseFixture(src);
    const r = citationEdit(text, languageId, pos, keys);
    if (!r.edit) return `unchanged: ${r.reason}`;
    const o = r.edit.range.start.character;
    const line = text.split('\n')[r.edit.range.start.line];
    return line.slice(0, o) + r.edit.newText + line.slice(o);
  };
  assert.equal(apply('Text<|>', ['a', 'b']), 'Text~\\cite{a,b}');
  assert.equal(apply('Text \\citep{x}<|>', ['x', 'b']), 'Text \\citep{x,b}');
  assert.equal(apply('Text<|>', ['a', 'b'], 'markdown'), 'Text [@a; @b]');
  assert.equal(apply('Text [@x]<|>', ['a', 'b'], 'markdown'), 'Text [@x; @a; @b]');
  assert.equal(apply('\\cite{a,b}<|>', ['a', 'b']), 'unchanged: This citation already has a, b.');
});

// ---- Themes and the paragraph ---------------------------------------------------------------------------------

const SPEC = [
  paper({ key: 'spec2023', title: 'Fast Inference via Speculative Decoding', authors: ['Yaniv Leviathan', 'Matan Kalman'], year: 2023, abstract: 'We propose speculative decoding, where a draft model proposes tokens that the target model verifies in parallel.' }),
  paper({ key: 'medusa2024', title: 'Medusa: Speculative Decoding with Multiple Heads', authors: ['Tianle Cai', 'Yuhong Li', 'Z Geng'], year: 2024, abstract: 'We present extra decoding heads that draft tokens for speculative decoding without a draft model.' }),
  paper({ key: 'eagle2024', title: 'EAGLE: Speculative Sampling with Feature Drafting', authors: ['Yuhui Li'], year: 2024, abstract: 'We introduce a draft model over features that speeds up speculative decoding of tokens.' }),
];
const QUANT = [
  paper({ key: 'gptq2023', title: 'GPTQ: Accurate Post-Training Quantization for Transformers', authors: ['Elias Frantar', 'Dan Alistarh'], year: 2023, abstract: 'We propose a one-shot weight quantization method based on second-order information for quantization of large models.' }),
  paper({ key: 'awq2024', title: 'AWQ: Activation-aware Weight Quantization', authors: ['Ji Lin', 'Song Han', 'X Y'], year: 2024, abstract: 'We present activation-aware weight quantization that protects salient weights during low-bit quantization.' }),
];
const LONER = paper({ key: 'mamba2023', title: 'Mamba: Linear-Time Sequence Modeling with Selective State Spaces', authors: ['Albert Gu', 'Tri Dao'], year: 2023, abstract: 'We introduce selective state space models for long sequences.' });

test('groupThemes: papers sharing distinctive terms form themes, chronological inside; a paper alone goes last', () => {
  const themes = groupThemes([QUANT[1], SPEC[1], LONER, SPEC[0], QUANT[0], SPEC[2]]);
  assert.deepEqual(themes.map(t => t.papers.map(p => p.key)), [['spec2023', 'eagle2024', 'medusa2024'], ['gptq2023', 'awq2024'], ['mamba2023']]);
  assert.deepEqual(themes.map(t => t.other), [false, false, true]);
  assert.ok(themes[0].terms.includes('speculative'), themes[0].terms.join(','));
  assert.ok(themes[1].terms.includes('quantization'), themes[1].terms.join(','));
  // The corpus idf weighs terms when given: a term every paper has gets no weight.
  assert.deepEqual(groupThemes([]), []);
  assert.deepEqual(groupThemes([SPEC[0], SPEC[0]]).map(t => t.papers.length), [1], 'a paper given twice counts once');
});

test('draftParagraph: a theme sentence, then one drafted sentence per paper, themes separated by blank lines', () => {
  const { text, themes } = draftParagraph([...QUANT, ...SPEC], { syntax: 'latex', style: 'natbib', template: DEFAULT_TEMPLATE });
  assert.equal(themes.length, 2);
  const paragraphs = text.split('\n\n');
  assert.equal(paragraphs.length, 2);
  const first = paragraphs[0].split('\n');
  assert.match(first[0], /^Several works address .*speculative.*\.$/);
  assert.equal(first.length, 4);
  assert.match(first[1], /^Leviathan and Kalman \(2023\) propose speculative decoding, .*\\citep\{spec2023\}\.$/);
  assert.match(first[2], /^Li \(2024\) introduces a draft model .*\\citep\{eagle2024\}\.$/);
  assert.match(paragraphs[1], /\\citep\{gptq2023\}\.\n.*\\citep\{awq2024\}\.$/);
  const md = draftParagraph([SPEC[0]], { syntax: 'pandoc', style: 'auto', template: DEFAULT_TEMPLATE }).text;
  assert.match(md, /^One line of work addresses .+\.\nLeviathan and Kalman \(2023\) propose .* \[@spec2023\]\.$/);
});

// ---- BibTeX generator and bibliography appends --------------------------------------------------------------

test('formatBibtex round-trips through the project\'s BibTeX parser, LaTeX specials included', () => {
  const p = paper({
    key: 'odd2021', type: 'article-journal', title: 'Costs of 100% & more: a_b #1 {braces} ~tilde^ back\\slash — Müller',
    authors: ['Jörg Müller', 'Ann O\'Neil'], year: 2021, venue: 'Journal of R&D', doi: '10.1000/x_y', url: 'https://example.org/a_b?x=1&y=2',
    abstract: 'An abstract with $math$ and 50% of it.', keywords: 'a, b',
  });
  const bib = formatBibtex(p);
  const { papers, errors } = parseBibtex(bib, '/x.bib');
  assert.deepEqual(errors, []);
  assert.equal(papers.length, 1);
  const q = papers[0];
  assert.equal(q.key, p.key);
  assert.equal(q.type, 'article');
  assert.equal(q.title, p.title);
  assert.deepEqual(q.authors, p.authors);
  assert.equal(q.year, p.year);
  assert.equal(q.venue, p.venue);
  assert.equal(q.doi, p.doi);
  assert.equal(q.url, p.url);
  assert.equal(q.abstract, p.abstract);
});

test('appendEntries: BibTeX appended at the end without touching the file; a key the file has is never written', () => {
  const refs = '@article{a,\n  title = {A}\n}\n';
  const files: Record<string, string> = {
    '/ws/refs.bib': refs,
    '/lib/library.bib': '% lib\n@inproceedings{b,\n  title = {B as written},\n  year = 2020\n}\n',
  };
  const b = parseBibtex(files['/lib/library.bib'], '/lib/library.bib').papers[0];
  const ctx = { textOf: (f: string) => files[f] };
  const r = appendEntries(ctx, '/ws/refs.bib', [b, paper({ key: 'a', title: 'dup' }), b, paper({ key: 'c', title: 'C', year: 2022 })]);
  assert.deepEqual(r.added, ['b', 'c']);
  assert.deepEqual(r.skipped, ['a', 'b']);
  assert.deepEqual(r.edit?.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } });
  assert.equal(r.edit?.newText, '\n@inproceedings{b,\n  title = {B as written},\n  year = 2020\n}\n\n@misc{c,\n  title = {C},\n  year = {2022}\n}\n');
  const after = refs + r.edit!.newText;
  assert.deepEqual(parseBibtex(after, '/ws/refs.bib').papers.map(p => p.key), ['a', 'b', 'c']);
  assert.equal(appendEntries(ctx, '/ws/refs.bib', [paper({ key: 'a' })]).edit, undefined);
});

test('CSL-JSON: generated items, names split, and appended inside the array (plain array, {items}, empty, empty file)', () => {
  assert.deepEqual(cslName('Ashish Vaswani'), { family: 'Vaswani', given: 'Ashish' });
  assert.deepEqual(cslName('Ludwig van Beethoven'), { family: 'van Beethoven', given: 'Ludwig' });
  assert.deepEqual(cslName('OpenAI'), { literal: 'OpenAI' });
  const p = paper({ key: 'vaswani2017', type: 'inproceedings', title: 'Attention', authors: ['Ashish Vaswani', 'Noam Shazeer'], year: 2017, venue: 'NeurIPS', doi: '10.1/x', arxiv: '1706.03762' });
  assert.deepEqual(cslItem(p), {
    id: 'vaswani2017', type: 'paper-conference', title: 'Attention',
    author: [{ family: 'Vaswani', given: 'Ashish' }, { family: 'Shazeer', given: 'Noam' }],
    issued: { 'date-parts': [[2017]] }, 'container-title': 'NeurIPS', DOI: '10.1/x', URL: 'https://arxiv.org/abs/1706.03762',
  });
  const apply = (text: string, e: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }) => {
    const lines = text.split('\n');
    const off = (q: { line: number; character: number }) => lines.slice(0, q.line).reduce((n, l) => n + l.length + 1, 0) + q.character;
    return text.slice(0, off(e.range.start)) + e.newText + text.slice(off(e.range.end));
  };
  for (const text of ['[\n  {\n    "id": "a",\n    "title": "A"\n  }\n]\n', '{ "items": [\n    { "id": "a", "title": "A" }\n  ]\n}', '[]\n', '']) {
    const files: Record<string, string> = { '/ws/refs.json': text };
    const r = appendEntries({ textOf: f => files[f] }, '/ws/refs.json', [p]);
    assert.ok(r.edit, JSON.stringify(text));
    const after = apply(text, r.edit);
    if (text.trim()) {
      assert.deepEqual(r.edit.range.start, r.edit.range.end, 'an insertion');
      assert.equal(after.replace(r.edit.newText, ''), text, 'nothing else of the file changes');
    }
    const { papers, errors } = parseCslJson(after, '/ws/refs.json');
    assert.deepEqual(errors, [], after);
    assert.deepEqual(papers.map(x => x.key), text.includes('"a"') ? ['a', 'vaswani2017'] : ['vaswani2017'], after);
    assert.equal(papers.at(-1)!.title, 'Attention');
    assert.equal(appendEntries({ textOf: f => ({ '/ws/refs.json': after })[f] }, '/ws/refs.json', [p]).edit, undefined, 'never a duplicate key');
  }
});

test('addToBibliography: the first bibliography file; keys in any of them, or papers from the target itself, skipped', () => {
  const files: Record<string, string> = { '/ws/a.bib': '@misc{x, title={X}}\n', '/ws/b.bib': '@misc{y, title={Y}}\n' };
  const has = (f: string, k: string) => (f === '/ws/a.bib' && k === 'x') || (f === '/ws/b.bib' && k === 'y');
  const c = { files: ['/ws/a.bib', '/ws/b.bib'], fileHas: has, textOf: (f: string) => files[f] };
  const r = addToBibliography(c, [
    { key: 'y', paper: paper({ key: 'y' }) }, { key: 'z', paper: paper({ key: 'z', title: 'Z' }) }, { key: 'nope', paper: undefined },
    { key: 'w', paper: paper({ key: 'w', source: '/ws/a.bib' }) },
  ]);
  assert.equal(r.file, '/ws/a.bib');
  assert.deepEqual([r.added, r.skipped, r.missing], [['z'], ['y', 'w'], ['nope']]);
  assert.match(r.edit!.newText, /^\n@misc\{z,/);
  assert.match(addToBibliography({ ...c, files: [] }, [{ key: 'z', paper: paper({ key: 'z' }) }]).reason ?? '', /names no bibliography/);
});

test('citedKeysIn: the keys cited wholly inside a selection, once each, in order', () => {
  const text = 'Before \\cite{alpha}.\nSee \\citep{beta,gamma} and \\cite{beta}.\nAfter \\cite{delta}.';
  const { start } = rangeOf(text, 'See');
  const { end } = rangeOf(text, '\\cite{beta}.');
  assert.deepEqual(citedKeysIn(text, 'latex', { start, end }, []), ['beta', 'gamma']);
  assert.deepEqual(citedKeysIn(text, 'latex', { start: rangeOf(text, ' and').start, end }, []), ['beta']);
  assert.deepEqual(citedKeysIn(text, 'latex', { start, end: rangeOf(text, 'beta,ga').end }, []), ['beta'], 'a key cut by the selection does not count');
});
