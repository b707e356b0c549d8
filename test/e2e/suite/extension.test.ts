/**
 * Runs INSIDE the VS Code extension host (code-server's Node extension host), loaded through the
 * extension-tests API by @vscode/test-electron's runTests (see ../run-ext-tests.ts). Uses the real
 * `vscode` API against the real extension and its language server, on a copy of
 * test/fixtures/sample-workspace (no .bib there, so the bundled sample corpus is indexed).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PanelState } from '../../../client/src/panel/messages';
import { BIB_PROJECT, EXTENSION_ID, LATEX, MARKDOWN, PANEL, SAMPLE_CORPUS_PAPERS, unescapeMarkdown, type CiteCase } from '../expected';

interface Api {
  client: { sendRequest<R>(method: string, params?: unknown): Promise<R> };
  ready: Promise<void>;
  panel: { onDidRender: vscode.Event<PanelState>; state: PanelState | undefined; refreshNow(): Promise<void> };
}
interface LspCompletionList { isIncomplete: boolean; items: { label: string; kind?: number; sortText?: string }[] }

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { lastError = e; }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await sleep(200);
  }
}

function withTimeout<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))),
  ]);
}

function label(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : c.value))).join('\n');
}

const wsUri = () => vscode.workspace.workspaceFolders![0].uri;

async function open(file: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(wsUri(), file));
  return vscode.window.showTextDocument(doc);
}

/** Appends `text` on a new last line of the document and returns the position at its end. */
async function appendLine(editor: vscode.TextEditor, text: string): Promise<vscode.Position> {
  const doc = editor.document;
  const end = doc.lineAt(doc.lineCount - 1).range.end;
  assert.ok(await editor.edit(b => b.insert(end, `\n${text}`)), 'edit applied');
  return doc.lineAt(doc.lineCount - 1).range.end;
}

/** Replaces the last line (the scratch line added by appendLine). */
async function setLastLine(editor: vscode.TextEditor, text: string): Promise<vscode.Position> {
  const doc = editor.document;
  const last = doc.lineAt(doc.lineCount - 1).range;
  assert.ok(await editor.edit(b => b.replace(last, text)), 'edit applied');
  return doc.lineAt(doc.lineCount - 1).range.end;
}

async function complete(doc: vscode.TextDocument, pos: vscode.Position, trigger?: string): Promise<vscode.CompletionList> {
  return (await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos, trigger))!;
}

/** Our provider's items (kind Reference; other providers, e.g. words, are filtered out). */
function ours(list: vscode.CompletionList): vscode.CompletionItem[] {
  return list.items.filter(i => i.kind === vscode.CompletionItemKind.Reference);
}

let api: Api | undefined;
let activeBeforeOpen = false;

suite('Related Work (extension host)', () => {
  suiteSetup(async function () {
    this.timeout(240_000);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
    activeBeforeOpen = ext.isActive;
    await open(LATEX.file);
    await waitFor('the extension to activate', () => ext.isActive, 60_000);
    api = ext.exports as Api | undefined;
    if (api?.ready) {
      await withTimeout('the server to report its index ready (exports.ready)', api.ready, 180_000);
    } else {
      // No API exported: the index is ready once completion returns papers.
      const editor = vscode.window.activeTextEditor!;
      const pos = await appendLine(editor, LATEX.opener);
      await waitFor('completion items', async () => ours(await complete(editor.document, pos, '{')).length > 0, 180_000);
      await vscode.commands.executeCommand('undo');
    }
    const e = vscode.env;
    console.log(`    [env] VS Code ${vscode.version}, appName=${e.appName}, uiKind=${e.uiKind === vscode.UIKind.Web ? 'Web' : 'Desktop'}, remoteName=${e.remoteName}, node ${process.version}`);
  });

  test('activates on opening paper.tex and exports { client, ready }', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.equal(activeBeforeOpen, false, 'not active before a LaTeX/Markdown document was opened');
    assert.equal(ext.isActive, true);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'latex');
    assert.ok(api && typeof api.client?.sendRequest === 'function', 'exports.client is a LanguageClient');
    assert.ok(api.ready instanceof Promise, 'exports.ready is a Promise');
  });

  test('the server indexed the bundled sample corpus', async () => {
    assert.ok(api, 'exports');
    const status = await api.client.sendRequest<{ ready: boolean; papers: number; sources: { path: string; papers: number }[] }>('relatedWork/status');
    assert.equal(status.ready, true);
    assert.equal(status.papers, SAMPLE_CORPUS_PAPERS, JSON.stringify(status));
    assert.equal(status.sources.length, 1, JSON.stringify(status.sources));
    assert.match(status.sources[0].path, /sample-corpus\.txt$/);
  });

  for (const c of [LATEX, MARKDOWN]) citationTests(c);
  panelTests();
  // Last: it adds a .bib to the workspace, which replaces the sample corpus (sampleCorpus: auto).
  bibliographyTests();
  // After that: a hostile .bib in the workspace, then the server is killed (the client restarts it).
  safetyTests();
});

