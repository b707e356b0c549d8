/**
 * Server settings: defaults, validation of what the client sends, and corpus path resolution.
 * Everything the server reads from `relatedWork.*` or `initializationOptions` passes through here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TEMPLATE } from './features/snippet';
import type { CiteStyleSetting, InitializationOptions, SampleCorpusMode, ServerSettings } from './protocol';

export const DEFAULT_SETTINGS: ServerSettings = {
  corpus: [],
  sampleCorpus: 'auto',
  workspaceBibFiles: true,
  citeCommands: [],
  completionLimit: 50,
  diagnostics: true,
  unusedEntries: false,
  snippetTemplate: DEFAULT_TEMPLATE,
  citeStyle: 'auto',
  snippetCompletionItems: 3,
  addOnInsert: false,
};

const CITE_STYLES: readonly CiteStyleSetting[] = ['auto', 'natbib', 'biblatex'];

const SAMPLE_MODES: readonly SampleCorpusMode[] = ['auto', 'always', 'never'];

function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : undefined;
}

/** Settings from an untrusted JSON value (a `workspace/configuration` answer), falling back per field. */
export function readSettings(raw: unknown, init: InitializationOptions = {}): ServerSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const sample = r.sampleCorpus ?? init.sampleCorpus;
  const limit = r.completionLimit;
  const template = nested(r, 'snippet', 'template');
  const style = nested(r, 'snippet', 'citeStyle');
  const items = nested(r, 'snippet', 'completionItems');
  return {
    corpus: [...(stringArray(init.corpus) ?? []), ...(stringArray(r.corpus) ?? [])],
    sampleCorpus: SAMPLE_MODES.includes(sample as SampleCorpusMode) ? (sample as SampleCorpusMode) : DEFAULT_SETTINGS.sampleCorpus,
    workspaceBibFiles: typeof r.workspaceBibFiles === 'boolean' ? r.workspaceBibFiles : DEFAULT_SETTINGS.workspaceBibFiles,
    citeCommands: (stringArray(r.citeCommands) ?? []).map(c => c.replace(/^\\/, '')),
    completionLimit: typeof limit === 'number' && limit >= 1 ? Math.min(Math.floor(limit), 500) : DEFAULT_SETTINGS.completionLimit,
    diagnostics: bool(nested(r, 'diagnostics', 'enabled'), DEFAULT_SETTINGS.diagnostics),
    unusedEntries: bool(nested(r, 'diagnostics', 'unusedEntries'), DEFAULT_SETTINGS.unusedEntries),
    snippetTemplate: typeof template === 'string' && template.trim() ? template : DEFAULT_SETTINGS.snippetTemplate,
    citeStyle: CITE_STYLES.includes(style as CiteStyleSetting) ? (style as CiteStyleSetting) : DEFAULT_SETTINGS.citeStyle,
    snippetCompletionItems: typeof items === 'number' && items >= 0 ? Math.min(Math.floor(items), 10) : DEFAULT_SETTINGS.snippetCompletionItems,
    addOnInsert: bool(nested(r, 'bibliography', 'addOnInsert'), DEFAULT_SETTINGS.addOnInsert),
  };
}

function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

/** `r.a.b`, or the flat key `r['a.b']` (generic clients may send either). */
function nested(r: Record<string, unknown>, a: string, b: string): unknown {
  const inner = r[a];
  if (inner && typeof inner === 'object' && b in inner) return (inner as Record<string, unknown>)[b];
  return r[`${a}.${b}`];
}

/** The directories of `BIBINPUTS` (kpathsea: `:`-separated; an empty entry means the default path, skipped). */
export function bibInputs(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.BIBINPUTS ?? '').split(path.delimiter).map(s => s.trim()).filter(Boolean).map(s => (s.startsWith('~/') ? path.join(os.homedir(), s.slice(2)) : s));
}

/** A corpus entry as an absolute path or glob: `~/` expands to home, relative entries to `base`. */
export function resolveCorpusEntry(entry: string, base: string | undefined): string {
  const e = entry.trim();
  if (e === '~' || e.startsWith('~/')) return path.join(os.homedir(), e.slice(1));
  if (path.isAbsolute(e) || !base) return path.resolve(e);
  return path.resolve(base, e);
}

/** Whether `file` lies inside one of `folders` (symbolic links resolved where the file exists). */
export function insideFolders(file: string, folders: readonly string[]): boolean {
  const real = (p: string) => { try { return fs.realpathSync.native(p); } catch { return path.resolve(p); } };
  const abs = real(file);
  return folders.some(f => {
    const rel = path.relative(real(f), abs);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}
