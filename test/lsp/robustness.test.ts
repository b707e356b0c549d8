/**
 * The server survives its clients: requests for unknown documents, positions out of range,
 * malformed parameters, cancelled requests, 1,000 `didChange`s in a burst, corpus files truncated
 * or deleted while they are being read. Every request is answered (a result or a protocol error)
 * and the server keeps working afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import type { CompletionList, MarkupContent } from 'vscode-languageserver-protocol';
import { TestServer } from './lspClient';

/** A result, or a JSON-RPC error with a code (a protocol error) — never a closed connection. */
async function answered(p: Promise<unknown>, what: string): Promise<'result' | 'error'> {
  try {
    await p;
    return 'result';
  } catch (e) {
    assert.ok(e instanceof ResponseError && typeof e.code === 'number', `${what}: ${e instanceof Error ? e.message : String(e)}`);
    return 'error';
  }
}

async function stillWorks(server: TestServer): Promise<void> {
  assert.equal(server.process.exitCode, null, `server exited: ${server.stderr}`);
  const status = await server.status();
  assert.ok(status.ready && status.papers > 0);
  const text = 'Fast inference with \\cite{medusa';
  const uri = await server.open(`untitled:alive-${Math.random()}.tex`, 'latex', text);
  const list = await server.completion(uri, { line: 0, character: text.length });
  assert.ok(list && list.items.length > 0, 'completion still answers');
}

describe('a server given bad requests', () => {
  let server: TestServer;
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-robust-'));
  before(async () => {
    server = await TestServer.start({ folders: [ws], initializationOptions: { sampleCorpus: 'always' } });
    await server.ready();
  });
  after(async () => { await server.stop(); fs.rmSync(ws, { recursive: true, force: true }); });

  const unknown = pathToFileURL(path.join(os.tmpdir(), 'never-opened.tex')).href;
  const position = { line: 0, character: 0 };

  test('requests about documents the server never saw are answered', async () => {
    const requests: Array<[string, unknown]> = [
      ['textDocument/completion', { textDocument: { uri: unknown }, position }],
      ['textDocument/hover', { textDocument: { uri: unknown }, position }],
      ['textDocument/definition', { textDocument: { uri: unknown }, position }],
      ['textDocument/references', { textDocument: { uri: unknown }, position, context: { includeDeclaration: true } }],
      ['textDocument/prepareRename', { textDocument: { uri: unknown }, position }],
      ['textDocument/rename', { textDocument: { uri: unknown }, position, newName: 'x' }],
      ['textDocument/codeAction', { textDocument: { uri: unknown }, range: { start: position, end: position }, context: { diagnostics: [] } }],
      ['textDocument/documentSymbol', { textDocument: { uri: unknown } }],
      ['relatedWork/related', { uri: unknown, position }],
      ['relatedWork/citationEdit', { uri: unknown, position, keys: ['a'] }],
      ['relatedWork/citationSnippet', { uri: unknown, position, papers: [{ key: 'a' }] }],
      ['relatedWork/draftParagraph', { uri: unknown, position, papers: [{ key: 'a' }] }],
      ['relatedWork/addToBibliography', { uri: unknown, papers: [{ key: 'a' }] }],
      ['relatedWork/bibtex', { key: 'nope' }],
      ['textDocument/completion', { textDocument: { uri: 'weird-scheme://x/y.tex' }, position }],
    ];
    for (const [method, params] of requests) await answered(server.request(method, params), method);
    await stillWorks(server);
  });

  test('positions out of range and malformed parameters are answered', async () => {
    const text = 'See \\cite{medusa} and [@x].\nSecond line.';
    const uri = await server.open('untitled:ranges.tex', 'latex', text);
    const md = await server.open('untitled:ranges.md', 'markdown', text);
    const positions = [
      { line: 1e6, character: 0 }, { line: 0, character: 1e6 }, { line: -1, character: -5 }, { line: 1.5, character: 2.5 },
      { line: Number.MAX_SAFE_INTEGER, character: Number.MAX_SAFE_INTEGER }, { line: '0', character: null }, null,
    ];
    let results = 0, errors = 0;
    for (const doc of [uri, md]) {
      for (const pos of positions) {
        for (const method of ['textDocument/completion', 'textDocument/hover', 'textDocument/definition', 'textDocument/prepareRename']) {
          (await answered(server.request(method, { textDocument: { uri: doc }, position: pos }), `${method} at ${JSON.stringify(pos)}`)) === 'result' ? results++ : errors++;
        }
        (await answered(server.relatedAt({ uri: doc, position: pos as never }), `related at ${JSON.stringify(pos)}`)) === 'result' ? results++ : errors++;
      }
    }
    for (const params of [null, {}, { textDocument: null }, { textDocument: { uri: 42 } }, [], 'x']) {
      for (const method of ['textDocument/completion', 'textDocument/hover', 'relatedWork/related', 'relatedWork/search', 'relatedWork/citationEdit', 'completionItem/resolve']) {
        (await answered(server.request(method, params), `${method}(${JSON.stringify(params)})`)) === 'result' ? results++ : errors++;
      }
    }
    assert.ok(results + errors > 100);
    await stillWorks(server);
  });

  test('cancelled requests are answered (a result or RequestCancelled) and nothing is left behind', async () => {
    const text = 'Speculative decoding \\cite{spec';
    const uri = await server.open('untitled:cancel.tex', 'latex', text);
    const outcomes: Array<'result' | 'error'> = [];
    for (let i = 0; i < 200; i++) {
      const source = new CancellationTokenSource();
      const method = ['textDocument/completion', 'textDocument/hover', 'relatedWork/related', 'relatedWork/search'][i % 4];
      const params = method === 'relatedWork/related' ? { text: 'speculative decoding with draft models' }
        : method === 'relatedWork/search' ? { query: 'decoding' } : { textDocument: { uri }, position: { line: 0, character: text.length } };
      const pending = server.connection.sendRequest(method, params, source.token);
      if (i % 2 === 0) source.cancel(); else setImmediate(() => source.cancel());
      outcomes.push(await answered(pending, `cancelled ${method}`));
    }
    assert.equal(outcomes.length, 200);
    await stillWorks(server);
  });

  test('1,000 didChange notifications in a burst: the server follows to the last version', async () => {
    const uri = 'untitled:burst.tex';
    await server.open(uri, 'latex', '');
    const target = 'Fast LLM inference \\cite{medusa';
    // Incremental changes, each typing one character (and some deleting and retyping it).
    let text = '';
    const sends: Promise<void>[] = [];
    let version = 1000;
    for (let i = 0; sends.length < 1000; i++) {
      const ch = target[i % target.length];
      const at = { line: 0, character: text.length };
      if (text.length < target.length) {
        text += ch;
        sends.push(server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: at, end: at }, text: ch }] }));
      } else {
        // Full-text replacements back to empty, then typing again.
        text = '';
        sends.push(server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text: '' }] }));
      }
    }
    // The final text, whatever the burst left.
    sends.push(server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text: target }] }));
    await Promise.all(sends);
    const list = await server.completion(uri, { line: 0, character: target.length }) as CompletionList;
    assert.ok(list.items.length > 0);
    assert.match(String(list.items[0].detail), /Medusa/);
    const hover = await server.hover(uri, { line: 0, character: target.length - 2 });
    assert.ok(hover === null || typeof (hover.contents as MarkupContent).value === 'string');
    await stillWorks(server);
  });
});

