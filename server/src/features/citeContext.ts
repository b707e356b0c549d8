/**
 * Where the citations are in LaTeX and Pandoc Markdown: pure parsers (no LSP types) for completion
 * (the key being typed at the cursor), hover (the key under the cursor) and every key in a document.
 * Positions are LSP-style: 0-based lines and UTF-16 code-unit columns.
 *
 * LaTeX: every natbib/biblatex `\cite` command (plus user-named ones) with `*`, `[pre][post]`,
 * biblatex multicites `\cites(pre)(post)[pre][post]{a}[pre][post]{b}` and volume citations
 * `\volcite[pre]{volume}[pages]{key}`, spaces, newlines and comments between the parts. A key group
 * `{...}` holds comma-separated keys, which while typing may be free words (`\cite{medusa decoding`):
 * a key ends only at `,` or `}`. Comments (`%`, not `\%`) are skipped. A group left open (no `}`
 * yet) ends at the next `{`, `\`, blank line or scan limit.
 *
 * Pandoc: `[see @a, p. 33; -@b]`, author-in-text `@a [p. 33]` and `@{braced}` keys, with Pandoc's
 * key rules (starts with a letter, digit or `_`; `:.#$%&-+?<>~/` only between key characters, so
 * trailing punctuation is never part of a key). Not after a word character (e-mail addresses), and
 * not in code spans, fenced code, front matter, HTML comments, autolinks or link destinations.
 * Bracket groups (only used for `otherKeys`) end at `]` or a blank line.
 *
 * Cost: findCitations is one linear pass. The cursor queries run on every keystroke, so they scan
 * only a window of at most 40 lines / 2000 characters before the cursor and 2000 characters after
 * it; Pandoc additionally looks at the line starts before the window, because fenced code and front
 * matter are states that no bounded window can decide.
 */

export interface Pos { line: number; character: number }
export interface PosRange { start: Pos; end: Pos }
export type CiteSyntax = 'latex' | 'pandoc';

export interface CiteContext {
  syntax: CiteSyntax;
  /** The command name for LaTeX (e.g. 'citep', 'parencite', 'cites'); undefined for pandoc */
  command?: string;
  /** Range of the key being typed (the text that completion replaces); always on the cursor's line. */
  range: PosRange;
  /** Text of the key from its start up to the cursor (LaTeX: may contain spaces, e.g. free words). */
  prefix: string;
  /** All keys already present in this citation (other than the one being typed). */
  otherKeys: string[];
}

/** One citation key in a document. */
export interface CiteOccurrence { key: string; range: PosRange; syntax: CiteSyntax; command?: string }

const BACK_LINES = 40;
const BACK_CHARS = 2000;
const FORWARD_CHARS = 2000;

const LATEX_LANGUAGES = new Set(['latex', 'tex', 'plaintex', 'latex-expl3', 'doctex']);
const PANDOC_LANGUAGES = new Set(['markdown', 'quarto', 'rmd', 'rmarkdown', 'pandoc']);

export function citeSyntaxOf(languageId: string): CiteSyntax | undefined {
  return LATEX_LANGUAGES.has(languageId) ? 'latex' : PANDOC_LANGUAGES.has(languageId) ? 'pandoc' : undefined;
}

export function citeContextAt(text: string, pos: Pos, languageId: string, extraCommands?: string[]): CiteContext | undefined {
  const syntax = citeSyntaxOf(languageId);
  return syntax === 'latex' ? latexCiteContextAt(text, pos, extraCommands)
    : syntax === 'pandoc' ? pandocCiteContextAt(text, pos) : undefined;
}

export function latexCiteContextAt(text: string, pos: Pos, extraCommands?: string[]): CiteContext | undefined {
  const at = locate(text, pos);
  const from = windowStart(text, at.offset);
  if (inLatexComment(text, Math.max(from, at.lineStart), at.offset)) return undefined;
  return contextIn(text, scanLatex(text, from, forwardLimit(text, at.offset), extraCommands), at);
}

export function pandocCiteContextAt(text: string, pos: Pos): CiteContext | undefined {
  const at = locate(text, pos);
  return contextIn(text, scanPandoc(text, windowStart(text, at.offset), forwardLimit(text, at.offset)), at);
}

