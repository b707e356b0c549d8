/**
 * Publishes diagnostics, incrementally: each open document is checked on its own, a debounce after
 * its last change (and again when the index or one of its bibliography files changes), off the
 * request path — due checks wait for a pause in requests and run one per event-loop turn, so
 * completion as the user types is never queued behind them. A bibliography file's diagnostics
 * merge three sources: its load errors (from the corpus, or from the open buffer while it has
 * unsaved changes), keys it shares with another bibliography of a document that uses both, and
 * (when enabled) entries nobody cites.
 */
import type { Connection, Diagnostic, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LoadError } from './corpus/paper';
import type { CorpusManager } from './corpusManager';
import { citationProblems, duplicateKeys, unusedEntries, type BibProblem } from './features/diagnostics';
import { documentCitations } from './features/citations';
import { citeSyntaxOf } from './features/citeContext';
import type { BibKeys } from './features/bibEntries';
import { bibProblemDiagnostics, citationDiagnostics, toDiagnostics } from './lsp/toProto';
import { fileOfUri, uriOfFile, type Project } from './project';
import type { ServerSettings } from './protocol';

const DEBOUNCE_MS = 250;
/** How long requests must pause before a due check runs. */
const QUIET_MS = 30;

export class DiagnosticsRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Documents whose debounce has passed, checked one per event-loop turn (see `drain`). */
  private readonly due = new Set<string>();
  private draining = false;
  private lastRequestAt = -Infinity;
  private readonly loadErrors = new Map<string, readonly LoadError[]>();
  /** Per checked document: the problems it found in bibliography files (duplicates across them). */
  private readonly bibProblemsByDoc = new Map<string, BibProblem[]>();
  private readonly unusedByBib = new Map<string, BibProblem[]>();
  /** Bibliography files we published diagnostics for (to clear them later). */
  private readonly publishedBibs = new Set<string>();
  /** Called with bibliography files a document names that the corpus does not index yet. */
  onUnindexedBibliography: (files: string[]) => void = () => undefined;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly project: Project,
    private readonly corpus: CorpusManager,
    private readonly settings: () => ServerSettings,
  ) {}

  /** The corpus reported a file's load errors. */
  setLoadErrors(file: string, errors: readonly LoadError[]): void {
    this.loadErrors.set(file, errors);
    if (errors.length === 0) this.loadErrors.delete(file);
    this.publishBib(file);
  }

  /** Checks `uri` after the debounce (a `.bib` re-checks every open document, which may use it). */
  schedule(uri: string, delay = DEBOUNCE_MS): void {
    const doc = this.documents.get(uri);
    if (doc && doc.languageId === 'bibtex') {
      this.publishBib(fileOfUri(uri));
      for (const d of this.documents.all()) if (d.uri !== uri) this.schedule(d.uri, delay);
      return;
    }
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      this.due.add(uri);
      this.drain();
    }, delay));
  }

  /**
   * Runs the due checks one per turn of the event loop (`setImmediate` comes after pending I/O),
   * so requests that arrive meanwhile are answered between checks even when many documents'
   * debounces expire at once.
   */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    const next = () => {
      const uri = this.due.values().next().value;
      if (uri === undefined) { this.draining = false; return; }
      // Requests first: while the editor is asking (completion as the user types), checks wait.
      const quietFor = performance.now() - this.lastRequestAt;
      if (quietFor < QUIET_MS) { setTimeout(next, QUIET_MS - quietFor); return; }
      this.due.delete(uri);
      try { this.check(uri); } catch (e) { this.connection.console.error(`diagnostics failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`); }
      setImmediate(next);
    };
    setImmediate(next);
  }

  /** A request was answered: due checks wait until requests pause (see `drain`). */
  noteRequest(): void { this.lastRequestAt = performance.now(); }

  scheduleAll(delay = DEBOUNCE_MS): void {
    for (const d of this.documents.all()) this.schedule(d.uri, delay);
  }

  closed(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.due.delete(uri);
    const file = fileOfUri(uri);
    if (this.bibProblemsByDoc.delete(file)) this.republishBibs();
    if (/\.(bib|bibtex|biblatex)$/i.test(file)) this.publishBib(file);
    else void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private check(uri: string): void {
    const doc = this.documents.get(uri);
    if (!doc || !citeSyntaxOf(doc.languageId)) return;
    const file = fileOfUri(uri);
    const settings = this.settings();
    if (!settings.diagnostics) {
      void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    const bibliography = this.project.bibliographyOf(doc);
    const unindexed = bibliography.files.filter(f => !this.corpus.isSource(f));
    if (unindexed.length) this.onUnindexedBibliography(unindexed);
    const citations = documentCitations(doc.getText(), doc.languageId, settings.citeCommands);
    const problems = citationProblems({
      file, citations, bibliography,
      bibOf: f => this.project.bibOf(f),
      corpusHas: key => (this.corpus.index.byKey(key).length > 0 ? true : this.corpus.ready ? false : undefined),
    });
    void this.connection.sendDiagnostics({ uri, version: doc.version, diagnostics: citationDiagnostics(problems) });

    // Bibliography files are republished only when what this check found for them changed (a
    // large library's hundreds of load warnings are not resent after every keystroke elsewhere).
    const bibs = bibliography.files.map(f => this.project.bibOf(f)).filter((b): b is BibKeys => !!b);
    const changed = new Set<string>();
    const before = this.bibProblemsByDoc.get(file) ?? [];
    const after = duplicateKeys(file, bibs);
    this.bibProblemsByDoc.set(file, after);
    for (const f of new Set([...before, ...after].map(p => p.file))) if (signature(before, f) !== signature(after, f)) changed.add(f);
    if (settings.unusedEntries) {
      const cited = new Set<string>();
      for (const d of this.project.citingDocuments()) for (const c of documentCitations(d.text, d.languageId, settings.citeCommands)) cited.add(c.key);
      for (const f of bibliography.files) {
        const parsed = this.project.openBib(f) ?? this.project.diskBib(f);
        const unused = parsed && !bibliography.nociteAll ? unusedEntries(parsed, cited) : [];
        if (signature(this.unusedByBib.get(f) ?? [], f) !== signature(unused, f)) changed.add(f);
        this.unusedByBib.set(f, unused);
      }
    } else {
      for (const [f, unused] of this.unusedByBib) if (unused.length) changed.add(f);
      this.unusedByBib.clear();
    }
    for (const f of changed) this.publishBib(f);
  }

  private republishBibs(): void {
    for (const f of [...this.publishedBibs]) this.publishBib(f);
  }

  /** Publishes a bibliography file's merged diagnostics. */
  publishBib(file: string): void {
    const diagnostics: Diagnostic[] = [...toDiagnostics(this.syntaxErrors(file))];
    const seen = new Set<string>();
    const problems = [...[...this.bibProblemsByDoc.values()].flat().filter(p => p.file === file), ...(this.unusedByBib.get(file) ?? [])];
    for (const p of problems) {
      const id = `${p.kind}:${p.key}:${p.range.start.line}:${p.range.start.character}`;
      if (seen.has(id)) continue;
      seen.add(id);
      diagnostics.push(...bibProblemDiagnostics([p]));
    }
    if (diagnostics.length === 0 && !this.publishedBibs.has(file)) return;
    if (diagnostics.length) this.publishedBibs.add(file); else this.publishedBibs.delete(file);
    void this.connection.sendDiagnostics({ uri: uriOfFile(file), diagnostics });
  }

  /** Load errors: of the open buffer while it differs from the file, else those the corpus found. */
  private syntaxErrors(file: string): readonly LoadError[] {
    const fromCorpus = this.loadErrors.get(file) ?? this.corpus.errorsOf(file);
    const open = this.project.openDocument(file);
    if (!open || open.getText() === this.project.readDisk(file)) {
      if (fromCorpus.length || this.corpus.isSource(file) || !open) return fromCorpus;
    }
    const parsed = this.project.openBib(file);
    if (!parsed) return fromCorpus;
    // A macro may be defined in another corpus file: the buffer alone cannot tell, the corpus can.
    const macroWarnings = fromCorpus.filter(e => /^Undefined @string macro/.test(e.message));
    return [...parsed.errors.filter(e => !/^Undefined @string macro/.test(e.message)), ...macroWarnings];
  }
}

/** What `problems` say about `file`, as a string to compare. */
function signature(problems: readonly BibProblem[], file: string): string {
  return problems.filter(p => p.file === file)
    .map(p => `${p.kind} ${p.key} ${p.range.start.line}:${p.range.start.character} ${p.other?.file ?? ''}:${p.other?.range.start.line ?? ''}`).join('\n');
}
