/**
 * Quick fixes for an undefined citation key:
 * - replace it with the closest keys of the document's bibliography (edit distance);
 * - when what was typed looks like a title or words (`\cite{attention is all you need}`), replace
 *   it with the keys of the papers those words find (in the bibliography first, then the corpus);
 * - when the corpus has the paper but the bibliography does not: add the entry at the end of the
 *   document's (first) bibliography file — as written when it comes from a `.bib`, generated else;
 *   a CSL-JSON item when that file is CSL-JSON (`bibliographyAppend.ts`).
 * Every fix is a list of file edits (one WorkspaceEdit for the client).
 */
import path from 'node:path';
import type { Paper } from '../corpus/paper';
import type { CorpusIndex } from '../index/corpusIndex';
import { segmentKeyList, type BibKeys } from './bibEntries';
import type { DocumentBibliography } from './bibliography';
import { appendEntries, type FileEdit } from './bibliographyAppend';
import type { PosRange } from './citeContext';

export type { FileEdit };

export interface Fix {
  title: string;
  /** Edits of the document itself. */
  edits: FileEdit[];
  /**
   * Papers whose entries the fix appends to the bibliography. The append is not part of `edits`:
   * it is computed again and checked against the file when the fix is applied (the client's
   * guarded append), so a bibliography that changed meanwhile is never written over.
   */
  append?: { file: string; papers: Array<{ key: string; source: string }> };
  preferred?: boolean;
}

export interface FixContext {
  /** The document with the undefined key (a path, or the URI of an unsaved document). */
  file: string;
  key: string;
  range: PosRange;
  bibliography: DocumentBibliography;
  bibOf(file: string): BibKeys | undefined;
  index: CorpusIndex;
  /** Text of a file (to append to a bibliography file, and to copy an entry as written); undefined when unavailable. */
  textOf(file: string): string | undefined;
}

const MAX_KEY_FIXES = 3;
const MAX_TITLE_FIXES = 3;

export function undefinedKeyFixes(c: FixContext): Fix[] {
  const fixes: Fix[] = [];
  const replace = (key: string) => [{ file: c.file, range: c.range, newText: key }];
  const bibs = c.bibliography.files.map(f => c.bibOf(f)).filter((b): b is BibKeys => !!b);
  const inBibliography = (key: string) => c.bibliography.declared
    ? bibs.some(b => b.has(key)) || c.bibliography.bibitems.some(b => b.key === key)
    : c.index.byKey(key).length > 0;
  const offered = new Set<string>([c.key]);

  // 1. The closest keys by edit distance (of the bibliography, or of the corpus when none is named).
  const pool = c.bibliography.declared
    ? [...bibs.flatMap(b => b.keys()), ...c.bibliography.bibitems.map(b => b.key)]
    : c.index.sources.flatMap(s => c.index.segmentsOf(s).flatMap(segmentKeyList));
  for (const key of closestKeys(c.key, pool, MAX_KEY_FIXES)) {
    offered.add(key);
    fixes.push({ title: `Replace with '${key}'`, edits: replace(key), preferred: fixes.length === 0 });
  }

  // 2. What was typed, as words (a title, authors): the papers it finds.
  if (looksLikeWords(c.key)) {
    const found = c.index.query(c.key, { mode: 'lookup', limit: 20 }).map(r => r.paper);
    const mine = found.filter(p => inBibliography(p.key));
    const others = found.filter(p => !inBibliography(p.key));
    for (const p of mine.filter(p => !offered.has(p.key)).slice(0, MAX_TITLE_FIXES)) {
      offered.add(p.key);
      fixes.push({ title: `Replace with '${p.key}' (${shortTitle(p)})`, edits: replace(p.key), preferred: fixes.length === 0 });
    }
    const target = c.bibliography.files[0];
    if (target) {
      for (const p of others.filter(p => !offered.has(p.key)).slice(0, MAX_TITLE_FIXES)) {
        const append = appendEntry(c, target, p);
        if (!append) continue;
        offered.add(p.key);
        fixes.push({ title: `Cite '${p.key}' (${shortTitle(p)}) and add it to ${path.basename(target)}`, edits: replace(p.key), append: appendOf(target, p) });
      }
    }
  }

  // 3. The key is in the corpus but not in the bibliography: add the entry there.
  const target = c.bibliography.files[0];
  if (c.bibliography.declared && target) {
    const paper = c.index.paperWithKey(c.key);
    if (paper && paper.source !== target) {
      const append = appendEntry(c, target, paper);
      if (append) fixes.unshift({ title: `Add '${c.key}' to ${path.basename(target)} (from ${path.basename(paper.source)})`, edits: [], append: appendOf(target, paper), preferred: true });
      if (append) for (const f of fixes.slice(1)) f.preferred = false;
    }
  }
  return fixes;
}

function appendOf(file: string, p: Paper): NonNullable<Fix['append']> {
  return { file, papers: [{ key: p.key, source: p.source }] };
}

/** An edit appending the paper's entry at the end of `target` (BibTeX or CSL-JSON); none when `target` has the key already. */
function appendEntry(c: FixContext, target: string, paper: Paper): FileEdit | undefined {
  return appendEntries(c, target, [paper]).edit;
}

function shortTitle(p: Paper): string {
  const t = p.title || p.key;
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}

/** Typed words rather than a key: spaces, or only letters and spaces with no digits or key punctuation. */
export function looksLikeWords(key: string): boolean {
  return /\s/.test(key.trim()) || (/^[\p{L}]+$/u.test(key) && key.length >= 4);
}

/** The `limit` keys closest to `typed` (case-insensitive edit distance), within a distance that scales with its length. */
export function closestKeys(typed: string, pool: readonly string[], limit: number): string[] {
  const t = typed.toLowerCase();
  const max = Math.max(2, Math.floor(t.length / 3));
  const best: Array<{ key: string; d: number }> = [];
  const seen = new Set<string>();
  for (const key of pool) {
    if (key === typed || seen.has(key) || Math.abs(key.length - t.length) > max) continue;
    seen.add(key);
    const d = editDistance(t, key.toLowerCase(), max);
    if (d > max) continue;
    best.push({ key, d });
  }
  return best.sort((a, b) => a.d - b.d || a.key.localeCompare(b.key)).slice(0, limit).map(b => b.key);
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment); stops above `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  const n = a.length, m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}
