/**
 * CSL-JSON reader: an array of items, `{ "items": [...] }`, or one item. `citation-key` or `id` is
 * the key; title, authors (editors if none), `issued` year (`date-parts`, `raw` or `literal`),
 * `container-title` (else publisher) as venue, abstract, DOI, URL, keywords and the CSL type.
 * CSL rich-text tags (`<i>`, `<span class="nocase">`…) are stripped. Each paper's range is the
 * item's object in the file; invalid JSON is one error at the syntax error.
 */
import { isJsonObject, objectSpans, parseJson } from './json';
import type { LoadError, LoadResult, Paper, SourceRange } from './paper';
import { LineIndex } from './positions';
import { collapseSpace, fillMissingKeys, loadError, makePaper, normalizeDoi, personName, stringField, yearOf } from './records';

const MARKUP = /<\/?(?:i|b|sup|sub|sc|span)\b[^>]*>/g;

export function parseCslJson(text: string, source: string): LoadResult {
  const lines = new LineIndex(text);
  const parsed = parseJson(text);
  if (!parsed.ok) {
    // The offending character, or an empty range at a line break (never half of a `\r\n`).
    const end = /[\r\n]/.test(text[parsed.offset] ?? '\n') ? parsed.offset : parsed.offset + 1;
    return { papers: [], errors: [loadError(parsed.message, lines.range(Math.min(parsed.offset, text.length), Math.min(end, text.length)))] };
  }
  const root = parsed.value;
  const wrapped = isJsonObject(root) && Array.isArray(root.items);
  const items: unknown[] = Array.isArray(root) ? root : wrapped ? (root as { items: unknown[] }).items : [root];
  // Where each item sits; when the scan cannot tell (one bare item, odd shapes), the whole file.
  const spans = objectSpans(text, wrapped ? 2 : 1);
  const whole = lines.range(0, text.length);
  const rangeOf = (i: number): SourceRange => (spans.length === items.length ? lines.range(spans[i][0], spans[i][1]) : whole);

  const papers: Paper[] = [];
  const errors: LoadError[] = [];
  items.forEach((item, i) => {
    if (isJsonObject(item)) papers.push(toPaper(item, source, rangeOf(i)));
    else errors.push(loadError(`CSL-JSON item ${i + 1} is not an object`, rangeOf(i)));
  });
  fillMissingKeys(papers);
  return { papers, errors };
}

function richText(item: Record<string, unknown>, ...names: string[]): string | undefined {
  // Crossref's CSL has arrays for some titles (`"container-title": ["Nature"]`).
  for (const name of names) {
    const v = item[name];
    const s = Array.isArray(v) ? v.find(x => typeof x === 'string') : v;
    if (typeof s === 'string' && s.trim()) return collapseSpace(s.replace(MARKUP, ''));
  }
  return undefined;
}

function people(v: unknown): string[] {
  return Array.isArray(v) ? v.map(personName).filter(Boolean) : [];
}

function issuedYear(issued: unknown): number | undefined {
  if (typeof issued === 'string' || typeof issued === 'number') return yearOf(issued);
  if (!isJsonObject(issued)) return undefined;
  const parts = issued['date-parts'];
  const first = Array.isArray(parts) && Array.isArray(parts[0]) ? parts[0][0] : undefined;
  return yearOf(typeof first === 'number' || typeof first === 'string' ? first : undefined)
    ?? yearOf(stringField(issued, 'raw', 'literal'));
}

function toPaper(item: Record<string, unknown>, source: string, range: SourceRange): Paper {
  const id = item['citation-key'] ?? item.id;
  const authors = people(item.author);
  return makePaper({
    key: typeof id === 'string' || typeof id === 'number' ? String(id).trim() : '',
    type: stringField(item, 'type')?.trim() ?? 'misc',
    title: richText(item, 'title') ?? '',
    authors: authors.length ? authors : people(item.editor),
    year: issuedYear(item.issued),
    venue: richText(item, 'container-title', 'publisher'),
    abstract: richText(item, 'abstract'),
    doi: normalizeDoi(stringField(item, 'DOI', 'doi')),
    url: stringField(item, 'URL', 'url')?.trim(),
    keywords: richText(item, 'keyword'),
    source,
    range,
  });
}
