/**
 * Shared pieces of the two playwright-core drivers (ui.e2e.ts and ext-host.ts): launching Debian's
 * chromium, and building code-server workbench URLs, optionally with a development/test payload.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  return context.newPage();
}

/** code-server serves the workbench with remoteAuthority `remote` (not host:port); read it from the page. */
export async function remoteAuthority(base: string): Promise<string> {
  const html = await (await fetch(`${base}/`)).text();
  const m = html.replace(/&quot;/g, '"').match(/"remoteAuthority":"([^"]+)"/);
  return m ? m[1] : new URL(base).host;
}

/**
 * The workbench URL for a folder. With `payload`, the workbench loads extensions from
 * `extensionDevelopmentPath` and runs `extensionTestsPath` - honoured by a built VS Code only when
 * the server runs with `--vscode-option enable-smoke-test-driver`.
 */
export async function workbenchUrl(
  base: string, folder: string, dev?: { extensionDevelopmentPath: string; extensionTestsPath?: string },
): Promise<string> {
  let url = `${base}/?folder=${encodeURIComponent(folder)}`;
  if (dev) {
    const host = await remoteAuthority(base);
    const remote = (p: string) => `vscode-remote://${host}${p}`;
    const payload: [string, string][] = [['extensionDevelopmentPath', remote(dev.extensionDevelopmentPath)]];
    if (dev.extensionTestsPath) payload.push(['extensionTestsPath', remote(dev.extensionTestsPath)]);
    payload.push(['skipWelcome', 'true']);
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  return url;
}

/** Console noise that is expected offline (open-vsx, vsda, auth providers) and not worth printing. */
export const EXPECTED_NOISE = /open-vsx\.org|ENOTFOUND|additional builtin extensions|AgentHost|AccountPolicyGate|vsda|authentication provider/;

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is required`);
  return v;
}
