/**
 * The passage of the author's document that the related-papers panel asks about, and what the
 * document says about itself. Pure functions over the document text (LSP-style positions).
 *
 * A passage is the selection when it is not empty, else the paragraph around the cursor:
 * consecutive lines up to a blank line, a heading (`\section{…}`, `# …`), a block environment's
 * `\begin`/`\end`, an `\item`, a list item or a Markdown fence. A cursor on a blank line or a
 * heading has no passage. Fenced code, front matter and LaTeX comment lines are not prose.
 */
import { citeSyntaxOf, findCitations, type Pos, type PosRange } from './citeContext';

export interface Passage {
  text: string;
  range: PosRange;
}

export interface DocumentContext {
  /** `\title[short]{Long}` in LaTeX, `title:` of the YAML front matter in Markdown. */
  title?: string;
  /** Every key the document cites, in document order, without duplicates. */
  citedKeys: string[];
}

/** A paragraph longer than this is cut to a window around the cursor (characters). */
const MAX_PASSAGE = 6000;

const LATEX_BOUNDARY = /^\s*\\(?:part|chapter|section|subsection|subsubsection|begin|end|item|maketitle|bibliography|printbibliography|documentclass|usepackage|input|include)\b/;
const LATEX_HEADING = /^\s*\\(?:part|chapter|section|subsection|subsubsection)\*?\s*[[{]/;
const MD_BOUNDARY = /^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|```|~~~|---\s*$|\.\.\.\s*$|\|)/;

export function passageAt(text: string, languageId: string, position: Pos, selection?: PosRange): Passage | undefined {
  const lines = text.split(/\r?\n/);
  if (selection && !isEmpty(selection)) {
    const t = sliceRange(lines, selection).trim();
    if (t) return { text: t.slice(0, MAX_PASSAGE), range: selection };
  }
  const syntax = citeSyntaxOf(languageId);
  if (!syntax) return undefined;
  const line = Math.min(Math.max(position.line, 0), lines.length - 1);
  const prose = proseLines(lines, syntax);
  if (!prose[line] || isBlank(lines[line])) return undefined;
  const boundary = syntax === 'latex' ? LATEX_BOUNDARY : MD_BOUNDARY;
  const heading = syntax === 'latex' ? LATEX_HEADING : /^\s*#{1,6}\s/;
  if (heading.test(lines[line])) return undefined;
  const isStop = (i: number) => !prose[i] || isBlank(lines[i]);
  let first = line;
  // A boundary line (list item, \item) starts its own paragraph; it belongs to the lines after it.
  while (first > 0 && !boundary.test(lines[first]) && !isStop(first - 1) && !heading.test(lines[first - 1])) first--;
  let last = line;
  while (last + 1 < lines.length && !isStop(last + 1) && !boundary.test(lines[last + 1])) last++;
  const range: PosRange = { start: { line: first, character: 0 }, end: { line: last, character: lines[last].length } };
  let body = lines.slice(first, last + 1).join('\n');
  if (body.length > MAX_PASSAGE) {
    const cursor = lines.slice(first, line).reduce((n, l) => n + l.length + 1, 0) + Math.min(position.character, lines[line].length);
    const from = Math.max(0, Math.min(cursor - MAX_PASSAGE / 2, body.length - MAX_PASSAGE));
    body = body.slice(from, from + MAX_PASSAGE);
  }
  if (!/[\p{L}]{2}/u.test(body)) return undefined;
  return { text: body, range };
}

export function documentContext(text: string, languageId: string, extraCommands?: string[]): DocumentContext {
  const citedKeys = [...new Set(findCitations(text, languageId, extraCommands).map(c => c.key))];
  const syntax = citeSyntaxOf(languageId);
  const title = syntax === 'latex' ? latexTitle(text) : syntax === 'pandoc' ? frontMatterTitle(text) : undefined;
  return { title, citedKeys };
}

/** Per line: is it prose (true) or code, front matter or a whole-line comment (false)? */
function proseLines(lines: string[], syntax: 'latex' | 'pandoc'): boolean[] {
  const out = new Array<boolean>(lines.length).fill(true);
  if (syntax === 'latex') {
    let verbatim = false;
    lines.forEach((l, i) => {
      if (/\\begin\{(?:verbatim|lstlisting|minted|comment|Verbatim)\}/.test(l)) verbatim = true;
      out[i] = !verbatim && !/^\s*%/.test(l);
      if (/\\end\{(?:verbatim|lstlisting|minted|comment|Verbatim)\}/.test(l)) { verbatim = false; out[i] = false; }
    });
    return out;
  }
  let i = 0;
  if (/^---\s*$/.test(lines[0] ?? '')) {
    out[0] = false;
    for (i = 1; i < lines.length; i++) {
      out[i] = false;
      if (/^(?:---|\.\.\.)\s*$/.test(lines[i])) { i++; break; }
    }
  }
  let fence: string | undefined;
  for (; i < lines.length; i++) {
    const m = /^\s*(`{3,}|~{3,})/.exec(lines[i]);
    if (fence) {
      out[i] = false;
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length) fence = undefined;
    } else if (m) {
      fence = m[1];
      out[i] = false;
    } else if (/^( {4}|\t)/.test(lines[i]) && (i === 0 || isBlank(lines[i - 1]) || !out[i - 1])) {
      out[i] = false; // indented code block
    }
  }
  return out;
}

function latexTitle(text: string): string | undefined {
  const m = /\\title\s*(?:\[[^\]]*\]\s*)?\{/.exec(text);
  if (!m) return undefined;
  let depth = 1;
  let i = m.index + m[0].length;
  const start = i;
  for (; i < text.length && depth > 0; i++) {
    if (text[i] === '\\') { i++; continue; }
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth--;
  }
  const t = text.slice(start, i - 1).replace(/\\\\|\\thanks\{[^}]*\}/g, ' ').replace(/\s+/g, ' ').trim();
  return t || undefined;
}

function frontMatterTitle(text: string): string | undefined {
  const fm = /^---\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)\s*(?:\r?\n|$)/.exec(text);
  if (!fm) return undefined;
  const m = /^title:\s*(.+)$/m.exec(fm[1]);
  if (!m) return undefined;
  const t = m[1].trim().replace(/^(['"])(.*)\1$/, '$2').trim();
  return t && t !== '|' && t !== '>' ? t : undefined;
}

function isBlank(line: string): boolean {
  return /^\s*$/.test(line);
}

function isEmpty(r: PosRange): boolean {
  return r.start.line === r.end.line && r.start.character === r.end.character;
}

function sliceRange(lines: string[], r: PosRange): string {
  const [s, e] = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character) ? [r.start, r.end] : [r.end, r.start];
  if (s.line === e.line) return (lines[s.line] ?? '').slice(s.character, e.character);
  const parts = [(lines[s.line] ?? '').slice(s.character)];
  for (let l = s.line + 1; l < e.line && l < lines.length; l++) parts.push(lines[l]);
  parts.push((lines[e.line] ?? '').slice(0, e.character));
  return parts.join('\n');
}
