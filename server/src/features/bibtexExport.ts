/**
 * BibTeX for a paper (the panel's Copy BibTeX): the entry exactly as written when the paper comes
 * from a `.bib` file, otherwise generated from the paper's fields.
 */
import type { Paper, SourceRange } from '../corpus/paper';

/** The text of `range` in `text` (LSP-style positions). */
export function sliceSource(text: string, range: SourceRange): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0 && starts.length <= range.end.line; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const from = (starts[range.start.line] ?? text.length) + range.start.character;
  const to = (starts[range.end.line] ?? text.length) + range.end.character;
  return text.slice(from, to);
}

/** True when `source` is a BibTeX file whose entry text can be copied as written. */
export function isBibSource(source: string): boolean {
  return /\.(bib|bibtex|biblatex)(\.gz)?$/i.test(source) && !/\.gz$/i.test(source);
}

/** The entry of `paper` as written in its source text, when that text still holds it at the same place. */
export function entryAsWritten(sourceText: string, paper: Paper): string | undefined {
  const raw = sliceSource(sourceText, paper.range).trim();
  return raw.startsWith('@') && raw.includes(paper.key) ? raw : undefined;
}

const VENUE_FIELD: Record<string, string> = {
  article: 'journal', 'article-journal': 'journal', inproceedings: 'booktitle', conference: 'booktitle',
  'paper-conference': 'booktitle', incollection: 'booktitle', chapter: 'booktitle',
};

const CSL_TO_BIBTEX: Record<string, string> = {
  'article-journal': 'article', 'paper-conference': 'inproceedings', chapter: 'incollection', book: 'book',
  thesis: 'phdthesis', report: 'techreport', webpage: 'online',
};

export function formatBibtex(p: Paper): string {
  const type = /^[a-z]+$/.test(p.type) && !CSL_TO_BIBTEX[p.type] ? p.type : CSL_TO_BIBTEX[p.type] ?? 'misc';
  const fields: Array<[string, string | undefined]> = [
    ['title', p.title ? latexValue(p.title) : undefined],
    ['author', p.authors.length ? p.authors.map(latexValue).join(' and ') : undefined],
    ['year', p.year !== undefined ? String(p.year) : undefined],
    [VENUE_FIELD[p.type] ?? (type === 'misc' ? 'howpublished' : 'journal'), p.venue ? latexValue(p.venue) : undefined],
    ['doi', p.doi ? verbatimValue(p.doi) : undefined],
    ['url', p.url ? verbatimValue(p.url) : undefined],
    ['eprint', p.arxiv ? verbatimValue(p.arxiv) : undefined],
    ['archiveprefix', p.arxiv ? 'arXiv' : undefined],
    ['keywords', p.keywords ? latexValue(p.keywords) : undefined],
    ['abstract', p.abstract ? latexValue(p.abstract) : undefined],
  ];
  const body = fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '').map(([name, value]) => `  ${name} = {${value}}`);
  return `@${type}{${p.key},\n${body.join(',\n')}\n}`;
}

/** Plain text as a braced BibTeX value: LaTeX specials escaped, so braces always balance. */
function latexValue(s: string): string {
  return s
    .replace(/\\/g, '\\textbackslash{}')
    .replace(/([&%$#_{}])/g, '\\$1')
    .replace(/\\textbackslash\\\{\\\}/g, '\\textbackslash{}')
    .replace(/~/g, '\\textasciitilde{}')
    .replace(/\^/g, '\\textasciicircum{}')
    .replace(/\s+/g, ' ')
    .trim();
}

/** DOIs and URLs are read verbatim by biblatex/hyperref: only braces are unsafe. */
function verbatimValue(s: string): string {
  return s.replace(/[{}]/g, '').trim();
}
