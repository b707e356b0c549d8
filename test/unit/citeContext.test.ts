import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  citationAt, citeContextAt, citeSyntaxOf, findCitations, latexCiteContextAt, pandocCiteContextAt, type CiteContext,
} from '../../server/src/features/citeContext';
import { parseFixture, rangeOf } from '../util/fixture';
import { corporaDir } from '../util/paths';

/** The context at the `<|>` cursor, checked for the invariants every context must keep. */
function ctx(src: string, languageId = 'latex', extra?: string[]): CiteContext | undefined {
  const { text, pos } = parseFixture(src);
  const context = citeContextAt(text, pos, languageId, extra);
  if (context) {
    const { start, end } = context.range;
    assert.equal(start.line, pos.line, 'the range is on the cursor line');
    assert.equal(end.line, pos.line, 'the range is on the cursor line');
    assert.ok(start.character <= pos.character && pos.character <= end.character, 'the range holds the cursor');
    assert.equal(start.character, pos.character - context.prefix.length, 'the prefix runs from the range start to the cursor');
  }
  return context;
}

/** What a context says, with the range given as the text it covers. */
function summary(src: string, languageId = 'latex', extra?: string[]) {
  const context = ctx(src, languageId, extra);
  if (!context) return undefined;
  const line = parseFixture(src).text.split('\n')[context.range.start.line];
  const replaced = line.slice(context.range.start.character, context.range.end.character);
  return { command: context.command, prefix: context.prefix, replaced, otherKeys: context.otherKeys };
}

const md = 'markdown';

// ---- Fixture helper -----------------------------------------------------------------------------

test('parseFixture removes the one cursor marker and rejects none or two', () => {
  assert.deepEqual(parseFixture('a\n\\cite{<|>}'), { text: 'a\n\\cite{}', pos: { line: 1, character: 6 }, offset: 8 });
  assert.throws(() => parseFixture('\\cite{}'), /no cursor marker/);
  assert.throws(() => parseFixture('<|>\\cite{<|>}'), /more than one/);
  assert.deepEqual(rangeOf('ab\ncab', 'ab', 2), { start: { line: 1, character: 1 }, end: { line: 1, character: 3 } });
  assert.throws(() => rangeOf('ab', 'x'), /does not occur/);
});

// ---- LaTeX contexts -----------------------------------------------------------------------------

test('latex: right after \\cite{, with or without the auto-closed brace', () => {
  const empty = { command: 'cite', prefix: '', replaced: '', otherKeys: [] };
  assert.deepEqual(summary('See \\cite{<|>}.'), empty);
  assert.deepEqual(summary('See \\cite{<|>'), empty);
  assert.deepEqual(summary('See \\cite{<|>\nmore text'), empty);
  const { text, pos } = parseFixture('x \\citep{<|>}');
  assert.deepEqual(latexCiteContextAt(text, pos), {
    syntax: 'latex', command: 'citep', range: { start: pos, end: pos }, prefix: '', otherKeys: [],
  });
});

test('latex: the key being typed is replaced whole; the prefix ends at the cursor', () => {
  assert.deepEqual(summary('\\citep{vas<|>}'), { command: 'citep', prefix: 'vas', replaced: 'vas', otherKeys: [] });
  assert.deepEqual(summary('\\citep{vas<|>wani2017}'), { command: 'citep', prefix: 'vas', replaced: 'vaswani2017', otherKeys: [] });
  assert.deepEqual(summary('\\citep{<|>vaswani2017}'), { command: 'citep', prefix: '', replaced: 'vaswani2017', otherKeys: [] });
});

