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
 *   node out/test/bench/lsp-bench.js [--quick] [--corpus FILE]... [--json FILE]
 *     --quick   fewer requests (CI smoke run)
 *     --corpus  corpus files to index instead of ACM-CR (repeatable)
 *     --json    where to write the figures (default out/bench/lsp.json)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CompletionList, Hover } from 'vscode-languageserver-protocol';
import { TestServer } from '../lsp/lspClient';
import { acmCrBib } from './corpora';
import { corporaDir, repoRoot } from '../util/paths';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const corpusArgs = args.flatMap((a, i) => (a === '--corpus' ? [args[i + 1]] : []));
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : path.join(repoRoot, 'out/bench/lsp.json');

const N_COMPLETION = quick ? 50 : 300;
/** Queries typed a keystroke at a time (about 11 requests each). */
const N_TYPED = quick ? 10 : 100;
const N_HOVER = quick ? 50 : 300;
const N_RELATED = quick ? 50 : 552;

export interface Stats { n: number; p50: number; p99: number; max: number }

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

/** Peak resident set of a process (kB → MB), from /proc; NaN where /proc is not available. */
function peakMB(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch { return NaN; }
}

/** Citing sentences (ACM-CR topics) and the DOIs they cite: queries that exist in this collection. */
function topics(): { sentences: string[]; keys: string[] } {
  const dir = path.join(corporaDir, 'acm-cr');
  const text = fs.readFileSync(path.join(dir, 'sentences.topics'), 'utf8');
  const sentences = [...text.matchAll(/<desc> Description:\s*([\s\S]*?)\s*<narr>/g)].map(m => m[1].trim());
  const keys = [...new Set(fs.readFileSync(path.join(dir, 'sentences.qrels'), 'utf8').split('\n').map(l => l.split(/\s+/)[2]).filter(Boolean))];
  return { sentences, keys };
}

/** Completion-style queries: a word of a citing sentence, then the first letters of the next word. */
function completionQueries(sentences: string[], n: number): string[] {
  const out: string[] = [];
  for (const s of sentences) {
    const words = s.toLowerCase().split(/[^a-z]+/).filter(w => w.length > 4);
    if (words.length >= 2) out.push(`${words[0]} ${words[1].slice(0, 3)}`);
    if (out.length >= n) break;
  }
  return out;
}

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

async function startAndWait(corpus: string[], cacheDir: string, probe: boolean) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bench-ws-'));
  const t0 = process.hrtime.bigint();
  const server = await TestServer.start({
    folders: [folder],
    initializationOptions: { corpus, sampleCorpus: 'never', cacheDir },
  });
  const statusTimes: number[] = [];
  const completionTimes: number[] = [];
  let ready = false;
  const readyP = server.waitForStatus(s => s.ready && s.papers > 0).then(s => { ready = true; return s; });
  if (probe) {
    const text = '\\cite{retrieval eva';
    const uri = await server.open('untitled:probe.tex', 'latex', text);
    while (!ready) {
      const [, st] = await timed(() => server.status());
      statusTimes.push(st);
      const [, ct] = await timed(() => server.completion(uri, { line: 0, character: text.length }));
      completionTimes.push(ct);
      await new Promise(r => setTimeout(r, 100));
    }
  }
  const status = await readyP;
  const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // After a load the server answers made-up requests (features/warmUp.ts, one per event-loop turn)
  // and keeps the one-letter lookups; latencies are measured from when it is done.
  await server.waitForLog(/^Warmed up the index/);
  const warmedMs = Number(process.hrtime.bigint() - t0) / 1e6 - readyMs;
  return { server, status, readyMs, warmedMs, statusTimes, completionTimes, folder };
}

async function main(): Promise<void> {
  const corpus = corpusArgs.length ? corpusArgs.map(f => path.resolve(f)) : [acmCrBib()];
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bench-cache-'));
  const { sentences, keys } = topics();
  console.log(`corpus: ${corpus.join(', ')} (${(corpus.reduce((n, f) => n + fs.statSync(f).size, 0) / 1048576).toFixed(0)} MB)`);

  // 1. Cold start, probing responsiveness while the index builds.
  const cold = await startAndWait(corpus, cacheDir, true);
  const { server } = cold;
  const papers = cold.status.papers;
  console.log(`cold: ready in ${(cold.readyMs / 1000).toFixed(2)} s, ${papers} papers; warmed up ${cold.warmedMs.toFixed(0)} ms later`);

  // 2. Steady state: completion, hover, related.
  // Completion as an editor asks for it: the queries are typed into one document, one keystroke at
  // a time, each keystroke a `didChange` and a completion request (only the request is timed).
  const completion: number[] = [];
  const seenKeys: string[] = [];
  const typingUri = await server.open('untitled:typing.tex', 'latex', '');
  let typed = '';
  for (const q of completionQueries(sentences, N_TYPED)) {
    typed += `${typed ? '\n\n' : ''}As shown in \\citep{`;
    for (const ch of q) {
      typed += ch;
      await server.change(typingUri, typed);
      const line = typed.split('\n').length - 1;
      const [list, ms] = await timed(() => server.completion(typingUri, { line, character: typed.length - typed.lastIndexOf('\n') - 1 }) as Promise<CompletionList | null>);
      if (!list) throw new Error(`no completion while typing ${q}`);
      completion.push(ms);
    }
    typed += '}';
  }
  // The same queries whole, each in a newly opened document (each open also starts a diagnostics check).
  const completionOpen: number[] = [];
  for (const [i, q] of completionQueries(sentences, N_COMPLETION).entries()) {
    const text = `As shown in \\citep{${q}`;
    const uri = await server.open(`untitled:c${i}.tex`, 'latex', text);
    const [list, ms] = await timed(() => server.completion(uri, { line: 0, character: text.length }) as Promise<CompletionList | null>);
    if (!list) throw new Error(`no completion for ${q}`);
    completionOpen.push(ms);
    if (list.items[0]) seenKeys.push(String(list.items[0].label));
  }
  const hover: number[] = [];
  // Keys that exist in this corpus: the ACM-CR judged DOIs when it is ACM-CR, else completion's top keys.
  const known = (await server.search(keys[0], 1)).items[0]?.key === keys[0];
  const hoverKeys = (known ? keys : seenKeys).slice(0, N_HOVER);
  for (const [i, key] of hoverKeys.entries()) {
    const text = `See \\cite{${key}}.`;
    const uri = await server.open(`untitled:h${i}.tex`, 'latex', text);
    const [h, ms] = await timed(() => server.hover(uri, { line: 0, character: 11 }) as Promise<Hover | null>);
    if (!h || /no paper with key/.test(JSON.stringify(h.contents))) throw new Error(`no hover for ${key}`);
    hover.push(ms);
  }
  const related: number[] = [];
  for (const s of sentences.slice(0, N_RELATED)) {
    const [, ms] = await timed(() => server.related(s, 10));
    related.push(ms);
  }
  const peak = peakMB(server.process.pid);
  await server.stop();
  fs.rmSync(cold.folder, { recursive: true, force: true });

  // 3. Warm start: same corpus, same cache directory.
  const warm = await startAndWait(corpus, cacheDir, false);
  const warmPeak = peakMB(warm.server.process.pid);
  console.log(`warm: ready in ${(warm.readyMs / 1000).toFixed(2)} s`);
  await warm.server.stop();
  fs.rmSync(warm.folder, { recursive: true, force: true });
  fs.rmSync(cacheDir, { recursive: true, force: true });

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
