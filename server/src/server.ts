/**
 * The language server: a thin adapter from LSP to the pure features. It owns the connection, the
 * open documents and the corpus manager; every handler calls one feature and converts its result
 * with `lsp/toProto`. Runs over stdio (`node dist/server.js --stdio`) or IPC (VS Code).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind, createConnection, DidChangeConfigurationNotification, ErrorCodes, FileChangeType, ProposedFeatures, ResponseError, TextDocuments,
  TextDocumentSyncKind, type InitializeParams, type InitializeResult, type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { bibInputs, DEFAULT_SETTINGS, readSettings } from './config';
import { corpusFormat, parseCorpusText } from './corpus/loader';
import type { Paper } from './corpus/paper';
import { CorpusManager, planSources, type ProgressSink, type SourcePlan } from './corpusManager';
import type { CorpusIndex } from './index/corpusIndex';
import { entryAsWritten, formatBibtex, isBibSource } from './features/bibtexExport';
import { citationEdit } from './features/citationEdit';
import { completeCitation } from './features/completion';
import { hoverCitation } from './features/hover';
import { undefinedKeyFixes } from './features/codeActions';
import { addToBibliography } from './features/bibliographyAppend';
import { citedKeysIn } from './features/citations';
import { draftParagraph } from './features/draftParagraph';
import { draftOptions, draftSentences } from './features/snippet';
import { citationsOf, definitions, invalidKeyReason, keyAt, renameEdits, type CitingDocument } from './features/navigation';
import { documentContext, passageAt } from './features/passage';
import { relatedPapers } from './features/related';
import { clampLimit, searchPapers } from './features/search';
import { bibSymbols, paperSymbols } from './features/symbols';
import { letterRequests, warmUpIndex, warmUpRequests, type WarmUpRequest } from './features/warmUp';
import { DiagnosticsRunner } from './diagnosticsRunner';
import {
  DIAGNOSTIC_SOURCE, isCompletionData, resolveCompletionItem, toAddToBibliographyResult, toCodeActions, toCompletionList, toDefinition, toDocumentSymbols, toHover,
  toLocations, toPaperItem, toRelatedResult, toWorkspaceEdit, toWorkspaceSymbols, UNDEFINED_KEY,
} from './lsp/toProto';
import { fileOfUri, Project } from './project';
import {
  AddToBibliographyRequest, BibtexRequest, CitationEditRequest, CitationSnippetRequest, DraftParagraphRequest, RelatedRequest, SearchRequest, StatusNotification, StatusRequest,
  type AddToBibliographyResult, type BibtexResult, type CitationEditResult, type CitationSnippetResult, type DraftParagraphResult, type InitializationOptions,
  type ItemsResult, type PaperRef, type RelatedResult, type ServerSettings,
} from './protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let settings: ServerSettings = DEFAULT_SETTINGS;
let initOptions: InitializationOptions = {};
let folders: string[] = [];
let canPullConfiguration = false;
let canReportProgress = false;
/** False in an untrusted workspace (Restricted Mode): nothing outside the workspace folders is read, nothing is written. */
let trusted = true;

const log = {
  info: (m: string) => connection.console.info(m),
  warn: (m: string) => connection.console.warn(m),
  error: (m: string) => connection.console.error(m),
};

function progressSink(): ProgressSink {
  if (!canReportProgress) return { begin() {}, report() {}, done() {} };
  let reporter: Promise<WorkDoneProgressServerReporter> | undefined;
  return {
    begin(title) {
      reporter = connection.window.createWorkDoneProgress().then(r => { r.begin(title, 0, undefined, false); return r; });
      reporter.catch(() => undefined);
    },
    report(message, percentage) { void reporter?.then(r => r.report(percentage, message), () => undefined); },
    done() { void reporter?.then(r => r.done(), () => undefined); },
  };
}

