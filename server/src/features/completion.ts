/**
 * Citation completion: finds the citation being typed and ranks the corpus against what has been
 * typed so far (a key prefix, or free words such as `medusa decoding` or `vaswani 2017`).
 */
import type { CorpusIndex, ScoredPaper } from '../index/corpusIndex';
import { citeContextAt, type CiteContext, type Pos, type PosRange } from './citeContext';
import { citationWrapper, draftSentence, type DraftOptions } from './snippet';

/** A drafted-sentence item for one of the top papers: the snippet replaces the key, the wrapper's parts are deleted. */
export interface SnippetCompletion {
  /** Index of the paper in `results` (the item sorts right after that paper's key). */
  index: number;
  snippet: string;
  /** The citation's opening (`\cite{`, `[@`) and closing (`}`, `]`) around the key, removed by the item. */
  remove: PosRange[];
}

export interface CitationCompletion {
  context: CiteContext;
  results: ScoredPaper[];
  /** More papers match than were returned: the client must ask again as the user types. */
  incomplete: boolean;
  /** Drafted-sentence items for the top papers (only for a fresh one-key citation with something typed). */
  snippets: SnippetCompletion[];
}

export interface CompletionOptions {
  limit: number;
  extraCommands: readonly string[];
  /** Drafted-sentence items for this many top papers, in the document's syntax. */
  snippets?: { count: number; draft: DraftOptions };
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
  const snippets: SnippetCompletion[] = [];
  const wrapper = options.snippets && options.snippets.count > 0 && query !== '' ? citationWrapper(text, context) : undefined;
  if (wrapper && options.snippets) {
    const remove = wrapper.after ? [wrapper.before, wrapper.after] : [wrapper.before];
    results.slice(0, options.snippets.count).forEach((r, index) => {
      snippets.push({ index, snippet: draftSentence(r.paper, options.snippets!.draft, 'snippet'), remove });
    });
  }
  return { context, results, incomplete: true, snippets };
}
