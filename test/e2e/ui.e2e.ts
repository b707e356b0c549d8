/**
 * UI end-to-end test: a real VS Code workbench (code-server) in Debian's chromium, driven by
 * playwright-core, with the extension installed from the .vsix (run.sh does the install). It opens
 * the sample workspace's files through Quick Open, types citations, accepts completions with Enter
 * and hovers the inserted keys - what a user does. Waits on DOM state with timeouts, never on fixed
 * sleeps. Screenshots go to $SHOTS (default test-results/screenshots). Last line: `N passed, N failed`.
 *
 * Env: CS_URL (http://127.0.0.1:PORT), WS_DIR (the workspace copy code-server opened), SHOTS.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { BIB_PROJECT, DRAFT, LATEX, MARKDOWN, PANEL, SAMPLE_CORPUS_PAPERS, UNTRUSTED, type CiteCase } from './expected';
import { EXPECTED_NOISE, launchBrowser, newPage, requireEnv, workbenchUrl } from './workbench';

const base = requireEnv('CS_URL');
const wsDir = requireEnv('WS_DIR');
const shots = path.resolve(process.env.SHOTS || 'test-results/screenshots');
const t0 = Date.now();
const log = (...a: unknown[]) => console.log(`[ui +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

interface Result { name: string; ok: boolean; info: string }
const results: Result[] = [];
let page: Page;
let shotNo = 0;

async function shot(name: string): Promise<string> {
  const file = path.join(shots, `ui-${String(++shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  log('screenshot', path.relative(process.cwd(), file));
  return file;
}

/** One named test case: passes when `fn` returns, fails (with a screenshot) when it throws. */
async function test(name: string, fn: () => Promise<string | void>): Promise<boolean> {
  try {
    const info = (await fn()) || '';
    results.push({ name, ok: true, info });
    log('PASS', name, info);
    return true;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n').slice(0, 6).join('\n') : String(e);
    const file = await shot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => '');
    results.push({ name, ok: false, info: msg });
    log('FAIL', name, msg, file ? `(screenshot ${path.relative(process.cwd(), file)})` : '');
    return false;
  }
}

/** Effective opacity of an element (product over its ancestors); runs in the page. */
interface DomNode { parentElement: DomNode | null }
const HOVER_OPACITY = (el: DomNode): number => {
  const win = globalThis as unknown as { getComputedStyle(e: DomNode): { opacity: string } };
  let o = 1;
  for (let e: DomNode | null = el; e; e = e.parentElement) o *= Number(win.getComputedStyle(e).opacity);
  return o;
};

const nbsp = (s: string) => s.replace(/\u00a0/g, ' ');

/** Polls `fn` until it returns a truthy value; throws `what` after `timeoutMs`. */
async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

const editorLines = () => page.locator('.editor-group-container.active .monaco-editor .view-lines').first();

