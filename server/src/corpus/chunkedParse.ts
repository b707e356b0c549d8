/**
 * A large UTF-8 BibTeX text (a file, or a part of one, see `split.ts`) parsed a few MB at a time:
 * each chunk is decoded and parsed, and its papers are handed to `consume` (the segment builder,
 * which indexes and encodes them and lets go of them) before the next chunk is decoded. A worker
 * then holds one chunk's text and papers at a time instead of a whole part's (the decoded text of
 * a 32 MB part alone is a 64 MB two-byte string, and its papers several times that).
 *
 * Chunks are cut where parts are cut (a line that starts an entry: the parser never lets a value
 * run past one), so each parses as that stretch of the whole text would. What crosses chunks is
 * settled here as the corpus manager settles it across parts: `@string` macros defined earlier
 * apply later, line numbers run on, a key of an earlier chunk is reported as a duplicate, a
 * generated key avoids the keys of earlier chunks, and at most 1,000 syntax errors are listed in
 * all. A `crossref` parent in another chunk cannot be settled after the fact: then the result is
 * undefined and the caller parses the text whole.
 */
import { isUtf8 } from 'node:buffer';
import { MAX_ERRORS, parseBibtex, unlistedWarning } from './bibtex';
import { baseKey, uniqueKey } from './keys';
import type { LoadError, Paper } from './paper';
import { loadError } from './records';
import { entryLineStart, splittableHead } from './split';

/** Target size of a chunk; a text is chunked when it is at least 1.5 chunks long. */
export const CHUNK_BYTES = 4 << 20;

export interface ChunkedParse {
  errors: LoadError[];
  /** The text's own `@string` macros, in definition order. */
  macros: Map<string, string>;
  undefinedMacros: Set<string>;
  missingCrossrefs: Set<string>;
}

/** Whether `bytes` can be parsed in chunks: long enough, UTF-8, and no other encoding declared. */
export function chunkable(bytes: Uint8Array, chunkBytes = CHUNK_BYTES): boolean {
  return bytes.length >= chunkBytes * 1.5 && splittableHead(bytes.subarray(0, 4096)) && isUtf8(bytes);
}

/** Where chunks start (the first is 0), cut at lines that start an entry, about `chunkBytes` apart. */
export function chunkStarts(bytes: Uint8Array, chunkBytes = CHUNK_BYTES): number[] {
  const starts = [0];
  for (let nominal = chunkBytes; nominal < bytes.length - chunkBytes / 2;) {
    const at = entryLineStart(bytes.subarray(nominal - 1, Math.min(bytes.length, nominal - 1 + chunkBytes)));
    if (at < 0) { nominal += chunkBytes; continue; }
    const start = nominal - 1 + at;
    starts.push(start);
    nominal = start + chunkBytes;
  }
  return starts;
}

/** Line ends in `bytes` (`\r\n`, `\n` or a lone `\r`; a chunk never ends between `\r` and `\n`). */
function lineEnds(bytes: Uint8Array): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  if (buf.indexOf(0x0d) < 0) {
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) n++;
    return n;
  }
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x0a || (c === 0x0d && buf[i + 1] !== 0x0a)) n++;
  }
  return n;
}

/**
 * Parses `bytes` chunk by chunk (see above), handing each chunk's papers to `consume` with the
 * number of bytes parsed so far. Undefined when a crossref parent sits in another chunk.
 */
export function parseBibtexInChunks(
  bytes: Uint8Array, source: string, externalMacros: ReadonlyMap<string, string>, firstLine: number,
  consume: (papers: Paper[], parsedBytes: number) => void, chunkBytes = CHUNK_BYTES,
): ChunkedParse | undefined {
  const starts = chunkStarts(bytes, chunkBytes);
  const macros = new Map(externalMacros);
  const own = new Map<string, string>();
  const errors: LoadError[] = [];
  const undefinedMacros = new Set<string>();
  const missingCrossrefs = new Set<string>();
  /** Each key of the earlier chunks, with the (1-based) line of its first entry. */
  const firstAt = new Map<string, number>();
  const decoder = new TextDecoder();
  let listed = 0;
  let unlisted = 0;
  let line = firstLine;
  for (let c = 0; c < starts.length; c++) {
    const end = starts[c + 1] ?? bytes.length;
    const chunk = bytes.subarray(starts[c], end);
    const parsed = parseBibtex(decoder.decode(chunk), source, macros, { firstLine: line, maxErrors: MAX_ERRORS - listed, countOnly: true });
    for (const [name, value] of parsed.macros) {
      macros.set(name, value);
      own.delete(name); // a redefinition moves to the end, as in one parse
      own.set(name, value);
    }
    for (const m of parsed.undefinedMacros) undefinedMacros.add(m);
    for (const r of parsed.missingCrossrefs) missingCrossrefs.add(r);
    for (const e of parsed.errors) { errors.push(e); if (e.severity === 'error') listed++; }
    unlisted += parsed.unlisted;
    const { papers } = parsed;
    if (c > 0) {
      // Generated keys must not take a key of an earlier chunk (one parse sees them all).
      const here = new Set(papers.map(p => p.key));
      const inUse = { has: (k: string) => firstAt.has(k) || here.has(k), add: (k: string) => here.add(k) };
      for (const p of papers) if (p.keyGenerated && firstAt.has(p.key)) p.key = uniqueKey(baseKey(p), inUse);
      for (const p of papers) {
        const first = firstAt.get(p.key);
        if (first === undefined) continue;
        // The parser marks the key; `@type{key` puts it right after the type and the brace.
        const at = { line: p.range.start.line, character: p.range.start.character + p.type.length + 2 };
        errors.push(loadError(`Duplicate key "${p.key}" (first at line ${first}): both entries are kept`, { start: at, end: { line: at.line, character: at.character + p.key.length } }, 'warning'));
      }
    }
    for (const p of papers) if (!firstAt.has(p.key)) firstAt.set(p.key, p.range.start.line + 1);
    line += lineEnds(chunk);
    consume(papers, end);
  }
  if (missingCrossrefs.size > 0) {
    for (const key of firstAt.keys()) if (missingCrossrefs.has(key.toLowerCase())) return undefined;
  }
  errors.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  if (unlisted > 0) errors.push(unlistedWarning(unlisted, errors));
  return { errors, macros: own, undefinedMacros, missingCrossrefs };
}
