/**
 * `buildSource` in worker threads (dist/loadWorker.js next to the bundled server). Workers are
 * kept and reused for the next file or part: a new worker compiles the parser and the indexer
 * again, which cost a 30 MB part about a third more CPU. An idle worker is let go after a short
 * time, so its heap does not stay with the server. Where the worker script is not there (a test
 * bundle), or a worker dies, the file is built in-process so a corpus never goes missing. A build
 * can be cancelled (the corpus changed meanwhile): its worker is terminated.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSource, failedBuild, type BuildRequest, type BuiltSource } from './buildSource';

/** Server → worker. */
export interface WorkerRequest { id: number; request: BuildRequest }

/** Worker → server. */
export type WorkerMessage =
  | { id: number; type: 'progress'; fraction: number }
  | { id: number; type: 'built'; built: BuiltSource };

export interface BuildJob {
  /** Resolves with the built source, or undefined when cancelled. */
  result: Promise<BuiltSource | undefined>;
  cancel(): void;
}

export class WorkerPool {
  private readonly idle: { worker: Worker; timer: ReturnType<typeof setTimeout> }[] = [];
  private nextId = 0;
  /** Workers started and builds that reused one (for tests and the log). */
  readonly stats = { started: 0, reused: 0 };

  /** `script`: the worker entry; `idleMs`: how long a worker waits for the next build. */
  constructor(private readonly script: string, private readonly idleMs = 2000) {}

  /** Workers waiting for a build. */
  get idleCount(): number { return this.idle.length; }

  build(request: BuildRequest, onProgress: (fraction: number) => void): BuildJob {
    if (!fs.existsSync(this.script)) {
      let cancelled = false;
      return { result: buildHere(request, onProgress).then(b => (cancelled ? undefined : b)), cancel: () => { cancelled = true; } };
    }
    let worker: Worker | undefined;
    let finish: (b: BuiltSource | undefined) => void = () => undefined;
    let settled = false;
    const id = ++this.nextId;
    const result = new Promise<BuiltSource | undefined>(resolve => {
      finish = b => { if (!settled) { settled = true; resolve(b); } };
      let fellBack = false;
      const inProcess = () => {
        if (settled || fellBack) return;
        fellBack = true;
        worker = undefined;
        void buildHere(request, onProgress).then(finish);
      };
      const w = worker = this.take();
      w.on('message', (m: WorkerMessage) => {
        if (m.id !== id) return;
        if (m.type === 'progress') { onProgress(m.fraction); return; }
        worker = undefined;
        this.giveBack(w);
        finish(m.built);
      });
      w.on('error', inProcess);
      w.on('exit', inProcess);
      w.postMessage({ id, request } satisfies WorkerRequest);
    });
    return {
      result,
      cancel: () => {
        finish(undefined);
        const w = worker;
        worker = undefined;
        void w?.terminate();
      },
    };
  }

  /**
   * Starts workers until `count` are idle, so that builds about to be requested find them booted
   * (a worker takes ~0.1 s to start and load its script, time the server's thread spends planning).
   */
  prestart(count: number): void {
    if (!fs.existsSync(this.script)) return;
    while (this.idle.length < count) {
      this.stats.started++;
      this.giveBack(new Worker(this.script));
    }
  }

  /** Ends every idle worker now. */
  async close(): Promise<void> {
    const idle = this.idle.splice(0);
    for (const e of idle) clearTimeout(e.timer);
    await Promise.all(idle.map(e => e.worker.terminate()));
  }

  /** An idle worker, or a new one. */
  private take(): Worker {
    const kept = this.idle.pop();
    if (kept) {
      clearTimeout(kept.timer);
      kept.worker.removeAllListeners('exit').removeAllListeners('error');
      kept.worker.ref();
      this.stats.reused++;
      return kept.worker;
    }
    this.stats.started++;
    return new Worker(this.script);
  }

  /** Keeps a worker that finished a build for the next one, for `idleMs`. */
  private giveBack(worker: Worker): void {
    worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
    worker.unref(); // an idle worker does not keep the process alive
    const entry = {
      worker,
      timer: setTimeout(() => { this.forget(entry); void worker.terminate(); }, this.idleMs),
    };
    entry.timer.unref();
    worker.on('exit', () => this.forget(entry));
    // A worker that fails while idle (or while booting, when prestarted) ends; it is only dropped.
    worker.on('error', () => this.forget(entry));
    this.idle.push(entry);
  }

  private forget(entry: { worker: Worker; timer: ReturnType<typeof setTimeout> }): void {
    const i = this.idle.indexOf(entry);
    if (i >= 0) this.idle.splice(i, 1);
    clearTimeout(entry.timer);
  }
}

/** `buildSource` on this thread; a build that throws (a bug) gives an empty segment and an error. */
function buildHere(request: BuildRequest, onProgress: (fraction: number) => void): Promise<BuiltSource> {
  return buildSource(request, onProgress).catch(e => failedBuild(request.file, e));
}

/** The server's pool: the bundled worker script next to the bundled server. */
const pool = new WorkerPool(path.join(__dirname, 'loadWorker.js'));

export function buildOffThread(request: BuildRequest, onProgress: (fraction: number) => void): BuildJob {
  return pool.build(request, onProgress);
}

/** Boots up to `count` workers ahead of builds (see `WorkerPool.prestart`). */
export function prestartWorkers(count: number): void {
  pool.prestart(count);
}
