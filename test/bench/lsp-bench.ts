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
 *     --cache   the index cache directory, emptied first and kept afterwards (for paired-bench.js;
 *               default: a temporary one, deleted)
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

export interface LspBenchResult {
  corpus: string[];
  papers: number;
  coldReadyMs: number;
  /** From ready to the end of the post-load warm-up (cold start). */
  warmUpMs: number;
  warmReadyMs: number;
  duringLoad: { status: Stats; completion: Stats; progressReports: number };
  /** Typed into one document, a request per keystroke. */
  completion: Stats;
  /** Each query in a newly opened document. */
  completionOpen: Stats;
  hover: Stats;
  related: Stats;
  peakMB: number;
  warmPeakMB: number;
  node: string;
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

async function main(): Promise<void> {
  const corpus = corpusArgs.length ? corpusArgs.map(f => path.resolve(f)) : [acmCrBib()];
  const cacheDir = keepCache ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bench-cache-'));
  if (keepCache) { fs.rmSync(keepCache, { recursive: true, force: true }); fs.mkdirSync(keepCache, { recursive: true }); }
  const { sentences, keys } = topics();
  console.log(`corpus: ${corpus.join(', ')} (${(corpus.reduce((n, f) => n + fs.statSync(f).size, 0) / 1048576).toFixed(0)} MB)`);

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
  if (!keepCache) fs.rmSync(cacheDir, { recursive: true, force: true });

  const result: LspBenchResult = {
    corpus, papers,
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
    node: process.version,
  };
  fs.mkdirSync(path.dirname(jsonOut), { recursive: true });
  fs.writeFileSync(jsonOut, JSON.stringify(result, null, 2));
  const f = (s: Stats) => `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(1)} ms (n=${s.n})`;
  console.log(`during load: status ${f(result.duringLoad.status)}; completion ${f(result.duringLoad.completion)}; ${result.duringLoad.progressReports} $/progress reports`);
  console.log(`completion: ${f(result.completion)} (typed); ${f(result.completionOpen)} (a new document per query)`);
  console.log(`hover:      ${f(result.hover)}`);
  console.log(`related:    ${f(result.related)}`);
  console.log(`peak memory: ${peak.toFixed(0)} MB cold, ${warmPeak.toFixed(0)} MB warm`);
  console.log(`wrote ${path.relative(process.cwd(), jsonOut)}`);
}

main().catch(e => { console.error(e); process.exit(1); });
