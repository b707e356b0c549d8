/**
 * Extension entry point: starts the language server, shows its status, and registers commands.
 * Everything about papers happens in the server; the client is UI.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction, LanguageClient, State, TransportKind, type CloseHandlerResult, type ErrorHandler, type LanguageClientOptions, type ServerOptions,
} from 'vscode-languageclient/node';
import { StatusNotification, StatusRequest, type StatusResult } from '../../server/src/protocol';
import { Config } from './config';
import { Drafting } from './drafting/commands';
import { RelatedPanel } from './panel/relatedPanel';
import { StatusBar } from './statusBar';

/** Languages whose documents the server reads (citations) or indexes (bibliographies). */
export const DOCUMENT_LANGUAGES = ['latex', 'tex', 'markdown', 'quarto', 'rmd', 'bibtex'];

export interface RelatedWorkApi {
  client: LanguageClient;
  /** Resolves once the server has indexed the corpus for the first time. */
  ready: Promise<void>;
  /** The related-papers side panel (tests wait on its `onDidRender`). */
  panel: RelatedPanel;
  /** The drafting commands (tests wait on its `onDidInsert`). */
  drafting: Drafting;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<RelatedWorkApi> {
  const config = new Config();
  const output = vscode.window.createOutputChannel('Related Work', { log: true });
  const statusBar = new StatusBar(config.statusBar);
  context.subscriptions.push(output, statusBar);

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_LANGUAGES.flatMap(language => [{ scheme: 'file', language }, { scheme: 'untitled', language }]),
    synchronize: {
      fileEvents: [
        // Corpus files, and the documents and Quarto projects that name bibliographies and cite.
        vscode.workspace.createFileSystemWatcher('**/*.{bib,bibtex,biblatex,json,jsonl,ndjson,txt,gz}'),
        vscode.workspace.createFileSystemWatcher('**/{*.tex,*.ltx,*.md,*.qmd,*.Rmd,*.rmd,_quarto.yml}'),
      ],
    },
    // A function: read again at each (re)start, so a workspace trusted later starts unrestricted.
    initializationOptions: () => config.initializationOptions(
      context.asAbsolutePath(path.join('dist', 'sample-corpus.txt')),
      path.join(context.globalStorageUri.fsPath, 'index-cache'),
    ),
    // Hovers and completion documentation hold corpus text: untrusted Markdown, no HTML, no
    // command links (the defaults, stated here; the server escapes the text as well).
    markdown: { isTrusted: false, supportHtml: false },
    errorHandler: {
      error: (error, message, count) => crashHandler().error(error, message, count),
      closed: () => onClosed(),
    },
    outputChannel: output,
  };
  const lc = new LanguageClient('relatedWork', 'Related Work', serverOptions, clientOptions);
  client = lc;
  // vscode-languageclient's own policy (restart, unless it crashed 5 times in 3 minutes), but the
  // user is told once per session, by us, instead of a notification per crash.
  let defaultHandler: ErrorHandler | undefined;
  const crashHandler = () => (defaultHandler ??= lc.createDefaultErrorHandler(4));
  let toldCrash = false;
  const onClosed = async (): Promise<CloseHandlerResult> => {
    const result = await crashHandler().closed();
    output.error(`The language server stopped unexpectedly${result.action === CloseAction.Restart ? '; restarting it' : ''}`);
    if (result.action === CloseAction.DoNotRestart) {
      void vscode.window.showErrorMessage('Related Work: the language server crashed repeatedly and was not restarted. Run "Related Work: Restart Language Server" to try again.', 'Show Log')
        .then(pick => pick && output.show(true));
    } else if (!toldCrash) {
      toldCrash = true;
      void vscode.window.showWarningMessage('Related Work: the language server stopped unexpectedly and was restarted.', 'Show Log')
        .then(pick => pick && output.show(true));
    }
    return { action: result.action, handled: true };
  };

