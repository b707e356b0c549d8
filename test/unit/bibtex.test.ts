import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import type { Paper } from '../../server/src/corpus/paper';
import { brief, insideText, range } from '../util/loadErrors';
import { corporaDir } from '../util/paths';

const SOURCE = '/corpus/refs.bib';

function only(text: string, externalMacros?: ReadonlyMap<string, string>): Paper {
  const { papers } = parseBibtex(text, SOURCE, externalMacros);
  assert.equal(papers.length, 1);
  return papers[0];
}

test('an ACM-style entry: every Paper field, LaTeX decoded, names reordered, range of the whole entry', () => {
  const text = [
    '% exported from the ACM DL',
    '@InProceedings{10.1145/3331184.3331265,',
    '  Author = {M{\\"u}ller, J{\\"u}rgen and Vaswani, Ashish and others},',
    '  TITLE = {Deep {BERT} Retrieval --- a {\\textit{Study}} of $O(n^2)$ Costs},',
    '  year = {2019},',
    '  booktitle = {Proc.\\ of SIGIR~\'19},',
    '  publisher = {ACM},',
    '  doi = {https://doi.org/10.1145/3331184.3331265},',
    '  url = { https://dl.acm.org/doi/10.1145/3331184.3331265 },',
    '  abstract = {We show that ``dense\'\' retrieval',
    '              beats BM25 on 10--20\\% of queries.},',
    '  keywords = {retrieval, {BERT}},',
    '}',
  ].join('\n');
  const res = parseBibtex(text, SOURCE);
  assert.deepEqual(res.errors, []);
  assert.deepEqual(res.papers, [{
    key: '10.1145/3331184.3331265',
    keyGenerated: false,
    type: 'inproceedings',
    title: 'Deep BERT Retrieval — a Study of O(n^2) Costs',
    authors: ['Jürgen Müller', 'Ashish Vaswani'],
    year: 2019,
    venue: "Proc. of SIGIR '19",
    abstract: 'We show that “dense” retrieval beats BM25 on 10–20% of queries.',
    doi: '10.1145/3331184.3331265',
    url: 'https://dl.acm.org/doi/10.1145/3331184.3331265',
    arxiv: undefined,
    keywords: 'retrieval, BERT',
    source: SOURCE,
    range: range(1, 0, 12, 1),
  }]);
});

test('@string macros: case-insensitive, # concatenation, months built in, bare numbers, quoted values', () => {
  const text = [
    '@STRING{ProcIR = "Proceedings of "}',
    '@string(sigir = {SIG{IR}})',
    '@article{a,',
    '  journal = procir # Sigir # " " # "{2020}",',
    '  title = "A {"}quoted{"} {Title}",',
    '  month = jan, year = 2020, volume = 12',
    '}',
  ].join('\n');
  const res = parseBibtex(text, SOURCE);
  assert.deepEqual(res.errors, []);
  assert.deepEqual([...res.macros], [['procir', 'Proceedings of '], ['sigir', 'SIG{IR}']]);
  assert.deepEqual([...res.undefinedMacros], []);
  const p = res.papers[0];
  assert.equal(p.venue, 'Proceedings of SIGIR 2020');
  assert.equal(p.title, 'A "quoted" Title');
  assert.equal(p.year, 2020);
});

test('an undefined macro is a warning at its use; macros from other files resolve it', () => {
  const text = '@article{b,\n  journal = jacm,\n  title = {T}\n}\n';
  const alone = parseBibtex(text, SOURCE);
  assert.deepEqual(brief(alone.errors), ['warning 1:12-1:16 Undefined @string macro "jacm"']);
  assert.deepEqual([...alone.undefinedMacros], ['jacm']);
  assert.equal(alone.papers[0].venue, undefined);
  const withDefs = parseBibtex(text, SOURCE, new Map([['jacm', 'Journal of the {ACM}']]));
  assert.deepEqual(withDefs.errors, []);
  assert.equal(withDefs.papers[0].venue, 'Journal of the ACM');
  // The file's own definition wins over another file's.
  assert.equal(only(`@string{jacm = "J. ACM"}\n${text}`, new Map([['jacm', 'Other']])).venue, 'J. ACM');
});

