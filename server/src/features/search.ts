/** Corpus search for the command palette (`relatedWork/search`). */
import type { CorpusIndex, ScoredPaper } from '../index/corpusIndex';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 200;

export function clampLimit(limit: number | undefined): number {
  return typeof limit === 'number' && limit >= 1 ? Math.min(Math.floor(limit), MAX_LIMIT) : DEFAULT_LIMIT;
}

export function searchPapers(index: CorpusIndex, query: string, limit?: number): ScoredPaper[] {
  return index.query(query, { mode: 'lookup', limit: clampLimit(limit) });
}
