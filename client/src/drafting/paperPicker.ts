/**
 * The paper QuickPick ("Related Work: Search Papers…", "Find Papers Related to Selection", and the
 * pickers of the snippet and paragraph commands): the corpus is searched on the server as the user
 * types (`relatedWork/search`, debounced; a newer keystroke cancels the request in flight), or the
 * list starts from `relatedWork/related` on the selection and typing switches to search. Items show
 * the title, "Authors · Year · Venue" and the key; several may be checked (multi-select), and the
 * checked ones stay on top while the query changes. Item buttons: copy key, copy BibTeX, open the
 * DOI/URL (http(s) only), show the abstract (in a read-only document beside the editor).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  BibtexRequest, RelatedRequest, SearchRequest, type PaperItem, type RelatedParams,
} from '../../../server/src/protocol';

/** How long typing must pause before the server is asked (the server answers in milliseconds). */
export const SEARCH_DEBOUNCE_MS = 60;
const RESULTS = 50;
export const PAPER_SCHEME = 'related-work-paper';

export interface PaperPickItem extends vscode.QuickPickItem {
  paper: PaperItem;
}

export interface PickOptions {
  title: string;
  placeholder?: string;
  /** Start from the papers related to this passage (the query box then searches). */
  related?: RelatedParams;
  canSelectMany?: boolean;
  /** Keys the document cites already (marked "cited"; the related results add the document's own). */
  cited?: ReadonlySet<string>;
}