test('paren-delimited entries, and keys with parentheses, colons and slashes', () => {
  const res = parseBibtex([
    '@article(foo(1):bar/baz, title = {Paren (delimited)}, year = 1999)',
    '@misc{Müller:2020/a.b-c, title = {Braced}}',
  ].join('\n'), SOURCE);
  assert.deepEqual(res.errors, []);
  assert.deepEqual(res.papers.map(p => [p.key, p.title, p.range]), [
    ['foo(1):bar/baz', 'Paren (delimited)', range(0, 0, 0, 66)],
    ['Müller:2020/a.b-c', 'Braced', range(1, 0, 1, 42)],
  ]);
});

test('text outside entries, @comment, @preamble and %-commented entries are not papers', () => {
  const res = parseBibtex([
    'This file belongs to jane@example.org {with braces}.',
    '@comment{jabref-meta: databaseType:bibtex;}',
    '@preamble{ "\\newcommand{\\noop}[1]{}" # "x" }',
    '%@article{old, title = {Commented out}}',
    '  % @book{older, title = {Also commented out}}',
    '@Comment this is BibTeX-style comment text',
    '@book{real, title = {Real}}',
  ].join('\n'), SOURCE);
  assert.deepEqual(res.errors, []);
  assert.deepEqual(res.papers.map(p => p.key), ['real']);
});

test('crossref: a child inherits venue, year, editors from a parent later in the file, not its title or DOI', () => {
  const res = parseBibtex([
    '@inproceedings{child,',
    '  author = {Ada Lovelace}, title = {Notes}, crossref = {Proc1843}',
    '}',
    '@proceedings{proc1843,',
    '  title = {Proceedings of 1843}, booktitle = {Proc. 1843}, year = 1843,',
    '  editor = {Babbage, Charles}, publisher = {Taylor}, doi = {10.1/parent}',
    '}',
    '@inproceedings{orphan, title = {Orphan}, crossref = {missing}}',
  ].join('\n'), SOURCE);
  const [child, parent, orphan] = res.papers;
  assert.deepEqual([child.title, child.authors, child.venue, child.year, child.doi], ['Notes', ['Ada Lovelace'], 'Proc. 1843', 1843, undefined]);
  assert.deepEqual([parent.title, parent.authors, parent.venue], ['Proceedings of 1843', ['Charles Babbage'], 'Proc. 1843']);
  assert.equal(orphan.venue, undefined);
  assert.deepEqual(brief(res.errors), ['warning 7:0-7:21 crossref parent "missing" of "orphan" is not in this file']);
});

test('BibLaTeX fields: date, journaltitle, eprint/eprinttype and archivePrefix, editors standing in for authors', () => {
  const res = parseBibtex([
    '@article{a, title = {A}, date = {2021-06-01}, journaltitle = {JMLR}, eprint = {2106.01234}, eprinttype = {arXiv}}',
    '@misc{b, title = {B}, year = {2020}, eprint = {arXiv:cs/9603104v2}, archivePrefix = {arXiv}, howpublished = {\\url{https://x.org}}}',
    '@misc{c, title = {C}, eprint = {hep-th/1}, eprinttype = {HAL}, editor = {Knuth, Donald E. and Lamport, Leslie}}',
    '@phdthesis{d, title = {D}, year = {circa 1999?}, school = {MIT}}',
  ].join('\n'), SOURCE);
  assert.deepEqual(res.papers.map(p => [p.key, p.year, p.venue, p.arxiv, p.authors]), [
    ['a', 2021, 'JMLR', '2106.01234', []],
    ['b', 2020, 'https://x.org', 'cs/9603104v2', []],
    ['c', undefined, undefined, undefined, ['Donald E. Knuth', 'Leslie Lamport']],
    ['d', 1999, 'MIT', undefined, []],
  ]);
});

