/**
 * Every setting the client reads, typed, in one place (rust-analyzer's `config.ts` idea).
 * The server reads its own settings (`relatedWork.corpus`, ...) through `workspace/configuration`;
 * the client only needs what it passes at start-up and what changes its own UI.
 */
import * as vscode from 'vscode';
import type { InitializationOptions, SampleCorpusMode } from '../../server/src/protocol';

export const SECTION = 'relatedWork';

/** Settings whose change needs a server restart (the rest are pulled live by the server). */
const RESTART_ON = ['trace.server'].map(s => `${SECTION}.${s}`);

function clamp(n: number, lo: number, hi: number): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : lo;
}

export class Config {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  get corpus(): string[] { return this.cfg.get<string[]>('corpus', []); }
  get sampleCorpus(): SampleCorpusMode { return this.cfg.get<SampleCorpusMode>('sampleCorpus', 'auto'); }
  get statusBar(): boolean { return this.cfg.get<boolean>('statusBar.enabled', true); }
  /** Papers the related panel lists (pins come on top of these). */
  get panelResults(): number { return clamp(this.cfg.get<number>('panel.results', 10), 1, 50); }
  /** How long the cursor must rest before the panel asks for the paragraph's related papers (ms). */
  get panelDebounce(): number { return clamp(this.cfg.get<number>('panel.debounce', 300), 0, 5000); }

  /** Append a cited corpus paper's entry to the document's bibliography on insert (Cite, QuickPick, snippets, paragraph draft). */
  get addOnInsert(): boolean { return this.cfg.get<boolean>('bibliography.addOnInsert', false); }

  /** Whether the workspace is trusted: in Restricted Mode the server reads nothing outside the workspace and writes nothing. */
  get trusted(): boolean { return vscode.workspace.isTrusted; }

  initializationOptions(sampleCorpusPath: string, cacheDir: string): InitializationOptions {
    return { sampleCorpusPath, sampleCorpus: this.sampleCorpus, cacheDir, trusted: this.trusted };
  }

  static needsRestart(e: vscode.ConfigurationChangeEvent): boolean {
    return RESTART_ON.some(s => e.affectsConfiguration(s));
  }

  static affectsStatusBar(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(`${SECTION}.statusBar.enabled`);
  }
}