test('latex: several keys, spaces around commas, the others reported', () => {
  assert.deepEqual(summary('\\citet*{a, b,<|>}'), { command: 'citet', prefix: '', replaced: '', otherKeys: ['a', 'b'] });
  assert.deepEqual(summary('\\cite{a,  b<|> , c}'), { command: 'cite', prefix: 'b', replaced: 'b', otherKeys: ['a', 'c'] });
  assert.deepEqual(summary('\\cite{a, <|> , c}'), { command: 'cite', prefix: '', replaced: '', otherKeys: ['a', 'c'] });
  assert.deepEqual(summary('\\cite{a,<|> b}'), { command: 'cite', prefix: '', replaced: '', otherKeys: ['a'] });
});

test('latex: free words are one prefix (spaces allowed); keys end only at , or }', () => {
  assert.deepEqual(summary('\\cite{medusa decoding<|>}'), { command: 'cite', prefix: 'medusa decoding', replaced: 'medusa decoding', otherKeys: [] });
  assert.deepEqual(summary('\\cite{a, medusa <|>}'), { command: 'cite', prefix: 'medusa ', replaced: 'medusa ', otherKeys: ['a'] });
  assert.deepEqual(summary('\\cite{vaswani 20<|>17 attention}'), { command: 'cite', prefix: 'vaswani 20', replaced: 'vaswani 2017 attention', otherKeys: [] });
  // No closing brace yet: the rest of the sentence is not part of the key.
  assert.deepEqual(summary('See \\cite{a, medusa dec<|> for details.\n\nNext paragraph.'),
    { command: 'cite', prefix: 'medusa dec', replaced: 'medusa dec', otherKeys: ['a'] });
});

test('latex: optional [pre][post] arguments, spaces and newlines between the parts', () => {
  assert.deepEqual(summary('\\citep[see][p.~3]{a,<|>}'), { command: 'citep', prefix: '', replaced: '', otherKeys: ['a'] });
  assert.deepEqual(summary('\\parencite[{see [1]}][5]{<|>}'), { command: 'parencite', prefix: '', replaced: '', otherKeys: [] });
  assert.deepEqual(summary('\\citep*\n  [see]\n  [p.~3]\n  {key1,\n   ke<|>,\n   key3}'),
    { command: 'citep', prefix: 'ke', replaced: 'ke', otherKeys: ['key1', 'key3'] });
  assert.deepEqual(summary('\\citep % why\n  {<|>}'), { command: 'citep', prefix: '', replaced: '', otherKeys: [] });
  assert.equal(summary('\\citep[see <|>]{a}'), undefined, 'inside the prenote');
  assert.equal(summary('\\cite\n\n{<|>}'), undefined, 'a blank line ends the command');
});

test('latex: a key on a continuation line is only completed on the cursor line', () => {
  assert.deepEqual(summary('\\cite{a,\n  medusa\n  deco<|>}'), { command: 'cite', prefix: 'deco', replaced: 'deco', otherKeys: ['a'] });
});

test('latex: biblatex multicites with (pre)(post) and [pre][post] per group, across lines', () => {
  assert.deepEqual(summary('\\cites(see)(etc.)[a][b]{k1,k2}[c]{k3}{<|>}'), { command: 'cites', prefix: '', replaced: '', otherKeys: ['k1', 'k2', 'k3'] });
  assert.deepEqual(summary('\\textcites[see][]{a}\n  [][5]{b<|>}\n  {c}'), { command: 'textcites', prefix: 'b', replaced: 'b', otherKeys: ['a', 'c'] });
  assert.deepEqual(summary('\\Parencites(global)[x]{a}{<|>'), { command: 'Parencites', prefix: '', replaced: '', otherKeys: ['a'] });
  assert.equal(summary('\\cites(see <|>)[a]{k}'), undefined);
});

test('latex: volume citations complete the key, not the volume', () => {
  assert.deepEqual(summary('\\volcite[see]{2}[55]{aris<|>}'), { command: 'volcite', prefix: 'aris', replaced: 'aris', otherKeys: [] });
  assert.deepEqual(summary('\\pvolcites{1}{a}{2}[3]{<|>}'), { command: 'pvolcites', prefix: '', replaced: '', otherKeys: ['a'] });
  assert.equal(summary('\\volcite{2<|>}{aristotle}'), undefined);
});