test('author lists: "and" only at brace depth 0, "Last, Jr, First", corporate names, DBLP homonym numbers', () => {
  const p = only('@misc{k, author = {{Barnes and Noble} AND King, Jr., Martin Luther and Wei Wang 0001 and de la Fuente, Juan\n and {\\AA}ngstr{\\"o}m, A.}}');
  assert.deepEqual(p.authors, ['Barnes and Noble', 'Martin Luther King Jr.', 'Wei Wang', 'Juan de la Fuente', 'A. Ångström']);
});

test('one broken entry in the middle: every other entry loads, one error on the broken entry', () => {
  const text = [
    '@article{first, title = {First}, year = 2001}', // line 0
    '',
    '@article{broken,', // line 2
    '  title = {Unclosed {brace},', // line 3
    '  year = 2002,',
    '}',
    '',
    '@article{third, title = {Third}, year = 2003}', // line 7
    '@article{fourth, title = {Fourth}}',
  ].join('\n');
  const res = parseBibtex(text, SOURCE);
  assert.deepEqual(res.papers.map(p => p.key), ['first', 'third', 'fourth']);
  // The entry's own `}` closes the title, so the entry lacks its `}` when the next one starts.
  assert.deepEqual(brief(res.errors), ['error 2:0-2:15 The entry "broken" is not closed: "}" missing']);
  assert.deepEqual(res.papers[1].range, range(7, 0, 7, 45));
});

test('syntax errors: each costs its own entry only, with the range of the problem', () => {
  const text = [
    '@article{a, title {No equals}}', // 0
    '@article{b, title = {T} junk, year = 2000}', // 1
    '@article{c d, title = {Space in key}}', // 2
    '@article{e, title = {Missing close}', // 3
    '@article{f, title = {Fine}}', // 4
    '@article', // 5
    '{g, = {No field name}}', // 6
    '@article{h, title = , year = 1}', // 7
    '@article{i, title = {Last}}', // 8
    '@{WASSA,', // 9
    '}',
    '@3d{x, title = {Digit type}}', // 11
    '@article{j, title = {{Two {unclosed}, year = 2}', // 12
    '@article{k, title = {Very last}}', // 13
  ].join('\n');
  const res = parseBibtex(text, SOURCE);
  assert.deepEqual(res.papers.map(p => p.key), ['f', 'i', 'k']);
  assert.deepEqual(brief(res.errors), [
    'error 0:12-0:17 Expected "=" after "title"',
    'error 1:24-1:25 Expected "," or "}" after the value of "title"',
    'error 2:9-2:12 Expected "," after the key "c"',
    'error 3:0-3:10 The entry "e" is not closed: "}" missing',
    'error 6:4-6:5 Unexpected "=" in entry "g"',
    'error 7:20-7:21 Expected a value for "title"',
    'error 9:0-9:1 Expected an entry type after "@"',
    'error 11:0-11:3 "3d" is not an entry type',
    'error 12:12-12:21 Unbalanced braces: the value of "title" is not closed',
  ]);
});

test('an entry without a key gets a generated one and a warning; duplicate keys are both kept, with a warning', () => {
  const res = parseBibtex([
    '@article{,',
    '  author = {Vaswani, Ashish}, title = {Attention Is All You Need}, year = 2017}',
    '@article{title = {On the Theory}, author = {Ada Lovelace}, year = 1843}',
    '@article{dup, title = {One}}',
    '@article{dup, title = {Two}}',
    '@article{vaswani2017attention, title = {Taken}}',
  ].join('\n'), SOURCE);
  assert.deepEqual(res.papers.map(p => [p.key, p.keyGenerated]), [
    ['vaswani2017attention-b', true], ['lovelace1843theory', true], ['dup', false], ['dup', false], ['vaswani2017attention', false],
  ]);
  assert.deepEqual(brief(res.errors), [
    'warning 0:0-0:9 Entry has no citation key: a key is generated',
    'warning 2:0-2:15 Entry has no citation key: a key is generated',
    'warning 4:9-4:12 Duplicate key "dup" (first at line 4): both entries are kept',
  ]);
});

