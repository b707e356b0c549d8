/**
 * The over-LSP benchmark: `dist/server.js` driven over stdio like an editor would, on a large
 * corpus (default: the 113,512-record ACM-CR collection, decompressed to a temporary file).
 *
 * Measures, in one run: time from spawn to index ready (cold; then warm, restarted on the same
 * unchanged corpus with the same cache directory), how responsive the server stays while it
 * indexes (status and completion round trips during the load, and `$/progress` reports), the
 * latency of completion (typed into one document a keystroke at a time, as an editor asks; and
 * whole queries in newly opened documents), hover and `relatedWork/related` requests once ready
 * and warmed up (the server's post-load warm-up, timed too),
 * and the server's peak resident memory (VmHWM: the main thread and the loader workers together).
 *
 *   node out/test/bench/lsp-bench.js [--quick] [--corpus FILE]... [--json FILE] [--cache DIR]
 *     --quick   fewer requests (CI smoke run)
 *     --corpus  corpus files to index instead of ACM-CR (repeatable)
 *     --json    where to write the figures (default out/bench/lsp.json)
 *     --cache   the index cache directory of the last repetition, emptied first and kept afterwards
 *               (for paired-bench.js; default: a temporary one, deleted)
 *     --reps    repetitions (default 3; 1 with --quick), each a fresh server on an empty cache: cold
 *               start, the requests, a restart. Every figure is the median of its repetitions,
 *               with the min–max kept beside it
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestServer } from '../lsp/lspClient';
import { acmCrBib } from './corpora';
import {
  completionQueries, drain, hovers, openedCompletion, peakMB, relatedQueries, startServer, stats, timed, topics, typedCompletion,
  type Stats,
} from './lspWorkload';
import { repoRoot } from '../util/paths';

export type { Stats };

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const corpusArgs = args.flatMap((a, i) => (a === '--corpus' ? [args[i + 1]] : []));
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : path.join(repoRoot, 'out/bench/lsp.json');
const keepCache = args.includes('--cache') ? path.resolve(args[args.indexOf('--cache') + 1]) : undefined;

const N_COMPLETION = quick ? 50 : 300;
/** Queries typed a keystroke at a time (about 11 requests each). */
const N_TYPED = quick ? 10 : 100;
const N_HOVER = quick ? 50 : 300;
const N_RELATED = quick ? 50 : 552;
/** Repetitions, each a fresh server (`--reps N`; the smoke run does one). */
const REPS = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : quick ? 1 : 3;

/** One repetition: a cold start on an empty cache, the steady-state requests, a restart from the cache. */
export interface Rep {
  papers: number;
  coldReadyMs: number;
  warmUpMs: number;
  warmReadyMs: number;
  duringLoad: { status: Stats; completion: Stats; progressReports: number };
  completion: Stats;
  completionOpen: Stats;
  hover: Stats;
  related: Stats;
  peakMB: number;
  warmPeakMB: number;
}

/**
 * The medians over the repetitions (each figure's own median: the p99 is the median of the
 * repetitions' p99s; `max` the largest of all), and the repetitions themselves (their min–max).
 */
export interface LspBenchResult extends Rep {
  corpus: string[];
  repetitions: Rep[];
  node: string;
}

const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const medianStats = (xs: Stats[]): Stats => ({ n: xs[0].n, p50: median(xs.map(x => x.p50)), p99: median(xs.map(x => x.p99)), max: Math.max(...xs.map(x => x.max)) });

function summarise(corpus: string[], reps: Rep[]): LspBenchResult {
  return {
    corpus,
    papers: reps[0].papers,
    coldReadyMs: median(reps.map(r => r.coldReadyMs)),
    warmUpMs: median(reps.map(r => r.warmUpMs)),
    warmReadyMs: median(reps.map(r => r.warmReadyMs)),
    duringLoad: {
      status: medianStats(reps.map(r => r.duringLoad.status)),
      completion: medianStats(reps.map(r => r.duringLoad.completion)),
      progressReports: median(reps.map(r => r.duringLoad.progressReports)),
    },
    completion: medianStats(reps.map(r => r.completion)),
    completionOpen: medianStats(reps.map(r => r.completionOpen)),
    hover: medianStats(reps.map(r => r.hover)),
    related: medianStats(reps.map(r => r.related)),
    peakMB: median(reps.map(r => r.peakMB)),
    warmPeakMB: median(reps.map(r => r.warmPeakMB)),
    repetitions: reps,
    node: process.version,
  };
}

/** Starts the server; with `probe`, status and completion round trips are timed while it indexes. */
async function startAndWait(corpus: string[], cacheDir: string, probe: boolean) {
  const statusTimes: number[] = [];
  const completionTimes: number[] = [];
  const probeLoad = async (server: TestServer, isReady: () => boolean) => {
    const text = '\\cite{retrieval eva';
    const uri = await server.open('untitled:probe.tex', 'latex', text);
    while (!isReady()) {
      const [, st] = await timed(() => server.status());
      statusTimes.push(st);
      const [, ct] = await timed(() => server.completion(uri, { line: 0, character: text.length }));
      completionTimes.push(ct);
      await new Promise(r => setTimeout(r, 100));
    }
  };
  return { ...await startServer(corpus, cacheDir, probe ? probeLoad : undefined), statusTimes, completionTimes };
}

