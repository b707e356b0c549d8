/**
 * `npm run bench`: why the index is hand-written. On the 113k-record ACM-CR collection, in one
 * run: parse time, index build time and heap, and query latency (completion-style prefix lookups
 * and whole-sentence related-paper queries) for the project's index and for a default MiniSearch
 * index of the same papers (the design card's library), the floor (reading the file, one regex
 * pass) and the cost of LaTeX Workshop's every-entry completion list. Writes out/bench/index.md
 * (a section of docs/benchmarks.md, assembled by run.ts).
 *   node out/test/bench/index-bench.js [--quick]   (--quick: 10k papers, for a smoke run)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import MiniSearch from 'minisearch';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import type { Paper } from '../../server/src/corpus/paper';
import { CorpusIndex } from '../../server/src/index/corpusIndex';
import { Segment } from '../../server/src/index/segment';
import { relatedPapers } from '../../server/src/features/related';
import { corporaDir, repoRoot } from '../util/paths';
import { acmCrBib } from './corpora';

const quick = process.argv.includes('--quick');
const REPS = quick ? 1 : 3;
const MS_QUERIES = quick ? 20 : 60;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
function time<T>(fn: () => T): [T, number] {
  const t = process.hrtime.bigint();
  const r = fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}
/** JS heap plus ArrayBuffer backing stores (where typed-array postings live). */
function heapMB(): number {
  global.gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1048576;
}
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`);

const bibText = zlib.gunzipSync(fs.readFileSync(path.join(corporaDir, 'acm-cr/collection.bib.gz'))).toString('utf8');
const source = path.join(os.tmpdir(), 'acm-cr.bib');

const parseTimes: number[] = [];
let papers: Paper[] = [];
for (let i = 0; i < REPS; i++) {
  const [res, ms] = time(() => parseBibtex(bibText, source));
  parseTimes.push(ms);
  papers = res.papers;
}
if (quick) papers = papers.slice(0, 10_000);
console.log(`parsed ${papers.length} papers, median ${fmt(median(parseTimes))}`);

// Queries: completion-style (a title word and the prefix of the next one) and citing sentences.
const titles = papers.filter(p => p.title.split(/\s+/).length >= 3).filter((_, i) => i % 97 === 0).slice(0, 300);
const lookups = titles.map(p => {
  const words = p.title.toLowerCase().split(/[^a-z0-9]+/).filter(w => w.length > 3);
  return words.length >= 2 ? `${words[0]} ${words[1].slice(0, 3)}` : words[0] ?? 'search';
});
const topics = fs.readFileSync(path.join(corporaDir, 'acm-cr/sentences.topics'), 'utf8');
const sentences = [...topics.matchAll(/<desc> Description:\s*\n([^\n]+)/g)].map(m => m[1]).slice(0, quick ? 50 : 200);

// --- ours
const buildTimes: number[] = [];
let index = new CorpusIndex();
const heapBefore = heapMB();
for (let i = 0; i < REPS; i++) {
  index = new CorpusIndex();
  const [, ms] = time(() => index.setSource(source, Segment.build(papers)));
  buildTimes.push(ms);
}
const oursHeap = heapMB() - heapBefore;
const oursLookup = lookups.map(q => time(() => index.query(q, { mode: 'lookup', limit: 50 }))[1]);
// The related-papers path the server runs (cleaning, stemming, BM25 over the related postings).
const oursRelated = sentences.map(q => time(() => relatedPapers(index, { text: q, limit: 10 }))[1]);
console.log(`ours: build ${fmt(median(buildTimes))}, lookup p50 ${fmt(median(oursLookup))}, related p50 ${fmt(median(oursRelated))}`);

// --- MiniSearch, default options, same fields (built once: it is the slow side)
const msBefore = heapMB();
const [ms, msBuild] = time(() => {
  const m = new MiniSearch<{ id: number; key: string; title: string; authors: string; abstract: string; venue: string; year: string }>({
    fields: ['key', 'title', 'authors', 'abstract', 'venue', 'year'], storeFields: [],
  });
  m.addAll(papers.map((p, id) => ({ id, key: p.key, title: p.title, authors: p.authors.join(' '), abstract: p.abstract ?? '', venue: p.venue ?? '', year: String(p.year ?? '') })));
  return m;
});
const msHeap = heapMB() - msBefore;
console.log(`minisearch: build ${fmt(msBuild)}, heap ${msHeap.toFixed(0)} MB; querying…`);
// MiniSearch answers in seconds per query at this size: a subset of the same queries keeps the run short.
const msLookup = lookups.slice(0, MS_QUERIES).map(q => time(() => ms.search(q, { prefix: true, fuzzy: 0.2 }).slice(0, 50))[1]);
const msRelated = sentences.slice(0, MS_QUERIES).map(q => time(() => ms.search(q).slice(0, 10))[1]);
console.log(`minisearch: build ${fmt(msBuild)}, lookup p50 ${fmt(median(msLookup))}, related p50 ${fmt(median(msRelated))}`);

// --- the floor and the "every entry is an item" completion (LaTeX Workshop's approach), on the same file
const bibPath = acmCrBib();
const readTimes = Array.from({ length: REPS }, () => time(() => fs.readFileSync(bibPath))[1]);
const regexTimes = Array.from({ length: REPS }, () => time(() => bibText.match(/@[a-zA-Z]+\s*[{(][^,]*,/g)?.length)[1]);
const [everyEntryJson, everyEntryMs] = time(() => JSON.stringify({
  isIncomplete: false,
  items: papers.map(p => ({
    label: p.key, kind: 18, detail: p.title,
    documentation: { kind: 'markdown', value: `${p.title}\n\n${p.authors.join(', ')}\n\n${p.venue ?? ''} ${p.year ?? ''}\n\n${p.abstract ?? ''}` },
    filterText: `${p.key} ${p.title} ${p.authors.join(' ')}`,
  })),
}));

const row = (what: string, o: number, m: number, unit = fmt) => `| ${what} | ${unit(o)} | ${unit(m)} | ${(m / o).toFixed(1)}× |`;
const mb = (x: number) => `${x.toFixed(0)} MB`;
const report = `## Index in-process: hand-written segment vs. default MiniSearch

