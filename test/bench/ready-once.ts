/**
 * Starts dist/server.js on the given corpus files with a cache directory, waits until the index is
 * ready and prints the time and the server's peak memory (a tool for looking into start-up).
 *   node out/test/bench/ready-once.js CACHE_DIR FILE...
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestServer } from '../lsp/lspClient';

async function main(): Promise<void> {
  const [cacheDir, ...corpus] = process.argv.slice(2);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-ready-'));
  const t0 = Date.now();
  const server = await TestServer.start({ folders: [folder], initializationOptions: { corpus, sampleCorpus: 'never', cacheDir } });
  server.connection.onNotification('window/logMessage', (m: { message: string }) => console.log(`+${((Date.now() - t0) / 1000).toFixed(1)} s log: ${m.message}`));
  const timer = setInterval(() => {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${server.process.pid}/status`, 'utf8'));
    console.log(`+${((Date.now() - t0) / 1000).toFixed(1)} s rss ${m ? (Number(m[1]) / 1024).toFixed(0) : '?'} MB`);
  }, 5000);
  const s = await server.ready();
  clearInterval(timer);
  const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${server.process.pid}/status`, 'utf8'));
  console.log(`ready in ${((Date.now() - t0) / 1000).toFixed(2)} s: ${s.papers} papers, ${s.sources.map(x => x.from).join(',')}; peak ${hwm ? (Number(hwm[1]) / 1024).toFixed(0) : '?'} MB`);
  await server.stop();
  fs.rmSync(folder, { recursive: true, force: true });
}
void main();