/**
 * Every citation key in the document, in document order. Keys are as written: in LaTeX the text
 * between separators (an unfinished `\cite{medusa decoding}` gives 'medusa decoding'; `\nocite{*}`
 * and a macro's `\cite{#1}` give nothing); in Pandoc including cross-references such as `@fig:x`
 * or `@fig-x`, which are citation syntax too.
 */
export function findCitations(text: string, languageId: string, extraCommands?: string[]): CiteOccurrence[] {
  const cites = scan(citeSyntaxOf(languageId), text, 0, text.length, extraCommands);
  const lines = new LineCounter(text);
  const out: CiteOccurrence[] = [];
  for (const cite of cites) {
    for (const slot of cite.slots) if (isKey(text, slot)) out.push(toOccurrence(text, cite, slot, lines));
  }
  return out;
}

/** The key under the cursor: the cursor anywhere inside the key or right after it. */
export function citationAt(text: string, pos: Pos, languageId: string, extraCommands?: string[]): CiteOccurrence | undefined {
  const at = locate(text, pos);
  const cites = scan(citeSyntaxOf(languageId), text, windowStart(text, at.offset), forwardLimit(text, at.offset), extraCommands);
  for (const cite of cites) {
    for (const slot of cite.slots) {
      if (slot.keyStart <= at.offset && at.offset <= slot.keyEnd && isKey(text, slot)) return toOccurrence(text, cite, slot, new LineCounter(text));
    }
  }
  return undefined;
}

// ---- Shared model -------------------------------------------------------------------------------

/** A place in a citation where a key is or may be typed (offsets into the text). */
interface Slot {
  /** Where a key typed here starts: after `{` or `,` (LaTeX), after `@` or `@{` (Pandoc). */
  from: number;
  /** Where the slot ends: at `,`, `}` or where an open group was cut (LaTeX); after the key and any trailing key punctuation (Pandoc, so `@doi:` still completes). */
  to: number;
  /** The key without surrounding spaces or trailing punctuation; empty when keyStart === keyEnd. */
  keyStart: number;
  keyEnd: number;
}

interface Cite {
  syntax: CiteSyntax;
  command?: string;
  slots: Slot[];
  /** False when the group's `}` or `]` was never found (the user is still typing it). */
  closed: boolean;
}

/** An offset with its line and line start. */
interface Anchor { offset: number; lineStart: number; line: number }

function scan(syntax: CiteSyntax | undefined, text: string, from: number, to: number, extraCommands?: string[]): Cite[] {
  return syntax === 'latex' ? scanLatex(text, from, to, extraCommands) : syntax === 'pandoc' ? scanPandoc(text, from, to) : [];
}

/** A non-empty key that is not `\nocite{*}` or a macro parameter (`\cite{#1}` in a definition). */
function isKey(text: string, slot: Slot): boolean {
  const first = text.charCodeAt(slot.keyStart);
  return slot.keyStart < slot.keyEnd && first !== HASH && !(first === STAR && slot.keyEnd - slot.keyStart === 1);
}

function toOccurrence(text: string, cite: Cite, slot: Slot, lines: LineCounter): CiteOccurrence {
  const range = { start: lines.pos(slot.keyStart), end: lines.pos(slot.keyEnd) };
  const occurrence: CiteOccurrence = { key: text.slice(slot.keyStart, slot.keyEnd), range, syntax: cite.syntax };
  if (cite.command !== undefined) occurrence.command = cite.command;
  return occurrence;
}

