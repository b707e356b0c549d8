/**
 * Messages between the extension and the related-papers webview, declared once and imported by
 * both sides (like VS Code's markdown preview `previewMessaging.d.ts`). Each side validates what it
 * receives with the guards below: a webview is a separate, untrusted context, and the extension's
 * payloads carry corpus text.
 */
import type { Highlights } from '../../../server/src/protocol';

/** One paper card. Every string in it is corpus text: the webview renders it as text only. */
export interface PanelItem {
  key: string;
  /** Corpus file the paper came from (a key may exist in several). */
  source: string;
  title: string;
  authors: string[];
  year?: number;
  venue?: string;
  abstract?: string;
  /** 0..1, the score relative to the best result of the list. */
  relevance: number;
  matchedTerms: string[];
  highlights: { title: Highlights; abstract: Highlights };
  cited: boolean;
  pinned: boolean;
  /** The paper's first http(s) link (DOI, URL, arXiv), shown as a tooltip; the extension opens it, never the webview. */
  link?: string;
}

export type Origin = 'paragraph' | 'selection' | 'search';

/** What the panel shows; sent whole each time (no partial updates to reconcile). */
export interface PanelState {
  /** Why the panel is empty, or what it shows. */
  view: 'results' | 'noEditor' | 'noPassage' | 'noResults' | 'stopped';
  origin?: Origin;
  /** Where the query came from, e.g. "paper.tex, lines 12–15" or the searched text. */
  description?: string;
  /** The words searched for (cleaned of markup by the server). */
  query?: string;
  pinned: PanelItem[];
  items: PanelItem[];
  /** The document cites with `\cite{}` or `[@]` (shown on the Cite button). */
  citeSyntax?: 'latex' | 'pandoc';
}

export interface IndexStatus {
  ready: boolean;
  papers: number;
  message?: string;
}

export type ToWebview =
  | { type: 'state'; state: PanelState }
  | { type: 'status'; status: IndexStatus }
  | { type: 'busy'; busy: boolean }
  | { type: 'notice'; text: string; kind: 'info' | 'error' }
  | { type: 'focusSearch' };

export type PaperRef = { key: string; source: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'search'; query: string }
  | { type: 'cite'; paper: PaperRef }
  | { type: 'copyBibtex'; paper: PaperRef }
  | { type: 'open'; paper: PaperRef }
  | { type: 'pin'; paper: PaperRef; pinned: boolean };

// ---- Validation ---------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown, max = 100_000): x is string => typeof x === 'string' && x.length <= max;
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isBool = (x: unknown): x is boolean => typeof x === 'boolean';
const isStrArray = (x: unknown): x is string[] => Array.isArray(x) && x.every(s => isStr(s));
const isRanges = (x: unknown): boolean => Array.isArray(x) && x.every(r => Array.isArray(r) && r.length === 2 && isNum(r[0]) && isNum(r[1]));
const optional = (x: unknown, check: (x: unknown) => boolean) => x === undefined || check(x);

function isPaperRef(x: unknown): x is PaperRef {
  return isObj(x) && isStr(x.key, 2000) && x.key.length > 0 && isStr(x.source, 10_000);
}

/** A message from the webview, or undefined when it is not one of `FromWebview`. */
export function parseFromWebview(x: unknown): FromWebview | undefined {
  if (!isObj(x) || !isStr(x.type, 40)) return undefined;
  switch (x.type) {
    case 'ready': return { type: 'ready' };
    case 'search': return isStr(x.query, 10_000) ? { type: 'search', query: x.query } : undefined;
    case 'cite': case 'copyBibtex': case 'open':
      return isPaperRef(x.paper) ? { type: x.type, paper: { key: x.paper.key, source: x.paper.source } } : undefined;
    case 'pin':
      return isPaperRef(x.paper) && isBool(x.pinned) ? { type: 'pin', paper: { key: x.paper.key, source: x.paper.source }, pinned: x.pinned } : undefined;
    default: return undefined;
  }
}

export function isPanelItem(x: unknown): x is PanelItem {
  return isObj(x) && isStr(x.key) && isStr(x.source) && isStr(x.title) && isStrArray(x.authors)
    && optional(x.year, isNum) && optional(x.venue, isStr) && optional(x.abstract, isStr)
    && isNum(x.relevance) && isStrArray(x.matchedTerms) && isObj(x.highlights)
    && isRanges(x.highlights.title) && isRanges(x.highlights.abstract)
    && isBool(x.cited) && isBool(x.pinned) && optional(x.link, isStr);
}

const VIEWS = new Set(['results', 'noEditor', 'noPassage', 'noResults', 'stopped']);
const ORIGINS = new Set(['paragraph', 'selection', 'search']);

/** A message from the extension, or undefined when it is not one of `ToWebview`. */
export function parseToWebview(x: unknown): ToWebview | undefined {
  if (!isObj(x) || !isStr(x.type, 40)) return undefined;
  switch (x.type) {
    case 'state': {
      const s = x.state;
      const ok = isObj(s) && isStr(s.view) && VIEWS.has(s.view) && optional(s.origin, o => isStr(o) && ORIGINS.has(o))
        && optional(s.description, isStr) && optional(s.query, isStr)
        && Array.isArray(s.pinned) && s.pinned.every(isPanelItem) && Array.isArray(s.items) && s.items.every(isPanelItem)
        && optional(s.citeSyntax, c => c === 'latex' || c === 'pandoc');
      return ok ? { type: 'state', state: s as unknown as PanelState } : undefined;
    }
    case 'status': {
      const s = x.status;
      return isObj(s) && isBool(s.ready) && isNum(s.papers) && optional(s.message, isStr)
        ? { type: 'status', status: { ready: s.ready, papers: s.papers, message: s.message as string | undefined } } : undefined;
    }
    case 'busy': return isBool(x.busy) ? { type: 'busy', busy: x.busy } : undefined;
    case 'notice': return isStr(x.text) && (x.kind === 'info' || x.kind === 'error') ? { type: 'notice', text: x.text, kind: x.kind } : undefined;
    case 'focusSearch': return { type: 'focusSearch' };
    default: return undefined;
  }
}