/** A paper whose every field is a payload. */
const HOSTILE_BIB = `@article{hostile2024,
  title = {Hostile <img src=x onerror=alert(1)> [x](command:workbench.action.quit)},
  author = {Mallory, Eve},
  year = {2024},
  journal = {Journal of </script><script>alert(2)</script>},
  abstract = {It tries <img src=x onerror=alert(1)> and </script><script>alert(2)</script> and [quit](command:workbench.action.quit) and javascript:alert(3).},
  url = {javascript:alert(4)}
}
`;

function assertInertMarkdown(what: string, md: vscode.MarkdownString | string): void {
  assert.ok(typeof md !== 'string', `${what}: a MarkdownString`);
  assert.ok(!md.isTrusted, `${what}: untrusted (no command links)`);
  assert.ok(!md.supportHtml, `${what}: no HTML`);
  assert.ok(!/<\s*(img|script)\b/i.test(md.value), `${what}: raw HTML in ${md.value}`);
  assert.ok(!/\]\(\s*(command|javascript):/i.test(md.value) && !/javascript:/i.test(md.value), `${what}: a live link in ${md.value}`);
}

function safetyTests(): void {
  suite('untrusted text and a crashing server', () => {
    test('hover and completion documentation of a hostile entry are untrusted, escaped MarkdownStrings', async function () {
      this.timeout(120_000);
      await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(wsUri(), 'hostile.bib'), Buffer.from(HOSTILE_BIB));
      await waitFor('hostile.bib indexed', async () => {
        const s = await api!.client.sendRequest<{ ready: boolean; sources: { path: string; papers: number }[] }>('relatedWork/status');
        return s.ready && s.sources.some(x => x.path.endsWith('hostile.bib') && x.papers === 1);
      });
      const editor = await open(BIB_PROJECT.texFile);
      const pos = await appendLine(editor, 'Hostile \\cite{hostile2024} and \\cite{hostile');
      const keyAt = new vscode.Position(pos.line, editor.document.lineAt(pos.line).text.indexOf('hostile2024') + 3);
      const hovers = await waitFor('a hover', async () => {
        const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, keyAt);
        return h?.length ? h : undefined;
      });
      for (const h of hovers) for (const c of h.contents) assertInertMarkdown('hover', c as vscode.MarkdownString);
      assert.match(hoverText(hovers), /Hostile &lt;img/);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, pos, undefined, 20);
      const item = ours(list).find(i => label(i) === 'hostile2024');
      assert.ok(item, ours(list).map(label).join(', '));
      assert.ok(item.documentation, 'resolved documentation');
      assertInertMarkdown('completion documentation', item.documentation);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    test('a killed server is restarted by the client; the panel says so meanwhile and works again after', async function () {
      this.timeout(180_000);
      const client = api!.client as unknown as { serverProcess?: { pid?: number }; state: number; onDidChangeState: vscode.Event<{ newState: number }> };
      const pid = client.serverProcess?.pid;
      assert.ok(pid, 'the server process id');
      const stopped = nextRender('the stopped panel', s => s.view === 'stopped', 60_000);
      process.kill(pid, 'SIGKILL');
      await stopped;
      await waitFor('a new server process', () => { const p = client.serverProcess?.pid; return p && p !== pid ? p : undefined; }, 60_000);
      await waitFor('the restarted server ready', async () => {
        const s = await api!.client.sendRequest<{ ready: boolean; papers: number }>('relatedWork/status');
        return s.ready && s.papers > 0;
      }, 120_000);
      const editor = await open(BIB_PROJECT.texFile);
      const pos = await appendLine(editor, '\\cite{vaswani');
      await waitFor('completion after the restart', async () => ours(await complete(editor.document, pos)).length > 0, 60_000);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('relatedWork.related.focus');
      await api!.panel.refreshNow();
      await waitFor('the panel out of its stopped state', () => api!.panel.state?.view !== 'stopped', 30_000);
    });
  });
}

