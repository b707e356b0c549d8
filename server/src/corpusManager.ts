/**
 * Keeps the index in step with the corpus files: decides which files make up the corpus, has each
 * one built into an index segment off the request path (a worker thread reads the persisted cache
 * or parses and indexes; the server's thread only swaps the finished segment in), swaps a changed
 * file's segment alone, and reports status and progress.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { corpusFormat } from './corpus/loader';
import { cachePath, pruneCacheDir } from './cache/cacheFile';
import { generatedKeyTaken, type BuiltSource } from './corpus/buildSource';
import { buildOffThread, prestartWorkers, type BuildJob } from './corpus/offThread';
import type { LoadError } from './corpus/paper';
import { duplicateKeyWarning, loadError } from './corpus/records';
import { insideFolders, resolveCorpusEntry } from './config';
import { CorpusIndex } from './index/corpusIndex';
import { hasHash, keyHash, Segment } from './index/segment';
import { mayBeSplit, PART_BYTES, planParts, type FilePart } from './corpus/split';
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
/** Pause in typing after which an open corpus file's unsaved text is indexed. */
const OVERLAY_DEBOUNCE_MS = 250;
/** Worker builds at the same time (files, or parts of a large file). */
const PARALLEL_BUILDS = Math.max(1, Math.min(2, os.availableParallelism()));
const ZERO_RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/.tools/**'];

/**
 * Which files make up the corpus for these settings and workspace folders. `bibliographies` are
 * bibliography files the open documents name (`\bibliography`, `bibliography:`), indexed too
 * wherever they are (outside the workspace, in `BIBINPUTS`, or with `workspaceBibFiles` off).
 */