/** The completion context of the slot holding the cursor, if any. */
function contextIn(text: string, cites: Cite[], at: Anchor): CiteContext | undefined {
  const cur = at.offset;
  for (const cite of cites) {
    const slot = cite.slots.find(s => s.from <= cur && cur <= s.to);
    if (!slot) continue;
    // In a group still being typed, what follows the cursor is not (yet) part of the citation.
    const open = !cite.closed && slot === cite.slots[cite.slots.length - 1];
    let start = cur, end = cur;
    if (slot.keyStart < slot.keyEnd && slot.keyStart <= cur) {
      start = slot.keyStart;
      end = open ? cur : Math.max(cur, slot.keyEnd);
    }
    // A completion edit must stay on the cursor's line (keys spanning lines are free text anyway).
    if (start < at.lineStart) {
      start = at.lineStart;
      while (start < cur && isSpace(text.charCodeAt(start))) start++;
    }
    const eol = lineEnd(text, cur, text.length);
    if (end > eol) {
      end = eol;
      while (end > cur && isSpace(text.charCodeAt(end - 1))) end--;
    }
    const otherKeys = cite.slots
      .filter(s => s !== slot && s.keyStart < s.keyEnd && (cite.closed || s.to <= slot.from))
      .map(s => text.slice(s.keyStart, s.keyEnd));
    const context: CiteContext = {
      syntax: cite.syntax,
      range: { start: { line: at.line, character: start - at.lineStart }, end: { line: at.line, character: end - at.lineStart } },
      prefix: text.slice(start, cur),
      otherKeys,
    };
    if (cite.command !== undefined) context.command = cite.command;
    return context;
  }
  return undefined;
}

// ---- Text helpers -------------------------------------------------------------------------------

const NL = 10, CR = 13, SPACE = 32, TAB = 9, STAR = 42, PERCENT = 37, BACKSLASH = 92, LBRACE = 123, RBRACE = 125,
  LBRACKET = 91, RBRACKET = 93, LPAREN = 40, RPAREN = 41, COMMA = 44, AT = 64, BACKTICK = 96, TILDE = 126,
  LT = 60, GT = 62, COLON = 58, SLASH = 47, DASH = 45, DOT = 46, UNDERSCORE = 95, HASH = 35;

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === NL || c === CR || c === 12;
}

/** Index of the `\n` ending the line that holds i, or `to`. */
function lineEnd(text: string, i: number, to: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 || nl > to ? to : nl;
}

function runLength(text: string, i: number, c: number): number {
  let j = i;
  while (text.charCodeAt(j) === c) j++;
  return j - i;
}

/** Offset and line start of an LSP position (the column is clamped to the line, like LSP). */
function locate(text: string, pos: Pos): Anchor {
  let lineStart = 0, line = 0;
  if (text.includes('\r')) {
    // A lone `\r` ends a line too (LSP): count lines with every kind of break.
    const breaks = /\r\n?|\n/g;
    for (; line < pos.line && breaks.test(text); line++) lineStart = breaks.lastIndex;
    breaks.lastIndex = lineStart;
    const eol = breaks.test(text) ? breaks.lastIndex - (text[breaks.lastIndex - 2] === '\r' && text[breaks.lastIndex - 1] === '\n' ? 2 : 1) : text.length;
    return { offset: Math.min(lineStart + Math.max(0, pos.character || 0), eol), lineStart, line };
  }
  for (let nl; line < pos.line && (nl = text.indexOf('\n', lineStart)) >= 0; line++) lineStart = nl + 1;
  let eol = lineEnd(text, lineStart, text.length);
  if (eol > lineStart && text.charCodeAt(eol - 1) === CR) eol--;
  return { offset: Math.min(lineStart + Math.max(0, pos.character || 0), eol), lineStart, line };
}

/** Positions of non-decreasing offsets, in one pass over the text's newlines. */
class LineCounter {
  private line = 0;
  private lineStart = 0;
  private nextNewline: number;

  private readonly hasCr: boolean;
  private nextCr = -1;

  constructor(private readonly text: string) {
    this.hasCr = text.includes('\r');
    this.nextNewline = this.newlineFrom(0);
  }

  pos(offset: number): Pos {
    while (this.nextNewline < offset) {
      this.line++;
      this.lineStart = this.nextNewline + 1;
      this.nextNewline = this.newlineFrom(this.lineStart);
    }
    return { line: this.line, character: offset - this.lineStart };
  }

  /** The last character of the next line break (`\n`, `\r\n` or a lone `\r`, as in LSP). */
  private newlineFrom(i: number): number {
    const nl = this.text.indexOf('\n', i);
    if (this.nextCr < i) this.nextCr = this.hasCr ? this.text.indexOf('\r', i) : -1;
    if (this.nextCr < 0) this.nextCr = Infinity;
    if (this.nextCr < (nl < 0 ? Infinity : nl) && this.nextCr + 1 !== nl) return this.nextCr;
    return nl < 0 ? Infinity : nl;
  }
}

