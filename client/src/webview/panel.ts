/**
 * The related-papers webview. Renders what the extension sends (`ToWebview`, validated) and sends
 * back user actions (`FromWebview`). All corpus text goes into the DOM as text nodes — never as
 * HTML — so an abstract holding `<img onerror=…>` or `</script>` shows as those characters.
 */
import {
  parseToWebview, type FromWebview, type IndexStatus, type PanelItem, type PanelState,
} from '../panel/messages';

declare function acquireVsCodeApi(): { postMessage(msg: unknown): void; getState(): unknown; setState(s: unknown): void };

const vscode = acquireVsCodeApi();
const send = (msg: FromWebview) => vscode.postMessage(msg);

const searchBox = document.getElementById('search') as HTMLInputElement;
const progress = document.getElementById('progress') as HTMLElement;
const statusLine = document.getElementById('status') as HTMLElement;
const noticeBox = document.getElementById('notice') as HTMLElement;
const content = document.getElementById('content') as HTMLElement;

let indexStatus: IndexStatus = { ready: false, papers: 0 };
let busy = false;
let current: PanelState | undefined;
/** Cards whose abstract or "why related" the user opened, by `key\0source`, kept across re-renders. */
const expanded = new Set<string>();
const explained = new Set<string>();

// ---- DOM helpers --------------------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function icon(name: string): HTMLElement {
  const i = el('span', `codicon codicon-${name}`);
  i.setAttribute('aria-hidden', 'true');
  return i;
}

/** `text` with the `[start, end)` ranges wrapped in <mark>; text nodes only. */
function highlighted(text: string, ranges: Array<[number, number]>): DocumentFragment {
  const f = document.createDocumentFragment();
  let at = 0;
  for (const [s, e] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (s < at || e > text.length || e <= s) continue;
    if (s > at) f.append(document.createTextNode(text.slice(at, s)));
    f.append(el('mark', undefined, text.slice(s, e)));
    at = e;
  }
  if (at < text.length) f.append(document.createTextNode(text.slice(at)));
  return f;
}

function button(label: string, codicon: string, title: string, onClick: () => void, cls = ''): HTMLButtonElement {
  const b = el('button', `action ${cls}`.trim());
  b.type = 'button';
  b.title = title;
  b.setAttribute('aria-label', title);
  b.append(icon(codicon), el('span', 'label', label));
  b.addEventListener('click', e => { e.stopPropagation(); onClick(); });
  return b;
}

const idOf = (p: PanelItem) => `${p.key}\0${p.source}`;
const ref = (p: PanelItem) => ({ key: p.key, source: p.source });

function authorsShort(authors: string[]): string {
  if (authors.length <= 3) return authors.join(', ');
  return `${authors.slice(0, 3).join(', ')} et al.`;
}

// ---- Rendering ----------------------------------------------------------------------------------

function renderStatus(): void {
  progress.hidden = !(busy || !indexStatus.ready);
  if (!indexStatus.ready) {
    statusLine.textContent = `Indexing the corpus… ${indexStatus.papers.toLocaleString('en-US')} papers so far${indexStatus.message ? ` (${indexStatus.message})` : ''}`;
    statusLine.className = 'status indexing';
  } else if (current?.view === 'results' && current.description) {
    statusLine.textContent = current.description;
    statusLine.className = 'status';
  } else {
    statusLine.textContent = '';
    statusLine.className = 'status';
  }
}

function emptyState(codicon: string, title: string, body: string): HTMLElement {
  const box = el('div', 'empty');
  box.append(icon(codicon), el('p', 'empty-title', title), el('p', 'empty-body', body));
  return box;
}

function render(state: PanelState): void {
  current = state;
  content.replaceChildren();
  renderStatus();
  const syntax = state.citeSyntax;
  switch (state.view) {
    case 'noEditor':
      content.append(emptyState('book', 'No paragraph to follow',
        'Open a LaTeX or Markdown document and place the cursor in a paragraph: the papers of your corpus most related to it appear here. Or type in the search box.'));
      break;
    case 'noPassage':
      content.append(emptyState('edit', 'Place the cursor in a paragraph',
        'The cursor is on a heading, a blank line or code. Move it into a paragraph of prose, or select some text.'));
      break;
    case 'noResults':
      content.append(emptyState('search', 'No related papers', indexStatus.ready
        ? 'No paper in the corpus shares words with this text. Try other words, or add a bibliography to the corpus.'
        : 'The corpus is still being indexed; results will appear as it loads.'));
      break;
    case 'stopped':
      content.append(emptyState('debug-disconnect', 'The language server is not running', 'Run "Related Work: Restart Language Server".'));
      break;
    case 'results':
      break;
  }
  if (state.pinned.length) content.append(section('Pinned', state.pinned, syntax));
  if (state.view === 'results' && state.items.length) content.append(section(state.pinned.length ? 'Related' : '', state.items, syntax));
}

