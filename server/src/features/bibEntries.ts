/**
 * The entries of a bibliography file with the exact range of each key, from either side:
 * the text of a `.bib` (an open buffer, parsed here with the corpus's BibTeX parser), or an indexed
 * segment (any corpus format; key ranges found in the file text when it is at hand).
 */
import { parseBibtex } from '../corpus/bibtex';
import type { LoadError, Paper } from '../corpus/paper';
import type { Segment } from '../index/segment';
import type { PosRange } from './citeContext';

export interface BibEntry {
  key: string;
  /** The whole entry. */
  range: PosRange;
  /** The key itself, when known (a `.bib` whose text is at hand). */
  keyRange?: PosRange;
  paper?: Paper;
}

/** What features need of one bibliography file. */
export interface BibKeys {
  readonly file: string;
  has(key: string): boolean;
  keys(): readonly string[];
  /** The entries with exactly this key (more than one when the file repeats it). */
  entries(key: string): BibEntry[];
}

export interface ParsedBib extends BibKeys {
  all: BibEntry[];
  errors: LoadError[];
}

/** A `.bib` text parsed: every entry with its key range, and the parser's errors. */
export function parseBibKeys(text: string, file: string): ParsedBib {
  const { papers, errors } = parseBibtex(text, file);
  const lines = lineOffsets(text);
  const all: BibEntry[] = [];
  const byKey = new Map<string, BibEntry[]>();
  for (const p of papers) {
    if (p.keyGenerated) continue;
    const entry: BibEntry = { key: p.key, range: p.range, paper: p };
    const keyRange = keyRangeWith(text, lines, p);
    if (keyRange) entry.keyRange = keyRange;
    all.push(entry);
    const list = byKey.get(p.key);
    if (list) list.push(entry); else byKey.set(p.key, [entry]);
  }
  const keys = [...byKey.keys()];
  return {
    file, all, errors,
    has: k => byKey.has(k),
    keys: () => keys,
    entries: k => byKey.get(k) ?? [],
  };
}

const keyCache = new WeakMap<Segment, string[]>();

/** Every key of an indexed file (computed once per segment). */
export function segmentKeyList(segment: Segment): string[] {
  let keys = keyCache.get(segment);
  if (!keys) {
    keys = [];
    for (let d = 0; d < segment.size; d++) keys.push(segment.papers.key(d));
    keyCache.set(segment, keys);
  }
  return keys;
}

/** An indexed file's keys (its segments); `textOf` gives its text for exact key ranges (undefined: too large or unreadable). */
export function segmentKeys(file: string, segments: readonly Segment[], textOf: () => string | undefined): BibKeys {
  let text: string | undefined | null = null;
  let lines: number[] | undefined;
  return {
    file,
    has: k => segments.some(s => s.docsWithKey(k).length > 0),
    keys: () => segments.length === 1 ? segmentKeyList(segments[0]) : segments.flatMap(segmentKeyList),
    entries: k => segments.flatMap(segment => segment.docsWithKey(k).map(d => {
      const paper = segment.paper(d);
      const entry: BibEntry = { key: k, range: paper.range, paper };
      if (paper.keyGenerated) return entry;
      if (text === null) text = textOf();
      if (text !== undefined) {
        lines ??= lineOffsets(text);
        const kr = keyRangeWith(text, lines, paper);
        if (kr) entry.keyRange = kr;
      }
      return entry;
    })),
  };
}

function lineOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The key's range in a BibTeX entry (`@type{key,` at the paper's range start), if the text has it there. */
function keyRangeWith(text: string, lines: number[], paper: Paper): PosRange | undefined {
  const { line, character } = paper.range.start;
  if (line >= lines.length) return undefined;
  const start = lines[line] + character;
  const m = /^@[ \t]*[A-Za-z]+\s*[{(]\s*/.exec(text.slice(start, start + 200 + paper.key.length));
  if (!m) return undefined;
  const keyStart = start + m[0].length;
  if (!text.startsWith(paper.key, keyStart)) return undefined;
  const pos = (o: number) => {
    let lo = 0, hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (lines[mid] <= o) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: o - lines[lo] };
  };
  return { start: pos(keyStart), end: pos(keyStart + paper.key.length) };
}

/** The entry whose key range holds `pos`. */
export function entryAt(bib: ParsedBib, pos: { line: number; character: number }): BibEntry | undefined {
  const within = (r: PosRange) => (r.start.line < pos.line || (r.start.line === pos.line && r.start.character <= pos.character))
    && (r.end.line > pos.line || (r.end.line === pos.line && r.end.character >= pos.character));
  return bib.all.find(e => e.keyRange && within(e.keyRange));
}
