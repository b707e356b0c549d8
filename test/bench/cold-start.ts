/**
 * One cold start over LSP with the server's log (where the time goes while a corpus is indexed).
 *   node out/test/bench/cold-start.js [--part-bytes N] [FILE...]   (default: ACM-CR); a fresh cache
 *   directory each run; `--part-bytes` sets the size of the parts a large .bib is indexed in
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestServer } from '../lsp/lspClient';
import { acmCrBib } from './corpora';

const args = process.argv.slice(2);
const partAt = args.indexOf('--part-bytes');
const partBytes = partAt >= 0 ? Number(args.splice(partAt, 2)[1]) : undefined;
const files = args;
const corpus = files.length ? files : [acmCrBib()];
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cold-'));
async function main(): Promise<void> {
  const t0 = Date.now();
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cold-ws-'));
  const server = await TestServer.start({ folders: [folder], initializationOptions: { corpus, sampleCorpus: 'never', cacheDir, indexPartBytes: partBytes } });
  const status = await server.waitForStatus(s => s.ready && s.papers > 0);
  console.log(`ready in ${Date.now() - t0} ms: ${status.papers} papers`);
  for (const line of server.logs) console.log(`  ${line}`);
  if (server.stderr) console.log(server.stderr);
  const peak = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.process.pid}/status`, 'utf8'));
  console.log(`peak ${peak ? Math.round(Number(peak[1]) / 1024) : '?'} MB`);
  await server.stop();
  for (const dir of [cacheDir, folder]) fs.rmSync(dir, { recursive: true, force: true });
}

void main();
