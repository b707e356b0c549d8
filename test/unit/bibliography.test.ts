/**
 * Bibliography discovery on inline fixtures: an in-memory file system (`FileAccess`) with the
 * document's text given inline; multi-file LaTeX projects, Pandoc front matter, Quarto projects,
 * BIBINPUTS. Plus the pieces the diagnostics and quick fixes build on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverBibliography, latexVerbatimRanges, yamlList, type FileAccess } from '../../server/src/features/bibliography';
import { documentCitations, looksLikeCrossRef } from '../../server/src/features/citations';
import { closestKeys, editDistance, looksLikeWords } from '../../server/src/features/codeActions';
import { parseBibKeys } from '../../server/src/features/bibEntries';
import { rangeOf } from '../util/fixture';

function memoryFs(files: Record<string, string>, bibInputs: string[] = []): FileAccess {
  return {
    read: f => files[f],
    exists: f => f in files,
    texFiles: () => Object.keys(files).filter(f => f.endsWith('.tex')),
    bibInputs,
    subdirs: dir => [...new Set(Object.keys(files).filter(f => f.startsWith(`${dir}/`)).map(f => f.slice(dir.length + 1).split('/')).filter(p => p.length > 1).map(p => `${dir}/${p[0]}`))],
  };
}

test('\\bibliography with and without .bib, spaces, line breaks and comments', () => {
  const text = '\\documentclass{article}\n\\bibliography{refs.bib, more,\n   % a comment\n   sub/other }\n';
  const fs = memoryFs({ '/p/refs.bib': '', '/p/more.bib': '', '/p/sub/other.bib': '' });
  const b = discoverBibliography('/p/main.tex', text, 'latex', fs);
  assert.deepEqual(b.files, ['/p/refs.bib', '/p/more.bib', '/p/sub/other.bib']);
  assert.deepEqual(b.resources.map(r => r.name), ['refs.bib', 'more', 'sub/other']);
  assert.deepEqual(b.resources[2].range, rangeOf(text, 'sub/other'));
  assert.equal(b.declared, true);
});

test('\\addbibresource (biblatex), remote resources skipped, a missing file reported with its range', () => {
  const text = '\\addbibresource{lib/refs.bib}\n\\addbibresource[location=remote]{https://example.org/x.bib}\n\\addbibresource{gone.bib}\n% \\addbibresource{commented.bib}\n';
  const b = discoverBibliography('/p/main.tex', text, 'latex', memoryFs({ '/p/lib/refs.bib': '' }));
  assert.deepEqual(b.files, ['/p/lib/refs.bib']);
  assert.deepEqual(b.resources.map(r => [r.name, r.file]), [['lib/refs.bib', '/p/lib/refs.bib'], ['gone.bib', undefined]]);
  assert.deepEqual(b.resources[1].range, rangeOf(text, 'gone.bib'));
});

test('an \\input file uses its root\'s bibliography (found by scanning the workspace), and includes nest', () => {
  const files = {
    '/p/main.tex': '\\documentclass{book}\n\\include{chapters/one}\n\\bibliography{refs}\n',
    '/p/chapters/one.tex': '\\input{chapters/sections/a}\n',
    '/p/chapters/sections/a.tex': 'Text \\cite{x}.',
    '/p/refs.bib': '',
    '/p/other.tex': '\\documentclass{article}\n\\bibliography{unrelated}\n',
  };
  const fs = memoryFs(files);
  const b = discoverBibliography('/p/chapters/sections/a.tex', files['/p/chapters/sections/a.tex'], 'latex', fs);
  assert.equal(b.root, '/p/main.tex');
  assert.deepEqual(b.documents, ['/p/main.tex', '/p/chapters/one.tex', '/p/chapters/sections/a.tex']);
  assert.deepEqual(b.files, ['/p/refs.bib']);
  // The root sees the bibliography named in an included file too.
  const files2 = { ...files, '/p/main.tex': '\\documentclass{book}\n\\include{chapters/one}\n', '/p/chapters/one.tex': '\\input{chapters/sections/a}\n\\bibliography{refs}' };
  assert.deepEqual(discoverBibliography('/p/main.tex', files2['/p/main.tex'], 'latex', memoryFs(files2)).files, ['/p/refs.bib']);
});

test('% !TEX root, \\subfile with \\documentclass[main]{subfiles}, \\import', () => {
  const files = {
    '/p/main.tex': '\\documentclass{article}\n\\subfile{parts/a}\n\\import{parts/deep/}{b}\n\\addbibresource{refs.bib}\n',
    '/p/parts/a.tex': '\\documentclass[../main.tex]{subfiles}\n\\begin{document}\\cite{k}\\end{document}\n',
    '/p/parts/deep/b.tex': 'b',
    '/p/parts/c.tex': '% !TEX root = ../main.tex\n\\cite{k}',
    '/p/refs.bib': '',
  };
  const fs = memoryFs(files);
  for (const f of ['/p/parts/a.tex', '/p/parts/c.tex', '/p/parts/deep/b.tex'] as const) {
    const b = discoverBibliography(f, files[f], 'latex', fs);
    assert.equal(b.root, '/p/main.tex', f);
    assert.deepEqual(b.files, ['/p/refs.bib'], f);
  }
});

test('BIBINPUTS directories, searched recursively for a trailing //', () => {
  const fs = memoryFs({ '/texmf/bib/shared.bib': '', '/deep/a/b/nested.bib': '' }, ['/nowhere', '/texmf/bib', '/deep//']);
  const b = discoverBibliography('/p/main.tex', '\\bibliography{shared,nested}', 'latex', fs);
  assert.deepEqual(b.files, ['/texmf/bib/shared.bib', '/deep/a/b/nested.bib']);
});

test('thebibliography \\bibitems and \\nocite{*}', () => {
  const text = '\\nocite{*}\n\\begin{thebibliography}{9}\n\\bibitem[Knuth 1984]{knuth84} D. Knuth.\n\\bibitem{lamport94} L. Lamport.\n\\end{thebibliography}';
  const b = discoverBibliography('/p/main.tex', text, 'latex', memoryFs({}));
  assert.deepEqual(b.bibitems.map(x => x.key), ['knuth84', 'lamport94']);
  assert.deepEqual(b.bibitems[0].range, rangeOf(text, 'knuth84'));
  assert.equal(b.nociteAll, true);
  assert.equal(b.declared, true);
  assert.equal(discoverBibliography('/p/x.tex', '\\cite{a}', 'latex', memoryFs({})).declared, false);
});

test('Pandoc front matter: a string, a flow list, a block list; inline references', () => {
  const fs = memoryFs({ '/d/a.bib': '', '/d/b.bib': '', '/d/refs/c.json': '' });
  const one = '---\ntitle: x\nbibliography: a.bib\n---\n[@k]';
  assert.deepEqual(discoverBibliography('/d/one.md', one, 'markdown', fs).files, ['/d/a.bib']);
  const flow = '---\nbibliography: [a.bib, "b.bib"]\n---\n';
  assert.deepEqual(discoverBibliography('/d/flow.qmd', flow, 'quarto', fs).files, ['/d/a.bib', '/d/b.bib']);
  const block = '---\nbibliography:\n  - a.bib\n  # comment\n  - refs/c.json\n  - missing.bib\nlink-citations: true\nreferences:\n  - id: inline2020\n    title: Inline\n---\n';
  const b = discoverBibliography('/d/block.Rmd', block, 'rmd', fs);
  assert.deepEqual(b.files, ['/d/a.bib', '/d/refs/c.json']);
  assert.deepEqual(b.resources[2].range, rangeOf(block, 'missing.bib'));
  assert.deepEqual(b.bibitems.map(x => x.key), ['inline2020']);
  assert.deepEqual(b.bibitems[0].range, rangeOf(block, 'inline2020'));
});

test('Quarto: the nearest _quarto.yml above the document gives the bibliography', () => {
  const fs = memoryFs({ '/book/_quarto.yml': 'project:\n  type: book\nbibliography: references.bib\n', '/book/references.bib': '' });
  const b = discoverBibliography('/book/chapters/intro.qmd', 'Text [@k].', 'quarto', fs);
  assert.deepEqual(b.files, ['/book/references.bib']);
  assert.equal(b.resources[0].document, '/book/_quarto.yml');
  // Front matter wins over the project file.
  const own = discoverBibliography('/book/chapters/x.qmd', '---\nbibliography: own.bib\n---\n', 'quarto', fs);
  assert.deepEqual(own.resources.map(r => r.name), ['own.bib']);
});

test('yamlList ignores other keys and trailing comments', () => {
  assert.deepEqual(yamlList('title: bibliography: no\nbibliography: refs.bib # mine\n', 'bibliography').map(x => x.text), ['refs.bib']);
});

test('verbatim environments and \\verb are not citations; comments are skipped', () => {
  const text = '\\cite{a}\n\\begin{verbatim}\n\\cite{b}\n\\end{verbatim}\n\\verb|\\cite{c}| \\cite{d} % \\begin{verbatim}\n\\cite{e}\n\\begin{lstlisting}\\cite{f}\\end{lstlisting}';
  assert.deepEqual(documentCitations(text, 'latex', []).map(c => c.key), ['a', 'd', 'e']);
  assert.equal(latexVerbatimRanges(text).length, 3);
});

test('cross-references, words, edit distance', () => {
  assert.ok(looksLikeCrossRef('fig-one') && looksLikeCrossRef('sec:intro') && looksLikeCrossRef('eq-1'));
  assert.ok(!looksLikeCrossRef('figueroa2020') && !looksLikeCrossRef('vaswani2017'));
  assert.ok(looksLikeWords('attention is all you need') && looksLikeWords('transformers'));
  assert.ok(!looksLikeWords('vaswani2017') && !looksLikeWords('doe:2020'));
  assert.equal(editDistance('vaswni2017', 'vaswani2017'), 1);
  assert.equal(editDistance('abcd', 'abdc'), 1, 'a transposition costs one');
  assert.deepEqual(closestKeys('vaswni2017attention', ['devlin2019bert', 'vaswani2017attention', 'vaswani2018'], 3), ['vaswani2017attention']);
});

test('parseBibKeys gives each key\'s exact range, duplicates kept', () => {
  const text = '@article{a2020,\n title={A}}\n@book( b2021 , title={B})\n@misc{a2020, title={Again}}\n';
  const bib = parseBibKeys(text, '/x.bib');
  assert.deepEqual(bib.keys(), ['a2020', 'b2021']);
  assert.equal(bib.entries('a2020').length, 2);
  assert.deepEqual(bib.entries('b2021')[0].keyRange, rangeOf(text, 'b2021'));
  assert.deepEqual(bib.entries('a2020')[1].keyRange, rangeOf(text, 'a2020', 2));
});
