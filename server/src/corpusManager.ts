/**
 * Keeps the index in step with the corpus files: decides which files make up the corpus, loads
 * each one (off the request path: the event loop is yielded between slices of work), swaps a
 * changed file's segment alone, and reports status and progress.
 */
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { corpusFormat } from './corpus/loader';
import { loadCorpusFileOffThread } from './corpus/offThread';
import { baseKey, uniqueKey } from './corpus/keys';
import type { LoadError, Paper } from './corpus/paper';
import { resolveCorpusEntry } from './config';
import { CorpusIndex } from './index/corpusIndex';
import { SegmentBuilder } from './index/segment';
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
  papers: number;
  errors: LoadError[];
  macros?: ReadonlyMap<string, string>;
  undefinedMacros?: ReadonlySet<string>;
}

const KIND_ORDER: Record<SourceKind, number> = { workspace: 0, configured: 1, sample: 2 };
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/.tools/**'];
/** Time slice before yielding to pending requests while indexing. */
const SLICE_MS = 30;

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
      return { path: p.path, papers: s?.papers ?? 0, errors: s?.errors.filter(e => e.severity === 'error').length ?? 0 };
    });
    return { ready: this.ready, papers: this.index.size, sources };
  }

  /** Load errors of one source (for diagnostics). */
  errorsOf(file: string): readonly LoadError[] { return this.sources.get(file)?.errors ?? []; }

  isSource(file: string): boolean { return this.plan.some(p => p.path === file); }

  /** Makes the corpus exactly `plan`: new files are loaded, removed ones dropped, unchanged ones kept. */
  async apply(plan: SourcePlan[]): Promise<void> {
    const generation = ++this.generation;
    this.planned = true;
    const wanted = new Set(plan.map(p => p.path));
    this.plan = plan;
    for (const p of [...this.sources.keys()]) {
      if (!wanted.has(p)) this.drop(p);
    }
    const todo = plan.filter(p => !this.sources.has(p.path));
    await this.load(todo, generation);
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
    try {
      for (let i = 0; i < todo.length; i++) {
        if (generation !== this.generation) return; // superseded by a newer configuration
        const plan = todo[i];
        const base = (i / todo.length) * 100;
        sink.report(path.basename(plan.path), Math.round(base));
        await this.loadOne(plan, generation, f => sink.report(path.basename(plan.path), Math.round(base + f * 100 / todo.length)));
        this.emit(`${path.basename(plan.path)} indexed`);
      }
      if (generation === this.generation) await this.resolveCrossFileMacros(generation);
    } finally {
      this.loading--;
      sink.done();
      this.emit(this.ready ? `${this.index.size} papers indexed` : undefined);
    }
  }

  private async loadOne(plan: SourcePlan, generation: number, onProgress: (fraction: number) => void): Promise<void> {
    const started = Date.now();
    const result = await loadCorpusFileOffThread(plan.path, this.macrosExcept(plan.path));
    if (generation !== this.generation) return;
    this.uniquifyGeneratedKeys(plan.path, result.papers);
    const builder = new SegmentBuilder(result.papers);
    while (!builder.done) {
      const sliceStart = Date.now();
      while (!builder.done && Date.now() - sliceStart < SLICE_MS) builder.step(500);
      onProgress(builder.progress);
      await yieldToRequests();
      if (generation !== this.generation) return;
    }
    this.index.setSource(plan.path, builder.finish());
    this.sources.set(plan.path, {
      kind: plan.kind, papers: result.papers.length, errors: result.errors,
      macros: result.macros, undefinedMacros: result.undefinedMacros,
    });
    this.events.onSourceErrors(plan.path, result.errors);
    const errs = result.errors.filter(e => e.severity === 'error').length;
    this.events.log.info(`${plan.path}: ${result.papers.length} papers, ${errs} errors, ${result.errors.length - errs} warnings (${Date.now() - started} ms)`);
  }

  /**
   * Generated keys are unique within their file already; one that another source also uses gets
   * the next free `-b`, `-c`… suffix of its base key, so every generated key names one paper in
   * the whole corpus.
   */
  private uniquifyGeneratedKeys(file: string, papers: Paper[]): void {
    const clashes = (p: Paper) => p.keyGenerated && this.index.byKey(p.key).some(o => o.source !== file);
    if (!papers.some(clashes)) return;
    const taken = new Set(papers.map(p => p.key));
    for (const source of this.index.sources) {
      if (source !== file) for (const p of this.index.papersOf(source)) taken.add(p.key);
    }
    for (const p of papers) if (clashes(p)) p.key = uniqueKey(baseKey(p), taken);
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

function yieldToRequests(): Promise<void> {
  return new Promise(resolve => setImmediate(resolve));
}
