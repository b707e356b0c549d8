/**
 * `npm run reliability`: the reliability figures, written to docs/reliability.md.
 *   1. fuzzing (test/util/fuzz.ts, far longer than the unit test): random and mutated inputs for
 *      every parser of untrusted text, seeds from ../shared/corpora; the adversarial inputs;
 *   2. the messy set: every file of ../shared/corpora/messy loads; errors with positions;
 *   3. abuse over LSP (sample corpus): unknown documents, positions out of range, malformed
 *      parameters, cancelled requests, didChange bursts — every request answered;
 *   4. soak over LSP on the 113,512-paper ACM-CR collection: 10,000 requests (completion, hover,
 *      related) after a warm-up, the server's resident memory before and after.
 * A crash is the server process exiting, or an exception escaping a parser.
 *   node --expose-gc out/test/bench/reliability.js [--quick]   (--quick: small runs, writes nothing to docs/)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import type { CompletionList } from 'vscode-languageserver-protocol';
import { corpusFormat, decodeBytes, loadCorpusFile } from '../../server/src/corpus/loader';
import { TestServer } from '../lsp/lspClient';
import { adversarialInputs, fuzzAdversarial, fuzzAll, fuzzDecode, loadSeeds, newStats, type FuzzStats } from '../util/fuzz';
import { insideText } from '../util/loadErrors';
import { corporaDir, repoRoot } from '../util/paths';
import { acmCrBib } from './corpora';

const quick = process.argv.includes('--quick');
const SEED = 7;
const FUZZ_RUNS = quick ? 200 : 5000;
const SOAK_REQUESTS = quick ? 600 : 10_000;
const WARMUP = quick ? 150 : 1500;

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const fmt = (n: number) => n.toLocaleString('en-US');

/** Resident memory of a process (MB), from /proc; NaN elsewhere. */
function rssMB(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch { return NaN; }
}

// ---- 1. fuzzing --------------------------------------------------------------------------------

function fuzzing(): { stats: FuzzStats; seeds: number; adversarial: FuzzStats; adversarialInputs: number; ms: number } {
  const t = Date.now();
  const seeds = loadSeeds(quick ? 20_000 : 100_000);
  const stats = fuzzAll(seeds, { seed: SEED, numRuns: FUZZ_RUNS });
  fuzzDecode({ seed: SEED, numRuns: FUZZ_RUNS * 2 }, stats);
  const adversarial = fuzzAdversarial(newStats());
  return { stats, seeds: seeds.length, adversarial, adversarialInputs: adversarialInputs().length, ms: Date.now() - t };
}

// ---- 2. the messy set --------------------------------------------------------------------------

async function messy(): Promise<{ files: number; papers: number; errors: number; warnings: number; nonUtf8: string[]; outside: number; threw: number } | undefined> {
  const dir = path.join(corporaDir, 'messy');
  if (!fs.existsSync(dir)) return undefined;
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  const r = { files: 0, papers: 0, errors: 0, warnings: 0, nonUtf8: [] as string[], outside: 0, threw: 0 };
  for (const file of walk(dir).sort()) {
    if (!corpusFormat(file)) continue;
    r.files++;
    try {
      const res = await loadCorpusFile(file);
      const lines = decodeBytes(fs.readFileSync(file)).text.split(/\r\n?|\n/);
      r.papers += res.papers.length;
      r.errors += res.errors.filter(e => e.severity === 'error').length;
      r.warnings += res.errors.filter(e => e.severity === 'warning').length;
      r.outside += [...res.papers, ...res.errors].filter(x => !insideText(x.range, lines)).length;
      if (res.encodingWarning) r.nonUtf8.push(`${path.relative(dir, file)}: ${res.encodingWarning}`);
    } catch {
      r.threw++;
    }
  }
  return r;
}

// ---- 3. abuse over LSP ---------------------------------------------------------------------------

async function answered(p: Promise<unknown>): Promise<'result' | 'error' | 'broken'> {
  try { await p; return 'result'; } catch (e) { return e instanceof ResponseError ? 'error' : 'broken'; }
}

