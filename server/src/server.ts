/**
 * The language server: a thin adapter from LSP to the pure features. It owns the connection, the
 * open documents and the corpus manager; every handler calls one feature and converts its result
 * with `lsp/toProto`. Runs over stdio (`node dist/server.js --stdio`) or IPC (VS Code).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createConnection, DidChangeConfigurationNotification, FileChangeType, ProposedFeatures, TextDocuments,
  TextDocumentSyncKind, type InitializeParams, type InitializeResult, type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SETTINGS, readSettings } from './config';
import { corpusFormat } from './corpus/loader';
import { CorpusManager, planSources, type ProgressSink } from './corpusManager';
import { entryAsWritten, formatBibtex, isBibSource } from './features/bibtexExport';
import { citationEdit } from './features/citationEdit';
import { completeCitation } from './features/completion';
import { hoverCitation } from './features/hover';
import { documentContext, passageAt } from './features/passage';
import { relatedPapers } from './features/related';
import { clampLimit, searchPapers } from './features/search';
import { isCompletionData, resolveCompletionItem, toCompletionList, toDiagnostics, toHover, toPaperItem, toRelatedResult } from './lsp/toProto';
import {
  BibtexRequest, CitationEditRequest, RelatedRequest, SearchRequest, StatusNotification, StatusRequest,
  type BibtexResult, type CitationEditResult, type InitializationOptions, type ItemsResult, type RelatedResult, type ServerSettings,
} from './protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let settings: ServerSettings = DEFAULT_SETTINGS;
let initOptions: InitializationOptions = {};
let folders: string[] = [];
let canPullConfiguration = false;
let canReportProgress = false;

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
  onStatus: (status, message) => void connection.sendNotification(StatusNotification.type, { ...status, message }),
  onSourceErrors: (file, errors) => void connection.sendDiagnostics({ uri: pathToFileURL(file).href, diagnostics: toDiagnostics(errors) }),
  progress: progressSink,
});

/** Runs a handler; a failure is logged and answered with `fallback` instead of killing the server. */
function guard<T>(name: string, fallback: T, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
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
  settings = readSettings({}, initOptions);
  if (typeof initOptions.cacheDir === 'string' && path.isAbsolute(initOptions.cacheDir)) corpus.cacheDir = initOptions.cacheDir;
  if (typeof initOptions.indexPartBytes === 'number' && initOptions.indexPartBytes >= 1024) corpus.partBytes = initOptions.indexPartBytes;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: ['{', ',', '@', '['], resolveProvider: true },
      hoverProvider: true,
    },
    serverInfo: { name: 'related-work' },
  };
});

connection.onInitialized(() => {
  if (canPullConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'relatedWork' });
  void refreshCorpus();
});

async function refreshCorpus(): Promise<void> {
  try {
    if (canPullConfiguration) {
      const [raw] = await connection.workspace.getConfiguration([{ section: 'relatedWork' }]);
      settings = readSettings(raw, initOptions);
    }
    const samplePath = initOptions.sampleCorpusPath ?? path.join(__dirname, 'sample-corpus.txt');
    await corpus.apply(await planSources(settings, folders, samplePath));
  } catch (e) {
    log.error(`Loading the corpus failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  }
}

connection.onDidChangeConfiguration(() => void refreshCorpus());

connection.onDidChangeWatchedFiles(params => {
  let replan = false;
  for (const change of params.changes) {
    if (!change.uri.startsWith('file:')) continue;
    const file = path.normalize(fileURLToPath(change.uri));
    if (!corpusFormat(file)) continue;
    if (change.type === FileChangeType.Changed) {
      if (corpus.isSource(file)) void corpus.reload(file);
      continue;
    }
    if (change.type === FileChangeType.Deleted) corpus.remove(file);
    replan = true; // a created or deleted file may change which files make up the corpus
  }
  if (replan) void refreshCorpus();
});

connection.onCompletion(params => guard('completion', null, () => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return null;
  const result = completeCitation(doc.getText(), params.position, doc.languageId, corpus.index, {
    limit: settings.completionLimit, extraCommands: settings.citeCommands,
  });
  return result ? toCompletionList(result) : null;
}));

connection.onCompletionResolve(item => guard('completionResolve', item, () => {
  if (!isCompletionData(item.data)) return item;
  return resolveCompletionItem(item, corpus.index.paperWithKey(item.data.key, item.data.source));
}));

connection.onHover(params => guard('hover', null, () => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return null;
  const result = hoverCitation(doc.getText(), params.position, doc.languageId, corpus.index, settings.citeCommands);
  return result ? toHover(result) : null;
}));

connection.onRequest(StatusRequest.type, () => corpus.status());

connection.onRequest(SearchRequest.type, params => guard<ItemsResult>('search', { items: [] }, () => ({
  items: searchPapers(corpus.index, String(params?.query ?? ''), params?.limit).map(toPaperItem),
  partial: !corpus.ready || undefined,
})));

connection.onRequest(RelatedRequest.type, params => guard<RelatedResult>('related', { items: [], query: '' }, () => {
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
  const hits = text ? relatedPapers(corpus.index, {
    text, limit: clampLimit(params?.limit), context: { documentTitle, citedKeys: context?.citedKeys },
  }) : [];
  return toRelatedResult(hits, { citedKeys: context?.citedKeys, range, text: text ?? '', partial: !corpus.ready });
}));

connection.onRequest(CitationEditRequest.type, params => guard<CitationEditResult>('citationEdit', { reason: 'Internal error' }, () => {
  const doc = documents.get(String(params?.uri));
  if (!doc || typeof params.key !== 'string' || !params.key || !params.position) return { reason: 'The document is not open.' };
  return citationEdit(doc.getText(), doc.languageId, params.position, params.key, settings.citeCommands);
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