Corpus: ACM-CR \`collection.bib.gz\` (${papers.length.toLocaleString('en-US')} papers${quick ? ', --quick subset' : ''}). Parse (our BibTeX scanner, in-process): median of ${REPS} runs ${fmt(median(parseTimes))} (min ${fmt(Math.min(...parseTimes))}, max ${fmt(Math.max(...parseTimes))}).

Same papers and fields (key, title, authors, abstract, venue, year). Lookup = ${lookups.length} completion-style queries (a title word and three letters of the next, prefix search; MiniSearch with \`prefix: true, fuzzy: 0.2\`, as a completion provider would use it). Related = ${sentences.length} citing sentences from \`sentences.topics\` (ours: the server's related-papers path; MiniSearch default \`search\`). Build: median of ${REPS} for ours (lookup and related postings, paper store), one run for MiniSearch; MiniSearch latencies over the first ${MS_QUERIES} queries of each set (it takes seconds per query at this size).

| measure | ours | MiniSearch | MiniSearch / ours |
| --- | --- | --- | --- |
${row('build', median(buildTimes), msBuild)}
${row('memory after build (heap + array buffers)', oursHeap, msHeap, mb)}
${row('lookup p50', median(oursLookup), median(msLookup))}
${row('lookup p99', pct(oursLookup, 0.99), pct(msLookup, 0.99))}
${row('related p50', median(oursRelated), median(msRelated))}
${row('related p99', pct(oursRelated, 0.99), pct(msRelated, 0.99))}

### The floor, and completion the LaTeX Workshop way (same file, same run)

| measure | time |
| --- | --- |
| read the ${(fs.statSync(bibPath).size / 1048576).toFixed(0)} MB \`.bib\` (median of ${REPS}) | ${fmt(median(readTimes))} |
| one regex pass counting entry heads (median of ${REPS}) | ${fmt(median(regexTimes))} |
| every entry as a completion item, serialised (LaTeX Workshop sends them all and lets VS Code filter) | ${fmt(everyEntryMs)}, ${(Buffer.byteLength(everyEntryJson) / 1048576).toFixed(0)} MB on the wire per request |

Ours sends at most \`relatedWork.completionLimit\` (50) ranked items per request, with documentation resolved for the one item shown (see the LSP section).
`;
fs.mkdirSync(path.join(repoRoot, 'out/bench'), { recursive: true });
fs.writeFileSync(path.join(repoRoot, 'out/bench/index.md'), report);
console.log(report);
