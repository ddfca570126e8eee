// The apps phase (issue 12): MCP Apps of real servers from npm, run for real in VS Code —
// the system monitor (draws, then polls its app-only tool every 2 s), the budget allocator,
// basic-vanillajs (applies hostContext.theme: the theme reaches it) — and a fixture app that
// misbehaves on purpose (test/fixtures/servers/bad-app.mjs): every misbehaviour is refused with
// a reason the panel shows. The time from Run to the app's first drawn data is printed.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { REPO } from '../integration/workspace.mjs';
import { waitFor } from './lib/proc.mjs';
import { openToolPanel, waitRunning } from './ui.workbench.mjs';

const SHOTS = path.join(REPO, '.e2e', 'screenshots');
const MCP = path.join(REPO, 'node_modules', '@modelcontextprotocol');

export const APP_SERVER = { monitor: 'monitor', budget: 'budget', vanilla: 'vanilla', bad: 'badapp', memory: 'memory' };

export function appServers(node) {
  const bin = (pkg) => ({ type: 'stdio', command: node, args: [path.join(MCP, pkg, 'dist', 'index.js'), '--stdio'] });
  return {
    [APP_SERVER.monitor]: bin('server-system-monitor'),
    [APP_SERVER.budget]: bin('server-budget-allocator'),
    [APP_SERVER.vanilla]: bin('server-basic-vanillajs'),
    [APP_SERVER.bad]: { type: 'stdio', command: node, args: [path.join(REPO, 'test', 'fixtures', 'servers', 'bad-app.mjs')] },
    [APP_SERVER.memory]: { type: 'stdio', command: node, args: [path.join(MCP, 'server-memory', 'dist', 'index.js')], env: { MEMORY_FILE_PATH: path.join(REPO, '.e2e', 'apps-memory.jsonl') } },
  };
}

async function mediaShot(wb, name, log) {
  const file = path.join(SHOTS, `screenshot-${name}.png`);
  await wb.page.mouse.move(1390, 890).catch(() => {});
  await wb.screenshot(file);
  log(`  screenshot ${path.relative(REPO, file)}`);
}

/** The app panel's page (our sandbox proxy) whose title starts with `tool`, and the app's own frame in it. */
async function appFrames(wb, tool, { timeoutMs = 60000 } = {}) {
  return waitFor(async () => {
    for (const frame of wb.page.frames()) {
      if (frame.isDetached()) continue;
      const info = await frame.evaluate(() => ({ panel: document.body?.dataset?.panel, title: document.title })).catch(() => undefined);
      if (info?.panel !== 'app' || !info.title.startsWith(`${tool} (app)`)) continue;
      const app = frame.childFrames().find((f) => !f.isDetached() && f.url() === 'about:srcdoc');
      if (app) return { page: frame, app };
    }
    return undefined;
  }, { timeoutMs, intervalMs: 50, what: `the app panel of ${tool}` });
}

const text = async (frame, selector) => ((await frame.locator(selector).first().textContent({ timeout: 2000 }).catch(() => '')) ?? '').trim();
const waitText = (frame, selector, test, what, timeoutMs = 30000) =>
  waitFor(async () => { const t = await text(frame, selector); return test(t) ? t : undefined; }, { timeoutMs, intervalMs: 100, what });

/** Opens the tool panel of `tool`, presses Run; the app opens beside. Returns the frames and the ms from Run to `drawn`. */
async function runWithApp(wb, server, tool, drawn) {
  await wb.closeAllEditors();
  const { frame } = await openToolPanel(wb, server, tool, new RegExp(` — ${server}$`));
  const started = Date.now();
  await frame.locator('#run').click();
  const frames = await appFrames(wb, tool);
  const value = await drawn(frames.app);
  return { ...frames, ms: Date.now() - started, value };
}

/** Opens the debugger of an app page (idempotent) and returns its log text. */
async function debuggerLog(page) {
  if ((await page.locator('#app-debugger').getAttribute('hidden')) !== null) await page.locator('#app-debug').click();
  return text(page, '#app-log');
}

