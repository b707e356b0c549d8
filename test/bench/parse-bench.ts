/**
 * BibTeX parse speed on the real corpora: ACM-CR (113k entries, 172 MB) and NeurIPS/ICML/ICLR
 * (28k entries, 46 MB), decompressed in memory, each parsed 3 times; prints the median.
 *   node esbuild.mjs --tests && node out/test/bench/parse-bench.js
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import { corporaDir } from '../util/paths';

const REPS = 3;
const CORPORA = ['acm-cr/collection.bib.gz', 'ml/neurips-icml-iclr.bib.gz'];

for (const rel of CORPORA) {
  const file = path.join(corporaDir, rel);
  if (!fs.existsSync(file)) { console.log(`${rel}: not found, skipped`); continue; }
  const bytes = zlib.gunzipSync(fs.readFileSync(file));
  const text = bytes.toString('utf8');
  const times: number[] = [];
  let result = parseBibtex('', file);
  for (let i = 0; i < REPS; i++) {
    const started = process.hrtime.bigint();
    result = parseBibtex(text, file);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(REPS / 2)];
  const errors = result.errors.filter(e => e.severity === 'error').length;
  console.log(`${rel}: ${result.papers.length} entries, ${errors} errors, ${result.errors.length - errors} warnings; `
    + `median of ${REPS}: ${(ms / 1000).toFixed(2)} s = ${Math.round(result.papers.length / (ms / 1000))} entries/s, `
    + `${(bytes.length / 1e6 / (ms / 1000)).toFixed(1)} MB/s (runs: ${times.map(t => (t / 1000).toFixed(2)).join(', ')} s)`);
}
