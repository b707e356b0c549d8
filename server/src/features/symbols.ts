/**
 * Symbols: the entries of a `.bib` (document symbols: the key, with the title as detail), and
 * papers of the whole corpus for the workspace symbol search (ranked over title, authors, key…).
 */
import type { CorpusIndex, ScoredPaper } from '../index/corpusIndex';
import type { ParsedBib } from './bibEntries';
import type { PosRange } from './citeContext';

export interface BibSymbol { key: string; type: string; title: string; range: PosRange; selection: PosRange }

export function bibSymbols(bib: ParsedBib): BibSymbol[] {
  return bib.all.map(e => ({
    key: e.key, type: e.paper?.type ?? 'misc', title: e.paper?.title ?? '', range: e.range, selection: e.keyRange ?? { start: e.range.start, end: e.range.start },
  }));
}

export const WORKSPACE_SYMBOL_LIMIT = 100;

export function paperSymbols(index: CorpusIndex, query: string): ScoredPaper[] {
  const q = query.trim();
  if (!q) return [];
  return index.query(q, { mode: 'lookup', limit: WORKSPACE_SYMBOL_LIMIT });
}
