/**
 * Which bibliography a document uses (texlab's project model, reduced to what citations need).
 * Pure: files are read through `FileAccess` (the server gives open buffers first, then disk).
 *
 * LaTeX: the project root is found from `% !TEX root = …`, from `\documentclass[main.tex]{subfiles}`,
 * from the file itself when it has a `\documentclass`, else from a workspace `.tex` file that
 * `\input`s / `\include`s / `\subfile`s / `\import`s it (transitively). The project is the root and
 * every file it includes; its bibliography is every `\bibliography{a,b}` (names with or without
 * `.bib`, spaces and line breaks allowed), `\addbibresource`, `\addglobalbib` and `\addsectionbib`
 * in any of them, resolved against the root's directory, then the including file's, then the
 * `BIBINPUTS` directories (`//` at the end of one: searched recursively). `\bibitem`s of a
 * `thebibliography` define keys too, and `\nocite{*}` cites every entry.
 *
 * Pandoc Markdown / Quarto / R Markdown: `bibliography:` in the YAML front matter (a string, a flow
 * list `[a.bib, b.bib]` or a block list), relative to the document; else the nearest `_quarto.yml`
 * above it (relative to that file). Inline `references:` items (`- id: key`) define keys.
 */
import path from 'node:path';
import { LineIndex } from '../corpus/positions';
import { citeSyntaxOf, type PosRange } from './citeContext';

export interface FileAccess {
  /** The text of a file: the open buffer, else the file on disk; undefined when it cannot be read. */
  read(file: string): string | undefined;
  exists(file: string): boolean;
  /** Workspace `.tex` files that may include others (to find the root of an included file). */
  texFiles(): readonly string[];
  /** Directories of `BIBINPUTS`. */
  bibInputs: readonly string[];
  /** Subdirectories of a directory (for `BIBINPUTS` entries ending in `//`). */
  subdirs?(dir: string): string[];
  /** Kept across calls so that a file's structure is scanned once per text, not once per check. */
  factsCache?: TexFactsCache;
}

/** A file's LaTeX structure by its text: a project's files are scanned again only when they change. */
export class TexFactsCache {
  private readonly byFile = new Map<string, { text: string; facts: TexFacts }>();
  get(file: string, text: string): TexFacts {
    const hit = this.byFile.get(file);
    if (hit && hit.text === text) return hit.facts;
    const facts = texFacts(text);
    this.byFile.set(file, { text, facts });
    return facts;
  }
  forget(file: string): void { this.byFile.delete(file); }
}

/** A bibliography named by a document: the name as written and where. */
export interface BibResource {
  name: string;
  /** The document that names it, and the name's range there. */
  document: string;
  range: PosRange;
  /** The resolved file, when it exists. */
  file?: string;
}

export interface Bibitem { key: string; document: string; range: PosRange }

export interface DocumentBibliography {
  /** The project's root document (the document itself when it is not part of a larger project). */
  root: string;
  /** The root and every document it includes (transitively), root first. */
  documents: string[];
  /** Every bibliography the project names, found or not. */
  resources: BibResource[];
  /** The resolved bibliography files, in order, without repeats. */
  files: string[];
  /** `\bibitem`s of `thebibliography` environments, and Pandoc's inline `references`. */
  bibitems: Bibitem[];
  /** `\nocite{*}`: every entry of the bibliography counts as cited. */
  nociteAll: boolean;
  /** True when the project names a bibliography or has `\bibitem`s: its citations are checked against exactly those. */
  declared: boolean;
}

const MAX_PROJECT_FILES = 500;
const MAX_PARENT_SCAN = 5000;

export function discoverBibliography(file: string, text: string, languageId: string, fs: FileAccess): DocumentBibliography {
  const syntax = citeSyntaxOf(languageId);
  if (syntax === 'pandoc') return pandocBibliography(file, text, fs);
  if (syntax === 'latex') return latexBibliography(file, text, fs);
  return { root: file, documents: [file], resources: [], files: [], bibitems: [], nociteAll: false, declared: false };
}

// ---- LaTeX -----------------------------------------------------------------------------------------

/** One argument of a command: its text (without the braces) and offsets of that text. */
export interface LatexArg { text: string; start: number; end: number }
export interface LatexCommand { name: string; start: number; args: LatexArg[]; optional: LatexArg[] }

