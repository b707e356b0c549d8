/**
 * Keeps the index in step with the corpus files: decides which files make up the corpus, has each
 * one built into an index segment off the request path (a worker thread reads the persisted cache
 * or parses and indexes; the server's thread only swaps the finished segment in), swaps a changed
 * file's segment alone, and reports status and progress.
 */
import os from 'node:os';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { corpusFormat } from './corpus/loader';
import { cachePath, pruneCacheDir } from './cache/cacheFile';
import { generatedKeyClash, type BuiltSource } from './corpus/buildSource';
import { buildOffThread, type BuildJob } from './corpus/offThread';
import type { LoadError } from './corpus/paper';
import { loadError } from './corpus/records';
import { resolveCorpusEntry } from './config';
import { CorpusIndex } from './index/corpusIndex';
import { Segment } from './index/segment';
import type { ServerSettings, SourceStatus, StatusResult } from './protocol';

export type SourceKind = 'workspace' | 'configured' | 'sample';

export interface SourcePlan { path: string; kind: SourceKind }

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProgressSink {
  begin(title: string): void;
  report(message: string, percentage: number): void;
  done(): void;
}

interface SourceState {
  kind: SourceKind;
  from: 'cache' | 'parse';
  papers: number;
  errors: LoadError[];
  macros?: ReadonlyMap<string, string>;
  undefinedMacros?: ReadonlySet<string>;
}

