/**
 * Go to definition, find references and rename for citation keys (texlab's citation navigation):
 * a key under the cursor — in a citation, or the key of an entry in an open `.bib` — leads to its
 * entries (in the document's bibliography first, else anywhere in the corpus, and `\bibitem`s) and
 * to every citation of it in the workspace's LaTeX, Markdown, Quarto and R Markdown documents.
 */
import { LineIndex } from '../corpus/positions';
import type { Paper } from '../corpus/paper';
import type { BibKeys, ParsedBib } from './bibEntries';
import { entryAt } from './bibEntries';
import { latexCommands, type DocumentBibliography } from './bibliography';
import { documentCitations } from './citations';
import { citationAt, citeSyntaxOf, type PosRange, type Pos } from './citeContext';
import type { FileEdit } from './codeActions';

/** A document that may cite (open buffer or file on disk). */
export interface CitingDocument { file: string; text: string; languageId: string }

export interface KeyLocation { file: string; range: PosRange }

export interface DefinitionTarget {
  file: string;
  /** The whole entry (or record). */
  range: PosRange;
  /** The key inside it (the entry's start when the key's range is unknown). */
  selection: PosRange;
}

/** The key under the cursor and its range: in a citation, or (in a `.bib`) an entry's key. */
export function keyAt(doc: CitingDocument, pos: Pos, extraCommands: readonly string[], bib?: ParsedBib): { key: string; range: PosRange } | undefined {
  if (bib) {
    const e = entryAt(bib, pos);
    return e?.keyRange ? { key: e.key, range: e.keyRange } : undefined;
  }
  const c = citationAt(doc.text, pos, doc.languageId, [...extraCommands]);
  return c ? { key: c.key, range: c.range } : undefined;
}

export interface DefinitionContext {
  bibliography?: DocumentBibliography;
  bibOf(file: string): BibKeys | undefined;
  /** Papers with the key anywhere in the corpus. */
  corpusPapers(key: string): Paper[];
}

export function definitions(key: string, c: DefinitionContext): DefinitionTarget[] {
  const out: DefinitionTarget[] = [];
  const seen = new Set<string>();
  const fromFile = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const e of c.bibOf(file)?.entries(key) ?? []) {
      out.push({ file, range: e.range, selection: e.keyRange ?? { start: e.range.start, end: e.range.start } });
    }
  };
  for (const f of c.bibliography?.files ?? []) fromFile(f);
  for (const b of c.bibliography?.bibitems ?? []) if (b.key === key) out.push({ file: b.document, range: b.range, selection: b.range });
  if (out.length === 0) {
    for (const p of c.corpusPapers(key)) {
      const before: number = out.length;
      fromFile(p.source);
      if (out.length === before && !seen.has(`${p.source}#${p.range.start.line}`)) {
        seen.add(`${p.source}#${p.range.start.line}`);
        out.push({ file: p.source, range: p.range, selection: { start: p.range.start, end: p.range.start } });
      }
    }
  }
  return out;
}

/** Every citation of `key` in the documents (exact key, as written). */
export function citationsOf(key: string, docs: Iterable<CitingDocument>, extraCommands: readonly string[]): KeyLocation[] {
  const out: KeyLocation[] = [];
  for (const d of docs) {
    if (!d.text.includes(key)) continue;
    for (const c of documentCitations(d.text, d.languageId, extraCommands)) if (c.key === key) out.push({ file: d.file, range: c.range });
  }
  return out;
}

/** `\bibitem{key}`s in LaTeX documents. */
export function bibitemsOf(key: string, docs: Iterable<CitingDocument>): KeyLocation[] {
  const out: KeyLocation[] = [];
  for (const d of docs) {
    if (citeSyntaxOf(d.languageId) !== 'latex' || !d.text.includes('\\bibitem')) continue;
    const lines = new LineIndex(d.text);
    const pos = (o: number) => lines.position(o);
    for (const cmd of latexCommands(d.text, new Set(['bibitem']), 1)) {
      const a = cmd.args[0];
      if (!a) continue;
      const lead = a.text.length - a.text.trimStart().length;
      if (a.text.trim() === key) out.push({ file: d.file, range: { start: pos(a.start + lead), end: pos(a.start + lead + key.length) } });
    }
  }
  return out;
}

/** Why a new key is not acceptable, or undefined when it is. */
export function invalidKeyReason(name: string): string | undefined {
  if (name === '') return 'A citation key cannot be empty.';
  if (/[\s,{}%#"'()=\\~]/.test(name)) return `'${name}' is not a valid citation key: no spaces or any of , { } % # " ' ( ) = \\ ~.`;
  return undefined;
}

export interface RenameContext {
  docs: Iterable<CitingDocument>;
  /** The bibliography files whose entries may be renamed (the workspace's, and the open document's own). */
  bibs: Iterable<BibKeys>;
  extraCommands: readonly string[];
}

/** Every edit that renames `oldKey` to `newKey`: entries, `\bibitem`s and citations. */
export function renameEdits(oldKey: string, newKey: string, c: RenameContext): FileEdit[] {
  const edits: FileEdit[] = [];
  const docs = [...c.docs];
  for (const b of c.bibs) {
    for (const e of b.entries(oldKey)) if (e.keyRange) edits.push({ file: b.file, range: e.keyRange, newText: newKey });
  }
  for (const l of [...bibitemsOf(oldKey, docs), ...citationsOf(oldKey, docs, c.extraCommands)]) edits.push({ file: l.file, range: l.range, newText: newKey });
  return edits;
}
