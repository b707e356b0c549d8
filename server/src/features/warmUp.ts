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
import type { Paper } from '../corpus/paper';
import { CorpusIndex } from '../index/corpusIndex';
import { SegmentBuilder, type Segment } from '../index/segment';
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

/**
 * The warm-up's own index of `papers` (the bundled sample corpus), in `parts` segments as a large
 * library is indexed in parts (ranking prunes later segments against earlier ones, and that code
 * is compiled too). Built `step` papers at a time with a `pause` (an event-loop turn) after each
 * step: requests that arrive meanwhile, such as status polls while a library loads, wait for one
 * step, not for the whole build, which took ~0.25 s beside two busy workers (the code is not
 * compiled yet) and held a status request up that long.
 */
export async function warmUpIndex(papers: readonly Paper[], source: string, pause: () => Promise<void>, parts = 4, step = 8): Promise<CorpusIndex> {
  const size = Math.ceil(papers.length / parts);
  const segments: Segment[] = [];
  for (let i = 0; i < parts; i++) {
    const builder = new SegmentBuilder(papers.slice(i * size, (i + 1) * size), source);
    while (!builder.done) {
      await pause();
      builder.step(step);
    }
    await pause();
    const segment = builder.finish();
    if (segment.size > 0) segments.push(segment);
  }
  const index = new CorpusIndex();
  index.setSource(source, segments);
  return index;
}
