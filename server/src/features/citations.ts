/**
 * The citations of a whole document, as the navigation features and diagnostics see them:
 * `findCitations`, minus LaTeX verbatim text (`verbatim`, `lstlisting`, `minted`, `comment`
 * environments, `\verb|…|`), where a `\cite` is no citation.
 */
import { LineIndex } from '../corpus/positions';
import { latexVerbatimRanges } from './bibliography';
import { citeSyntaxOf, findCitations, type CiteOccurrence, type Pos, type PosRange } from './citeContext';

export function documentCitations(text: string, languageId: string, extraCommands: readonly string[]): CiteOccurrence[] {
  const all = findCitations(text, languageId, [...extraCommands]);
  if (citeSyntaxOf(languageId) !== 'latex' || all.length === 0) return all;
  const verbatim = latexVerbatimRanges(text);
  if (verbatim.length === 0) return all;
  const lines = new LineIndex(text);
  return all.filter(c => {
    const at = lines.offset(c.range.start);
    return !verbatim.some(([s, e]) => s <= at && at < e);
  });
}

/** The keys cited wholly inside `selection`, each once, in document order. */
export function citedKeysIn(text: string, languageId: string, selection: PosRange, extraCommands: readonly string[]): string[] {
  const { start, end } = selection;
  const inside = (p: Pos) => (p.line > start.line || (p.line === start.line && p.character >= start.character))
    && (p.line < end.line || (p.line === end.line && p.character <= end.character));
  const keys = documentCitations(text, languageId, extraCommands).filter(c => inside(c.range.start) && inside(c.range.end)).map(c => c.key);
  return [...new Set(keys)];
}

/**
 * Pandoc cross-references (pandoc-crossref `@fig:x`, Quarto `@fig-x`, `@sec-intro`, `@eq-…`, …) use
 * citation syntax; a key with such a prefix that no bibliography defines is a cross-reference.
 */
const CROSS_REF = /^(fig|tbl|lst|tip|nte|wrn|imp|cau|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem|eq|sec|apx|alg|tab)[-:]/;

export function looksLikeCrossRef(key: string): boolean {
  return CROSS_REF.test(key);
}

/** Language id of a document from its file name (for files read from disk). */
export function languageOfFile(file: string): string | undefined {
  const lower = file.toLowerCase();
  if (/\.(tex|ltx|latex)$/.test(lower)) return 'latex';
  if (/\.(md|markdown)$/.test(lower)) return 'markdown';
  if (lower.endsWith('.qmd')) return 'quarto';
  if (lower.endsWith('.rmd')) return 'rmd';
  if (/\.(bib|bibtex|biblatex)$/.test(lower)) return 'bibtex';
  return undefined;
}