test('CRLF line breaks: ranges count lines as LSP does', () => {
  const res = parseBibtex('% header\r\n@article{a,\r\n  title = {T}\r\n}\r\n@article{b, title = {U', SOURCE);
  assert.deepEqual(res.papers[0].range, range(1, 0, 3, 1));
  assert.deepEqual(brief(res.errors), ['error 4:12-4:21 Unbalanced braces: the value of "title" is not closed']);
});

test('pathological input takes linear time: a megabyte of braces or @, 32k unclosed entries on one line', () => {
  // Quadratic rescanning would visit 32k × 256 KB = 8G characters here.
  for (const text of ['{'.repeat(1 << 20), '@'.repeat(1 << 20), '@a{k,t={'.repeat(1 << 15), '@a{k,t="'.repeat(1 << 15), '@string{x='.repeat(1 << 15)]) {
    const started = Date.now();
    const res = parseBibtex(text, SOURCE);
    assert.ok(Date.now() - started < 2000, `${text.slice(0, 10)}… took ${Date.now() - started} ms`);
    assert.equal(res.papers.length, 0);
  }
});

test('fuzzed input: random edits of a valid file never throw or hang, and every range lies inside the text', () => {
  const base = [
    '@string{j = "J. Test"} @preamble{"x"}',
    '@article{a, author = {M{\\"u}ller, J. and Doe, Jane}, title = "A {B} c", journal = j # " 1", year = 2001}',
    '@inproceedings(b, title = {T}, crossref = {p}, note = {%, @, \\{})',
    '@proceedings{p, booktitle = {P}, year = 2002, editor = {E}}',
  ].join('\n');
  let seed = 42;
  const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const specials = '{}()@,="#%\\\n ';
  for (let round = 0; round < 2000; round++) {
    let text = base;
    for (let edits = 1 + random(4); edits > 0; edits--) {
      const at = random(text.length + 1);
      text = random(2) ? text.slice(0, at) + specials[random(specials.length)] + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    }
    const lines = text.split(/\r\n?|\n/);
    const res = parseBibtex(text, SOURCE);
    for (const p of res.papers) assert.ok(insideText(p.range, lines) && p.key, JSON.stringify(text));
    for (const e of res.errors) assert.ok(insideText(e.range, lines), JSON.stringify([text, e]));
  }
});

test('biber-crossfile: @string macros defined only in definitions.bib resolve when passed in', t => {
  const dir = path.join(corporaDir, 'libraries/biber-crossfile');
  if (!fs.existsSync(dir)) { t.skip(`${dir} not found`); return; }
  const papersBib = fs.readFileSync(path.join(dir, 'papers.bib'), 'utf8');
  const alone = parseBibtex(papersBib, 'papers.bib');
  const defs = parseBibtex(fs.readFileSync(path.join(dir, 'definitions.bib'), 'utf8'), 'definitions.bib');
  assert.equal(defs.papers.length, 0);
  assert.equal(defs.macros.size, 635);
  assert.equal(alone.papers.length, 2157);
  assert.ok(alone.undefinedMacros.size > 300, `${alone.undefinedMacros.size} undefined macros`);
  assert.ok(alone.errors.every(e => e.severity === 'warning' && e.message.startsWith('Undefined @string macro')));
  assert.ok([...alone.undefinedMacros].every(m => defs.macros.has(m)));
  const resolved = parseBibtex(papersBib, 'papers.bib', defs.macros);
  assert.deepEqual(resolved.errors, []);
  assert.equal(resolved.papers.length, 2157);
  const first = resolved.papers.find(p => p.key === 'AardalHLT02')!;
  assert.deepEqual([first.title, first.venue, first.year], ['Algorithms for radio link frequency assignment: The CALMA project', 'Operations Research', 2003]);
});