const BIB_COMMANDS = new Set(['bibliography', 'addbibresource', 'addglobalbib', 'addsectionbib', 'nobibliography']);
const INCLUDE_COMMANDS = new Set(['input', 'include', 'subfile', 'subfileinclude', 'import', 'subimport', 'inputfrom', 'subinputfrom', 'includefrom', 'subincludefrom']);
/** Commands whose first two arguments are a directory and a file (the `import` package). */
const TWO_ARG_INCLUDES = new Set(['import', 'subimport', 'inputfrom', 'subinputfrom', 'includefrom', 'subincludefrom']);
const STRUCTURE_COMMANDS = new Set([...BIB_COMMANDS, ...INCLUDE_COMMANDS, 'documentclass', 'bibitem', 'nocite']);

/** Environments whose content is not LaTeX (no citations, no commands). */
const VERBATIM_ENVS = ['verbatim', 'Verbatim', 'BVerbatim', 'LVerbatim', 'lstlisting', 'minted', 'comment', 'alltt', 'filecontents', 'filecontents*', 'verbatim*', 'Verbatim*'];

/**
 * Offset ranges `[start, end)` of verbatim text in LaTeX: verbatim-like environments (`verbatim`,
 * `lstlisting`, `minted`, `comment`, …) and `\verb|…|` / `\lstinline|…|`. Citations there are not
 * citations. Comments are not included (the citation scanner skips them itself).
 */
export function latexVerbatimRanges(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = /\\begin\s*\{([A-Za-z]+\*?)\}|\\(?:verb|lstinline|mintinline\{[^}]*\})\*?([^A-Za-z\s*{])|%/g;
  for (let m; (m = re.exec(text));) {
    if (m[0] === '%') {
      if (!isEscaped(text, m.index)) { const nl = text.indexOf('\n', m.index); re.lastIndex = nl < 0 ? text.length : nl; }
      continue;
    }
    if (isEscaped(text, m.index)) continue;
    if (m[1] !== undefined) {
      if (!VERBATIM_ENVS.includes(m[1])) continue;
      const endTag = `\\end{${m[1]}}`;
      const end = text.indexOf(endTag, re.lastIndex);
      const stop = end < 0 ? text.length : end;
      out.push([re.lastIndex, stop]);
      re.lastIndex = end < 0 ? text.length : end + endTag.length;
    } else {
      const delim = m[2];
      const close = text.indexOf(delim, re.lastIndex);
      const nl = text.indexOf('\n', re.lastIndex);
      if (close < 0 || (nl >= 0 && nl < close)) continue;
      out.push([re.lastIndex, close]);
      re.lastIndex = close + 1;
    }
  }
  return out;
}

function isEscaped(text: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && text.charCodeAt(j) === 92; j--) n++;
  return n % 2 === 1;
}

/**
 * The commands of `names` in a LaTeX text, with their `[optional]` and `{required}` arguments
 * (up to `maxArgs`), skipping comments and verbatim text.
 */
export function latexCommands(text: string, names: ReadonlySet<string>, maxArgs = 2): LatexCommand[] {
  const verbatim = latexVerbatimRanges(text);
  let v = 0;
  const out: LatexCommand[] = [];
  const re = /\\([A-Za-z]+)|%/g;
  let braces: Int32Array | undefined; // built at the first argument: where each `{` closes
  const plain: Plain = { from: 0, to: 0 };
  for (let m; (m = re.exec(text));) {
    if (m[0] === '%') {
      if (isEscaped(text, m.index)) continue;
      const nl = text.indexOf('\n', m.index);
      re.lastIndex = nl < 0 ? text.length : nl;
      continue;
    }
    while (v < verbatim.length && verbatim[v][1] <= m.index) v++;
    if (v < verbatim.length && verbatim[v][0] <= m.index) { re.lastIndex = verbatim[v][1]; continue; }
    if (isEscaped(text, m.index) || !names.has(m[1])) continue;
    const cmd: LatexCommand = { name: m[1], start: m.index, args: [], optional: [] };
    let i = re.lastIndex;
    if (text[i] === '*') i++;
    for (;;) {
      const j = skipSpace(text, i);
      const c = text[j];
      if (c === '[') {
        const end = closing(text, j, ']', braces ??= braceTable(text), plain);
        if (end < 0) break;
        cmd.optional.push({ text: text.slice(j + 1, end), start: j + 1, end });
        i = end + 1;
      } else if (c === '{' && cmd.args.length < maxArgs) {
        const end = closing(text, j, '}', braces ??= braceTable(text));
        if (end < 0) break;
        cmd.args.push({ text: text.slice(j + 1, end), start: j + 1, end });
        i = end + 1;
      } else break;
    }
    // `\input file` (TeX primitive syntax, no braces)
    if (cmd.args.length === 0 && cmd.name === 'input') {
      const arg = /^[ \t]+([^\s{}%\\]+)/.exec(text.slice(i, i + 300));
      if (arg) {
        const start = i + arg[0].length - arg[1].length;
        cmd.args.push({ text: arg[1], start, end: start + arg[1].length });
      }
    }
    out.push(cmd);
    re.lastIndex = Math.max(re.lastIndex, i);
  }
  return out;
}