test('corpus files truncated and deleted while the server reads them: it reports, recovers, and keeps answering', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-vanish-'));
  const big = path.join(ws, 'big.bib');
  const gone = path.join(ws, 'gone.bib');
  const entries = Array.from({ length: 20_000 }, (_, i) => `@article{key${i}, title = {Paper number ${i} on speculative decoding and other topics}, author = {Author ${i % 97} and Other ${i % 13}}, year = ${1990 + (i % 35)}}\n`);
  fs.writeFileSync(big, entries.join(''));
  fs.writeFileSync(gone, '@article{vanishing2020, title = {A Vanishing Paper}, year = 2020}\n');
  const server = await TestServer.start({ folders: [ws] });
  const notify = (file: string, type: 1 | 2 | 3) =>
    server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(file).href, type }] });
  try {
    // Right after start, while the files are being read: cut big.bib in the middle of an entry,
    // delete gone.bib.
    const half = entries.slice(0, 10_000).join('') + entries[10_000].slice(0, 40);
    fs.writeFileSync(big, half);
    fs.rmSync(gone);
    await notify(big, 2);
    await notify(gone, 3);
    const status = await server.waitForStatus(s => s.ready && s.papers === 10_000 && s.sources.length === 1);
    assert.deepEqual(status.sources.map(s => path.basename(s.path)), ['big.bib']);
    assert.ok(status.sources[0].errors >= 1, 'the cut entry is reported');
    const diags = await server.waitForDiagnostics(pathToFileURL(big).href, d => d.some(x => x.severity === 1));
    assert.ok(diags.every(d => d.range.start.line >= 0));
    assert.deepEqual((await server.search('vanishing', 5)).items, []);

    // Deleted with no notification at all: requests that read it still answer.
    fs.rmSync(big);
    await answered(server.bibtex({ key: 'key5' }), 'bibtex of a deleted file');
    const text = '\\cite{key5} and \\cite{paper number';
    const uri = await server.open('untitled:after.tex', 'latex', text);
    await answered(server.hover(uri, { line: 0, character: 8 }), 'hover');
    const list = await server.completion(uri, { line: 0, character: text.length });
    assert.ok(list && list.items.length > 0);
    await notify(big, 3);
    await server.waitForStatus(s => s.ready && !s.sources.some(x => x.path === big));
    assert.equal(server.process.exitCode, null);
  } finally {
    await server.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
