/**
 * BibTeX / BibLaTeX reader: a hand-written structural scanner with per-entry recovery. One
 * forward pass; values are sliced out of the source, and only the fields a `Paper` uses are built.
 *
 * Semantics follow BibTeX: text outside entries is a comment; `@comment` is just such text;
 * `@string` macros (case-insensitive, usable after their definition, month names built in, the
 * corpus's other files' macros passed in) and `#` concatenation; `{…}` / `"…"` values with nested
 * braces, bare numbers; `@type{key, …}` and `@type(key, …)`; entry types and field names in any
 * case; keys end at `,`, white space or (in braced entries) `}`, so DOIs and `a(b):c/d` are keys.
 * `crossref` children inherit the venue, year, editors… they lack from a parent in the same file.
 * Lenient where BibTeX is not: `%` comments out the rest of a line, also outside entries
 * (`%@article{…}` is no entry); `\{`, `\}` and `\"` do not delimit values (as in JabRef); a
 * trailing comma is fine; an entry without a key gets a generated one (with a warning).
 *
 * Recovery: a broken entry (unbalanced braces, no `=`, stray text…) becomes one `error` with the
 * range of the problem, and scanning resumes at the next `@` that starts a line (or any next `@`
 * when none does). A value never runs past a line that starts a new entry, so one unclosed brace
 * costs one entry. Undefined macros, duplicate keys and fields, missing crossref parents are
 * `warning`s and the entry is kept.
 */
import { Ch, isDigit, isLetter, isSpace } from './chars';
import { latexToUnicode } from './latex';
import type { LoadError, LoadResult, Paper } from './paper';
import { LineIndex } from './positions';
import { arxivId, detach, duplicateKeyMessage, fillMissingKeys, loadError, makePaper, normalizeDoi, yearOf } from './records';

export interface BibParseResult extends LoadResult {
  /** The file's own `@string` macros (lower-case name → raw value), for the corpus's other files. */
  macros: Map<string, string>;
  /** Macros used but defined nowhere known: parse again once other files' macros are known. */
  undefinedMacros: Set<string>;
  /** `crossref` parents not found in the text (lower case): in another part of a split file, or nowhere. */
  missingCrossrefs: Set<string>;
  /** Syntax errors past the listed ones, counted only (a warning says how many unless `countOnly`). */
  unlisted: number;
}

export interface BibParseOptions {
  /** Line number of the text's first line, when the text is a part of a larger file. */
  firstLine?: number;
  /** How many syntax errors to list (default 1,000); the rest are counted. */
  maxErrors?: number;
  /** Only count the unlisted errors (`unlisted`), without the warning that says how many. */
  countOnly?: boolean;
  /**
   * The papers are used up (indexed and encoded) before `text` is let go, as a chunked build does:
   * their titles, abstracts and other text are left as views into `text` instead of `detach`ed
   * copies. Keys, types, venues, messages and macros, which may outlive the text, are still copied.
   */
  transient?: boolean;
}

const MONTHS: ReadonlyMap<string, string> = new Map([
  ['jan', 'January'], ['feb', 'February'], ['mar', 'March'], ['apr', 'April'], ['may', 'May'], ['jun', 'June'],
  ['jul', 'July'], ['aug', 'August'], ['sep', 'September'], ['oct', 'October'], ['nov', 'November'], ['dec', 'December'],
]);

/** Fields a `Paper` is built from, kept in one array per entry (`fields[F.title]`); the values of
 *  all other fields are scanned past, never built. */
const KEPT = [
  'author', 'editor', 'title', 'year', 'date', 'journal', 'journaltitle', 'booktitle', 'howpublished', 'school',
  'institution', 'publisher', 'abstract', 'doi', 'url', 'eprint', 'eprinttype', 'archiveprefix', 'keywords', 'crossref',
] as const;
type Fields = (string | undefined)[];
const SLOT: ReadonlyMap<string, number> = new Map(KEPT.map((name, i) => [name, i]));
const F = Object.fromEntries(SLOT) as Record<typeof KEPT[number], number>;
/** What a crossref child takes from its parent when it lacks it (not its identity: title, DOI, …). */
const INHERITED = [F.author, F.editor, F.year, F.date, F.journal, F.journaltitle, F.booktitle, F.publisher, F.howpublished, F.school, F.institution];
/** Venue fields, most specific first. */
const VENUE = [F.journal, F.journaltitle, F.booktitle, F.howpublished, F.school, F.institution, F.publisher];
const MAX_CROSSREF_DEPTH = 4;
/** Syntax errors listed per file; more are only counted (a file of 100k broken entries is one bad file, not 100k diagnostics). */
export const MAX_ERRORS = 1000;


