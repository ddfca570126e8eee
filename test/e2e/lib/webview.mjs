// Playwright helpers for MCP Host's webview panels inside the VS Code workbench: find a
// panel's frame (VS Code nests our page two iframes deep), move focus with Tab like a
// person, read what a field shows. Locators pierce the open shadow roots of the
// @vscode-elements controls.
import { waitFor } from './proc.mjs';

/** The frame of our page for `kind` (tool, elicitation, sampling, trace) once it drew itself. */
export async function webviewFrame(wb, kind, { title, timeoutMs = 30000 } = {}) {
  return waitFor(async () => {
    for (const frame of wb.page.frames()) {
      if (frame.isDetached()) continue;
      const info = await frame.evaluate(() => ({
        panel: document.body?.dataset?.panel,
        ready: document.getElementById('app')?.dataset?.ready === 'true',
        title: document.title,
        visible: document.visibilityState === 'visible',
      })).catch(() => undefined);
      if (!info || info.panel !== kind || !info.ready) continue;
      if (title && !(title instanceof RegExp ? title.test(info.title) : info.title === title)) continue;
      return frame;
    }
    return undefined;
  }, { timeoutMs, intervalMs: 50, what: `the ${kind} panel${title ? ` "${title}"` : ''} to be ready` });
}

/** The id of the element that has focus, looking through shadow roots up to its host with an id. */
export async function focusedId(frame) {
  return frame.evaluate(() => {
    let el = document.activeElement;
    const chain = [];
    while (el) {
      chain.push(el);
      el = el.shadowRoot?.activeElement ?? null;
    }
    // The outermost element with an id is the control (its inner input has none of ours).
    const withId = chain.find((e) => e.id);
    return withId ? withId.id : (chain[chain.length - 1]?.getAttribute?.('aria-label') ?? '');
  });
}

/** Presses Tab (or Shift+Tab) until the element `id` has focus; throws after `max` presses. */
export async function tabTo(wb, frame, id, { max = 60, back = false } = {}) {
  for (let i = 0; i < max; i++) {
    if ((await focusedId(frame)) === id) return i;
    await wb.page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached #${id} (focus is on "${await focusedId(frame)}")`);
}

/** Presses Tab until a button whose text is `text` has focus (inside shadow roots too). */
export async function tabToButton(wb, frame, text, { max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    const label = await frame.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      const host = el?.closest?.('vscode-button') ?? (el?.getRootNode?.()?.host?.tagName === 'VSCODE-BUTTON' ? el.getRootNode().host : undefined);
      return host ? host.textContent.trim() : el?.tagName === 'BUTTON' ? el.textContent.trim() : undefined;
    });
    if (label === text) return i;
    await wb.page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached the button "${text}"`);
}

/** The form's ids: the form renders `arg` + the JSON pointer with every non-word character escaped. */
export function fieldId(prefix, pointer) {
  return `${prefix}${pointer.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

/** Text of the page's element matching `selector` (first), or ''. */
export async function textOf(frame, selector) {
  return (await frame.locator(selector).first().textContent({ timeout: 2000 }).catch(() => '')) ?? '';
}

/**
 * Empties the focused text control `locator` by keyboard: End, then Backspace for each
 * character. Not with Ctrl+A: a webview forwards that key to VS Code, whose Select All
 * comes back into the page a moment later — after the next keystrokes, which it then
 * selects and lets the typing replace (a test types faster than a person).
 */
export async function clearField(wb, locator) {
  const length = await locator.evaluate((el) => String(el.value ?? '').length);
  await wb.page.keyboard.press('Control+End');
  for (let i = 0; i < length; i++) await wb.page.keyboard.press('Backspace');
  await waitFor(async () => (await locator.evaluate((el) => el.value)) === '', { timeoutMs: 5000, intervalMs: 50, what: 'the field to be empty' });
}

/**
 * Clicks into a text control of the page and types `text` over what it holds, the way a
 * person does; then checks the control holds it. A panel that has just opened may take
 * focus back once (VS Code focuses a new webview a moment after showing it): the typing
 * is then done again, at most `tries` times, and each retry is logged.
 */
export async function typeInto(wb, frame, locator, text, { tries = 3, log = () => {} } = {}) {
  for (let i = 1; i <= tries; i++) {
    await locator.click();
    await clearField(wb, locator);
    await wb.page.keyboard.type(text);
    const ok = await waitFor(async () => (await locator.evaluate((el) => el.value)) === text, { timeoutMs: 2000, intervalMs: 50 }).then(() => true, () => false);
    if (ok) return;
    log(`  (typing into the panel: it holds "${await locator.evaluate((el) => el.value)}" instead of "${text}"; typing again, ${i}/${tries})`);
  }
  throw new Error(`the control never held "${text}"`);
}
