/**
 * Adding corpus papers to a document's bibliography file: the quick fix "Add 'key' to refs.bib"
 * and `relatedWork/addToBibliography` (the "add cited papers automatically" setting). Each entry is
 * inserted at the end of the file, nothing else of the file is touched:
 * - a BibTeX file gets the entry as written when the paper comes from a `.bib` (else generated);
 * - a CSL-JSON file (`.json`) gets the item as written when the paper comes from CSL-JSON (else a
 *   generated CSL item), inserted after the last item of the array (or of `{ "items": [...] }`).
 * A key the file (or another bibliography file of the document) already has is never written.
 */
import { LineIndex } from '../corpus/positions';
import { parseBibtex } from '../corpus/bibtex';
import { parseCslJson } from '../corpus/csljson';
import type { Paper } from '../corpus/paper';
import { entryAsWritten, formatBibtex, isBibSource, sliceSource } from './bibtexExport';
import { fingerprint, type TextFingerprint } from './fileGuard';
import type { PosRange } from './citeContext';

export interface FileEdit {
  file: string;
  range: PosRange;
  newText: string;
  /** The fingerprint of the text the edit was computed against: applied only to exactly that text (see fileGuard.ts). */
  expected?: TextFingerprint;
}

export interface AppendContext {
  /** Text of a file (the target, and a paper's source to copy an entry as written); undefined when unavailable. */
  textOf(file: string): string | undefined;
}

export function isCslJsonFile(file: string): boolean {
  return /\.json$/i.test(file);
}

let lastKeys: { file: string; text: string; keys: Set<string> } | undefined;

/** The keys a bibliography file's text defines (BibTeX or CSL-JSON); the last file's are kept (several fixes ask at once). */
export function keysInText(file: string, text: string): Set<string> {
  if (lastKeys && lastKeys.file === file && lastKeys.text === text) return lastKeys.keys;
  const { papers } = isCslJsonFile(file) ? parseCslJson(text, file) : parseBibtex(text, file);
  const keys = new Set(papers.filter(p => !p.keyGenerated).map(p => p.key));
  lastKeys = { file, text, keys };
  return keys;
}

export interface AppendResult {
  edit?: FileEdit;
  /** Keys appended, in order. */
  added: string[];
  /** Keys left out: already in the file, or given twice. */
  skipped: string[];
}

/** One edit appending the papers' entries at the end of `target` (none when every key is there already). */
export function appendEntries(c: AppendContext, target: string, papers: readonly Paper[]): AppendResult {
  const text = c.textOf(target);
  if (text === undefined) return { added: [], skipped: papers.map(p => p.key) };
  const existing = keysInText(target, text);
  const added: string[] = [], skipped: string[] = [];
  const todo: Paper[] = [];
  for (const p of papers) {
    if (existing.has(p.key) || added.includes(p.key)) { skipped.push(p.key); continue; }
    added.push(p.key);
    todo.push(p);
  }
  if (todo.length === 0) return { added, skipped };
  const computed = isCslJsonFile(target) ? appendCsl(c, target, text, todo) : appendBibtex(c, target, text, todo);
  const edit = computed && { ...computed, expected: fingerprint(text) };
  return edit ? { edit, added, skipped } : { added: [], skipped: papers.map(p => p.key) };
}

function endOf(text: string) {
  return new LineIndex(text).position(text.length);
}

/** The entry of `paper` as BibTeX: as written in its `.bib` when at hand, generated else. */
export function bibtexEntry(c: AppendContext, paper: Paper): string {
  if (isBibSource(paper.source)) {
    const source = c.textOf(paper.source);
    const raw = source !== undefined ? entryAsWritten(source, paper) : undefined;
    if (raw) return raw;
  }
  return formatBibtex(paper);
}

function appendBibtex(c: AppendContext, target: string, text: string, papers: readonly Paper[]): FileEdit {
  const end = endOf(text);
  const sep = text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  const body = papers.map(p => `${bibtexEntry(c, p)}\n`).join('\n');
  return { file: target, range: { start: end, end }, newText: `${sep}${body}` };
}

// ---- CSL-JSON ---------------------------------------------------------------------------------------

const CSL_TYPE: Record<string, string> = {
  article: 'article-journal', inproceedings: 'paper-conference', conference: 'paper-conference', incollection: 'chapter',
  inbook: 'chapter', book: 'book', phdthesis: 'thesis', mastersthesis: 'thesis', techreport: 'report', online: 'webpage', misc: 'article',
};
const CSL_TYPES = new Set(['article', 'article-journal', 'article-magazine', 'article-newspaper', 'book', 'chapter', 'paper-conference', 'report', 'thesis', 'webpage', 'dataset', 'manuscript', 'software', 'speech', 'post', 'entry-encyclopedia']);

/** A display name as a CSL name: "Ashish Vaswani" → { family: "Vaswani", given: "Ashish" }; one word or a braced organisation → { literal }. */
export function cslName(name: string): Record<string, string> {
  const n = name.replace(/\s+/g, ' ').trim();
  if (n.includes(',')) {
    const [family, ...given] = n.split(',');
    return given.join(',').trim() ? { family: family.trim(), given: given.join(',').trim() } : { literal: family.trim() };
  }
  const words = n.split(' ');
  if (words.length === 1) return { literal: n };
  let i = words.length - 1;
  while (i > 1 && /^(?:van|von|de|der|den|da|di|du|del|della|dos|le|la|ten|ter)$/.test(words[i - 1])) i--;
  return { family: words.slice(i).join(' '), given: words.slice(0, i).join(' ') };
}