const BUTTONS = {
  copyKey: { iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy key' },
  copyBibtex: { iconPath: new vscode.ThemeIcon('file-code'), tooltip: 'Copy BibTeX' },
  open: { iconPath: new vscode.ThemeIcon('link-external'), tooltip: 'Open DOI / URL' },
  abstract: { iconPath: new vscode.ThemeIcon('book'), tooltip: 'Show abstract' },
};

/** "Vaswani, Shazeer et al. · 2017 · NeurIPS" */
export function byline(p: PaperItem): string {
  const authors = p.authors.length > 3 ? `${p.authors.slice(0, 3).join(', ')} et al.` : p.authors.join(', ');
  return [authors, p.year !== undefined ? String(p.year) : '', p.venue ?? ''].filter(Boolean).join(' · ');
}

export function httpLink(p: PaperItem): string | undefined {
  return p.links?.find(l => /^https?:\/\//i.test(l.href))?.href;
}

function toItem(p: PaperItem, cited?: ReadonlySet<string>): PaperPickItem {
  const buttons = [BUTTONS.copyKey, BUTTONS.copyBibtex];
  if (httpLink(p)) buttons.push(BUTTONS.open);
  if (p.abstract) buttons.push(BUTTONS.abstract);
  return {
    label: p.title || p.key,
    description: cited?.has(p.key) ? 'cited' : undefined,
    // The key in the second line too: a long title leaves no room for a description.
    detail: [byline(p), p.key].filter(Boolean).join('  ·  '),
    alwaysShow: true, // the server ranked them: VS Code must not filter them out by label
    buttons,
    paper: p,
  };
}

const id = (p: PaperItem) => `${p.key}\0${p.source}`;

/** The picker; `pick` resolves with the accepted papers (the checked ones, else the active one), or undefined when dismissed. */
export class PaperPicker {
  /** Papers shown in abstract documents, by URI path. */
  private static readonly shownPapers = new Map<string, PaperItem>();

  static registerAbstractProvider(): vscode.Disposable {
    return vscode.workspace.registerTextDocumentContentProvider(PAPER_SCHEME, {
      provideTextDocumentContent(uri) {
        const p = PaperPicker.shownPapers.get(uri.path);
        if (!p) return 'This paper is no longer shown.';
        const lines = [`# ${p.title || p.key}`, '', byline(p), '', `Key: ${p.key}`];
        const link = httpLink(p);
        if (link) lines.push(`Link: ${link}`);
        lines.push('', p.abstract ?? '(no abstract)', '');
        return lines.join('\n');
      },
    });
  }

  constructor(private readonly client: LanguageClient) {}

  pick(o: PickOptions): Promise<PaperItem[] | undefined> {
    const qp = vscode.window.createQuickPick<PaperPickItem>();
    qp.title = o.title;
    qp.placeholder = o.placeholder ?? 'Search the corpus: title, authors, venue, year, abstract words, key';
    qp.canSelectMany = o.canSelectMany ?? true;
    qp.matchOnDescription = false;
    qp.matchOnDetail = false;
    qp.ignoreFocusOut = true; // the abstract opens beside the editor without closing the picker
    const checked = new Map<string, PaperPickItem>();
    const cited = new Set(o.cited ?? []);
    let source: vscode.CancellationTokenSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let seq = 0;

    const show = (papers: PaperItem[]) => {
      const fresh = papers.filter(p => !checked.has(id(p))).map(p => toItem(p, cited));
      const kept = [...checked.values()];
      qp.items = [...kept, ...fresh];
      qp.selectedItems = kept;
    };

    const run = async (query: string) => {
      source?.cancel();
      const mine = new vscode.CancellationTokenSource();
      source = mine;
      const n = ++seq;
      qp.busy = true;
      try {
        let papers: PaperItem[];
        if (query.trim() === '' && o.related) {
          const r = await this.client.sendRequest(RelatedRequest.type, { ...o.related, limit: RESULTS }, mine.token);
          for (const k of r.citedKeys ?? []) cited.add(k);
          papers = r.items;
        }
        else if (query.trim() === '') papers = [];
        else papers = (await this.client.sendRequest(SearchRequest.type, { query, limit: RESULTS }, mine.token)).items;
        if (n !== seq) return; // a newer query is on its way
        show(papers);
      } catch (e) {
        if (n === seq && !mine.token.isCancellationRequested) qp.title = `${o.title} — ${e instanceof Error ? e.message : String(e)}`;
      } finally {
        if (n === seq) qp.busy = false;
        mine.dispose();
      }
    };

    return new Promise(resolve => {
      let done = false;
      const finish = (value: PaperItem[] | undefined) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        source?.cancel();
        resolve(value);
        qp.hide();
      };
      const subs = [
        qp.onDidChangeValue(value => {
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => { timer = undefined; void run(value); }, SEARCH_DEBOUNCE_MS);
        }),
        qp.onDidChangeSelection(selected => {
          if (!qp.canSelectMany) return;
          const ids = new Set(selected.map(i => id(i.paper)));
          for (const i of qp.items) {
            if (ids.has(id(i.paper))) checked.set(id(i.paper), i);
            else checked.delete(id(i.paper));
          }
        }),
        qp.onDidTriggerItemButton(e => void this.button(e.item.paper, e.button)),
        qp.onDidAccept(() => {
          const chosen = qp.canSelectMany && qp.selectedItems.length ? qp.selectedItems : qp.activeItems.slice(0, 1);
          if (chosen.length === 0) return;
          finish(chosen.map(i => i.paper));
        }),
        qp.onDidHide(() => {
          finish(undefined);
          for (const s of subs) s.dispose();
          qp.dispose();
        }),
      ];
      qp.show();
      if (o.related) void run('');
    });
  }

  private async button(p: PaperItem, button: vscode.QuickInputButton): Promise<void> {
    if (button === BUTTONS.copyKey) {
      await vscode.env.clipboard.writeText(p.key);
      vscode.window.setStatusBarMessage(`Copied ${p.key}`, 3000);
    } else if (button === BUTTONS.copyBibtex) {
      const { bibtex } = await this.client.sendRequest(BibtexRequest.type, { key: p.key, source: p.source });
      if (!bibtex) { void vscode.window.showWarningMessage(`${p.key} is no longer in the corpus.`); return; }
      await vscode.env.clipboard.writeText(bibtex);
      vscode.window.setStatusBarMessage(`Copied the BibTeX of ${p.key}`, 3000);
    } else if (button === BUTTONS.open) {
      const href = httpLink(p);
      if (href) await vscode.env.openExternal(vscode.Uri.parse(href, true));
    } else if (button === BUTTONS.abstract) {
      const path = `/${encodeURIComponent(p.key)}.md`;
      PaperPicker.shownPapers.set(path, p);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: PAPER_SCHEME, path }));
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    }
  }
}