/** Where a cursor query starts scanning: a line start at most BACK_LINES lines and BACK_CHARS characters back (mid-line only when the cursor's own line is longer than that). */
function windowStart(text: string, cur: number): number {
  const lo = Math.max(0, cur - BACK_CHARS);
  let start = lo, lines = 0;
  for (let i = cur - 1; i >= lo && lines < BACK_LINES; i--) {
    if (text.charCodeAt(i) === NL) { start = i + 1; lines++; }
  }
  return lo === 0 && lines < BACK_LINES ? 0 : start;
}

function forwardLimit(text: string, cur: number): number {
  return Math.min(text.length, cur + FORWARD_CHARS);
}

// ---- LaTeX --------------------------------------------------------------------------------------

const SINGLE = ['cite', 'citep', 'citet', 'citealp', 'citealt', 'citeauthor', 'citefullauthor', 'citeyear', 'citeyearpar',
  'citenum', 'citetitle', 'citeurl', 'citedate', 'citepalias', 'citetalias', 'parencite', 'textcite', 'autocite', 'footcite',
  'footcitetext', 'smartcite', 'supercite', 'fullcite', 'footfullcite', 'nocite', 'notecite', 'pnotecite', 'fnotecite'];
const MULTI = ['cites', 'parencites', 'textcites', 'autocites', 'footcites', 'footcitetexts', 'smartcites', 'supercites'];
const VOLUME = ['volcite', 'pvolcite', 'fvolcite', 'ftvolcite', 'svolcite', 'tvolcite', 'avolcite'];
/** Each name and its capitalized form (`\Textcite`, `\Citep`, ...). */
const withCaps = (names: string[]) => new Set(names.flatMap(n => [n, n[0].toUpperCase() + n.slice(1)]));
const VOLUME_COMMANDS = withCaps([...VOLUME, ...VOLUME.map(n => n + 's')]);
const MULTI_COMMANDS = withCaps([...MULTI, ...VOLUME.map(n => n + 's')]);
const CITE_COMMANDS = new Set([...withCaps(SINGLE), ...MULTI_COMMANDS, ...VOLUME_COMMANDS]);

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function scanLatex(text: string, from: number, to: number, extraCommands?: string[]): Cite[] {
  const extra = extraCommands?.length ? new Set(extraCommands.map(n => n.replace(/^\\|\*$/g, ''))) : undefined;
  const cites: Cite[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === PERCENT) { i = lineEnd(text, i, to); continue; }
    if (c !== BACKSLASH) { i++; continue; }
    let nameEnd = i + 1;
    while (nameEnd < to && isLetter(text.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === i + 1) { i += 2; continue; } // a control symbol such as \% or \\
    const name = text.slice(i + 1, nameEnd);
    i = nameEnd;
    if (!CITE_COMMANDS.has(name) && !extra?.has(name)) continue;
    const cite: Cite = { syntax: 'latex', command: name, slots: [], closed: true };
    i = parseLatexArguments(text, i, to, cite);
    if (cite.slots.length) cites.push(cite);
  }
  return cites;
}

/** Parses the arguments after a cite command's name into `cite`; returns where scanning resumes. */
function parseLatexArguments(text: string, i: number, to: number, cite: Cite): number {
  const name = cite.command!;
  const multi = MULTI_COMMANDS.has(name) || (!CITE_COMMANDS.has(name) && name.endsWith('cites'));
  const volume = VOLUME_COMMANDS.has(name);
  // An unterminated argument swallows the text up to where it failed, as in LaTeX (and keeps the scan linear).
  if (text.charCodeAt(i) === STAR) i++;
  i = skipLatexSpace(text, i, to);
  // biblatex multicites take the global (pre)(post) notes first.
  for (let k = 0; multi && k < 2 && text.charCodeAt(i) === LPAREN; k++) {
    const arg = skipLatexBalanced(text, i, to, RPAREN);
    if (!arg.closed) return arg.end;
    i = skipLatexSpace(text, arg.end, to);
  }
  for (let groups = 0; ;) {
    while (text.charCodeAt(i) === LBRACKET) {
      const arg = skipLatexBalanced(text, i, to, RBRACKET);
      if (!arg.closed) return arg.end;
      i = skipLatexSpace(text, arg.end, to);
    }
    if (text.charCodeAt(i) !== LBRACE) return i;
    if (volume && groups % 2 === 0) {
      const arg = skipLatexBalanced(text, i, to, RBRACE); // the volume, not a key
      if (!arg.closed) return arg.end;
      i = arg.end;
    } else {
      const group = parseKeyGroup(text, i, to, cite.slots);
      i = group.end;
      if (!group.closed) { cite.closed = false; return i; }
    }
    groups++;
    if (!multi && groups === (volume ? 2 : 1)) return i;
    i = skipLatexSpace(text, i, to);
  }
}

