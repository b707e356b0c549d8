/**
 * Related papers for a passage of the author's text (`relatedWork/related`, the side panel).
 *
 * The passage is cleaned of LaTeX/Markdown markup here (`cleanQueryText`), tokenized like the
 * index (stopwords dropped, numbers dropped), Porter-stemmed, and ranked with BM25 over the
 * papers' title, abstract and keywords (`CorpusIndex.relatedQuery`). Signals from the author's
 * own document may be passed in `context`: its title adds its words to the query at a lower
 * weight. Choices and measurements: docs/retrieval.md.
 */
import type { Paper } from '../corpus/paper';
import type { CorpusIndex } from '../index/corpusIndex';
import { stem } from '../index/stem';
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
  /**
   * Index terms (Porter stems, as `termRanges` expects) of the passage that this paper matched,
   * most important first ("why related").
   */
  matchedTerms: string[];
}

/** Weight of each word of the document's title relative to a word of the passage. */
export const DOCUMENT_TITLE_WEIGHT = 0.5;

/** Stems of the words of `text` (markup already removed) with their counts; numbers skipped. */
export function queryStems(text: string): Map<string, number> {
  const out = new Map<string, number>();
  forEachToken(text, t => {
    if (isNumber(t)) return;
    const s = stem(t);
    out.set(s, (out.get(s) ?? 0) + 1);
  });
  return out;
}

export function relatedPapers(index: CorpusIndex, query: RelatedQuery): RelatedHit[] {
  const passage = queryStems(cleanQueryText(query.text));
  const weights = new Map(passage);
  const title = query.context?.documentTitle;
  if (title) {
    for (const [s, n] of queryStems(cleanQueryText(title))) weights.set(s, (weights.get(s) ?? 0) + n * DOCUMENT_TITLE_WEIGHT);
  }
  const limit = Math.max(0, query.limit);
  // A few extra candidates, for records that are the same paper listed twice (same DOI).
  const ranked = index.relatedQuery(weights, limit + Math.min(10, limit));
  const importance = new Map<string, number>();
  for (const [s, n] of passage) importance.set(s, n * index.relatedIdf(s));
  const seenDois = new Set<string>();
  const hits: RelatedHit[] = [];
  for (const { paper, score, matched } of ranked) {
    if (hits.length >= limit) break;
    const doi = paper.doi?.toLowerCase();
    if (doi) {
      if (seenDois.has(doi)) continue;
      seenDois.add(doi);
    }
    // Passage terms only (the document title is context, not what the author asked about).
    const matchedTerms = matched.filter(s => passage.has(s)).sort((a, b) => (importance.get(b) ?? 0) - (importance.get(a) ?? 0));
    hits.push({ paper, score, matchedTerms });
  }
  return hits;
}

/**
 * Character ranges `[start, end)` of the words of `text` that normalise to one of `terms` (as the
 * related index normalises them: lower case, diacritics folded, Porter stem), for highlighting
 * matched words in a title or abstract.
 */
export function termRanges(text: string, terms: ReadonlySet<string>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (terms.size === 0) return out;
  // Porter stemming keeps a word's first two letters (or the whole stem, when shorter): an ASCII
  // word whose start matches no term's cannot match, and is skipped without being stemmed.
  const heads = new Set<string>();
  for (const t of terms) {
    heads.add(t.slice(0, 2));
    if (t[1] === 'i') heads.add(`${t[0]}y`); // "ayed" → "ai"
  }
  const re = /[\p{L}\p{N}]+/gu;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const word = m[0];
    if (/^[A-Za-z]+$/.test(word) && !heads.has(word.slice(0, 2).toLowerCase()) && !heads.has(word[0].toLowerCase())) continue;
    let hit = false;
    forEachToken(word, t => { if (!hit && terms.has(stem(t))) hit = true; }, true);
    if (hit) out.push([m.index, m.index + word.length]);
  }
  return out;
}

/**
 * For each stem, the first word of `texts` (lower-cased) that stems to it, or the stem itself when
 * none does (it matched in a field not shown): what "why related" shows a person.
 */
export function matchedWords(
  texts: readonly (string | undefined)[], stems: readonly string[],
  /** `termRanges(texts[i], stems)` where the caller has it already (highlights). */
  ranges: readonly (Array<[number, number]> | undefined)[] = [],
): string[] {
  const want = new Set(stems);
  const found = new Map<string, string>();
  for (const [i, text] of texts.entries()) {
    if (!text || found.size === want.size) continue;
    for (const [s, e] of ranges[i] ?? termRanges(text, want)) {
      const word = text.slice(s, e).toLowerCase();
      forEachToken(word, t => { const st = stem(t); if (want.has(st) && !found.has(st)) found.set(st, word); }, true);
    }
  }
  return stems.map(s => found.get(s) ?? s);
}

function isNumber(token: string): boolean {
  const c = token.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/**
 * Prose of a LaTeX or Markdown passage: comments, math, citation commands with their keys,
 * Pandoc citations, numeric citation markers (`[12]`, `[3, 14–16]`, pasted from a PDF), other
 * commands' names and markup characters removed; the words kept.
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
    .replace(/\[\s*\d+(?:\s*[-–,;]\s*\d+)*\s*\]/g, ' ')          // [12], [3, 14–16]
    .replace(/(^|[^\w@])@[\w:.#$%&\-+?<>~/]+/g, '$1 ')           // @key in text
    .replace(/\\[a-zA-Z@]+\*?/g, ' ')                             // other command names (arguments kept)
    .replace(/`[^`\n]*`/g, ' ')                                   // inline code
    .replace(/[{}\\[\]#*_~^&]/g, ' ');
}
