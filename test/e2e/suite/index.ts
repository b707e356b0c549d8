/**
 * The `extensionTestsPath` entry point: VS Code's extension host loads this module and awaits
 * `run()`. It runs the mocha suite (tdd UI) in the extension host, prints a mocha spec report and
 * `N passed, N failed`, and writes the counts to $RELATED_WORK_E2E_RESULTS when that is set
 * (run-ext-tests.ts reads them back).
 */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 120_000, color: false, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'extension.test.js'));
  return new Promise((resolve, reject) => {
    const failures: string[] = [];
    let passed = 0;
    const runner = mocha.run(failed => {
      const total = { passed, failed, failures };
      console.log(`${passed} passed, ${failed} failed`);
      if (process.env.RELATED_WORK_E2E_RESULTS) fs.writeFileSync(process.env.RELATED_WORK_E2E_RESULTS, JSON.stringify(total));
      if (failed > 0) reject(new Error(`${failed} extension test(s) failed`));
      else resolve();
    });
    runner.on('pass', () => { passed++; });
    runner.on('fail', (test, err: Error) => { failures.push(`${test.fullTitle()}: ${err.message}`); });
  });
}
