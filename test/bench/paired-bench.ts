/**
 * The 1M-to-100k latency ratios measured in the same minutes: two servers, one on each corpus,
 * both restarted from the index caches `lsp-bench.js --cache` left, answer the same workloads with
 * their requests interleaved (ten requests to one server, then the same ten to the other, the
 * order swapped each time; never two at once, so they do not share the two cores). The benchmark
 * VM's speed drifts by up to 1.5× over minutes; `lsp-bench.js` measures the two corpora one after
 * the other, so its ratios also carry that drift, and these do not.
 *
 * Hovers are on each server's top search result for the same sentence (on the replicated ACM-CR of
 * make-million.ts, the same record, in its first copy).
 *
 *   node out/test/bench/paired-bench.js --small-cache DIR --small FILE... --large-cache DIR --large FILE... [--json FILE] [--quick]
 *     --quick  fewer requests (the CI smoke run)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestServer } from '../lsp/lspClient';
import {
  completionQueries, hovers, relatedQueries, startServer, stats, topics, typedCompletion, type Stats,
} from './lspWorkload';
import { repoRoot } from '../util/paths';

const args = process.argv.slice(2);
/** The values after `flag` up to the next `--` flag. */
const list = (flag: string) => {
  const i = args.indexOf(flag);
  if (i < 0) return [];
  const end = args.findIndex((a, j) => j > i && a.startsWith('--'));
  return args.slice(i + 1, end < 0 ? undefined : end).map(f => path.resolve(f));
};
const one = (flag: string) => list(flag)[0];
const jsonOut = one('--json') ?? path.join(repoRoot, 'out/bench/paired.json');
const quick = args.includes('--quick');
const N_TYPED = quick ? 10 : 100;
const N_HOVER = quick ? 50 : 300;
const N_RELATED = quick ? 50 : 552;
/** Requests per block (see `interleave`). */
const BLOCK = 10;

export interface PairedSide { completion: Stats; hover: Stats; related: Stats }
export interface PairedResult { small: PairedSide & { papers: number }; large: PairedSide & { papers: number } }

/**
 * Runs the two workloads in alternating blocks of `block` requests (a block to one server, the same
 * block to the other, the order swapped each time). Blocks, not single requests: each switch leaves
 * the next server's caches cold, which a request at a time would charge to every request.
 */
async function interleave(a: AsyncGenerator<number>, b: AsyncGenerator<number>, block = BLOCK): Promise<[number[], number[]]> {
  const ta: number[] = [];
  const tb: number[] = [];
  /** Up to `block` requests of `g` into `times`; how many there were. */
  const take = async (g: AsyncGenerator<number>, times: number[]) => {
    let n = 0;
    for (let r; n < block && !(r = await g.next()).done; n++) times.push(r.value);
    return n;
  };
  for (let i = 0; ; i++) {
    let na: number, nb: number;
    if (i % 2 === 0) { na = await take(a, ta); nb = await take(b, tb); } else { nb = await take(b, tb); na = await take(a, ta); }
    if (na !== nb) throw new Error('the two workloads have different lengths');
    if (na < block) return [ta, tb];
  }
}

async function main(): Promise<void> {
  const smallCorpus = list('--small');
  const largeCorpus = list('--large');
  const smallCache = one('--small-cache');
  const largeCache = one('--large-cache');
  if (!smallCorpus.length || !largeCorpus.length || !smallCache || !largeCache) throw new Error('usage: --small-cache DIR --small FILE... --large-cache DIR --large FILE...');
  const { sentences } = topics();
  // One at a time, so neither start slows the other; both from their caches.
  const small = await startServer(smallCorpus, smallCache);
  const large = await startServer(largeCorpus, largeCache);
  console.log(`restarted from the caches: ${small.status.papers} papers in ${(small.readyMs / 1000).toFixed(2)} s, ${large.status.papers} in ${(large.readyMs / 1000).toFixed(2)} s`);

  const queries = completionQueries(sentences, N_TYPED);
  const [cs, cl] = await interleave(typedCompletion(small.server, queries), typedCompletion(large.server, queries));
  const topKeys = async (server: TestServer) => {
    const out: string[] = [];
    for (const s of sentences.slice(0, N_HOVER)) out.push((await server.search(s, 1)).items[0].key);
    return out;
  };
  const [hs, hl] = await interleave(hovers(small.server, await topKeys(small.server)), hovers(large.server, await topKeys(large.server)));
  const texts = sentences.slice(0, N_RELATED);
  const [rs, rl] = await interleave(relatedQueries(small.server, texts), relatedQueries(large.server, texts));
  await small.stop();
  await large.stop();

  const result: PairedResult = {
    small: { papers: small.status.papers, completion: stats(cs), hover: stats(hs), related: stats(rs) },
    large: { papers: large.status.papers, completion: stats(cl), hover: stats(hl), related: stats(rl) },
  };
  fs.mkdirSync(path.dirname(jsonOut), { recursive: true });
  fs.writeFileSync(jsonOut, JSON.stringify(result, null, 2));
  const f = (s: Stats) => `p50 ${s.p50.toFixed(2)} p99 ${s.p99.toFixed(2)} ms`;
  for (const [name, s, l] of [['completion (typed)', result.small.completion, result.large.completion], ['hover', result.small.hover, result.large.hover], ['related', result.small.related, result.large.related]] as const) {
    console.log(`${name.padEnd(19)} ${f(s)} | ${f(l)} | ratio p50 ${(l.p50 / s.p50).toFixed(2)}× p99 ${(l.p99 / s.p99).toFixed(2)}×`);
  }
  console.log(`wrote ${path.relative(process.cwd(), jsonOut)}`);
}

main().catch(e => { console.error(e); process.exit(1); });
