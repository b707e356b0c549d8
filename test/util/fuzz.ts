/**
 * Property-based fuzzing of every parser that reads untrusted text (fast-check): the corpus loaders
 * (BibTeX, CSL-JSON, JSON Lines, plain text, byte decoding), the LaTeX and Markdown citation
 * scanners (`citeContextAt`, `citationAt`, `findCitations`) and bibliography discovery. Shared by the
 * bounded unit test (test/unit/fuzz.test.ts, fixed seed) and the long run of `npm run reliability`.
 *
 * Properties, for every input: nothing throws; every range reported lies inside the text; the
 * parse takes at most 100 ms per 100 KB (100 ms at least; a slow input is timed a second time
 * before it counts, so one GC pause or busy core does not fail it).
 */
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import { parseCslJson } from '../../server/src/corpus/csljson';
import { parseJsonLines } from '../../server/src/corpus/jsonl';
import { corpusFormat, decodeBytes } from '../../server/src/corpus/loader';
import type { LoadResult, SourceRange } from '../../server/src/corpus/paper';
import { parsePlainText } from '../../server/src/corpus/plaintext';
import { discoverBibliography, frontMatter, latexCommands, type FileAccess } from '../../server/src/features/bibliography';
import { citationAt, citeContextAt, findCitations, type Pos } from '../../server/src/features/citeContext';
import { insideText } from './loadErrors';
import { corporaDir, repoRoot } from './paths';

export type TargetName = 'bibtex' | 'csl-json' | 'jsonl' | 'text' | 'latex-cites' | 'markdown-cites' | 'latex-bibliography' | 'markdown-bibliography';

/** A parser under test: runs it on `text` and returns a problem (or undefined when all holds). */
export interface Target { name: TargetName; run(text: string, probe: number): string | undefined }

const lines = (text: string) => text.split(/\r\n?|\n/);

function checkLoad(text: string, r: LoadResult): string | undefined {
  const ls = lines(text);
  for (const p of r.papers) {
    if (!p.key) return 'a paper without a key';
    if (typeof p.title !== 'string') return `${p.key}: title is not a string`;
    if (!insideText(p.range, ls)) return `${p.key}: range ${JSON.stringify(p.range)} outside the text`;
  }
  for (const e of r.errors) if (!insideText(e.range, ls)) return `error "${e.message}": range ${JSON.stringify(e.range)} outside the text`;
  return undefined;
}

/** A position in the text from a number: every line, and past the end of lines and of the text. */
function positionOf(text: string, probe: number): Pos {
  const ls = lines(text);
  const line = probe % (ls.length + 2);
  return { line, character: Math.floor(probe / 7) % ((ls[line]?.length ?? 0) + 3) };
}

function checkRange(r: SourceRange, ls: string[], what: string): string | undefined {
  return insideText(r, ls) ? undefined : `${what}: range ${JSON.stringify(r)} outside the text`;
}

function citeTarget(name: TargetName, languageId: string): Target {
  return {
    name,
    run(text, probe) {
      const ls = lines(text);
      for (const c of findCitations(text, languageId, ['mycite'])) {
        const bad = checkRange(c.range, ls, `citation ${c.key}`);
        if (bad) return bad;
      }
      const pos = positionOf(text, probe);
      const ctx = citeContextAt(text, pos, languageId, ['mycite']);
      if (ctx) { const bad = checkRange(ctx.range, ls, 'cite context'); if (bad) return bad; }
      const at = citationAt(text, pos, languageId);
      if (at) { const bad = checkRange(at.range, ls, 'citation at'); if (bad) return bad; }
      return undefined;
    },
  };
}

/** A file system with one other file: the document may name it, include it or itself. */
function memoryFs(text: string): FileAccess {
  const files = new Map([['/w/main.tex', text], ['/w/other.tex', text], ['/w/refs.bib', '@article{a, title={A}}'], ['/w/_quarto.yml', `bibliography: refs.bib\n${text.slice(0, 2000)}`]]);
  return {
    read: f => files.get(f),
    exists: f => files.has(f),
    texFiles: () => ['/w/main.tex', '/w/other.tex'],
    bibInputs: ['/w/bib//'],
    subdirs: () => [],
  };
}

