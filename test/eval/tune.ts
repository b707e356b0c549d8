/**
 * In-process harness for comparing retrieval variants on ACM-CR quickly (no LSP, one parse and one
 * build per field layout). The numbers that count come from `npm run eval:acmcr`; this only ranks
 * ideas. Every variant applies the same settings to every topic.
 *   node esbuild.mjs --tests && node --max-old-space-size=8000 out/test/eval/tune.js GROUP
 * GROUP: stem | k1b | bm25f | rm3 | bigram | title | round2 | prune (variants of the harness's own
 * scorer), product | product-title (the shipped code path), profile [limit] (time per stage).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import type { Paper } from '../../server/src/corpus/paper';
import { cleanQueryText } from '../../server/src/features/related';
import { tokenize } from '../../server/src/index/tokenizer';
import { stemmer } from 'stemmer';
// Porter2 for comparison only: `npm install --no-save wink-porter2-stemmer` to run that variant.
const porter2 = (w: string): string => {
  try { return (require('wink-porter2-stemmer') as (w: string) => string)(w); } catch { throw new Error('npm install --no-save wink-porter2-stemmer for the porter2 variant'); }
};
import { cleanRun, collectionPath, evaluate, loadBlacklist, loadQrels, loadTopics } from './acmcrData';

type Stem = 'none' | 'porter' | 'porter2';
const FIELDS = ['title', 'abstract', 'keywords', 'authors', 'venue'] as const;
type Field = typeof FIELDS[number];
const NF = FIELDS.length;

const t0 = Date.now();
const papers: Paper[] = parseBibtex(zlib.gunzipSync(fs.readFileSync(collectionPath)).toString('utf8'), '/acm.bib').papers;
console.log(`parsed ${papers.length} in ${Date.now() - t0} ms`);
const N = papers.length;
const topics = loadTopics();
const qrels = loadQrels();
const blacklist = loadBlacklist();

function fieldText(p: Paper, f: Field): string {
  switch (f) {
    case 'title': return p.title;
    case 'abstract': return p.abstract ?? '';
    case 'keywords': return p.keywords ?? '';
    case 'authors': return p.authors.join(' ');
    case 'venue': return p.venue ?? '';
  }
}

interface Index {
  stem: Stem;
  norm: (w: string) => string;
  ids: Map<string, number>;
  terms: string[];
  offsets: Int32Array;
  docs: Int32Array;
  tf: Float32Array[]; // per field, aligned with docs
  len: Float32Array[]; // per field per doc
  avg: number[];
  fwd: Int32Array[]; // per doc term ids of title+abstract+keywords (with repeats)
  df: Int32Array; // over fields title/abstract/keywords
}

function build(stem: Stem): Index {
  const cache = new Map<string, string>();
  const fn = stem === 'porter' ? stemmer : stem === 'porter2' ? porter2 : (w: string) => w;
  const norm = (w: string) => { let s = cache.get(w); if (s === undefined) { s = /^\d+$/.test(w) ? w : fn(w); cache.set(w, s); } return s; };
  const ids = new Map<string, number>();
  const terms: string[] = [];
  const id = (t: string) => { let i = ids.get(t); if (i === undefined) { i = terms.length; ids.set(t, i); terms.push(t); } return i; };
  const len = FIELDS.map(() => new Float32Array(N));
  const fwd: Int32Array[] = [];
  const trip: number[][] = []; // per doc: [term, field, term, field...]
  for (let d = 0; d < N; d++) {
    const list: number[] = [];
    const f3: number[] = [];
    FIELDS.forEach((f, fi) => {
      const toks = tokenize(fieldText(papers[d], f));
      len[fi][d] = toks.length;
      for (const w of toks) { const t = id(norm(w)); list.push(t, fi); if (fi < 3) f3.push(t); }
    });
    trip.push(list);
    fwd.push(Int32Array.from(f3));
  }
  const T = terms.length;
  // postings: per (term, doc) unique
  const counts = new Int32Array(T + 1);
  const seen = new Int32Array(T).fill(-1);
  for (let d = 0; d < N; d++) { const l = trip[d]; for (let i = 0; i < l.length; i += 2) if (seen[l[i]] !== d) { seen[l[i]] = d; counts[l[i] + 1]++; } }
  for (let t = 0; t < T; t++) counts[t + 1] += counts[t];
  const P = counts[T];
  const docs = new Int32Array(P);
  const tf = FIELDS.map(() => new Float32Array(P));
  const cur = counts.slice(0, T);
  const slot = new Int32Array(T).fill(-1);
  seen.fill(-1);
  const df = new Int32Array(T);
  for (let d = 0; d < N; d++) {
    const l = trip[d];
    for (let i = 0; i < l.length; i += 2) {
      const t = l[i];
      if (seen[t] !== d) { seen[t] = d; slot[t] = cur[t]++; docs[slot[t]] = d; }
      tf[l[i + 1]][slot[t]]++;
    }
  }
  for (let t = 0; t < T; t++) for (let i = counts[t]; i < counts[t + 1]; i++) if (tf[0][i] + tf[1][i] + tf[2][i] > 0) df[t]++;
  const avg = len.map(a => { let s = 0; for (const x of a) s += x; return s / N; });
  return { stem, norm, ids, terms, offsets: counts, docs, tf, len, avg, fwd, df };
}

interface Params {
  name: string;
  k1: number;
  b: number[]; // per field
  w: number[]; // per field weight (0 = off)
  bm25f: boolean; // true: BM25F (saturate the weighted sum); false: one concatenated doc (weights as tf boosts, length over all)
  rm3?: { docs: number; terms: number; lambda: number };
  titleWeight?: number; // with-title context
  maxTerms?: number;
  qtf?: boolean;
  cleanNumbers?: boolean;
  bigram?: { depth: number; weight: number };
}

function queryTerms(ix: Index, text: string, p: Params): Map<number, number> {
  let t = cleanQueryText(text);
  if (p.cleanNumbers) t = t.replace(/\[[\d\s,;–-]+\]/g, ' ');
  const q = new Map<number, number>();
  for (const w of tokenize(t)) {
    if (p.cleanNumbers && /^\d+$/.test(w)) continue;
    const id = ix.ids.get(ix.norm(w));
    if (id === undefined) continue;
    q.set(id, p.qtf === false ? 1 : (q.get(id) ?? 0) + 1);
  }
  return q;
}

const idfOf = (ix: Index, t: number) => Math.log(1 + (N - ix.df[t] + 0.5) / (ix.df[t] + 0.5));

function score(ix: Index, q: Map<number, number>, p: Params, acc: Float64Array, touched: number[]): void {
  for (const [t, qw] of q) {
    const idf = idfOf(ix, t) * qw;
    if (ix.df[t] === 0) continue;
    for (let i = ix.offsets[t]; i < ix.offsets[t + 1]; i++) {
      const d = ix.docs[i];
      let tfw = 0;
      if (p.bm25f) {
        for (let f = 0; f < NF; f++) if (p.w[f] && ix.tf[f][i]) tfw += p.w[f] * ix.tf[f][i] / (1 - p.b[f] + p.b[f] * ix.len[f][d] / ix.avg[f]);
        if (tfw === 0) continue;
        tfw = tfw / (p.k1 + tfw);
      } else {
        let tfs = 0, L = 0, A = 0;
        for (let f = 0; f < NF; f++) if (p.w[f]) { tfs += p.w[f] * ix.tf[f][i]; L += p.w[f] * ix.len[f][d]; A += p.w[f] * ix.avg[f]; }
        if (tfs === 0) continue;
        tfw = tfs / (tfs + p.k1 * (1 - p.b[0] + p.b[0] * L / A));
      }
      if (acc[d] === 0) touched.push(d);
      acc[d] += idf * tfw * (p.k1 + 1);
    }
  }
}

function topK(acc: Float64Array, touched: number[], k: number): number[] {
  if (touched.length <= k) return touched.slice().sort((a, b) => acc[b] - acc[a]);
  const s = new Float64Array(touched.length);
  for (let i = 0; i < touched.length; i++) s[i] = acc[touched[i]];
  s.sort();
  const th = s[s.length - k];
  return touched.filter(d => acc[d] >= th).sort((a, b) => acc[b] - acc[a]).slice(0, k);
}

function run(ix: Index, p: Params, withTitle = false): { recall: number; ndcg: number; ms: number } {
  const acc = new Float64Array(N);
  const runs = new Map<string, string[]>();
  const t = Date.now();
  for (const topic of topics) {
    let q = queryTerms(ix, topic.text, p);
    if (withTitle && p.titleWeight) {
      for (const [id, w] of queryTerms(ix, topic.title, p)) q.set(id, (q.get(id) ?? 0) + w * p.titleWeight);
    }
    if (p.maxTerms && q.size > p.maxTerms) q = new Map([...q].sort((a, b) => idfOf(ix, b[0]) * b[1] - idfOf(ix, a[0]) * a[1]).slice(0, p.maxTerms));
    let touched: number[] = [];
    score(ix, q, p, acc, touched);
    let top = topK(acc, touched, 100);
    if (p.rm3) {
      const fb = top.slice(0, p.rm3.docs);
      const maxS = acc[fb[0]] ?? 1;
      const rel = new Map<number, number>();
      for (const d of fb) {
        const f = ix.fwd[d];
        if (!f.length) continue;
        const wd = Math.exp(acc[d] - maxS); // query likelihood proxy
        const tfm = new Map<number, number>();
        for (const t of f) tfm.set(t, (tfm.get(t) ?? 0) + 1);
        for (const [tm, c] of tfm) rel.set(tm, (rel.get(tm) ?? 0) + wd * c / f.length);
      }
      // drop very common terms (df > 10%)
      const exp = [...rel].filter(([tm]) => ix.df[tm] < N * 0.1).sort((a, b) => b[1] - a[1]).slice(0, p.rm3.terms);
      const es = exp.reduce((s, e) => s + e[1], 0) || 1;
      const qs = [...q.values()].reduce((s, v) => s + v, 0) || 1;
      const nq = new Map<number, number>();
      for (const [id, w] of q) nq.set(id, p.rm3.lambda * w / qs);
      for (const [id, w] of exp) nq.set(id, (nq.get(id) ?? 0) + (1 - p.rm3.lambda) * w / es);
      for (const d of touched) acc[d] = 0;
      touched = [];
      score(ix, nq, p, acc, touched);
      top = topK(acc, touched, 100);
    }
    if (p.bigram) {
      // ordered query bigrams (adjacent non-stopword tokens)
      let tt = cleanQueryText(topic.text);
      if (p.cleanNumbers) tt = tt.replace(/\[[\d\s,;–-]+\]/g, ' ');
      const qt = tokenize(tt).map(w => ix.ids.get(ix.norm(w)) ?? -1);
      const bigrams = new Set<number>();
      for (let i = 0; i + 1 < qt.length; i++) if (qt[i] >= 0 && qt[i + 1] >= 0) bigrams.add(qt[i] * 4194304 + qt[i + 1]);
      const cand = top.slice(0, p.bigram.depth);
      for (const d of cand) {
        const f = ix.fwd[d];
        let c = 0;
        for (let i = 0; i + 1 < f.length; i++) if (bigrams.has(f[i] * 4194304 + f[i + 1])) c++;
        acc[d] += p.bigram.weight * Math.log(1 + c);
      }
      top = cand.sort((a, b) => acc[b] - acc[a]).concat(top.slice(p.bigram.depth));
    }
    runs.set(topic.id, cleanRun(top.slice(0, 40).map(d => papers[d].doi ?? papers[d].key), blacklist, 10));
    for (const d of touched) acc[d] = 0;
  }
  const ms = (Date.now() - t) / topics.length;
  const m = evaluate(runs, qrels, 10);
  return { recall: m.recall, ndcg: m.ndcg, ms };
}

const TAK = [1, 1, 1, 0, 0];
const only = process.argv[2];
const indexes = new Map<Stem, Index>();
function ix(s: Stem): Index {
  let i = indexes.get(s);
  if (!i) { const t = Date.now(); i = build(s); indexes.set(s, i); console.log(`built ${s}: ${i.terms.length} terms, ${i.docs.length} postings, ${Date.now() - t} ms`); }
  return i;
}
const report = (stem: Stem, p: Params, withTitle = false) => {
  const r = run(ix(stem), p, withTitle);
  console.log(`${stem.padEnd(7)} ${p.name.padEnd(60)} ${withTitle ? 'title' : 'text '} R@10 ${r.recall.toFixed(4)} nDCG@10 ${r.ndcg.toFixed(4)} (${r.ms.toFixed(1)} ms/q)`);
  return r;
};

const base: Params = { name: 'BM25 concat k1=1.5 b=0.6', k1: 1.5, b: [0.6, 0.6, 0.6, 0.6, 0.6], w: TAK, bm25f: false, cleanNumbers: true };
const experiments: Array<[Stem, Params, boolean?]> = [];
if (only === 'k1b') {
  for (const k1 of [1.2, 1.5, 2.0]) for (const b of [0.6, 0.75, 0.9]) experiments.push(['porter', { ...base, name: `concat k1=${k1} b=${b}`, k1, b: [b, b, b, 0, 0] }]);
}
if (!only || only === 'stem') {
  experiments.push(['none', base], ['porter', base], ['porter2', base]);
  experiments.push(['porter', { ...base, name: 'concat, numbers kept', cleanNumbers: false }]);
  experiments.push(['porter', { ...base, name: 'concat k1=1.2 b=0.75', k1: 1.2, b: [0.75, 0.75, 0.75, 0, 0] }]);
  experiments.push(['porter', { ...base, name: 'concat +authors+venue', w: [1, 1, 1, 1, 1] }]);
  experiments.push(['porter', { ...base, name: 'concat title boost 3 kw 1.5', w: [3, 1, 1.5, 0, 0] }]);
}
if (!only || only === 'bm25f') {
  for (const [wt, wk] of [[1, 1], [2, 1], [3, 1]]) for (const k1 of [1.2, 1.6]) for (const b of [0.75])
    experiments.push(['porter', { ...base, name: `BM25F w=${wt}/1/${wk} k1=${k1} b=${b}`, bm25f: true, k1, w: [wt, 1, wk, 0, 0], b: [b, b, b, 0, 0] }]);
}
if (!only || only === 'rm3') {
  for (const [docs, terms, lambda] of [[10, 10, 0.5], [10, 20, 0.5], [5, 10, 0.6], [10, 10, 0.7], [20, 20, 0.6], [3, 10, 0.7]])
    experiments.push(['porter', { ...base, name: `concat + RM3 ${docs}/${terms}/${lambda}`, rm3: { docs, terms, lambda } }]);
}
if (!only || only === 'bigram') {
  for (const [depth, weight] of [[50, 1], [100, 1], [100, 2], [100, 0.5]])
    experiments.push(['porter', { ...base, name: `concat + bigram ${depth}/${weight}`, bigram: { depth, weight } }]);
}
if (!only || only === 'title') {
  for (const tw of [0.2, 0.35, 0.5, 1])
    experiments.push(['porter', { ...base, name: `concat + title ${tw}`, titleWeight: tw }, true]);
}
if (only === 'round2') {
  for (const [k1, b] of [[1.8, 0.6], [2.0, 0.5], [1.5, 0.5], [1.8, 0.4]]) experiments.push(['porter', { ...base, name: `concat k1=${k1} b=${b}`, k1, b: [b, b, b, 0, 0] }]);
  for (const [wt, wk] of [[2, 1], [1, 0.5]]) experiments.push(['porter', { ...base, name: `BM25F w=${wt}/1/${wk} k1=1.5 b=0.6`, bm25f: true, w: [wt, 1, wk, 0, 0] }]);
  experiments.push(['porter', { ...base, name: `concat title tf x2`, w: [2, 1, 1, 0, 0] }]);
  for (const [depth, weight] of [[50, 1], [100, 2]]) experiments.push(['porter', { ...base, name: `concat + bigram ${depth}/${weight}`, bigram: { depth, weight } }]);
  experiments.push(['porter', { ...base, name: 'concat + RM3 10/10/0.8', rm3: { docs: 10, terms: 10, lambda: 0.8 } }]);
  for (const tw of [0.2, 0.35, 0.5, 0.75]) experiments.push(['porter', { ...base, name: `concat + title ${tw}`, titleWeight: tw }, true]);
  for (const m of [12, 16, 24]) experiments.push(['porter', { ...base, name: `concat top ${m} terms`, maxTerms: m }]);
}
if (only === 'prune') {
  for (const m of [8, 12, 16, 24]) experiments.push(['porter', { ...base, name: `concat top ${m} terms`, maxTerms: m }]);
}
for (const [s, p, wt] of experiments) report(s, p, wt);

// `product`: the shipped code path (Segment + CorpusIndex + relatedPapers), in-process.
if (only === 'product' || only === 'product-title') {
  const { CorpusIndex } = require('../../server/src/index/corpusIndex') as typeof import('../../server/src/index/corpusIndex');
  const { Segment } = require('../../server/src/index/segment') as typeof import('../../server/src/index/segment');
  const { relatedPapers } = require('../../server/src/features/related') as typeof import('../../server/src/features/related');
  let t = Date.now();
  const index = new CorpusIndex();
  index.setSource('/acm.bib', Segment.build(papers));
  console.log(`product index built in ${Date.now() - t} ms`);
  for (const withTitle of only === 'product-title' ? [false, true] : [false]) {
    const runs = new Map<string, string[]>();
    const lat: number[] = [];
    for (const topic of topics.slice(0, 30)) relatedPapers(index, { text: topic.text, limit: 20 });
    for (const topic of topics) {
      t = performance.now();
      const hits = relatedPapers(index, { text: topic.text, limit: 20, context: withTitle ? { documentTitle: topic.title } : undefined });
      lat.push(performance.now() - t);
      runs.set(topic.id, cleanRun(hits.map(h => h.paper.doi ?? h.paper.key), blacklist, 10));
    }
    const m = evaluate(runs, qrels, 10);
    lat.sort((a, b) => a - b);
    console.log(`product ${withTitle ? 'title' : 'text '} R@10 ${m.recall.toFixed(4)} nDCG@10 ${m.ndcg.toFixed(4)} p50 ${lat[lat.length >> 1].toFixed(2)} ms p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(2)} ms`);
  }
}

// `profile`: where the time of one related request goes, in-process.
if (only === 'profile') {
  const { CorpusIndex } = require('../../server/src/index/corpusIndex') as typeof import('../../server/src/index/corpusIndex');
  const { Segment } = require('../../server/src/index/segment') as typeof import('../../server/src/index/segment');
  const { relatedPapers, queryStems, cleanQueryText: clean } = require('../../server/src/features/related') as typeof import('../../server/src/features/related');
  const { toRelatedResult } = require('../../server/src/lsp/toProto') as typeof import('../../server/src/lsp/toProto');
  const index = new CorpusIndex();
  let t = Date.now();
  index.setSource('/acm.bib', Segment.build(papers));
  console.log(`product index built in ${Date.now() - t} ms`);
  const limit = Number(process.argv[3] ?? 20);
  const stages = { query: [] as number[], related: [] as number[], proto: [] as number[] };
  for (let rep = 0; rep < 2; rep++) for (const topic of topics) {
    t = performance.now();
    index.relatedQuery(queryStems(clean(topic.text)), limit);
    const a = performance.now();
    const hits = relatedPapers(index, { text: topic.text, limit });
    const b = performance.now();
    JSON.stringify(toRelatedResult(hits, { citedKeys: [], text: topic.text, partial: false }));
    const c = performance.now();
    if (rep === 1) { stages.query.push(a - t); stages.related.push(b - a); stages.proto.push(c - b); }
  }
  for (const [k, v] of Object.entries(stages)) { v.sort((x, y) => x - y); console.log(`${k}: p50 ${v[v.length >> 1].toFixed(2)} ms p99 ${v[Math.floor(v.length * 0.99)].toFixed(2)} ms`); }
}