/** Skips spaces, single newlines and comments; stops at a blank line (which ends a command's arguments). */
function skipLatexSpace(text: string, i: number, to: number): number {
  for (let newlines = 0; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === PERCENT) { i = lineEnd(text, i, to) - 1; newlines = 0; continue; }
    if (c === NL && ++newlines > 1) return i;
    if (!isSpace(c)) return i;
  }
  return i;
}

/**
 * Skips a `[...]`, `(...)` or `{...}` opened at i (braces nest inside): `end` is after its closer,
 * or, when unclosed, where it failed (a blank line, an unbalanced `}`, or `to`).
 */
function skipLatexBalanced(text: string, i: number, to: number, close: number): { end: number; closed: boolean } {
  let depth = 0, newlines = 0;
  for (i++; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === NL) { if (++newlines > 1) break; continue; }
    if (isSpace(c)) continue;
    newlines = 0;
    if (c === BACKSLASH) i++;
    else if (c === PERCENT) i = lineEnd(text, i, to) - 1;
    else if (c === close && depth === 0) return { end: i + 1, closed: true };
    else if (c === LBRACE) depth++;
    else if (c === RBRACE && depth-- === 0) break;
  }
  return { end: Math.min(i, to), closed: false };
}

/** Parses the key group whose `{` is at i, adding one slot per comma-separated key. */
function parseKeyGroup(text: string, i: number, to: number, slots: Slot[]): { end: number; closed: boolean } {
  let from = i + 1, keyStart = -1, keyEnd = -1, newlines = 0;
  const push = (at: number) => slots.push(keyStart < 0
    ? { from, to: at, keyStart: at, keyEnd: at }
    : { from, to: at, keyStart, keyEnd });
  for (let j = i + 1; j < to; j++) {
    const c = text.charCodeAt(j);
    if (c === COMMA || c === RBRACE) {
      push(j);
      if (c === RBRACE) return { end: j + 1, closed: true };
      from = j + 1;
      keyStart = -1;
      newlines = 0;
    } else if (c === LBRACE || c === BACKSLASH) {
      push(j);
      return { end: j, closed: false };
    } else if (c === NL) {
      if (++newlines > 1) { push(j); return { end: j, closed: false }; }
    } else if (c === PERCENT) {
      j = lineEnd(text, j, to) - 1;
      newlines = 0;
    } else if (!isSpace(c)) {
      newlines = 0;
      if (keyStart < 0) keyStart = j;
      keyEnd = j + 1;
    }
  }
  push(to);
  return { end: to, closed: false };
}

/** Whether the cursor follows an unescaped `%` on its line (`from` is the line start). */
function inLatexComment(text: string, from: number, cur: number): boolean {
  for (let i = from; i < cur; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === PERCENT) return true;
  }
  return false;
}

// ---- Pandoc Markdown ----------------------------------------------------------------------------

function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || isLetter(c) || c === UNDERSCORE;
  return /[\p{L}\p{N}]/u.test(String.fromCharCode(c));
}

/** Punctuation allowed inside (not at the end of) a Pandoc citation key. */
function isKeyPunctuation(c: number): boolean {
  return c === COLON || c === DOT || c === SLASH || c === DASH || c === LT || c === GT || c === TILDE
    || c === HASH || c === 36 || c === PERCENT || c === 38 || c === 43 || c === 63; // $ & + ?
}

/**
 * Scans Pandoc Markdown for citations starting in [from, to). Before `from` only the block
 * structure is followed (front matter, fences, HTML comments), at the cost of a look at each line start.
 */