function bibliographyTests(): void {
  suite('bibliography: diagnostics, quick fix, definition, references, rename', () => {
    let doc: vscode.TextDocument;
    const texUri = () => vscode.Uri.joinPath(wsUri(), BIB_PROJECT.texFile);
    const bibUri = () => vscode.Uri.joinPath(wsUri(), BIB_PROJECT.bibFile);
    const undefinedKeys = () => vscode.languages.getDiagnostics(texUri()).filter(d => d.source === 'Related Work').map(d => doc.getText(d.range));

    suiteSetup(async function () {
      this.timeout(120_000);
      await vscode.workspace.fs.writeFile(bibUri(), Buffer.from(BIB_PROJECT.bib));
      await vscode.workspace.fs.writeFile(texUri(), Buffer.from(BIB_PROJECT.tex));
      doc = (await open(BIB_PROJECT.texFile)).document;
    });

    test('the misspelled key is an undefined-citation warning; the others are defined in refs.bib', async () => {
      const keys = await waitFor('diagnostics on thesis.tex', () => { const k = undefinedKeys(); return k.length ? k : undefined; });
      assert.deepEqual(keys, [BIB_PROJECT.typo]);
      const d = vscode.languages.getDiagnostics(texUri()).find(x => x.source === 'Related Work')!;
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.match(d.message, /refs\.bib/);
    });

    test('go to definition of a cited key opens its entry in refs.bib', async () => {
      const pos = doc.positionAt(doc.getText().indexOf(BIB_PROJECT.key) + 3);
      const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, pos);
      const target = defs[0] as vscode.LocationLink;
      assert.equal((target.targetUri ?? (defs[0] as vscode.Location).uri).toString(), bibUri().toString());
      assert.equal(target.targetSelectionRange?.start.line, 0);
    });

    test('the quick fix replaces the misspelled key with the closest one', async () => {
      const d = vscode.languages.getDiagnostics(texUri()).find(x => x.source === 'Related Work')!;
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
      const fix = actions.find(a => a.title === `Replace with '${BIB_PROJECT.key}'`);
      assert.ok(fix?.edit, `actions: ${actions.map(a => a.title).join(' | ')}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.ok(!doc.getText().includes(BIB_PROJECT.typo));
      await waitFor('the warning to go away', () => undefinedKeys().length === 0);
    });

    test('references of a key: every citation in the workspace', async () => {
      const pos = doc.positionAt(doc.getText().indexOf(BIB_PROJECT.key) + 3);
      const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, pos);
      const inTex = refs.filter(r => r.uri.toString() === doc.uri.toString());
      assert.equal(inTex.length, 2, JSON.stringify(refs.map(r => [r.uri.path, r.range.start.line])));
    });

    test('rename changes the entry and every citation in one edit', async () => {
      const pos = doc.positionAt(doc.getText().indexOf(BIB_PROJECT.key) + 3);
      const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', doc.uri, pos, BIB_PROJECT.renamed);
      assert.deepEqual(edit.entries().map(([u, e]) => [u.path.split('/').pop(), e.length]).sort(), [[BIB_PROJECT.bibFile, 1], [BIB_PROJECT.texFile, 2]]);
      assert.ok(await vscode.workspace.applyEdit(edit));
      const bib = await vscode.workspace.openTextDocument(bibUri());
      assert.match(bib.getText(), new RegExp(`^@article\\{${BIB_PROJECT.renamed},`));
      assert.equal(doc.getText().split(`\\cite{${BIB_PROJECT.renamed}}`).length - 1, 2);
      await vscode.workspace.saveAll();
      await waitFor('no undefined key after the rename', () => undefinedKeys().length === 0);
    });

    test('document symbols of refs.bib list its keys', async () => {
      const bib = await vscode.workspace.openTextDocument(bibUri());
      assert.equal(bib.languageId, 'bibtex');
      const symbols = await waitFor('symbols', async () => {
        const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', bib.uri);
        return s?.length ? s : undefined;
      });
      assert.deepEqual(symbols.map(s => s.name), [BIB_PROJECT.renamed, 'devlin2019bert']);
    });
  });
}

/** The next state the panel renders that satisfies `pred` (subscribe before acting). */
function nextRender(what: string, pred: (s: PanelState) => boolean, ms = 20_000): Promise<PanelState> {
  let sub: vscode.Disposable | undefined;
  const p = new Promise<PanelState>(resolve => {
    sub = api!.panel.onDidRender(s => { if (pred(s)) resolve(s); });
  });
  return withTimeout(what, p, ms).finally(() => sub?.dispose());
}

function panelTests(): void {
  suite('Related Papers panel', () => {
    let editor: vscode.TextEditor;
    suiteSetup(async () => {
      editor = await open(PANEL.file);
      await vscode.commands.executeCommand('relatedWork.related.focus');
    });

    test('follows the cursor into a paragraph and lists related papers, cited ones marked', async () => {
      const rendered = nextRender('a paragraph result', s => s.view === 'results' && s.origin === 'paragraph');
      const pos = new vscode.Position(PANEL.line - 1, 10);
      editor.selection = new vscode.Selection(pos, pos);
      const state = await rendered;
      assert.match(state.items[0]?.title ?? '', PANEL.relatedTitle, JSON.stringify(state.items.map(i => i.title)));
      assert.match(state.description ?? '', /^Paragraph in paper\.tex, lines \d+–\d+$/);
      for (const item of state.items) assert.equal(item.cited, PANEL.citedKeys.includes(item.key), item.key);
      assert.ok(state.items.every(i => i.relevance > 0 && i.relevance <= 1), 'relevance is relative to the best');
      assert.equal(state.items[0].relevance, 1);
    });

    test('a selection restricts the query to the selected text', async () => {
      const line = editor.document.lineAt(PANEL.line - 1);
      const rendered = nextRender('a selection result', s => s.origin === 'selection');
      editor.selection = new vscode.Selection(line.range.start, line.range.end);
      const state = await rendered;
      assert.equal(state.query, line.text.replace(/\\[a-z]+\{[^}]*\}/g, '').replace(/\s+/g, ' ').trim());
      assert.match(state.description ?? '', /^Selection in paper\.tex, line \d+$/);
    });

    test('a heading has no paragraph: the panel says where to put the cursor', async () => {
      const heading = editor.document.getText().split('\n').findIndex(l => l.startsWith('\\section'));
      const rendered = nextRender('the no-passage state', s => s.view === 'noPassage');
      editor.selection = new vscode.Selection(heading, 3, heading, 3);
      await rendered;
    });
  });
}

function citationTests(c: CiteCase): void {
  const trigger = c.opener.slice(-1);
  let editor: vscode.TextEditor;

  suite(`${c.file} (${c.languageId})`, () => {
    suiteSetup(async () => {
      editor = await open(c.file);
      assert.equal(editor.document.languageId, c.languageId);
    });

    test(`completion after ${c.opener} lists sample-corpus papers, isIncomplete`, async () => {
      const pos = await appendLine(editor, c.opener);
      const list = await complete(editor.document, pos, trigger);
      const items = ours(list);
      assert.ok(items.length > 0, 'some papers');
      assert.ok(items.length <= 50, `at most relatedWork.completionLimit (50) items, got ${items.length}`);
      assert.equal(list.isIncomplete, true, 'the list is incomplete: the server re-ranks as the user types');
      for (const i of items) {
        assert.ok(typeof i.detail === 'string' && i.detail.length > 0, `item ${label(i)} has its title as detail`);
        assert.ok(i.sortText, `item ${label(i)} has a sortText`);
      }
    });

    test(`completion for ${c.opener}${c.query} offers ${c.key} first, in the server's order`, async () => {
      const pos = await setLastLine(editor, c.opener + c.query);
      const list = await complete(editor.document, pos);
      const items = ours(list);
      assert.equal(list.isIncomplete, true);
      assert.ok(items.length > 0, 'some papers');
      assert.equal(label(items[0]), c.key, `first item; got ${items.slice(0, 5).map(label).join(', ')}`);
      assert.equal(items[0].detail, c.title);
      // VS Code orders by sortText; it must reproduce the server's ranking exactly.
      const raw = await api!.client.sendRequest<LspCompletionList>('textDocument/completion', {
        textDocument: { uri: editor.document.uri.toString() },
        position: { line: pos.line, character: pos.character },
      });
      // (Reference items: the drafted-sentence items, kind Snippet, sort right after their paper's key.)
      assert.deepEqual(items.map(label), raw.items.filter(i => i.kind === 18).map(i => i.label), 'VS Code shows the server ranking');
      const sortTexts = items.map(i => i.sortText!);
      assert.deepEqual(sortTexts, [...sortTexts].sort(), 'sortText ascending');
      assert.equal(new Set(sortTexts).size, sortTexts.length, 'sortText unique');
      // The item replaces what was typed with the key.
      const edit = items[0].textEdit ?? items[0].range;
      assert.ok(edit, 'the item has an edit range');
      const range = items[0].range instanceof vscode.Range ? items[0].range
        : items[0].range ? items[0].range.replacing : undefined;
      if (range) assert.equal(editor.document.getText(range), c.query);
    });

    test(`hover on ${c.citedKey} shows the paper's title`, async () => {
      const text = editor.document.getText();
      const at = text.indexOf(c.citedKey);
      assert.ok(at >= 0, `${c.file} cites ${c.citedKey}`);
      const pos = editor.document.positionAt(at + 2);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, pos);
      const md = unescapeMarkdown(hoverText(hovers ?? []));
      assert.ok(md.includes(c.citedTitle), `hover: ${JSON.stringify(md.slice(0, 300))}`);
    });

    suiteTeardown(async () => {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });
  });
}