async function openViaQuickOpen(file: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(file);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[data-resource-name="${file}"], .tabs-container .tab.active:has-text("${file}")`)
    .first().waitFor({ timeout: 20_000 });
  await editorLines().waitFor({ timeout: 20_000 });
}

async function languageMode(): Promise<string> {
  return page.locator('[id="status.editor.mode"]').first().innerText({ timeout: 10_000 });
}

/** Moves the cursor to the start of a fresh empty line where a citation can be typed. */
async function freshLine(c: CiteCase): Promise<void> {
  const lines = fs.readFileSync(path.join(wsDir, c.file), 'utf8').split('\n');
  const endDoc = lines.findIndex(l => l.startsWith('\\end{document}'));
  await editorLines().click();
  if (endDoc >= 0) {
    // Go to Line (Ctrl+G) `\end{document}`, open a line above it.
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(String(endDoc + 1));
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowUp');
  } else {
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
  }
}

/** A suggest-widget row of ours: the key as label, with the Reference kind icon (not a word suggestion). */
function suggestRow(key: string): Locator {
  return page.locator('.editor-widget.suggest-widget.visible .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) })
    .filter({ has: page.locator('.codicon-symbol-reference') });
}

async function visibleSuggestions(): Promise<string[]> {
  const rows = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row');
  const out: { i: number; label: string }[] = [];
  for (const row of await rows.all()) {
    const i = Number(await row.getAttribute('data-index'));
    out.push({ i, label: nbsp(await row.locator('.label-name').first().innerText()) });
  }
  return out.sort((a, b) => a.i - b.i).map(r => r.label);
}

/** The rendered line containing `needle` (Monaco renders spaces as NBSP). */
async function lineWith(needle: string): Promise<Locator | undefined> {
  for (const line of await page.locator('.editor-group-container.active .monaco-editor .view-line').all()) {
    if (nbsp(await line.innerText()).includes(needle)) return line;
  }
  return undefined;
}

async function hoverOver(line: Locator, word: string): Promise<void> {
  // Monospace: locate the token span holding the word and move to the middle of the word.
  const spans = await line.locator('span > span').all();
  for (const span of spans) {
    const text = nbsp(await span.innerText());
    const idx = text.indexOf(word);
    if (idx < 0) continue;
    const box = (await span.boundingBox())!;
    const cw = box.width / text.length;
    await page.mouse.move(box.x + cw * (idx + Math.min(2, word.length / 2)), box.y + box.height / 2);
    return;
  }
  throw new Error(`no token containing ${JSON.stringify(word)} on the line`);
}

async function openTest(c: CiteCase, tag: string): Promise<void> {
  await test(`open ${c.file} via Quick Open`, async () => {
    await openViaQuickOpen(c.file);
    const mode = await until(`language mode of ${c.file}`, async () => {
      const m = await languageMode();
      return m.toLowerCase().includes(c.languageId === 'latex' ? 'latex' : 'markdown') ? m : undefined;
    });
    await shot(`${tag}-opened`);
    return `language mode: ${mode}`;
  });
}

async function citationTests(c: CiteCase, tag: string): Promise<void> {
  let typed = false;
  await test(`${tag}: typing ${c.opener}${c.query} suggests ${c.key}`, async () => {
    await freshLine(c);
    await page.keyboard.type(c.opener, { delay: 40 });   // the trigger character opens the suggest widget
    await page.keyboard.type(c.query, { delay: 40 });
    typed = true;
    // Normally the widget is already open; re-trigger (Ctrl+Space) only if it is not.
    let how = 'trigger character';
    for (let attempt = 1; ; attempt++) {
      try {
        await suggestRow(c.key).first().waitFor({ state: 'visible', timeout: 5_000 });
        break;
      } catch (e) {
        if (attempt >= 4) throw new Error(`${c.key} not suggested; rows: ${JSON.stringify(await visibleSuggestions())}`);
        how = `Ctrl+Space retry #${attempt}`;
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+Space');
      }
    }
    const labels = await visibleSuggestions();
    await shot(`${tag}-suggest`);
    return `${how}; suggestions: ${labels.slice(0, 6).join(', ')}${labels.length > 6 ? ', …' : ''}`;
  });

  await test(`${tag}: Enter inserts ${c.opener}${c.key}`, async () => {
    if (!typed) throw new Error('skipped: the citation was not typed');
    const labels = await visibleSuggestions();
    const idx = labels.indexOf(c.key);
    if (idx < 0) throw new Error(`${c.key} not in the suggest widget: ${JSON.stringify(labels)}`);
    for (let i = 0; i < idx; i++) await page.keyboard.press('ArrowDown');
    await page.locator('.editor-widget.suggest-widget.visible .monaco-list-row.focused .label-name', { hasText: c.key })
      .first().waitFor({ timeout: 5_000 });
    await page.keyboard.press('Enter');
    // The typed word is replaced by the key: the line reads exactly opener + key (+ the closer
    // when the editor auto-closed the bracket, as LaTeX does for `{`).
    const inserted = `${c.opener}${c.key}`;
    const line = await until(`editor text containing ${inserted}`, () => lineWith(inserted), 5_000);
    await page.locator('.editor-widget.suggest-widget.visible').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    let text = nbsp(await line.innerText()).trim();
    if (text !== inserted && text !== inserted + c.closer) throw new Error(`line reads ${JSON.stringify(text)}, expected ${JSON.stringify(inserted + c.closer)}`);
    const autoClosed = text.endsWith(c.closer);
    if (!autoClosed) {
      await page.keyboard.type(c.closer);       // Markdown does not auto-close `[`: close it like a user
      const closed = await until(`editor text containing ${inserted + c.closer}`, () => lineWith(inserted + c.closer), 5_000);
      text = nbsp(await closed.innerText()).trim();
    }
    await shot(`${tag}-accepted`);
    return `line: ${JSON.stringify(text)}${autoClosed ? '' : ` (typed ${c.closer})`}${idx > 0 ? ` (row ${idx + 1})` : ''}`;
  });

  await test(`${tag}: hovering ${c.key} shows its title`, async () => {
    const expected = `${c.opener}${c.key}${c.closer}`;
    const line = await lineWith(expected);
    if (!line) throw new Error(`skipped: no line with ${expected}`);
    await page.keyboard.press('Escape');
    const hover = page.locator('.monaco-hover', { hasText: c.title }).first();
    for (let attempt = 1; ; attempt++) {
      await page.mouse.move(5, 880);           // leave, then enter the word: a fresh hover request
      await hoverOver(line, c.key);
      try {
        await hover.waitFor({ state: 'visible', timeout: 8_000 });
        break;
      } catch {
        if (attempt >= 3) {
          const seen = await page.locator('.monaco-hover').allInnerTexts();
          throw new Error(`no hover with the title; hovers: ${JSON.stringify(seen.map(s => s.slice(0, 200)))}`);
        }
      }
    }
    const text = await hover.innerText();
    // Let the fade-in finish so that the screenshot shows the hover as the user sees it.
    const opaque = await until('the hover to be fully opaque', async () => (await hover.evaluate(HOVER_OPACITY)) >= 0.99, 3_000)
      .catch(async () => `opacity ${await hover.evaluate(HOVER_OPACITY)}`);
    await shot(`${tag}-hover`);
    await page.mouse.move(5, 880);
    return JSON.stringify(text.split('\n')[0]) + (opaque === true ? '' : ` (${opaque})`);
  });
}