function scanPandoc(text: string, from: number, to: number): Cite[] {
  const cites: Cite[] = [];
  const spans = new CodeSpans(text, to);
  let group: Cite | undefined; // the outermost open `[`
  let depth = 0;
  const closeGroup = (closed: boolean) => {
    if (group?.slots.length) { group.closed = closed; cites.push(group); }
    group = undefined;
    depth = 0;
  };
  let i = frontMatterEnd(text);
  let lineStart = true, blank = true, commentAt = -1;
  while (i < to) {
    if (lineStart) {
      lineStart = false;
      blank = true;
      const fenceEnd = fencedCodeEnd(text, i);
      if (fenceEnd >= 0) { closeGroup(false); i = fenceEnd; lineStart = true; continue; }
    }
    if (i < from) {
      // Before the window only the block state matters: fences (checked above) and HTML comments, which hide fences.
      const stop = Math.min(lineEnd(text, i, text.length) + 1, from);
      if (commentAt < i) commentAt = text.indexOf('<!--', i);
      if (commentAt < 0) commentAt = text.length;
      if (commentAt < stop) { i = htmlCommentEnd(text, commentAt); continue; }
      i = stop;
      lineStart = text.charCodeAt(i - 1) === NL;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === NL) {
      if (blank) closeGroup(false); // a blank line ends the paragraph
      lineStart = true;
      i++;
      continue;
    }
    if (!isSpace(c)) blank = false;
    if (c === BACKSLASH) i += text.charCodeAt(i + 1) === NL ? 1 : 2;
    else if (c === BACKTICK) i = spans.skip(i);
    else if (c === LT) i = text.startsWith('<!--', i) ? htmlCommentEnd(text, i) : autolinkEnd(text, i);
    else if (c === LBRACKET) {
      if (depth++ === 0) group = { syntax: 'pandoc', slots: [], closed: true };
      i++;
    } else if (c === RBRACKET) {
      if (depth > 0 && --depth === 0) closeGroup(true);
      i = text.charCodeAt(i + 1) === LPAREN ? linkDestinationEnd(text, i + 1) : i + 1;
    } else if (c === AT && text.charCodeAt(i + 1) === AT) {
      i++; // `@@`: no key after the first (and a megabyte of `@` stays cheap)
    } else if (c === AT && (i === 0 || !isWordChar(text.charCodeAt(i - 1)))) {
      const { slot, end } = parsePandocKey(text, i + 1);
      if (group) group.slots.push(slot);
      else cites.push({ syntax: 'pandoc', slots: [slot], closed: true });
      i = end;
    } else i++;
  }
  closeGroup(false);
  return cites;
}

/** The key after an `@` at `at - 1` (`{balanced braces, no spaces}` or Pandoc's simple key; possibly empty), and where scanning resumes. */
function parsePandocKey(text: string, at: number): { slot: Slot; end: number } {
  if (text.charCodeAt(at) === LBRACE) {
    let j = at + 1;
    for (let depth = 0; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (isSpace(c) || (c === RBRACE && depth-- === 0)) break;
      if (c === LBRACE) depth++;
    }
    // Unclosed braces hold no key (Pandoc reads text there), but still a place to complete one.
    const closed = text.charCodeAt(j) === RBRACE;
    return { slot: { from: at + 1, to: j, keyStart: at + 1, keyEnd: closed ? j : at + 1 }, end: closed ? j + 1 : j };
  }
  let keyEnd = at;
  if (isWordChar(text.charCodeAt(at))) {
    for (let j = at; j < text.length;) {
      const c = text.charCodeAt(j);
      if (isWordChar(c)) { keyEnd = ++j; continue; }
      const next = text.charCodeAt(j + 1);
      if (!isKeyPunctuation(c) || !(isWordChar(next) || ((c === COLON || c === SLASH) && next === SLASH))) break;
      j++;
    }
  }
  let to = keyEnd;
  while (isKeyPunctuation(text.charCodeAt(to))) to++;
  return { slot: { from: at, to, keyStart: at, keyEnd }, end: keyEnd };
}

