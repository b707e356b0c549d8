/** Compact forms of source ranges and load errors, for exact assertions in the corpus loader tests. */
import type { LoadError, SourceRange } from '../../server/src/corpus/paper';

export function range(startLine: number, startChar: number, endLine: number, endChar: number): SourceRange {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}

/** `severity line:char-line:char message`, 0-based as in LSP. */
export function brief(errors: readonly LoadError[]): string[] {
  return errors.map(e => `${e.severity} ${e.range.start.line}:${e.range.start.character}-${e.range.end.line}:${e.range.end.character} ${e.message}`);
}

/** Whether `r` is ordered and lies inside the text split into `lines` (an end may sit just past a line's last character). */
export function insideText(r: SourceRange, lines: readonly string[]): boolean {
  const ok = (p: SourceRange['start']) => p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line].length;
  const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  return ok(r.start) && ok(r.end) && ordered;
}