test('latex: every natbib and biblatex cite command, capitalized and starred forms', () => {
  const commands = ['cite', 'citep', 'citet', 'citealp', 'citealt', 'citeauthor', 'citeyear', 'citeyearpar', 'citetitle', 'citeurl',
    'citenum', 'parencite', 'Parencite', 'textcite', 'Textcite', 'autocite', 'Autocite', 'footcite', 'footcitetext', 'smartcite',
    'supercite', 'fullcite', 'footfullcite', 'nocite', 'Cite', 'Citep', 'Citet', 'Citealp', 'Citeauthor', 'notecite', 'pnotecite',
    'fnotecite', 'cites', 'parencites', 'textcites', 'autocites', 'footcites', 'smartcites', 'supercites', 'citefullauthor',
    'citepalias', 'citetalias', 'citedate', 'Smartcite', 'Autocites'];
  for (const command of commands) {
    for (const star of ['', '*']) {
      assert.deepEqual(summary(`x \\${command}${star}[p.~1]{a, b<|>}`), { command, prefix: 'b', replaced: 'b', otherKeys: ['a'] }, command + star);
    }
  }
  for (const command of ['volcite', 'pvolcite', 'fvolcite', 'tvolcite', 'avolcite', 'Volcite', 'ftvolcite', 'svolcite']) {
    assert.deepEqual(summary(`\\${command}[see]{3}[p.~1]{b<|>}`), { command, prefix: 'b', replaced: 'b', otherKeys: [] }, command);
  }
});

test('latex: the command name must match exactly', () => {
  assert.equal(summary('\\citeproc{<|>}'), undefined);
  assert.equal(summary('\\citex{<|>}'), undefined);
  assert.equal(summary('\\excite{<|>}'), undefined);
  assert.equal(summary('\\ref{<|>}'), undefined);
  assert.equal(summary('\\cite{a}<|>'), undefined, 'after the closing brace');
  assert.equal(summary('\\cite{a} and {<|>}'), undefined);
  assert.equal(summary('plain <|> text'), undefined);
  assert.equal(summary('\\cite{a}\\citet{<|>}')?.command, 'citet');
});

test('latex: extra commands from the settings, with or without backslash', () => {
  assert.equal(summary('\\mycite{ab<|>}'), undefined);
  assert.deepEqual(summary('\\mycite{ab<|>}', 'latex', ['mycite']), { command: 'mycite', prefix: 'ab', replaced: 'ab', otherKeys: [] });
  assert.deepEqual(summary('\\mycite*[p.~2]{ab<|>}', 'latex', ['\\mycite']), { command: 'mycite', prefix: 'ab', replaced: 'ab', otherKeys: [] });
  assert.deepEqual(summary('\\mycites{a}{<|>}', 'latex', ['mycites']), { command: 'mycites', prefix: '', replaced: '', otherKeys: ['a'] });
});

test('latex: comments hide cites; \\% is not a comment, \\\\% is', () => {
  assert.equal(summary('% \\cite{<|>}'), undefined);
  assert.equal(summary('text % see \\citep{a, <|>}'), undefined);
  assert.equal(summary('a line break \\\\% \\cite{<|>}'), undefined);
  assert.deepEqual(summary('50\\% of \\cite{<|>}'), { command: 'cite', prefix: '', replaced: '', otherKeys: [] });
  assert.equal(summary('\\cite{a, % old <|>\n b}'), undefined, 'cursor in a comment inside the group');
  assert.deepEqual(summary('\\cite{a, % old, x\n b<|>}'), { command: 'cite', prefix: 'b', replaced: 'b', otherKeys: ['a'] });
  assert.deepEqual(summary('% \\cite{x,\n\\cite{<|>}'), { command: 'cite', prefix: '', replaced: '', otherKeys: [] });
});