  const panel = new RelatedPanel(context, lc, config);
  const drafting = new Drafting(lc, config, panel);
  panel.onCited = (doc, paper) => drafting.afterInsert(doc, [paper]);
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>(resolve => (markReady = resolve));
  let toldRestricted = false;
  const onStatus = (status: StatusResult, message?: string) => {
    statusBar.update(status, message);
    if (status.restricted?.skipped.length && !toldRestricted) {
      toldRestricted = true;
      void vscode.window.showInformationMessage(`Related Work: this workspace is not trusted, so ${status.restricted.skipped.length === 1 ? 'a corpus file' : `${status.restricted.skipped.length} corpus files`} outside it ${status.restricted.skipped.length === 1 ? 'is' : 'are'} not read and nothing is written. Trust the workspace to use ${status.restricted.skipped.length === 1 ? 'it' : 'them'}.`, 'Manage Workspace Trust')
        .then(pick => pick && vscode.commands.executeCommand('workbench.trust.manage'));
    }
    panel.updateStatus(status, message);
    if (status.ready) markReady();
  };
  context.subscriptions.push(
    panel,
    drafting,
    vscode.window.registerWebviewViewProvider(RelatedPanel.viewType, panel),
    vscode.commands.registerCommand('relatedWork.showRelatedPapers', () => vscode.commands.executeCommand(`${RelatedPanel.viewType}.focus`)),
    vscode.commands.registerCommand('relatedWork.searchRelatedPapers', () => panel.focusSearch()),
    vscode.commands.registerCommand('relatedWork.refreshRelatedPapers', () => panel.refreshNow()),
    lc.onNotification(StatusNotification.type, s => onStatus(s, s.message)),
    lc.onDidChangeState(e => {
      if (e.newState === State.Stopped) { statusBar.stopped(); panel.serverStopped(); }
      if (e.newState === State.Starting) statusBar.starting();
      if (e.newState === State.Running) void lc.sendRequest(StatusRequest.type).then(s => onStatus(s), () => undefined);
    }),
    vscode.commands.registerCommand('relatedWork.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('relatedWork.restartServer', async () => {
      output.info('Restarting the language server');
      await lc.restart();
    }),
    vscode.commands.registerCommand('relatedWork.showStatus', () => showStatus(lc)),
    // Restricted Mode ends when the user trusts the workspace: restart unrestricted.
    vscode.workspace.onDidGrantWorkspaceTrust(() => { output.info('Workspace trusted: restarting the language server'); void lc.restart(); }),
    vscode.workspace.onDidChangeConfiguration(e => {
      if (Config.affectsStatusBar(e)) statusBar.setVisible(config.statusBar);
      if (Config.needsRestart(e)) void lc.restart();
    }),
  );

  await lc.start();
  return { client: lc, ready, panel, drafting };
}

/** A Quick Pick listing every corpus source with its paper and error counts. */
async function showStatus(lc: LanguageClient): Promise<void> {
  const status = await lc.sendRequest(StatusRequest.type);
  const items: (vscode.QuickPickItem & { path?: string })[] = status.sources.map(s => ({
    label: `$(file) ${path.basename(s.path)}`,
    description: `${s.papers.toLocaleString('en-US')} papers${s.errors ? `, ${s.errors} errors` : ''}${s.from === 'cache' ? ' (from the index cache)' : ''}`,
    detail: s.path,
    path: s.path,
  }));
  items.push({ label: '$(output) Show log', description: 'Related Work output channel' });
  const pick = await vscode.window.showQuickPick(items, {
    title: `Related Work: ${status.papers.toLocaleString('en-US')} papers${status.ready ? '' : ' (indexing…)'}`,
    placeHolder: 'Open a corpus file',
  });
  if (!pick) return;
  if (pick.path) await vscode.window.showTextDocument(vscode.Uri.file(pick.path));
  else await vscode.commands.executeCommand('relatedWork.showOutput');
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