function bibliographyTarget(name: TargetName, languageId: string, file: string): Target {
  return {
    name,
    run(text) {
      const b = discoverBibliography(file, text, languageId, memoryFs(text));
      const ls = lines(text);
      for (const r of b.resources) if (r.document === file) { const bad = checkRange(r.range, ls, `resource ${r.name}`); if (bad) return bad; }
      for (const i of b.bibitems) if (i.document === file) { const bad = checkRange(i.range, ls, `bibitem ${i.key}`); if (bad) return bad; }
      if (languageId === 'latex') latexCommands(text, new Set(['bibitem', 'cite', 'input']), 2);
      else frontMatter(text);
      return undefined;
    },
  };
}

export const TARGETS: Record<TargetName, Target> = {
  'bibtex': { name: 'bibtex', run: text => checkLoad(text, parseBibtex(text, '/fuzz.bib')) },
  'csl-json': { name: 'csl-json', run: text => checkLoad(text, parseCslJson(text, '/fuzz.json')) },
  'jsonl': { name: 'jsonl', run: text => checkLoad(text, parseJsonLines(text, '/fuzz.jsonl')) },
  'text': { name: 'text', run: text => checkLoad(text, parsePlainText(text, '/fuzz.txt')) },
  'latex-cites': citeTarget('latex-cites', 'latex'),
  'markdown-cites': citeTarget('markdown-cites', 'markdown'),
  'latex-bibliography': bibliographyTarget('latex-bibliography', 'latex', '/w/main.tex'),
  'markdown-bibliography': bibliographyTarget('markdown-bibliography', 'markdown', '/w/main.md'),
};

/** Milliseconds allowed for `chars` characters: 100 ms per 100 KB, at least 100 ms. */
export function budgetMs(chars: number): number {
  return Math.max(100, (chars / 100_000) * 100);
}

export interface FuzzStats {
  /** Inputs run, per target. */
  inputs: Record<string, number>;
  /** Characters parsed in all. */
  chars: number;
  /** Slowest input relative to its budget (1 = exactly the budget). */
  worstBudgetShare: number;
  /** Problems found (a thrown exception, a range outside the text, a budget exceeded). */
  failures: string[];
}

export function newStats(): FuzzStats {
  return { inputs: {}, chars: 0, worstBudgetShare: 0, failures: [] };
}

/**
 * Runs one target on one input, timing it; returns the problem, if any, and records it in `stats`.
 * `slack` multiplies the budget where other work shares the cores (`npm test` runs two test files
 * at once); the worst share recorded is always against the plain budget.
 */
