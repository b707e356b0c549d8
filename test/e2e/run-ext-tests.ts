/**
 * Extension tests inside the extension host, launched the standard way: @vscode/test-electron's
 * runTests(). The only change from a desktop setup is `vscodeExecutablePath`, which points at
 * test/e2e/code-shim.sh (code-server + chromium instead of a downloaded Electron VS Code).
 *
 * The suite (out/test/e2e/suite/index.js) writes its counts to $RELATED_WORK_E2E_RESULTS; this
 * prints them as the last line `N passed, N failed`.
 * Env: E2E_RUN_DIR (scratch dir, default a new temp dir), SHOTS (screenshot dir).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const repo = path.resolve(__dirname, '../../..');   // out/test/e2e -> repo

interface SuiteResults { passed: number; failed: number; failures?: string[] }

async function main(): Promise<number> {
  const ownRun = !process.env.E2E_RUN_DIR;
  const run = process.env.E2E_RUN_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'related-work-ext-tests-'));
  const ws = path.join(run, 'ext-tests-ws');
  fs.rmSync(ws, { recursive: true, force: true });
  fs.cpSync(path.join(repo, 'test/fixtures/sample-workspace'), ws, { recursive: true });
  const resultsFile = path.join(run, 'ext-tests-results.json');
  fs.rmSync(resultsFile, { force: true });

  let runError: unknown;
  try {
    await runTests({
      vscodeExecutablePath: path.join(repo, 'test/e2e/code-shim.sh'),
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(repo, 'out/test/e2e/suite/index.js'),
      launchArgs: [ws, `--user-data-dir=${path.join(run, 'ext-tests-user-data')}`, `--extensions-dir=${path.join(run, 'ext-tests-extensions')}`],
      extensionTestsEnv: { RELATED_WORK_E2E_RESULTS: resultsFile },
    });
  } catch (e) {
    runError = e;
  }

  let results: SuiteResults | undefined;
  try { results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults; } catch { /* the suite never finished */ }
  if (!results) {
    console.log(`extension tests did not report results (${runError instanceof Error ? runError.message : 'no results file'})`);
    results = { passed: 0, failed: 1 };
  } else if (runError && results.failed === 0) {
    console.log(`runTests failed although every test passed: ${runError instanceof Error ? runError.message : String(runError)}`);
    results.failed = 1;
  }
  if (ownRun) fs.rmSync(run, { recursive: true, force: true });
  for (const f of results.failures ?? []) console.log(`  failed: ${f}`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  return results.failed > 0 ? 1 : 0;
}

main().then(code => process.exit(code), e => { console.error(e); console.log('0 passed, 1 failed'); process.exit(1); });
