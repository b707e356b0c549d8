/**
 * The drafting commands: search and cite (QuickPick), papers related to the selection, a drafted
 * citation sentence (snippet), a related-work paragraph draft, and adding cited papers to the
 * document's bibliography (after any insert, when `relatedWork.bibliography.addOnInsert` is on).
 * The server computes every edit in the document's syntax; this module asks, and applies them as
 * `WorkspaceEdit`s (one undoable edit each).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ADD_TO_BIBLIOGRAPHY_COMMAND, AddToBibliographyRequest, CitationEditRequest, CitationSnippetRequest, DID_INSERT_CITATION_COMMAND, DraftParagraphRequest,
  type PaperItem, type PaperRef,
} from '../../../server/src/protocol';
import { staleReason } from '../../../server/src/features/fileGuard';
import type { Config } from '../config';
import { isWritingDocument, type RelatedPanel } from '../panel/relatedPanel';
import { PaperPicker } from './paperPicker';

export interface DraftingEvents {
  /** Fires after each insert this module made (tests wait on it). */
  onDidInsert: vscode.Event<{ command: string; keys: string[] }>;
}

export class Drafting implements vscode.Disposable, DraftingEvents {
  private readonly picker: PaperPicker;
  private readonly _onDidInsert = new vscode.EventEmitter<{ command: string; keys: string[] }>();
  readonly onDidInsert = this._onDidInsert.event;
  private readonly disposables: vscode.Disposable[] = [this._onDidInsert];

  constructor(private readonly client: LanguageClient, private readonly config: Config, private readonly panel: RelatedPanel) {
    this.picker = new PaperPicker(client);
    this.disposables.push(
      PaperPicker.registerAbstractProvider(),
      vscode.commands.registerCommand('relatedWork.searchPapers', () => this.searchAndCite()),
      vscode.commands.registerCommand('relatedWork.findRelatedToSelection', () => this.relatedToSelection()),
      vscode.commands.registerCommand('relatedWork.insertCitationSentence', () => this.insertSentence()),
      vscode.commands.registerCommand('relatedWork.draftParagraph', () => this.draftParagraph()),
      vscode.commands.registerCommand(DID_INSERT_CITATION_COMMAND, (uri: unknown, refs: unknown) => this.didInsert(uri, refs)),
      // The "Add … to refs.bib" quick fixes: the append is computed now and applied only if the file is unchanged.
      vscode.commands.registerCommand(ADD_TO_BIBLIOGRAPHY_COMMAND, async (uri: unknown, refs: unknown) => {
        const doc = typeof uri === 'string' ? vscode.workspace.textDocuments.find(d => d.uri.toString() === uri) : undefined;
        if (doc && Array.isArray(refs)) await this.addToBibliography(doc, refs.filter((r): r is PaperRef => !!r && typeof r.key === 'string'), true);
      }),
    );
  }

  /** The editor to insert into: the active LaTeX/Markdown editor. */
  private editor(): vscode.TextEditor | undefined {
    const e = vscode.window.activeTextEditor;
    if (e && isWritingDocument(e.document)) return e;
    void vscode.window.showInformationMessage('Related Work: open a LaTeX or Markdown document first.');
    return undefined;
  }

