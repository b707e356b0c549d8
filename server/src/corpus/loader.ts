/**
 * Entry point for corpus files: the format from the file name, bytes to text (encodings other
 * than UTF-8 detected and reported), dispatch to the format's parser. `.gz` files are read
 * transparently. Nothing here throws: an unreadable file is one error.
 */
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { parseBibtex } from './bibtex';
import { parseCslJson } from './csljson';
import { parseJsonLines } from './jsonl';
import type { LoadResult } from './paper';
import { parsePlainText } from './plaintext';
import { loadError } from './records';

export type CorpusFormat = 'bibtex' | 'csl-json' | 'jsonl' | 'text';

export interface CorpusLoadResult extends LoadResult {
  /** BibTeX only: the file's `@string` macros, for the corpus's other files. */
  macros?: Map<string, string>;
  /** BibTeX only: macros used but defined nowhere known yet (see `parseBibtex`). */
  undefinedMacros?: Set<string>;
  /** BibTeX only: crossref parents not in the text (lower case). */
  missingCrossrefs?: Set<string>;
  /** Set when the bytes were not UTF-8 and another encoding was guessed. */
  encodingWarning?: string;
}

export interface ParseOptions {
  /** Line number of the text's first line (a part of a larger file; BibTeX only). */
  firstLine?: number;
}

const FORMATS: ReadonlyArray<[RegExp, CorpusFormat]> = [
  [/\.(?:bib|bibtex|biblatex)$/, 'bibtex'],
  [/\.json$/, 'csl-json'], // also `.csl.json`
  [/\.(?:jsonl|ndjson)$/, 'jsonl'],
  [/\.txt$/, 'text'],
];

/** The corpus format of a file, by extension (`.gz` looked through), or undefined if none. */
export function corpusFormat(path: string): CorpusFormat | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  return FORMATS.find(([re]) => re.test(name))?.[1];
}

const gunzip = promisify(zlib.gunzip);

/** The bytes decompressed if they are gzip (by their magic number), else as they are; throws if damaged. */
export async function gunzipped(bytes: Uint8Array): Promise<Uint8Array> {
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzip(bytes) : bytes;
}
const ZERO_RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export async function loadCorpusFile(path: string, externalMacros?: ReadonlyMap<string, string>): Promise<CorpusLoadResult> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    return { papers: [], errors: [loadError(`Cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, ZERO_RANGE)] };
  }
  return loadCorpusBytes(path, bytes, externalMacros);
}

/**
 * Parses a corpus file's bytes (gzip looked through, encoding detected). Pass the bytes in a box
 * (`{ bytes }`) to hand them over: the box is emptied once they are decoded, so a large file's
 * bytes can be collected while its text is parsed.
 */
export async function loadCorpusBytes(path: string, input: Uint8Array | { bytes?: Uint8Array }, externalMacros?: ReadonlyMap<string, string>, options: ParseOptions = {}): Promise<CorpusLoadResult> {
  let bytes: Uint8Array | undefined = input instanceof Uint8Array ? input : input.bytes;
  if (!(input instanceof Uint8Array)) input.bytes = undefined;
  if (!bytes) return { papers: [], errors: [loadError(`Cannot read ${path}`, ZERO_RANGE)] };
  try {
    bytes = await gunzipped(bytes);
  } catch (e) {
    return { papers: [], errors: [loadError(`Cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, ZERO_RANGE)] };
  }
  const decoded = decodeBytes(bytes);
  bytes = undefined;
  const { warning } = decoded;
  const result = parseCorpusText(decoded.text, path, externalMacros, options);
  if (warning) {
    result.errors.unshift(loadError(warning, ZERO_RANGE, 'warning'));
    result.encodingWarning = warning;
  }
  return result;
}

/** Parses a corpus file's text with the parser its name calls for. */
export function parseCorpusText(text: string, path: string, externalMacros?: ReadonlyMap<string, string>, options: ParseOptions = {}): CorpusLoadResult {
  switch (corpusFormat(path)) {
    case 'bibtex': return parseBibtex(text, path, externalMacros, options);
    case 'csl-json': return parseCslJson(text, path);
    case 'jsonl': return parseJsonLines(text, path);
    case 'text': return parsePlainText(text, path);
    default: return { papers: [], errors: [loadError(`Not a corpus file (.bib, .json, .jsonl or .txt): ${path}`, ZERO_RANGE)] };
  }
}

