/**
 * Everything it takes to turn one corpus file (or one part of a large one, see `split.ts`) into an
 * index segment, off the server's thread (`loadWorker.ts` runs it in a worker; `offThread.ts`
 * falls back to running it in-process):
 * read the file, use the persisted index cache when it was built from exactly these bytes, else
 * parse, give generated keys that another corpus file already uses a free suffix, build the
 * segment, and write the cache for next time. The result is plain data (typed arrays) that moves
 * to the server's thread without copying.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { cachePath, readCacheFile, sha1Of, stampOf, touchCacheFile, writeCacheFile, type Section, type Stamp } from '../cache/cacheFile';
import { hasHash, keyHash, Segment, SegmentBuilder, type SegmentParts } from '../index/segment';
import { renameTakenGeneratedKeys } from './keys';
import { readFully } from './readFully';
import { fileBytes, memoryBytes, parseBibtexInChunks, worthChunking, type ByteSource } from './chunkedParse';
import { corpusFormat, gunzipped, loadCorpusBytes, type CorpusLoadResult } from './loader';
import type { LoadError, Paper } from './paper';
import { PaperStore, type StoreFile } from './paperStore';
import { loadError } from './records';
import { defineInOrder, lineEnds, scanPrefix, type FilePart, type Prefix, type PrefixAt } from './split';

/** Bump whenever the segment, the store or the parsers change what they produce. */
export const CACHE_VERSION = 5;

export interface BuildRequest {
  file: string;
  /** `@string` macros defined by the corpus's other BibTeX files. */
  macros: [string, string][];
  /** Sorted `keyHash`es of the keys every other corpus file uses (generated keys avoid them). */
  takenKeyHashes: Float64Array[];
  /** Where the index cache lives; no cache when absent. */
  cacheDir?: string;
  /** Build from the file even if a cache exists (the cached segment failed to load). */
  noCache?: boolean;
  /** Build only this part of the file (see `split.ts`). */
  part?: FilePart;
  /** The text of an open editor to index instead of the file (unsaved edits); never cached. */
  text?: string;
}

export interface BuiltSource {
  /** When `storeFile` is set, `segment.store.bytes` is empty: the text is read from that file. */
  segment: SegmentParts;
  storeFile?: StoreFile;
  errors: LoadError[];
  macros: [string, string][];
  undefinedMacros: string[];
  /** How the segment was obtained. */
  from: 'cache' | 'parse';
  /** Why the cache was not used or not written, if it was not. */
  cacheNote?: string;
  /** Parts only: crossref parents not in the part (lower case), perhaps in another part. */
  missingCrossrefs?: string[];
  /** Parts only: why the file must be indexed whole after all (it is not UTF-8). */
  splitUnsafe?: string;
  /**
   * The segment was built here, or read from the cache and checked here (`Segment.fromParts`):
   * the server's thread need not check it again.
   */
  checked?: boolean;
}

interface CacheMeta {
  segment: SegmentMeta;
  errors: LoadError[];
  macros: [string, string][];
  undefinedMacros: string[];
  /** Digest of the external macros the file was parsed with. */
  macrosDigest: string;
  /** Length of the text section (the store's bytes, read from the file on demand). */
  storeBytes: number;
  missingCrossrefs?: string[];
  /** Parts only: the file's mtime when built, and what the text before the part contributed. */
  mtimeMs?: number;
  prefix?: { line: number; macrosDigest: string };
}

interface SegmentMeta { source: string; totalLength: number; stopwordCount: number; relatedStopwordCount: number }

