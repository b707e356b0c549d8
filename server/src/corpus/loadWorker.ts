/**
 * Worker-thread entry (bundled as dist/loadWorker.js): reads and parses one corpus file off the
 * server's thread and posts the papers back in batches, so the server deserialises them a batch
 * per event-loop turn and keeps answering requests while a 100k-entry file loads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCorpusFile } from './loader';
import type { WorkerMessage, WorkerRequest } from './offThread';

const BATCH = 2000;

async function main(): Promise<void> {
  const { file, macros } = workerData as WorkerRequest;
  const result = await loadCorpusFile(file, new Map(macros));
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  for (let i = 0; i < result.papers.length; i += BATCH) post({ type: 'papers', papers: result.papers.slice(i, i + BATCH) });
  post({ type: 'done', errors: result.errors, macros: [...(result.macros ?? [])], undefinedMacros: [...(result.undefinedMacros ?? [])] });
}

void main();