const corpus = new CorpusManager({
  log,
  onStatus: (status, message) => {
    void connection.sendNotification(StatusNotification.type, { ...status, message });
    if (status.ready) diagnostics.scheduleAll(500); // the index changed: keys may be (un)defined now
    if (status.ready && status.papers > 0) {
      // One warm-up at a time: a newer index (a file re-read, an unsaved .bib indexed) supersedes it.
      const run = ++indexWarmUps;
      // More when the sample warm-up did not run first (a restart from the cache): these compile the code.
      const requests = [...warmUpRequests(corpus.index, sampleWarmUpStarted ? 8 : 24), ...letterRequests()];
      void warmUp(corpus.index, requests, () => run !== indexWarmUps).then(done => {
        if (done) log.info(`Warmed up the index with ${requests.length} requests`);
      });
    }
  },
  onSourceErrors: (file, errors) => diagnostics.setLoadErrors(file, errors),
  progress: progressSink,
});
const project = new Project(documents, () => corpus.index);
const diagnostics = new DiagnosticsRunner(connection, documents, project, corpus, () => settings);
/** Bibliography files that open documents name and the corpus plan lacks: indexed too. */
const namedBibliographies = new Set<string>();
diagnostics.onUnindexedBibliography = files => {
  const fresh = files.filter(f => !namedBibliographies.has(f));
  if (fresh.length === 0) return;
  for (const f of fresh) namedBibliographies.add(f);
  void refreshCorpus();
};

/**
 * Answers made-up requests (see `features/warmUp.ts`) one per event-loop turn, so that requests
 * arriving meanwhile are answered in between: first against the bundled sample corpus, indexed
 * here while the real corpus is built in workers (V8 compiles the ranking code), then, each time
 * the index is ready, a few against the real index (its segments' first-use work) and the
 * one-letter citations, whose ranking the index keeps.
 */
