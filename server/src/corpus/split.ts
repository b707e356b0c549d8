/**
 * Large BibTeX files are indexed in parts, one worker per part, so a 170 MB library uses both
 * cores and no worker holds more than a part's text and papers at once.
 *
 * A part boundary is a line that starts with `@` and an entry type: the parser never lets a value
 * run past such a line, so a part parses exactly as that stretch of the whole file would. What a
 * part needs from the text before it is found by `scanPrefix` (its first line number and the
 * `@string` macros defined earlier); what crosses parts afterwards (duplicate keys, crossref
 * parents) is settled by the corpus manager (a file whose crossref parents sit in another part is
 * indexed unsplit).
 *
 * Only UTF-8 (or ASCII) BibTeX is split: `.gz`, UTF-16 and files that declare another encoding
 * are read whole, as are JSON Lines files, whose generated keys must be unique across the file.
 */
import fs from 'node:fs';
import { parseBibtex } from './bibtex';
import { corpusFormat } from './loader';

/** Target size of a part; a file is split when it is at least 1.5 parts long. */
export const PART_BYTES = 32 * 1024 * 1024;

/** One stretch of a file: bytes `[start, end)`, part `index` of `count`. */
export interface FilePart {
  index: number;
  count: number;
  start: number;
  end: number;
}

/** How far past a nominal cut a boundary is looked for. */
const WINDOW = 1 << 20;

/** Whether `planParts` may split a file of this name and size (BibTeX, not gzipped, 1.5 parts or more). */
export function mayBeSplit(file: string, size: number, partBytes = PART_BYTES): boolean {
  return corpusFormat(file) === 'bibtex' && !/\.gz$/i.test(file) && size >= partBytes * 1.5;
}

/** The parts to index `file` in, or undefined to index it whole. Reads only a few small windows. */
export async function planParts(file: string, size: number, partBytes = PART_BYTES): Promise<FilePart[] | undefined> {
  if (!mayBeSplit(file, size, partBytes)) return undefined;
  const fh = await fs.promises.open(file, 'r');
  try {
    const read = async (at: number, length: number) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - at)));
      const { bytesRead } = await fh.read(buf, 0, buf.length, at);
      return buf.subarray(0, bytesRead);
    };
    if (!splittableHead(await read(0, 4096))) return undefined;
    const count = Math.max(2, 2 * Math.round(size / (2 * partBytes)));
    const ends = partEnds(count);
    const cuts: number[] = [];
    for (let k = 1; k < count; k++) {
      const nominal = Math.max(Math.round(ends[k - 1] * size), (cuts.at(-1) ?? 0) + 1);
      const window = await read(nominal - 1, WINDOW);
      const at = entryLineStart(window);
      if (at >= 0) cuts.push(nominal - 1 + at);
    }
    const bounds = [0, ...new Set(cuts), size];
    if (bounds.length < 3) return undefined;
    return bounds.slice(1).map((end, i) => ({ index: i, count: bounds.length - 1, start: bounds[i], end }));
  } finally {
    await fh.close();
  }
}

/**
 * Where the first `count - 1` parts end, as shares of the file. Parts are built two at a time,
 * each by the worker that frees first, so the last one or two run alone while the other worker
 * waits; the parts shrink from first to last (the first pair 1.25×, the last 0.75× the mean,
 * linearly), so that wait is shorter.
 */
export function partEnds(count: number): number[] {
  const pairs = count / 2;
  const weight = (k: number) => (pairs <= 1 ? 1 : 1.25 - 0.5 * Math.floor(k / 2) / (pairs - 1));
  const total = Array.from({ length: count }, (_, k) => weight(k)).reduce((a, b) => a + b, 0);
  const ends: number[] = [];
  let sum = 0;
  for (let k = 0; k < count - 1; k++) ends.push((sum += weight(k)) / total);
  return ends;
}

/** No gzip, no UTF-16 (BOM or zero bytes), no declared encoding other than UTF-8. */
export function splittableHead(head: Uint8Array): boolean {
  if ((head[0] === 0x1f && head[1] === 0x8b) || (head[0] === 0xfe && head[1] === 0xff) || (head[0] === 0xff && head[1] === 0xfe)) return false;
  if (head.includes(0)) return false;
  const declared = /(?:%\s*Encoding:|-\*-\s*coding:|coding[:=])\s*([\w.-]+)/i.exec(Buffer.from(head).toString('latin1'))?.[1];
  return !declared || /^utf-?8/i.test(declared);
}

/** Offset (in `bytes`) of the first `@` that starts a line (after `\n` or `\r`; `bytes[0]` ends the previous line, if any) and names an entry type; -1 if none. */
export function entryLineStart(bytes: Uint8Array): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = buf.indexOf(0x40, 1); i >= 0; i = buf.indexOf(0x40, i + 1)) {
    const before = buf[i - 1];
    const c = buf[i + 1] | 0x20;
    if ((before === 0x0a || before === 0x0d) && c >= 0x61 && c <= 0x7a) return i;
  }
  return -1;
}