function section(title: string, items: PanelItem[], syntax: PanelState['citeSyntax']): HTMLElement {
  const s = el('section', 'group');
  if (title) s.append(el('h2', 'group-title', title));
  const list = el('div', 'list');
  list.setAttribute('role', 'list');
  list.setAttribute('aria-label', title || 'Related papers');
  for (const item of items) list.append(card(item, syntax));
  s.append(list);
  return s;
}

function card(p: PanelItem, syntax: PanelState['citeSyntax']): HTMLElement {
  const id = idOf(p);
  const c = el('article', 'card');
  c.tabIndex = -1;
  c.setAttribute('role', 'listitem');
  c.dataset.key = p.key;
  const byline = [authorsShort(p.authors), p.year !== undefined ? String(p.year) : '', p.venue ?? ''].filter(Boolean).join(' · ');
  const percent = Math.round(p.relevance * 100);
  c.setAttribute('aria-label', `${p.title || p.key}. ${byline}.${p.pinned ? ' Pinned.' : ` Relevance ${percent} percent.`}${p.cited ? ' Already cited.' : ''}`);

  const head = el('div', 'card-head');
  const title = el('h3', 'title');
  title.append(highlighted(p.title || p.key, p.title ? p.highlights.title : []));
  head.append(title);
  if (p.cited) {
    const badge = el('span', 'badge', 'Cited');
    badge.title = 'This document already cites this paper';
    head.append(badge);
  }
  c.append(head);
  const meta = el('div', 'meta');
  meta.append(el('span', 'key', p.key));
  if (byline) meta.append(el('span', 'byline', byline));
  c.append(meta);

  if (!p.pinned) {
    const bar = el('div', 'relevance');
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-label', 'Relevance');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.setAttribute('aria-valuenow', String(percent));
    bar.title = `Relevance ${percent}% of the best match`;
    const fill = el('div', 'fill');
    fill.style.width = `${Math.max(2, percent)}%`;
    bar.append(fill);
    c.append(bar);
  }

  if (p.abstract) {
    const abs = el('p', expanded.has(id) ? 'abstract' : 'abstract collapsed');
    abs.append(highlighted(p.abstract, p.highlights.abstract));
    c.append(abs);
  }

  const why = el('div', 'why');
  why.hidden = !explained.has(id);
  if (p.matchedTerms.length) {
    why.append(el('span', 'why-label', 'Matched terms: '));
    for (const t of p.matchedTerms) why.append(el('span', 'term', t));
  } else {
    why.append(el('span', 'why-label', p.pinned ? 'Pinned for this document.' : 'No single query term stands out.'));
  }
  c.append(why);

  const actions = el('div', 'actions');
  const citeLabel = syntax === 'pandoc' ? `[@${p.key}]` : `\\cite{${p.key}}`;
  actions.append(
    button('Cite', 'quote', `Cite: insert ${citeLabel} at the cursor`, () => send({ type: 'cite', paper: ref(p) }), 'primary'),
    button('BibTeX', 'copy', 'Copy BibTeX', () => send({ type: 'copyBibtex', paper: ref(p) })),
  );
  const open = button('Open', 'link-external', p.link ? `Open ${p.link}` : 'No DOI, URL or arXiv link', () => send({ type: 'open', paper: ref(p) }));
  open.disabled = !p.link;
  actions.append(open);
  actions.append(button(p.pinned ? 'Unpin' : 'Pin', p.pinned ? 'pinned' : 'pin', p.pinned ? 'Unpin from this document' : 'Pin to the top for this document',
    () => send({ type: 'pin', paper: ref(p), pinned: !p.pinned })));
  const whyButton = button('Why', 'question', 'Why related: show the matched terms', () => {
    if (explained.has(id)) explained.delete(id); else explained.add(id);
    why.hidden = !explained.has(id);
    whyButton.setAttribute('aria-expanded', String(!why.hidden));
  });
  whyButton.setAttribute('aria-expanded', String(!why.hidden));
  actions.append(whyButton);
  if (p.abstract) {
    const more = button(expanded.has(id) ? 'Less' : 'More', expanded.has(id) ? 'fold' : 'unfold', 'Show the whole abstract', () => toggleAbstract(c, id, more));
    more.setAttribute('aria-expanded', String(expanded.has(id)));
    more.classList.add('more');
    actions.append(more);
  }
  c.append(actions);
  c.addEventListener('keydown', e => onCardKey(e, c, p));
  c.addEventListener('click', () => c.focus());
  return c;
}