export function runOne(target: Target, text: string, probe: number, stats: FuzzStats, slack = 1): string | undefined {
  const timed = (): [number, string | undefined] => {
    // A large input is timed on a collected heap (when `--expose-gc` allows): the parser's time, not earlier inputs' garbage.
    if (text.length > 100_000) (globalThis as { gc?: () => void }).gc?.();
    const started = performance.now();
    let problem: string | undefined;
    try {
      problem = target.run(text, probe);
    } catch (e) {
      problem = `threw ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
    }
    return [performance.now() - started, problem];
  };
  let [ms, problem] = timed();
  const allowed = budgetMs(text.length) * slack;
  if (!problem && ms > allowed) [ms, problem] = timed(); // once more: a GC pause, a busy core
  stats.inputs[target.name] = (stats.inputs[target.name] ?? 0) + 1;
  stats.chars += text.length;
  stats.worstBudgetShare = Math.max(stats.worstBudgetShare, ms / budgetMs(text.length));
  if (!problem && ms > allowed) problem = `took ${ms.toFixed(0)} ms for ${text.length} characters (budget ${allowed.toFixed(0)} ms)`;
  if (problem) {
    const msg = `${target.name}: ${problem} — input ${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)}`;
    if (stats.failures.length < 20) stats.failures.push(msg);
    return msg;
  }
  return undefined;
}

// ---- inputs ------------------------------------------------------------------------------------

/** Pieces the mutations insert: each format's syntax, line breaks, odd Unicode. */
export const TOKENS = [
  '{', '}', '(', ')', '[', ']', '@', ',', '=', '"', '#', '%', '\\', ';', ':', '~', '$', '`', '-', '\n', '\r\n', '\r', ' ', '\t', '\u0000',
  '@article{', '@string{', '@comment{', '@preamble{', 'title = {', 'author = "', ' and ', '\\"u', '{\\\'e}', 'crossref = {',
  '[{', '}]', '"id":', '"title":"', '"author":[{"family":"', '"issued":{"date-parts":[[', 'null', '1e999', '\\u00', '\\ud800',
  '\\cite{', '\\citep[see][p. 3]{', '\\cites{a}{', '\\mycite{', '\\nocite{*}', '\\bibliography{', '\\addbibresource{', '\\input{', '\\include{',
  '\\begin{verbatim}', '\\end{verbatim}', '\\verb|', '\\documentclass{article}', '% !TEX root = other.tex\n', '\\bibitem{',
  '[@', '[-@', '; @', '@fig:x', '```\n', '---\n', 'bibliography: ', 'bibliography: [a.bib, ', 'references:\n- id: ', '\n\n',
  '\uFFFD', '\uD800', '\uDC00', '😀', '凯撒', 'é', '\u202E',
];

/** Hand-written seeds covering each format's syntax (the shared corpora add real files). */
const BUILTIN_SEEDS = [
  '@string{j = "J. Test"} @preamble{"x"}\n@article{a, author = {M{\\"u}ller, J. and Doe, Jane}, title = "A {B} c", journal = j # " 1", year = 2001}\n@inproceedings(b, title = {T}, crossref = {p}, note = {%, @, \\{})\n@proceedings{p, booktitle = {P}, year = 2002, editor = {E}}\n',
  '[{"id":"a","type":"article-journal","title":"A","author":[{"family":"Doe","given":"J"}],"issued":{"date-parts":[[2020]]},"abstract":"x"},{"id":"b","title":"B"}]',
  '{"id":"2401.1","title":"A","authors":"A. B, C. D","summary":"s"}\n{"paper_id":"1","title":"T","authors":[{"name":"X"}],"year":2020,"abstract":"a"}\nnot json\n',
  'Header line\n\nTitle One\n\nAbstract one is a paragraph of words.\n\nTitle Two\n\nAbstract two.\n',
  '\\documentclass{article}\n\\usepackage{natbib}\n\\begin{document}\nAs \\citep[see][p.~3]{a,b} and \\citet*{c}\\cite{d,\ne} % \\cite{x}\n\\begin{verbatim}\\cite{v}\\end{verbatim}\n\\bibliography{refs, other}\n\\addbibresource{refs.bib}\n\\input{other}\n\\end{document}\n',
  '---\ntitle: T\nbibliography: [refs.bib, b.bib]\nreferences:\n- id: k\n---\n\nText [@a; see @b, p. 3] and @c says [-@d]. See @fig:x.\n\n```\n[@code]\n```\n',
];

export interface Seed { name: string; text: string; target: TargetName }

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  }).sort();
}

const FORMAT_TARGET: Record<string, TargetName> = { 'bibtex': 'bibtex', 'csl-json': 'csl-json', 'jsonl': 'jsonl', 'text': 'text' };

/**
 * Seeds: the built-in ones, every file of ../shared/corpora/messy up to `maxBytes` (by its
 * format), pandoc's citation tests (Markdown) and the sample workspace's documents. The shared
 * corpora are optional: without them only the built-in seeds are used.
 */
export function loadSeeds(maxBytes = 20_000): Seed[] {
  const seeds: Seed[] = [];
  const targets: TargetName[] = ['bibtex', 'csl-json', 'jsonl', 'text', 'latex-cites', 'latex-bibliography', 'markdown-cites', 'markdown-bibliography'];
  BUILTIN_SEEDS.forEach((text, i) => {
    for (const target of targets) seeds.push({ name: `builtin-${i}`, text, target });
  });
  for (const file of walk(path.join(corporaDir, 'messy'))) {
    const format = corpusFormat(file);
    if (!format || fs.statSync(file).size > maxBytes) continue;
    seeds.push({ name: path.relative(corporaDir, file), text: decodeBytes(fs.readFileSync(file)).text, target: FORMAT_TARGET[format] });
  }
  for (const file of walk(path.join(corporaDir, 'csl', 'pandoc-tests'))) {
    if (!file.endsWith('.md') || fs.statSync(file).size > maxBytes) continue;
    const text = fs.readFileSync(file, 'utf8');
    seeds.push({ name: path.relative(corporaDir, file), text, target: 'markdown-cites' }, { name: path.relative(corporaDir, file), text, target: 'markdown-bibliography' });
  }
  for (const file of walk(path.join(repoRoot, 'test', 'fixtures', 'sample-workspace'))) {
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.tex')) seeds.push({ name: file, text, target: 'latex-cites' }, { name: file, text, target: 'latex-bibliography' });
    if (file.endsWith('.md')) seeds.push({ name: file, text, target: 'markdown-cites' }, { name: file, text, target: 'markdown-bibliography' });
  }
  return seeds;
}

