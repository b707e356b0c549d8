/**
 * The one place where domain results become LSP types (texlab's `to_proto` idea): completion
 * items, hovers and the custom requests' paper items. All corpus text is untrusted: it is escaped
 * for Markdown here, and links are only ever http(s) URLs built from DOI/URL/arXiv fields.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind, CompletionItemKind, DiagnosticSeverity, DiagnosticTag, InsertTextFormat, MarkupKind, SymbolKind,
  type CodeAction, type CompletionItem, type CompletionList, type Diagnostic, type DocumentSymbol, type Hover, type Location,
  type LocationLink, type SymbolInformation, type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver';
import type { LoadError, Paper } from '../corpus/paper';
import type { FileEdit, Fix } from '../features/codeActions';
import type { CitationCompletion } from '../features/completion';
import type { BibProblem, CitationProblem } from '../features/diagnostics';
import type { DefinitionTarget, KeyLocation } from '../features/navigation';
import type { BibSymbol } from '../features/symbols';
import type { CitationHover } from '../features/hover';
import { cleanQueryText, matchedWords, termRanges, type RelatedHit } from '../features/related';
import type { ScoredPaper } from '../index/corpusIndex';
import { ADD_TO_BIBLIOGRAPHY_COMMAND, DID_INSERT_CITATION_COMMAND, type AddToBibliographyResult, type PaperItem, type Range, type RelatedResult } from '../protocol';

const ABSTRACT_EXCERPT = 320;
const HOVER_SENTENCES = 3;

/**
 * Escapes text so that Markdown renders it literally: no links (`:` is escaped so no autolink
 * forms), no emphasis, HTML, code or math, and no list, heading or setext underline at the start of any line.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#!|<>&~:$]/g, ch => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : `\\${ch}`))
    .replace(/^(\s*)([-+=])/gm, '$1\\$2')
    .replace(/^(\s*\d+)\./gm, '$1\\.');
}

/** "Vaswani, Shazeer, Parmar et al." */
export function authorsShort(authors: readonly string[], max = 3): string {
  if (authors.length === 0) return '';
  const names = authors.slice(0, max).join(', ');
  return authors.length > max ? `${names} et al.` : names;
}

/** "Vaswani, Shazeer, Parmar et al. (2017) NeurIPS" */
export function byline(p: Paper): string {
  return [authorsShort(p.authors), p.year !== undefined ? `(${p.year})` : '', p.venue ?? ''].filter(Boolean).join(' ');
}

function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  return `${text.slice(0, cut > max / 2 ? cut : max)}…`;
}

function firstSentences(text: string, n: number): string {
  const sentences = text.match(/[^.!?]+(?:[.!?]+(?=\s|$)|$)/g) ?? [text];
  return excerpt(sentences.slice(0, n).join('').trim(), 700);
}

/** http(s) links for a paper: DOI, URL, arXiv. Anything else (javascript:, command:) is dropped. */
export function paperLinks(p: Paper): { label: string; href: string }[] {
  const links: { label: string; href: string }[] = [];
  if (p.doi) links.push({ label: `doi:${p.doi}`, href: `https://doi.org/${encodeURI(p.doi)}` });
  if (p.url && /^https?:\/\/[^\s]+$/i.test(p.url)) links.push({ label: p.url, href: encodeURI(decodeSafe(p.url)) });
  if (p.arxiv) links.push({ label: `arXiv:${p.arxiv}`, href: `https://arxiv.org/abs/${encodeURI(p.arxiv)}` });
  return links;
}

function decodeSafe(u: string): string {
  try { return decodeURI(u); } catch { return u; }
}

/** A Markdown link whose target cannot break out of the `(...)`. */
function mdLink(label: string, href: string): string {
  return `[${escapeMarkdown(label)}](${href.replace(/[()\s<>]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`;
}

function sourceLink(p: Paper): string {
  const line = p.range.start.line + 1;
  const href = `${pathToFileURL(p.source).href}#L${line}`;
  return mdLink(`${path.basename(p.source)}:${line}`, href);
}

export function paperMarkdown(p: Paper, opts: { abstract: 'excerpt' | 'sentences' }): string {
  const parts = [`**${escapeMarkdown(p.title || p.key)}**`];
  const by = byline(p);
  if (by) parts.push(escapeMarkdown(by));
  if (p.abstract) {
    const text = opts.abstract === 'excerpt' ? excerpt(p.abstract, ABSTRACT_EXCERPT) : firstSentences(p.abstract, HOVER_SENTENCES);
    parts.push(escapeMarkdown(text));
  }
  const links = paperLinks(p).map(l => mdLink(l.label, l.href));
  links.push(sourceLink(p));
  parts.push(links.join(' · '));
  return parts.join('\n\n');
}

/**
 * The completion list: one item per paper (its key), and for the top papers a drafted-sentence item
 * (kind Snippet) sorting right after the paper's key. The sentence item replaces the key with the
 * snippet and deletes the citation's opening and closing (`\cite{`, `}`) with additional edits, so
 * its filter word and score are the key item's. With `afterInsert`, accepting an item runs that
 * command with the document and the paper (adding its entry to the bibliography).
 */
