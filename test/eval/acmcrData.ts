/**
 * The ACM-CR citation-recommendation benchmark (../shared/corpora/acm-cr): topics (a citing
 * sentence, and the citing paper's title), relevance judgements, the blacklist of citing papers,
 * and trec_eval-compatible Recall@k and nDCG@k. Shared by the LSP evaluation (`acmcr.ts`) and the
 * in-process harness used to compare variants (`tune.ts`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { corporaDir } from '../util/paths';

export const acmcrDir = path.join(corporaDir, 'acm-cr');
export const collectionPath = path.join(acmcrDir, 'collection.bib.gz');

export interface Topic {
  id: string;
  /** Title of the citing paper (`<title>`): context the author's own document gives. */
  title: string;
  /** The citing sentence (`<desc>`): the query. */
  text: string;
}

/** Topics of `sentences.topics`, in file order. */
export function loadTopics(file = path.join(acmcrDir, 'sentences.topics')): Topic[] {
  const raw = fs.readFileSync(file, 'utf8');
  const out: Topic[] = [];
  for (const block of raw.split('<top>').slice(1)) {
    const id = /<num>\s*Number:\s*(\S+)/.exec(block)?.[1];
    const title = /<title>\s*([^\n]*)/.exec(block)?.[1]?.trim() ?? '';
    const desc = /<desc>\s*Description:\s*\n([\s\S]*?)\n\s*<narr>/.exec(block)?.[1]?.trim() ?? '';
    if (id) out.push({ id, title, text: desc });
  }
  return out;
}

/** topic → (doc → relevance grade); grades ≤ 0 are not relevant (trec_eval). DOIs lower-cased. */
export function loadQrels(file = path.join(acmcrDir, 'sentences.qrels')): Map<string, Map<string, number>> {
  const q = new Map<string, Map<string, number>>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const [topic, , doc, rel] = f;
    let m = q.get(topic);
    if (!m) q.set(topic, (m = new Map()));
    m.set(doc.toLowerCase(), Number(rel));
  }
  return q;
}

export function loadBlacklist(file = path.join(acmcrDir, 'blacklist.txt')): Set<string> {
  return new Set(fs.readFileSync(file, 'utf8').split('\n').map(s => s.trim().toLowerCase()).filter(Boolean));
}

/**
 * A ranked run for one topic, as DOIs: blacklisted DOIs dropped, repeated DOIs (the collection
 * lists 290 keys twice) kept at their first rank, cut to `k`.
 */
export function cleanRun(dois: readonly string[], blacklist: ReadonlySet<string>, k: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of dois) {
    const d = raw.toLowerCase();
    if (blacklist.has(d) || seen.has(d)) continue;
    seen.add(d);
    out.push(d);
    if (out.length === k) break;
  }
  return out;
}

/** trec_eval `recall_k`: relevant retrieved in the top k / relevant judged. */
export function recallAt(run: readonly string[], rels: ReadonlyMap<string, number>, k: number): number {
  let relevant = 0;
  for (const r of rels.values()) if (r > 0) relevant++;
  if (relevant === 0) return 0;
  let hit = 0;
  for (const d of run.slice(0, k)) if ((rels.get(d) ?? 0) > 0) hit++;
  return hit / relevant;
}

/** trec_eval `ndcg_cut_k`: gain = grade, discount log2(rank + 1), ideal from the judged grades. */
export function ndcgAt(run: readonly string[], rels: ReadonlyMap<string, number>, k: number): number {
  let dcg = 0;
  run.slice(0, k).forEach((d, i) => { const g = rels.get(d) ?? 0; if (g > 0) dcg += g / Math.log2(i + 2); });
  const ideal = [...rels.values()].filter(g => g > 0).sort((a, b) => b - a).slice(0, k);
  let idcg = 0;
  ideal.forEach((g, i) => { idcg += g / Math.log2(i + 2); });
  return idcg > 0 ? dcg / idcg : 0;
}

/** Mean Recall@k and nDCG@k over every judged topic (a topic without a run scores 0, as `trec_eval -c`). */
export function evaluate(runs: ReadonlyMap<string, string[]>, qrels: ReadonlyMap<string, ReadonlyMap<string, number>>, k = 10): { recall: number; ndcg: number; topics: number } {
  let recall = 0, ndcg = 0, n = 0;
  for (const [topic, rels] of qrels) {
    const run = runs.get(topic) ?? [];
    recall += recallAt(run, rels, k);
    ndcg += ndcgAt(run, rels, k);
    n++;
  }
  return { recall: recall / n, ndcg: ndcg / n, topics: n };
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  // Nearest rank.
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

/** Published and measured reference points on this benchmark (issue 3). */
export const ANCHORS = [
  { name: 'BM25 (Lucene; title + abstract + keywords), published', recall: 0.3903, ndcg: 0.3156 },
  { name: 'BM25 + SciBERT reranking, published', recall: 0.4030, ndcg: 0.3231 },
  { name: 'minisearch default (title, abstract, keywords), measured', recall: 0.3549, ndcg: 0.2860 },
];
