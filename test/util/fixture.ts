/**
 * Inline test fixtures in the style of texlab: the document text with the cursor marked in it.
 *
 * The cursor marker is `<|>`. A bare `|` (texlab's marker) is real syntax in LaTeX (`\verb|x|`,
 * `{l|r}`) and Markdown tables, and `$0` collides with math; `<|>` occurs in neither.
 */
import { LineIndex } from '../../server/src/corpus/positions';
import type { Pos } from '../../server/src/features/citeContext';

export const CURSOR = '<|>';

/** Removes the one cursor marker from `src`; throws if there is none or more than one. */
export function parseFixture(src: string): { text: string; pos: Pos; offset: number } {
  const offset = src.indexOf(CURSOR);
  if (offset < 0) throw new Error(`fixture has no cursor marker ${CURSOR}: ${JSON.stringify(src)}`);
  if (src.indexOf(CURSOR, offset + 1) >= 0) throw new Error(`fixture has more than one cursor marker ${CURSOR}: ${JSON.stringify(src)}`);
  const text = src.slice(0, offset) + src.slice(offset + CURSOR.length);
  return { text, pos: posAt(text, offset), offset };
}

/** LSP position (0-based line, UTF-16 column) of an offset. */
export function posAt(text: string, offset: number): Pos {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Range of the `nth` (1-based) occurrence of `needle` in `text`; throws if there is no such occurrence. */
export function rangeOf(text: string, needle: string, nth = 1): { start: Pos; end: Pos } {
  let at = -1;
  for (let k = 0; k < nth; k++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${JSON.stringify(needle)} does not occur ${nth} time(s) in ${JSON.stringify(text)}`);
  }
  return { start: posAt(text, at), end: posAt(text, at + needle.length) };
}

/** Position of `needle` in `text` (plus `offset` characters); throws if `needle` does not occur. */
export function positionOf(text: string, needle: string, offset = 0): Pos {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`fixture lacks ${JSON.stringify(needle)}`);
  return posAt(text, at + offset);
}

/** Offset of an LSP position in `text` (clamped as editors do). */
export function offsetAt(text: string, pos: Pos): number {
  return new LineIndex(text).offset(pos);
}

/** Applies non-overlapping LSP text edits to a text, as an editor does. */
export function applyEdits(text: string, edits: ReadonlyArray<{ range: { start: Pos; end: Pos }; newText: string }>): string {
  const lines = new LineIndex(text);
  const offset = (p: Pos) => lines.offset(p);
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

/** Applies one LSP text edit. */
export function applyEdit(text: string, edit: { range: { start: Pos; end: Pos }; newText: string }): string {
  return applyEdits(text, [edit]);
}
