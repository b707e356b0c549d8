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
import { renameTakenGeneratedKeys } from './keys';
import type { LoadError, Paper } from './paper';
import { readFully } from './readFully';
import { duplicateKeyWarning } from './records';
import { defineInOrder, entryLineStart, lineEnds, splittableHead } from './split';

/**
 * Target size of a chunk. Its text, a two-byte string of up to twice as many bytes once one
 * character is not ASCII, stays below V8's 128 KB limit for ordinary objects, so it is made in
 * the young generation, whose pages are reused. A string above it goes to the large-object space,
 * mapped fresh for each one: with 4 MB chunks that was 30% of a first index's page faults, and
 * the 113k-paper first index took 10.3 s against 7.9 s now (`docs/benchmarks.md`).
 */
export const CHUNK_BYTES = 32 << 10;
/** A text is parsed in chunks from this size on; a smaller one is parsed whole. */
export const CHUNKED_FROM = 6 << 20;

export interface ChunkedParse {
  errors: LoadError[];
  /** The text's own `@string` macros, in definition order. */
  macros: Map<string, string>;
  undefinedMacros: Set<string>;
  missingCrossrefs: Set<string>;
  /** Line number at the end of the text (`firstLine` plus its line ends). */
  endLine: number;
}

/**
 * Bytes to parse, read a stretch at a time: from memory, or from a file (`fileBytes`), so a worker
 * never holds a whole part's bytes. A returned view may be reused by the next `read`.
 */
export interface ByteSource {
  readonly length: number;
  read(start: number, end: number): Uint8Array;
}

/** A source over bytes in memory. */
export function memoryBytes(bytes: Uint8Array): ByteSource {
  return { length: bytes.length, read: (start, end) => bytes.subarray(start, end) };
}

/**
 * A source over bytes `[start, end)` of an open file, read `windowBytes` at a time into one
 * reused buffer; a read inside the bytes last read is a view of them. (Read a chunk at a time,
 * every byte was read twice, once to find where the next chunk starts and once to parse it, in
 * 32 KB system calls.)
 */
export function fileBytes(fd: number, start: number, end: number, windowBytes = 1 << 20): ByteSource {
  let window = new Uint8Array(windowBytes);
  /** The window holds the source's bytes `[from, to)`. */
  let from = 0;
  let to = 0;
  return {
    length: end - start,
    read(a, b) {
      if (a < from || b > to) {
        const size = Math.min(Math.max(b - a, windowBytes), end - start - a);
        if (size > window.length) window = new Uint8Array(size);
        readFully(fd, window.subarray(0, size), start + a);
        from = a;
        to = a + size;
      }
      return window.subarray(a - from, b - from);
    },
  };
}

/** Whether a text of `length` bytes is long enough to be parsed in chunks. */
export function worthChunking(length: number): boolean {
  return length >= CHUNKED_FROM;
}

/** Where the chunk after the one starting at `start` starts: at a line that starts an entry, about `chunkBytes` on; `src.length` after the last. */
export function nextChunkStart(src: ByteSource, start: number, chunkBytes = CHUNK_BYTES): number {
  for (let nominal = start + chunkBytes; nominal < src.length - chunkBytes / 2; nominal += chunkBytes) {
    const at = entryLineStart(src.read(nominal - 1, Math.min(src.length, nominal - 1 + chunkBytes)));
    if (at >= 0) return nominal - 1 + at;
  }
  return src.length;
}

/**
 * Parses `src` chunk by chunk (see above), handing each chunk's papers to `consume` with the number
 * of bytes parsed so far and the chunk's bytes. Not a result but the reason when the text must be
 * parsed whole after all: it is not UTF-8 (or declares another encoding), or a crossref parent
 * sits in another chunk.
 */
export function parseBibtexInChunks(
  src: ByteSource, source: string, externalMacros: ReadonlyMap<string, string>, firstLine: number,
  consume: (papers: Paper[], parsedBytes: number, chunk: Uint8Array) => void, chunkBytes = CHUNK_BYTES,
): ChunkedParse | 'encoding' | 'crossref' {
  if (!splittableHead(src.read(0, Math.min(src.length, 4096)))) return 'encoding';
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
  for (let start = 0, c = 0; start < src.length; c++) {
    const end = nextChunkStart(src, start, chunkBytes);
    const chunk = src.read(start, end);
    if (!isUtf8(chunk)) return 'encoding';
    const parsed = parseBibtex(decoder.decode(chunk), source, macros, { firstLine: line, maxErrors: MAX_ERRORS - listed, countOnly: true, transient: true });
    line += lineEnds(chunk);
    settleAcrossChunks(parsed.papers, firstAt, c > 0 ? errors : undefined);
    consume(parsed.papers, end, chunk);
    start = end;
    for (const [name, value] of parsed.macros) {
      macros.set(name, value);
      defineInOrder(own, name, value);
    }
    for (const m of parsed.undefinedMacros) undefinedMacros.add(m);
    for (const r of parsed.missingCrossrefs) missingCrossrefs.add(r);
    for (const e of parsed.errors) { errors.push(e); if (e.severity === 'error') listed++; }
    unlisted += parsed.unlisted;
  }
  if (missingCrossrefs.size > 0) {
    for (const key of firstAt.keys()) if (missingCrossrefs.has(key.toLowerCase())) return 'crossref';
  }
  errors.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  if (unlisted > 0) errors.push(unlistedWarning(unlisted, errors));
  return { errors, macros: own, undefinedMacros, missingCrossrefs, endLine: line };
}

/**
 * What one parse would have done with keys of earlier chunks (`firstAt`): generated keys avoid
 * them, and a key used again is a duplicate (warnings go to `errors`; none for the first chunk).
 * Then records this chunk's keys.
 */
function settleAcrossChunks(papers: Paper[], firstAt: Map<string, number>, errors: LoadError[] | undefined): void {
  if (errors) {
    renameTakenGeneratedKeys(papers, k => firstAt.has(k));
    for (const p of papers) {
      const first = firstAt.get(p.key);
      if (first !== undefined) errors.push(duplicateKeyWarning(p, first));
    }
  }
  for (const p of papers) if (!firstAt.has(p.key)) firstAt.set(p.key, p.range.start.line + 1);
}
