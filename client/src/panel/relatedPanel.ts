/**
 * The "Related Papers" side panel: a webview view that follows the LaTeX/Markdown editor. When the
 * cursor rests in a paragraph (debounced), it asks the server `relatedWork/related` for the
 * paragraph (or the selection) at the cursor; the panel's search box asks the same for typed text.
 * Cards offer Cite (an undoable `WorkspaceEdit` computed by the server in the document's syntax),
 * Copy BibTeX, Open (http(s) links only) and Pin (per document, kept in the workspace state).
 *
 * The webview gets no corpus text in its HTML: everything arrives as typed messages
 * (`messages.ts`), validated on both sides, and is rendered as text.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  BibtexRequest, CitationEditRequest, RelatedRequest,
  type RelatedItem, type RelatedParams, type RelatedResult, type StatusResult,
} from '../../../server/src/protocol';
import type { Config } from '../config';
import { parseFromWebview, type FromWebview, type IndexStatus, type PanelItem, type PanelState, type PaperRef, type ToWebview } from './messages';

const LATEX = new Set(['latex', 'tex', 'plaintex', 'doctex']);
const MARKDOWN = new Set(['markdown', 'quarto', 'rmd', 'rmarkdown', 'pandoc']);
const PINS_KEY = 'relatedWork.pins';

type Pins = Record<string, PanelItem[]>;

export function isWritingDocument(doc: vscode.TextDocument): boolean {
  return LATEX.has(doc.languageId) || MARKDOWN.has(doc.languageId);
}

/** Whether `status` changed in a way the panel must re-query for (indexing finished or the corpus changed). */
function corpusChanged(before: IndexStatus, after: IndexStatus): boolean {
  return before.ready !== after.ready || (after.ready && before.papers !== after.papers);
}