export async function appSteps({ step, phase, log, timings }) {
  const { wb } = phase;
  const as = (name, fn, opts) => step(`apps: ${name}`, fn, opts);

  await as('the app servers run', async () => {
    await waitRunning(wb, Object.values(APP_SERVER));
  });

  await as('system monitor: its app draws the tool result, and its own tools/call polling updates it', async () => {
    const run = await runWithApp(wb, APP_SERVER.monitor, 'get-system-info', (app) =>
      waitText(app, '#info-hostname', (t) => t !== '' && t !== '--', 'the monitor to show the hostname'));
    timings.monitorFirstDataMs = run.ms;
    log(`  Run → the app drew the hostname "${run.value}" in ${run.ms} ms`);
    // poll-system-stats is app-only: each round trip moves the status time.
    const first = await waitText(run.app, '#status-text', (t) => /\d/.test(t), 'the first poll');
    await waitText(run.app, '#status-text', (t) => /\d/.test(t) && t !== first, 'a second poll', 15000);
    const memory = await waitText(run.app, '#memory-percent', (t) => /%/.test(t), 'the memory figure');
    log(`  polling works: status "${first}" moved on; memory ${memory}`);
    const lines = await debuggerLog(run.page);
    const initialized = /initialized (\d+) ms after its page got it/.exec(lines);
    if (initialized) timings.monitorInitializedMs = Number(initialized[1]);
    if (!/tools\/call poll-system-stats/.test(lines)) throw new Error(`the app's tools/call is not in its log:\n${lines.slice(0, 2000)}`);
    await run.page.locator('#app-debug').click(); // closed again for the picture
    await mediaShot(wb, 'app-system-monitor', log);
  });

  await as('Open App (palette) opens an app without a call: it initializes and waits for a result', async () => {
    await wb.closeAllEditors();
    await wb.runCommand('MCP Host: Open App');
    await wb.waitQuickInput({ title: 'MCP Host: Open App — pick a server' });
    await wb.pick(APP_SERVER.monitor, { title: 'MCP Host: Open App — pick a server' });
    await wb.waitQuickInput({ title: `MCP Host: Open App — ${APP_SERVER.monitor}` });
    await wb.pick('get-system-info', { title: `MCP Host: Open App — ${APP_SERVER.monitor}` });
    const { page, app } = await appFrames(wb, 'get-system-info');
    await waitText(page, '#app-status', (t) => t === 'Running', 'the app to initialize');
    const hostname = await text(app, '#info-hostname');
    log(`  running without a call; the hostname shows "${hostname}"`);
    if (hostname !== '--') throw new Error(`without a tool result the monitor should show "--", not "${hostname}"`);
  });

  await as('budget allocator: its app draws the sliders and the allocation', async () => {
    const run = await runWithApp(wb, APP_SERVER.budget, 'get-budget-data', (app) =>
      waitText(app, '#status-bar', (t) => /Allocated: \$[1-9]/.test(t), 'the budget status bar with the tool result\'s budget'));
    timings.budgetFirstDataMs = run.ms;
    const sliders = await run.app.locator('#sliders-container input[type=range]').count();
    if (sliders !== 5) throw new Error(`expected 5 sliders, saw ${sliders}`);
    log(`  ${sliders} sliders, "${run.value}" in ${run.ms} ms`);
    await mediaShot(wb, 'app-budget-allocator', log);
  });

  await as('the theme reaches the app, and follows a change of theme', async () => {
    const run = await runWithApp(wb, APP_SERVER.vanilla, 'get-time', async (app) =>
      waitFor(async () => (await app.evaluate(() => document.documentElement.dataset.theme).catch(() => undefined)) || undefined, { timeoutMs: 30000, what: 'the app to apply a theme' }));
    if (run.value !== 'dark') throw new Error(`the app's theme is ${run.value} under Dark Modern`);
    await wb.runCommand('Preferences: Color Theme');
    await wb.pick('Light Modern');
    await waitFor(async () => (await run.app.evaluate(() => document.documentElement.dataset.theme).catch(() => undefined)) === 'light' || undefined,
      { timeoutMs: 15000, what: 'the app to follow Light Modern' });
    const bg = await run.app.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--color-background-primary').trim());
    log(`  dark, then light after the switch; --color-background-primary is ${bg}`);
    if (!/^#|^rgb/.test(bg)) throw new Error(`the style variables did not reach the app (--color-background-primary is "${bg}")`);
    await mediaShot(wb, 'app-theme-light', log);
    await wb.runCommand('Preferences: Color Theme');
    await wb.pick('Dark Modern');
    await waitFor(async () => (await run.app.evaluate(() => document.documentElement.dataset.theme).catch(() => undefined)) === 'dark' || undefined,
      { timeoutMs: 15000, what: 'the app to follow Dark Modern back' });
  });

  await as('a misbehaving app: each misbehaviour is refused with a visible reason', async () => {
    const run = await runWithApp(wb, APP_SERVER.bad, 'show-bad-app', (app) => waitText(app, '#status', (t) => t === 'initialized', 'the bad app to initialize'));
    const { app, page } = run;
    const press = async (name, test, what, timeoutMs) => {
      // Clicked from inside the app, without waiting on the page: the flood keeps the frame busy for seconds.
      await app.evaluate((id) => { setTimeout(() => document.getElementById(id).click(), 0); }, `btn-${name}`);
      // "…" is the app's own "under way" mark; wait for the outcome.
      const out = await waitText(app, `#out-${name}`, (t) => t !== '--' && t !== '…' && test(t), what, timeoutMs);
      log(`  ${name}: ${out.length > 160 ? out.slice(0, 160) + '…' : out}`);
      return out;
    };
    await press('helper', (t) => t === 'ok: helper 1', 'the app-visible tool to answer');
    await press('model', (t) => /^refused: .*not visible to apps/.test(t), 'the model-only tool to be refused');
    await press('other', (t) => /^refused: .*another server \(memory\)/.test(t), "the other server's tool to be refused");
    await press('js-link', (t) => /^refused: .*javascript: links are never opened/.test(t), 'the javascript: link to be refused');
    await press('file-link', (t) => /^refused: .*file: links are never opened/.test(t), 'the file: link to be refused');
    await press('fetch', (t) => /^blocked/.test(t), 'the undeclared fetch to be blocked');
    // ui/update-model-context is kept and shown; ui/message goes to the chat input (or a notification with Copy).
    await press('context', (t) => t === 'ok: {}', 'the model context to be accepted');
    await press('message', (t) => t === 'ok: {}', 'the message to be accepted');
    await wb.clearNotifications().catch(() => {});
    // Full screen: the panel's own bar and debugger go, the editor group is maximized; inline brings them back.
    await press('fullscreen', (t) => t === 'ok: {"mode":"fullscreen"}', 'full screen to be granted');
    await waitFor(async () => (await page.evaluate(() => document.body.classList.contains('fullscreen'))) || undefined, { timeoutMs: 10000, what: 'the page to go full screen' });
    await mediaShot(wb, 'app-fullscreen', log);
    await press('inline', (t) => t === 'ok: {"mode":"inline"}', 'inline to be granted');
    await waitFor(async () => !(await page.evaluate(() => document.body.classList.contains('fullscreen'))) || undefined, { timeoutMs: 10000, what: 'the page to come back inline' });
    await page.locator('#app-debug').click();
    await waitText(page, '#app-log', (t) => t.includes('Model context updated') && t.includes('context from bad app') && t.includes('Message for the chat: hello from bad app'),
      'the model context and the chat message in the log');
    await page.locator('#app-debug').click();
    await waitText(page, '#app-violations', (t) => t.includes('https://undeclared.example'), 'the violation to be listed with the URL');
    await press('flood', () => true, 'the flood to end', 60000);
    const counts = await waitText(page, '#app-counts', (t) => /[1-9]\d* dropped/.test(t), 'the dropped count');
    log(`  after the flood: ${counts}`);
    // Still answering once the flood is over (the bucket refills).
    await waitFor(async () => {
      await app.evaluate(() => { document.getElementById('out-helper').textContent = '--'; });
      await app.locator('#btn-helper').click();
      return (await waitText(app, '#out-helper', (t) => t !== '--', 'an answer', 10000)) === 'ok: helper 1' || undefined;
    }, { timeoutMs: 30000, what: 'the app to be answered again after the flood' });
    const notice = await text(page, '#app-notice');
    log(`  notice bar: ${notice}`);
    await debuggerLog(page);
    const listed = `${await text(page, '#app-refusals')}\n${await text(page, '#app-violations')}`;
    for (const reason of ['not visible to apps', 'another server (memory)', 'javascript: links are never opened', 'file: links are never opened', 'CSP blocked https://undeclared.example', 'Dropped']) {
      if (!listed.includes(reason)) throw new Error(`the debugger does not say "${reason}":\n${listed.slice(0, 2000)}`);
    }
    await mediaShot(wb, 'app-debugger', log);
  });

  await as('Reload tears the app down (answered) and starts it again; Close tears it down and closes the panel', async () => {
    const { page, app } = await appFrames(wb, 'show-bad-app');
    await debuggerLog(page); // the log is drawn while the debugger is open
    await page.locator('#app-reload').click();
    await waitText(page, '#app-log', (t) => /torn down \(reload\): it answered ui\/resource-teardown/.test(t), 'the reload teardown in the log');
    const again = await waitFor(async () => {
      const f = page.childFrames().find((c) => !c.isDetached() && c !== app && c.url() === 'about:srcdoc');
      return f && (await text(f, '#status')) === 'initialized' ? f : undefined;
    }, { timeoutMs: 30000, what: 'the reloaded app to initialize' });
    // The result follows the handshake (nothing goes to an app before it says initialized).
    await waitText(again, '#tool-result', (t) => t.includes('bad app ready'), 'the reloaded app to get the tool result again', 15000);
    await page.locator('#app-close').click();
    await waitFor(async () => page.isDetached() || undefined, { timeoutMs: 15000, what: 'the app panel to close' });
    const logs = path.join(phase.userDataDir, 'logs');
    const said = await waitFor(() => {
      const files = fs.readdirSync(logs, { recursive: true }).map(String).filter((f) => f.endsWith('.log'));
      return files.some((f) => /torn down \(closed by the user\): it answered ui\/resource-teardown/.test(fs.readFileSync(path.join(logs, f), 'utf8'))) || undefined;
    }, { timeoutMs: 15000, what: "the server's log to say the app answered the teardown" });
    log(`  closed; the server log says the teardown was answered: ${said}`);
  });
}
