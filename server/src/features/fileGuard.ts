/**
 * No lost edits: an edit to a user's file (an entry appended to a `.bib`) is computed against the
 * text the server read. It carries that text's fingerprint, and the client applies it only while the
 * file still has exactly that text — a file changed on disk (or in the editor) since is refused with
 * a message rather than edited at a position that no longer means the same place.
 * Pure: shared by the server (which fingerprints) and the client (which checks).
 */
import path from 'node:path';

/** A text's length and 32-bit FNV-1a hash of its UTF-16 code units (hex). */
export interface TextFingerprint { length: number; hash: string }

export function fingerprint(text: string): TextFingerprint {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return { length: text.length, hash: (h >>> 0).toString(16).padStart(8, '0') };
}

/** Why an edit computed against `expected` must not be applied to the file's `current` text; undefined when it may. */
export function staleReason(file: string, current: string | undefined, expected: TextFingerprint | undefined): string | undefined {
  if (!expected) return undefined;
  const name = path.basename(file);
  if (current === undefined) return `${name} can no longer be read; nothing was written to it.`;
  const now = fingerprint(current);
  if (now.length === expected.length && now.hash === expected.hash) return undefined;
  return `${name} changed since Related Work read it; nothing was written to it (your changes are kept). Try again.`;
}

/** Offset of a (line, character) position in `text` (LSP semantics: `\n`, `\r\n` or `\r` end a line; clamped). */
export function offsetAt(text: string, pos: { line: number; character: number }): number {
  let line = 0, i = 0;
  while (line < pos.line && i < text.length) {
    const c = text.charCodeAt(i++);
    if (c === 10 || (c === 13 && text.charCodeAt(i) !== 10)) line++;
  }
  let end = i;
  while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
  return Math.min(i + Math.max(0, pos.character), end);
}

/** `text` with one range edit applied (what the editor does with a `TextEdit`). */
export function applyEdit(text: string, edit: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }): string {
  return text.slice(0, offsetAt(text, edit.range.start)) + edit.newText + text.slice(offsetAt(text, edit.range.end));
}
