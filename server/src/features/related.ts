/**
 * Related papers for a passage of the author's text (`relatedWork/related`, the side panel).
 *
 * The passage is cleaned of LaTeX/Markdown markup here (`cleanQueryText`), then ranked against the
 * corpus. Signals from the author's own document (its title, the keys it already cites) may be
 * passed in `context`.
 */
import type { Paper } from '../corpus/paper';
import type { CorpusIndex } from '../index/corpusIndex';
import { forEachToken } from '../index/tokenizer';

export interface RelatedQuery {
  /** The passage, LaTeX or Markdown; markup is stripped by `cleanQueryText`. */
  text: string;
  limit: number;
  context?: {
    /** Title of the author's document (`\title{…}`, front-matter `title:`). */
    documentTitle?: string;
    /** Citation keys the document already cites. */
    citedKeys?: readonly string[];
  };
}

export interface RelatedHit {
  paper: Paper;
  score: number;
  /** Index terms of the query that this paper matched, most important first ("why related"). */
  matchedTerms: string[];
}

export function relatedPapers(index: CorpusIndex, query: RelatedQuery): RelatedHit[] {
  const text = cleanQueryText(query.text);
  const terms = new Set<string>();
  forEachToken(text, t => terms.add(t));
  return index.query(text, { mode: 'related', limit: query.limit }).map(({ paper, score }) => {
    const inPaper = new Set<string>();
    for (const f of [paper.title, paper.abstract, paper.keywords]) if (f) forEachToken(f, t => { if (terms.has(t)) inPaper.add(t); });
    return { paper, score, matchedTerms: [...inPaper] };
  });
}

/**
 * Character ranges `[start, end)` of the words of `text` that normalise to one of `terms` (as the
 * index normalises them), for highlighting matched words in a title or abstract.
 */
export function termRanges(text: string, terms: ReadonlySet<string>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = /[\p{L}\p{N}]+/gu;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let hit = false;
    forEachToken(m[0], t => { if (terms.has(t)) hit = true; }, true);
    if (hit) out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

/**
 * Prose of a LaTeX or Markdown passage: comments, math, citation commands with their keys,
 * Pandoc citations, other commands' names and markup characters removed; the words kept.
 */
export function cleanQueryText(text: string): string {
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