const KIND_ORDER: Record<SourceKind, number> = { workspace: 0, configured: 1, sample: 2 };
/** Corpus files built at the same time (each in its own worker). */
const PARALLEL_BUILDS = Math.max(1, Math.min(2, os.availableParallelism()));
const ZERO_RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/.tools/**'];

/** Which files make up the corpus for these settings and workspace folders. */
export async function planSources(settings: ServerSettings, folders: string[], samplePath: string | undefined): Promise<SourcePlan[]> {
  const plans = new Map<string, SourcePlan>();
  const add = (p: string, kind: SourceKind) => { if (!plans.has(p)) plans.set(p, { path: p, kind }); };
  if (settings.workspaceBibFiles) {
    for (const cwd of folders) {
      for (const f of await glob(['**/*.bib'], { cwd, absolute: true, ignore: IGNORE, followSymbolicLinks: false })) add(path.normalize(f), 'workspace');
    }
  }
  for (const entry of settings.corpus) {
    const abs = resolveCorpusEntry(entry, folders[0]);
    if (isDynamicPattern(abs)) {
      for (const f of await glob([abs], { absolute: true, ignore: IGNORE })) if (corpusFormat(f)) add(path.normalize(f), 'configured');
    } else {
      add(abs, 'configured');
    }
  }
  const useSample = settings.sampleCorpus === 'always' || (settings.sampleCorpus === 'auto' && plans.size === 0);
  if (useSample && samplePath) add(samplePath, 'sample');
  return [...plans.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** What the manager tells the outside world. */
export interface CorpusEvents {
  log: Logger;
  /** The index changed (loading progress, a file re-read or removed). */
  onStatus(status: StatusResult, message?: string): void;
  /** A source's load problems, after each (re)load; an empty list when it is removed. */
  onSourceErrors(file: string, errors: readonly LoadError[]): void;
  /** A progress reporter for one round of loading. */
  progress(): ProgressSink;
}

export class CorpusManager {
  readonly index: CorpusIndex;
  private readonly sources = new Map<string, SourceState>();
  private plan: SourcePlan[] = [];
  private generation = 0;
  private loading = 0;
  /** False until the first `apply`: before the corpus is even planned, the server is not ready. */
  private planned = false;
  private readonly jobs = new Set<BuildJob>();
  private pruned = false;
  /** Where the persisted index cache lives (the client's global storage); no cache when undefined. */
  cacheDir: string | undefined;

  constructor(private readonly events: CorpusEvents) {
    this.index = new CorpusIndex(p => {
      const i = this.plan.findIndex(s => s.path === p);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    });
  }

  get ready(): boolean { return this.planned && this.loading === 0; }

  status(): StatusResult {
    const sources: SourceStatus[] = this.plan.map(p => {
      const s = this.sources.get(p.path);
      return { path: p.path, papers: s?.papers ?? 0, errors: s?.errors.filter(e => e.severity === 'error').length ?? 0, from: s?.from };
    });
    return { ready: this.ready, papers: this.index.size, sources };
  }

  /** Load errors of one source (for diagnostics). */
  errorsOf(file: string): readonly LoadError[] { return this.sources.get(file)?.errors ?? []; }

  isSource(file: string): boolean { return this.plan.some(p => p.path === file); }

  /** Makes the corpus exactly `plan`: new files are loaded, removed ones dropped, unchanged ones kept. */
  async apply(plan: SourcePlan[]): Promise<void> {
    const generation = ++this.generation;
    for (const job of this.jobs) job.cancel(); // superseded: the new plan decides what to build
    this.planned = true;
    const wanted = new Set(plan.map(p => p.path));
    this.plan = plan;
    for (const p of [...this.sources.keys()]) {
      if (!wanted.has(p)) this.drop(p);
    }
    const todo = plan.filter(p => !this.sources.has(p.path));
    await this.load(todo, generation);
    if (this.cacheDir && !this.pruned) {
      this.pruned = true; // once a session: caches of corpus files no workspace used for 30 days
      const dir = this.cacheDir;
      void pruneCacheDir(dir, new Set(plan.map(p => cachePath(dir, p.path)))).then(names => {
        if (names.length) this.events.log.info(`Index cache: deleted ${names.length} unused file(s)`);
      });
    }
  }

  /** Re-reads one file after it changed (or was created) on disk. */
  async reload(file: string): Promise<void> {
    const plan = this.plan.find(p => p.path === file);
    if (plan) await this.load([plan], this.generation);
  }

  /** Drops a deleted file's papers. */
  remove(file: string): void {
    this.plan = this.plan.filter(p => p.path !== file);
    if (this.drop(file)) this.emit(`${path.basename(file)} removed`);
  }

  private drop(file: string): boolean {
    if (!this.sources.delete(file)) return false;
    this.index.removeSource(file);
    this.events.onSourceErrors(file, []);
    return true;
  }

  private async load(todo: SourcePlan[], generation: number): Promise<void> {
    if (todo.length === 0) return;
    this.loading++;
    const sink = this.events.progress();
    sink.begin('Indexing papers');
    this.emit('Indexing…');
    const fractions = new Array<number>(todo.length).fill(0);
    const report = (name: string) => sink.report(name, Math.round((fractions.reduce((a, b) => a + b, 0) / todo.length) * 100));
    try {
      // Files are built in workers, a few at a time (the server's own thread only swaps segments in).
      let next = 0;
      const run = async () => {
        while (next < todo.length && generation === this.generation) {
          const i = next++;
          const plan = todo[i];
          report(path.basename(plan.path));
          await this.loadOne(plan, generation, f => { fractions[i] = f; report(path.basename(plan.path)); });
          fractions[i] = 1;
          if (generation === this.generation) this.emit(`${path.basename(plan.path)} indexed`);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_BUILDS, todo.length) }, run));
      if (generation === this.generation) await this.resolveCrossFileMacros(generation);
    } finally {
      this.loading--;
      sink.done();
      this.emit(this.ready ? `${this.index.size} papers indexed` : undefined);
    }
  }

  private async loadOne(plan: SourcePlan, generation: number, onProgress: (fraction: number) => void): Promise<void> {
    const started = Date.now();
    let built: BuiltSource | undefined;
    // Generated keys must avoid the keys of every other file. The worker avoids those indexed when
    // it starts; a file that finished meanwhile (builds run in parallel) is checked afterwards, and
    // in the rare case of a clash the file is built again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const others = this.index.segmentsExcept(plan.path);
      built = await this.build(plan, others, onProgress);
      if (!built || generation !== this.generation) return;
      const added = this.index.segmentsExcept(plan.path).filter(s => !others.includes(s));
      if (added.length === 0 || !generatedKeyClash(built.segment, added.map(s => s.keyHashes), built.storeFile)) break;
    }
    if (!built) return;
    let segment: Segment;
    let errors = built.errors;
    try {
      segment = Segment.fromParts(built.segment, built.storeFile);
    } catch (e) {
      // A cached segment that fails validation (a damaged cache that passed the checksum, or a
      // bug) is rebuilt from the file, never used.
      this.events.log.warn(`${plan.path}: ${built.from === 'cache' ? 'cached index' : 'index'} rejected (${e instanceof Error ? e.message : String(e)}); rebuilding`);
      const retry = built.from === 'cache' ? await this.build(plan, this.index.segmentsExcept(plan.path), onProgress, true) : undefined;
      if (generation !== this.generation) return;
      try {
        if (!retry) throw e;
        segment = Segment.fromParts(retry.segment, retry.storeFile);
        built = retry;
        errors = retry.errors;
      } catch (e2) {
        segment = Segment.build([], plan.path);
        errors = [...errors, loadError(`Could not index ${plan.path}: ${e2 instanceof Error ? e2.message : String(e2)}`, ZERO_RANGE)];
      }
    }
    this.index.setSource(plan.path, segment);
    this.sources.set(plan.path, {
      kind: plan.kind, from: built.from, papers: segment.size, errors,
      macros: new Map(built.macros), undefinedMacros: new Set(built.undefinedMacros),
    });
    this.events.onSourceErrors(plan.path, errors);
    const errs = errors.filter(e => e.severity === 'error').length;
    const how = built.from === 'cache' ? 'from the index cache' : `parsed${this.cacheDir ? '' : ', no cache directory'}`;
    this.events.log.info(`${plan.path}: ${segment.size} papers, ${errs} errors, ${errors.length - errs} warnings (${how}, ${Date.now() - started} ms)${built.cacheNote ? `; ${built.cacheNote}` : ''}`);
  }

  /** Builds one file in a worker (cancellable through `jobs`); generated keys avoid `others`' keys. */
  private build(plan: SourcePlan, others: readonly Segment[], onProgress: (fraction: number) => void, noCache = false): Promise<BuiltSource | undefined> {
    const job = buildOffThread({
      file: plan.path,
      macros: [...this.macrosExcept(plan.path)],
      // Copies: a view's whole ArrayBuffer (a whole cache file) would be cloned into the worker.
      takenKeyHashes: others.map(s => s.keyHashes.slice()),
      cacheDir: this.cacheDir,
      noCache,
    }, onProgress);
    this.jobs.add(job);
    return job.result.finally(() => this.jobs.delete(job));
  }

  /** `@string` macros defined by the other BibTeX files of the corpus. */
  private macrosExcept(file: string): Map<string, string> {
    const all = new Map<string, string>();
    for (const [p, s] of this.sources) if (p !== file && s.macros) for (const [k, v] of s.macros) all.set(k, v);
    return all;
  }

  /** Files that used macros defined only in another file are read again once every file is known. */
  private async resolveCrossFileMacros(generation: number): Promise<void> {
    for (const [file, state] of [...this.sources]) {
      if (!state.undefinedMacros?.size) continue;
      const others = this.macrosExcept(file);
      if (![...state.undefinedMacros].some(m => others.has(m))) continue;
      const plan = this.plan.find(p => p.path === file);
      if (plan) await this.loadOne(plan, generation, () => undefined);
    }
  }

  private emit(message?: string): void {
    this.events.onStatus(this.status(), message);
  }
}
