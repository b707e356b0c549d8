/**
 * Diagnostics stay cheap when many documents are open: checking a document does not resend the
 * diagnostics of a bibliography file it did not change (a large library's hundreds of load
 * warnings went out after every check), and an unsaved document is no project's include.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestServer } from './lspClient';

test('checking documents does not republish an unchanged bibliography', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-diag-load-'));
  const bib = path.join(ws, 'library.bib');
  const entries = Array.from({ length: 50 }, (_, i) => `@article{k${i}, title = {Paper ${i}}, journal = undefinedmacro${i}}`);
  fs.writeFileSync(bib, `${entries.join('\n')}\n`);
  const server = await TestServer.start({ folders: [ws], initializationOptions: { sampleCorpus: 'never' } });
  try {
    await server.ready();
    const bibUri = pathToFileURL(bib).href;
    const warnings = await server.diagnosticsFor(bibUri);
    assert.equal(warnings.length, 50, 'one undefined-macro warning per entry');
    const published = server.publishCount.get(bibUri);
    for (let i = 0; i < 20; i++) {
      const uri = await server.open(`untitled:doc${i}.tex`, 'latex', `As shown in \\cite{k${i}} and \\cite{missing${i}}.`);
      const d = await server.waitForDiagnostics(uri, ds => ds.length === 1);
      assert.match(String(d[0].message), new RegExp(`missing${i}`));
    }
    assert.equal(server.publishCount.get(bibUri), published, 'the library was not republished by the 20 checks');
  } finally {
    await server.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
