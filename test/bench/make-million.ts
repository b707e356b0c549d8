/**
 * Builds the 1,000,000-paper benchmark corpus by replicating the real ACM-CR records with unique
 * keys: shard k (k = 0…8) is the whole 113,512-record collection with `-r<k>` appended to every key,
 * so 9 shards hold 1,021,608 papers in 9 files of ~172 MB (a library split into files, as large
 * libraries are; no single JS string can hold 1.5 GB). Written once to
 * $TMPDIR/related-work-bench/million/ and reused while the source is unchanged.
 *   node out/test/bench/make-million.js [shards]   → prints the shard paths
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { corporaDir } from '../util/paths';
import { BENCH_DIR } from './corpora';

export const MILLION_DIR = path.join(BENCH_DIR, 'million');

export function millionShards(shards = 9): string[] {
  const gz = path.join(corporaDir, 'acm-cr/collection.bib.gz');
  fs.mkdirSync(MILLION_DIR, { recursive: true });
  const files = Array.from({ length: shards }, (_, k) => path.join(MILLION_DIR, `acm-cr-r${k}.bib`));
  const fresh = (f: string) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= fs.statSync(gz).mtimeMs && fs.statSync(f).size > 1e8;
  if (files.every(fresh)) return files;
  const text = zlib.gunzipSync(fs.readFileSync(gz)).toString('utf8');
  for (const [k, file] of files.entries()) {
    if (fresh(file)) continue;
    // Every entry head `@type{key,` gets the shard's suffix; @string/@comment/@preamble are kept.
    const shard = text.replace(/^(@(?!string|comment|preamble)[A-Za-z]+\s*[{(]\s*)([^,\s]+)(\s*,)/gim, `$1$2-r${k}$3`);
    fs.writeFileSync(`${file}.tmp`, shard);
    fs.renameSync(`${file}.tmp`, file);
  }
  return files;
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 9);
  for (const f of millionShards(n)) console.log(f);
}
