/**
 * The anchor parser: LaTeX Workshop's BibTeX parser (`latex-utensils`) on the first 10,000 entries
 * of ACM-CR, against ours on the same text, in one run. Writes out/bench/anchor.md.
 *   node out/test/bench/anchor-bench.js [--quick]   (--quick: 1,000 entries)
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { bibtexParser } from 'latex-utensils';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import { corporaDir, repoRoot } from '../util/paths';

const quick = process.argv.includes('--quick');
const N = quick ? 1_000 : 10_000;
const text = zlib.gunzipSync(fs.readFileSync(path.join(corporaDir, 'acm-cr/collection.bib.gz'))).toString('utf8');
// The first N entries: cut before the (N+1)-th entry head.
let at = 0;
for (let i = 0; i <= N; i++) {
  const next = text.indexOf('\n@', at + 1);
  if (next < 0) { at = text.length; break; }
  at = next;
}
const slice = text.slice(0, at);
const mb = Buffer.byteLength(slice) / 1048576;

function time<T>(fn: () => T): { ms: number; value?: T; error?: string } {
  const t = process.hrtime.bigint();
  try {
    const value = fn();
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
  } catch (e) {
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

const theirs = time(() => bibtexParser.parse(slice));
const ours = time(() => parseBibtex(slice, '/acm-cr.bib'));
const theirEntries = theirs.value?.content.filter(e => bibtexParser.isEntry(e)).length;
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const report = `## Anchor: LaTeX Workshop's parser on the same entries

The first ${N.toLocaleString('en-US')} entries of ACM-CR (${mb.toFixed(1)} MB), parsed once by each, in this run.

| parser | time | entries | result |
| --- | --- | --- | --- |
| \`latex-utensils\` ${require(path.join(repoRoot, 'node_modules/latex-utensils/package.json')).version} (\`bibtexParser.parse\`) | ${fmt(theirs.ms)} | ${theirEntries ?? '—'} | ${theirs.error ? `threw: ${theirs.error.replace(/\|/g, '\\|').slice(0, 120)}` : 'ok'} |
| ours (\`parseBibtex\`, per-entry recovery) | ${fmt(ours.ms)} | ${ours.value?.papers.length ?? '—'} | ${ours.error ? `threw: ${ours.error}` : `${ours.value?.errors.length ?? 0} problems reported, rest loaded`} |
| ratio | ${(theirs.ms / ours.ms).toFixed(1)}× | | |
`;
fs.mkdirSync(path.join(repoRoot, 'out/bench'), { recursive: true });
fs.writeFileSync(path.join(repoRoot, 'out/bench/anchor.md'), report);
console.log(report);
