/**
 * `loadCorpusFile` in a worker thread (dist/loadWorker.js next to the bundled server). Where the
 * worker script is not there (a test bundle), or the worker dies, the file is loaded in-process
 * so a corpus never goes missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadCorpusFile, type CorpusLoadResult } from './loader';
import type { LoadError, Paper } from './paper';

export interface WorkerRequest { file: string; macros: [string, string][] }
export type WorkerMessage =
  | { type: 'papers'; papers: Paper[] }
  | { type: 'done'; errors: LoadError[]; macros: [string, string][]; undefinedMacros: string[] };

const WORKER_SCRIPT = path.join(__dirname, 'loadWorker.js');

export function loadCorpusFileOffThread(file: string, macros: ReadonlyMap<string, string>): Promise<CorpusLoadResult> {
  if (!fs.existsSync(WORKER_SCRIPT)) return loadCorpusFile(file, macros);
  return new Promise(resolve => {
    const papers: Paper[] = [];
    let settled = false;
    const inProcess = () => { if (!settled) { settled = true; resolve(loadCorpusFile(file, macros)); } };
    const request: WorkerRequest = { file, macros: [...macros] };
    const worker = new Worker(WORKER_SCRIPT, { workerData: request });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'papers') {
        for (const p of m.papers) papers.push(p);
        return;
      }
      settled = true;
      resolve({ papers, errors: m.errors, macros: new Map(m.macros), undefinedMacros: new Set(m.undefinedMacros) });
      void worker.terminate();
    });
    worker.on('error', inProcess);
    worker.on('exit', inProcess);
  });
}
