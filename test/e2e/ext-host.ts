/**
 * Runs an `extensionTestsPath` (our mocha suite) INSIDE code-server's extension host, through VS
 * Code's extension-tests API: the workbench is opened with the payload `extensionDevelopmentPath` +
 * `extensionTestsPath` (the mechanism of VS Code's own test/integration/browser). The exit code comes
 * back through `window.codeAutomationExit`, extension-host output through `window.codeAutomationLog`.
 *
 * Env: CS_URL (http://127.0.0.1:PORT, server started with --vscode-option enable-smoke-test-driver),
 *      WS_DIR (folder to open), EXT_DEV_PATH, EXT_TESTS_PATH, optional SHOTS (screenshot dir),
 *      EXT_TESTS_TIMEOUT_MS (default 300000).
 * Called by code-shim.sh, which is what @vscode/test-electron's runTests() starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { EXPECTED_NOISE, launchBrowser, newPage, requireEnv, workbenchUrl } from './workbench';

async function main(): Promise<number> {
  const base = requireEnv('CS_URL');
  const url = await workbenchUrl(base, requireEnv('WS_DIR'), {
    extensionDevelopmentPath: requireEnv('EXT_DEV_PATH'),
    extensionTestsPath: requireEnv('EXT_TESTS_PATH'),
  });
  const timeoutMs = Number(process.env.EXT_TESTS_TIMEOUT_MS || 300_000);
  const browser = await launchBrowser();
  try {
    const page = await newPage(browser);
    let exit: (code: number | string) => void = () => undefined;
    const exited = new Promise<number | string>(resolve => (exit = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const msg = format(...(Array.isArray(args) ? args : [args]));
      if (!EXPECTED_NOISE.test(msg)) console.log(type === 'log' || type === 'info' ? msg : `[${type}] ${msg}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
    page.on('pageerror', e => console.log(`[workbench pageerror] ${e.message}`));
    console.log(`[ext-host] open ${url}`);
    await page.goto(url);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<string>(resolve => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (process.env.SHOTS) {
      fs.mkdirSync(process.env.SHOTS, { recursive: true });
      const shot = path.join(process.env.SHOTS, 'ext-tests-final.png');
      await page.screenshot({ path: shot }).then(() => console.log(`[ext-host] screenshot ${shot}`), () => undefined);
    }
    console.log(`[ext-host] extension tests exit code: ${code}`);
    return code === 0 ? 0 : 1;
  } finally {
    await browser.close();
  }
}

main().then(code => process.exit(code), e => { console.error('[ext-host]', e); process.exit(1); });