/**
 * The hover of a paper whose abstract holds HTML and `javascript:` payloads (untrusted-library.json):
 * the text shows literally, no element comes from it, no dialog opens. The typed line stays (like
 * the citations typed before it).
 */
async function hostileHoverTest(): Promise<void> {
  await test(`latex: the hover of ${UNTRUSTED.key} (HTML in its fields) shows the text literally; nothing runs`, async () => {
    await page.keyboard.press('Escape');
    await freshLine(LATEX);
    await page.keyboard.type(`\\cite{${UNTRUSTED.key}`, { delay: 20 });
    await page.keyboard.press('Escape');
    const line = await until('the typed citation', () => lineWith(`\\cite{${UNTRUSTED.key}`), 5_000);
    const hover = page.locator('.monaco-hover', { hasText: 'Hostile abstracts' }).first();
    for (let attempt = 1; ; attempt++) {
      await page.mouse.move(5, 880);
      await hoverOver(line, UNTRUSTED.key);
      try {
        await hover.waitFor({ state: 'visible', timeout: 8_000 });
        break;
      } catch {
        if (attempt >= 3) throw new Error(`no hover; hovers: ${JSON.stringify((await page.locator('.monaco-hover').allInnerTexts()).map(t => t.slice(0, 200)))}`);
      }
    }
    const text = nbsp(await hover.innerText());
    // (The title's and venue's `<b>`/`<i>` are CSL rich-text markup, which the CSL-JSON loader strips.)
    for (const literal of [...UNTRUSTED.abstractFragments, 'javascript:alert(3)']) {
      if (!text.includes(literal)) throw new Error(`hover lacks the literal text ${JSON.stringify(literal)}: ${JSON.stringify(text.slice(0, 400))}`);
    }
    const injected = await hover.locator('img, script, iframe, a[href^="javascript:"], a[href^="command:"], a[data-href^="javascript:"], a[data-href^="command:"]').count();
    if (injected) throw new Error(`${injected} elements from the corpus text in the hover: ${(await hover.innerHTML()).slice(0, 400)}`);
    if (dialogs.length) throw new Error(`dialogs opened: ${dialogs.join(', ')}`);
    await until('the hover to be fully opaque', async () => (await hover.evaluate(HOVER_OPACITY)) >= 0.99, 3_000).catch(() => undefined);
    await shot('latex-hover-untrusted');
    await page.mouse.move(5, 880);
    return JSON.stringify(text.split('\n').slice(0, 3).join(' | ').slice(0, 200));
  });
}

// ---- Related Papers panel -------------------------------------------------------------------------

/** The panel's webview document (VS Code nests it: iframe.webview > iframe#active-frame). */
const panel = () => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
const dialogs: string[] = [];