/** A CSL-JSON item for a paper (what a CSL-JSON bibliography gets for a paper from another format). */
export function cslItem(p: Paper): Record<string, unknown> {
  const item: Record<string, unknown> = { id: p.key, type: CSL_TYPES.has(p.type) ? p.type : CSL_TYPE[p.type] ?? 'article' };
  if (p.title) item.title = p.title;
  if (p.authors.length) item.author = p.authors.map(cslName);
  if (p.year !== undefined) item.issued = { 'date-parts': [[p.year]] };
  if (p.venue) item['container-title'] = p.venue;
  if (p.doi) item.DOI = p.doi;
  if (p.url) item.URL = p.url;
  if (p.arxiv && !p.url) item.URL = `https://arxiv.org/abs/${p.arxiv}`;
  if (p.keywords) item.keyword = p.keywords;
  if (p.abstract) item.abstract = p.abstract;
  return item;
}

/** The item text for a paper: as written when it comes from a CSL-JSON file whose text is at hand, generated else. */
function cslText(c: AppendContext, p: Paper, indent: string): string {
  if (isCslJsonFile(p.source)) {
    const source = c.textOf(p.source);
    const raw = source !== undefined ? sliceSource(source, p.range).trim() : undefined;
    if (raw && raw.startsWith('{') && raw.endsWith('}') && raw.includes(JSON.stringify(p.key).slice(1, -1))) {
      try { JSON.parse(raw); return raw; } catch { /* not one item: generate */ }
    }
  }
  return JSON.stringify(cslItem(p), null, 2).split('\n').map((l, i) => (i === 0 ? l : indent + l)).join('\n');
}

/** Skips whitespace backwards from `i` (exclusive); returns the index of the previous other character, or -1. */
function prevNonSpace(text: string, i: number): number {
  let k = i - 1;
  while (k >= 0 && /\s/.test(text[k])) k--;
  return k;
}


function appendCsl(c: AppendContext, target: string, text: string, papers: readonly Paper[]): FileEdit | undefined {
  if (text.trim() === '') {
    const items = papers.map(p => `  ${cslText(c, p, '  ')}`).join(',\n');
    const end = endOf(text);
    return { file: target, range: { start: { line: 0, character: 0 }, end }, newText: `[\n${items}\n]\n` };
  }
  // The array's closing bracket: the last character, or (for `{ "items": [...] }`) the last before the closing brace.
  let close = prevNonSpace(text, text.length);
  if (text[close] === '}') close = prevNonSpace(text, close);
  if (close < 0 || text[close] !== ']') return undefined;
  const last = prevNonSpace(text, close);
  if (last < 0) return undefined;
  // Indentation of the items: that of the last item's line, else two more than the bracket's line.
  const lineStart = text.lastIndexOf('\n', close) + 1;
  const bracketIndent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const empty = text[last] === '[';
  let indent = `${bracketIndent}  `;
  if (!empty) {
    let depth = 0, k = last;
    for (; k >= 0; k--) {
      if (text[k] === '}') depth++;
      else if (text[k] === '{' && --depth === 0) break;
    }
    const itemLine = text.lastIndexOf('\n', k) + 1;
    if (k >= 0 && /^[ \t]*$/.test(text.slice(itemLine, k))) indent = text.slice(itemLine, k);
  }
  const items = papers.map(p => `${indent}${cslText(c, p, indent)}`).join(',\n');
  const at = new LineIndex(text).position(last + 1);
  return { file: target, range: { start: at, end: at }, newText: `${empty ? '' : ','}\n${items}${empty ? `\n${bracketIndent}` : ''}` };
}

// ---- A document's bibliography -------------------------------------------------------------------------

export interface AddContext extends AppendContext {
  /** The document's bibliography files (the first one gets the entries). */
  files: readonly string[];
  /** Whether a bibliography file defines `key` (the index's or an open buffer's view). */
  fileHas(file: string, key: string): boolean;
}

export interface AddResult extends AppendResult {
  file?: string;
  missing: string[];
  reason?: string;
}

/**
 * Appends the papers' entries to the first bibliography file of a document, leaving out keys any
 * of its bibliography files has already (never a duplicate key) and papers that came from that
 * very file. `papers` holds undefined for keys the corpus does not have (reported as `missing`).
 */
export function addToBibliography(c: AddContext, wanted: ReadonlyArray<{ key: string; paper: Paper | undefined }>): AddResult {
  const missing = wanted.filter(w => !w.paper).map(w => w.key);
  const target = c.files[0];
  if (!target) return { added: [], skipped: [], missing, reason: 'the document names no bibliography file, nothing added.' };
  const skipped: string[] = [];
  const todo: Paper[] = [];
  for (const w of wanted) {
    if (!w.paper) continue;
    if (w.paper.source === target || c.files.some(f => c.fileHas(f, w.key))) skipped.push(w.key);
    else todo.push(w.paper);
  }
  const r = appendEntries(c, target, todo);
  return { edit: r.edit, added: r.added, skipped: [...skipped, ...r.skipped], missing, file: target };
}
