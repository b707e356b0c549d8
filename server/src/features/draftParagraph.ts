/**
 * A related-work paragraph skeleton from a set of papers: the papers are grouped into themes by the
 * distinctive terms they share, each theme is ordered chronologically, and each theme becomes a
 * paragraph — a theme sentence naming the shared terms, then one drafted sentence per paper (the
 * citation snippet's template, as plain text) with its citation.
 *
 * Grouping (deterministic, no model): each paper is a vector of its title and abstract stems
 * (stopwords and numbers dropped; title words count twice), weighted tf·idf with the corpus idf
 * when the corpus has the stem (else the idf within the picked papers), cut to its
 * `TOP_TERMS` heaviest terms — its distinctive terms. Themes are built by greedy average-linkage
 * agglomeration on the cosine similarity of those vectors: the two most similar groups are merged
 * while their similarity is at least `MERGE_AT`. Papers left alone end in one last "other" theme.
 */
import type { Paper } from '../corpus/paper';
import { stem } from '../index/stem';
import { forEachToken } from '../index/tokenizer';
import { draftSentence, escapeFor, type DraftOptions } from './snippet';

export const TOP_TERMS = 20;
export const MERGE_AT = 0.1;
const TITLE_WEIGHT = 2;

/**
 * Words that say nothing about a theme (beyond the index's stopwords): function words and the
 * vocabulary every abstract uses ("we propose a novel method …"). Compared as Porter stems.
 */
const GENERIC = new Set([
  'from', 'via', 'which', 'we', 'our', 'us', 'its', 'also', 'both', 'each', 'across', 'between', 'however', 'while', 'than',
  'more', 'most', 'can', 'may', 'has', 'have', 'been', 'over', 'other', 'only', 'well', 'without', 'within', 'through', 'up',
  'paper', 'work', 'method', 'methods', 'approach', 'propose', 'present', 'introduce', 'result', 'show', 'demonstrate', 'novel',
  'new', 'based', 'using', 'use', 'study', 'problem', 'task', 'performance', 'achieve', 'improve', 'state', 'art', 'experiments',
  'outperform', 'effective', 'efficient', 'simple', 'large', 'high', 'low', 'first', 'two', 'one', 'several', 'different',
  'existing', 'prior', 'previous', 'recent', 'yield', 'yields', 'code', 'available',
].map(w => stem(w)));

export interface Theme {
  papers: Paper[];
  /** The theme's shared distinctive terms as words (the most frequent surface form of each stem), best first. */
  terms: string[];
  /** True for the last theme of papers that matched no other. */
  other: boolean;
}

interface Vector { weights: Map<string, number>; norm: number }

/** Stems of a text with their counts, and the surface words each stem came from. */
function stemsOf(text: string, into: Map<string, number>, weight: number, surface: Map<string, Map<string, number>>): void {
  forEachToken(text, t => {
    if (/^\d/.test(t) || t.length < 3) return;
    const s = stem(t);
    if (GENERIC.has(s)) return;
    into.set(s, (into.get(s) ?? 0) + weight);
    const forms = surface.get(s) ?? new Map<string, number>();
    forms.set(t, (forms.get(t) ?? 0) + 1);
    surface.set(s, forms);
  });
}

interface PaperVectors {
  unique: Paper[];
  vectors: Vector[];
  /** Cosine similarity of each pair of papers' distinctive-term vectors. */
  pair: number[][];
  surface: Map<string, Map<string, number>>;
}

/** Each paper's distinctive-term vector (tf·idf, its `TOP_TERMS` heaviest stems) and the pairwise cosine similarities. */
export function paperVectors(papers: readonly Paper[], idf: (stem: string) => number = () => 0): PaperVectors {
  const unique = papers.filter((p, i) => papers.findIndex(q => q.key === p.key) === i);
  const surface = new Map<string, Map<string, number>>();
  const counts = unique.map(p => {
    const m = new Map<string, number>();
    stemsOf(p.title, m, TITLE_WEIGHT, surface);
    stemsOf(p.abstract ?? '', m, 1, surface);
    stemsOf(p.keywords ?? '', m, 1, surface);
    return m;
  });
  const df = new Map<string, number>();
  for (const m of counts) for (const s of m.keys()) df.set(s, (df.get(s) ?? 0) + 1);
  const n = unique.length;
  const idfOf = (s: string) => {
    const corpus = idf(s);
    return corpus > 0 ? corpus : Math.log(1 + (n + 1) / ((df.get(s) ?? 0) + 0.5));
  };
  const vectors: Vector[] = counts.map(m => {
    const weighted = [...m].map(([s, c]) => [s, (1 + Math.log(c)) * idfOf(s)] as [string, number])
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_TERMS);
    const weights = new Map(weighted);
    return { weights, norm: Math.sqrt(weighted.reduce((x, [, w]) => x + w * w, 0)) || 1 };
  });
  const sim = (a: Vector, b: Vector) => {
    let dot = 0;
    for (const [s, w] of a.weights) { const v = b.weights.get(s); if (v) dot += w * v; }
    return dot / (a.norm * b.norm);
  };
  return { unique, vectors, pair: vectors.map(a => vectors.map(b => sim(a, b))), surface };
}

