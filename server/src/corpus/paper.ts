/**
 * The one model of a paper, whatever file format it came from.
 * Display fields (title, authors, venue, abstract) are plain Unicode: LaTeX accents and
 * grouping braces decoded. `key` is exact as written in the source.
 */
export interface Paper {
  /** Citation key, exactly as in the source (or a generated one, see `keyGenerated`). */
  key: string;
  /** True when the source had no key and one was generated (surname + year + first title word). */
  keyGenerated?: boolean;
  /** Entry type in lower case (`article`, `inproceedings`, ...); the CSL type for CSL-JSON; `misc` for other sources. */
  type: string;
  title: string;
  /** Authors as display names ("Ashish Vaswani"), in order. Editors stand in when there are no authors. */
  authors: string[];
  year?: number;
  venue?: string;
  abstract?: string;
  doi?: string;
  url?: string;
  arxiv?: string;
  keywords?: string;
  /** Absolute path of the file the record came from. */
  source: string;
  /** Where the record sits in its source file (0-based lines and UTF-16 columns, like LSP). */
  range: SourceRange;
}

export interface SourcePosition { line: number; character: number }
export interface SourceRange { start: SourcePosition; end: SourcePosition }

/** A problem found while loading a file: the rest of the file still loads. */
export interface LoadError {
  message: string;
  range: SourceRange;
  /** `error` loses (part of) an entry; `warning` is recovered from (e.g. undefined @string). */
  severity: 'error' | 'warning';
}

export interface LoadResult {
  papers: Paper[];
  errors: LoadError[];
}