  private async searchAndCite(): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    const papers = await this.picker.pick({ title: 'Related Work: Search Papers (Enter cites; check several to cite them together)' });
    if (papers?.length) await this.cite(editor, papers, 'searchPapers');
  }

  private async relatedToSelection(): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    const sel = editor.selection;
    const papers = await this.picker.pick({
      title: sel.isEmpty ? 'Related Work: Papers Related to the Paragraph' : 'Related Work: Papers Related to the Selection',
      placeholder: 'Type to search the corpus instead',
      related: {
        uri: editor.document.uri.toString(),
        position: { line: sel.active.line, character: sel.active.character },
        selection: sel.isEmpty ? undefined : { start: sel.start, end: sel.end },
      },
    });
    if (papers?.length) await this.cite(editor, papers, 'findRelatedToSelection');
  }

  /** Cites the papers at the editor's cursor (joining an adjacent citation), as one edit. */
  private async cite(editor: vscode.TextEditor, papers: PaperItem[], command: string): Promise<void> {
    const doc = editor.document;
    const at = editor.selection.active;
    const keys = papers.map(p => p.key);
    const result = await this.client.sendRequest(CitationEditRequest.type, {
      uri: doc.uri.toString(), position: { line: at.line, character: at.character }, key: keys[0], keys,
    });
    if (!result.edit) { void vscode.window.showInformationMessage(result.reason ?? 'Nothing to insert.'); return; }
    const { range, newText } = result.edit;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character), newText);
    if (!(await vscode.workspace.applyEdit(edit))) { void vscode.window.showErrorMessage(`Could not edit ${path.basename(doc.fileName)}.`); return; }
    if (result.cursor) {
      const c = new vscode.Position(result.cursor.line, result.cursor.character);
      editor.selection = new vscode.Selection(c, c);
    }
    await this.afterInsert(doc, papers);
    this._onDidInsert.fire({ command, keys });
  }

  private async insertSentence(): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    const papers = await this.picker.pick({ title: 'Related Work: Insert Citation Sentence (one sentence per checked paper)' });
    if (!papers?.length) return;
    const doc = editor.document;
    const result = await this.client.sendRequest(CitationSnippetRequest.type, { uri: doc.uri.toString(), papers: papers.map(ref) });
    if (!result.snippet) { void vscode.window.showInformationMessage(result.reason ?? 'Nothing to insert.'); return; }
    const edit = new vscode.WorkspaceEdit();
    edit.set(doc.uri, [new vscode.SnippetTextEdit(editor.selection, new vscode.SnippetString(result.snippet))]);
    if (!(await vscode.workspace.applyEdit(edit))) { void vscode.window.showErrorMessage(`Could not edit ${path.basename(doc.fileName)}.`); return; }
    await this.afterInsert(doc, papers);
    this._onDidInsert.fire({ command: 'insertCitationSentence', keys: papers.map(p => p.key) });
  }

  private async draftParagraph(): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    const doc = editor.document;
    const sel = editor.selection;
    const pins = this.panel.pinsFor(doc.uri);
    type Choice = vscode.QuickPickItem & { from: 'pick' | 'pins' | 'selection' };
    const choices: Choice[] = [{ label: '$(search) Search and pick papers…', description: 'check several', from: 'pick' }];
    if (pins.length) choices.push({ label: `$(pinned) The ${pins.length} pinned paper${pins.length > 1 ? 's' : ''}`, description: 'from the Related Papers panel', from: 'pins' });
    if (!sel.isEmpty) choices.push({ label: '$(selection) The papers cited in the selection', description: 'the draft goes after it', from: 'selection' });
    const choice = choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { title: 'Related Work: Draft Paragraph from…' });
    if (!choice) return;

    let papers: PaperRef[] | undefined;
    if (choice.from === 'pick') {
      const picked = await this.picker.pick({ title: 'Related Work: Draft Paragraph — check the papers, then Enter' });
      if (!picked?.length) return;
      papers = picked.map(ref);
    } else if (choice.from === 'pins') {
      papers = pins.map(p => ({ key: p.key, source: p.source }));
    }
    const result = await this.client.sendRequest(DraftParagraphRequest.type, {
      uri: doc.uri.toString(), papers, selection: choice.from === 'selection' ? { start: sel.start, end: sel.end } : undefined,
    });
    if (!result.text) { void vscode.window.showInformationMessage(`Related Work: ${result.reason ?? 'nothing to draft.'}`); return; }

    // Where: after the selection's last line (the papers cited there), else at the cursor; blank lines around it.
    let at: vscode.Position;
    let newText: string;
    if (choice.from === 'selection') {
      // A selection of whole lines ends at the start of the next line: the draft goes after the last selected line.
      const last = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
      at = doc.lineAt(last).range.end;
      newText = `\n\n${result.text}`;
    } else {
      at = sel.active;
      const line = doc.lineAt(at.line).text;
      const before = line.slice(0, at.character).trim() !== '';
      const after = line.slice(at.character).trim() !== '';
      newText = `${before ? '\n\n' : ''}${result.text}${after ? '\n\n' : ''}`;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, at, newText);
    if (!(await vscode.workspace.applyEdit(edit))) { void vscode.window.showErrorMessage(`Could not edit ${path.basename(doc.fileName)}.`); return; }
    if (result.missing?.length) void vscode.window.showInformationMessage(`Related Work: not in the corpus, left out: ${result.missing.join(', ')}`);
    const keys = result.keys ?? [];
    await this.afterInsert(doc, keys);
    this._onDidInsert.fire({ command: 'draftParagraph', keys: keys.map(k => k.key) });
  }

  /** A completion item inserted a citation (its command): add the entry when the setting is on. */
  private async didInsert(uri: unknown, refs: unknown): Promise<void> {
    if (typeof uri !== 'string' || !Array.isArray(refs)) return;
    const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri);
    if (!doc) return;
    await this.afterInsert(doc, refs.filter((r): r is PaperRef => !!r && typeof r.key === 'string'));
    this._onDidInsert.fire({ command: 'completion', keys: refs.map(r => String((r as PaperRef).key)) });
  }

  /** After a citation was inserted: append the papers' entries to the bibliography when `relatedWork.bibliography.addOnInsert` is on. */
  async afterInsert(doc: vscode.TextDocument, papers: ReadonlyArray<PaperRef>): Promise<void> {
    if (!this.config.addOnInsert || papers.length === 0) return;
    await this.addToBibliography(doc, papers, false);
  }

  /** Appends the papers' entries to the document's bibliography (keys it has are skipped); says what happened. */
  async addToBibliography(doc: vscode.TextDocument, papers: ReadonlyArray<PaperRef>, verbose: boolean): Promise<string[]> {
    const result = await this.client.sendRequest(AddToBibliographyRequest.type, { uri: doc.uri.toString(), papers: papers.map(ref) });
    if (!result.edit) {
      if (verbose || result.reason) vscode.window.setStatusBarMessage(`Related Work: ${result.reason ?? 'the bibliography has these papers already'}`, 5000);
      return [];
    }
    // No lost edits: the entries go in only if the file still has the text the server appended to.
    if (result.file) {
      const stale = staleReason(result.file, await currentText(vscode.Uri.file(result.file)), result.expected);
      if (stale) { void vscode.window.showWarningMessage(`Related Work: ${stale}`); return []; }
    }
    const edit = await this.client.protocol2CodeConverter.asWorkspaceEdit(result.edit);
    if (!(await vscode.workspace.applyEdit(edit))) { void vscode.window.showErrorMessage('Related Work: could not edit the bibliography.'); return []; }
    vscode.window.setStatusBarMessage(`Related Work: added ${result.added.join(', ')} to ${path.basename(result.file ?? 'the bibliography')}`, 5000);
    return result.added;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A file's text as the editor has it (the open document), else as it is on disk; undefined when unreadable. */
async function currentText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await vscode.workspace.fs.readFile(uri)); // a BOM kept, as the server reads it
  } catch {
    return undefined;
  }
}

function ref(p: PaperRef): PaperRef {
  return p.source ? { key: p.key, source: p.source } : { key: p.key };
}
