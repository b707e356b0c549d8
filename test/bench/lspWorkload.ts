/**
 * The over-LSP benchmark's requests, shared by `lsp-bench.ts` (one server at a time) and
 * `paired-bench.ts` (two servers, their requests interleaved). Each workload is an async generator
 * over one server: every `next()` sends one timed request (after its untimed set-up, such as the
 * keystroke's `didChange`) and yields its round trip in milliseconds, so two servers can be driven
 * request by request.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CompletionList, Hover } from 'vscode-languageserver-protocol';
import { TestServer } from '../lsp/lspClient';
import { corporaDir } from '../util/paths';

export interface Stats { n: number; p50: number; p99: number; max: number }

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

/** Peak resident set of a process (kB → MB), from /proc; NaN where /proc is not available. */
export function peakMB(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch { return NaN; }
}

/** Citing sentences (ACM-CR topics) and the DOIs they cite: queries that exist in this collection. */
export function topics(): { sentences: string[]; keys: string[] } {
  const dir = path.join(corporaDir, 'acm-cr');
  const text = fs.readFileSync(path.join(dir, 'sentences.topics'), 'utf8');
  const sentences = [...text.matchAll(/<desc> Description:\s*([\s\S]*?)\s*<narr>/g)].map(m => m[1].trim());
  const keys = [...new Set(fs.readFileSync(path.join(dir, 'sentences.qrels'), 'utf8').split('\n').map(l => l.split(/\s+/)[2]).filter(Boolean))];
  return { sentences, keys };
}

/** Completion-style queries: a word of a citing sentence, then the first letters of the next word. */
export function completionQueries(sentences: string[], n: number): string[] {
  const out: string[] = [];
  for (const s of sentences) {
    const words = s.toLowerCase().split(/[^a-z]+/).filter(w => w.length > 4);
    if (words.length >= 2) out.push(`${words[0]} ${words[1].slice(0, 3)}`);
    if (out.length >= n) break;
  }
  return out;
}

/** Spawns the server on `corpus` with `cacheDir`, and resolves once its index is ready and warmed up. */
export async function startServer(corpus: string[], cacheDir: string, onLoading?: (server: TestServer, isReady: () => boolean) => Promise<void>) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bench-ws-'));
  const t0 = process.hrtime.bigint();
  const server = await TestServer.start({
    folders: [folder],
    initializationOptions: { corpus, sampleCorpus: 'never', cacheDir },
  });
  let ready = false;
  const readyP = server.waitForStatus(s => s.ready && s.papers > 0).then(s => { ready = true; return s; });
  if (onLoading) await onLoading(server, () => ready);
  const status = await readyP;
  const readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // After a load the server answers made-up requests (features/warmUp.ts, one per event-loop turn)
  // and keeps the one-letter lookups; latencies are measured from when it is done.
  await server.waitForLog(/^Warmed up the index/);
  const warmedMs = Number(process.hrtime.bigint() - t0) / 1e6 - readyMs;
  const stop = async () => { await server.stop(); fs.rmSync(folder, { recursive: true, force: true }); };
  return { server, status, readyMs, warmedMs, stop };
}

/**
 * Completion as an editor asks for it: the queries are typed into one document, one keystroke at a
 * time, each keystroke a `didChange` and a completion request (only the request is timed).
 */
export async function* typedCompletion(server: TestServer, queries: string[], uri = 'untitled:typing.tex'): AsyncGenerator<number> {
  const typingUri = await server.open(uri, 'latex', '');
  let typed = '';
  for (const q of queries) {
    typed += `${typed ? '\n\n' : ''}As shown in \\citep{`;
    for (const ch of q) {
      typed += ch;
      await server.change(typingUri, typed);
      const line = typed.split('\n').length - 1;
      const [list, ms] = await timed(() => server.completion(typingUri, { line, character: typed.length - typed.lastIndexOf('\n') - 1 }) as Promise<CompletionList | null>);
      if (!list) throw new Error(`no completion while typing ${q}`);
      yield ms;
    }
    typed += '}';
  }
}

/** Each query whole, in a newly opened document (each open also starts a diagnostics check); the top keys go to `topKeys`. */
export async function* openedCompletion(server: TestServer, queries: string[], topKeys?: string[]): AsyncGenerator<number> {
  for (const [i, q] of queries.entries()) {
    const text = `As shown in \\citep{${q}`;
    const uri = await server.open(`untitled:c${i}.tex`, 'latex', text);
    const [list, ms] = await timed(() => server.completion(uri, { line: 0, character: text.length }) as Promise<CompletionList | null>);
    if (!list) throw new Error(`no completion for ${q}`);
    if (list.items[0]) topKeys?.push(String(list.items[0].label));
    yield ms;
  }
}

/** A hover on each key, cited in a newly opened document; a key the server does not know is an error. */
export async function* hovers(server: TestServer, keys: string[]): AsyncGenerator<number> {
  for (const [i, key] of keys.entries()) {
    const text = `See \\cite{${key}}.`;
    const uri = await server.open(`untitled:h${i}.tex`, 'latex', text);
    const [h, ms] = await timed(() => server.hover(uri, { line: 0, character: 11 }) as Promise<Hover | null>);
    if (!h || /no paper with key/.test(JSON.stringify(h.contents))) throw new Error(`no hover for ${key}`);
    yield ms;
  }
}

/** `relatedWork/related` for each sentence, 10 results. */
export async function* relatedQueries(server: TestServer, sentences: string[]): AsyncGenerator<number> {
  for (const s of sentences) {
    const [, ms] = await timed(() => server.related(s, 10));
    yield ms;
  }
}

/** Every round trip of a workload, one server. */
export async function drain(requests: AsyncGenerator<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const ms of requests) out.push(ms);
  return out;
}
