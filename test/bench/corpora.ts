/**
 * Decompressed copies of the shared corpora for the benchmarks (the server is measured on plain
 * files, as users have them), kept in $TMPDIR/related-work-bench/ and rewritten only when stale.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { corporaDir } from '../util/paths';

export const BENCH_DIR = path.join(os.tmpdir(), 'related-work-bench');

/** `../shared/corpora/<gz>` decompressed to `$TMPDIR/related-work-bench/<name>`; returns that path. */
export function decompressed(gz: string, name: string): string {
  const src = path.join(corporaDir, gz);
  const out = path.join(BENCH_DIR, name);
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs) {
    fs.mkdirSync(BENCH_DIR, { recursive: true });
    fs.writeFileSync(`${out}.tmp`, zlib.gunzipSync(fs.readFileSync(src)));
    fs.renameSync(`${out}.tmp`, out);
  }
  return out;
}

export const acmCrBib = () => decompressed('acm-cr/collection.bib.gz', 'acm-cr-collection.bib');
export const mlBib = () => decompressed('ml/neurips-icml-iclr.bib.gz', 'neurips-icml-iclr.bib');