test('latex: an unclosed cite does not swallow the next one', () => {
  assert.deepEqual(summary('\\cite{foo \\cite{b<|>}'), { command: 'cite', prefix: 'b', replaced: 'b', otherKeys: [] });
  assert.deepEqual(summary('\\citep[see \\cite{b<|>}'), undefined, 'an unclosed [ runs on, as in LaTeX');
});

test('latex: CRLF, columns past the line end, UTF-16 columns', () => {
  assert.deepEqual(summary('\\cite{a,\r\n b<|>}\r\n'), { command: 'cite', prefix: 'b', replaced: 'b', otherKeys: ['a'] });
  const text = '\\cite{ab}\r\n\\cite{cd';
  assert.equal(latexCiteContextAt(text, { line: 1, character: 99 })?.prefix, 'cd');
  const emoji = ctx('😀 \\cite{Müller, 😀x<|>}');
  assert.deepEqual(emoji?.range, { start: { line: 0, character: 17 }, end: { line: 0, character: 20 } });
  assert.deepEqual(emoji?.otherKeys, ['Müller']);
});

test('latex: the look-back is bounded (a cite opened 40+ lines above is not seen)', () => {
  assert.ok(summary('\\cite{a,\n' + 'x,\n'.repeat(30) + 'b<|>}'));
  assert.equal(summary('\\cite{a,\n' + 'x,\n'.repeat(60) + 'b<|>}'), undefined);
});

// ---- Pandoc contexts ----------------------------------------------------------------------------

test('pandoc: right after @, in brackets or in text', () => {
  const empty = { command: undefined, prefix: '', replaced: '', otherKeys: [] };
  assert.deepEqual(summary('Text [@<|>]', md), empty);
  assert.deepEqual(summary('Text [@<|>', md), empty);
  assert.deepEqual(summary('As @<|> says', md), empty);
  assert.deepEqual(summary('@<|>', md), empty);
  assert.deepEqual(summary('para\n@<|>', md), empty);
  assert.deepEqual(summary('[-@<|>]', md), empty);
  assert.deepEqual(summary('Text @{<|>}', md), empty);
  const { text, pos } = parseFixture('[@<|>]');
  assert.deepEqual(pandocCiteContextAt(text, pos), { syntax: 'pandoc', range: { start: pos, end: pos }, prefix: '', otherKeys: [] });
});

test('pandoc: groups with prefixes, locators and several keys', () => {
  assert.deepEqual(summary('[@a; @b<|>]', md), { command: undefined, prefix: 'b', replaced: 'b', otherKeys: ['a'] });
  assert.deepEqual(summary('[see @item1, p. 33; also @ite<|>]', md), { command: undefined, prefix: 'ite', replaced: 'ite', otherKeys: ['item1'] });
  assert.deepEqual(summary('[see @it<|>em1, p. 33; also @b]', md), { command: undefined, prefix: 'it', replaced: 'item1', otherKeys: ['b'] });
  assert.deepEqual(summary('[-@doe<|>]', md), { command: undefined, prefix: 'doe', replaced: 'doe', otherKeys: [] });
  assert.deepEqual(summary('[@a;\n  @b<|>]', md), { command: undefined, prefix: 'b', replaced: 'b', otherKeys: ['a'] }, 'a group across lines');
  assert.deepEqual(summary('[@a;\n\n@b<|>]', md)?.otherKeys, [], 'a blank line ends the group');
  // A group still being typed: what follows the cursor is not part of it.
  assert.deepEqual(summary('[@a; @<|> as @x shows', md), { command: undefined, prefix: '', replaced: '', otherKeys: ['a'] });
});

test('pandoc: author-in-text with a locator', () => {
  assert.deepEqual(summary('@smi<|>th [p. 33] says', md), { command: undefined, prefix: 'smi', replaced: 'smith', otherKeys: [] });
  assert.deepEqual(summary('As @smith<|>.', md), { command: undefined, prefix: 'smith', replaced: 'smith', otherKeys: [] });
  assert.deepEqual(summary('(@smith<|>)', md)?.prefix, 'smith');
});