export class RelatedPanel implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'relatedWork.related';

  private view: vscode.WebviewView | undefined;
  private editor: vscode.TextEditor | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private searchQuery = '';
  private status: IndexStatus = { ready: false, papers: 0 };
  /** The last query's document, version and passage: a cursor move inside it asks nothing new. */
  private last: { uri: string; version: number; range?: vscode.Range; selection: boolean; search: string } | undefined;
  /** Papers currently shown (results and pins), by `key\0source`: actions refer to these only. */
  private shown = new Map<string, PanelItem & { links: RelatedItem['links'] }>();
  private lastState: PanelState | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly _onDidRender = new vscode.EventEmitter<PanelState>();
  /** Called after Cite inserted a citation (adds the entry to the bibliography when so configured). */
  onCited: ((doc: vscode.TextDocument, paper: PaperRef) => Promise<void>) | undefined;
  /** Fires after each state is sent to the webview (tests wait on it). */
  readonly onDidRender = this._onDidRender.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
    private readonly config: Config,
  ) {
    this.editor = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].find(e => e && isWritingDocument(e.document));
    this.disposables.push(
      this._onDidRender,
      vscode.window.onDidChangeActiveTextEditor(e => {
        if (e && isWritingDocument(e.document)) { this.editor = e; this.schedule(); }
      }),
      vscode.window.onDidChangeTextEditorSelection(e => {
        if (!isWritingDocument(e.textEditor.document)) return;
        this.editor = e.textEditor;
        this.schedule();
      }),
      vscode.workspace.onDidChangeTextDocument(e => {
        if (this.editor && e.document === this.editor.document && e.contentChanges.length) this.schedule();
      }),
      vscode.workspace.onDidCloseTextDocument(doc => {
        if (this.editor?.document === doc) { this.editor = undefined; this.schedule(); }
      }),
    );
  }

  get state(): PanelState | undefined { return this.lastState; }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = panelHtml(view.webview, media);
    view.onDidChangeVisibility(() => { if (view.visible) this.refresh(true); }, undefined, this.disposables);
    view.onDidDispose(() => { this.view = undefined; }, undefined, this.disposables);
    view.webview.onDidReceiveMessage(raw => {
      const msg = parseFromWebview(raw);
      if (!msg) { this.client.outputChannel.warn(`Related panel: ignored an invalid message ${JSON.stringify(raw)?.slice(0, 200)}`); return; }
      void this.handle(msg).catch(e => this.notice(`${e instanceof Error ? e.message : String(e)}`, 'error'));
    }, undefined, this.disposables);
  }

  /** The index status from the server: shown as progress, and a finished index re-runs the query. */
  updateStatus(status: StatusResult, message?: string): void {
    const next: IndexStatus = { ready: status.ready, papers: status.papers, message };
    const changed = corpusChanged(this.status, next);
    this.status = next;
    this.post({ type: 'status', status: next });
    if (changed) this.schedule(0, true);
  }

  /** The language server stopped: say so instead of showing stale results. */
  serverStopped(): void {
    this.last = undefined;
    this.status = { ready: false, papers: 0 };
    this.render({ view: 'stopped', pinned: [], items: [] });
  }

  /** Reveals the panel and puts the cursor in its search box. */
  async focusSearch(): Promise<void> {
    await vscode.commands.executeCommand(`${RelatedPanel.viewType}.focus`);
    this.post({ type: 'focusSearch' });
  }

  /** Re-runs the current query now (the Refresh command; tests). */
  refreshNow(): Promise<void> {
    return this.refresh(true);
  }

  private schedule(delay = this.config.panelDebounce, force = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(force); }, delay);
  }

  private async handle(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'status', status: this.status });
        if (this.lastState) this.post({ type: 'state', state: this.lastState });
        await this.refresh(true);
        return;
      case 'search':
        this.searchQuery = msg.query.trim();
        await this.refresh(true);
        return;
      case 'cite': return this.cite(msg.paper);
      case 'copyBibtex': return this.copyBibtex(msg.paper);
      case 'open': return this.open(msg.paper);
      case 'pin': return this.pin(msg.paper, msg.pinned);
    }
  }

  private async refresh(force = false): Promise<void> {
    if (!this.view?.visible) return;
    const editor = this.editor && !this.editor.document.isClosed ? this.editor : undefined;
    const doc = editor?.document;
    const selection = editor && !editor.selection.isEmpty ? editor.selection : undefined;
    if (!this.searchQuery && !editor) {
      this.last = undefined;
      this.render({ view: 'noEditor', pinned: [], items: [] });
      return;
    }
    if (!force && this.last && doc && this.last.uri === doc.uri.toString() && this.last.version === doc.version
      && this.last.search === this.searchQuery && !selection && !this.last.selection
      && (this.searchQuery || (this.last.range?.contains(editor!.selection.active) ?? false))) {
      return; // same paragraph, same text: nothing new to ask
    }
    const params: RelatedParams = { limit: this.config.panelResults };
    if (doc) params.uri = doc.uri.toString();
    if (this.searchQuery) params.text = this.searchQuery;
    else if (editor) {
      params.position = { line: editor.selection.active.line, character: editor.selection.active.character };
      if (selection) params.selection = { start: selection.start, end: selection.end };
    }
    const id = ++this.seq;
    this.post({ type: 'busy', busy: true });
    let result: RelatedResult;
    try {
      result = await this.client.sendRequest(RelatedRequest.type, params);
    } catch (e) {
      if (id === this.seq) { this.post({ type: 'busy', busy: false }); this.notice(`Related papers: ${e instanceof Error ? e.message : String(e)}`, 'error'); }
      return;
    }
    if (id !== this.seq) return; // a newer query is on its way
    this.post({ type: 'busy', busy: false });
    const range = result.range ? new vscode.Range(result.range.start.line, result.range.start.character, result.range.end.line, result.range.end.character) : undefined;
    this.last = doc ? { uri: doc.uri.toString(), version: doc.version, range, selection: !!selection, search: this.searchQuery } : undefined;

    const origin = this.searchQuery ? 'search' : selection ? 'selection' : 'paragraph';
    const pins = doc ? this.pinsFor(doc.uri) : [];
    const cited = new Set(result.citedKeys ?? []);
    const pinnedIds = new Set(pins.map(p => id0(p)));
    const best = result.items[0]?.score ?? 1;
    this.shown.clear();
    const pinned = pins.map(p => ({ ...p, cited: cited.has(p.key), pinned: true }));
    for (const p of pinned) this.shown.set(id0(p), { ...p, links: p.link ? [{ label: p.link, href: p.link }] : [] });
    const items: PanelItem[] = [];
    for (const r of result.items) {
      if (pinnedIds.has(id0(r))) continue;
      const item = toPanelItem(r, best);
      items.push(item);
      this.shown.set(id0(item), { ...item, links: r.links });
    }
    if (origin !== 'search' && !result.query) {
      this.render({ view: 'noPassage', pinned, items: [], citeSyntax: doc ? syntaxOf(doc) : undefined });
      return;
    }
    this.render({
      view: items.length || pinned.length ? 'results' : 'noResults',
      origin,
      description: describe(origin, doc, range, this.searchQuery),
      query: result.query,
      pinned,
      items,
      citeSyntax: doc ? syntaxOf(doc) : undefined,
    });
  }

  private render(state: PanelState): void {
    this.lastState = state;
    this.post({ type: 'state', state });
    this._onDidRender.fire(state);
  }

  private post(msg: ToWebview): void {
    void this.view?.webview.postMessage(msg);
  }

  private notice(text: string, kind: 'info' | 'error' = 'info'): void {
    this.post({ type: 'notice', text, kind });
    if (kind === 'error') this.client.outputChannel.error(text);
  }

  private paper(ref: PaperRef) {
    return this.shown.get(id0(ref));
  }

  /** Inserts the citation at the cursor of the editor the panel follows, as one undoable edit. */
  private async cite(ref: PaperRef): Promise<void> {
    const editor = this.editor && !this.editor.document.isClosed ? this.editor : undefined;
    if (!editor) { this.notice('Open a LaTeX or Markdown document to cite into.', 'error'); return; }
    if (!this.paper(ref)) return;
    const doc = editor.document;
    const position = editor.selection.active;
    const result = await this.client.sendRequest(CitationEditRequest.type, {
      uri: doc.uri.toString(), position: { line: position.line, character: position.character }, key: ref.key,
    });
    if (!result.edit) { this.notice(result.reason ?? `Nothing to insert for ${ref.key}.`); return; }
    const { range, newText } = result.edit;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character), newText);
    if (!(await vscode.workspace.applyEdit(edit))) { this.notice(`Could not edit ${path.basename(doc.fileName)}.`, 'error'); return; }
    if (result.cursor) {
      const at = new vscode.Position(result.cursor.line, result.cursor.character);
      editor.selection = new vscode.Selection(at, at);
    }
    this.notice(`Cited ${ref.key}.`);
    await this.onCited?.(doc, ref);
  }

  private async copyBibtex(ref: PaperRef): Promise<void> {
    if (!this.paper(ref)) return;
    const { bibtex } = await this.client.sendRequest(BibtexRequest.type, { key: ref.key, source: ref.source });
    if (!bibtex) { this.notice(`${ref.key} is no longer in the corpus.`, 'error'); return; }
    await vscode.env.clipboard.writeText(bibtex);
    this.notice(`Copied the BibTeX of ${ref.key}.`);
  }

  private async open(ref: PaperRef): Promise<void> {
    const href = this.paper(ref)?.links.find(l => /^https?:\/\//i.test(l.href))?.href;
    if (!href) { this.notice(`${ref.key} has no DOI, URL or arXiv link.`); return; }
    await vscode.env.openExternal(vscode.Uri.parse(href, true));
  }

  private async pin(ref: PaperRef, pinned: boolean): Promise<void> {
    const doc = this.editor?.document;
    const item = this.paper(ref);
    if (!doc || !item) return;
    const all = this.context.workspaceState.get<Pins>(PINS_KEY, {});
    const uri = doc.uri.toString();
    const list = (all[uri] ?? []).filter(p => id0(p) !== id0(ref));
    if (pinned) {
      const { links, ...rest } = item;
      list.unshift({ ...rest, pinned: true, relevance: 0, link: links.find(l => /^https?:\/\//i.test(l.href))?.href });
    }
    if (list.length) all[uri] = list; else delete all[uri];
    await this.context.workspaceState.update(PINS_KEY, all);
    await this.refresh(true);
  }

  /** The papers pinned for a document (the paragraph draft can start from them). */
  pinsFor(uri: vscode.Uri): PanelItem[] {
    return this.context.workspaceState.get<Pins>(PINS_KEY, {})[uri.toString()] ?? [];
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

function id0(p: PaperRef): string {
  return `${p.key}\0${p.source}`;
}

function syntaxOf(doc: vscode.TextDocument): 'latex' | 'pandoc' {
  return LATEX.has(doc.languageId) ? 'latex' : 'pandoc';
}

function toPanelItem(r: RelatedItem, best: number): PanelItem {
  return {
    key: r.key, source: r.source, title: r.title, authors: r.authors, year: r.year, venue: r.venue, abstract: r.abstract,
    relevance: best > 0 ? Math.max(0, Math.min(1, r.score / best)) : 0,
    matchedTerms: r.matchedTerms, highlights: r.highlights, cited: r.cited, pinned: false,
    link: r.links.find(l => /^https?:\/\//i.test(l.href))?.href,
  };
}

function describe(origin: string, doc: vscode.TextDocument | undefined, range: vscode.Range | undefined, search: string): string {
  if (origin === 'search') return `Search: ${search}`;
  const name = doc ? path.basename(doc.fileName) : '';
  if (!range) return name;
  const a = range.start.line + 1, b = range.end.line + 1;
  return `${origin === 'selection' ? 'Selection in' : 'Paragraph in'} ${name}, ${a === b ? `line ${a}` : `lines ${a}–${b}`}`;
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += chars[Math.floor(Math.random() * chars.length)];
  return out;
}

/** The static shell of the webview: no corpus text, a strict CSP, scripts by nonce only. */
function panelHtml(webview: vscode.Webview, media: vscode.Uri): string {
  const n = nonce();
  const src = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(media, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${src('build', 'codicon.css')}">
<link rel="stylesheet" href="${src('panel.css')}">
<title>Related Papers</title>
</head>
<body>
<div id="app" class="app">
  <div class="search" role="search">
    <span class="codicon codicon-search" aria-hidden="true"></span>
    <input id="search" type="search" placeholder="Search the corpus, or write in a paragraph" aria-label="Search related papers" spellcheck="false">
  </div>
  <div id="progress" class="progress" role="progressbar" aria-label="Working" hidden><div></div></div>
  <div id="status" class="status" role="status" aria-live="polite"></div>
  <div id="notice" class="notice" role="alert" hidden></div>
  <div id="content" class="content"></div>
</div>
<script nonce="${n}" src="${src('build', 'panel.js')}"></script>
</body>
</html>`;
}