type Edit = [op: number, at: number, len: number, token: number];

/** Applies mutations: insert a token, delete a span, duplicate a span, truncate, swap two halves. */
export function mutate(text: string, edits: readonly Edit[]): string {
  let t = text;
  for (const [op, atRaw, lenRaw, token] of edits) {
    const at = atRaw % (t.length + 1);
    const len = 1 + (lenRaw % 64);
    switch (op % 6) {
      case 0: case 1: t = t.slice(0, at) + TOKENS[token % TOKENS.length] + t.slice(at); break;
      case 2: t = t.slice(0, at) + t.slice(at + len); break;
      case 3: t = t.slice(0, at + len) + t.slice(at, at + len) + t.slice(at + len); break;
      case 4: t = t.slice(0, Math.max(at, t.length - 4096)); break;
      default: t = t.slice(at) + t.slice(0, at);
    }
  }
  return t;
}

const editArb = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat());

/** Random text from tokens, ASCII and any code point (lone surrogates included). */
const randomTextArb = fc.array(fc.oneof(
  fc.constantFrom(...TOKENS),
  fc.integer({ min: 0, max: 0x7f }).map(c => String.fromCharCode(c)),
  fc.integer({ min: 0, max: 0x10ffff }).map(c => String.fromCodePoint(c)),
  fc.string({ maxLength: 12 }),
), { maxLength: 400 }).map(parts => parts.join(''));

export interface FuzzRun { numRuns: number; seed: number }

/**
 * Runs the random and the mutated-seed properties on every target; returns the statistics
 * (failures included; fast-check's shrinking is skipped, the first counterexample is reported).
 */
export function fuzzAll(seeds: readonly Seed[], run: FuzzRun, stats = newStats(), slack = 1): FuzzStats {
  const names = Object.keys(TARGETS) as TargetName[];
  for (const name of names) {
    const target = TARGETS[name];
    fc.check(fc.property(randomTextArb, fc.nat(), (text, probe) => runOne(target, text, probe, stats, slack) === undefined), { seed: run.seed, numRuns: run.numRuns, endOnFailure: true });
    const mine = seeds.filter(s => s.target === name);
    if (mine.length === 0) continue;
    fc.check(fc.property(fc.nat(mine.length - 1), fc.array(editArb, { minLength: 1, maxLength: 8 }), fc.nat(), (i, edits, probe) =>
      runOne(target, mutate(mine[i].text, edits), probe, stats, slack) === undefined), { seed: run.seed + 1, numRuns: run.numRuns, endOnFailure: true });
  }
  return stats;
}

const utf16Bom = (b: Uint8Array) => (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
function validUtf8(b: Uint8Array): boolean {
  try { new TextDecoder('utf-8', { fatal: true }).decode(b); return true; } catch { return false; }
}

/** Random bytes through the encoding detection (UTF-16 with and without BOM, GBK, cp1252…). */
export function fuzzDecode(run: FuzzRun, stats = newStats()): FuzzStats {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }),
    fc.tuple(fc.constantFrom([0xff, 0xfe], [0xfe, 0xff], [0xef, 0xbb, 0xbf], [0x1f, 0x8b], []), fc.uint8Array({ maxLength: 2000 })).map(([head, rest]) => Uint8Array.from([...head, ...rest])),
    fc.array(fc.tuple(fc.integer({ min: 0xa1, max: 0xfe }), fc.integer({ min: 0xa1, max: 0xfe })), { maxLength: 500 }).map(ps => Uint8Array.from(ps.flat())),
  );
  fc.check(fc.property(bytes, b => {
    const started = performance.now();
    let problem: string | undefined;
    try {
      const d = decodeBytes(b);
      if (typeof d.text !== 'string') problem = 'no text';
      // Not UTF-8 and not UTF-16: decoded with a warning naming the encoding, never silently.
      else if (!d.warning && !utf16Bom(b) && !validUtf8(b)) problem = 'non-UTF-8 bytes decoded without a warning';
    } catch (e) {
      problem = `threw ${e instanceof Error ? e.message : String(e)}`;
    }
    const ms = performance.now() - started;
    stats.inputs.decode = (stats.inputs.decode ?? 0) + 1;
    stats.chars += b.length;
    stats.worstBudgetShare = Math.max(stats.worstBudgetShare, ms / budgetMs(b.length));
    if (!problem && ms > budgetMs(b.length) * 2) problem = `took ${ms.toFixed(0)} ms for ${b.length} bytes`;
    if (problem && stats.failures.length < 20) stats.failures.push(`decode: ${problem} — bytes ${Buffer.from(b.subarray(0, 64)).toString('hex')}`);
    return problem === undefined;
  }), { seed: run.seed, numRuns: run.numRuns, endOnFailure: true });
  return stats;
}