test('pandoc: key syntax: internal punctuation, braces, Unicode; a space ends the key', () => {
  assert.deepEqual(summary('[@doi:10.1038/nat<|>ure12373]', md), { command: undefined, prefix: 'doi:10.1038/nat', replaced: 'doi:10.1038/nature12373', otherKeys: [] });
  assert.deepEqual(summary('[@doi:<|>]', md), { command: undefined, prefix: 'doi:', replaced: 'doi:', otherKeys: [] }, 'trailing punctuation still completes');
  assert.deepEqual(summary('[@url:https://<|>]', md)?.prefix, 'url:https://');
  assert.deepEqual(summary('@{https://example.com/bib?name=foo<|>bar&date=2000} says', md),
    { command: undefined, prefix: 'https://example.com/bib?name=foo', replaced: 'https://example.com/bib?name=foobar&date=2000', otherKeys: [] });
  assert.deepEqual(summary('[@пункт<|>3]', md)?.replaced, 'пункт3');
  assert.equal(summary('[@foo bar<|>]', md), undefined);
});

test('pandoc: no citation in e-mail addresses, code, front matter, HTML comments or URLs', () => {
  assert.equal(summary('mail john@<|>', md), undefined);
  assert.equal(summary('mail john@exa<|>mple.com', md), undefined);
  assert.equal(summary('escaped \\@fo<|>o', md), undefined);
  assert.equal(summary('code `@fo<|>o` here', md), undefined);
  assert.equal(summary('code ``a ` [@fo<|>o`` here', md), undefined);
  assert.equal(summary('code `a\n@fo<|>o` across lines', md), undefined);
  assert.deepEqual(summary('code `x` [@fo<|>]', md)?.prefix, 'fo');
  assert.deepEqual(summary('unclosed ` [@fo<|>]', md)?.prefix, 'fo');
  assert.equal(summary('```\n[@fo<|>]\n```\n', md), undefined);
  assert.equal(summary('~~~~ {.r}\n@fo<|>\n~~~\n~~~~\n', md), undefined);
  assert.equal(summary('-   item\n\n    ```{r}\n    x <- "@fo<|>"\n    ```\n', md), undefined);
  assert.equal(summary('```\nunclosed\n@fo<|>', md), undefined);
  assert.deepEqual(summary('```\ncode\n```\n[@fo<|>]', md)?.prefix, 'fo');
  assert.equal(summary('---\ntitle: x\nauthor: "@fo<|>"\n---\nText', md), undefined);
  assert.deepEqual(summary('---\ntitle: x\n---\n[@fo<|>]', md)?.prefix, 'fo');
  assert.equal(summary('<!-- [@fo<|>] -->', md), undefined);
  assert.equal(summary('<!--\nold text\n[@fo<|>]\n-->', md), undefined);
  assert.deepEqual(summary('<!-- x --> [@fo<|>]', md)?.prefix, 'fo');
  assert.equal(summary('<https://x.org/@fo<|>o>', md), undefined);
  assert.equal(summary('[a link](https://x.org/@fo<|>o)', md), undefined);
  assert.equal(summary('[@a]<|>', md), undefined);
});

test('pandoc: fences and comments far above the cursor are still honoured', () => {
  const filler = 'Some text [@x].\n'.repeat(200);
  assert.equal(summary('```\n' + filler + '[@fo<|>]\n```', md), undefined);
  assert.equal(summary('<!--\n' + filler + '[@fo<|>]\n-->', md), undefined);
  assert.deepEqual(summary('```\ncode\n```\n' + filler + '[@a; @fo<|>]', md)?.otherKeys, ['a']);
});