function skipSpace(text: string, i: number): number {
  let newlines = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') { if (++newlines > 1) return i; continue; }
    if (c === '%' && !isEscaped(text, i)) { const nl = text.indexOf('\n', i); i = nl < 0 ? text.length : nl - 1; continue; }
    if (c !== ' ' && c !== '\t' && c !== '\r') return i;
  }
  return i;
}

/** An argument's closing bracket is looked for this far (characters). */
const MAX_ARG = 4000;

/**
 * For each `{` of the text, the offset of the `}` closing it (-1 when none does); a backslash
 * escapes the next character. One pass, so that finding many arguments stays linear (100k
 * unclosed `\cite{` would otherwise scan 4000 characters each).
 */
function braceTable(text: string): Int32Array {
  const table = new Int32Array(text.length).fill(-1);
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 123) open.push(i);
    else if (c === 125 && open.length) table[open.pop()!] = i;
  }
  return table;
}

/** A stretch `[from, to)` already scanned for a `]` and found plain (no bracket or brace): not scanned again. */
interface Plain { from: number; to: number }

/**
 * The offset of the bracket (`}` or `]`) closing the one at `i`, or -1; braces nest (jumped over
 * with `braces`). `plain` keeps what failed `]` scans found, so that 100k `\cite[` stay linear.
 */
function closing(text: string, i: number, close: '}' | ']', braces: Int32Array, plain: Plain = { from: 0, to: 0 }): number {
  if (close === '}') {
    const end = braces[i];
    return end > i && end < i + MAX_ARG ? end : -1;
  }
  const limit = Math.min(text.length, i + MAX_ARG);
  let j = plain.from < i && i < plain.to ? plain.to - 1 : i;
  let jumped = false;
  for (j++; j < limit; j++) {
    const c = text[j];
    if (c === '\\') { j++; continue; }
    if (c === '{') {
      if (braces[j] < 0) return -1; // never closed: no `]` outside it either
      j = braces[j];
      jumped = true;
    } else if (c === '}') return -1;
    else if (c === ']') return j;
  }
  if (!jumped) {
    if (!(plain.from < i && i < plain.to)) plain.from = i;
    plain.to = Math.min(j, limit);
  }
  return -1;
}

/** Names in a comma-separated argument, with their offsets (spaces, line breaks and comments trimmed). */
function splitNames(text: string, arg: LatexArg): LatexArg[] {
  const out: LatexArg[] = [];
  const re = /[^,]+/g;
  for (let m; (m = re.exec(arg.text));) {
    const raw = m[0].replace(/%[^\n]*/g, s => ' '.repeat(s.length));
    const lead = raw.length - raw.trimStart().length;
    const name = raw.trim();
    if (!name) continue;
    const start = arg.start + m.index + lead;
    out.push({ text: name, start, end: start + name.length });
  }
  return out;
}

interface TexFacts {
  commands: LatexCommand[];
  /** `% !TEX root = …` */
  magicRoot?: string;
  /** `\documentclass[main]{subfiles}`: the main file. */
  subfilesMain?: string;
  hasDocumentclass: boolean;
}

function texFacts(text: string): TexFacts {
  const commands = latexCommands(text, STRUCTURE_COMMANDS);
  const head = text.slice(0, 4000);
  const magic = /^[ \t]*%[ \t]*!\s*T[Ee]X\s+root\s*=\s*(.+?)\s*$/m.exec(head);
  const dc = commands.find(c => c.name === 'documentclass');
  const facts: TexFacts = { commands, hasDocumentclass: !!dc };
  if (magic) facts.magicRoot = magic[1];
  if (dc && dc.args[0]?.text.trim() === 'subfiles' && dc.optional[0]) facts.subfilesMain = dc.optional[0].text.trim();
  return facts;
}