const ZERO = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export async function buildSource(req: BuildRequest, onProgress: (fraction: number) => void = () => undefined): Promise<BuiltSource> {
  if (req.text !== undefined) {
    // An editor's unsaved text: indexed as it is, never cached (it is not what the file holds).
    return parseAndBuild(req, { bytes: Buffer.from(req.text, 'utf8') }, new Map(req.macros), undefined, onProgress);
  }
  let stat: fs.Stats;
  let bytes: Buffer | undefined;
  try {
    stat = await fs.promises.stat(req.file);
  } catch (e) {
    return unreadable(req.file, e);
  }
  const { part } = req;
  const macrosDigest = digest(req.macros);
  // A part's cache is stamped with its own bytes; what the text before it contributes (line
  // numbers, macros) is checked separately when the file's mtime changed.
  const name = part ? `${req.file}#${part.index}/${part.count}` : req.file;
  const cacheFile = req.cacheDir ? cachePath(req.cacheDir, name) : undefined; // rewritten even when `noCache`
  const readBytes = () => (part ? readRange(req.file, part.start, part.end) : fs.readFileSync(req.file));
  let cacheNote: string | undefined;
  let prefix: Prefix | undefined;
  const prefixOf = () => (prefix ??= part && part.start > 0
    ? scanPrefix(req.file, part.start, new Map(req.macros), partEndBefore(req.file, stat, macrosDigest, part.start))
    : { line: 0, macros: [] });
  if (cacheFile && !req.noCache) {
    // The corpus file itself is read only if its mtime changed (to compare content hashes).
    const cached = readCacheFile(cacheFile, {
      source: part ? `${name}@${part.start}-${part.end}` : req.file, size: stat.size, mtimeMs: stat.mtimeMs, version: CACHE_VERSION,
      sha1: () => sha1Of(bytes ??= readBytes()),
    }, ['store.bytes']);
    if (cached) {
      const meta = cached.meta as CacheMeta;
      try {
        const segment = fromSections(cached.sections, meta.segment);
        // The text stays in the cache file (checksummed, not loaded); the server reads papers from it.
        const storeFile = { path: cacheFile, offset: cached.fileOffsets.get('store.bytes') ?? -1, length: meta.storeBytes };
        if (!Number.isSafeInteger(meta.storeBytes) || storeFile.offset < 0) throw new Error('cache meta invalid');
        if (meta.macrosDigest !== macrosDigest) cacheNote = 'cache built with other @string macros';
        else if (part && meta.mtimeMs !== stat.mtimeMs && !samePrefix(meta.prefix, prefixOf())) cacheNote = 'the text before this part changed';
        else {
          const checked = Segment.fromParts(segment, storeFile); // checked here, off the server's thread (throws if damaged)
          let clash: boolean;
          try { clash = generatedKeyTaken(checked.papers, req.takenKeyHashes); } finally { checked.close(); }
          if (clash) cacheNote = 'a generated key is now taken by another file';
          else {
            touchCacheFile(cacheFile);
            return {
              segment, storeFile, errors: meta.errors, macros: meta.macros, undefinedMacros: meta.undefinedMacros, from: 'cache',
              missingCrossrefs: meta.missingCrossrefs, checked: true,
            };
          }
        }
      } catch (e) {
        cacheNote = `cache discarded: ${e instanceof Error ? e.message : String(e)}`;
        fs.rmSync(cacheFile, { force: true });
      }
    }
  }

  const macros = new Map(req.macros);
  try {
    if (part) for (const [k, v] of prefixOf().macros) macros.set(k, v);
  } catch (e) {
    return unreadable(req.file, e);
  }
  const stampSource = part ? `${name}@${part.start}-${part.end}` : req.file;
  const length = part ? part.end - part.start : stat.size;
  let built: BuiltSource | undefined;
  let stamp: Stamp | undefined;
  /** Parsed: the line number at the end of the text. */
  let endLine: number | undefined;
  if (!bytes && corpusFormat(req.file) === 'bibtex' && !/\.gz$/i.test(req.file) && worthChunking(length)) {
    // Read, hashed (for the cache stamp) and parsed a chunk at a time: the part's bytes are never all in memory.
    let fd: number | undefined;
    try {
      fd = fs.openSync(req.file, 'r');
      const hash = cacheFile ? createHash('sha1') : undefined;
      const chunked = buildInChunks(req, fileBytes(fd, part?.start ?? 0, (part?.start ?? 0) + length), macros, prefix?.line ?? 0, onProgress, chunk => hash?.update(chunk));
      built = chunked?.built;
      endLine = chunked?.endLine;
      if (built && hash) stamp = { source: stampSource, size: stat.size, mtimeMs: stat.mtimeMs, sha1: hash.digest('hex'), version: CACHE_VERSION };
    } catch (e) {
      return unreadable(req.file, e);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
  if (!built) {
    try {
      bytes ??= part ? readBytes() : await fs.promises.readFile(req.file);
    } catch (e) {
      return unreadable(req.file, e);
    }
    stamp = cacheFile ? stampOf(stampSource, bytes, stat, CACHE_VERSION) : undefined;
    if (part) endLine = prefixOf().line + lineEnds(bytes);
    const box: { bytes?: Uint8Array } = { bytes };
    bytes = undefined; // handed over: collected once decoded
    built = await parseAndBuild(req, box, macros, prefix?.line, onProgress);
  }
  if (part && endLine !== undefined) {
    rememberPartEnd(req.file, stat, macrosDigest, { at: part.end, line: endLine, macros: withRedefinitions(prefixOf().macros, built.macros) });
  }
  const { missingCrossrefs, splitUnsafe, segment } = built;
  if (cacheFile && stamp && !splitUnsafe) {
    try {
      const { sections, meta } = toSections(segment);
      const cacheMeta: CacheMeta = {
        segment: meta, errors: built.errors, macros: built.macros, undefinedMacros: built.undefinedMacros, macrosDigest,
        storeBytes: segment.store.bytes.length,
        ...(part ? { missingCrossrefs, mtimeMs: stat.mtimeMs, prefix: { line: prefixOf().line, macrosDigest: digest(prefixOf().macros) } } : {}),
      };
      const offsets = writeCacheFile(cacheFile, stamp, cacheMeta, sections);
      built.storeFile = { path: cacheFile, offset: offsets.get('store.bytes')!, length: segment.store.bytes.length };
      built.segment = withoutText(segment);
      // The text is in the cache file now, and nothing else holds its buffer: the next build writes there.
      spareStoreBuffer = new Uint8Array(segment.store.bytes.buffer);
    } catch (e) {
      cacheNote = `cache not written: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  built.cacheNote = cacheNote;
  return built;
}

/** Parses the bytes in `box` (handed over: emptied once decoded) and builds their segment; no cache. */
async function parseAndBuild(req: BuildRequest, box: { bytes?: Uint8Array }, macros: Map<string, string>, firstLine: number | undefined, onProgress: (fraction: number) => void): Promise<BuiltSource> {
  if (box.bytes && corpusFormat(req.file) === 'bibtex') {
    try { box.bytes = await gunzipped(box.bytes); } catch { /* damaged: reported by the loader below */ }
    const bytes = box.bytes;
    if (worthChunking(bytes.length)) {
      box.bytes = undefined;
      const chunked = buildInChunks(req, memoryBytes(bytes), macros, firstLine ?? 0, onProgress);
      if (chunked) return chunked.built;
      box.bytes = bytes; // not UTF-8, or a crossref parent in another chunk: parsed whole below
    }
  }
  let loaded: CorpusLoadResult | undefined = await loadCorpusBytes(req.file, box, macros, { firstLine });
  const result = { errors: loaded.errors, macros: loaded.macros, undefinedMacros: loaded.undefinedMacros };
  const missingCrossrefs = req.part ? [...(loaded.missingCrossrefs ?? [])] : undefined;
  const splitUnsafe = req.part ? loaded.encodingWarning : undefined;
  onProgress(0.5);
  avoidTakenKeys(loaded.papers, req.takenKeyHashes);
  const builder = new SegmentBuilder(loaded.papers, req.file);
  loaded = undefined; // only the builder holds the papers now, and lets go of them once encoded
  while (!builder.done) {
    builder.step(5000);
    onProgress(0.5 + builder.progress * 0.45);
  }
  return {
    segment: builder.finish().toParts(),
    errors: result.errors,
    macros: [...(result.macros ?? [])],
    undefinedMacros: [...(result.undefinedMacros ?? [])],
    from: 'parse',
    missingCrossrefs,
    splitUnsafe,
    checked: true,
  };
}

/**
 * A large UTF-8 BibTeX text, parsed and indexed a chunk at a time (see `chunkedParse.ts`); each
 * chunk's bytes go to `onChunk` too. Undefined when it must be parsed whole; else the build and
 * the line number at the text's end.
 */
function buildInChunks(req: BuildRequest, src: ByteSource, macros: Map<string, string>, firstLine: number, onProgress: (fraction: number) => void, onChunk?: (chunk: Uint8Array) => void): { built: BuiltSource; endLine: number } | undefined {
  // The text of the papers is a little shorter than their BibTeX.
  const builder = new SegmentBuilder([], req.file, storeBuffer(src.length));
  const parsed = parseBibtexInChunks(src, req.file, macros, firstLine, (papers, parsedBytes, chunk) => {
    onChunk?.(chunk);
    avoidTakenKeys(papers, req.takenKeyHashes);
    builder.add(papers);
    while (!builder.done) builder.step(5000);
    onProgress((parsedBytes / src.length) * 0.95);
  });
  if (typeof parsed === 'string') return undefined;
  const built: BuiltSource = {
    segment: builder.finish().toParts(),
    errors: parsed.errors,
    macros: [...parsed.macros],
    undefinedMacros: [...parsed.undefinedMacros],
    from: 'parse',
    missingCrossrefs: req.part ? [...parsed.missingCrossrefs] : undefined,
    checked: true,
  };
  return { built, endLine: parsed.endLine };
}

/**
 * Where the last part this thread parsed ended, per file: the line there and the `@string`
 * macros defined before it (the part's prefix plus its own). Each worker builds about every
 * other part of a large file, so the prefix of its next part is scanned from its previous part's
 * end instead of from the start of the file (a 172 MB file's six parts scanned 0.5 GB before,
 * 0.15 GB now). Valid only for the same file (size, mtime) and the same macros from other files.
 */
const partEnds = new Map<string, { size: number; mtimeMs: number; macrosDigest: string; end: PrefixAt }>();

function rememberPartEnd(file: string, stat: fs.Stats, macrosDigest: string, end: PrefixAt): void {
  partEnds.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, macrosDigest, end });
}

function partEndBefore(file: string, stat: fs.Stats, macrosDigest: string, at: number): PrefixAt | undefined {
  const known = partEnds.get(file);
  return known && known.size === stat.size && known.mtimeMs === stat.mtimeMs && known.macrosDigest === macrosDigest && known.end.at <= at
    ? known.end : undefined;
}

/** `before`, then `after` defined in order (see `defineInOrder`). */
function withRedefinitions(before: readonly [string, string][], after: readonly [string, string][]): [string, string][] {
  const all = new Map(before);
  for (const [name, value] of after) defineInOrder(all, name, value);
  return [...all];
}

/**
 * A build's paper-store buffer whose text went to the cache file (the store reads it there), kept
 * for this thread's next build: parts built one after another by a worker reuse its pages instead
 * of touching fresh memory (see `termPairs.ts`).
 */
let spareStoreBuffer: Uint8Array | undefined;

/** A buffer of at least `bytes` for a paper store's text: the spare one if it is large enough. */
function storeBuffer(bytes: number): Uint8Array {
  const spare = spareStoreBuffer;
  spareStoreBuffer = undefined;
  return spare && spare.length >= bytes ? spare : new Uint8Array(bytes);
}

/** Bytes `[start, end)` of a file. */
function readRange(file: string, start: number, end: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    return readFully(fd, Buffer.alloc(end - start), start) as Buffer;
  } finally {
    fs.closeSync(fd);
  }
}

function samePrefix(stored: CacheMeta['prefix'], now: Prefix): boolean {
  return !!stored && stored.line === now.line && stored.macrosDigest === digest(now.macros);
}

/** The parts without their text (the server reads it from the cache file). */
function withoutText(p: SegmentParts): SegmentParts {
  return { ...p, store: { ...p.store, bytes: new Uint8Array(0) } };
}

/** What a build that threw (a bug) gives: no papers and one error naming the file. */
export function failedBuild(file: string, e: unknown): BuiltSource {
  const errors = [loadError(`Could not index ${file}: ${e instanceof Error ? e.message : String(e)}`, ZERO)];
  return { segment: Segment.build([], file).toParts(), errors, macros: [], undefinedMacros: [], from: 'parse' };
}

function unreadable(file: string, e: unknown): BuiltSource {
  const errors = [loadError(`Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, ZERO)];
  return { segment: Segment.build([], file).toParts(), errors, macros: [], undefinedMacros: [], from: 'parse' };
}

/** Every ArrayBuffer under the parts, once each (to transfer them to another thread). */
export function transferList(p: SegmentParts): ArrayBuffer[] {
  return [...new Set(Object.values(typedArrays(p)).map(a => a.buffer as ArrayBuffer))];
}

/**
 * Generated keys (records without one) that another file already uses get the next free suffix
 * (`-b`, `-c`…) of their base key, so every generated key names one paper in the whole corpus.
 */
function avoidTakenKeys(papers: Paper[], taken: Float64Array[]): void {
  renameTakenGeneratedKeys(papers, key => { const h = keyHash(key); return taken.some(t => hasHash(t, h)); });
}

/** Whether a generated key of these papers is among `taken` (sorted `keyHash` arrays). */
export function generatedKeyTaken(papers: Pick<PaperStore, 'length' | 'keyGenerated' | 'key'>, taken: Float64Array[]): boolean {
  if (taken.length === 0) return false;
  for (let d = 0; d < papers.length; d++) {
    if (!papers.keyGenerated(d)) continue;
    const h = keyHash(papers.key(d));
    if (taken.some(t => hasHash(t, h))) return true;
  }
  return false;
}

function digest(macros: [string, string][]): string {
  const sorted = [...macros].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return createHash('sha1').update(JSON.stringify(sorted)).digest('hex');
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The typed arrays of the parts, by cache section name. */
function typedArrays(p: SegmentParts): Record<string, Section> {
  return {
    'store.bytes': p.store.bytes, 'store.offsets': p.store.offsets, 'store.ints': p.store.ints,
    'store.keyBytes': p.store.keyBytes, 'store.keyOffsets': p.store.keyOffsets,
    'dict.offsets': p.dict.offsets, 'dict.hashes': p.dict.hashes, 'dict.table': p.dict.table,
    offsets: p.offsets, docs: p.docs, weights: p.weights, docLength: p.docLength,
    sortedTerms: p.sortedTerms, keyOrder: p.keyOrder, keyHashes: p.keyHashes,
    'rel.offsets': p.related.dict.offsets, 'rel.hashes': p.related.dict.hashes, 'rel.table': p.related.dict.table,
    'rel.postings': p.related.offsets, 'rel.docs': p.related.docs, 'rel.impacts': p.related.impacts, 'rel.maxImpact': p.related.maxImpact,
  };
}

/** The parts as flat named sections (the term texts as UTF-8) plus the few numbers they need. */
export function toSections(p: SegmentParts): { sections: Record<string, Section>; meta: SegmentMeta } {
  return {
    sections: { ...typedArrays(p), 'dict.text': utf8.encode(p.dict.text), 'rel.text': utf8.encode(p.related.dict.text) },
    meta: { source: p.store.source, totalLength: p.totalLength, stopwordCount: p.dict.stopwordCount, relatedStopwordCount: p.related.dict.stopwordCount },
  };
}

export function fromSections(s: Map<string, Section>, meta: SegmentMeta): SegmentParts {
  const get = <T extends Section>(name: string, type: new (...a: never[]) => T): T => {
    const v = s.get(name);
    if (!(v instanceof type)) throw new Error(`cache section ${name} missing or of the wrong type`);
    return v;
  };
  if (typeof meta?.source !== 'string' || typeof meta.totalLength !== 'number') throw new Error('cache meta invalid');
  return {
    store: {
      source: meta.source, bytes: get('store.bytes', Uint8Array), offsets: get('store.offsets', Uint32Array), ints: get('store.ints', Int32Array),
      keyBytes: get('store.keyBytes', Uint8Array), keyOffsets: get('store.keyOffsets', Uint32Array),
    },
    dict: {
      text: utf8Decoder.decode(get('dict.text', Uint8Array)), offsets: get('dict.offsets', Uint32Array),
      hashes: get('dict.hashes', Int32Array), table: get('dict.table', Int32Array), stopwordCount: meta.stopwordCount,
    },
    offsets: get('offsets', Uint32Array), docs: get('docs', Uint32Array), weights: get('weights', Uint8Array),
    docLength: get('docLength', Float32Array), totalLength: meta.totalLength,
    sortedTerms: get('sortedTerms', Uint32Array), keyOrder: get('keyOrder', Uint32Array), keyHashes: get('keyHashes', Float64Array),
    related: {
      dict: {
        text: utf8Decoder.decode(get('rel.text', Uint8Array)), offsets: get('rel.offsets', Uint32Array),
        hashes: get('rel.hashes', Int32Array), table: get('rel.table', Int32Array), stopwordCount: meta.relatedStopwordCount,
      },
      offsets: get('rel.postings', Uint32Array), docs: get('rel.docs', Uint32Array),
      impacts: get('rel.impacts', Uint8Array), maxImpact: get('rel.maxImpact', Uint8Array),
    },
  };
}