export async function planSources(settings: ServerSettings, folders: string[], samplePath: string | undefined, bibliographies: readonly string[] = [], restricted?: { skipped: string[] }): Promise<SourcePlan[]> {
  const plans = new Map<string, SourcePlan>();
  const add = (p: string, kind: SourceKind) => { if (!plans.has(p)) plans.set(p, { path: p, kind }); };
  // Restricted Mode (an untrusted workspace): nothing outside the workspace folders is read.
  const allowed = (p: string) => {
    if (!restricted || insideFolders(p, folders)) return true;
    if (!restricted.skipped.includes(p)) restricted.skipped.push(p);
    return false;
  };
  if (settings.workspaceBibFiles) {
    for (const cwd of folders) {
      for (const f of await glob(['**/*.bib'], { cwd, absolute: true, ignore: IGNORE, followSymbolicLinks: false })) add(path.normalize(f), 'workspace');
    }
  }
  for (const entry of settings.corpus) {
    const abs = resolveCorpusEntry(entry, folders[0]);
    if (isDynamicPattern(abs)) {
      if (!allowed(staticPrefix(abs))) continue;
      for (const f of await glob([abs], { absolute: true, ignore: IGNORE })) if (corpusFormat(f) && allowed(f)) add(path.normalize(f), 'configured');
    } else if (allowed(abs)) {
      add(abs, 'configured');
    }
  }
  for (const b of bibliographies) if (corpusFormat(b) && allowed(b)) add(path.normalize(b), 'configured');
  const useSample = settings.sampleCorpus === 'always' || (settings.sampleCorpus === 'auto' && plans.size === 0);
  if (useSample && samplePath) add(samplePath, 'sample');
  return [...plans.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** The directory part of a glob before its first dynamic segment (`/a/b/**\/*.bib` → `/a/b`). */
function staticPrefix(pattern: string): string {
  const parts = pattern.split(/[\\/]/);
  const i = parts.findIndex(seg => isDynamicPattern(seg));
  return parts.slice(0, i < 0 ? parts.length : i).join(path.sep) || path.sep;
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
  /** Unsaved editor text of corpus files, indexed instead of the files (see `setOverlay`). */
  private readonly overlays = new Map<string, string>();
  private readonly overlayTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Builds started per file: a build that a newer one of the same file overtook is dropped. */
  private readonly builds = new Map<string, number>();
  /** Waiting for the next build to be handed to a worker (`buildsStarted`). */
  private readonly dispatchWaiters: (() => void)[] = [];
  /** Worker builds running at once, shared by every file and part. */
  private readonly slots = new Slots(PARALLEL_BUILDS);
  /** Where the persisted index cache lives (the client's global storage); no cache when undefined. */
  cacheDir: string | undefined;
  /** Set in an untrusted workspace: the files `planSources` skipped (reported in the status). */
  restricted: { skipped: string[] } | undefined;
  /** Size of the parts a large BibTeX file is indexed in (see `corpus/split.ts`). */
  partBytes = PART_BYTES;

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
    return { ready: this.ready, papers: this.index.size, sources, ...(this.restricted ? { restricted: { skipped: [...this.restricted.skipped] } } : {}) };
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
    try {
      await this.load(todo, generation);
    } finally {
      this.dispatched(); // nothing to build (or every build failed to start)
    }
    if (this.cacheDir && generation === this.generation) void this.notePlan(plan);
    if (this.cacheDir && !this.pruned) {
      this.pruned = true; // once a session: caches of corpus files no workspace used for 30 days
      const dir = this.cacheDir;
      void pruneCacheDir(dir, new Set([...plan.map(p => cachePath(dir, p.path)), planNotePath(dir, plan)])).then(names => {
        if (names.length) this.events.log.info(`Index cache: deleted ${names.length} unused file(s)`);
      });
    }
  }

  /**
   * Resolves once a build has been handed to a worker, or a round of loading has ended: work on
   * the server's thread that can wait (the sample warm-up) waits for it, so that it does not hold
   * up the planning that sends the workers their first builds.
   */
  buildsStarted(): Promise<void> {
    return new Promise(resolve => this.dispatchWaiters.push(resolve));
  }

  private dispatched(): void {
    for (const resolve of this.dispatchWaiters.splice(0)) resolve();
  }

  /**
   * Whether this plan's files were all indexed before, unchanged since (size and mtime), so that
   * loading them is likely a read of the index cache: a note kept in the cache directory, one per
   * set of files, written when a plan has been loaded.
   */
  async indexedBefore(plan: readonly SourcePlan[]): Promise<boolean> {
    if (!this.cacheDir || plan.length === 0) return false;
    try {
      const note = JSON.parse(await fs.promises.readFile(planNotePath(this.cacheDir, plan), 'utf8')) as unknown;
      const now = await planStats(plan);
      return JSON.stringify(note) === JSON.stringify(now);
    } catch {
      return false;
    }
  }

  private async notePlan(plan: readonly SourcePlan[]): Promise<void> {
    if (!this.cacheDir || plan.some(p => this.overlays.has(p.path))) return;
    try {
      await fs.promises.writeFile(planNotePath(this.cacheDir, plan), JSON.stringify(await planStats(plan)));
    } catch { /* only a hint for the next start */ }
  }

  /** Re-reads one file after it changed (or was created) on disk. */
  async reload(file: string): Promise<void> {
    const plan = this.plan.find(p => p.path === file);
    if (plan) await this.load([plan], this.generation);
  }

  /**
   * The text of an open editor on a corpus file (unsaved edits), or undefined once the editor is
   * closed (the file on disk counts again). The file is indexed again from that text after a short
   * pause in typing; other files are untouched.
   */
  setOverlay(file: string, text: string | undefined): void {
    if (text === undefined ? !this.overlays.delete(file) : this.overlays.get(file) === text) return;
    if (text !== undefined) this.overlays.set(file, text);
    clearTimeout(this.overlayTimers.get(file));
    this.overlayTimers.set(file, setTimeout(() => {
      this.overlayTimers.delete(file);
      void this.reload(file);
    }, text === undefined ? 0 : OVERLAY_DEBOUNCE_MS));
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
    // The workers boot while the files are stat'ed and planned: one per file, up to the builds that
    // run at once (a large file's parts get the second in `loadOne`).
    prestartWorkers(Math.min(PARALLEL_BUILDS, todo.length));
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
    const mine = (this.builds.get(plan.path) ?? 0) + 1;
    this.builds.set(plan.path, mine);
    const overlay = this.overlays.has(plan.path);
    const size = overlay ? 0 : await fs.promises.stat(plan.path).then(s => s.size, () => 0);
    if (mayBeSplit(plan.path, size, this.partBytes)) prestartWorkers(PARALLEL_BUILDS);
    const parts = size > 0 ? await planParts(plan.path, size, this.partBytes).catch(() => undefined) : undefined;
    let built: BuiltSegment[] | typeof CANCELLED | undefined;
    let segments: Segment[] = [];
    let errors: LoadError[] = [];
    for (let attempt = 0; ; attempt++) {
      built = parts ? await this.buildParts(plan, parts, generation, onProgress) : undefined;
      if (built === CANCELLED) return;
      if (!built) {
        const whole = await this.buildSegment(plan, generation, onProgress);
        if (!whole) return;
        built = [whole];
      }
      segments = built.map(b => b.segment);
      errors = built.flatMap(b => b.errors);
      if (built.length > 1) {
        errors.push(...await duplicatesAcrossParts(segments));
        errors.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
      }
      if (this.builds.get(plan.path) !== mine || generation !== this.generation) {
        for (const b of built) b.segment.close(); // a newer build of this file (newer text), or a new plan, is under way
        return;
      }
      // Generated keys must differ from the other files' keys. The workers avoided the files
      // indexed when they started; one swapped in since (builds run in parallel) is checked here,
      // right before this file's swap with nothing in between, and the file is built again.
      const indexed = this.index.segmentsExcept(plan.path).map(s => s.keyHashes);
      if (attempt < 2 && segments.some(s => generatedKeyTaken(s.papers, indexed))) {
        for (const b of built) b.segment.close();
        continue;
      }
      break;
    }
    const papers = segments.reduce((n, s) => n + s.size, 0);
    const fromCache = built.every(b => b.built.from === 'cache');
    this.index.setSource(plan.path, segments);
    this.sources.set(plan.path, {
      kind: plan.kind, from: fromCache ? 'cache' : 'parse', papers, errors,
      macros: new Map(built.flatMap(b => b.built.macros)),
      undefinedMacros: new Set(built.flatMap(b => b.built.undefinedMacros)),
    });
    this.events.onSourceErrors(plan.path, errors);
    const errs = errors.filter(e => e.severity === 'error').length;
    const how = fromCache ? 'from the index cache' : overlay ? 'unsaved editor text' : `parsed${this.cacheDir ? '' : ', no cache directory'}`;
    const notes = [...new Set(built.map(b => b.built.cacheNote).filter(Boolean))].join('; ');
    const inParts = built.length > 1 ? ` in ${built.length} parts` : '';
    this.events.log.info(`${plan.path}: ${papers} papers, ${errs} errors, ${errors.length - errs} warnings (${how}${inParts}, ${Date.now() - started} ms)${notes ? `; ${notes}` : ''}`);
  }

  /**
   * A large file's parts, each built in its own worker. Undefined when the file must be indexed
   * whole after all: a part is not UTF-8, or a crossref parent sits in another part.
   */
  private async buildParts(plan: SourcePlan, parts: FilePart[], generation: number, onProgress: (fraction: number) => void): Promise<BuiltSegment[] | typeof CANCELLED | undefined> {
    const fractions = parts.map(() => 0);
    const progress = (i: number) => (f: number) => { fractions[i] = f; onProgress(fractions.reduce((a, b) => a + b, 0) / parts.length); };
    const results = await Promise.all(parts.map((part, i) => this.buildSegment(plan, generation, progress(i), part)));
    const built = results.filter((r): r is BuiltSegment => !!r);
    const discard = () => { for (const b of built) b.segment.close(); };
    if (built.length < results.length) { discard(); return CANCELLED; }
    const unsafe = built.find(b => b.built.splitUnsafe)?.built.splitUnsafe
      ?? (crossrefAcrossParts(built) ? 'a crossref parent is in another part' : undefined);
    if (unsafe) {
      discard();
      this.events.log.info(`${plan.path}: indexed whole (${unsafe})`);
      return undefined;
    }
    // Generated keys (entries without one) must differ from every earlier part's keys too.
    for (let j = 1; j < built.length; j++) {
      const earlier = built.slice(0, j).map(b => b.segment.keyHashes);
      if (!generatedKeyTaken(built[j].segment.papers, earlier)) continue;
      const again = await this.buildSegment(plan, generation, progress(j), parts[j], earlier);
      if (!again) { discard(); return CANCELLED; }
      built[j].segment.close();
      built[j] = again;
    }
    return built;
  }

  /**
   * One file or part, built in a worker and checked. Generated keys avoid the other files' keys
   * indexed when it starts (and `siblings`, earlier parts of the same file); a file swapped in
   * meanwhile (builds run in parallel) is checked by `loadOne` right before the swap. Undefined
   * when superseded.
   */
  private async buildSegment(plan: SourcePlan, generation: number, onProgress: (fraction: number) => void, part?: FilePart, siblings: Float64Array[] = []): Promise<BuiltSegment | undefined> {
    const built = await this.build({ plan, others: this.index.segmentsExcept(plan.path), siblings, part, generation }, onProgress);
    if (!built || generation !== this.generation) return undefined;
    // Let a build waiting for the freed worker slot start before this one is checked.
    await new Promise(resolve => setImmediate(resolve));
    if (generation !== this.generation) return undefined;
    try {
      return { built, segment: Segment.fromParts(built.segment, built.storeFile, built.checked), errors: built.errors };
    } catch (e) {
      // A cached segment that fails validation (a damaged cache that passed the checksum, or a
      // bug) is rebuilt from the file, never used.
      const where = `${plan.path}${part ? ` (part ${part.index + 1} of ${part.count})` : ''}`;
      this.events.log.warn(`${where}: ${built.from === 'cache' ? 'cached index' : 'index'} rejected (${e instanceof Error ? e.message : String(e)}); rebuilding`);
      const retry = built.from === 'cache'
        ? await this.build({ plan, others: this.index.segmentsExcept(plan.path), siblings, part, generation, noCache: true }, onProgress)
        : undefined;
      if (generation !== this.generation) return undefined;
      try {
        if (!retry) throw e;
        return { built: retry, segment: Segment.fromParts(retry.segment, retry.storeFile, retry.checked), errors: retry.errors };
      } catch (e2) {
        const errors = [...built.errors, loadError(`Could not index ${where}: ${e2 instanceof Error ? e2.message : String(e2)}`, ZERO_RANGE)];
        return { built, segment: Segment.build([], plan.path), errors };
      }
    }
  }

  /** Builds one file or part in a worker once one is free (cancellable through `jobs`). */
  private async build(b: BuildArgs, onProgress: (fraction: number) => void): Promise<BuiltSource | undefined> {
    const release = await this.slots.acquire();
    try {
      if (b.generation !== this.generation) return undefined; // superseded while waiting
      const job = buildOffThread({
        file: b.plan.path,
        macros: [...this.macrosExcept(b.plan.path)],
        // Copies: a view's whole ArrayBuffer (a whole cache file) would be cloned into the worker.
        takenKeyHashes: [...b.others.map(s => s.keyHashes.slice()), ...b.siblings.map(h => h.slice())],
        cacheDir: this.cacheDir,
        noCache: b.noCache,
        part: b.part,
        text: b.part ? undefined : this.overlays.get(b.plan.path),
      }, onProgress);
      this.jobs.add(job);
      this.dispatched();
      return await job.result.finally(() => this.jobs.delete(job));
    } finally {
        release();
    }
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

const CANCELLED = Symbol('cancelled');

interface BuiltSegment { built: BuiltSource; segment: Segment; errors: LoadError[] }

interface BuildArgs {
  plan: SourcePlan;
  others: readonly Segment[];
  siblings: Float64Array[];
  part?: FilePart;
  generation: number;
  noCache?: boolean;
}

/** At most `n` holders at a time; `acquire` resolves with the release function. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) { this.free = n; }
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>(resolve => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(); else this.free++;
    };
  }
}

/** Whether a part's missing crossref parent is in another part (BibTeX matches them ignoring case). */
function crossrefAcrossParts(built: readonly BuiltSegment[]): boolean {
  return built.some((b, i) => (b.built.missingCrossrefs ?? []).some(ref =>
    built.some((o, j) => j !== i && o.segment.keysWithPrefix(ref, 64).some(d => o.segment.papers.key(d).toLowerCase() === ref))));
}

/**
 * The warnings the parser gives for a key used twice in one file, for keys used in two parts. Runs
 * on the server's thread: it yields to requests every few thousand papers (every key of a part is
 * decoded and hashed when the part shares a key hash with an earlier one: ~80 ms at 113k papers).
 */
async function duplicatesAcrossParts(segments: readonly Segment[]): Promise<LoadError[]> {
  const out: LoadError[] = [];
  for (let j = 1; j < segments.length; j++) {
    const earlier = segments.slice(0, j);
    if (!earlier.some(s => sharesHash(s.keyHashes, segments[j].keyHashes))) continue;
    const seg = segments[j];
    for (let d = 0; d < seg.size; d++) {
      if (d % 4096 === 4095) await new Promise(resolve => setImmediate(resolve));
      const key = seg.papers.key(d);
      const h = keyHash(key);
      const first = earlier.find(s => hasHash(s.keyHashes, h) && s.docsWithKey(key).length > 0);
      if (!first) continue;
      out.push(duplicateKeyWarning(seg.paper(d), first.paper(first.docsWithKey(key)[0]).range.start.line + 1));
    }
  }
  return out;
}

/** Whether two sorted arrays have a value in common. */
function sharesHash(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] === b[j]) return true;
    if (a[i] < b[j]) i++; else j++;
  }
  return false;
}

/** The note of a plan's files in the cache directory (see `CorpusManager.indexedBefore`). */
function planNotePath(dir: string, plan: readonly SourcePlan[]): string {
  return cachePath(dir, `plan\n${plan.map(p => p.path).sort().join('\n')}`).replace(/\.rwcache$/, '.rwplan');
}

/** Path, size and mtime of each planned file, in path order (-1 for a file that cannot be read). */
async function planStats(plan: readonly SourcePlan[]): Promise<[string, number, number][]> {
  const paths = plan.map(p => p.path).sort();
  return Promise.all(paths.map(p => fs.promises.stat(p).then((st): [string, number, number] => [p, st.size, st.mtimeMs], (): [string, number, number] => [p, -1, -1])));
}