/** Characters that end a field name, key-less token or bare value (ASCII only; all else is a name char). */
const DELIMITER = new Uint8Array(128);
for (const ch of ' \t\n\r\f{}()",=#%\'') DELIMITER[ch.charCodeAt(0)] = 1;

/**
 * What `delimited` stops at, by [quoted][no line structure]: braces, the closing quote, line
 * breaks (a new entry may start there) and, once the file has shown it has no usable lines, `@`.
 * `RegExp#test` jumps between them far faster than a `charCodeAt` loop.
 */
const STOPS = [[/[{}\\\n\r]/g, /[{}\\\n\r@]/g], [/[{}"\\\n\r]/g, /[{}"\\\n\r@]/g]];

/** `text.slice(start, end).toLowerCase()`, skipping `toLowerCase` (slow on two-byte strings) when
 *  the slice has no upper-case letter — the common case for 2M field names. */
function lowerSlice(text: string, start: number, end: number): string {
  const s = text.slice(start, end);
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c >= 128) return s.toLowerCase();
  }
  return s;
}

function isNameChar(c: number): boolean {
  return c >= 128 || (c === c && DELIMITER[c] === 0); // `c === c`: false for NaN (end of text)
}
function isTypeChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 95 || c === 45;
}

interface RawEntry {
  type: string;
  key: string;
  /** Kept fields by slot: macros expanded, outer delimiters stripped, LaTeX still raw. */
  fields: Fields;
  /** Offsets of the `@`, the key, and just past the closing delimiter. */
  start: number;
  keyStart: number;
  end: number;
}

/** A syntax error inside an entry: the entry is dropped and scanning resumes at `resume`. */
class EntryError {
  constructor(readonly message: string, readonly start: number, readonly end: number, readonly resume?: number) {}
}

export function parseBibtex(text: string, source: string, externalMacros?: ReadonlyMap<string, string>, options: BibParseOptions = {}): BibParseResult {
  const scanner = new Scanner(text, externalMacros, options.firstLine, options.maxErrors);
  scanner.scan();
  const papers = scanner.papers(source, options.transient ? same : detach);
  fillMissingKeys(papers);
  const errors = scanner.errors.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  if (scanner.unlisted && !options.countOnly) errors.push(unlistedWarning(scanner.unlisted, errors));
  return { papers, errors, macros: scanner.macros, undefinedMacros: scanner.undefinedMacros, missingCrossrefs: scanner.missingCrossrefs, unlisted: scanner.unlisted };
}

/** The warning that says how many syntax errors were not listed (after the last listed one). */
export function unlistedWarning(unlisted: number, errors: readonly LoadError[]): LoadError {
  const last = errors[errors.length - 1]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return loadError(`${unlisted} more syntax errors in this file are not listed`, last, 'warning');
}

class Scanner {
  readonly macros = new Map<string, string>();
  readonly undefinedMacros = new Set<string>();
  readonly missingCrossrefs = new Set<string>();
  readonly errors: LoadError[] = [];
  /** Syntax errors past `MAX_ERRORS`, counted only. */
  unlisted = 0;
  private errorCount = 0;
  private readonly entries: RawEntry[] = [];
  private readonly lines: LineIndex;
  private pos = 0;
  /** Set once a value ran to the end of the file: from then on any `@type{` ends a value. */
  private noLineStructure = false;
  /** No `@` starts a line after this offset (memo for `resyncFrom`). */
  private lastLineStartAt = Infinity;

  constructor(private readonly text: string, private readonly external?: ReadonlyMap<string, string>, firstLine = 0, private readonly maxErrors = MAX_ERRORS) {
    this.lines = new LineIndex(text, firstLine);
  }