async function abuse(): Promise<{ requests: number; results: number; protocolErrors: number; broken: number; notifications: number; alive: boolean; internalErrors: number }> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-rel-abuse-'));
  const server = await TestServer.start({ folders: [ws], initializationOptions: { sampleCorpus: 'always' } });
  const out = { requests: 0, results: 0, protocolErrors: 0, broken: 0, notifications: 0, alive: false, internalErrors: 0 };
  const count = (r: 'result' | 'error' | 'broken') => { out.requests++; if (r === 'result') out.results++; else if (r === 'error') out.protocolErrors++; else out.broken++; };
  try {
    await server.ready();
    const text = 'See \\cite{medusa} and [@x].\nSecond \\citep[p.~3]{spec line.';
    const docs = [await server.open('untitled:a.tex', 'latex', text), await server.open('untitled:a.md', 'markdown', text), 'file:///never/opened.tex', 'weird://x'];
    const positions: unknown[] = [{ line: 0, character: 12 }, { line: 1e6, character: 0 }, { line: 0, character: 1e6 }, { line: -1, character: -5 }, { line: 1.5, character: NaN }, { line: '0' }, null];
    const methods = ['textDocument/completion', 'textDocument/hover', 'textDocument/definition', 'textDocument/references', 'textDocument/prepareRename', 'textDocument/documentSymbol', 'relatedWork/related', 'relatedWork/citationEdit'];
    const rounds = quick ? 2 : 20;
    for (let round = 0; round < rounds; round++) {
      for (const uri of docs) for (const position of positions) for (const method of methods) {
        const params = method.startsWith('relatedWork/') ? { uri, position, key: 'medusa' } : { textDocument: { uri }, position, context: { includeDeclaration: true } };
        const source = new CancellationTokenSource();
        const p = server.connection.sendRequest(method, params, source.token);
        if ((round + out.requests) % 3 === 0) source.cancel();
        count(await answered(p));
      }
      for (const params of [null, {}, [], 'x', { textDocument: null }]) for (const method of methods) count(await answered(server.request(method, params)));
      // A burst of 1,000 incremental changes, then one more request.
      const burst: Promise<void>[] = [];
      for (let i = 0; i < 1000; i++) {
        burst.push(server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: docs[0], version: 10_000 * (round + 1) + i }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: i % 3 } }, text: 'ab'[i % 2] }] }));
      }
      await Promise.all(burst);
      out.notifications += 1000;
      count(await answered(server.completion(docs[0], { line: 1, character: 20 })));
    }
    out.alive = server.process.exitCode === null && (await server.status()).ready;
    const failures = server.logs.filter(l => / failed: /.test(l));
    out.internalErrors = failures.length;
    for (const f of new Set(failures.map(l => l.replace(/^\d+ ms /, '').split('\n').slice(0, 2).join(' | ')))) console.log(`  handler failure: ${f.slice(0, 300)}`);
  } finally {
    await server.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
  return out;
}

// ---- 4. soak on ACM-CR -----------------------------------------------------------------------------

interface Soak { papers: number; requests: Record<string, number>; failed: number; beforeMB: number; afterMB: number; growth: number; ms: number; exited: boolean }