async function runCommand(title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

async function goToLine(line: number): Promise<void> {
  await editorLines().click();
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

async function cardTitles(): Promise<string[]> {
  return (await panel().locator('.card .title').allInnerTexts()).map(t => nbsp(t).trim());
}

async function panelTests(): Promise<void> {
  let filled = false;
  await test('panel: "Related Work" activity-bar container opens the Related Papers view', async () => {
    const item = page.locator('.activitybar .action-item a[aria-label^="Related Work"], .activitybar .action-item[aria-label^="Related Work"]').first();
    await item.waitFor({ timeout: 20_000 });
    await runCommand('Related Work: Show Related Papers');
    const title = page.locator('.sidebar .composite.title', { hasText: 'Related Papers' }).first();
    await title.waitFor({ timeout: 20_000 });
    await panel().locator('#search').waitFor({ timeout: 30_000 });
    await shot('panel-opened');
    return `activity bar item ${JSON.stringify(await item.getAttribute('aria-label'))}, side bar title ${JSON.stringify(nbsp(await title.innerText()).trim())}`;
  });

  await test(`panel: cursor in the paragraph at ${PANEL.file}:${PANEL.line} fills the panel with related papers`, async () => {
    // paper.tex is open from the citation tests: switch to its tab like a user.
    await page.locator(`.tabs-container .tab[data-resource-name="${PANEL.file}"]`).first().click();
    await page.locator(`.tabs-container .tab.active[data-resource-name="${PANEL.file}"]`).first().waitFor({ timeout: 10_000 });
    await goToLine(PANEL.line);
    await page.keyboard.press('End');
    await panel().locator('.card').first().waitFor({ timeout: 20_000 });
    const titles = await until('cards for the paragraph', async () => {
      const t = await cardTitles();
      return t.length > 0 && PANEL.relatedTitle.test(t[0]) ? t : undefined;
    }, 20_000).catch(async () => { throw new Error(`first card does not match ${PANEL.relatedTitle}: ${JSON.stringify(await cardTitles())}`); });
    const status = nbsp(await panel().locator('#status').innerText()).trim();
    if (!/Paragraph in paper\.tex, lines \d+–\d+/.test(status)) throw new Error(`status line ${JSON.stringify(status)}`);
    const marks = await panel().locator('.card').first().locator('mark').count();
    if (marks === 0) throw new Error('the first card highlights no matched term');
    filled = true;
    await shot('panel-paragraph');
    return `${status}; ${titles.length} cards: ${titles.slice(0, 4).join(' | ')}`;
  });

  await test('panel: papers the document already cites carry a "Cited" badge', async () => {
    if (!filled) throw new Error('skipped: the panel did not fill');
    const found: string[] = [];
    for (const key of PANEL.citedKeys) {
      const card = panel().locator(`.card[data-key="${key}"]`);
      if (await card.count() === 0) continue;
      if (await card.locator('.badge', { hasText: 'Cited' }).count() === 0) throw new Error(`${key} is listed without the Cited badge`);
      found.push(key);
    }
    if (!found.length) throw new Error(`none of ${PANEL.citedKeys.join(', ')} is listed`);
    // The document cites the paragraph's keys and the key the LaTeX citation test inserted.
    const citedInDocument = [...PANEL.citedKeys, LATEX.key];
    const uncitedBadges = await panel().locator('.card:has(.badge)').evaluateAll(
      (cards, cited) => cards.map(c => (c as unknown as { dataset: { key: string } }).dataset.key).filter(k => !(cited as string[]).includes(k)), citedInDocument);
    if (uncitedBadges.length) throw new Error(`badge on papers the document does not cite: ${uncitedBadges.join(', ')}`);
    return `badges on ${found.join(', ')}`;
  });

  await test('panel: Cite inserts \\citep{key} at the cursor, and Ctrl+Z undoes it', async () => {
    if (!filled) throw new Error('skipped: the panel did not fill');
    const card = panel().locator('.card:not(:has(.badge))').first();
    const key = await card.getAttribute('data-key');
    if (!key) throw new Error('no uncited card');
    await card.locator('button[aria-label^="Cite"]').click();
    const inserted = `\\citep{${key}}`;
    const line = await until(`editor line with ${inserted}`, () => lineWith(inserted), 10_000);
    const text = nbsp(await line.innerText()).trim();
    await panel().locator('#notice', { hasText: `Cited ${key}` }).waitFor({ timeout: 5_000 });
    await shot('panel-cited');
    // The edit is an ordinary undoable edit of the document.
    await editorLines().click();
    await page.keyboard.press('Control+Z');
    await until(`${inserted} removed by undo`, async () => !(await lineWith(inserted)), 5_000);
    return `line after Cite: ${JSON.stringify(text)}; undone`;
  });

  await test('panel: Pin moves a paper to the top "Pinned" group; BibTeX copies its entry', async () => {
    if (!filled) throw new Error('skipped: the panel did not fill');
    const last = panel().locator('.card').last();
    const key = await last.getAttribute('data-key');
    if (!key) throw new Error('no card');
    await last.locator('button[aria-label^="Pin"]').click();
    const pinned = panel().locator('.group', { has: panel().locator('.group-title', { hasText: 'Pinned' }) }).locator(`.card[data-key="${key}"]`);
    await pinned.waitFor({ timeout: 10_000 });
    const firstKey = await panel().locator('.card').first().getAttribute('data-key');
    if (firstKey !== key) throw new Error(`first card is ${firstKey}, not the pinned ${key}`);
    await pinned.locator('button[aria-label="Copy BibTeX"]').click();
    await panel().locator('#notice', { hasText: `Copied the BibTeX of ${key}` }).waitFor({ timeout: 10_000 });
    await shot('panel-pinned');
    await pinned.locator('button[aria-label^="Unpin"]').click();
    await until('the Pinned group to go away', async () => (await panel().locator('.group-title', { hasText: 'Pinned' }).count()) === 0, 10_000);
    return `pinned and unpinned ${key}; BibTeX copied`;
  });

  await test('panel: the search box finds a paper with HTML in its abstract and shows it as text', async () => {
    const search = panel().locator('#search');
    await search.fill(UNTRUSTED.search);
    const card = panel().locator(`.card[data-key="${UNTRUSTED.key}"]`);
    await card.waitFor({ timeout: 15_000 });
    await card.locator('button.more').click();
    const abstract = await card.locator('.abstract').textContent() ?? '';
    for (const f of UNTRUSTED.abstractFragments) if (!abstract.includes(f)) throw new Error(`abstract lacks the literal text ${JSON.stringify(f)}: ${JSON.stringify(abstract)}`);
    const imgs = await panel().locator('img, b, i').count();
    // The only scripts are ours (panel.js) and the one VS Code injects into every webview.
    const scripts = await panel().locator('script').evaluateAll(list => list.map(s => {
      const e = s as unknown as { src: string; textContent: string | null };
      return { src: e.src, text: e.textContent ?? '' };
    }));
    if (imgs !== 0) throw new Error(`${imgs} img/b/i elements in the panel`);
    const foreign = scripts.filter(s => /alert/.test(s.text) || (s.src && !/\/media\/build\/panel\.js/.test(s.src)));
    if (foreign.length) throw new Error(`unexpected scripts in the panel: ${JSON.stringify(foreign).slice(0, 300)}`);
    const open = card.locator('button[aria-label^="Open"], button[aria-label^="No DOI"]').first();
    if (!(await open.isDisabled())) throw new Error('Open is enabled for a javascript: URL');
    if (dialogs.length) throw new Error(`dialogs opened: ${dialogs.join(', ')}`);
    await shot('panel-untrusted');
    return `abstract rendered literally; no img/b/i elements; scripts: ${scripts.map(s => s.src ? path.basename(s.src) : 'inline (VS Code)').join(', ')}; Open disabled`;
  });

  await test('panel: keyboard — ArrowDown from the search box focuses a card, Space expands its abstract', async () => {
    await panel().locator('#search').fill('speculative decoding');
    await panel().locator('#status', { hasText: 'Search: speculative decoding' }).waitFor({ timeout: 15_000 });
    await until('search results', async () => (await cardTitles()).some(t => /speculative/i.test(t)), 15_000);
    await panel().locator('#search').focus();
    await page.keyboard.press('ArrowDown');
    const first = panel().locator('.card').first();
    await until('first card focused', () => first.evaluate(e => e === (e.ownerDocument as unknown as { activeElement: unknown }).activeElement), 5_000);
    const collapsedBefore = await first.locator('.abstract.collapsed').count();
    await page.keyboard.press(' ');
    const collapsedAfter = await first.locator('.abstract.collapsed').count();
    if (!(collapsedBefore === 1 && collapsedAfter === 0)) throw new Error(`abstract collapsed before/after Space: ${collapsedBefore}/${collapsedAfter}`);
    await page.keyboard.press('ArrowDown');
    const second = panel().locator('.card').nth(1);
    await until('second card focused', () => second.evaluate(e => e === (e.ownerDocument as unknown as { activeElement: unknown }).activeElement), 5_000);
    await shot('panel-keyboard');
    await panel().locator('#search').fill('');
    return 'focus moved card to card; abstract expanded';
  });
}

// ---- Bibliography: a quick fix and a rename, as a user does them -----------------------------------

/** Selects the first occurrence of `text` in the active editor with the Find widget, then closes it. */
async function selectText(text: string): Promise<void> {
  await editorLines().click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Control+F');
  const find = page.locator('.editor-group-container.active .find-widget.visible textarea, .editor-group-container.active .find-widget.visible input').first();
  await find.waitFor({ timeout: 10_000 });
  await find.fill(text);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.locator('.editor-group-container.active .find-widget.visible').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
}

async function bibliographyTests(): Promise<void> {
  let opened = false;
  await test('bibliography: a misspelled key in a document with \\bibliography{refs} is squiggled', async () => {
    await openViaQuickOpen(BIB_PROJECT.texFile);
    opened = true;
    await page.locator('.editor-group-container.active .squiggly-warning').first().waitFor({ timeout: 30_000 });
    const squiggles = await page.locator('.editor-group-container.active .squiggly-warning').count();
    if (squiggles !== 1) throw new Error(`${squiggles} warnings, expected 1 (the misspelled key)`);
    return 'one warning squiggle';
  });

  await test(`bibliography: Quick Fix (Ctrl+.) replaces ${BIB_PROJECT.typo} with ${BIB_PROJECT.key}`, async () => {
    if (!opened) throw new Error('skipped: thesis.tex did not open');
    await selectText(BIB_PROJECT.typo);
    const title = `Replace with '${BIB_PROJECT.key}'`;
    const row = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    // The menu needs the editor focused and the code actions computed: retry like a user would.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      try {
        await row.waitFor({ timeout: 5_000 });
        break;
      } catch (e) {
        if (attempt >= 4) throw e;
        await page.keyboard.press('Escape');
        await selectText(BIB_PROJECT.typo);
      }
    }
    await row.hover();
    await shot('quickfix-menu');
    const items = (await page.locator('.action-widget .monaco-list-row').allInnerTexts()).map(t => nbsp(t).trim()).filter(Boolean);
    await row.click();
    await until('the line with the fixed key', () => lineWith(`followed \\cite{${BIB_PROJECT.key}}`), 10_000);
    await page.locator('.editor-group-container.active .squiggly-warning').first().waitFor({ state: 'detached', timeout: 15_000 });
    await shot('quickfix-applied');
    return `menu: ${items.join(' | ')}`;
  });

  await test(`bibliography: Rename Symbol (F2) renames ${BIB_PROJECT.key} in thesis.tex and refs.bib`, async () => {
    if (!opened) throw new Error('skipped: thesis.tex did not open');
    await selectText(BIB_PROJECT.key);
    await page.keyboard.press('F2');
    const input = page.locator('.rename-box input, .rename-box textarea, .rename-input').first();
    await input.waitFor({ timeout: 10_000 });
    const placeholder = await input.inputValue().catch(() => '');
    if (placeholder !== BIB_PROJECT.key) throw new Error(`rename box holds ${JSON.stringify(placeholder)}`);
    // Type into the rename box itself (it takes focus once the server answered prepareRename).
    await input.fill(BIB_PROJECT.renamed);
    await shot('rename-box');
    await input.press('Enter');
    // Both citations of the key are renamed (the second one is the quick fix's).
    await until('the citations renamed', () => lineWith(`Self-attention \\cite{${BIB_PROJECT.renamed}}`), 15_000);
    const second = await lineWith(`followed \\cite{${BIB_PROJECT.renamed}}`);
    await shot('rename-applied');
    // refs.bib was changed in the same edit (unsaved): open it and look.
    await openViaQuickOpen(BIB_PROJECT.bibFile);
    await until(`refs.bib reading @article{${BIB_PROJECT.renamed},`, () => lineWith(`@article{${BIB_PROJECT.renamed},`), 10_000);
    await shot('rename-bib');
    await runCommand('File: Save All');
    await until('refs.bib saved with the new key', async () => fs.readFileSync(path.join(wsDir, BIB_PROJECT.bibFile), 'utf8').includes(`@article{${BIB_PROJECT.renamed},`), 10_000);
    return `entry and ${second ? 'both citations' : 'the citation'} renamed`;
  });
}

