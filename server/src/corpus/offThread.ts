/**
 * `buildSource` in a worker thread (dist/loadWorker.js next to the bundled server). Where the
 * worker script is not there (a test bundle), or the worker dies, the file is built in-process
 * so a corpus never goes missing. A build can be cancelled (the corpus changed meanwhile).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSource, type BuildRequest, type BuiltSource } from './buildSource';

export type WorkerMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'built'; built: BuiltSource };

const WORKER_SCRIPT = path.join(__dirname, 'loadWorker.js');

export interface BuildJob {
  /** Resolves with the built source, or undefined when cancelled. */
  result: Promise<BuiltSource | undefined>;
  cancel(): void;
}

export function buildOffThread(request: BuildRequest, onProgress: (fraction: number) => void): BuildJob {
  if (!fs.existsSync(WORKER_SCRIPT)) {
    let cancelled = false;
    return { result: buildSource(request, onProgress).then(b => (cancelled ? undefined : b)), cancel: () => { cancelled = true; } };
  }
  let worker: Worker | undefined;
  let finish: (b: BuiltSource | undefined) => void = () => undefined;
  let settled = false;
  const result = new Promise<BuiltSource | undefined>(resolve => {
    finish = b => { if (!settled) { settled = true; resolve(b); } };
    let fellBack = false;
    const inProcess = () => {
      if (settled || fellBack) return;
      fellBack = true;
      void buildSource(request, onProgress).then(finish);
    };
    worker = new Worker(WORKER_SCRIPT, { workerData: request });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') { onProgress(m.fraction); return; }
      finish(m.built);
      void worker?.terminate();
    });
    worker.on('error', inProcess);
    worker.on('exit', inProcess);
  });
  return {
    result,
    cancel: () => { finish(undefined); void worker?.terminate(); },
  };
}
