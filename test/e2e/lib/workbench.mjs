// Playwright helpers that drive the VS Code workbench (1.139, code-server) like a person:
// the command palette, quick inputs, modal dialogs, notifications, tree views, editors.
import { createRequire } from 'node:module';
import { REPO } from '../../integration/workspace.mjs';
import { sleep, waitFor } from './proc.mjs';

const require = createRequire(`${REPO}/package.json`);
export const { chromium } = require('playwright-core');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export async function launchBrowser({ headless = true } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless,
    args: CHROMIUM_ARGS,
    // Our signal handlers close the browser *and* code-server; Playwright's own would
    // exit(130) right after killing the browser, leaving code-server behind.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

const norm = (s) => String(s ?? '').replace(/\u00a0/g, ' ').replace(/\s+\n/g, '\n');

/** One workbench page, with helpers. */
export class Workbench {
  constructor(page) {
    this.page = page;
  }

  static async open(browser, url, { timeoutMs = 60000 } = {}) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const wb = new Workbench(page);
    wb.consoleErrors = [];
    page.on('pageerror', (e) => wb.consoleErrors.push(String(e)));
    const started = Date.now();
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
    await page.waitForSelector('.part.activitybar', { timeout: timeoutMs });
    wb.loadMs = Date.now() - started;
    return wb;
  }

  async close() {
    await this.page.context().close().catch(() => {});
  }

  /**
   * A page VS Code opens in the browser (vscode.env.openExternal, e.g. a URL elicitation's
   * link) is reported to `onPage(url, title)` and closed once it has loaded, as a person
   * would close the tab.
   */
  closeOpenedPages(onPage) {
    this.page.context().on('page', (p) => {
      void p.waitForLoadState('load', { timeout: 15000 }).catch(() => {}).then(async () => {
        // A step that expects this page (an authorization page to answer) takes it over.
        const taker = (this.pageTakers ?? []).find((t) => t.match(p.url()));
        onPage(p.url(), await p.title().catch(() => ''), !!taker);
        if (taker) { this.pageTakers.splice(this.pageTakers.indexOf(taker), 1); taker.take(p); return; }
        await p.close().catch(() => {});
      });
    });
  }

  /** The next opened page whose URL `match`es, instead of its being closed (closeOpenedPages). */
  takeOpenedPage(match, { timeoutMs = 30000 } = {}) {
    this.pageTakers ??= [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no page matching ${match} opened in ${timeoutMs} ms`)), timeoutMs);
      this.pageTakers.push({ match: (u) => match.test(u), take: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  /** The hovers on screen, once each has finished fading in (so a screenshot shows it whole). */
  visibleHovers() {
    return this.page.evaluate(() => [...document.querySelectorAll('.monaco-hover, .workbench-hover')]
      .filter((h) => h.offsetParent && [h, h.closest('.workbench-hover-container')].filter(Boolean).every((e) => getComputedStyle(e).opacity === '1'))
      .map((h) => (h.textContent ?? '').replace(/\u00a0/g, ' ')));
  }

  /**
   * For a screenshot: the panel closed (an earlier step may have left it open), the side bar at
   * least 480 px wide so every row's description shows. Cosmetic: failures are only logged.
   */
  async tidyForScreenshot(log) {
    const hide = this.page.locator('.part.panel a.action-label[aria-label^="Hide Panel"], .part.panel a.action-label[aria-label^="Close Panel"]').first();
    if (await hide.isVisible().catch(() => false)) await hide.click().catch((e) => log(`  (could not close the panel: ${e.message})`));
    const bar = this.page.locator('.part.sidebar').first();
    const box = await bar.boundingBox().catch(() => undefined);
    if (!box || box.width >= 480) return;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + 480, y, { steps: 8 });
    await this.page.mouse.up();
    await waitFor(async () => ((await bar.boundingBox())?.width ?? 0) > box.width + 50, { timeoutMs: 5000, what: 'the side bar to widen' })
      .catch((e) => log(`  (could not widen the side bar: ${e.message})`));
  }

  async screenshot(file) {
    await this.page.screenshot({ path: file });
    return file;
  }

  // ---- activity bar, views -------------------------------------------------------------

  async openViewContainer(label, { timeoutMs = 20000 } = {}) {
    const item = this.page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${label}"]`).first();
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
    const container = item.locator('xpath=..');
    const checked = await container.getAttribute('aria-selected').catch(() => null);
    const expanded = await item.getAttribute('aria-expanded').catch(() => null);
    if (checked !== 'true' && expanded !== 'true' && !(await container.evaluate((el) => el.classList.contains('checked')))) {
      await item.click();
    }
  }

  /** The pane (view) whose header title is `title`, e.g. "Servers". */
  pane(title) {
    return this.page.locator('.part.sidebar .pane', {
      has: this.page.locator(`.pane-header h3.title`, { hasText: new RegExp(`^${escapeRe(title)}$`, 'i') }),
    });
  }

  /** Rows of a tree/list: [{label, description, level, expanded, ariaLabel}]. */
  async treeRows(pane) {
    return pane.locator('.monaco-list-row').evaluateAll((rows) =>
      rows.map((r) => ({
        label: r.querySelector('.label-name')?.textContent ?? '',
        description: r.querySelector('.label-description')?.textContent ?? '',
        level: Number(r.getAttribute('aria-level') || 0),
        expanded: r.getAttribute('aria-expanded'),
        ariaLabel: r.getAttribute('aria-label') || '',
        top: parseFloat(r.style.top || '0'),
      })).sort((a, b) => a.top - b.top),
    ).then((rows) => rows.map((r) => ({ ...r, label: norm(r.label), description: norm(r.description) })));
  }

  /** The row whose label is exactly `label` (optionally at tree level `level`). */
  treeRow(pane, label, level) {
    const sel = level ? `.monaco-list-row[aria-level="${level}"]` : '.monaco-list-row';
    return pane.locator(sel, {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(label)}\\s*$`) }),
    }).first();
  }

  async expandRow(row) {
    if ((await row.getAttribute('aria-expanded')) !== 'true') {
      await row.locator('.monaco-tl-twistie').click();
      await waitFor(async () => (await row.getAttribute('aria-expanded')) === 'true', { timeoutMs: 10000, what: 'row to expand' });
    }
  }

  async collapseRow(row) {
    if ((await row.getAttribute('aria-expanded')) === 'true') {
      await row.locator('.monaco-tl-twistie').click();
      await waitFor(async () => (await row.getAttribute('aria-expanded')) === 'false', { timeoutMs: 10000, what: 'row to collapse' });
    }
  }

  /** Clicks an inline action (by its aria-label prefix) of a tree row, hovering it first. */
  async clickRowAction(row, actionLabel) {
    await row.hover();
    const action = row.locator(`.actions a.action-label[aria-label^="${actionLabel}"]`).first();
    await action.waitFor({ state: 'visible', timeout: 5000 });
    await action.click();
  }

  // ---- command palette, quick input ------------------------------------------------------

  quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  async quickInputVisible() {
    return this.quickInput().isVisible().catch(() => false);
  }

  async quickInputState() {
    return this.page.evaluate(() => {
      const w = document.querySelector('.quick-input-widget');
      // Inert: VS Code is animating it closed (it takes no input); not an open quick input.
      if (!w || w.style.display === 'none' || !w.offsetParent || w.inert) return undefined;
      const title = w.querySelector('.quick-input-title')?.textContent ?? '';
      const input = w.querySelector('.quick-input-box input');
      const message = w.querySelector('.quick-input-message')?.textContent ?? '';
      const listVisible = !!w.querySelector('.quick-input-list')?.offsetParent;
      const rows = listVisible
        ? [...w.querySelectorAll('.quick-input-list .monaco-list-row')].map((r) => ({
            label: (r.querySelector('.quick-input-list-label .label-name, .monaco-icon-label .label-name')?.textContent ?? '').trim(),
            description: r.querySelector('.label-description')?.textContent ?? '',
            aria: r.getAttribute('aria-label') ?? '',
            checked: r.getAttribute('aria-checked'),
            focused: r.classList.contains('focused'),
          }))
        : [];
      const checkAll = w.querySelector('.quick-input-check-all');
      return {
        title: title.replace(/\u00a0/g, ' ').trim(),
        value: input?.value ?? '',
        placeholder: input?.getAttribute('placeholder') ?? '',
        message: message.replace(/\u00a0/g, ' '),
        rows,
        canPickMany: !!checkAll && !!checkAll.offsetParent,
      };
    });
  }

  async waitQuickInput({ title, timeoutMs = 15000 } = {}) {
    return waitFor(
      async () => {
        const s = await this.quickInputState();
        if (!s) return undefined;
        if (title instanceof RegExp ? !title.test(s.title) : title && s.title !== title) return undefined;
        return s;
      },
      { timeoutMs, intervalMs: 100, what: `quick input${title ? ` titled ${title}` : ''}` },
    );
  }

  async waitQuickInputClosed({ timeoutMs = 15000 } = {}) {
    await waitFor(async () => !(await this.quickInputState()), { timeoutMs, intervalMs: 100, what: 'the quick input to close' });
  }

  /** Runs a command from the palette by its full title, e.g. "MCP Host: Call Tool…". */
  async runCommand(title) {
    await this.escapeAll();
    await this.page.keyboard.press('Control+Shift+P');
    await this.waitQuickInput({ timeoutMs: 10000 });
    await this.page.keyboard.type(title.replace(/…$/, ''));
    const row = this.quickInput().locator('.quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(title)}$`) }),
    }).first();
    await row.waitFor({ state: 'visible', timeout: 10000 });
    await row.click();
    // Wait until the palette gave way (to nothing, or to the command's own quick input).
    await waitFor(async () => {
      const s = await this.quickInputState();
      return !s || !(s.value.startsWith('>') || s.placeholder === 'Type the name of a command to run.');
    }, { timeoutMs: 5000, intervalMs: 50, what: `the command palette to run ${title}` });
  }

  /** Picks the item labelled exactly `label` in the open quick pick (filtering first). */
  async pick(label, { title, filter = true } = {}) {
    await this.waitQuickInput({ title });
    if (filter) await this.setQuickInputValue(label);
    const row = this.quickInput().locator('.quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(label)}\\s*$`) }),
    }).first();
    await row.waitFor({ state: 'visible', timeout: 10000 });
    await row.click();
  }

  async setQuickInputValue(value) {
    const input = this.quickInput().locator('.quick-input-box input');
    await input.fill(value);
  }

  /** Answers an input box: waits for `title`, types `value` (replacing the prefill unless keep). */
  async answerInput(title, value, { keep = false } = {}) {
    const s = await this.waitQuickInput({ title });
    if (!keep) await this.setQuickInputValue(value);
    await this.page.keyboard.press('Enter');
    return s;
  }

  async escapeAll() {
    for (let i = 0; i < 3; i++) {
      if (!(await this.quickInputVisible()) && !(await this.dialogVisible())) break;
      await this.page.keyboard.press('Escape');
      await sleep(150);
    }
  }

  // ---- dialogs ----------------------------------------------------------------------------

  async dialogVisible() {
    return this.page.locator('.monaco-dialog-box').isVisible().catch(() => false);
  }

  /**
   * The open modal dialog. `text` is what a person reads as its message: VS Code shows a
   * modal message without detail in the detail slot (message empty), so `text` is the
   * message, or the detail when the message is empty.
   */
  async dialogState() {
    return this.page.evaluate(() => {
      const d = document.querySelector('.monaco-dialog-box');
      if (!d || !d.offsetParent) return undefined;
      const message = d.querySelector('.dialog-message-text')?.textContent ?? '';
      const detail = d.querySelector('.dialog-message-detail')?.textContent ?? '';
      return {
        text: message || detail,
        message,
        detail,
        body: d.querySelector('.dialog-message-body')?.textContent ?? '',
        buttons: [...d.querySelectorAll('.dialog-buttons a.monaco-button')].map((b) => b.textContent ?? ''),
      };
    });
  }

  async waitDialog(message, { timeoutMs = 15000 } = {}) {
    let last;
    return waitFor(
      async () => {
        const d = await this.dialogState();
        if (!d) return undefined;
        last = d;
        return (message instanceof RegExp ? message.test(d.text) : d.text.includes(message)) ? d : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `a dialog "${message}"` },
    ).catch((e) => {
      if (last) e.message += ` (last dialog seen: ${JSON.stringify(last)})`;
      throw e;
    });
  }

  /** Clicks a button of the open dialog; resolves when that dialog is gone (another may follow). */
  async clickDialogButton(label) {
    const before = await this.dialogState();
    const b = this.page.locator('.monaco-dialog-box .dialog-buttons a.monaco-button', {
      hasText: new RegExp(`^\\s*${escapeRe(label)}\\s*$`),
    }).first();
    await b.click();
    await waitFor(async () => {
      const now = await this.dialogState();
      return !now || (before && (now.text !== before.text || now.detail !== before.detail));
    }, { timeoutMs: 5000, intervalMs: 50, what: `the dialog to close after ${label}` });
  }

  // ---- notifications, status bar -------------------------------------------------------

  async notifications() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.notifications-toasts .notification-toast-container')]
        .filter((t) => t.offsetParent)
        .map((t) => ({
          message: t.querySelector('.notification-list-item-message')?.textContent ?? '',
          source: t.querySelector('.notification-list-item-source')?.textContent ?? '',
          buttons: [...t.querySelectorAll('.notification-list-item-buttons-container a.monaco-button')].map((b) => b.textContent ?? ''),
          progress: !!t.querySelector('.monaco-progress-container.active, .monaco-progress-container.infinite, .monaco-progress-container.discrete'),
          severity: (t.querySelector('.notification-list-item-icon')?.className ?? '').match(/codicon-(error|warning|info)/)?.[1] ?? '',
        })),
    );
  }

  async waitNotification(match, { timeoutMs = 15000 } = {}) {
    return waitFor(
      async () => (await this.notifications()).find((n) => (match instanceof RegExp ? match.test(n.message) : n.message.includes(match))),
      { timeoutMs, intervalMs: 100, what: `a notification matching ${match}` },
    );
  }

  notificationToast(match) {
    return this.page.locator('.notifications-toasts .notification-toast-container', {
      has: this.page.locator('.notification-list-item-message', { hasText: match }),
    }).first();
  }

  async clearNotifications() {
    await this.page.evaluate(() => {
      for (const b of document.querySelectorAll('.notifications-toasts .codicon-notifications-clear, .notifications-toasts .codicon-close')) {
        b.closest('a')?.click();
      }
    });
  }

  async statusBarTexts() {
    return this.page.locator('.part.statusbar .statusbar-item').evaluateAll((els) =>
      els.map((e) => (e.textContent ?? '').replace(/\u00a0/g, ' ').trim()).filter(Boolean),
    );
  }

  // ---- editors ------------------------------------------------------------------------------

  async tabs() {
    return this.page.locator('.part.editor .tabs-container .tab').evaluateAll((tabs) =>
      tabs.map((t) => ({
        label: (t.querySelector('.label-name')?.textContent ?? '').replace(/\u00a0/g, ' '),
        aria: t.getAttribute('aria-label') ?? '',
        active: t.classList.contains('active'),
      })),
    );
  }

  async waitActiveTab(label, { timeoutMs = 15000 } = {}) {
    let seen = [];
    return waitFor(
      async () => {
        seen = await this.tabs();
        const is = (x) => (label instanceof RegExp ? label.test(x) : x === label);
        return seen.find((t) => t.active && (is(t.label) || is(t.aria)));
      },
      { timeoutMs, intervalMs: 100, what: `an active editor tab "${label}"` },
    ).catch((e) => {
      e.message += ` (tabs: ${JSON.stringify(seen)})`;
      throw e;
    });
  }

  /** The text of the visible lines of the active text editor. */
  async activeEditorText() {
    return this.page.evaluate(() => {
      const group = document.querySelector('.part.editor .editor-group-container.active') || document.querySelector('.part.editor');
      const lines = group?.querySelector('.monaco-editor .view-lines');
      if (!lines) return '';
      return [...lines.querySelectorAll('.view-line')]
        .map((l) => ({ top: parseFloat(l.style.top || '0'), text: l.textContent ?? '' }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text.replace(/\u00a0/g, ' '))
        .join('\n');
    });
  }

  async waitEditorText(match, { timeoutMs = 15000 } = {}) {
    return waitFor(
      async () => {
        const t = await this.activeEditorText();
        return (match instanceof RegExp ? match.test(t) : t.includes(match)) ? t : undefined;
      },
      { timeoutMs, intervalMs: 150, what: `the active editor to show ${match}` },
    );
  }

  /** Types into the active editor; resolves to the "read-only" overlay message if one shows. */
  async tryTypingInActiveEditor(text = 'x') {
    const editor = this.page.locator('.part.editor .editor-group-container.active .monaco-editor').first();
    await editor.click({ position: { x: 200, y: 10 } });
    await this.page.keyboard.type(text);
    const msg = this.page.locator('.monaco-editor-overlaymessage');
    try {
      await msg.first().waitFor({ state: 'visible', timeout: 3000 });
      return norm(await msg.first().textContent());
    } catch {
      return undefined;
    }
  }

  async closeAllEditors() {
    await this.runCommand('View: Close All Editors');
    await waitFor(async () => (await this.tabs()).length === 0, { timeoutMs: 5000, what: 'all editors to close' }).catch(() => {});
  }
}

export function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
