/**
 * Citation completion: finds the citation being typed and ranks the corpus against what has been
 * typed so far (a key prefix, or free words such as `medusa decoding` or `vaswani 2017`).
 */
import type { CorpusIndex, ScoredPaper } from '../index/corpusIndex';
import { citeContextAt, type CiteContext, type Pos } from './citeContext';

export interface CitationCompletion {
  context: CiteContext;
  results: ScoredPaper[];
  /** More papers match than were returned: the client must ask again as the user types. */
  incomplete: boolean;
}

export interface CompletionOptions {
  limit: number;
  extraCommands: readonly string[];
}

export function completeCitation(
  text: string, pos: Pos, languageId: string, index: CorpusIndex, options: CompletionOptions,
): CitationCompletion | undefined {
  const context = citeContextAt(text, pos, languageId, [...options.extraCommands]);
  if (!context) return undefined;
  const already = new Set(context.otherKeys);
  const query = context.prefix.trim();
  // Ask for a few more than the limit so keys already in this citation can be dropped.
  const want = options.limit + already.size;
  const ranked = query === ''
    ? index.first(want).map(paper => ({ paper, score: 0 }))
    : index.query(query, { mode: 'lookup', limit: want });
  const results = ranked.filter(r => !already.has(r.paper.key)).slice(0, options.limit);
  return { context, results, incomplete: true };
}