function withExtension(name: string, ext: string): string[] {
  return path.extname(name).toLowerCase() === ext ? [name] : [name + ext, name];
}

/** The first candidate that exists, trying each base directory in turn. */
function resolveIn(fs: FileAccess, name: string, ext: string, bases: readonly string[]): string | undefined {
  const names = withExtension(expandHome(name), ext);
  if (path.isAbsolute(names[0])) return names.map(n => path.normalize(n)).find(n => fs.exists(n));
  for (const base of bases) {
    for (const n of names) {
      const p = path.resolve(base, n);
      if (fs.exists(p)) return p;
    }
  }
  return undefined;
}

function expandHome(name: string): string {
  return name.startsWith('~/') && process.env.HOME ? path.join(process.env.HOME, name.slice(2)) : name;
}

/** Files a document includes (resolved; the document's own directory and the root's). */
function includedFiles(facts: TexFacts, file: string, rootDir: string, fs: FileAccess): string[] {
  const out: string[] = [];
  for (const c of facts.commands) {
    if (!INCLUDE_COMMANDS.has(c.name)) continue;
    let name: string | undefined;
    let bases = [rootDir, path.dirname(file)];
    if (TWO_ARG_INCLUDES.has(c.name)) {
      if (c.args.length < 2) continue;
      const dir = c.args[0].text.trim();
      name = path.join(dir, c.args[1].text.trim());
      bases = c.name.startsWith('sub') ? [path.dirname(file), rootDir] : [rootDir, path.dirname(file)];
      if (path.isAbsolute(dir)) bases = ['/'];
    } else {
      name = c.args[0]?.text.trim();
    }
    if (!name || name.includes('#')) continue;
    const resolved = resolveIn(fs, name, '.tex', bases);
    if (resolved) out.push(resolved);
  }
  return out;
}

function latexBibliography(file: string, text: string, fs: FileAccess): DocumentBibliography {
  const facts = new Map<string, TexFacts>();
  const factsOf = (f: string): TexFacts | undefined => {
    let x = facts.get(f);
    if (!x) {
      const t = f === file ? text : fs.read(f);
      if (t === undefined) return undefined;
      x = fs.factsCache ? fs.factsCache.get(f, t) : texFacts(t);
      facts.set(f, x);
    }
    return x;
  };
  const root = findRoot(file, factsOf, fs);
  const rootDir = path.dirname(root);
  // The project: the root and what it includes, depth first in document order.
  const documents: string[] = [];
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f) || documents.length >= MAX_PROJECT_FILES) return;
    seen.add(f);
    const x = factsOf(f);
    if (!x) return;
    documents.push(f);
    for (const child of includedFiles(x, f, rootDir, fs)) visit(child);
  };
  visit(root);
  if (!seen.has(file)) documents.push(file); // a root we could not read: the document alone
  const result: DocumentBibliography = { root, documents, resources: [], files: [], bibitems: [], nociteAll: false, declared: false };
  for (const doc of documents) {
    const x = factsOf(doc)!;
    const docText = doc === file ? text : fs.read(doc) ?? '';
    let lines: LineIndex | undefined;
    const range = (a: number, b: number) => (lines ??= new LineIndex(docText)).range(a, b);
    for (const c of x.commands) {
      if (BIB_COMMANDS.has(c.name) && c.args[0]) {
        // biblatex: `\addbibresource[location=remote]{https://…}` is no file.
        if (c.optional.some(o => /location\s*=\s*remote/.test(o.text))) continue;
        for (const n of c.name === 'bibliography' || c.name === 'nobibliography' ? splitNames(docText, c.args[0]) : [trimArg(c.args[0])]) {
          if (!n.text || /^[a-z]+:\/\//i.test(n.text)) continue;
          const res: BibResource = { name: n.text, document: doc, range: range(n.start, n.end) };
          const found = resolveIn(fs, n.text, '.bib', [rootDir, path.dirname(doc)]) ?? resolveInBibInputs(fs, n.text);
          if (found) res.file = found;
          result.resources.push(res);
        }
      } else if (c.name === 'bibitem' && c.args[0]) {
        const k = trimArg(c.args[0]);
        if (k.text) result.bibitems.push({ key: k.text, document: doc, range: range(k.start, k.end) });
      } else if (c.name === 'nocite' && c.args[0] && splitNames(docText, c.args[0]).some(n => n.text === '*')) {
        result.nociteAll = true;
      }
    }
  }
  finish(result);
  return result;
}