  scan(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const from = this.pos;
      const at = text.indexOf('@', from);
      if (at < 0) break;
      this.pos = at + 1;
      if (this.commentedOut(from, at)) continue;
      try {
        this.entry(at);
      } catch (e) {
        if (!(e instanceof EntryError)) throw e;
        this.error(e.message, e.start, e.end);
        // An error found at the next entry's `@` (a missing `}`, say) resumes right there.
        const resume = e.resume ?? (this.entryStartAfter(e.start) === e.start ? e.start : this.resyncFrom(e.end));
        this.pos = Math.max(resume, at + 1); // always forward
      }
    }
  }

  /** Whether a `%` precedes `at` on its line (looking back no further than `from`, for linear time). */
  private commentedOut(from: number, at: number): boolean {
    for (let i = at - 1; i >= from; i--) {
      const c = this.text.charCodeAt(i);
      if (c === Ch.Percent) return true;
      if (c === Ch.LF || c === Ch.CR) return false;
    }
    return false;
  }

  private error(message: string, start: number, end: number, severity: LoadError['severity'] = 'error'): void {
    if (severity === 'error' && ++this.errorCount > this.maxErrors) { this.unlisted++; return; }
    const n = this.text.length; // an error at the very end (`@article{` and nothing more) stays inside the text
    this.errors.push(loadError(detach(message), this.lines.range(Math.min(start, n), Math.min(end, n)), severity));
  }

  /** The next `@` starting a line (after blanks) from `from`, else the next `@`, else the end. */
  private resyncFrom(from: number): number {
    if (from < this.lastLineStartAt) {
      const re = /[\n\r][ \t]*@/g;
      re.lastIndex = from;
      const m = re.exec(this.text);
      if (m) return m.index + m[0].length - 1;
      this.lastLineStartAt = from;
    }
    const at = this.text.indexOf('@', from);
    return at < 0 ? this.text.length : at;
  }

  /** At an `@`: one entry, `@string`, `@preamble`, or (not followed by a type and `{`) nothing. */
  private entry(at: number): void {
    const text = this.text;
    let i = this.skipSpace(at + 1);
    const typeStart = i;
    while (isTypeChar(text.charCodeAt(i))) i++;
    const type = lowerSlice(text, typeStart, i);
    if (type === 'comment') return; // BibTeX: the rest is comment text
    const open = text.charCodeAt(this.skipSpace(i));
    const braced = open === Ch.LBrace || open === Ch.LParen;
    const validType = isLetter(type.charCodeAt(0));
    if (!braced || !validType) {
      // `user@example.org` in a comment is no entry; `@article` or `@{` opening a line is a broken one.
      if (!this.startsLine(at) || (!braced && !validType)) return;
      throw new EntryError(validType ? `Expected "{" or "(" after "@${type}"` : type ? `"${type}" is not an entry type` : 'Expected an entry type after "@"', at, i);
    }
    const close = open === Ch.LBrace ? Ch.RBrace : Ch.RParen;
    this.pos = this.skipSpace(i) + 1;
    if (type === 'string') this.stringDefinitions(at, close);
    else if (type === 'preamble') this.preamble(at, i, close);
    else this.regularEntry(type, at, close);
  }

  private regularEntry(type: string, start: number, close: number): void {
    const text = this.text;
    const keyStart = this.skipSpace(this.pos);
    // `@article{` with nothing after it on its line, and the next entry on the next: resume at that one.
    if (text.charCodeAt(keyStart) === Ch.At && this.startsLine(keyStart)) throw new EntryError('Expected a citation key', start, this.pos, keyStart);
    const keyEnd = this.keyEnd(keyStart, close);
    let key = text.slice(keyStart, keyEnd);
    const after = this.skipSpace(keyEnd);
    const next = text.charCodeAt(after);
    if (next === Ch.Equals || (key === '' && next === Ch.Comma)) {
      this.error('Entry has no citation key: a key is generated', start, after, 'warning');
      this.pos = next === Ch.Equals ? keyStart : after + 1; // with `=`, that was the first field's name
      key = '';
    } else if (next === Ch.Comma || next === close) {
      this.pos = after;
    } else {
      // `@article{key` and the next entry on the next line: that entry is intact, resume at it.
      const nextEntry = next === Ch.At && this.startsLine(after) ? after : undefined;
      throw new EntryError(`Expected "," after the key "${key}"`, keyStart, nextEntry !== undefined ? keyEnd : after + 1, nextEntry);
    }
    const fields: Fields = new Array(KEPT.length);
    this.assignments(close, `entry "${key}"`, start, keyEnd, name => SLOT.get(name), (slot, value, name, nameStart, nameEnd) => {
      if (fields[slot] === undefined) fields[slot] = value;
      else this.error(`Field "${name}" repeated in entry "${key}": the first value is kept`, nameStart, nameEnd, 'warning');
    });
    this.entries.push({ type, key, fields, start, keyStart, end: this.pos });
  }

  /** Keys run to `,`, `=`, white space or, in a braced entry, `}` (as in BibTeX, `)` is a key character). */
  private keyEnd(i: number, close: number): number {
    const text = this.text;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === Ch.Comma || c === Ch.Equals || isSpace(c) || (c === Ch.RBrace && close === Ch.RBrace)) break;
    }
    return i;
  }

  private stringDefinitions(start: number, close: number): void {
    this.assignments(close, '@string', start, this.pos, name => name, (name, value) => this.macros.set(detach(name), detach(value)));
  }

  /**
   * `name = value` pairs, comma-separated, up to the closing delimiter (header: the range an
   * unclosed entry is reported at). A value is built only if `want(name)` gives a target for it.
   */
  private assignments<T>(
    close: number, what: string, headerStart: number, headerEnd: number, want: (name: string) => T | undefined,
    onValue: (target: T, value: string, name: string, nameStart: number, nameEnd: number) => void,
  ): void {
    const text = this.text;
    const closer = String.fromCharCode(close);
    const notClosed = (at: number) => new EntryError(`The ${what} is not closed: "${closer}" missing`, headerStart, headerEnd, at);
    for (;;) {
      const at = this.skipSpace(this.pos);
      const c = text.charCodeAt(at);
      if (c === close) { this.pos = at + 1; return; }
      if (c === Ch.Comma) { this.pos = at + 1; continue; }
      if (at >= text.length || c === Ch.At) throw notClosed(at);
      let end = at;
      while (isNameChar(text.charCodeAt(end))) end++;
      if (end === at) throw new EntryError(`Unexpected "${text[at]}" in ${what}`, at, at + 1);
      const name = lowerSlice(text, at, end);
      const eq = this.skipSpace(end);
      if (text.charCodeAt(eq) !== Ch.Equals) throw new EntryError(`Expected "=" after "${name}"`, at, end);
      this.pos = eq + 1;
      const target = want(name);
      const value = this.value(close, target !== undefined, name, at);
      if (target !== undefined) onValue(target, value!, name, at, end);
      const sep = this.skipSpace(this.pos);
      const s = text.charCodeAt(sep);
      if (sep >= text.length || (s === Ch.At && this.entryStartAfter(sep) === sep)) throw notClosed(sep);
      if (s !== Ch.Comma && s !== close) throw new EntryError(`Expected "," or "${closer}" after the value of "${name}"`, sep, sep + 1);
      this.pos = s === Ch.Comma ? sep + 1 : sep;
    }
  }

  /**
   * A value: parts joined by `#`. Returns the expanded text when `build` (else undefined: the
   * value is only scanned past). `field`/`fieldStart` name the field in error messages.
   */
  private value(close: number, build: boolean, field = '', fieldStart = this.pos): string | undefined {
    const text = this.text;
    let out = '';
    for (;;) {
      const at = this.skipSpace(this.pos);
      const c = text.charCodeAt(at);
      if (c === Ch.LBrace || c === Ch.Quote) {
        this.pos = this.delimited(at, c === Ch.Quote, field, fieldStart);
        if (build) out += text.slice(at + 1, this.pos - 1);
      } else if (isNameChar(c) && c !== Ch.At) {
        let end = at;
        while (isNameChar(text.charCodeAt(end))) end++;
        const token = text.slice(at, end);
        const part = isDigit(c) ? token : this.macro(token, at, end);
        if (build) out += part;
        this.pos = end;
      } else {
        throw new EntryError(field ? `Expected a value for "${field}"` : 'Expected a value', at, at + 1);
      }
      const next = this.skipSpace(this.pos);
      if (text.charCodeAt(next) !== Ch.Hash) return build ? out : undefined;
      this.pos = next + 1;
    }
  }

  /** Expands a macro name; an unknown one is a warning and expands to nothing (as in BibTeX). */
  private macro(name: string, start: number, end: number): string {
    const lower = name.toLowerCase();
    const value = this.macros.get(lower) ?? this.external?.get(lower) ?? MONTHS.get(lower);
    if (value !== undefined) return value;
    this.undefinedMacros.add(lower);
    this.error(`Undefined @string macro "${name}"`, start, end, 'warning');
    return '';
  }

  /**
   * From an opening `{` or `"` at `open`, the offset just past its closing delimiter (braces nest;
   * a quote closes only outside braces). Throws when a line starting a new entry, or the end of
   * the file, comes first.
   */
  private delimited(open: number, quoted: boolean, field: string, fieldStart: number): number {
    const text = this.text;
    const stops = STOPS[+quoted][+this.noLineStructure];
    let depth = quoted ? 0 : 1;
    stops.lastIndex = open + 1;
    while (stops.test(text)) {
      const i = stops.lastIndex - 1;
      const c = text.charCodeAt(i);
      if (c === Ch.Backslash) {
        stops.lastIndex = i + 2;
      } else if (c === Ch.RBrace) {
        if (--depth === 0 && !quoted) return i + 1;
        if (depth < 0) depth = 0; // a stray `}` inside quotes: BibTeX complains, we read on
      } else if (c === Ch.LBrace) {
        depth++;
      } else if (c === Ch.Quote) {
        if (depth === 0) return i + 1;
      } else {
        const entry = this.entryStartAfter(c === Ch.At ? i : i + 1);
        if (entry >= 0) throw this.unclosed(field, fieldStart, open, entry);
      }
    }
    this.noLineStructure = true;
    throw this.unclosed(field, fieldStart, open, this.resyncFrom(open + 1));
  }

  private unclosed(field: string, fieldStart: number, open: number, resume: number): EntryError {
    const what = field ? `the value of "${field}"` : 'a value';
    return new EntryError(`Unbalanced braces: ${what} is not closed`, fieldStart, open + 1, resume);
  }

  /** If an entry header (`@type{` / `@type(`, blanks allowed) starts at `i` after blanks, its `@`. */
  private entryStartAfter(i: number): number {
    const text = this.text;
    for (let c = text.charCodeAt(i); c === Ch.Space || c === Ch.Tab; c = text.charCodeAt(++i));
    if (text.charCodeAt(i) !== Ch.At || !isLetter(text.charCodeAt(i + 1))) return -1;
    let j = i + 1;
    while (isTypeChar(text.charCodeAt(j))) j++;
    while (isSpace(text.charCodeAt(j))) j++;
    const c = text.charCodeAt(j);
    return c === Ch.LBrace || c === Ch.LParen ? i : -1;
  }

  private preamble(start: number, headerEnd: number, close: number): void {
    this.value(close, false);
    const at = this.skipSpace(this.pos);
    const c = this.text.charCodeAt(at);
    if (c === close) { this.pos = at + 1; return; }
    const closer = String.fromCharCode(close);
    if (at >= this.text.length || c === Ch.At) throw new EntryError(`The @preamble is not closed: "${closer}" missing`, start, headerEnd, at);
    throw new EntryError(`Expected "${closer}" to close the @preamble`, at, at + 1);
  }

  /** Past white space and `%` line comments. */
  private skipSpace(i: number): number {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) i++;
      else if (c === Ch.Percent) while (i < text.length && text.charCodeAt(i) !== Ch.LF && text.charCodeAt(i) !== Ch.CR) i++;
      else return i;
    }
  }

  private startsLine(at: number): boolean {
    let i = at - 1;
    while (i >= 0 && (this.text.charCodeAt(i) === Ch.Space || this.text.charCodeAt(i) === Ch.Tab)) i--;
    return i < 0 || this.text.charCodeAt(i) === Ch.LF || this.text.charCodeAt(i) === Ch.CR;
  }

  /** Raw entries → papers: duplicate keys reported, crossref fields inherited, LaTeX decoded. */
  papers(source: string, copy: (s: string | undefined) => string | undefined): Paper[] {
    const byKey = new Map<string, RawEntry>();
    for (const e of this.entries) {
      if (!e.key) continue;
      const first = byKey.get(e.key);
      if (first) this.error(duplicateKeyMessage(e.key, this.lines.position(first.start).line + 1), e.keyStart, e.keyStart + e.key.length, 'warning');
      else byKey.set(e.key, e);
    }
    // Types and venues repeat across thousands of entries: one detached copy each.
    const shared = new Map<string, string>();
    const intern = (s: string): string => {
      let copy = shared.get(s);
      if (copy === undefined) shared.set(copy = detach(s), copy);
      return copy;
    };
    let byLowerKey: Map<string, RawEntry> | undefined;
    const lookup = (key: string): RawEntry | undefined => {
      const exact = byKey.get(key);
      if (exact) return exact;
      // BibTeX matches crossref keys ignoring case (built on first need: most files have no crossref).
      byLowerKey ??= new Map([...byKey.values()].reverse().map(e => [e.key.toLowerCase(), e]));
      return byLowerKey.get(key.toLowerCase());
    };
    return this.entries.map(e => {
      let fields = e.fields;
      for (let depth = 0, child = e; fields[F.crossref] !== undefined && depth < MAX_CROSSREF_DEPTH; depth++) {
        const ref = fields[F.crossref]!.trim();
        const parent = lookup(ref);
        if (!parent || parent === child) {
          if (!parent) {
            this.error(`crossref parent "${ref}" of "${e.key}" is not in this file`, e.start, e.keyStart + e.key.length, 'warning');
            this.missingCrossrefs.add(ref.toLowerCase());
          }
          break;
        }
        fields = inherit(fields, parent.fields);
        child = parent;
      }
      return toPaper(e, fields, source, this.lines, intern, copy);
    });
  }
}