export function toCompletionList(c: CitationCompletion, afterInsert?: { uri: string }): CompletionList {
  const range = c.context.range;
  const command = (p: Paper) => afterInsert
    ? { title: 'Add to the bibliography', command: DID_INSERT_CITATION_COMMAND, arguments: [afterInsert.uri, [{ key: p.key, source: p.source }]] }
    : undefined;
  const items = c.results.map((r, i): CompletionItem => ({
    label: r.paper.key,
    kind: CompletionItemKind.Reference,
    labelDetails: { detail: ` ${r.paper.title}`, description: byline(r.paper) },
    detail: r.paper.title,
    // The documentation (abstract excerpt, links) comes with `completionItem/resolve`, for the one
    // item the editor shows: the list itself stays small on the wire at any corpus size.
    data: { key: r.paper.key, source: r.paper.source } satisfies CompletionData,
    // The server has ranked already: the filter text is what was typed, so the client keeps every
    // item, and sortText keeps the server's order.
    filterText: c.context.prefix,
    sortText: String(i).padStart(5, '0'),
    textEdit: { range, newText: r.paper.key },
    ...(afterInsert ? { command: command(r.paper) } : {}),
  }));
  for (const s of c.snippets) {
    const p = c.results[s.index].paper;
    items.push({
      label: p.key,
      kind: CompletionItemKind.Snippet,
      labelDetails: { detail: ' — drafted sentence', description: byline(p) },
      detail: `Drafted sentence citing ${p.key}`,
      data: { key: p.key, source: p.source } satisfies CompletionData,
      filterText: c.context.prefix,
      sortText: `${String(s.index).padStart(5, '0')}s`,
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: { range, newText: s.snippet },
      additionalTextEdits: s.remove.map(r => ({ range: r, newText: '' })),
      ...(afterInsert ? { command: command(p) } : {}),
    });
  }
  return { isIncomplete: c.incomplete, items };
}

/** What a completion item carries to `completionItem/resolve`. */
export interface CompletionData { key: string; source: string }

export function isCompletionData(x: unknown): x is CompletionData {
  return typeof x === 'object' && x !== null && typeof (x as CompletionData).key === 'string' && typeof (x as CompletionData).source === 'string';
}

/** The item with its documentation filled in (`completionItem/resolve`). */
export function resolveCompletionItem(item: CompletionItem, paper: Paper | undefined): CompletionItem {
  if (paper) item.documentation = { kind: MarkupKind.Markdown, value: paperMarkdown(paper, { abstract: 'excerpt' }) };
  return item;
}

export function toHover(h: CitationHover): Hover {
  const range = h.occurrence.range;
  if (h.papers.length === 0) {
    return { range, contents: { kind: MarkupKind.Markdown, value: `Related Work: no paper with key \`${h.occurrence.key.replace(/`/g, '')}\` in the corpus.` } };
  }
  const [first, ...rest] = h.papers;
  let value = paperMarkdown(first, { abstract: 'sentences' });
  if (rest.length) value += `\n\n*Also in:* ${rest.map(sourceLink).join(', ')}`;
  return { range, contents: { kind: MarkupKind.Markdown, value } };
}

export function toPaperItem(r: ScoredPaper): PaperItem {
  const p = r.paper;
  return {
    key: p.key, title: p.title, authors: p.authors, year: p.year, venue: p.venue, abstract: p.abstract,
    doi: p.doi, url: p.url, arxiv: p.arxiv, score: r.score, source: p.source, links: paperLinks(p),
  };
}

/** Related papers with highlight ranges for their matched terms and a badge for keys already cited. */
export function toRelatedResult(
  hits: readonly RelatedHit[],
  info: { citedKeys?: readonly string[]; range?: Range; text: string; partial: boolean },
): RelatedResult {
  const cited = new Set(info.citedKeys ?? []);
  return {
    items: hits.map(h => {
      const terms = new Set(h.matchedTerms);
      const highlights = { title: termRanges(h.paper.title, terms), abstract: h.paper.abstract ? termRanges(h.paper.abstract, terms) : [] };
      return {
        ...toPaperItem(h),
        matchedTerms: matchedWords([h.paper.title, h.paper.abstract, h.paper.keywords], h.matchedTerms, [highlights.title, highlights.abstract]),
        highlights,
        cited: cited.has(h.paper.key),
        links: paperLinks(h.paper),
      };
    }),
    partial: info.partial || undefined,
    range: info.range,
    query: cleanQueryText(info.text).replace(/\s+/g, ' ').trim(),
    citedKeys: info.citedKeys ? [...info.citedKeys] : undefined,
  };
}

/** Load problems of a corpus file as diagnostics on that file. */
export function toDiagnostics(errors: readonly LoadError[]): Diagnostic[] {
  return errors.map(e => ({
    range: e.range,
    severity: e.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: 'Related Work',
    message: e.message,
  }));
}

