/**
 * JSON Lines reader: one JSON object per line, in either of the common metadata shapes.
 * - arXiv listings: `id` (the arXiv id), `title`, `authors` ("A, B and C" or an array),
 *   `summary` (the abstract), `categories`; title and abstract are LaTeX-decoded, the year comes
 *   from the id (`2503.11731` → 2025) unless a date field gives one.
 * - Semantic Scholar / S2ORC: `paper_id`, `title`, `authors` ([{first, middle, last}]),
 *   `abstract`, `year`, `doi`, `arxiv_id`, `journal` / `venue`.
 * The key is a `key` / `citationKey` / `citation-key` field when there is one, else generated.
 * A line that is not a JSON object is one error at that line; the other lines still load.
 */
import { latexToUnicode } from './latex';
import { isJsonObject, parseJson } from './json';
import type { LoadError, LoadResult, Paper } from './paper';
import { lineRange } from './positions';
import { arxivId, collapseSpace, fillMissingKeys, loadError, makePaper, normalizeDoi, personName, stringField, yearOf } from './records';

export function parseJsonLines(text: string, source: string): LoadResult {
  const papers: Paper[] = [];
  const errors: LoadError[] = [];
  const lines = text.split(/\r\n?|\n/);
  lines.forEach((line, n) => {
    if (!line.trim()) return;
    const parsed = parseJson(line);
    if (!parsed.ok) errors.push(loadError(parsed.message, lineRange(n, parsed.offset, Math.min(parsed.offset + 1, line.length))));
    else if (!isJsonObject(parsed.value)) errors.push(loadError('Expected a JSON object on this line', lineRange(n, 0, line.length)));
    else papers.push(toPaper(parsed.value, source, n, line.length));
  });
  fillMissingKeys(papers);
  return { papers, errors };
}

/** "A, B and C" or ["A", "B"] or [{first, last}…] → display names. */
function authorList(v: unknown): string[] {
  const list = typeof v === 'string' ? v.split(/\s*,\s*(?:and\s+)?|\s+and\s+/) : Array.isArray(v) ? v : [];
  return list.map(personName).filter(Boolean);
}

/** arXiv ids encode the month of submission: `2503.…` is March 2025, `cs/9603104` March 1996. */
function arxivYear(id: string | undefined): number | undefined {
  const yy = id && /^(?:[a-z-]+(?:\.[a-z]{2})?\/)?(\d\d)\d\d/i.exec(id)?.[1];
  return yy ? (Number(yy) < 91 ? 2000 : 1900) + Number(yy) : undefined;
}

function toPaper(r: Record<string, unknown>, source: string, line: number, length: number): Paper {
  const arxiv = arxivId(stringField(r, 'arxiv_id', 'arxiv')) ?? arxivId(stringField(r, 'id'));
  // arXiv's own metadata keeps TeX in titles and abstracts (`summary`); other sources are plain.
  const decode = 'summary' in r ? latexToUnicode : collapseSpace;
  const categories = Array.isArray(r.categories) ? r.categories.join(', ') : stringField(r, 'categories');
  return makePaper({
    key: stringField(r, 'key', 'citationKey', 'citation-key')?.trim() ?? '',
    type: 'misc',
    title: decode(stringField(r, 'title') ?? ''),
    authors: authorList(r.authors ?? r.author),
    year: yearOf(typeof r.year === 'number' ? r.year : stringField(r, 'year', 'published', 'date', 'update_date')) ?? arxivYear(arxiv),
    venue: collapseSpace(stringField(r, 'journal', 'venue', 'journal-ref')),
    abstract: decode(stringField(r, 'summary', 'abstract') ?? ''),
    doi: normalizeDoi(stringField(r, 'doi', 'DOI')),
    url: stringField(r, 'url', 'abs', 's2_url') ?? (arxiv ? `https://arxiv.org/abs/${arxiv}` : undefined),
    arxiv,
    keywords: collapseSpace(categories),
    source,
    range: lineRange(line, 0, length),
  });
}
