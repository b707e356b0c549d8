/**
 * The workspace as the citation features see it: the documents that cite (open buffers first, the
 * workspace's `.tex`/`.md`/`.qmd`/`.Rmd` files on disk otherwise), each document's bibliography,
 * and the keys of any bibliography file (an open `.bib` buffer parsed as it is, else the file's
 * index segment, else the file on disk). File texts are cached by mtime and size.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { glob } from 'tinyglobby';
import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseBibKeys, segmentKeys, type BibKeys, type ParsedBib } from './features/bibEntries';
import { discoverBibliography, TexFactsCache, type DocumentBibliography, type FileAccess } from './features/bibliography';
import { languageOfFile } from './features/citations';
import { citeSyntaxOf } from './features/citeContext';
import type { CitingDocument } from './features/navigation';
import type { CorpusIndex } from './index/corpusIndex';

/** Files above this size are not kept in memory (nor parsed here: the index has their keys). */
const MAX_CACHED_TEXT = 20 * 1024 * 1024;
/** `.bib` files parsed from disk when they are not indexed (yet). */
const MAX_DISK_PARSE = 5 * 1024 * 1024;
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/.tools/**'];
const CITING_GLOB = '**/*.{tex,ltx,md,markdown,qmd,Rmd,rmd}';

/** A path for a document URI (`file:` URIs), else the URI itself (unsaved documents). */
export function fileOfUri(uri: string): string {
  return uri.startsWith('file:') ? path.normalize(fileURLToPath(uri)) : uri;
}

export function uriOfFile(file: string): string {
  return path.isAbsolute(file) ? pathToFileURL(file).href : file;
}

export class Project implements FileAccess {
  bibInputs: string[] = [];
  readonly factsCache = new TexFactsCache();
  private folders: string[] = [];
  private citingFiles: string[] = [];
  private listed: Promise<void> | undefined;
  private readonly disk = new Map<string, { mtimeMs: number; size: number; text: string }>();
  private readonly parsedOpen = new Map<string, { version: number; bib: ParsedBib }>();
  private readonly parsedDisk = new Map<string, { text: string; bib: ParsedBib }>();

  constructor(private readonly documents: TextDocuments<TextDocument>, private readonly index: () => CorpusIndex) {}

  setFolders(folders: string[]): void {
    this.folders = folders;
    void this.relist();
  }

  /** Lists the workspace's citing documents again (after files were created or deleted). */
  relist(): Promise<void> {
    const run = (async () => {
      const found: string[] = [];
      for (const cwd of this.folders) {
        try {
          for (const f of await glob([CITING_GLOB], { cwd, absolute: true, ignore: IGNORE, followSymbolicLinks: false })) found.push(path.normalize(f));
        } catch { /* an unreadable folder lists nothing */ }
      }
      this.citingFiles = found;
    })();
    this.listed = run;
    return run;
  }

  /** Resolves once the workspace's documents have been listed. */
  whenListed(): Promise<void> { return this.listed ?? Promise.resolve(); }

  /** A file changed on disk: forget its cached text. */
  invalidate(file: string): void {
    this.disk.delete(file);
    this.parsedDisk.delete(file);
  }

  openDocument(file: string): TextDocument | undefined {
    return this.documents.get(uriOfFile(file));
  }

  // ---- FileAccess ----

  read(file: string): string | undefined {
    const open = this.openDocument(file);
    if (open) return open.getText();
    return this.readDisk(file);
  }

  exists(file: string): boolean {
    if (this.openDocument(file)) return true;
    try { return fs.statSync(file).isFile(); } catch { return false; }
  }

  texFiles(): readonly string[] {
    const open = this.documents.all().map(d => fileOfUri(d.uri)).filter(f => path.isAbsolute(f) && /\.(tex|ltx)$/i.test(f));
    return [...new Set([...this.citingFiles.filter(f => /\.(tex|ltx)$/i.test(f)), ...open])];
  }

  subdirs(dir: string): string[] {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).filter(e => e.isDirectory() && !e.name.startsWith('.')).map(e => path.join(dir, e.name));
    } catch { return []; }
  }

  /** A file's text from disk (cached by mtime and size; large files read each time). */
  readDisk(file: string): string | undefined {
    let st: fs.Stats;
    try { st = fs.statSync(file); } catch { return undefined; }
    if (!st.isFile()) return undefined;
    const hit = this.disk.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
    try {
      const text = fs.readFileSync(file, 'utf8');
      if (st.size <= MAX_CACHED_TEXT) this.disk.set(file, { mtimeMs: st.mtimeMs, size: st.size, text });
      return text;
    } catch { return undefined; }
  }

  /** A file's text when it is small enough to work with (for key ranges and appending entries). */
  textOf(file: string): string | undefined {
    const open = this.openDocument(file);
    if (open) return open.getText();
    try { if (fs.statSync(file).size > MAX_CACHED_TEXT) return undefined; } catch { return undefined; }
    return this.readDisk(file);
  }

  // ---- Documents and bibliographies ----

  bibliographyOf(doc: TextDocument): DocumentBibliography {
    return discoverBibliography(fileOfUri(doc.uri), doc.getText(), doc.languageId, this);
  }

  /** The open `.bib` buffer parsed (cached per version), if `file` is open. */
  openBib(file: string): ParsedBib | undefined {
    const doc = this.openDocument(file);
    if (!doc) return undefined;
    const hit = this.parsedOpen.get(file);
    if (hit && hit.version === doc.version) return hit.bib;
    const bib = parseBibKeys(doc.getText(), file);
    this.parsedOpen.set(file, { version: doc.version, bib });
    return bib;
  }

  closed(file: string): void {
    this.parsedOpen.delete(file);
    if (!path.isAbsolute(file)) this.factsCache.forget(file); // an unsaved document is gone for good
  }

  /** The keys of a bibliography file: open buffer, index segment, or (small, not yet indexed) file on disk. */
  bibOf(file: string): BibKeys | undefined {
    const open = this.openBib(file);
    if (open) return open;
    const segments = this.index().segmentsOf(file);
    if (segments.length) return segmentKeys(file, segments, () => this.textOf(file));
    return this.diskBib(file);
  }

  /** A `.bib` on disk parsed here (small files only), for entries with exact key ranges. */
  diskBib(file: string): ParsedBib | undefined {
    if (!/\.(bib|bibtex|biblatex)$/i.test(file)) return undefined;
    try { if (fs.statSync(file).size > MAX_DISK_PARSE) return undefined; } catch { return undefined; }
    const text = this.readDisk(file);
    if (text === undefined) return undefined;
    const hit = this.parsedDisk.get(file);
    if (hit && hit.text === text) return hit.bib;
    const bib = parseBibKeys(text, file);
    this.parsedDisk.set(file, { text, bib });
    return bib;
  }

  /** Every document that may cite: the open ones, and the workspace's files on disk. */
  citingDocuments(): CitingDocument[] {
    const out = new Map<string, CitingDocument>();
    for (const d of this.documents.all()) {
      if (citeSyntaxOf(d.languageId)) out.set(fileOfUri(d.uri), { file: fileOfUri(d.uri), text: d.getText(), languageId: d.languageId });
    }
    for (const f of this.citingFiles) {
      if (out.has(f)) continue;
      const languageId = languageOfFile(f);
      const text = languageId ? this.readDisk(f) : undefined;
      if (languageId && text !== undefined) out.set(f, { file: f, text, languageId });
    }
    return [...out.values()];
  }

  /** Whether `file` lies in a workspace folder. */
  inWorkspace(file: string): boolean {
    return this.folders.some(f => file === f || file.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
  }
}