async function soak(): Promise<Soak | undefined> {
  if (!fs.existsSync(path.join(corporaDir, 'acm-cr/collection.bib.gz'))) return undefined;
  const corpus = acmCrBib();
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-rel-soak-'));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-rel-cache-'));
  const server = await TestServer.start({ folders: [ws], initializationOptions: { corpus: [corpus], sampleCorpus: 'never', cacheDir } });
  let exited = false;
  server.process.once('exit', () => { exited = true; });
  try {
    const status = await server.ready();
    const topics = fs.readFileSync(path.join(corporaDir, 'acm-cr/sentences.topics'), 'utf8');
    const sentences = [...topics.matchAll(/<desc> Description:\s*([\s\S]*?)\s*<narr>/g)].map(m => m[1].trim());
    const words = [...new Set(sentences.join(' ').toLowerCase().split(/[^a-z]+/).filter(w => w.length > 4))];
    // Keys that exist: the top hits of searches for the sentences' words.
    const keys: string[] = [];
    for (const w of words.slice(0, 60)) for (const item of (await server.search(w, 5)).items) keys.push(item.key);
    const hoverText = keys.map(k => `See \\cite{${k}}.`).join('\n');
    const hoverUri = await server.open('untitled:soak-hover.tex', 'latex', hoverText);
    const completionUri = await server.open('untitled:soak-completion.tex', 'latex', '');
    const requests: Record<string, number> = { completion: 0, hover: 0, related: 0 };
    let failed = 0;
    const one = async (i: number) => {
      try {
        switch (i % 3) {
          case 0: {
            const w = words[i % words.length];
            const text = `As shown in \\citep{${w} ${words[(i * 7) % words.length].slice(0, 1 + (i % 4))}`;
            await server.change(completionUri, text);
            const list = await server.completion(completionUri, { line: 0, character: text.length }) as CompletionList | null;
            if (!list) failed++;
            requests.completion++;
            break;
          }
          case 1: {
            const line = i % keys.length;
            await server.hover(hoverUri, { line, character: 8 });
            requests.hover++;
            break;
          }
          default:
            await server.related(sentences[i % sentences.length], 10);
            requests.related++;
        }
      } catch {
        failed++;
      }
    };
    for (let i = 0; i < WARMUP; i++) await one(i);
    await new Promise(r => setTimeout(r, 2000));
    const beforeMB = rssMB(server.process.pid);
    for (const k of Object.keys(requests)) requests[k] = 0;
    const t = Date.now();
    for (let i = 0; i < SOAK_REQUESTS; i++) await one(WARMUP + i);
    const ms = Date.now() - t;
    await new Promise(r => setTimeout(r, 2000));
    const afterMB = rssMB(server.process.pid);
    return { papers: status.papers, requests, failed, beforeMB, afterMB, growth: (afterMB - beforeMB) / beforeMB, ms, exited };
  } finally {
    await server.stop();
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

// ---- report ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`fuzzing (${FUZZ_RUNS} runs per property)…`);
  const fz = fuzzing();
  console.log(`  ${fmt(sum(fz.stats.inputs))} inputs, ${fz.stats.failures.length} failures; adversarial: ${fmt(sum(fz.adversarial.inputs))} parses, ${fz.adversarial.failures.length} failures (${(fz.ms / 1000).toFixed(0)} s)`);
  for (const f of [...fz.stats.failures, ...fz.adversarial.failures]) console.log(`  FAIL ${f.slice(0, 400)}`);
  console.log('messy set…');
  const ms = await messy();
  console.log(`  ${JSON.stringify(ms && { ...ms, nonUtf8: ms.nonUtf8.length })}`);
  console.log('abuse over LSP…');
  const ab = await abuse();
  console.log(`  ${JSON.stringify(ab)}`);
  console.log(`soak: ${SOAK_REQUESTS} requests on ACM-CR after ${WARMUP} of warm-up…`);
  const sk = await soak();
  console.log(`  ${JSON.stringify(sk)}`);

  const crashes = fz.stats.failures.filter(f => / threw /.test(f)).length + fz.adversarial.failures.filter(f => / threw /.test(f)).length
    + (ms?.threw ?? 0) + (ab.alive ? 0 : 1) + (sk?.exited ? 1 : 0);
  const ok = crashes === 0 && fz.stats.failures.length === 0 && fz.adversarial.failures.length === 0 && ab.broken === 0 && (!ms || ms.outside === 0)
    && (!sk || (sk.failed === 0 && sk.growth < 0.05));
  console.log(`crashes: ${crashes}; ${ok ? 'all properties hold' : 'SOME PROPERTIES FAILED'} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (quick) { console.log('(--quick: nothing written to docs/)'); process.exit(ok ? 0 : 1); }

  const byTarget = Object.entries(fz.stats.inputs).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
  const md = `# Reliability

Produced by \`npm run reliability\` (test/bench/reliability.ts) on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, Node ${process.version}, ${os.platform()}. Do not edit by hand.

| | |
| --- | --- |
| **crashes** | **${crashes}** |
| fuzzed inputs | ${fmt(sum(fz.stats.inputs))} (${(fz.stats.chars / 1e6).toFixed(1)} M characters), failures: ${fz.stats.failures.length} |
| adversarial inputs | ${fz.adversarialInputs} inputs, ${fmt(sum(fz.adversarial.inputs))} parses (${(fz.adversarial.chars / 1e6).toFixed(0)} M characters), failures: ${fz.adversarial.failures.length}, slowest at ${(fz.adversarial.worstBudgetShare * 100).toFixed(0)}% of its budget |
| messy set | ${ms ? `${fmt(ms.files)} files, ${fmt(ms.papers)} papers, ${fmt(ms.errors)} errors and ${fmt(ms.warnings)} warnings (all with a position inside the file: ${ms.outside === 0 ? 'yes' : `no, ${ms.outside} outside`}), ${ms.nonUtf8.length} non-UTF-8 files decoded and reported, ${ms.threw} exceptions` : 'not run (../shared/corpora absent)'} |
| abuse over LSP | ${fmt(ab.requests)} requests (unknown documents, positions out of range, malformed parameters, a third cancelled): ${fmt(ab.results)} results, ${fmt(ab.protocolErrors)} protocol errors, ${ab.broken} unanswered; ${fmt(ab.notifications)} didChange in bursts of 1,000; ${ab.internalErrors} handler failures caught and logged; server alive after: ${ab.alive ? 'yes' : 'NO'} |
| soak (ACM-CR) | ${sk ? `${fmt(sk.papers)} papers; ${fmt(sum(sk.requests))} requests (${Object.entries(sk.requests).map(([k, v]) => `${fmt(v)} ${k}`).join(', ')}) in ${(sk.ms / 1000).toFixed(0)} s after ${fmt(WARMUP)} of warm-up, ${sk.failed} failed; resident memory ${sk.beforeMB.toFixed(0)} MB before, ${sk.afterMB.toFixed(0)} MB after: ${(sk.growth * 100).toFixed(1)}% growth (limit 5%)` : 'not run (../shared/corpora absent)'} |

## Fuzzing

fast-check properties (test/util/fuzz.ts), seed ${SEED}, ${fmt(FUZZ_RUNS)} runs per property: random text (syntax tokens, ASCII, any code
point including lone surrogates) and mutated seeds (insert a syntax token, delete, duplicate, truncate, rotate) for each
target; ${fmt(fz.seeds)} seeds (built-in examples, every file of \`messy/\` up to 100 KB, pandoc's citation tests, the sample
workspace). Every input must parse without an exception, report ranges inside the text, and take at most 100 ms per 100 KB
(100 ms at least). Inputs per target: ${byTarget}. Slowest input: ${(fz.stats.worstBudgetShare * 100).toFixed(0)}% of its budget.
The unit test test/unit/fuzz.test.ts runs the same properties with 400 runs each (fixed seed, twice the time budget: it shares the cores) in \`npm test\`.

Adversarial inputs: ${adversarialInputs().map(a => a.name).join('; ')}.
${[...fz.stats.failures, ...fz.adversarial.failures].length ? `\nFailures:\n\n${[...fz.stats.failures, ...fz.adversarial.failures].map(f => `- \`${f.slice(0, 300).replace(/`/g, "'")}\``).join('\n')}\n` : ''}
## Non-UTF-8 files of the messy set

${ms?.nonUtf8.length ? ms.nonUtf8.map(s => `- ${s}`).join('\n') : '(none)'}
`;
  fs.writeFileSync(path.join(repoRoot, 'docs/reliability.md'), md);
  console.log('wrote docs/reliability.md');
  process.exit(ok ? 0 : 1);
}

void main();
