// The workbench phase (issue 11): a person using MCP Host's panels in the real VS Code —
// a tool panel filled by keyboard only, its structured result, Cancel, a re-run from the
// history, server-everything's elicitation in one form, a sampling request edited before
// it is sent, the protocol trace with a replay. The time from the command to an
// interactive form is measured (first open, then warm) and printed.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { REPO } from '../integration/workspace.mjs';
import { waitFor } from './lib/proc.mjs';
import { clearField, fieldId, tabTo, tabToButton, textOf, typeInto, webviewFrame } from './lib/webview.mjs';

const SHOTS = path.join(REPO, '.e2e', 'screenshots');

/** A screenshot under its own name (a candidate for media/): .e2e/screenshots/screenshot-<name>.png. */
async function mediaShot(wb, name, log) {
  const file = path.join(SHOTS, `screenshot-${name}.png`);
  await wb.page.mouse.move(1390, 890).catch(() => {}); // no hover in the picture
  await wb.screenshot(file);
  log(`  screenshot ${path.relative(REPO, file)}`);
}

export const WB_SERVER = { forms: 'forms', basic: 'basic', everything: 'everything' };

/** The workbench phase's servers: user servers (no start consent), stdio. */
export function workbenchServers(node) {
  const fixtures = path.join(REPO, 'test', 'fixtures', 'servers');
  return {
    [WB_SERVER.forms]: { type: 'stdio', command: node, args: [path.join(fixtures, 'forms.mjs')] },
    [WB_SERVER.basic]: { type: 'stdio', command: node, args: [path.join(fixtures, 'basic.mjs')] },
    [WB_SERVER.everything]: { type: 'stdio', command: node, args: [path.join(REPO, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js'), 'stdio'] },
  };
}

const RUNNING = /^running · \d+ tools?$/;

export async function waitRunning(wb, names) {
  await wb.openViewContainer('MCP Host');
  const pane = wb.pane('Servers');
  await pane.waitFor({ state: 'visible', timeout: 15000 });
  for (const n of names) {
    await waitFor(async () => (await wb.treeRows(pane)).some((r) => r.level === 1 && r.label === n && RUNNING.test(r.description)),
      { timeoutMs: 60000, what: `${n} to run` });
  }
}

/** Call Tool… from the palette up to the tool panel; returns the frame and the ms it took. */
export async function openToolPanel(wb, server, tool, title) {
  await wb.runCommand('MCP Host: Call Tool…');
  // Rarely the palette's closing animation takes the command's own quick pick with it (VS Code
  // 1.139 leaves the widget inert); the command is run once more then.
  const s = await wb.waitQuickInput({ title: /^MCP Host: Call Tool — /, timeoutMs: 5000 }).catch(async () => {
    await wb.runCommand('MCP Host: Call Tool…');
    return wb.waitQuickInput({ title: /^MCP Host: Call Tool — / });
  });
  if (s.title === 'MCP Host: Call Tool — pick a server') await wb.pick(server, { title: s.title });
  await wb.waitQuickInput({ title: `MCP Host: Call Tool — ${server}` });
  await wb.setQuickInputValue(tool);
  const row = wb.quickInput().locator('.quick-input-list .monaco-list-row', { has: wb.page.locator('.label-name', { hasText: new RegExp(`^\\s*${tool}\\s*$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  // The clock runs from the pick (the command's last step) to a form that takes input.
  const started = Date.now();
  await wb.page.keyboard.press('Enter');
  const frame = await webviewFrame(wb, 'tool', { title });
  await frame.locator('#run').waitFor({ state: 'visible', timeout: 10000 });
  return { frame, ms: Date.now() - started };
}

/** Focuses the page of the active panel (a click on its heading: no control there). */
async function focusPage(frame) {
  await frame.locator('h1').first().click();
}

export async function workbenchSteps({ step, phase, log, answerDialogsUntil, timings }) {
  const { wb } = phase;
  const ws = (name, fn, opts) => step(`workbench: ${name}`, fn, opts);
  let trip;

  await ws('the servers run', async () => {
    await waitRunning(wb, Object.values(WB_SERVER));
  });

  await ws('Call Tool… opens the tool panel (first open timed)', async ({ shot }) => {
    await wb.closeAllEditors();
    const { frame, ms } = await openToolPanel(wb, WB_SERVER.forms, 'plan-trip', /^Plan a Trip — forms$/);
    timings.firstOpenMs = ms;
    log(`  tool panel, first open: ${ms} ms from the pick to an interactive form`);
    const header = await textOf(frame, '.tool-header');
    assert.match(header, /Plan a Trip/);
    assert.match(header, /read-only/);
    assert.match(header, /idempotent/);
    assert.equal(await frame.locator('.description strong').first().textContent(), 'several stops', 'the description is rendered Markdown');
    trip = frame;
    await shot('workbench-tool-form');
  });

  await ws('fill a nested form by keyboard only, run, see the structured result and its tree', async ({ shot }) => {
    const f = trip;
    const kb = wb.page.keyboard;
    await focusPage(f);
    await tabTo(wb, f, fieldId('arg', '/traveller/name'));
    await kb.type('Ada Lovelace');
    await tabTo(wb, f, fieldId('arg', '/traveller/email'));
    await kb.type('ada@example');
    // Inline validation while typing: not an e-mail address yet.
    await waitFor(async () => /mail/i.test(await textOf(f, `#${fieldId('arg', '/traveller/email')}-error`)), { timeoutMs: 5000, what: 'the e-mail problem shown inline' });
    await kb.type('.com');
    await waitFor(async () => (await textOf(f, `#${fieldId('arg', '/traveller/email')}-error`)) === '', { timeoutMs: 5000, what: 'the e-mail problem to go' });
    // The array starts with its one required stop (minItems 1), or gets it with "Add item".
    if (!(await f.locator(`#${fieldId('arg', '/stops/0/city')}`).count())) {
      await tabToButton(wb, f, 'Add stops');
      await kb.press('Enter');
    }
    await tabTo(wb, f, fieldId('arg', '/stops/0/city'));
    await kb.type('Paris');
    await tabTo(wb, f, fieldId('arg', '/stops/0/nights'));
    await clearField(wb, f.locator(`#${fieldId('arg', '/stops/0/nights')}`));
    await kb.type('2');
    await tabToButton(wb, f, 'Add item');
    await kb.press('Enter');
    await tabTo(wb, f, fieldId('arg', '/stops/1/city'));
    await kb.type('Vienna');
    // The variant: the select, by keyboard (open, move, choose).
    await tabTo(wb, f, fieldId('arg', '/transport'));
    const variant = async () => (await f.locator(`#${fieldId('arg', '/transport')}`).evaluate((el) => el.value));
    if ((await variant()) !== '0') {
      await kb.press('Enter');
      await kb.press('Home');
      await kb.press('Enter');
    }
    await waitFor(async () => (await variant()) === '0', { timeoutMs: 5000, what: 'the train variant chosen' });
    await shot('workbench-tool-form-filled');
    await f.locator('.tool-header').evaluate((el) => el.scrollIntoView());
    await mediaShot(wb, 'tool-form', log);
    await kb.press('Control+Enter');
    await f.locator('.outcome .structured').waitFor({ state: 'visible', timeout: 20000 });
    const structured = await textOf(f, '.outcome .structured');
    assert.match(structured, /Matches the output schema/);
    assert.match(structured, /totalNights/);
    assert.match(structured, /Ada Lovelace visits Paris, Vienna by train \(second class\), 3 nights\./);
    // The tree: the top level open, "cities" (2 items) too; its items are its own, not the root's again.
    const rows = async () => (await f.locator('.outcome .structured .json-tree [role="treeitem"]').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    await waitFor(async () => (await rows()).some((r) => /^▾? ?"cities": \[2\]/.test(r)), { timeoutMs: 5000, what: 'the "cities" node' });
    const tree = await rows();
    assert.ok(tree.some((r) => r === '0: "Paris"') && tree.some((r) => r === '1: "Vienna"'), `the cities' items in the tree: ${tree.join(' | ')}`);
    assert.equal(tree.filter((r) => /"summary"/.test(r)).length, 1, `the root's members appear once: ${tree.join(' | ')}`);
    await shot('workbench-tool-result');
    await f.locator('.outcome').evaluate((el) => el.scrollIntoView());
    await mediaShot(wb, 'tool-result', log);
  });

  await ws('re-run from the history', async () => {
    const f = trip;
    await f.locator('.history vscode-collapsible').evaluate((el) => { el.open = true; });
    const before = await f.locator('.history-entry').count();
    assert.ok(before >= 1, 'the call is in the history');
    await f.locator('.history-entry').first().locator('vscode-button', { hasText: 'Run again' }).click();
    await waitFor(async () => (await f.locator('.history-entry').count()) === before + 1, { timeoutMs: 20000, what: 'a second history entry' });
    assert.match(await textOf(f, '.outcome .structured'), /3 nights/);
    // Copy command: the mcp-host line of that call reaches the clipboard.
    await wb.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(wb.page.url()).origin }).catch(() => {});
    await f.locator('.history-entry').first().locator('vscode-button', { hasText: 'Copy command' }).click();
    const copied = await waitFor(async () => {
      const text = await wb.page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
      return /^mcp-host call plan-trip --args '/.test(text) ? text : undefined;
    }, { timeoutMs: 10000, what: 'the command line in the clipboard' });
    assert.match(copied, /^mcp-host call plan-trip --args '\{.*"name":"Ada Lovelace".*\}' --server forms$/);
    log(`  copied: ${copied}`);
  });

  await ws('Edit as JSON shows the same value, both ways', async () => {
    const f = trip;
    const json = () => f.locator('.json-editor vscode-textarea').evaluate((el) => el.value);
    await f.locator('#json-toggle').click();
    await waitFor(async () => /"city": "Vienna"/.test(await json()), { timeoutMs: 5000, what: 'the arguments as JSON' });
    const edited = JSON.parse(await json());
    edited.stops[1].city = 'Wien';
    await typeInto(wb, f, f.locator('.json-editor vscode-textarea'), JSON.stringify(edited), { log });
    await f.locator('#json-toggle').click();
    const city = f.locator(`#${fieldId('arg', '/stops/1/city')}`);
    await waitFor(async () => (await city.evaluate((el) => el.value)) === 'Wien', { timeoutMs: 5000, what: 'the form to show the city edited as JSON' });
    await typeInto(wb, f, city, 'Vienna', { log });
  });

  await ws('a click on a tool in the Servers view opens its panel (the open one, revealed)', async () => {
    await wb.openViewContainer('MCP Host');
    const pane = wb.pane('Servers');
    await wb.expandRow(wb.treeRow(pane, WB_SERVER.forms, 1));
    // The server's groups are drawn after the expand: wait for them, as a person looks.
    const tools = await waitFor(async () => (await wb.treeRows(pane)).find((r) => r.level === 2 && r.label.startsWith('Tools')),
      { timeoutMs: 10000, what: 'the Tools group of forms' });
    await wb.expandRow(wb.treeRow(pane, tools.label, 2));
    await waitFor(async () => (await wb.treeRows(pane)).some((r) => r.level === 3 && r.label === 'plan-trip'), { timeoutMs: 10000, what: 'the plan-trip leaf' });
    await wb.treeRow(pane, 'plan-trip', 3).click();
    await waitFor(async () => (await wb.tabs()).some((t) => t.active && t.label === 'Plan a Trip — forms'), { timeoutMs: 10000, what: 'the Plan a Trip panel active' });
    assert.equal((await wb.tabs()).filter((t) => t.label === 'Plan a Trip — forms').length, 1, 'one panel per tool');
    trip = await webviewFrame(wb, 'tool', { title: /^Plan a Trip — forms$/ });
    assert.ok((await trip.locator('.history-entry').count()) >= 2, 'the same panel, with its history');
  });

  await ws('Open as Document keeps the read-only result document', async () => {
    await trip.locator('.outcome vscode-button', { hasText: 'Open as Document' }).click();
    await wb.waitActiveTab('plan-trip result');
    await wb.waitEditorText(/Ada Lovelace visits Paris, Vienna/);
    trip = await openToolPanel(wb, WB_SERVER.forms, 'plan-trip', /^Plan a Trip — forms$/).then((r) => r.frame);
  });

  await ws('an image inline; a resource link opens through Read Resource', async ({ shot }) => {
    const { frame: img } = await openToolPanel(wb, WB_SERVER.everything, 'get-tiny-image', /Tiny Image.* — everything$/);
    await img.locator('#run').click();
    await img.locator('.outcome .block.image img').waitFor({ state: 'visible', timeout: 20000 });
    const natural = await img.locator('.outcome .block.image img').evaluate((el) => el.naturalWidth);
    assert.ok(natural > 0, 'the image decoded (its data URL passed the CSP)');
    const { frame: links } = await openToolPanel(wb, WB_SERVER.everything, 'get-resource-links', /Resource Links.* — everything$/);
    await links.locator('#run').click();
    const link = links.locator('.outcome vscode-button.resource-link').first();
    await link.waitFor({ state: 'visible', timeout: 20000 });
    await shot('workbench-resource-links');
    await link.click();
    // Read Resource opens what the link names in a read-only document.
    await wb.waitEditorText(/^Resource 1: /, { timeoutMs: 15000 });
  });

  await ws('cancel a long-running call', async ({ shot }) => {
    const { frame: f } = await openToolPanel(wb, WB_SERVER.basic, 'slow', /^slow — basic$/);
    await focusPage(f);
    const kb = wb.page.keyboard;
    await tabTo(wb, f, fieldId('arg', '/steps'));
    await clearField(wb, f.locator(`#${fieldId('arg', '/steps')}`));
    await kb.type('60');
    await tabTo(wb, f, fieldId('arg', '/delayMs'));
    await clearField(wb, f.locator(`#${fieldId('arg', '/delayMs')}`));
    await kb.type('500');
    await kb.press('Control+Enter');
    await waitFor(async () => /step \d+\/60/.test(await textOf(f, '.progress')), { timeoutMs: 15000, what: 'the server\'s progress message in the panel' });
    await shot('workbench-tool-progress');
    await f.locator('#cancel').click();
    await waitFor(async () => /Cancelled/.test(await textOf(f, '.outcome')), { timeoutMs: 15000, what: '"Cancelled" in the panel' });
    assert.equal(await f.locator('.progress').count(), 0, 'the progress is gone');
  });

  await ws("answer server-everything's elicitation in one form", async ({ shot }) => {
    const { frame: tool } = await openToolPanel(wb, WB_SERVER.everything, 'trigger-elicitation-request', /Elicitation Request.* — everything$/);
    await tool.locator('#run').click();
    const f = await webviewFrame(wb, 'elicitation', { timeoutMs: 20000 });
    assert.match(await textOf(f, '.server-message'), /Please provide inputs/);
    const fields = await f.locator('.field').count();
    assert.ok(fields >= 10, `every field at once (${fields})`);
    await shot('workbench-elicitation');
    const fill = (pointer, value) => typeInto(wb, f, f.locator(`#${fieldId('el', pointer)}`), value, { log });
    const names = await f.locator('.field').evaluateAll((els) => els.map((e) => e.dataset.pointer));
    if (names.includes('/name')) await fill('/name', 'Ada Lovelace');
    if (names.includes('/email')) await fill('/email', 'ada@example.com');
    await mediaShot(wb, 'elicitation', log);
    // Whatever else is required and still empty gets a plausible value.
    await f.locator('#accept').click();
    // The panel closes on Submit: what it said (if it stayed) is read only while it is there.
    const problems = await f.locator('.error[role="alert"]').allTextContents().catch(() => []);
    if (problems.some((p) => p.trim())) log(`  elicitation problems after Submit: ${problems.filter((p) => p.trim()).join(' | ')}`);
    // The form closes; the tool panel shows again (a new page: hidden pages are unloaded).
    const back = await webviewFrame(wb, 'tool', { title: /Elicitation Request.* — everything$/ });
    await waitFor(async () => /User provided the requested information/.test(await textOf(back, '.outcome')), { timeoutMs: 20000, what: 'the tool result after Submit' });
    assert.match(await textOf(back, '.outcome'), /Name: Ada Lovelace/);
  }, { timeoutMs: 120000 });

  await ws('edit a sampling request before approving it; the edit reaches the server', async ({ shot }) => {
    const { frame: tool } = await openToolPanel(wb, WB_SERVER.everything, 'trigger-sampling-request', /Sampling Request.* — everything$/);
    await typeInto(wb, tool, tool.locator(`#${fieldId('arg', '/prompt')}`), 'Hello model', { log });
    await tool.locator('#run').click();
    const f = await webviewFrame(wb, 'sampling', { timeoutMs: 20000 });
    assert.match(await textOf(f, 'h1'), /everything asks for a completion/);
    await typeInto(wb, f, f.locator('.messages vscode-textarea').first(), 'Edited by the person', { log });
    await shot('workbench-sampling-review');
    await f.locator('#generate').click();
    // VS Code may ask once whether MCP Host may use the companion's models.
    await answerDialogsUntil(phase, async () => (await f.locator('#return').count()) > 0, { timeoutMs: 30000 });
    const completion = () => f.locator('.sampling-completion vscode-textarea').first().evaluate((el) => el.value);
    await waitFor(async () => /^Echo from test model: .*Edited by the person/.test(await completion()), { timeoutMs: 5000, what: 'the completion of the edited request' })
      .catch(async (e) => { throw new Error(`${e.message} (it shows "${await completion()}")`); });
    await mediaShot(wb, 'sampling', log);
    await f.locator('#return').click();
    const back = await webviewFrame(wb, 'tool', { title: /Sampling Request.* — everything$/ });
    await waitFor(async () => /Echo from test model: .*Edited by the person/.test(await textOf(back, '.outcome')), { timeoutMs: 20000, what: 'the edited request\'s answer in the tool result' });
  }, { timeoutMs: 120000 });

  await ws('the sampling log lists the request, its decision and the tokens', async () => {
    await wb.runCommand('MCP Host: Show Sampling Log');
    await wb.waitActiveTab('Sampling Log.md');
    await wb.waitEditorText(/\| everything \| approved \| mcp-host-test-echo \| \d+ \| \d+ \| 1 \| 100 \| request \|/);
  });

  await ws('the panels follow the theme: light and high contrast', async ({ shot }) => {
    const background = async () => (await webviewFrame(wb, 'tool', { title: /^Plan a Trip — forms$/ })).evaluate(() => getComputedStyle(document.body).backgroundColor);
    await openToolPanel(wb, WB_SERVER.forms, 'plan-trip', /^Plan a Trip — forms$/);
    const dark = await background();
    for (const [theme, label] of [['Light Modern', 'light'], ['Dark High Contrast', 'high-contrast'], ['Dark Modern', 'dark']]) {
      await wb.runCommand('Preferences: Color Theme');
      await wb.pick(theme);
      await wb.waitQuickInputClosed().catch(() => wb.page.keyboard.press('Enter'));
      const now = await waitFor(async () => { const b = await background(); return b !== dark || label === 'dark' ? b : undefined; }, { timeoutMs: 10000, what: `the panel to take the ${theme} colours` });
      log(`  theme ${theme}: the panel's background is ${now}`);
      if (label !== 'dark') await mediaShot(wb, `theme-${label}`, log);
    }
  });

  await ws('open the protocol trace, find the call, replay it', async ({ shot }) => {
    await wb.runCommand('MCP Host: Show Protocol Trace');
    const s = await wb.waitQuickInput({ title: /Show Protocol Trace/ }).catch(() => undefined);
    if (s) await wb.pick(WB_SERVER.forms, { title: s.title });
    const t = await webviewFrame(wb, 'trace', { title: /Protocol Trace/ });
    // A call made while the trace is open: Run again in the tool panel.
    const { frame: tool } = await openToolPanel(wb, WB_SERVER.forms, 'plan-trip', /^Plan a Trip — forms$/);
    await tool.locator('.history-entry').first().locator('vscode-button', { hasText: 'Run again' }).click();
    await waitFor(async () => /3 nights/.test(await textOf(tool, '.outcome .structured')), { timeoutMs: 20000, what: 'the call to finish' });
    await wb.runCommand('MCP Host: Show Protocol Trace');
    const s2 = await wb.waitQuickInput({ title: /Show Protocol Trace/ }).catch(() => undefined);
    if (s2) await wb.pick(WB_SERVER.forms, { title: s2.title });
    const trace = await webviewFrame(wb, 'trace', { title: /Protocol Trace/ });
    void t;
    const traceTabs = (await wb.tabs()).filter((x) => /^Protocol Trace/.test(x.label));
    assert.equal(traceTabs.length, 1, `the one trace panel is revealed, not a second one (${traceTabs.map((x) => x.label).join(', ')})`);
    await trace.locator('#trace-search').click();
    await wb.page.keyboard.type('tools/call');
    const requests = trace.locator('tr.trace-row.request', { hasText: 'tools/call' });
    await waitFor(async () => (await requests.count()) >= 1, { timeoutMs: 10000, what: 'the tools/call request in the trace' });
    const rowsBefore = await trace.locator('tr.trace-row').count();
    await requests.first().click();
    await trace.locator('.details').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await textOf(trace, '.details'), /plan-trip/);
    // The message as a tree: params open shows the call's own members.
    const detailRows = (await trace.locator('.details [role="treeitem"]').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.ok(detailRows.some((r) => r === '"name": "plan-trip"'), `params.name in the details tree: ${detailRows.join(' | ')}`);
    assert.match(await textOf(trace, '.details .cli'), /^mcp-host call plan-trip --args '.*' --server forms$/);
    await shot('workbench-trace');
    await mediaShot(wb, 'trace', log);
    await trace.locator('#replay').click();
    await waitFor(async () => /Replayed tools\/call/.test(await textOf(trace, '.details .notice')), { timeoutMs: 20000, what: 'the replay to answer' });
    await waitFor(async () => (await trace.locator('tr.trace-row').count()) >= rowsBefore + 2, { timeoutMs: 10000, what: 'the replayed request and its response in the list' });
    const responses = trace.locator('tr.trace-row.response', { hasText: 'tools/call' });
    assert.ok((await responses.count()) >= 2, 'two tools/call responses, each with its method');
    assert.match(await textOf(trace, 'tr.trace-row.response:last-of-type .status'), /OK/);
  }, { timeoutMs: 120000 });

  await ws('a result that breaks its output schema is shown with what is wrong', async () => {
    const { frame } = await openToolPanel(wb, WB_SERVER.forms, 'bad-output', /^bad-output — forms$/);
    await frame.locator('#run').click();
    await frame.locator('.outcome .schema-problems').waitFor({ state: 'visible', timeout: 20000 });
    assert.match(await textOf(frame, '.outcome .schema-problems'), /Does not match the tool's output schema:.*\/count/s);
    assert.match(await textOf(frame, '.outcome .structured'), /"many"/, 'the value is shown all the same');
  });

  await ws('the tool panel opens warm', async () => {
    await wb.closeAllEditors();
    const { frame, ms } = await openToolPanel(wb, WB_SERVER.forms, 'plan-trip', /^Plan a Trip — forms$/);
    timings.warmOpenMs = ms;
    log(`  tool panel, warm open: ${ms} ms from the pick to an interactive form`);
    assert.ok((await frame.locator('.history-entry').count()) >= 2, 'the history is still there');
  });

  await ws('the tool panel comes back after a window reload, with its form and history', async () => {
    const { frame: before } = await openToolPanel(wb, WB_SERVER.forms, 'plan-trip', /^Plan a Trip — forms$/);
    await typeInto(wb, before, before.locator(`#${fieldId('arg', '/traveller/name')}`), 'Ada Lovelace', { log });
    await wb.runCommand('Developer: Reload Window');
    await wb.page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    const f = await webviewFrame(wb, 'tool', { title: /^Plan a Trip — forms$/, timeoutMs: 60000 });
    const name = f.locator(`#${fieldId('arg', '/traveller/name')}`);
    await waitFor(async () => (await name.evaluate((el) => el.value)) === 'Ada Lovelace', { timeoutMs: 10000, what: 'the restored form to hold the name typed before the reload' });
    assert.ok((await f.locator('.history-entry').count()) >= 2, 'the history survived the reload');
    await waitRunning(wb, Object.values(WB_SERVER));
  }, { timeoutMs: 150000 });
}
