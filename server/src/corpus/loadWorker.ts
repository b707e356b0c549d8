/**
 * Worker-thread entry (bundled as dist/loadWorker.js): builds one corpus file's index segment
 * (`buildSource`: the cache, or read, parse and index) off the server's thread, reports progress,
 * and hands the segment's typed arrays over without copying them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildSource, transferList, type BuildRequest } from './buildSource';
import type { WorkerMessage } from './offThread';

async function main(): Promise<void> {
  const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);
  let last = 0;
  const built = await buildSource(workerData as BuildRequest, fraction => {
    const now = Date.now();
    if (now - last > 100) { last = now; post({ type: 'progress', fraction }); }
  });
  post({ type: 'built', built }, transferList(built.segment));
}

void main();
