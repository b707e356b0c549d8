/**
 * Custom LSP requests and notifications, declared once and imported by both the client and the
 * server (the vscode-eslint `customMessages` pattern). Change a shape here and both sides see it.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { Paper } from './corpus/paper';

/** A paper as the custom requests return it: the display fields of `Paper`, plus its score. */
export type PaperItem = Pick<Paper, 'key' | 'title' | 'authors' | 'year' | 'venue' | 'abstract' | 'doi' | 'url' | 'arxiv'> & {
  score: number;
  /** Absolute path of the corpus file the paper came from. */
  source: string;
  /** http(s) links to the paper (DOI, URL, arXiv), best first; never any other scheme. */
  links?: { label: string; href: string }[];
};

export interface SourceStatus {
  path: string;
  papers: number;
  errors: number;
  /** How the file's index was obtained: read from the persisted cache, or parsed and built (absent until loaded). */
  from?: 'cache' | 'parse';
}

export interface StatusResult {
  ready: boolean;
  papers: number;
  sources: SourceStatus[];
  /**
   * Present in an untrusted workspace (Restricted Mode): corpus files outside the workspace folders
   * are not read (`skipped`: those the settings or documents named), and nothing is written (no
   * index cache, no entries appended to bibliographies).
   */
  restricted?: { skipped: string[] };
}

export interface SearchParams {
  query: string;
  limit?: number;
}

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

/**
 * Related papers for a passage. With `text`, that text is the query (the panel's search box,
 * headless clients, the evaluation script). Without it the server takes the passage from the open
 * document `uri`: the `selection` when it is not empty, else the paragraph at `position`.
 * With a `uri` the document also gives context: its title and the keys it already cites.
 */
export interface RelatedParams {
  text?: string;
  uri?: string;
  position?: Position;
  selection?: Range;
  /** The title of the author's document, when the client knows it (the server reads `\title{}` / front matter otherwise). */
  documentTitle?: string;
  limit?: number;
}

/** Character ranges `[start, end)` of matched query terms, for highlighting. */
export type Highlights = Array<[number, number]>;

export interface RelatedItem extends PaperItem {
  /** The query's words this paper matched, most important first, as they appear in the paper ("why related"). */
  matchedTerms: string[];
  highlights: { title: Highlights; abstract: Highlights };
  /** The document of `uri` already cites this key. */
  cited: boolean;
  /** http(s) links to the paper (DOI, URL, arXiv), best first; never any other scheme. */
  links: { label: string; href: string }[];
}

export interface RelatedResult {
  items: RelatedItem[];
  partial?: boolean;
  /** The passage the query came from when the server took it from the document (paragraph or selection). */
  range?: Range;
  /** The passage's prose after markup was stripped: what was searched for. */
  query: string;
  /** Every key the document of `uri` cites (present when `uri` is an open document). */
  citedKeys?: string[];
}

/** Where and how to cite `key` at `position` of the open document `uri`, in the document's own syntax. */
export interface CitationEditParams {
  uri: string;
  position: Position;
  key: string;
  /** Several keys cited at once (the search QuickPick's multi-select); `key` is the first of them. */
  keys?: string[];
}

export interface CitationEditResult {
  /** Undefined when nothing is to be inserted (the citation at the cursor already has the key). */
  edit?: { range: Range; newText: string };
  /** Where the cursor goes after the edit. */
  cursor?: Position;
  /** Why there is no edit, for a message. */
  reason?: string;
}

/** The BibTeX of a paper: the entry as written for `.bib` sources, generated for other formats. */
export interface BibtexParams {
  key: string;
  /** The corpus file the paper came from (a key may exist in several). */
  source?: string;
}

export interface BibtexResult {
  /** Undefined when no such paper is indexed. */
  bibtex?: string;
}

/** A paper of the corpus: its key, and the corpus file it came from when known (a key may be in several). */
export interface PaperRef {
  key: string;
  source?: string;
}

/** Drafted sentences citing `papers`, for the document `uri` (its syntax, its citation package). */
export interface CitationSnippetParams {
  uri: string;
  papers: PaperRef[];
}

export interface CitationSnippetResult {
  /** A VS Code snippet (tab stops on each summary, authors and year); undefined when nothing was found. */
  snippet?: string;
  /** The same sentences as plain text. */
  text?: string;
  /** Keys of `papers` the corpus does not have. */
  missing?: string[];
  reason?: string;
}

/**
 * A related-work paragraph skeleton for the document `uri`: from `papers`, or (without them) from
 * the keys cited in `selection`.
 */
export interface DraftParagraphParams {
  uri: string;
  papers?: PaperRef[];
  selection?: Range;
}

export interface DraftParagraphResult {
  /** The paragraphs (one per theme), in the document's syntax; undefined when there are no papers. */
  text?: string;
  themes?: Array<{ terms: string[]; keys: string[] }>;
  /** The keys drafted (in the order of the text). */
  keys?: PaperRef[];
  missing?: string[];
  reason?: string;
}

/** Append the entries of `papers` to the bibliography of the document `uri` (keys it has already are skipped). */
export interface AddToBibliographyParams {
  uri: string;
  papers: PaperRef[];
}

export interface AddToBibliographyResult {
  /** An LSP WorkspaceEdit inserting at the end of the bibliography file; undefined when there is nothing to add. */
  edit?: { changes: Record<string, Array<{ range: Range; newText: string }>> };
  /** The bibliography file the entries go to. */
  file?: string;
  /** The fingerprint of that file's text the edit was computed against: the client applies the edit only to exactly that text. */
  expected?: { length: number; hash: string };
  added: string[];
  /** Keys the bibliography has already (or given twice). */
  skipped: string[];
  /** Keys the corpus does not have. */
  missing: string[];
  reason?: string;
}

