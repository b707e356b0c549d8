/** Hover on a cited key: the paper(s) the key names in the corpus, or the fact that none does. */
import type { Paper } from '../corpus/paper';
import type { CorpusIndex } from '../index/corpusIndex';
import { citationAt, type CiteOccurrence, type Pos } from './citeContext';

export interface CitationHover {
  occurrence: CiteOccurrence;
  /** Papers with this key, highest-priority source first; empty when the key is unknown. */
  papers: readonly Paper[];
}

export function hoverCitation(
  text: string, pos: Pos, languageId: string, index: CorpusIndex, extraCommands: readonly string[],
): CitationHover | undefined {
  const occurrence = citationAt(text, pos, languageId, [...extraCommands]);
  if (!occurrence) return undefined;
  return { occurrence, papers: index.byKey(occurrence.key) };
}