// ---- Drafting: QuickPick search, a snippet completion, a paragraph draft, the bibliography append ----

const quickInput = () => page.locator('.quick-input-widget');
const quickRows = () => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** Runs a command from the palette and waits for the QuickPick it opens (not for the palette to close). */
async function runPicker(title: string, pickerTitle: string): Promise<void> {
  // No Escape first (runCommand's): in the editor it would clear the selection the command works on.
  await page.keyboard.press('F1');
  const input = quickInput().locator('input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await quickRows().filter({ hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await quickInput().locator('.quick-input-title', { hasText: pickerTitle }).waitFor({ timeout: 10_000 });
}

/** Moves to a new empty last line of the active editor. */
async function newLastLine(): Promise<void> {
  await editorLines().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
}

async function draftingTests(): Promise<void> {
  await test('drafting: "Search Papers…" searches as you type; Enter cites the paper in thesis.tex', async () => {
    await page.locator(`.tabs-container .tab[data-resource-name="${BIB_PROJECT.texFile}"]`).first().click();
    await page.locator(`.tabs-container .tab.active[data-resource-name="${BIB_PROJECT.texFile}"]`).first().waitFor({ timeout: 10_000 });
    await newLastLine();
    await runPicker('Related Work: Search Papers…', 'Search Papers');
    await page.keyboard.type(DRAFT.query, { delay: 30 });
    const row = quickRows().filter({ hasText: DRAFT.title }).first();
    await row.waitFor({ timeout: 10_000 });
    const detail = nbsp(await row.innerText());
    if (!detail.includes(DRAFT.key)) throw new Error(`the row lacks the key: ${JSON.stringify(detail)}`);
    const first = nbsp(await quickRows().first().innerText());
    await shot('quickpick-search');
    await row.click({ position: { x: 200, y: 10 } }).catch(() => undefined); // make it the active row
    await page.keyboard.press('Enter');
    await quickInput().waitFor({ state: 'hidden', timeout: 10_000 });
    const inserted = `\\cite{${DRAFT.key}}`;
    await until(`a line with ${inserted}`, () => lineWith(inserted), 10_000);
    await shot('quickpick-cited');
    return `first row: ${JSON.stringify(first.split('\n')[0])}; inserted ${inserted}`;
  });

  await test('drafting: with relatedWork.bibliography.addOnInsert, the cited paper\'s BibTeX is appended to refs.bib', async () => {
    // refs.bib is open in a tab since the rename test: the edit went to its buffer (unsaved).
    await page.locator(`.tabs-container .tab[data-resource-name="${BIB_PROJECT.bibFile}"]`).first().click();
    await page.locator(`.tabs-container .tab.active[data-resource-name="${BIB_PROJECT.bibFile}"]`).first().waitFor({ timeout: 10_000 });
    await until('refs.bib to hold the new entry (an unsaved edit)', () => lineWith(`@misc{${DRAFT.key},`), 20_000);
    const title = await until('its title field', () => lineWith('title = {Medusa'), 5_000);
    await page.keyboard.press('Control+End');
    await shot('bibliography-appended');
    // The rest of refs.bib is untouched: the renamed entry is still first.
    const firstLine = nbsp(await page.locator('.editor-group-container.active .monaco-editor .view-line').first().innerText());
    await runCommand('File: Save All');
    // The save lands on disk a moment after the command returns.
    const saved = () => fs.readFileSync(path.join(wsDir, BIB_PROJECT.bibFile), 'utf8');
    const disk = await until('refs.bib saved with the new entry', async () => (saved().includes(`@misc{${DRAFT.key},`) ? saved() : undefined), 10_000)
      .catch(() => saved());
    if ((disk.match(new RegExp(`@misc\\{${DRAFT.key},`, 'g')) ?? []).length !== 1) throw new Error(`refs.bib on disk: ${JSON.stringify(disk.slice(-400))}`);
    return `${JSON.stringify(nbsp(await title.innerText()).trim().slice(0, 60))}; first line still ${JSON.stringify(firstLine)}`;
  });

  await test('drafting: a snippet completion item replaces \\cite{medusa with a drafted sentence (tab stop on the summary)', async () => {
    await page.locator(`.tabs-container .tab[data-resource-name="${PANEL.file}"]`).first().click();
    await page.locator(`.tabs-container .tab.active[data-resource-name="${PANEL.file}"]`).first().waitFor({ timeout: 10_000 });
    await newLastLine();
    await page.keyboard.type(LATEX.opener, { delay: 40 });
    await page.keyboard.type(DRAFT.query, { delay: 40 });
    const row = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row').filter({ has: page.locator('.codicon-symbol-snippet') })
      .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${DRAFT.key}$`) }) }).first();
    for (let attempt = 1; ; attempt++) {
      try { await row.waitFor({ state: 'visible', timeout: 5_000 }); break; } catch (e) {
        if (attempt >= 4) throw new Error(`no snippet item; rows: ${JSON.stringify(await visibleSuggestions())}`);
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+Space');
      }
    }
    // Rows are rendered in no particular DOM order, and the key may be in two files (the earlier
    // test appended it to refs.bib): compare the first of each by their list index.
    const firstIndex = async (rows: Locator) => Math.min(...await Promise.all((await rows.all()).map(async r => Number(await r.getAttribute('data-index')))));
    const snippetRows = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row').filter({ has: page.locator('.codicon-symbol-snippet') })
      .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${DRAFT.key}$`) }) });
    const index = await firstIndex(snippetRows);
    const labels = await visibleSuggestions();
    // The sentence item sorts right under its paper's key (same filter word, sortText key + "s").
    const keyIndex = await firstIndex(suggestRow(DRAFT.key));
    if (index !== keyIndex + 1) throw new Error(`the sentence item is row ${index + 1}, the key row ${keyIndex + 1}: ${JSON.stringify(labels)}`);
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
    await page.locator('.editor-widget.suggest-widget.visible .monaco-list-row.focused .codicon-symbol-snippet').first().waitFor({ timeout: 5_000 });
    await shot('snippet-suggest');
    await page.keyboard.press('Enter');
    const sentence = await until('the drafted sentence', () => lineWith(`\\citep{${DRAFT.key}}.`), 10_000);
    const text = nbsp(await sentence.innerText()).trim();
    if (text.includes('\\cite{')) throw new Error(`the typed \\cite{ was not replaced: ${JSON.stringify(text)}`);
    if (!text.startsWith(DRAFT.sentenceStart)) throw new Error(`sentence ${JSON.stringify(text)} does not start with ${JSON.stringify(DRAFT.sentenceStart)}`);
    // The summary is the snippet's first tab stop: it is selected, ready to be rewritten.
    await page.locator('.editor-group-container.active .monaco-editor .selected-text').first().waitFor({ timeout: 5_000 });
    await shot('snippet-inserted');
    await page.keyboard.press('Escape');
    return `${JSON.stringify(text)} (suggestions: ${labels.slice(0, 4).join(', ')}…)`;
  });

  await test('drafting: "Draft Paragraph from Papers…" on a selection drafts one sentence per cited paper, one undoable edit', async () => {
    await goToLine(PANEL.paragraphStart);
    await page.keyboard.press('Home');
    for (let i = PANEL.paragraphStart; i < PANEL.paragraphEnd + 1; i++) await page.keyboard.press('Shift+ArrowDown');
    await runPicker('Related Work: Draft Paragraph from Papers…', 'Draft Paragraph from');
    await quickRows().filter({ hasText: 'cited in the selection' }).first().click();
    await quickInput().waitFor({ state: 'hidden', timeout: 10_000 });
    const lines: string[] = [];
    for (const key of PANEL.citedKeys) {
      // A drafted sentence (the sample corpus has no years: "Name (n.d.) …"), not the paragraph's own citation.
      const line = await until(`a drafted sentence citing ${key}`, async () => {
        for (const l of await page.locator('.editor-group-container.active .monaco-editor .view-line').allInnerTexts()) {
          if (nbsp(l).includes('(n.d.)') && nbsp(l).includes(`\\citep{${key}}.`)) return nbsp(l).trim();
        }
        return undefined;
      }, 10_000);
      lines.push(line);
    }
    const theme = await until('the theme sentence', async () => {
      for (const l of await page.locator('.editor-group-container.active .monaco-editor .view-line').allInnerTexts()) {
        if (/^(Several works (address|are related)|One line of work addresses|Other work addresses)/.test(nbsp(l).trim())) return nbsp(l).trim();
      }
      return undefined;
    }, 5_000);
    await shot('paragraph-draft');
    await editorLines().click();
    await page.keyboard.press('Control+Z');
    await until('the draft undone in one step', async () => !(await lineWith(lines[0])) && !(await lineWith(lines[1])), 5_000);
    return `${JSON.stringify(theme)} + ${lines.map(l => JSON.stringify(l.slice(0, 50))).join(', ')}; undone with one Ctrl+Z`;
  });
}