/** What a part needs from the text before it. */
export interface Prefix {
  /** Line number (LSP: `\n`, `\r\n` or a lone `\r` end a line) at which the part starts. */
  line: number;
  /** `@string` macros defined before the part, in order (later definitions win). */
  macros: [string, string][];
}

/**
 * Bytes read at a time by `scanPrefix`: a buffer that stays in the CPU's cache (an 8 MB one,
 * fresh for every part, made the scan ~3× slower).
 */
const CHUNK = 256 << 10;

/** Defines macro `name` in `own`, macros in definition order: a redefinition moves to the end, as in one parse. */
export function defineInOrder(own: Map<string, string>, name: string, value: string): void {
  own.delete(name);
  own.set(name, value);
}

/** What the text before byte `at` gives (`at` a part boundary: a line that starts an entry). */
export interface PrefixAt extends Prefix {
  at: number;
}

/**
 * Scans `file`'s bytes before `end` in chunks: counts lines and collects `@string` definitions
 * (each read and parsed with the real parser, so values, `#` concatenation and earlier macros
 * expand exactly as they would in the whole file). With `from` (a part boundary at or before
 * `end`, and what the text before it gives), the scan starts there.
 */
export function scanPrefix(file: string, end: number, externalMacros?: ReadonlyMap<string, string>, from?: PrefixAt): Prefix {
  const fd = fs.openSync(file, 'r');
  try {
    const start = from && from.at <= end ? from : { at: 0, line: 0, macros: [] };
    let line = start.line;
    let endedWithCr = false;
    const stringAt: number[] = [];
    const buf = Buffer.alloc(Math.max(0, Math.min(CHUNK, end - start.at)) + 16);
    for (let pos = start.at; pos < end; pos += CHUNK) {
      // 16 bytes of overlap so that `@ string {` across a chunk boundary is still seen.
      const n = fs.readSync(fd, buf, 0, Math.min(CHUNK + 16, end - pos), pos);
      const own = Math.min(CHUNK, n);
      const chunk = buf.subarray(0, own);
      // A `\r\n` split between two reads was counted at its `\r` already.
      line += lineEnds(chunk) - (endedWithCr && chunk[0] === 0x0a ? 1 : 0);
      endedWithCr = chunk[own - 1] === 0x0d;
      for (let i = buf.indexOf(0x40); i >= 0 && i < own; i = buf.indexOf(0x40, i + 1)) {
        if (isStringDirective(buf, i + 1, n)) stringAt.push(pos + i);
      }
    }
    const macros = new Map<string, string>(externalMacros);
    const own = new Map<string, string>(start.macros);
    for (const [name, value] of start.macros) macros.set(name, value);
    for (const at of stringAt) {
      const lineStart = lineStartBefore(fd, at);
      const window = Buffer.alloc(Math.min(WINDOW, end - lineStart));
      const n = fs.readSync(fd, window, 0, window.length, lineStart);
      const next = entryLineStart(window.subarray(at - lineStart + 1, n));
      const snippet = window.subarray(0, next < 0 ? n : at - lineStart + 1 + next).toString('utf8');
      for (const [name, value] of parseBibtex(snippet, file, macros).macros) {
        macros.set(name, value);
        defineInOrder(own, name, value);
      }
    }
    return { line, macros: [...own] };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Line ends in `bytes` as LSP counts them (`\r\n`, `\n` or a lone `\r`); a `\r` at the very end
 * counts as one. `memchr` when there is no `\r` (5× a byte loop).
 */
export function lineEnds(bytes: Uint8Array): number {
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

/** `string`, any case, after optional blanks, then optional blanks and `{` or `(`. */
function isStringDirective(buf: Buffer, i: number, n: number): boolean {
  while (i < n && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  const word = 'string';
  for (let k = 0; k < word.length; k++, i++) if (i >= n || (buf[i] | 0x20) !== word.charCodeAt(k)) return false;
  while (i < n && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0a || buf[i] === 0x0d)) i++;
  return i < n && (buf[i] === 0x7b || buf[i] === 0x28);
}

/** Start of the line holding byte `at` (so a `%` before the `@` still comments it out). */
function lineStartBefore(fd: number, at: number): number {
  const from = Math.max(0, at - 4096);
  const buf = Buffer.alloc(at - from);
  const n = fs.readSync(fd, buf, 0, buf.length, from);
  for (let i = n - 1; i >= 0; i--) if (buf[i] === 0x0a || buf[i] === 0x0d) return from + i + 1;
  return from;
}