/** Where diagnostics come from, and the codes the quick fixes look for. */
export const DIAGNOSTIC_SOURCE = 'Related Work';
export const UNDEFINED_KEY = 'undefined-citation';

/** A document's citation problems as diagnostics (an undefined key carries `data: { key }` for its quick fixes). */
export function citationDiagnostics(problems: readonly CitationProblem[]): Diagnostic[] {
  return problems.map(p => {
    if (p.kind === 'missingBibliography') {
      return { range: p.range, severity: DiagnosticSeverity.Error, source: DIAGNOSTIC_SOURCE, code: 'missing-bibliography', message: `Bibliography file '${p.name}' not found.` };
    }
    const where = p.declared ? (p.bibliography.length ? ` in ${p.bibliography.join(', ')}` : ' in the bibliography') : ' in the corpus';
    return {
      range: p.range, severity: DiagnosticSeverity.Warning, source: DIAGNOSTIC_SOURCE, code: UNDEFINED_KEY,
      message: `Undefined citation key '${p.key}': no entry${where}.`, data: { key: p.key },
    };
  });
}

/** Problems found in bibliography files (duplicates across a document's files, unused entries). */
export function bibProblemDiagnostics(problems: readonly BibProblem[]): Diagnostic[] {
  return problems.map((p): Diagnostic => {
    if (p.kind === 'unusedEntry') {
      return { range: p.range, severity: DiagnosticSeverity.Hint, tags: [DiagnosticTag.Unnecessary], source: DIAGNOSTIC_SOURCE, code: 'unused-entry', message: `'${p.key}' is not cited in any document of the workspace.` };
    }
    const d: Diagnostic = {
      range: p.range, severity: DiagnosticSeverity.Warning, source: DIAGNOSTIC_SOURCE, code: 'duplicate-key',
      message: `Duplicate key '${p.key}': also defined in ${p.other ? path.basename(p.other.file) : 'another bibliography'}${p.document ? `, both bibliographies of ${path.basename(p.document)}` : ''}.`,
    };
    if (p.other) d.relatedInformation = [{ location: { uri: uriOf(p.other.file), range: p.other.range }, message: `first definition of '${p.key}'` }];
    return d;
  });
}

/** A file path as a URI; a document that is not a file (`untitled:…`) is already one. */
export function uriOf(file: string): string {
  return path.isAbsolute(file) ? pathToFileURL(file).href : file;
}

export function toLocations(locations: readonly KeyLocation[]): Location[] {
  return locations.map(l => ({ uri: uriOf(l.file), range: l.range }));
}

export function toDefinition(targets: readonly DefinitionTarget[], origin: Range): LocationLink[] {
  return targets.map(t => ({ originSelectionRange: origin, targetUri: uriOf(t.file), targetRange: t.range, targetSelectionRange: t.selection }));
}

/** `relatedWork/addToBibliography`'s answer. */
export function toAddToBibliographyResult(r: { edit?: FileEdit; added: string[]; skipped: string[]; missing: string[]; file?: string; reason?: string }): AddToBibliographyResult {
  const out: AddToBibliographyResult = { added: r.added, skipped: r.skipped, missing: r.missing };
  if (r.edit) out.edit = toWorkspaceEdit([r.edit]) as AddToBibliographyResult['edit'];
  if (r.file) out.file = r.file;
  if (r.edit?.expected) out.expected = r.edit.expected;
  if (r.reason) out.reason = r.reason;
  return out;
}

export function toWorkspaceEdit(edits: readonly FileEdit[]): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const e of edits) (changes[uriOf(e.file)] ??= []).push({ range: e.range, newText: e.newText });
  return { changes };
}

export function toCodeActions(fixes: readonly Fix[], diagnostic: Diagnostic | undefined, documentUri: string): CodeAction[] {
  return fixes.map(f => {
    const a: CodeAction = { title: f.title, kind: CodeActionKind.QuickFix };
    if (f.edits.length) a.edit = toWorkspaceEdit(f.edits);
    // The bibliography append runs after the edit, through the client's guarded append.
    if (f.append) a.command = { title: f.title, command: ADD_TO_BIBLIOGRAPHY_COMMAND, arguments: [documentUri, f.append.papers] };
    if (diagnostic) a.diagnostics = [diagnostic];
    if (f.preferred) a.isPreferred = true;
    return a;
  });
}

export function toDocumentSymbols(symbols: readonly BibSymbol[]): DocumentSymbol[] {
  return symbols.map(s => ({
    name: s.key, detail: s.title ? `${s.title} (@${s.type})` : `@${s.type}`, kind: SymbolKind.Field,
    range: s.range, selectionRange: s.selection,
  }));
}

/** Papers as workspace symbols: the title and authors as the name (what is searched), the key as container. */
export function toWorkspaceSymbols(results: readonly ScoredPaper[]): SymbolInformation[] {
  return results.map(({ paper: p }) => ({
    name: [p.title || p.key, authorsShort(p.authors, 2), p.year].filter(Boolean).join(' · '),
    kind: SymbolKind.Field,
    containerName: p.key,
    location: { uri: uriOf(p.source), range: p.range },
  }));
}