function toggleAbstract(c: HTMLElement, id: string, more?: HTMLButtonElement): void {
  const abs = c.querySelector('.abstract');
  if (!abs) return;
  if (expanded.has(id)) expanded.delete(id); else expanded.add(id);
  abs.classList.toggle('collapsed', !expanded.has(id));
  const b = more ?? c.querySelector<HTMLButtonElement>('button.more');
  if (b) {
    b.setAttribute('aria-expanded', String(expanded.has(id)));
    b.querySelector('.label')!.textContent = expanded.has(id) ? 'Less' : 'More';
    b.querySelector('.codicon')!.className = `codicon codicon-${expanded.has(id) ? 'fold' : 'unfold'}`;
  }
}

/** Keyboard: ↑/↓/Home/End move between cards; Enter cites; Space expands; B, O, P, W act on the card. */
function onCardKey(e: KeyboardEvent, c: HTMLElement, p: PanelItem): void {
  if (e.target !== c) return;
  const cards = [...content.querySelectorAll<HTMLElement>('.card')];
  const i = cards.indexOf(c);
  const go = (j: number) => { const t = cards[Math.max(0, Math.min(cards.length - 1, j))]; t?.focus(); };
  switch (e.key) {
    case 'ArrowDown': go(i + 1); break;
    case 'ArrowUp': if (i === 0) searchBox.focus(); else go(i - 1); break;
    case 'Home': go(0); break;
    case 'End': go(cards.length - 1); break;
    case 'Enter': send({ type: 'cite', paper: ref(p) }); break;
    case ' ': toggleAbstract(c, idOf(p)); break;
    case 'b': send({ type: 'copyBibtex', paper: ref(p) }); break;
    case 'o': if (p.link) send({ type: 'open', paper: ref(p) }); break;
    case 'p': send({ type: 'pin', paper: ref(p), pinned: !p.pinned }); break;
    case 'w': c.querySelector<HTMLButtonElement>('button[aria-expanded]:not(.more)')?.click(); break;
    default: return;
  }
  e.preventDefault();
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function notice(text: string, kind: 'info' | 'error'): void {
  noticeBox.textContent = text;
  noticeBox.className = `notice ${kind}`;
  noticeBox.hidden = false;
  if (noticeTimer) clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { noticeBox.hidden = true; }, kind === 'error' ? 8000 : 3000);
}

// ---- Wiring -------------------------------------------------------------------------------------

let searchTimer: ReturnType<typeof setTimeout> | undefined;
const saved = vscode.getState() as { query?: unknown } | undefined;
if (saved && typeof saved.query === 'string') searchBox.value = saved.query;

searchBox.addEventListener('input', () => {
  vscode.setState({ query: searchBox.value });
  if (searchTimer) clearTimeout(searchTimer);
  searchTimer = setTimeout(() => send({ type: 'search', query: searchBox.value }), 250);
});
searchBox.addEventListener('keydown', e => {
  if (e.key === 'Escape' && searchBox.value) {
    searchBox.value = '';
    vscode.setState({ query: '' });
    send({ type: 'search', query: '' });
    e.preventDefault();
  } else if (e.key === 'ArrowDown') {
    content.querySelector<HTMLElement>('.card')?.focus();
    e.preventDefault();
  } else if (e.key === 'Enter') {
    if (searchTimer) clearTimeout(searchTimer);
    send({ type: 'search', query: searchBox.value });
  }
});

window.addEventListener('message', event => {
  const msg = parseToWebview(event.data);
  if (!msg) return; // not ours, or malformed: ignored
  switch (msg.type) {
    case 'state': render(msg.state); break;
    case 'status': indexStatus = msg.status; renderStatus(); break;
    case 'busy': busy = msg.busy; renderStatus(); break;
    case 'notice': notice(msg.text, msg.kind); break;
    case 'focusSearch': searchBox.focus(); searchBox.select(); break;
  }
});

send({ type: 'ready' });
if (searchBox.value) send({ type: 'search', query: searchBox.value });