function trimArg(a: LatexArg): LatexArg {
  const lead = a.text.length - a.text.trimStart().length;
  const t = a.text.trim();
  return { text: t, start: a.start + lead, end: a.start + lead + t.length };
}

function finish(result: DocumentBibliography): void {
  const files = new Set<string>();
  for (const r of result.resources) if (r.file) files.add(r.file);
  result.files = [...files];
  result.declared = result.resources.length > 0 || result.bibitems.length > 0;
}

/** The project root of a LaTeX file. */
function findRoot(file: string, factsOf: (f: string) => TexFacts | undefined, fs: FileAccess): string {
  const own = factsOf(file);
  if (!own) return file;
  const dir = path.dirname(file);
  if (own.magicRoot) {
    const r = resolveIn(fs, own.magicRoot, '.tex', [dir]);
    if (r) return r;
  }
  if (own.subfilesMain) {
    const r = resolveIn(fs, own.subfilesMain, '.tex', [dir]);
    if (r) return r;
  }
  if (own.hasDocumentclass || !path.isAbsolute(file)) return file; // an unsaved document is included by no one
  // Who includes this file? Walk up through including files to one with a \documentclass.
  const candidates = fs.texFiles().slice(0, MAX_PARENT_SCAN);
  const parentsOf = (child: string): string[] => candidates.filter(c => {
    if (c === child) return false;
    const x = factsOf(c);
    if (!x || !x.commands.some(k => INCLUDE_COMMANDS.has(k.name))) return false;
    // An included file's paths are relative to the root, which may be `c` itself or its own root:
    // try `c`'s directory and every ancestor directory up to the workspace.
    return includedFiles(x, c, path.dirname(c), fs).includes(child)
      || includedFiles(x, c, path.dirname(path.dirname(c)), fs).includes(child);
  });
  const seen = new Set([file]);
  let frontier = [file];
  for (let depth = 0; depth < 8 && frontier.length; depth++) {
    const next: string[] = [];
    for (const f of frontier) {
      for (const p of parentsOf(f)) {
        if (seen.has(p)) continue;
        seen.add(p);
        const x = factsOf(p);
        if (x?.magicRoot) {
          const r = resolveIn(fs, x.magicRoot, '.tex', [path.dirname(p)]);
          if (r) return r;
        }
        if (x?.hasDocumentclass && !x.subfilesMain) return p;
        next.push(p);
      }
    }
    frontier = next;
  }
  return file;
}

function resolveInBibInputs(fs: FileAccess, name: string): string | undefined {
  for (const entry of fs.bibInputs) {
    if (!entry) continue;
    const recursive = entry.endsWith('//');
    const dir = recursive ? entry.replace(/\/+$/, '') : entry;
    const direct = resolveIn(fs, name, '.bib', [dir]);
    if (direct) return direct;
    if (recursive) {
      const found = findBelow(fs, dir, withExtension(name, '.bib'), 3);
      if (found) return found;
    }
  }
  return undefined;
}

/** A file named one of `names` in a subdirectory of `dir` (a few levels down). */
function findBelow(fs: FileAccess, dir: string, names: string[], depth: number): string | undefined {
  if (depth === 0 || !fs.subdirs) return undefined;
  for (const sub of fs.subdirs(dir)) {
    for (const n of names) {
      const p = path.join(sub, n);
      if (fs.exists(p)) return p;
    }
    const deeper = findBelow(fs, sub, names, depth - 1);
    if (deeper) return deeper;
  }
  return undefined;
}

// ---- Pandoc / Quarto ---------------------------------------------------------------------------------