async function warmUp(index: CorpusIndex, requests: readonly WarmUpRequest[], superseded = () => false): Promise<boolean> {
  for (const r of requests) {
    await new Promise(resolve => setImmediate(resolve));
    if (superseded()) return false;
    try {
      const doc = TextDocument.create('untitled:warm-up', r.languageId, 0, r.text);
      if (r.kind === 'hover') hoverAt(doc, r.position, index);
      else if (r.kind === 'related') relatedTo(r.text, 10, {}, undefined, index);
      else {
        const item = completionAt(doc, r.position, index)?.items[0];
        if (item && isCompletionData(item.data)) resolveCompletionItem(item, index.paperWithKey(item.data.key, item.data.source));
      }
    } catch (e) {
      log.warn(`Warm-up ${r.kind} request failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
  return true;
}

/** Warm-ups of the index started so far (a newer one stops the one running). */
let indexWarmUps = 0;
/** Whether the warm-up on the sample corpus has started. */
let sampleWarmUpStarted = false;
/** How long a restart's sample warm-up waits for the index (see `onInitialized`; `sampleWarmUpDelayMs`). */
const SAMPLE_WARM_UP_DELAY_MS = 1500;

async function warmUpOnSample(samplePath: string): Promise<void> {
  sampleWarmUpStarted = true;
  const started = Date.now();
  const { papers } = parseCorpusText(await readFile(samplePath, 'utf8'), samplePath);
  const index = await warmUpIndex(papers, samplePath, () => new Promise(resolve => setImmediate(resolve)));
  const requests = warmUpRequests(index, 32);
  await warmUp(index, requests);
  log.info(`Warmed up with ${requests.length} requests on the sample corpus in ${Date.now() - started} ms`);
}

/** Settings as Restricted Mode allows them: no entries appended to bibliographies on insert. */
function restrict(s: ServerSettings): ServerSettings {
  return trusted ? s : { ...s, addOnInsert: false };
}

/** Restricted Mode: only edits of the document itself (no entries appended to bibliography files). */
function allowedFixes<T extends { edits: ReadonlyArray<{ file: string }>; append?: unknown }>(fixes: T[], file: string): T[] {
  return trusted ? fixes : fixes.filter(f => !f.append && f.edits.every(e => e.file === file));
}

function isPosition(p: unknown): p is { line: number; character: number } {
  return typeof p === 'object' && p !== null && Number.isFinite((p as { line: unknown }).line) && Number.isFinite((p as { character: unknown }).character);
}

function invalidParams(what: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, `Invalid ${what}`);
}

/** Malformed parameters (no text document, a position that is no position) are a protocol error, not a handler failure. */
function validParams(params: unknown, withPosition: boolean): void {
  const doc = (params as { textDocument?: { uri?: unknown } } | null)?.textDocument;
  if (typeof doc?.uri !== 'string') throw invalidParams('textDocument');
  if (withPosition && !isPosition((params as { position?: unknown }).position)) throw invalidParams('position');
}

/** Runs a handler (noting the request, so background checks wait); a failure is logged and answered with `fallback` instead of killing the server. */
function guard<T>(name: string, fallback: T, fn: () => T): T {
  diagnostics.noteRequest();
  try {
    return fn();
  } catch (e) {
    if (e instanceof ResponseError) throw e; // a deliberate answer (e.g. an invalid new name)
    log.error(`${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return fallback;
  }
}

/** `guard` for handlers that wait (on the workspace's list of documents). */
async function guardAsync<T>(name: string, fallback: T, fn: () => Promise<T>): Promise<T> {
  diagnostics.noteRequest();
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ResponseError) throw e;
    log.error(`${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return fallback;
  }
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  initOptions = (params.initializationOptions ?? {}) as InitializationOptions;
  const wsFolders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []);
  folders = wsFolders.filter(f => f.uri.startsWith('file:')).map(f => fileURLToPath(f.uri));
  canPullConfiguration = !!params.capabilities.workspace?.configuration;
  canReportProgress = !!params.capabilities.window?.workDoneProgress;
  trusted = initOptions.trusted !== false;
  settings = restrict(readSettings({}, initOptions));
  // Restricted Mode writes no index cache (and so reads none either).
  if (trusted && typeof initOptions.cacheDir === 'string' && path.isAbsolute(initOptions.cacheDir)) corpus.cacheDir = initOptions.cacheDir;
  if (!trusted) log.info('Untrusted workspace (Restricted Mode): corpus files outside the workspace folders are not read; nothing is written.');
  if (typeof initOptions.indexPartBytes === 'number' && initOptions.indexPartBytes >= 1024) corpus.partBytes = initOptions.indexPartBytes;
  project.bibInputs = bibInputs();
  project.setFolders(folders);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: ['{', ',', '@', '['], resolveProvider: true },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: 'related-work' },
  };
});

connection.onInitialized(() => {
  if (canPullConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'relatedWork' });
  void refreshCorpus(plan => {
    // A first index takes seconds: warm up on the sample corpus as soon as the workers have their builds.
    // A restart from the index cache is ready in about a second and a half: on two cores the
    // warm-up would slow down the cache load it runs beside (restart 1.8 s instead of 1.4 s), and
    // the index warm-up after the load compiles the same code; so then it waits and is skipped if
    // the index is ready by then. (Started late in a first index, with both workers busy, its
    // first requests held up others for ~0.5 s.)
    const sampleWarmUp = () => void warmUpOnSample(initOptions.sampleCorpusPath ?? path.join(__dirname, 'sample-corpus.txt'))
      .catch(e => log.warn(`Warm-up skipped: ${e instanceof Error ? e.message : String(e)}`));
    const unlessReadyWithin = (wait: number) => setTimeout(() => {
      if (indexWarmUps === 0) sampleWarmUp();
      else log.info(`No sample corpus warm-up: the index was ready within ${wait} ms`);
    }, wait);
    const delay = initOptions.sampleWarmUpDelayMs;
    if (delay === 0) sampleWarmUp();
    else if (typeof delay === 'number' && delay > 0) unlessReadyWithin(delay);
    else {
      // Not before the first build is handed to a worker: parsing and indexing the sample corpus
      // blocks this thread for ~0.15 s, which would hold up planning the parts the workers wait for.
      const started = corpus.buildsStarted();
      void corpus.indexedBefore(plan).then(restart => (restart ? unlessReadyWithin(SAMPLE_WARM_UP_DELAY_MS) : void started.then(sampleWarmUp)));
    }
  });
});

/** Plans the corpus from the settings and loads it; `planned` is told the plan first. */
async function refreshCorpus(planned?: (plan: SourcePlan[]) => void): Promise<void> {
  try {
    if (canPullConfiguration) {
      const [raw] = await connection.workspace.getConfiguration([{ section: 'relatedWork' }]);
      settings = restrict(readSettings(raw, initOptions));
    }
    const samplePath = initOptions.sampleCorpusPath ?? path.join(__dirname, 'sample-corpus.txt');
    const restricted = trusted ? undefined : { skipped: [] as string[] };
    const plan = await planSources(settings, folders, samplePath, [...namedBibliographies], restricted);
    if (restricted?.skipped.length) log.warn(`Restricted Mode: not reading ${restricted.skipped.join(', ')} (outside the workspace folders)`);
    corpus.restricted = restricted;
    planned?.(plan);
    await corpus.apply(plan);
    diagnostics.scheduleAll();
  } catch (e) {
    log.error(`Loading the corpus failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  }
}

connection.onDidChangeConfiguration(() => void refreshCorpus());

connection.onDidChangeWatchedFiles(params => {
  let replan = false;
  let relist = false;
  for (const change of params.changes) {
    if (!change.uri.startsWith('file:')) continue;
    const file = path.normalize(fileURLToPath(change.uri));
    project.invalidate(file);
    // Documents and Quarto projects: their bibliographies and citations may have changed.
    if (/\.(tex|ltx|md|markdown|qmd|rmd)$|_quarto\.yml$/i.test(file)) {
      if (change.type !== FileChangeType.Changed) relist = true;
      diagnostics.scheduleAll();
      continue;
    }
    if (!corpusFormat(file)) continue;
    if (change.type === FileChangeType.Changed) {
      if (corpus.isSource(file)) void corpus.reload(file);
      continue;
    }
    if (change.type === FileChangeType.Deleted) corpus.remove(file);
    replan = true; // a created or deleted file may change which files make up the corpus
  }
  if (replan) void refreshCorpus();
  if (relist) void project.relist().then(() => diagnostics.scheduleAll());
});

/** Versions the documents were opened at: an unchanged open corpus file is read from disk (and its cache). */
const openedAt = new Map<string, number>();
documents.onDidOpen(e => openedAt.set(e.document.uri, e.document.version));
documents.onDidChangeContent(e => {
  diagnostics.schedule(e.document.uri);
  // Unsaved edits to a corpus file (a .bib) take effect at once: that file is indexed from the editor.
  const file = fileOfUri(e.document.uri);
  if (openedAt.get(e.document.uri) !== e.document.version && corpus.isSource(file)) corpus.setOverlay(file, e.document.getText());
});
documents.onDidClose(e => {
  openedAt.delete(e.document.uri);
  corpus.setOverlay(fileOfUri(e.document.uri), undefined); // the file on disk counts again
  project.closed(fileOfUri(e.document.uri));
  diagnostics.closed(e.document.uri);
});

/** An open document as the navigation features see it. */
function citing(uri: string): { doc: TextDocument; cd: CitingDocument; isBib: boolean } | undefined {
  const doc = documents.get(uri);
  if (!doc) return undefined;
  return { doc, cd: { file: fileOfUri(uri), text: doc.getText(), languageId: doc.languageId }, isBib: doc.languageId === 'bibtex' };
}

function keyUnder(uri: string, position: { line: number; character: number }) {
  const c = citing(uri);
  if (!c) return undefined;
  const at = keyAt(c.cd, position, settings.citeCommands, c.isBib ? project.openBib(c.cd.file) : undefined);
  return at ? { ...c, ...at } : undefined;
}

/** The entries of `key`: in the document's bibliography (or, in a `.bib`, that file), else the corpus. */
function definitionsFor(key: string, c: { doc: TextDocument; cd: CitingDocument; isBib: boolean }) {
  return definitions(key, {
    bibliography: c.isBib ? { root: c.cd.file, documents: [], resources: [], files: [c.cd.file], bibitems: [], nociteAll: false, declared: true } : project.bibliographyOf(c.doc),
    bibOf: f => project.bibOf(f),
    corpusPapers: k => corpus.index.byKey(k),
  });
}

connection.onDefinition(params => guard('definition', null, () => {
  validParams(params, true);
  const at = keyUnder(params.textDocument.uri, params.position);
  if (!at || at.isBib) return null;
  return toDefinition(definitionsFor(at.key, at), at.range);
}));

connection.onReferences(params => guardAsync('references', null, async () => {
  validParams(params, true);
  const at = keyUnder(params.textDocument.uri, params.position);
  if (!at) return null;
  await project.whenListed();
  const refs = citationsOf(at.key, project.citingDocuments(), settings.citeCommands);
  if (params.context.includeDeclaration) {
    for (const d of definitionsFor(at.key, at)) refs.unshift({ file: d.file, range: d.selection });
  }
  return toLocations(refs);
}));

connection.onPrepareRename(params => guard('prepareRename', null, () => {
  validParams(params, true);
  const at = keyUnder(params.textDocument.uri, params.position);
  return at ? { range: at.range, placeholder: at.key } : null;
}));

connection.onRenameRequest(params => guardAsync('rename', null, async () => {
  validParams(params, true);
  const at = keyUnder(params.textDocument.uri, params.position);
  if (!at) return null;
  const reason = invalidKeyReason(params.newName);
  if (reason) throw new ResponseError(ErrorCodes.InvalidParams, reason);
  await project.whenListed();
  // The entries renamed: the workspace's bibliography files, the document's own (wherever they
  // are) and open .bib buffers; never a configured library outside the workspace.
  const bibFiles = new Set<string>();
  for (const s of corpus.status().sources) if (project.inWorkspace(s.path) && /\.(bib|bibtex|biblatex)$/i.test(s.path)) bibFiles.add(s.path);
  if (at.isBib) bibFiles.add(at.cd.file);
  else for (const f of project.bibliographyOf(at.doc).files) bibFiles.add(f);
  for (const d of documents.all()) if (d.languageId === 'bibtex') bibFiles.add(fileOfUri(d.uri));
  const bibs = [...bibFiles].map(f => project.bibOf(f)).filter(b => b !== undefined);
  return toWorkspaceEdit(renameEdits(at.key, params.newName, { docs: project.citingDocuments(), bibs, extraCommands: settings.citeCommands }));
}));

connection.onCodeAction(params => guard('codeAction', null, () => {
  validParams(params, false);
  const doc = documents.get(params.textDocument.uri);
  if (!doc || doc.languageId === 'bibtex') return null;
  const ours = params.context.diagnostics.filter(d => d.source === DIAGNOSTIC_SOURCE && d.code === UNDEFINED_KEY);
  if (ours.length === 0) return null;
  const bibliography = project.bibliographyOf(doc);
  return ours.flatMap(d => {
    const key = typeof (d.data as { key?: unknown } | undefined)?.key === 'string' ? (d.data as { key: string }).key : doc.getText(d.range);
    const fixes = undefinedKeyFixes({
      file: fileOfUri(doc.uri), key, range: d.range, bibliography, index: corpus.index,
      bibOf: f => project.bibOf(f), textOf: f => project.textOf(f),
    });
    return toCodeActions(allowedFixes(fixes, fileOfUri(doc.uri)), d, doc.uri);
  });
}));

connection.onDocumentSymbol(params => guard('documentSymbol', null, () => {
  validParams(params, false);
  const doc = documents.get(params.textDocument.uri);
  if (!doc || doc.languageId !== 'bibtex') return null;
  const bib = project.openBib(fileOfUri(doc.uri));
  return bib ? toDocumentSymbols(bibSymbols(bib)) : null;
}));

connection.onWorkspaceSymbol(params => guard('workspaceSymbol', [], () => toWorkspaceSymbols(paperSymbols(corpus.index, params.query))));

function completionAt(doc: TextDocument, position: { line: number; character: number }, index = corpus.index) {
  const text = doc.getText();
  const draft = draftOptions(doc.languageId, settings.citeStyle, settings.snippetTemplate, text);
  const result = completeCitation(text, position, doc.languageId, index, {
    limit: settings.completionLimit, extraCommands: settings.citeCommands,
    snippets: draft ? { count: settings.snippetCompletionItems, draft } : undefined,
  });
  return result ? toCompletionList(result, settings.addOnInsert ? { uri: doc.uri } : undefined) : null;
}

connection.onCompletion(params => guard('completion', null, () => {
  validParams(params, true);
  const doc = documents.get(params.textDocument.uri);
  return doc ? completionAt(doc, params.position) : null;
}));

connection.onCompletionResolve(item => guard('completionResolve', item, () => {
  if (!isCompletionData(item.data)) return item;
  return resolveCompletionItem(item, corpus.index.paperWithKey(item.data.key, item.data.source));
}));

function hoverAt(doc: TextDocument, position: { line: number; character: number }, index = corpus.index) {
  const result = hoverCitation(doc.getText(), position, doc.languageId, index, settings.citeCommands);
  return result ? toHover(result) : null;
}

connection.onHover(params => guard('hover', null, () => {
  validParams(params, true);
  const doc = documents.get(params.textDocument.uri);
  return doc ? hoverAt(doc, params.position) : null;
}));

connection.onRequest(StatusRequest.type, () => corpus.status());

connection.onRequest(SearchRequest.type, params => guard<ItemsResult>('search', { items: [] }, () => ({
  items: searchPapers(corpus.index, String(params?.query ?? ''), params?.limit).map(toPaperItem),
  partial: !corpus.ready || undefined,
})));

connection.onRequest(RelatedRequest.type, params => guard<RelatedResult>('related', { items: [], query: '' }, () => {
  if (params?.position !== undefined && !isPosition(params.position)) throw invalidParams('position');
  const doc = typeof params?.uri === 'string' ? documents.get(params.uri) : undefined;
  const context = doc ? documentContext(doc.getText(), doc.languageId, settings.citeCommands) : undefined;
  let text = typeof params?.text === 'string' ? params.text : undefined;
  let range;
  if (text === undefined && doc && params.position) {
    const passage = passageAt(doc.getText(), doc.languageId, params.position, params.selection);
    text = passage?.text;
    range = passage?.range;
  }
  const documentTitle = typeof params?.documentTitle === 'string' ? params.documentTitle : context?.title;
  return relatedTo(text ?? '', typeof params?.limit === 'number' ? params.limit : undefined, { documentTitle, citedKeys: context?.citedKeys }, range);
}));

function relatedTo(text: string, limit: number | undefined, context: { documentTitle?: string; citedKeys?: string[] }, range?: Parameters<typeof toRelatedResult>[1]['range'], index = corpus.index): RelatedResult {
  const hits = text ? relatedPapers(index, { text, limit: clampLimit(limit), context }) : [];
  return toRelatedResult(hits, { citedKeys: context.citedKeys, range, text, partial: !corpus.ready });
}

connection.onRequest(CitationEditRequest.type, params => guard<CitationEditResult>('citationEdit', { reason: 'Internal error' }, () => {
  if (!isPosition(params?.position)) throw invalidParams('position');
  const doc = documents.get(String(params?.uri));
  if (!doc || typeof params.key !== 'string' || !params.key || !params.position) return { reason: 'The document is not open.' };
  const keys = Array.isArray(params.keys) && params.keys.length ? params.keys.filter((k): k is string => typeof k === 'string' && k !== '') : [params.key];
  return citationEdit(doc.getText(), doc.languageId, params.position, keys, settings.citeCommands);
}));

/** The corpus papers of `refs` (undefined for a key the corpus lacks), at most `max`. */
function papersOf(refs: unknown, max = 200): Array<{ key: string; paper: Paper | undefined }> {
  if (!Array.isArray(refs)) return [];
  return refs.filter((r): r is PaperRef => !!r && typeof (r as PaperRef).key === 'string' && (r as PaperRef).key !== '').slice(0, max)
    .map(r => ({ key: r.key, paper: corpus.index.paperWithKey(r.key, typeof r.source === 'string' ? r.source : undefined) }));
}

connection.onRequest(CitationSnippetRequest.type, params => guard<CitationSnippetResult>('citationSnippet', { reason: 'Internal error' }, () => {
  const doc = documents.get(String(params?.uri));
  if (!doc) return { reason: 'The document is not open.' };
  const draft = draftOptions(doc.languageId, settings.citeStyle, settings.snippetTemplate, doc.getText());
  if (!draft) return { reason: 'Citation sentences can be inserted in LaTeX and Markdown documents only.' };
  const wanted = papersOf(params.papers, 50);
  const papers = wanted.map(w => w.paper).filter(p => p !== undefined);
  const missing = wanted.filter(w => !w.paper).map(w => w.key);
  if (papers.length === 0) return { missing, reason: 'No such paper in the corpus.' };
  return { snippet: draftSentences(papers, draft, 'snippet'), text: draftSentences(papers, draft, 'plain'), missing: missing.length ? missing : undefined };
}));

connection.onRequest(DraftParagraphRequest.type, params => guard<DraftParagraphResult>('draftParagraph', { reason: 'Internal error' }, () => {
  const doc = documents.get(String(params?.uri));
  if (!doc) return { reason: 'The document is not open.' };
  const draft = draftOptions(doc.languageId, settings.citeStyle, settings.snippetTemplate, doc.getText());
  if (!draft) return { reason: 'Paragraphs can be drafted in LaTeX and Markdown documents only.' };
  let refs: PaperRef[] = Array.isArray(params.papers) ? params.papers : [];
  if (refs.length === 0 && params.selection) {
    refs = citedKeysIn(doc.getText(), doc.languageId, params.selection, settings.citeCommands).map(key => ({ key }));
  }
  const wanted = papersOf(refs);
  const papers = wanted.map(w => w.paper).filter(p => p !== undefined);
  const missing = wanted.filter(w => !w.paper).map(w => w.key);
  if (papers.length === 0) return { missing, reason: refs.length ? 'None of these keys is in the corpus.' : 'No papers to draft from.' };
  const result = draftParagraph(papers, draft, s => corpus.index.relatedIdf(s));
  return {
    text: result.text,
    themes: result.themes.map(t => ({ terms: t.terms, keys: t.papers.map(p => p.key) })),
    keys: result.themes.flatMap(t => t.papers.map(p => ({ key: p.key, source: p.source }))),
    missing: missing.length ? missing : undefined,
  };
}));

connection.onRequest(AddToBibliographyRequest.type, params => guard<AddToBibliographyResult>('addToBibliography', { added: [], skipped: [], missing: [], reason: 'Internal error' }, () => {
  const doc = documents.get(String(params?.uri));
  if (!doc) return { added: [], skipped: [], missing: [], reason: 'The document is not open.' };
  if (!trusted) return { added: [], skipped: [], missing: [], reason: 'the workspace is not trusted (Restricted Mode): nothing is written to bibliography files.' };
  const bibliography = project.bibliographyOf(doc);
  const result = addToBibliography({
    files: bibliography.files,
    fileHas: (f, key) => project.bibOf(f)?.has(key) ?? false,
    textOf: f => project.textOf(f),
  }, papersOf(params.papers));
  return toAddToBibliographyResult(result);
}));

connection.onRequest(BibtexRequest.type, async (params): Promise<BibtexResult> => {
  try {
    const paper = corpus.index.paperWithKey(String(params?.key ?? ''), params?.source);
    if (!paper) return {};
    if (isBibSource(paper.source)) {
      const open = documents.get(pathToFileURL(paper.source).href);
      const text = open ? open.getText() : await readFile(paper.source, 'utf8').catch(() => undefined);
      const raw = text !== undefined ? entryAsWritten(text, paper) : undefined;
      if (raw) return { bibtex: raw };
    }
    return { bibtex: formatBibtex(paper) };
  } catch (e) {
    log.error(`bibtex failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return {};
  }
});

documents.listen(connection);
connection.listen();