/** `child`'s fields plus the inheritable ones only `parent` has; the parent's crossref is followed next. */
function inherit(child: Fields, parent: Fields): Fields {
  const merged = child.slice();
  for (const slot of INHERITED) merged[slot] ??= parent[slot];
  merged[F.crossref] = parent[F.crossref];
  return merged;
}

/**
 * The paper of an entry. Its strings go through `copy`: `detach`, so the papers do not pin the
 * file's text, or (for papers used up before the text is let go) nothing. Keys are always detached.
 */
function toPaper(e: RawEntry, f: Fields, source: string, lines: LineIndex, intern: (s: string) => string, copy: (s: string | undefined) => string | undefined): Paper {
  const eprintType = (f[F.eprinttype] ?? f[F.archiveprefix])?.trim().toLowerCase();
  const venue = VENUE.find(slot => f[slot]?.trim());
  return makePaper({
    key: detach(e.key),
    type: intern(e.type),
    title: copy(latexToUnicode(f[F.title] ?? ''))!,
    authors: names(f[F.author] ?? f[F.editor], copy),
    year: yearOf(f[F.year]) ?? yearOf(f[F.date]),
    venue: venue === undefined ? undefined : intern(latexToUnicode(f[venue]!)),
    abstract: copy(latexToUnicode(f[F.abstract] ?? '')),
    doi: copy(normalizeDoi(f[F.doi])),
    url: copy(f[F.url]?.trim()),
    arxiv: eprintType === undefined || eprintType === 'arxiv' ? copy(arxivId(f[F.eprint])) : undefined,
    keywords: copy(latexToUnicode(f[F.keywords] ?? '')),
    source,
    range: lines.range(e.start, e.end),
  });
}

