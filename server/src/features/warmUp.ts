/**
 * Warm-up requests. The first completions, hovers and related-paper queries a server answers take
 * several times longer than later ones while V8 compiles the ranking code (measured over LSP on
 * the 113k-paper library: the first 30 completions had a p99 of ~30 ms, the next 270 of ~7 ms).
 * After its first load the server answers a few made-up requests, built from papers of the index
 * itself, one per event-loop turn, so that the author's first requests do not pay for that.
 *
 * Each time the index is ready it also answers the one-letter citations (`\cite{a` … `\cite{z`):
 * the first completion request of almost every citation, and among the costliest to rank (a letter
 * expands to the most frequent words), which the index then keeps until it changes.
 */
import type { CorpusIndex } from '../index/corpusIndex';
import type { Pos } from './citeContext';

export interface WarmUpRequest {
  kind: 'completion' | 'hover' | 'related';
  languageId: 'latex' | 'markdown';
  text: string;
  position: Pos;
}

/** Words of a title that a user might type (letters only, longer than three). */
function words(title: string): string[] {
  return title.toLowerCase().split(/[^a-z]+/).filter(w => w.length > 3);
}

/** About `count` requests of each kind, from papers spread over the whole index. */
export function warmUpRequests(index: CorpusIndex, count = 32): WarmUpRequest[] {
  const out: WarmUpRequest[] = [];
  const at = (text: string): Pos => ({ line: 0, character: text.length });
  for (const [i, paper] of index.sample(count).entries()) {
    const w = words(paper.title);
    const typed = w.length >= 2 ? `${w[0]} ${w[1].slice(0, 3)}` : paper.key.slice(0, 3);
    const latex = `As shown in \\citep{${typed}`;
    out.push({ kind: 'completion', languageId: 'latex', text: latex, position: at(latex) });
    const md = i % 2 ? `As shown in [@${paper.key.slice(0, 4)}` : `See \\cite{${paper.key.slice(0, 2)}`;
    out.push({ kind: 'completion', languageId: i % 2 ? 'markdown' : 'latex', text: md, position: at(md) });
    const cited = `See \\cite{${paper.key}}.`;
    out.push({ kind: 'hover', languageId: 'latex', text: cited, position: { line: 0, character: 11 } });
    const passage = `${paper.title}. ${(paper.abstract ?? '').slice(0, 400)}`;
    out.push({ kind: 'related', languageId: 'latex', text: passage, position: at(passage) });
  }
  return out;
}

/** `\cite{a` … `\cite{z`: what the index keeps ranked for the first keystroke of a citation. */
export function letterRequests(): WarmUpRequest[] {
  return Array.from({ length: 26 }, (_, i) => {
    const text = `\\cite{${String.fromCharCode(97 + i)}`;
    return { kind: 'completion', languageId: 'latex', text, position: { line: 0, character: text.length } };
  });
}