/**
 * Bytes → text. UTF-8 (a BOM is dropped) and BOM-marked UTF-16 silently; anything else with a
 * warning naming the encoding used: BOM-less UTF-16 (by its zero bytes), an encoding the file
 * declares (`% Encoding: windows-1252` as JabRef writes, `-*- coding: latin-1 -*-` for Emacs;
 * valid UTF-8 wins over a stale declaration), GBK when every non-ASCII byte pairs up as a GB2312
 * character, else windows-1252 (every byte decodes, so nothing is lost that was not already
 * garbled).
 */
export function decodeBytes(bytes: Uint8Array): { text: string; warning?: string } {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: decode('utf-16be', bytes) };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: decode('utf-16le', bytes) };
  const utf16 = bomlessUtf16(bytes);
  if (utf16) return { text: decode(utf16, bytes), warning: `File has no byte-order mark but looks like ${utf16.toUpperCase()}: decoded as such` };
  const utf8 = tryDecode('utf-8', bytes);
  if (utf8 !== undefined) return { text: utf8 };
  const declared = declaredEncoding(bytes);
  const asDeclared = declared && tryDecode(declared, bytes);
  if (asDeclared !== undefined) return { text: asDeclared, warning: `File is not UTF-8: decoded as ${declared}, the encoding it declares` };
  const gbk = looksLikeGbk(bytes) ? tryDecode('gb18030', bytes) : undefined;
  if (gbk !== undefined) return { text: gbk, warning: 'File is not UTF-8: decoded as GBK (gb18030), which its bytes look like' };
  return { text: decode('windows-1252', bytes), warning: 'File is not UTF-8: decoded as windows-1252 (Latin-1); accented letters may be wrong' };
}

function decode(encoding: string, bytes: Uint8Array): string {
  return tryDecode(encoding, bytes, false)!;
}

/** The text if `bytes` are valid in `encoding` (a WHATWG label), else undefined. */
function tryDecode(encoding: string, bytes: Uint8Array, fatal = true): string | undefined {
  try {
    const decoder = new TextDecoder(encoding, { fatal });
    const text = decoder.decode(bytes);
    // Node 20 decodes windows-1252 as ISO-8859-1 (0x80–0x9F become C1 controls): map those here.
    return decoder.encoding === 'windows-1252' ? text.replace(/[\x80-\x9f]/g, c => CP1252[c.charCodeAt(0) - 0x80]) : text;
  } catch {
    return undefined;
  }
}

/** windows-1252's characters for bytes 0x80–0x9F (the five unassigned ones map to themselves). */
const CP1252 = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8DŽ\x8F\x90‘’“”•–—˜™š›œ\x9DžŸ';

/** UTF-16 without BOM: in the first KB, most odd (LE) or even (BE) bytes are zero, the others not. */
function bomlessUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, 1024) & ~1;
  if (n < 4) return undefined;
  let evenZeros = 0, oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = n / 2;
  if (oddZeros > pairs * 0.6 && evenZeros === 0) return 'utf-16le';
  if (evenZeros > pairs * 0.6 && oddZeros === 0) return 'utf-16be';
  return undefined;
}

/** An encoding named in the file's first lines, as a WHATWG label (`latin-9-unix` → `l9`). */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('windows-1252').decode(bytes.subarray(0, 1024));
  const m = /(?:%\s*Encoding:|-\*-\s*coding:|coding[:=])\s*([\w.-]+)/i.exec(head);
  if (!m) return undefined;
  const label = m[1].toLowerCase().replace(/-(?:unix|dos|mac)$/, '').replace(/^latin-?(\d+)$/, 'l$1');
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

/** Every byte ≥ 0x80 is the lead of a pair in the GB2312 range (both bytes 0xA1–0xFE). */
function looksLikeGbk(bytes: Uint8Array): boolean {
  let pairs = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] < 0x80) continue;
    if (bytes[i] < 0xa1 || bytes[i] === 0xff || !(bytes[i + 1] >= 0xa1 && bytes[i + 1] <= 0xfe)) return false;
    i++;
    pairs++;
  }
  return pairs > 0;
}