/** Adversarial inputs, each for the targets it is aimed at (sizes in characters). */
export function adversarialInputs(): Array<{ name: string; text: string; targets: TargetName[] }> {
  const MB = 1 << 20;
  const all = Object.keys(TARGETS) as TargetName[];
  const big = 'a'.repeat(10 * MB);
  return [
    { name: '100k unmatched {', text: '{'.repeat(100_000), targets: all },
    { name: '100k unmatched }', text: '}'.repeat(100_000), targets: all },
    { name: 'entry with 100k unmatched {', text: `@article{k, title = {${'{'.repeat(100_000)}\n@article{ok, title={T}}`, targets: ['bibtex'] },
    { name: '100k \\cite{ unclosed', text: '\\cite{'.repeat(100_000), targets: ['latex-cites', 'latex-bibliography'] },
    { name: '10 MB BibTeX field', text: `@article{k, abstract = {${big}}, title = {T}}`, targets: ['bibtex'] },
    { name: '10 MB quoted BibTeX field', text: `@article{k, abstract = "${big}", title = {T}}`, targets: ['bibtex'] },
    { name: '10 MB CSL-JSON string', text: `[{"id":"k","title":"T","abstract":"${big}"}]`, targets: ['csl-json'] },
    { name: '10 MB JSON line', text: `{"id":"k","title":"T","abstract":"${big}"}\n`, targets: ['jsonl'] },
    { name: '10 MB paragraph', text: `Title\n\n${big}\n`, targets: ['text', 'latex-cites', 'markdown-cites'] },
    { name: '1 MB of @', text: '@'.repeat(MB), targets: all },
    { name: '1 MB of [@', text: '[@'.repeat(MB / 2), targets: ['markdown-cites', 'markdown-bibliography'] },
    { name: '1 MB line of \\cite{a,', text: '\\cite{a,'.repeat(MB / 8), targets: ['latex-cites'] },
    { name: '1 MB line of [@a; ', text: '[@a; '.repeat(MB / 5), targets: ['markdown-cites'] },
    { name: '1 MB line without newline', text: 'word '.repeat(MB / 5), targets: all },
    { name: 'nesting 100k [', text: '['.repeat(100_000), targets: ['csl-json', 'jsonl'] },
    { name: 'nesting 100k {"a":', text: '{"a":'.repeat(100_000), targets: ['csl-json', 'jsonl'] },
    { name: 'nested CSL items 10k deep', text: `[${'{"id":"x","a":['.repeat(10_000)}${']}'.repeat(10_000)}]`, targets: ['csl-json'] },
    { name: 'nesting 100k { in a field', text: `@article{k, title = ${'{'.repeat(100_000)}${'}'.repeat(100_000)}}`, targets: ['bibtex'] },
    { name: 'nesting 100k \\begin{verbatim}', text: '\\begin{verbatim}'.repeat(100_000), targets: ['latex-cites', 'latex-bibliography'] },
    { name: '100k front-matter fences', text: '---\n'.repeat(100_000), targets: ['markdown-cites', 'markdown-bibliography'] },
    { name: '100k entries on one line', text: '@a{k,t={'.repeat(100_000), targets: ['bibtex'] },
    { name: '1 MB of \\\\', text: '\\'.repeat(MB), targets: all },
    { name: '1 MB of line breaks', text: '\n'.repeat(MB), targets: all },
    { name: '1 MB of \\r', text: '\r'.repeat(MB), targets: all },
  ];
}

/** Runs every adversarial input through its targets. */
export function fuzzAdversarial(stats = newStats(), slack = 1): FuzzStats {
  for (const input of adversarialInputs()) {
    for (const name of input.targets) runOne(TARGETS[name], input.text, input.text.length >> 1, stats, slack);
  }
  return stats;
}
