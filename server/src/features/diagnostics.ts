/**
 * Problems with a document's citations and with its bibliography files, as domain data
 * (`lsp/toProto` makes diagnostics of them):
 * - a cited key that the document's bibliography does not define (when the document names a
 *   bibliography or has `\bibitem`s), or that no corpus file defines (when it names none);
 * - a bibliography the document names that does not exist;
 * - a key defined in two of the document's bibliography files (reported on the later file);
 * - entries that no workspace document cites (hints, only when the setting is on).
 * Pandoc cross-references (`@fig-x`, `@sec:y`) that no bibliography defines are not citations.
 */
import path from 'node:path';
import type { BibEntry, BibKeys } from './bibEntries';
import type { DocumentBibliography } from './bibliography';
import { looksLikeCrossRef } from './citations';
import type { CiteOccurrence, PosRange } from './citeContext';

export type CitationProblem =
  | { kind: 'undefinedKey'; key: string; range: PosRange; declared: boolean; bibliography: string[] }
  | { kind: 'missingBibliography'; name: string; range: PosRange };

export interface BibProblem {
  kind: 'duplicateKey' | 'unusedEntry';
  file: string;
  key: string;
  range: PosRange;
  /** For a duplicate: where the key is defined first. */
  other?: { file: string; range: PosRange };
  /** For a duplicate: the document whose bibliographies clash. */
  document?: string;
}

export interface CitationCheck {
  file: string;
  citations: readonly CiteOccurrence[];
  bibliography: DocumentBibliography;
  /** Keys of a bibliography file; undefined while it is not loaded (then no key is reported undefined). */
  bibOf(file: string): BibKeys | undefined;
  /** Whether any corpus file defines the key (for documents that name no bibliography); undefined while the corpus loads. */
  corpusHas(key: string): boolean | undefined;
}

export function citationProblems(c: CitationCheck): CitationProblem[] {
  const out: CitationProblem[] = [];
  for (const r of c.bibliography.resources) {
    if (!r.file && r.document === c.file) out.push({ kind: 'missingBibliography', name: r.name, range: r.range });
  }
  const bibs: BibKeys[] = [];
  for (const f of c.bibliography.files) {
    const b = c.bibOf(f);
    if (!b) return out; // still loading: say nothing rather than something wrong
    bibs.push(b);
  }
  const bibitems = new Set(c.bibliography.bibitems.map(b => b.key));
  const names = c.bibliography.files.map(f => path.basename(f));
  // A named bibliography that is missing makes every key "undefined": only that is reported.
  const incomplete = c.bibliography.resources.some(r => !r.file);
  for (const cite of c.citations) {
    const key = cite.key;
    let defined: boolean | undefined;
    if (c.bibliography.declared) {
      if (incomplete) continue;
      defined = bibitems.has(key) || bibs.some(b => b.has(key));
    } else {
      defined = c.corpusHas(key);
    }
    if (defined !== false) continue;
    if (cite.syntax === 'pandoc' && looksLikeCrossRef(key)) continue;
    out.push({ kind: 'undefinedKey', key, range: cite.range, declared: c.bibliography.declared, bibliography: names });
  }
  return out;
}

/** Keys defined in more than one of the bibliography's files: each later definition, pointing at the first. */
export function duplicateKeys(document: string, bibs: readonly BibKeys[]): BibProblem[] {
  const out: BibProblem[] = [];
  if (bibs.length < 2) return out;
  const firstFile = new Map<string, BibKeys>();
  for (const b of bibs) {
    for (const key of new Set(b.keys())) {
      const first = firstFile.get(key);
      if (!first) { firstFile.set(key, b); continue; }
      if (first === b) continue;
      const there = first.entries(key)[0];
      for (const e of b.entries(key)) {
        out.push({ kind: 'duplicateKey', file: b.file, key, range: keyOrEntry(e), other: there ? { file: first.file, range: keyOrEntry(there) } : undefined, document });
      }
    }
  }
  return out;
}

/** Entries of `bib` that no document cites (nothing when some document using it has `\nocite{*}`). */
export function unusedEntries(bib: { file: string; all: readonly BibEntry[] }, cited: ReadonlySet<string>): BibProblem[] {
  return bib.all.filter(e => !cited.has(e.key)).map(e => ({ kind: 'unusedEntry' as const, file: bib.file, key: e.key, range: keyOrEntry(e) }));
}

export function keyOrEntry(e: BibEntry): PosRange {
  return e.keyRange ?? { start: e.range.start, end: { line: e.range.start.line, character: e.range.start.character + 1 } };
}