/**
 * Groups papers into themes. `idf` gives the corpus idf of a stem (0 when unknown: the local idf
 * over `papers` is used then). Themes come largest first (ties: earliest paper first); papers in a
 * theme are chronological (papers without a year last, then by key).
 */
export function groupThemes(papers: readonly Paper[], idf: (stem: string) => number = () => 0): Theme[] {
  const { unique, vectors, pair, surface } = paperVectors(papers, idf);
  if (unique.length === 0) return [];

  // Greedy average-linkage agglomeration.
  let groups: number[][] = unique.map((_, i) => [i]);
  for (;;) {
    let best = -1, bi = -1, bj = -1;
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        let total = 0;
        for (const a of groups[i]) for (const b of groups[j]) total += pair[a][b];
        const avg = total / (groups[i].length * groups[j].length);
        if (avg > best) { best = avg; bi = i; bj = j; }
      }
    }
    if (bi < 0 || best < MERGE_AT) break;
    groups[bi] = [...groups[bi], ...groups[bj]];
    groups = groups.filter((_, k) => k !== bj);
  }

  const chronological = (a: number, b: number) => {
    const ya = unique[a].year ?? Infinity, yb = unique[b].year ?? Infinity;
    return ya - yb || (unique[a].key < unique[b].key ? -1 : unique[a].key > unique[b].key ? 1 : 0);
  };
  const wordOf = (s: string) => [...(surface.get(s) ?? new Map([[s, 1]]))].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  const termsOf = (members: number[]): string[] => {
    const score = new Map<string, { w: number; n: number }>();
    for (const i of members) for (const [s, w] of vectors[i].weights) {
      const e = score.get(s) ?? { w: 0, n: 0 };
      e.w += w; e.n += 1;
      score.set(s, e);
    }
    const shared = [...score].filter(([, e]) => members.length === 1 || e.n >= 2);
    return shared.sort((a, b) => b[1].n - a[1].n || b[1].w - a[1].w || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([s]) => wordOf(s));
  };

  const themes: Theme[] = [];
  const alone: number[] = [];
  for (const g of groups) {
    if (g.length === 1 && groups.length > 1) { alone.push(g[0]); continue; }
    const members = [...g].sort(chronological);
    themes.push({ papers: members.map(i => unique[i]), terms: termsOf(members), other: false });
  }
  themes.sort((a, b) => b.papers.length - a.papers.length || chronologicalPapers(a.papers[0], b.papers[0]));
  if (alone.length) {
    const members = alone.sort(chronological);
    themes.push({ papers: members.map(i => unique[i]), terms: termsOf(members), other: themes.length > 0 });
  }
  return themes;
}

function chronologicalPapers(a: Paper, b: Paper): number {
  return (a.year ?? Infinity) - (b.year ?? Infinity) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** "a", "a and b", "a, b and c" */
function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The sentence that opens a theme's paragraph. */
export function themeSentence(theme: Theme, syntax: DraftOptions['syntax']): string {
  const terms = escapeFor(syntax, listWords(theme.terms));
  if (theme.other) return terms ? `Other work addresses ${terms}.` : 'Other related work includes the following.';
  if (!terms) return theme.papers.length > 1 ? 'Several works are related to ours.' : 'A related work is the following.';
  return theme.papers.length > 1 ? `Several works address ${terms}.` : `One line of work addresses ${terms}.`;
}

export interface ParagraphDraft {
  text: string;
  themes: Theme[];
}

/** The skeleton: one paragraph per theme (theme sentence, then a drafted sentence per paper), separated by blank lines. */
export function draftParagraph(papers: readonly Paper[], o: DraftOptions, idf?: (stem: string) => number): ParagraphDraft {
  const themes = groupThemes(papers, idf);
  const paragraphs = themes.map(t => [themeSentence(t, o.syntax), ...t.papers.map(p => draftSentence(p, o, 'plain'))].join('\n'));
  return { text: paragraphs.join('\n\n'), themes };
}