test('languages: LaTeX and Pandoc dialects; anything else has no citations', () => {
  for (const id of ['latex', 'tex', 'plaintex', 'latex-expl3', 'doctex']) assert.equal(citeSyntaxOf(id), 'latex');
  for (const id of ['markdown', 'quarto', 'rmd', 'rmarkdown', 'pandoc']) assert.equal(citeSyntaxOf(id), 'pandoc');
  assert.equal(citeSyntaxOf('python'), undefined);
  assert.equal(ctx('\\cite{<|>}', 'python'), undefined);
  assert.equal(ctx('\\cite{<|>}', md), undefined);
  assert.equal(ctx('[@<|>]', 'latex'), undefined);
  assert.deepEqual(findCitations('[@a]', 'plaintext'), []);
});

// ---- Occurrences --------------------------------------------------------------------------------

test('findCitations (LaTeX): every key with its range and command; not in comments, nocite{*} or macro parameters', () => {
  const text = [
    'As shown \\citep[see][p.~3]{vaswani2017, cai2024}.',
    '% \\cite{commented}',
    'Also 50\\% \\textcites{a}[5]{b,',
    '  c} and \\nocite{*} \\volcite{2}{arist}.',
    '\\newcommand{\\mycite}[1]{\\cite{#1}}',
  ].join('\n');
  const found = findCitations(text, 'latex');
  assert.deepEqual(found.map(o => [o.key, o.command]), [
    ['vaswani2017', 'citep'], ['cai2024', 'citep'], ['a', 'textcites'], ['b', 'textcites'], ['c', 'textcites'], ['arist', 'volcite'],
  ]);
  assert.deepEqual(found[1], { key: 'cai2024', range: rangeOf(text, 'cai2024'), syntax: 'latex', command: 'citep' });
  assert.deepEqual(found[4].range, { start: { line: 3, character: 2 }, end: { line: 3, character: 3 } });
  assert.deepEqual(found[5].range, rangeOf(text, 'arist'));
});

test('findCitations (Pandoc): keys of groups and in-text citations, with ranges', () => {
  const text = '---\ntitle: "@no"\n---\n[see @a, p. 1; -@b] and @carol [p. 2], not john@d.org or `@e`.\n\n```\n@f\n```\n@{g?x=1}.';
  const found = findCitations(text, md);
  assert.deepEqual(found.map(o => o.key), ['a', 'b', 'carol', 'g?x=1']);
  assert.deepEqual(found[2], { key: 'carol', range: rangeOf(text, 'carol'), syntax: 'pandoc' });
  assert.deepEqual(found[3].range, rangeOf(text, 'g?x=1'));
});

test('findCitations (Pandoc): the citation examples of Pandoc\'s own test suite', (t) => {
  const file = path.join(corporaDir, 'csl', 'pandoc-tests', 'markdown-citations.txt');
  if (!fs.existsSync(file)) return t.skip('no pandoc-tests corpus');
  const keys = findCitations(fs.readFileSync(file, 'utf8'), md).map(o => o.key);
  assert.deepEqual(keys, ['nonexistent', 'nonexistent', 'item1', 'item1', 'item1', 'item1', 'item2', 'пункт3', 'item1', 'пункт3',
    'item1', 'item1', 'item1', 'item1', 'пункт3', 'пункт3', 'item1', 'пункт3', 'item2', 'item1', 'item2']);
});