async function main(): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  for (const f of fs.readdirSync(shots)) if (/^ui-.*\.png$/.test(f)) fs.rmSync(path.join(shots, f));
  const browser = await launchBrowser();
  const consoleErrors: string[] = [];
  try {
    page = await newPage(browser);
    page.on('console', m => { if (m.type() === 'error' && !EXPECTED_NOISE.test(m.text())) consoleErrors.push(m.text()); });
    page.on('pageerror', e => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('dialog', d => { dialogs.push(d.message()); void d.dismiss(); });
    page.setDefaultTimeout(30_000);

    // The bibliography project, written into this run's workspace copy before the workbench opens
    // it (not in the fixture: the extension-host suite uses the sample workspace without a .bib).
    fs.writeFileSync(path.join(wsDir, BIB_PROJECT.bibFile), BIB_PROJECT.bib);
    fs.writeFileSync(path.join(wsDir, BIB_PROJECT.texFile), BIB_PROJECT.tex);

    await test('workbench loads the sample workspace', async () => {
      const url = await workbenchUrl(base, wsDir);
      log('goto', url);
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: LATEX.file }).first().waitFor({ timeout: 60_000 });
      await shot('workbench');
    });

    await openTest(LATEX, 'latex');

    // The status bar item appears when the extension activates (onLanguage:latex), and reads
    // "N papers" with the accessibility label "Related Work: N papers indexed" once indexed.
    await test('status bar shows "Related Work: N papers indexed"', async () => {
      const item = page.locator('.part.statusbar [aria-label*="papers indexed"]').first();
      await item.waitFor({ timeout: 120_000 });
      const label = (await item.getAttribute('aria-label')) ?? '';
      const text = nbsp(await item.innerText()).trim();
      const n = Number((label.match(/Related Work: ([\d,]+) papers indexed/)?.[1] ?? 'NaN').replace(/,/g, ''));
      const expected = SAMPLE_CORPUS_PAPERS + UNTRUSTED.papers + BIB_PROJECT.papers;
      if (n !== expected) throw new Error(`expected ${expected} papers, aria-label ${JSON.stringify(label)}`);
      if (!text.includes('papers')) throw new Error(`status text ${JSON.stringify(text)} lacks "papers"`);
      await shot('status-bar');
      return `text ${JSON.stringify(text)}, aria-label ${JSON.stringify(label)}`;
    });

    await citationTests(LATEX, 'latex');
    await hostileHoverTest();
    await openTest(MARKDOWN, 'markdown');
    await citationTests(MARKDOWN, 'markdown');
    await panelTests();
    await bibliographyTests();
    await draftingTests();

    await test('Extensions view lists Related Work as installed', async () => {
      await page.keyboard.press('Escape');
      await page.locator('.activitybar .action-item a[aria-label^="Extensions"]').first().click();
      const search = page.locator('.extensions-viewlet .suggest-input-container .monaco-editor').first();
      await search.waitFor({ timeout: 20_000 });
      await search.click();
      await page.keyboard.type('@installed Related Work');
      const row = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'Related Work' }).first();
      await row.waitFor({ timeout: 30_000 });
      await shot('extensions-view');
      return nbsp(await row.innerText()).split('\n').slice(0, 3).join(' | ');
    });
  } finally {
    fs.writeFileSync(path.join(shots, 'ui-console-errors.txt'), consoleErrors.join('\n'));
    await browser.close();
  }
  if (consoleErrors.length) log(`${consoleErrors.length} workbench console errors (test-results/screenshots/ui-console-errors.txt)`);
}

main().catch(async e => {
  results.push({ name: 'UI test harness', ok: false, info: e instanceof Error ? e.stack ?? e.message : String(e) });
  console.log('[ui] harness error:', e);
}).finally(() => {
  const failed = results.filter(r => !r.ok);
  console.log('');
  for (const r of results) console.log(`  ${r.ok ? 'ok    ' : 'FAILED'} ${r.name}${r.ok ? '' : `\n         ${r.info.replace(/\n/g, '\n         ')}`}`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
});
