/**
 * No lost edits: an edit to a user's file (an entry appended to a `.bib`) is computed against the
 * text the server read. It carries that text's fingerprint, and the client applies it only while the
 * file still has exactly that text — a file changed on disk (or in the editor) since is refused with
 * a message rather than edited at a position that no longer means the same place.
 * Pure: shared by the server (which fingerprints) and the client (which checks).
 */
import path from 'node:path';
import { hashString } from '../index/tokenizer';

/** A text's length and 32-bit FNV-1a hash of its UTF-16 code units (hex). */
export interface TextFingerprint { length: number; hash: string }

export function fingerprint(text: string): TextFingerprint {
  return { length: text.length, hash: (hashString(text) >>> 0).toString(16).padStart(8, '0') };
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