/** One repetition on an empty `cacheDir` (left holding the cache). */
async function repetition(corpus: string[], cacheDir: string, { sentences, keys }: ReturnType<typeof topics>): Promise<Rep> {
  // 1. Cold start, probing responsiveness while the index builds.
  const cold = await startAndWait(corpus, cacheDir, true);
  const { server } = cold;
  const papers = cold.status.papers;
  console.log(`cold: ready in ${(cold.readyMs / 1000).toFixed(2)} s, ${papers} papers; warmed up ${cold.warmedMs.toFixed(0)} ms later`);

  // 2. Steady state: completion (typed a keystroke at a time; each query whole in a new document), hover, related.
  const completion = await drain(typedCompletion(server, completionQueries(sentences, N_TYPED)));
  const seenKeys: string[] = [];
  const completionOpen = await drain(openedCompletion(server, completionQueries(sentences, N_COMPLETION), seenKeys));
  // Keys that exist in this corpus: the ACM-CR judged DOIs when it is ACM-CR, else completion's top keys.
  const known = (await server.search(keys[0], 1)).items[0]?.key === keys[0];
  const hover = await drain(hovers(server, (known ? keys : seenKeys).slice(0, N_HOVER)));
  const related = await drain(relatedQueries(server, sentences.slice(0, N_RELATED)));
  const peak = peakMB(server.process.pid);
  await cold.stop();

  // 3. Warm start: same corpus, same cache directory.
  const warm = await startAndWait(corpus, cacheDir, false);
  const warmPeak = peakMB(warm.server.process.pid);
  console.log(`warm: ready in ${(warm.readyMs / 1000).toFixed(2)} s`);
  await warm.stop();

  const rep: Rep = {
    papers,
    coldReadyMs: cold.readyMs,
    warmUpMs: cold.warmedMs,
    warmReadyMs: warm.readyMs,
    duringLoad: { status: stats(cold.statusTimes), completion: stats(cold.completionTimes), progressReports: server.progress.length },
    completion: stats(completion),
    completionOpen: stats(completionOpen),
    hover: stats(hover),
    related: stats(related),
    peakMB: peak,
    warmPeakMB: warmPeak,
  };
  const f = (s: Stats) => `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(1)} ms (n=${s.n})`;
  console.log(`during load: status ${f(rep.duringLoad.status)}; completion ${f(rep.duringLoad.completion)}; ${rep.duringLoad.progressReports} $/progress reports`);
  console.log(`completion: ${f(rep.completion)} (typed); ${f(rep.completionOpen)} (a new document per query)`);
  console.log(`hover:      ${f(rep.hover)}`);
  console.log(`related:    ${f(rep.related)}`);
  console.log(`peak memory: ${peak.toFixed(0)} MB cold, ${warmPeak.toFixed(0)} MB warm`);
  return rep;
}

async function main(): Promise<void> {
  const corpus = corpusArgs.length ? corpusArgs.map(f => path.resolve(f)) : [acmCrBib()];
  console.log(`corpus: ${corpus.join(', ')} (${(corpus.reduce((n, f) => n + fs.statSync(f).size, 0) / 1048576).toFixed(0)} MB), ${REPS} repetition(s)`);
  const queries = topics();
  const reps: Rep[] = [];
  for (let r = 0; r < REPS; r++) {
    // Each repetition starts a fresh server on an empty cache; the last one's cache is kept with --cache.
    const last = r === REPS - 1;
    const cacheDir = last && keepCache ? keepCache : fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bench-cache-'));
    if (last && keepCache) { fs.rmSync(keepCache, { recursive: true, force: true }); fs.mkdirSync(keepCache, { recursive: true }); }
    console.log(`\n-- repetition ${r + 1} of ${REPS}`);
    reps.push(await repetition(corpus, cacheDir, queries));
    if (!(last && keepCache)) fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  const result = summarise(corpus, reps);
  fs.mkdirSync(path.dirname(jsonOut), { recursive: true });
  fs.writeFileSync(jsonOut, JSON.stringify(result, null, 2));
  if (REPS > 1) {
    console.log(`\nmedians of ${REPS}: first index ${(result.coldReadyMs / 1000).toFixed(2)} s, restart ${(result.warmReadyMs / 1000).toFixed(2)} s; p99 completion ${result.completion.p99.toFixed(2)} ms, hover ${result.hover.p99.toFixed(2)} ms; related p50 / p99 ${result.related.p50.toFixed(2)} / ${result.related.p99.toFixed(2)} ms`);
  }
  console.log(`wrote ${path.relative(process.cwd(), jsonOut)}`);
}

main().catch(e => { console.error(e); process.exit(1); });
