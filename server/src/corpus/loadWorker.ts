/**
 * Worker-thread entry (bundled as dist/loadWorker.js): builds corpus files' index segments
 * (`buildSource`: the cache, or read, parse and index) off the server's thread, one request after
 * another, reports progress, and hands each segment's typed arrays over without copying them.
 */
import { parentPort } from 'node:worker_threads';
import { buildSource, transferList } from './buildSource';
import type { WorkerMessage, WorkerRequest } from './offThread';

const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

parentPort!.on('message', async ({ id, request }: WorkerRequest) => {
  let last = 0;
  const built = await buildSource(request, fraction => {
    const now = Date.now();
    if (now - last > 100) { last = now; post({ id, type: 'progress', fraction }); }
  });
  post({ id, type: 'built', built }, transferList(built.segment));
});
