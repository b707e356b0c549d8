import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Paper } from '../../server/src/corpus/paper';
import { authorsShort, escapeMarkdown, paperLinks, paperMarkdown } from '../../server/src/lsp/toProto';

const range = { start: { line: 4, character: 0 }, end: { line: 9, character: 1 } };
const hostile: Paper = {
  key: 'evil2024', type: 'article', authors: ['Mallory <script>'], year: 2024, source: '/lib/refs.bib', range,
  title: 'Title [x](command:workbench.action.quit) <img src=x onerror=alert(1)>',
  abstract: '</script><script>alert(1)</script> **bold** `code` $x$',
  url: 'javascript:alert(1)', doi: '10.1000/a(b)c',
};

test('escapeMarkdown leaves no live Markdown or HTML', () => {
  assert.equal(escapeMarkdown('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert\\(1\\)&gt;');
  assert.equal(escapeMarkdown('[x](command:workbench.action.quit)'), '\\[x\\]\\(command\\:workbench.action.quit\\)');
  assert.equal(escapeMarkdown('- not a list'), '\\- not a list');
  assert.equal(escapeMarkdown('1999. Not a list'), '1999\\. Not a list');
  assert.equal(escapeMarkdown('**a** _b_ `c`'), '\\*\\*a\\*\\* \\_b\\_ \\`c\\`');
});

test('links are http(s) only, and DOI parentheses cannot close the link target', () => {
  assert.deepEqual(paperLinks(hostile), [{ label: 'doi:10.1000/a(b)c', href: 'https://doi.org/10.1000/a(b)c' }]);
  const md = paperMarkdown(hostile, { abstract: 'sentences' });
  assert.ok(!md.includes('javascript:'), md);
  assert.ok(!/<(script|img)/i.test(md), md);
  assert.ok(!md.includes('](command'), md);
  assert.ok(md.includes('(https://doi.org/10.1000/a%28b%29c)'), md);
  assert.ok(md.includes('(file:///lib/refs.bib#L5)'), md);
});

test('authorsShort abbreviates after three names', () => {
  assert.equal(authorsShort(['A', 'B', 'C', 'D']), 'A, B, C et al.');
  assert.equal(authorsShort(['A', 'B']), 'A, B');
  assert.equal(authorsShort([]), '');
});
