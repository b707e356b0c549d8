/**
 * A minimal LSP client for tests: spawns the bundled `dist/server.js --stdio`, answers the
 * server's requests (configuration, progress, registration) like an editor would, and exposes
 * typed helpers. Waits on notifications, never on timers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { CompletionItem, CompletionList, Diagnostic, Hover, Position, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import {
  BibtexRequest, CitationEditRequest, RelatedRequest, SearchRequest, StatusNotification, StatusRequest,
  type BibtexParams, type BibtexResult, type CitationEditParams, type CitationEditResult, type InitializationOptions, type ItemsResult, type RelatedParams, type RelatedResult, type StatusResult,
} from '../../server/src/protocol';
import { repoRoot } from '../util/paths';

export interface ServerOptions {
  folders?: string[];
  initializationOptions?: InitializationOptions;
  /** What the client answers for `workspace/configuration` of section `relatedWork`. */
  settings?: Record<string, unknown>;
  /** Extra environment variables of the server process (e.g. BIBINPUTS). */
  env?: Record<string, string>;
}

export class TestServer {
  private version = 0;
  private readonly statusWaiters: { pred: (s: StatusResult) => boolean; resolve: (s: StatusResult) => void }[] = [];
  readonly progress: unknown[] = [];
  /** The server's `window/logMessage`s, with the milliseconds since start. */
  readonly logs: string[] = [];
  private readonly logWaiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  readonly diagnostics = new Map<string, Diagnostic[]>();
  /** How many times diagnostics were published for each URI. */
  readonly publishCount = new Map<string, number>();
  private readonly diagnosticWaiters = new Map<string, (d: Diagnostic[]) => void>();
  private readonly diagnosticPredicates: { uri: string; pred: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
  stderr = '';

  private constructor(readonly process: ChildProcess, readonly connection: MessageConnection) {}

  static async start(options: ServerOptions = {}): Promise<TestServer> {
    // RW_PROF=DIR: the server (and its workers) write V8 CPU profiles into DIR, for the benchmarks.
    const profile = process.env.RW_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.RW_PROF}`] : [];
    // RW_NODE_FLAGS="--flag …": extra Node/V8 flags for the server process (the GC comparison in the README).
    profile.push(...(process.env.RW_NODE_FLAGS ?? '').split(' ').filter(Boolean));
    // RW_SERVER_JS=FILE: another build of the server (A/B comparisons of two builds in the same minutes).
    const serverJs = process.env.RW_SERVER_JS ?? path.join(repoRoot, 'dist/server.js');
    const child = spawn(process.execPath, [...profile, serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const server = new TestServer(child, connection);
    child.stderr!.on('data', d => (server.stderr += d));
    connection.onRequest('workspace/configuration', () => [options.settings ?? {}]);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.onNotification('$/progress', p => { server.progress.push(p); });
    const t0 = Date.now();
    connection.onNotification('window/logMessage', (m: { message: string }) => {
      server.logs.push(`${Date.now() - t0} ms ${m.message}`);
      for (const w of [...server.logWaiters]) if (w.re.test(m.message)) { server.logWaiters.splice(server.logWaiters.indexOf(w), 1); w.resolve(m.message); }
    });
    connection.onNotification(StatusNotification.method, (s: StatusResult) => server.onStatus(s));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      server.diagnostics.set(p.uri, p.diagnostics);
      server.publishCount.set(p.uri, (server.publishCount.get(p.uri) ?? 0) + 1);
      server.diagnosticWaiters.get(p.uri)?.(p.diagnostics);
      for (const w of [...server.diagnosticPredicates]) {
        if (w.uri === p.uri && w.pred(p.diagnostics)) {
          server.diagnosticPredicates.splice(server.diagnosticPredicates.indexOf(w), 1);
          w.resolve(p.diagnostics);
        }
      }
    });
    connection.listen();
    const folders = options.folders ?? [];
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: folders.map(f => ({ uri: pathToFileURL(f).href, name: path.basename(f) })),
      capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } },
      initializationOptions: options.initializationOptions ?? {},
    });
    await connection.sendNotification('initialized', {});
    return server;
  }

  private onStatus(s: StatusResult): void {
    for (const w of [...this.statusWaiters]) {
      if (w.pred(s)) {
        this.statusWaiters.splice(this.statusWaiters.indexOf(w), 1);
        w.resolve(s);
      }
    }
  }

  /** Resolves with the first status (already reached, or notified later) that satisfies `pred`. */
  async waitForStatus(pred: (s: StatusResult) => boolean): Promise<StatusResult> {
    const waiting = new Promise<StatusResult>(resolve => this.statusWaiters.push({ pred, resolve }));
    const now = await this.status();
    return pred(now) ? now : waiting;
  }

  /** The first log message (already logged, or logged later) that matches `re`. */
  waitForLog(re: RegExp): Promise<string> {
    const known = this.logs.find(l => re.test(l.replace(/^\d+ ms /, '')));
    if (known) return Promise.resolve(known.replace(/^\d+ ms /, ''));
    return new Promise(resolve => this.logWaiters.push({ re, resolve }));
  }

  /** The diagnostics published for `uri` (already, or the next time they are). */
  diagnosticsFor(uri: string): Promise<Diagnostic[]> {
    const known = this.diagnostics.get(uri);
    if (known) return Promise.resolve(known);
    return new Promise(resolve => this.diagnosticWaiters.set(uri, resolve));
  }

  /** The first diagnostics for `uri` (already published, or published later) that satisfy `pred`. */
  waitForDiagnostics(uri: string, pred: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
    const known = this.diagnostics.get(uri);
    if (known && pred(known)) return Promise.resolve(known);
    return new Promise(resolve => this.diagnosticPredicates.push({ uri, pred, resolve }));
  }

  /** Any request (definition, references, rename, code actions, symbols…). */
  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params);
  }

  /** Replaces the whole text of an open document. */
  async change(uri: string, text: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++this.version }, contentChanges: [{ text }] });
  }

  /** Waits until the index is ready with at least one paper. */
  ready(): Promise<StatusResult> {
    return this.waitForStatus(s => s.ready && s.papers > 0);
  }

  status(): Promise<StatusResult> { return this.connection.sendRequest(StatusRequest.method); }

  search(query: string, limit?: number): Promise<ItemsResult> {
    return this.connection.sendRequest(SearchRequest.method, { query, limit });
  }

  related(text: string, limit?: number): Promise<RelatedResult> {
    return this.connection.sendRequest(RelatedRequest.method, { text, limit });
  }

  relatedAt(params: RelatedParams): Promise<RelatedResult> {
    return this.connection.sendRequest(RelatedRequest.method, params);
  }

  citationEdit(params: CitationEditParams): Promise<CitationEditResult> {
    return this.connection.sendRequest(CitationEditRequest.method, params);
  }

  bibtex(params: BibtexParams): Promise<BibtexResult> {
    return this.connection.sendRequest(BibtexRequest.method, params);
  }

  /** Opens a document; returns its URI. */
  async open(uri: string, languageId: string, text: string): Promise<string> {
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: ++this.version, text } });
    return uri;
  }

  completion(uri: string, position: Position): Promise<CompletionList | null> {
    return this.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position });
  }

  resolve(item: CompletionItem): Promise<CompletionItem> {
    return this.connection.sendRequest('completionItem/resolve', item);
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch { /* already gone */ }
    this.connection.dispose();
    if (this.process.exitCode === null) {
      await new Promise<void>(resolve => {
        const timer = setTimeout(() => { this.process.kill('SIGKILL'); resolve(); }, 5000);
        this.process.once('exit', () => { clearTimeout(timer); resolve(); });
      });
    }
  }
}