/** The end of a YAML metadata block at the start of the text (`---`, not followed by a blank line, to `---` or `...`), else 0. */
function frontMatterEnd(text: string): number {
  if (!/^---[ \t]*\r?\n[ \t]*\S/.test(text)) return 0;
  for (let i = text.indexOf('\n') + 1; i > 0 && i < text.length;) {
    const eol = lineEnd(text, i, text.length);
    const line = text.slice(i, eol).trimEnd();
    if (line === '---' || line === '...') return Math.min(eol + 1, text.length);
    i = eol + 1;
  }
  return 0;
}

/** If a fenced code block (``` or ~~~, any indent) opens at line start i: the start of the line after its closing fence, or the text's end; else -1. */
function fencedCodeEnd(text: string, i: number): number {
  let j = i;
  while (text.charCodeAt(j) === SPACE || text.charCodeAt(j) === TAB) j++;
  const fence = text.charCodeAt(j);
  if (fence !== BACKTICK && fence !== TILDE) return -1;
  const n = runLength(text, j, fence);
  if (n < 3) return -1;
  let eol = lineEnd(text, j + n, text.length);
  if (fence === BACKTICK) {
    const tick = text.indexOf('`', j + n);
    if (tick >= 0 && tick < eol) return -1; // an info string with a backtick: inline code, not a fence
  }
  while (eol < text.length) {
    let k = eol + 1;
    while (text.charCodeAt(k) === SPACE || text.charCodeAt(k) === TAB) k++;
    const m = runLength(text, k, fence);
    eol = lineEnd(text, k, text.length);
    if (m >= n && text.slice(k + m, eol).trim() === '') return Math.min(eol + 1, text.length);
  }
  return text.length;
}

/** After the `-->` closing the HTML comment at i (an unclosed one runs to the end). */
function htmlCommentEnd(text: string, i: number): number {
  const end = text.indexOf('-->', i + 4);
  return end < 0 ? text.length : end + 3;
}

/** After an autolink `<scheme:...>` at i, else i + 1. */
function autolinkEnd(text: string, i: number): number {
  let j = i + 1;
  while (isLetter(text.charCodeAt(j)) || text.charCodeAt(j) === 43 || text.charCodeAt(j) === DASH || text.charCodeAt(j) === DOT) j++;
  if (j === i + 1 || text.charCodeAt(j) !== COLON) return i + 1;
  for (j++; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === GT) return j + 1;
    if (c === LT || isSpace(c)) break;
  }
  return i + 1;
}

/** Skips the URL of a link destination `(url ...)` at i: the run of non-space characters (parentheses balanced). */
function linkDestinationEnd(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (isSpace(c)) return j;
    if (c === LPAREN) depth++;
    else if (c === RPAREN && --depth === 0) return j + 1;
  }
  return text.length;
}

/**
 * Inline code spans (CommonMark: a run of n backticks closes at the next run of exactly n, within
 * the paragraph). Each paragraph's backtick runs are recorded once, so finding closers stays linear.
 */
class CodeSpans {
  private scannedTo = -1;
  /** Run length → start of the last run of that length seen by the latest paragraph scan. */
  private readonly lastRun = new Map<number, number>();

  constructor(private readonly text: string, private readonly limit: number) {}

  /** After the code span opened by the backtick run at i, or after the run when it opens none. */
  skip(i: number): number {
    const text = this.text;
    const n = runLength(text, i, BACKTICK);
    const after = i + n;
    if (this.scannedTo < after) this.scanParagraph(after);
    if ((this.lastRun.get(n) ?? -1) < after) return after;
    for (let j = text.indexOf('`', after); ; j = text.indexOf('`', j)) {
      const m = runLength(text, j, BACKTICK);
      if (m === n) return j + n;
      j += m;
    }
  }

  private scanParagraph(i: number): void {
    const text = this.text;
    for (let blank = false; i < this.limit; i++) {
      const c = text.charCodeAt(i);
      if (c === NL) { if (blank) break; blank = true; continue; }
      if (isSpace(c)) continue;
      blank = false;
      if (c === BACKTICK) {
        const m = runLength(text, i, BACKTICK);
        this.lastRun.set(m, i);
        i += m - 1;
      }
    }
    this.scannedTo = i;
  }
}