test('findCitations (Pandoc): Pandoc\'s citeproc command tests: nothing in the fenced files, the refs in their inputs', (t) => {
  const dir = path.join(corporaDir, 'csl', 'pandoc-tests', 'command');
  if (!fs.existsSync(dir)) return t.skip('no pandoc-tests corpus');
  let inputs = 0, keys = 0;
  for (const name of fs.readdirSync(dir).filter(f => f.endsWith('.md'))) {
    const file = fs.readFileSync(path.join(dir, name), 'utf8');
    // Each file is one fenced block: `% pandoc <args>`, the input, `^D`, the expected output.
    assert.deepEqual(findCitations(file, md), [], `${name} is all fenced code`);
    for (const [, args, input, output] of file.matchAll(/^% pandoc(.*)\n([^]*?)^\^D\n([^]*?)^```/gm)) {
      if (!args.includes('citeproc') || /--bibliography|(-f|--from)[ =](?!markdown)/.test(args) || /^bibliography:/m.test(input)) continue;
      inputs++;
      const ids = new Set([...input.matchAll(/^[ -]*id: *['"]?(.*?)['"]? *$/gm)].map(m => m[1].replace(/\\(.)/g, '$1')));
      for (const { key } of findCitations(input, md)) {
        keys++;
        assert.ok(ids.has(key) || output.includes(key), `${name}: ${key} is a reference or reported by pandoc`);
      }
    }
  }
  assert.ok(inputs > 60 && keys > 200, `${inputs} inputs, ${keys} keys`);
});

test('findCitations (Pandoc): every chapter of the Manubot deep review; the keys match Manubot\'s own list', (t) => {
  const dir = path.join(corporaDir, 'csl', 'deep-review');
  if (!fs.existsSync(dir)) return t.skip('no deep-review corpus');
  const chapters = fs.readdirSync(path.join(dir, 'content')).filter(f => /^\d\d\..*\.md$/.test(f));
  const cited = new Set<string>();
  for (const name of chapters) {
    const text = fs.readFileSync(path.join(dir, 'content', name), 'utf8');
    const found = findCitations(text, md);
    if (text.includes('[@')) assert.ok(found.length > 0, `${name} has citations`);
    for (const { key, range } of found) {
      assert.match(key, /^[\p{L}\p{N}_][^\s]*$/u, `${name}: ${key}`);
      assert.doesNotMatch(key, /[.,;:!?)\]}]$/, `${name}: ${key} has no trailing punctuation`);
      const line = text.split('\n')[range.start.line];
      assert.equal(line.slice(range.start.character, range.end.character), key);
      if (!name.startsWith('90.') && !/^(fig|tbl):/.test(key)) cited.add(key); // 90 defines tags; fig/tbl are cross-references
    }
  }
  const tsv = fs.readFileSync(path.join(dir, 'output', 'citations.tsv'), 'utf8').trim().split('\n').slice(1);
  assert.deepEqual([...cited].sort(), [...new Set(tsv.map(l => l.split('\t')[0]))].sort());
});

test('citationAt: the key under the cursor or just after it', () => {
  const at = (src: string, languageId = 'latex') => {
    const { text, pos } = parseFixture(src);
    return citationAt(text, pos, languageId);
  };
  assert.deepEqual(at('x \\cite{a, vas<|>wani}'), { key: 'vaswani', range: rangeOf('x \\cite{a, vaswani}', 'vaswani'), syntax: 'latex', command: 'cite' });
  assert.equal(at('\\cite{a, vaswani<|>}')?.key, 'vaswani');
  assert.equal(at('\\cite{a, <|>vaswani}')?.key, 'vaswani');
  assert.equal(at('\\cite{a,<|> vaswani}'), undefined);
  assert.equal(at('\\cite{<|>}'), undefined);
  assert.equal(at('\\nocite{*<|>}'), undefined);
  assert.equal(at('% \\cite{a<|>}'), undefined);
  assert.deepEqual(at('\\cite{a,\n  b<|>}')?.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 3 } });
  assert.deepEqual(at('See [@doi:10.1/x<|>y].', md), { key: 'doi:10.1/xy', range: rangeOf('See [@doi:10.1/xy].', 'doi:10.1/xy'), syntax: 'pandoc' });
  assert.equal(at('@smith<|>.', md)?.key, 'smith');
  assert.equal(at('@smith.<|>', md), undefined);
  assert.equal(at('john@d<|>oe.org', md), undefined);
  assert.equal(at('\\cite{a<|>}', 'python'), undefined);
});

// ---- Speed --------------------------------------------------------------------------------------

/** Best of a few runs, in milliseconds. */
function time(fn: () => void, runs = 5): number {
  let best = Infinity;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const latexDoc = 'We compare against prior work \\citep[see][p.~3]{vaswani2017attention, cai2024medusa} and $x^2$ % a comment \\cite{no}\n'
  .concat('\\textcite{leviathan2023fast} shows 50\\% speedups.\n\n')
  .repeat(6000); // ≈ 1 MB
const pandocDoc = 'We compare against prior work [see @vaswani2017attention, p. 3; @cai2024medusa] and `code @x`.\n'
  .concat('@leviathan2023fast [p. 4] shows speedups; mail me at a@b.org.\n\n')
  .repeat(6500); // ≈ 1 MB

// The speed tests guard against super-linear scans (which would take seconds to minutes here), with
// bounds loose enough for a loaded 2-core CI machine; typical figures are ~20 ms and ~0.1 ms.
test('speed: findCitations on a 1 MB document stays linear (under 500 ms)', () => {
  assert.ok(latexDoc.length > 1e6 && pandocDoc.length > 1e6);
  assert.equal(findCitations(latexDoc, 'latex').length, 18000);
  assert.equal(findCitations(pandocDoc, md).length, 19500);
  const latexMs = time(() => findCitations(latexDoc, 'latex'));
  const pandocMs = time(() => findCitations(pandocDoc, md));
  assert.ok(latexMs < 500, `LaTeX: ${latexMs.toFixed(1)} ms`);
  assert.ok(pandocMs < 500, `Pandoc: ${pandocMs.toFixed(1)} ms`);
});

test('speed: a cursor query at the end of a 1 MB document does not scan the document (under 5 ms; a full scan is ~20 ms)', () => {
  const latex = latexDoc + '\\cite{a, medusa';
  const pandoc = pandocDoc + '[@a; @medusa';
  const latexEnd = { line: latex.split('\n').length - 1, character: 99 };
  const pandocEnd = { line: pandoc.split('\n').length - 1, character: 99 };
  assert.equal(citeContextAt(latex, latexEnd, 'latex')?.prefix, 'medusa');
  assert.equal(citeContextAt(pandoc, pandocEnd, md)?.prefix, 'medusa');
  const latexMs = time(() => { for (let k = 0; k < 100; k++) citeContextAt(latex, latexEnd, 'latex'); }, 1) / 100;
  const pandocMs = time(() => { for (let k = 0; k < 100; k++) citeContextAt(pandoc, pandocEnd, md); }, 1) / 100;
  assert.ok(latexMs < 5, `LaTeX: ${latexMs.toFixed(2)} ms per query`);
  assert.ok(pandocMs < 5, `Pandoc: ${pandocMs.toFixed(2)} ms per query`);
});

test('speed: pathological inputs stay linear', () => {
  // Each opener here is unclosed, so a scan that searched ahead from every opener would take minutes.
  // (Inputs that yield a citation per repetition are smaller: building the results dominates there.)
  const cases: Array<[string, string]> = [
    [Array.from({ length: 1400 }, (_, k) => '`'.repeat(k + 1)).join(' x '), md], // code-span openers of every length
    ['\\cite['.repeat(150_000), 'latex'],
    ['\\cites('.repeat(150_000), 'latex'],
    [' \\cite{ab'.repeat(30_000), 'latex'],
    ['](@x'.repeat(250_000), md],
    ['[@a '.repeat(60_000), md],
    ['<a:'.repeat(300_000), md],
    ['@{'.repeat(500_000), md],
    ['a\n```\n'.repeat(200_000), md],
  ];
  for (const [text, languageId] of cases) {
    const ms = time(() => findCitations(text, languageId), 1);
    assert.ok(ms < 500, `${JSON.stringify(text.slice(0, 12))}: ${ms.toFixed(0)} ms`);
  }
});
