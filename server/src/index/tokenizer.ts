/**
 * Tokenizer shared by indexing and querying: lower case, diacritics folded ("Müller" → "muller"),
 * split on anything that is not a letter or a digit, and letter/digit boundaries split as well
 * ("vaswani2017attention" → "vaswani", "2017", "attention"; "bert4rec" → "bert", "4", "rec").
 *
 * `scanTokens` is the core: a char-code scan that hands ASCII tokens to the sink as a range of the
 * text plus the FNV-1a hash of its lower-case form, so the index builder can look terms up without
 * allocating a string per token (12M tokens for the 113k-paper ACM-CR collection). `forEachToken` is the
 * convenient string API over the same scan.
 */

/** Lucene's English stopword set: dropped at index and query time. */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no',
  'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this',
  'to', 'was', 'will', 'with',
]);

import { foldDiacritics } from '../corpus/keys';

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

const enum Kind { Other = 0, Letter = 1, Digit = 2 }

export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 16777619;

/** FNV-1a over UTF-16 code units; `scanTokens` computes the same value incrementally. */
export function hashString(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}


export interface TokenSink {
  /**
   * An ASCII token: `text.slice(start, end)` in lower case, with the `hashString` of that
   * lower-case form. Its characters are ASCII letters and digits, so `code | ASCII_LOWER` lower-cases
   * each one (the text is not lower-cased as a whole: that copy of every field cost more than the
   * scan, ~4× more on a two-byte string). Stopwords included.
   */
  ascii(text: string, start: number, end: number, hash: number, atEnd: boolean): void;
  /** A token that had non-ASCII characters, lower-cased and folded. Stopwords included. */
  folded(token: string, atEnd: boolean): void;
}

/** Or-ed into the code of an ASCII letter or digit, lower-cases it (digits are unchanged). */
export const ASCII_LOWER = 32;

/** Calls the sink for each token of `text`, in order. `atEnd`: the token ends the text. */
export function scanTokens(text: string, sink: TokenSink): void {
  const n = text.length;
  let start = -1;
  let kind = Kind.Other;
  let nonAscii = false;
  let hash = FNV_OFFSET;
  for (let i = 0; i <= n; i++) {
    let k = Kind.Other;
    let code = 0;
    if (i < n) {
      code = text.charCodeAt(i);
      if (code < 128) {
        const lower = code | ASCII_LOWER;
        if (lower >= 97 && lower <= 122) { k = Kind.Letter; code = lower; }
        else if (code >= 48 && code <= 57) k = Kind.Digit;
      } else if (LETTER_OR_DIGIT.test(text[i])) k = Kind.Letter;
    }
    if (start >= 0 && k !== kind) {
      if (nonAscii) {
        const tok = foldDiacritics(text.slice(start, i).toLowerCase());
        if (tok.length > 0) sink.folded(tok, i === n);
      } else {
        sink.ascii(text, start, i, hash, i === n);
      }
      start = -1;
    }
    if (k === Kind.Other) continue;
    if (start < 0) { start = i; nonAscii = false; hash = FNV_OFFSET; }
    kind = k;
    if (code >= 128) nonAscii = true;
    hash = Math.imul(hash ^ code, FNV_PRIME);
  }
}

/**
 * Calls `emit` for each token of `text`, in order. Stopwords are skipped unless `keepStopwords`.
 * `emit` receives the token and whether it ended the text (used to treat the last typed word as a prefix).
 */
export function forEachToken(text: string, emit: (token: string, atEnd: boolean) => void, keepStopwords = false): void {
  const take = (tok: string, atEnd: boolean) => { if (keepStopwords || !STOPWORDS.has(tok)) emit(tok, atEnd); };
  scanTokens(text, {
    ascii: (text, start, end, _hash, atEnd) => take(text.slice(start, end).toLowerCase(), atEnd),
    folded: take,
  });
}

export function tokenize(text: string, keepStopwords = false): string[] {
  const out: string[] = [];
  forEachToken(text, t => out.push(t), keepStopwords);
  return out;
}