function pandocBibliography(file: string, text: string, fs: FileAccess): DocumentBibliography {
  const result: DocumentBibliography = { root: file, documents: [file], resources: [], files: [], bibitems: [], nociteAll: false, declared: false };
  const front = frontMatter(text);
  let lines: LineIndex | undefined;
  const range = (a: number, b: number) => (lines ??= new LineIndex(text)).range(a, b);
  if (front) {
    for (const item of yamlList(front.text, 'bibliography')) {
      const start = front.start + item.start;
      const res: BibResource = { name: item.text, document: file, range: range(start, start + item.text.length) };
      const found = resolveIn(fs, item.text, path.extname(item.text) ? path.extname(item.text).toLowerCase() : '.bib', [path.dirname(file)]);
      if (found) res.file = found;
      result.resources.push(res);
    }
    for (const ref of yamlReferenceIds(front.text)) {
      const start = front.start + ref.start;
      result.bibitems.push({ key: ref.text, document: file, range: range(start, start + ref.text.length) });
    }
    if (/^nocite:.*@\*/m.test(front.text) || /^nocite:\s*\|?\s*\n(?:[ \t]+.*\n)*?[ \t]+.*@\*/m.test(front.text)) result.nociteAll = true;
  }
  if (result.resources.length === 0) {
    // A Quarto project's `_quarto.yml` (nearest above the document).
    for (let dir = path.dirname(file), i = 0; i < 10; i++) {
      const yml = path.join(dir, '_quarto.yml');
      const t = fs.exists(yml) ? fs.read(yml) : undefined;
      if (t !== undefined) {
        let ylines: LineIndex | undefined;
        for (const item of yamlList(t, 'bibliography')) {
          const res: BibResource = { name: item.text, document: yml, range: (ylines ??= new LineIndex(t)).range(item.start, item.start + item.text.length) };
          const found = resolveIn(fs, item.text, '.bib', [dir]);
          if (found) res.file = found;
          result.resources.push(res);
        }
        break;
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  finish(result);
  return result;
}

/** The YAML metadata block at the start of a Markdown text (without its `---` lines). */
export function frontMatter(text: string): { text: string; start: number } | undefined {
  const m = /^---[ \t]*\r?\n/.exec(text);
  if (!m) return undefined;
  const close = /^(?:---|\.\.\.)[ \t]*$/m;
  const rest = text.slice(m[0].length);
  const end = close.exec(rest);
  if (!end) return undefined;
  return { text: rest.slice(0, end.index), start: m[0].length };
}

/** The values of a top-level YAML key: a scalar, a flow list or a block list, with their offsets in `yaml`. */
export function yamlList(yaml: string, key: string): Array<{ text: string; start: number }> {
  const out: Array<{ text: string; start: number }> = [];
  const re = new RegExp(`^${key}[ \\t]*:[ \\t]*(.*)$`, 'm');
  const m = re.exec(yaml);
  if (!m) return out;
  const valueStart = m.index + m[0].length - m[1].length;
  const value = m[1].replace(/\s+#.*$/, '').trimEnd();
  if (value.startsWith('[')) {
    const inner = value.slice(1, value.lastIndexOf(']') < 0 ? undefined : value.lastIndexOf(']'));
    const item = /[^,]+/g;
    for (let x; (x = item.exec(inner));) pushScalar(out, x[0], valueStart + 1 + x.index);
  } else if (value !== '' && value !== '|' && value !== '>') {
    pushScalar(out, value, valueStart);
  } else {
    // A block list: the following `- item` lines (blank and comment lines in between are fine).
    for (let offset = m.index + m[0].length + 1; offset < yaml.length;) {
      const nl = yaml.indexOf('\n', offset);
      const end = nl < 0 ? yaml.length : nl;
      const line = yaml.slice(offset, end).replace(/\r$/, '');
      const item = /^([ \t]*-[ \t]+)(.*)$/.exec(line);
      if (item) pushScalar(out, item[2].replace(/\s+#.*$/, ''), offset + item[1].length);
      else if (!/^[ \t]*(#.*)?$/.test(line)) break;
      offset = end + 1;
    }
  }
  return out;
}

function pushScalar(out: Array<{ text: string; start: number }>, raw: string, start: number): void {
  const lead = raw.length - raw.trimStart().length;
  let t = raw.trim();
  let s = start + lead;
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) { t = t.slice(1, -1); s++; }
  if (t) out.push({ text: t, start: s });
}

/** `id:` values of Pandoc's inline `references:` list. */
function yamlReferenceIds(yaml: string): Array<{ text: string; start: number }> {
  const out: Array<{ text: string; start: number }> = [];
  const m = /^references[ \t]*:[ \t]*$/m.exec(yaml);
  if (!m) return out;
  const re = /^[ \t]+(?:-[ \t]+)?id[ \t]*:[ \t]*(.+)$|^\S/gm;
  re.lastIndex = m.index + m[0].length;
  for (let x; (x = re.exec(yaml));) {
    if (x[1] === undefined) break; // the next top-level key
    pushScalar(out, x[1].replace(/\s+#.*$/, ''), x.index + x[0].length - x[1].length);
  }
  return out;
}
