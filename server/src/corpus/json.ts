/**
 * JSON helpers for the CSL-JSON and JSON Lines loaders. `JSON.parse` does the parsing; when it
 * fails, a small iterative scanner finds the offset of the first syntax error (V8's messages give
 * none for "Unexpected token"). `objectSpans` finds where each object of an array sits in the
 * text, since `JSON.parse` keeps no positions.
 */
import { Ch } from './chars';

export type JsonResult = { ok: true; value: unknown } | { ok: false; message: string; offset: number };

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(text: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const offset = Math.min(syntaxErrorOffset(text), text.length);
    const what = offset >= text.length ? 'end of input' : `'${String.fromCodePoint(text.codePointAt(offset)!)}'`;
    return { ok: false, message: `Invalid JSON: unexpected ${what}`, offset };
  }
}

const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

function skipSpace(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  return i;
}

/** Past the string starting at `i` (a `"`), or -1-offset of the bad character if it is invalid. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === Ch.Quote) return j + 1;
    if (c === Ch.Backslash) j++;
    else if (c < 32) return -1 - j;
  }
  return -1 - text.length;
}

/** Offset of the first JSON syntax error in `text` (its length if the text just ends too early). */
function syntaxErrorOffset(text: string): number {
  const stack: number[] = [];
  let expect: 'value' | 'key' | 'after' = 'value';
  let i = 0;
  for (;;) {
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (expect === 'value') {
      if (c === Ch.LBrace || c === Ch.LBracket) {
        stack.push(c);
        i = skipSpace(text, i + 1);
        const close = c === Ch.LBrace ? Ch.RBrace : Ch.RBracket;
        if (text.charCodeAt(i) === close) { stack.pop(); i++; expect = 'after'; } else expect = c === Ch.LBrace ? 'key' : 'value';
        continue;
      }
      if (c === Ch.Quote) {
        i = stringEnd(text, i);
        if (i < 0) return -1 - i;
      } else {
        SCALAR.lastIndex = i;
        if (!SCALAR.test(text)) return i;
        i = SCALAR.lastIndex;
      }
      expect = 'after';
    } else if (expect === 'key') {
      if (c !== Ch.Quote) return i;
      i = stringEnd(text, i);
      if (i < 0) return -1 - i;
      i = skipSpace(text, i);
      if (text.charCodeAt(i) !== Ch.Colon) return i;
      i++;
      expect = 'value';
    } else if (top === undefined) {
      return i; // trailing text after the top-level value (or, if none, the end)
    } else if (c === Ch.Comma) {
      i++;
      expect = top === Ch.LBrace ? 'key' : 'value';
    } else if (c === (top === Ch.LBrace ? Ch.RBrace : Ch.RBracket)) {
      stack.pop();
      i++;
    } else {
      return i;
    }
  }
}

/**
 * Start and end offsets of the objects that are elements of arrays nested `depth` containers deep
 * (1: the elements of a top-level array; 2: of an array inside the top-level object), in order.
 * The text must be valid JSON.
 */
export function objectSpans(text: string, depth: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const stack: number[] = [];
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === Ch.Quote) {
      i = stringEnd(text, i) - 1;
      if (i < 0) break;
    } else if (c === Ch.LBrace || c === Ch.LBracket) {
      if (c === Ch.LBrace && stack.length === depth && stack[depth - 1] === Ch.LBracket) open = i;
      stack.push(c);
    } else if (c === Ch.RBrace || c === Ch.RBracket) {
      stack.pop();
      if (c === Ch.RBrace && stack.length === depth && open >= 0) { spans.push([open, i + 1]); open = -1; }
    }
  }
  return spans;
}