/**
 * An `author`/`editor` list as display names: split on `and` at brace depth 0, "Last, First" and
 * "Last, Jr, First" reordered to "First Last (Jr)", `others` dropped, DBLP's homonym numbers
 * ("Wei Wang 0001") removed, LaTeX decoded.
 */
function names(list: string | undefined, copy: (s: string | undefined) => string | undefined): string[] {
  if (!list) return [];
  const out: string[] = [];
  for (const raw of splitTopLevel(list, /\s+and\s+/iy)) {
    const parts = splitTopLevel(raw, /\s*,\s*/y);
    let name: string;
    if (parts.length === 1) name = parts[0]; // First von Last
    else if (parts.length === 2) name = `${parts[1]} ${parts[0]}`; // Last, First
    else name = `${parts.slice(2).join(' ')} ${parts[0]} ${parts[1]}`; // Last, Jr, First
    name = latexToUnicode(name).replace(/ \d{4}$/, '');
    if (name && !(name.length === 6 && name.toLowerCase() === 'others')) out.push(copy(name)!);
  }
  return out;
}

const same = (s: string | undefined) => s;

/** Splits at matches of the sticky `separator` that lie outside braces. */
function splitTopLevel(s: string, separator: RegExp): string[] {
  const out: string[] = [];
  let depth = 0, from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === Ch.LBrace) depth++;
    else if (c === Ch.RBrace) depth--;
    else if (depth === 0 && (isSpace(c) || c === Ch.Comma)) {
      separator.lastIndex = i;
      if (separator.test(s) && separator.lastIndex > i) {
        out.push(s.slice(from, i).trim());
        from = separator.lastIndex;
        i = from - 1;
      }
    }
  }
  out.push(s.slice(from).trim());
  return out;
}
