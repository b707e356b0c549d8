/**
 * Small helpers every loader shares: the one way to build a `Paper` (all properties, same order,
 * so V8 keeps one object shape for 100k records), year and DOI normalisation, whitespace cleanup,
 * and keys for records that came without one.
 */
import { generateKey } from './keys';
import type { LoadError, Paper, SourceRange } from './paper';

export type PaperFields = Omit<Paper, 'keyGenerated'>;

export function makePaper(f: PaperFields): Paper {
  return {
    key: f.key, keyGenerated: false, type: f.type, title: f.title, authors: f.authors, year: f.year,
    venue: f.venue || undefined, abstract: f.abstract || undefined, doi: f.doi || undefined,
    url: f.url || undefined, arxiv: f.arxiv || undefined, keywords: f.keywords || undefined,
    source: f.source, range: f.range,
  };
}

/**
 * A copy of `s` that does not keep its source text alive. V8 makes a substring of 13 or more
 * characters a view into its parent, so one title sliced from a 172 MB file would keep the whole
 * file in memory. A round trip through a Buffer makes a flat string (one byte per character when
 * the text allows, half the size of the two-byte source).
 */
export function detach(s: string): string;
export function detach(s: string | undefined): string | undefined;
export function detach(s: string | undefined): string | undefined {
  return s === undefined || s.length < 13 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

/** Records with an empty key get a generated one, unique within `papers` (explicit keys win). */
export function fillMissingKeys(papers: Paper[]): void {
  if (papers.every(p => p.key)) return;
  const taken = new Set<string>();
  for (const p of papers) if (p.key) taken.add(p.key);
  for (const p of papers) {
    if (p.key) continue;
    p.key = generateKey(p, taken);
    p.keyGenerated = true;
  }
}

/** The first four-digit number in a year or date value (`2017`, `2017-06-12`, `{2017}`). */
export function yearOf(value: string | number | undefined | null): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const m = value ? /(?<!\d)\d{4}(?!\d)/.exec(value) : null;
  return m ? Number(m[0]) : undefined;
}

/** A bare DOI: `https://doi.org/10.1/x` and `doi:10.1/x` become `10.1/x`. */
export function normalizeDoi(value: string | undefined | null): string | undefined {
  const doi = value?.trim().replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '');
  return doi || undefined;
}

/** An arXiv identifier, new (`2304.04591v2`) or old style (`cs/9603104`), `arXiv:` prefix allowed. */
export function arxivId(value: string | undefined | null): string | undefined {
  const m = value ? /^\s*(?:arxiv:)?((?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?)\s*$/i.exec(value) : null;
  return m ? m[1] : undefined;
}

/** Whitespace runs (newlines included) become one space; ends trimmed. For non-LaTeX sources. */
export function collapseSpace(value: string | undefined | null): string {
  return value ? value.replace(/\s+/g, ' ').trim() : '';
}

/**
 * A display name from the person objects of JSON formats: CSL (`given`, `family`, particles,
 * `literal`), Semantic Scholar (`first`, `middle[]`, `last`, `suffix`), `{name}`, or a string.
 */
export function personName(person: unknown): string {
  if (typeof person === 'string') return collapseSpace(person);
  if (!person || typeof person !== 'object') return '';
  const p = person as Record<string, unknown>;
  const literal = p.literal ?? p.name;
  if (typeof literal === 'string') return collapseSpace(literal);
  const parts = [p.given ?? p.first, p.middle, p['dropping-particle'], p['non-dropping-particle'], p.family ?? p.last, p.suffix];
  return collapseSpace(parts.flat().filter(x => typeof x === 'string').join(' '));
}

/** A string field of a JSON record (`undefined` when absent or of another type). */
export function stringField(record: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = record[name];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return undefined;
}

export function loadError(message: string, range: SourceRange, severity: LoadError['severity'] = 'error'): LoadError {
  return { message, range, severity };
}

/** The message of the warning for a key used again (`firstLine`: 1-based line of its first entry). */
export function duplicateKeyMessage(key: string, firstLine: number): string {
  return `Duplicate key "${key}" (first at line ${firstLine}): both entries are kept`;
}

/**
 * That warning for a paper found to repeat a key after parsing (another chunk or part of its file),
 * on the key: right after `@type{` at the paper's start, where the parser would have put it.
 */
export function duplicateKeyWarning(paper: Paper, firstLine: number): LoadError {
  const at = { line: paper.range.start.line, character: paper.range.start.character + paper.type.length + 2 };
  return loadError(duplicateKeyMessage(paper.key, firstLine), { start: at, end: { line: at.line, character: at.character + paper.key.length } }, 'warning');
}