export interface ItemsResult {
  items: PaperItem[];
  /** True while the corpus is still being indexed: the items come from what is indexed so far. */
  partial?: boolean;
}

export namespace StatusRequest {
  export const method = 'relatedWork/status';
  export const type = new RequestType0<StatusResult, void>(method);
}
export namespace SearchRequest {
  export const method = 'relatedWork/search';
  export const type = new RequestType<SearchParams, ItemsResult, void>(method);
}
export namespace RelatedRequest {
  export const method = 'relatedWork/related';
  export const type = new RequestType<RelatedParams, RelatedResult, void>(method);
}
export namespace CitationEditRequest {
  export const method = 'relatedWork/citationEdit';
  export const type = new RequestType<CitationEditParams, CitationEditResult, void>(method);
}
export namespace BibtexRequest {
  export const method = 'relatedWork/bibtex';
  export const type = new RequestType<BibtexParams, BibtexResult, void>(method);
}
export namespace CitationSnippetRequest {
  export const method = 'relatedWork/citationSnippet';
  export const type = new RequestType<CitationSnippetParams, CitationSnippetResult, void>(method);
}
export namespace DraftParagraphRequest {
  export const method = 'relatedWork/draftParagraph';
  export const type = new RequestType<DraftParagraphParams, DraftParagraphResult, void>(method);
}
export namespace AddToBibliographyRequest {
  export const method = 'relatedWork/addToBibliography';
  export const type = new RequestType<AddToBibliographyParams, AddToBibliographyResult, void>(method);
}
/** Client command a completion item runs after it inserted a citation (adds the entries when `relatedWork.bibliography.addOnInsert` is on). */
export const DID_INSERT_CITATION_COMMAND = 'relatedWork.didInsertCitation';
/**
 * Client command behind the "Add … to refs.bib" quick fixes: `[documentUri, PaperRef[]]`; asks
 * `relatedWork/addToBibliography` for the append and applies it only if the file is unchanged.
 */
export const ADD_TO_BIBLIOGRAPHY_COMMAND = 'relatedWork.addToBibliography';
/** Server → client whenever the index changes (loading progress, a file re-read). */
export namespace StatusNotification {
  export const method = 'relatedWork/didChangeStatus';
  export const type = new NotificationType<StatusResult & { message?: string }>(method);
}

/** Options a generic LSP client may pass in `initializationOptions`. */
export interface InitializationOptions {
  /** Corpus files or globs (absolute, `~/`, or relative to the first workspace folder). */
  corpus?: string[];
  /** `auto` | `always` | `never`, as the `relatedWork.sampleCorpus` setting. */
  sampleCorpus?: SampleCorpusMode;
  /** Absolute path of the bundled sample corpus (the client passes it; headless uses dist/). */
  sampleCorpusPath?: string;
  /** Directory for the persisted index cache (the client passes its global storage); no cache without it. */
  cacheDir?: string;
  /** Size of the parts a large BibTeX file is indexed in, in bytes (tests; default 32 MiB). */
  indexPartBytes?: number;
  /**
   * How long the server waits for the index before warming up on the sample corpus (skipped if the
   * index is ready by then). Default: at once for a first index, 1500 ms when the corpus was indexed
   * before, unchanged (a restart from the cache). 0: at once, whatever the index.
   */
  sampleWarmUpDelayMs?: number;
  /**
   * False in an untrusted workspace (VS Code's Restricted Mode): only files inside the workspace
   * folders (and the bundled sample corpus) are read, and the server writes nothing. Default true.
   */
  trusted?: boolean;
}

export type SampleCorpusMode = 'auto' | 'always' | 'never';

/**
 * The `relatedWork.*` settings the server reads (pulled with `workspace/configuration`, section
 * `relatedWork`). The client's own settings (trace, status bar) live in client/src/config.ts.
 */
export interface ServerSettings {
  /** Corpus files or globs in addition to the workspace's `.bib` files. */
  corpus: string[];
  sampleCorpus: SampleCorpusMode;
  /** Index every `.bib` file of the workspace folders. */
  workspaceBibFiles: boolean;
  /** Extra LaTeX citation commands, without the backslash (e.g. `mycite`). */
  citeCommands: string[];
  /** Most completion items returned per request. */
  completionLimit: number;
  /** Publish diagnostics for citations and bibliographies (`relatedWork.diagnostics.enabled`). */
  diagnostics: boolean;
  /** Entries no document cites, as hints (`relatedWork.diagnostics.unusedEntries`; off: shared databases make them noise). */
  unusedEntries: boolean;
  /** The drafted sentence's template (`relatedWork.snippet.template`). */
  snippetTemplate: string;
  /** LaTeX citation commands of drafted sentences: `auto` (from the document), `natbib`, `biblatex` (`relatedWork.snippet.citeStyle`). */
  citeStyle: CiteStyleSetting;
  /** Top papers of a citation completion that also get a drafted-sentence item (`relatedWork.snippet.completionItems`; 0: none). */
  snippetCompletionItems: number;
  /** Add a cited corpus paper's entry to the document's bibliography when a citation is inserted (`relatedWork.bibliography.addOnInsert`). */
  addOnInsert: boolean;
}

export type CiteStyleSetting = 'auto' | 'natbib' | 'biblatex';
