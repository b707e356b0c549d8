/**
 * Corpus search for the command palette (`relatedWork/search`) and related papers for a passage
 * of text (`relatedWork/related`). The passage is cleaned of LaTeX/Markdown markup first.
 */
import type { CorpusIndex, ScoredPaper } from '../index/corpusIndex';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 200;

export function clampLimit(limit: number | undefined): number {
  return typeof limit === 'number' && limit >= 1 ? Math.min(Math.floor(limit), MAX_LIMIT) : DEFAULT_LIMIT;
}

export function searchPapers(index: CorpusIndex, query: string, limit?: number): ScoredPaper[] {
  return index.query(query, { mode: 'lookup', limit: clampLimit(limit) });
}

export function relatedPapers(index: CorpusIndex, text: string, limit?: number): ScoredPaper[] {
  return index.query(stripMarkup(text), { mode: 'related', limit: clampLimit(limit) });
}

/**
 * Prose of a LaTeX or Markdown passage: comments, math, citation commands with their keys,
 * Pandoc citations, other commands' names and markup characters removed; the words kept.
 */
export function stripMarkup(text: string): string {
  return text
    .replace(/(^|[^\\])%[^\n]*/g, '$1 ')                       // LaTeX comments
    .replace(/<!--[\s\S]*?-->/g, ' ')                           // HTML comments
    .replace(/\$\$[\s\S]*?\$\$|\\\[[\s\S]*?\\\]|\\\([\s\S]*?\\\)/g, ' ') // display math
    .replace(/\$[^$\n]{0,400}\$/g, ' ')                          // inline math
    .replace(/\\[a-zA-Z]*cite[a-zA-Z]*\*?(\s*\[[^\]]{0,200}\])*(\s*\{[^}]{0,2000}\})+/g, ' ') // \cite..{keys}
    .replace(/\\(?:ref|eqref|label|cref|Cref|autoref|url|href|includegraphics|input|include)\*?(\s*\[[^\]]{0,200}\])?\s*\{[^}]{0,500}\}/g, ' ')
    .replace(/\[[^\]\n]{0,300}@[^\]\n]{0,300}\]/g, ' ')           // [@key; @other]
    .replace(/(^|[^\w@])@[\w:.#$%&\-+?<>~/]+/g, '$1 ')           // @key in text
    .replace(/\\[a-zA-Z@]+\*?/g, ' ')                             // other command names (arguments kept)
    .replace(/`[^`\n]*`/g, ' ')                                   // inline code
    .replace(/[{}\\[\]#*_~^&]/g, ' ');
}
