// The UI steps of the e2e run: a person using MCP Host per docs/ui-contract.md.
// Each `step(name, fn)` screenshots .e2e/screenshots/NN-<name>.png when it ends.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SERVER, USER_SERVER } from '../integration/workspace.mjs';
import { sleep, waitFor } from './lib/proc.mjs';
import { statelessUiSteps } from './ui.stateless.mjs';

const RUNNING = /^running · (\d+) tools?$/;
const VIEW = 'MCP Host';
const PANE = 'Servers';

async function serversPane(wb) {
  await wb.openViewContainer(VIEW);
  const pane = wb.pane(PANE);
  await pane.waitFor({ state: 'visible', timeout: 15000 });
  return pane;
}

/** Waits until the root item `name` shows a description matching `re`. */
async function waitServerRow(wb, pane, name, re, timeoutMs = 30000) {
  return waitFor(async () => {
    const row = (await wb.treeRows(pane)).find((r) => r.level === 1 && r.label === name);
    return row && re.test(row.description) ? row : undefined;
  }, { timeoutMs, what: `server "${name}" to show ${re}` });
}

/** Command palette → Call Tool… → server → tool (pickers per the contract). */
async function startCallTool(wb, server, tool) {
  await wb.runCommand('MCP Host: Call Tool…');
  const s = await wb.waitQuickInput({ title: /^MCP Host: Call Tool — / });
  if (s.title === 'MCP Host: Call Tool — pick a server') {
    await wb.pick(server, { title: 'MCP Host: Call Tool — pick a server' });
  }
  await wb.pick(tool, { title: `MCP Host: Call Tool — ${server}` });
}

const ALL_SERVERS = new Set(Object.values(SERVER));

/** Runs a palette command whose first picker chooses a server (skipped when only one runs). */
async function pickServerFor(wb, command, server) {
  await wb.runCommand(command);
  // The palette itself has no title: wait for the command's own picker.
  const s = await waitFor(async () => {
    const q = await wb.quickInputState();
    return q && q.title && q.rows.length > 0 ? q : undefined;
  }, { timeoutMs: 15000, what: `the first picker of ${command}` });
  if (/pick a server$/.test(s.title) || s.rows.every((r) => ALL_SERVERS.has(r.label))) await wb.pick(server, { title: s.title });
}

export async function uiSteps({ step, phase, log, serverProcesses, answerDialogsUntil }) {
  const { wb } = phase;
  const names = Object.keys(phase.servers);
  const hasBasic = names.includes(SERVER.basic);
  let pane;

  const serversRun = await step('servers view shows each server running with its tool count', async () => {
    pane = await serversPane(wb);
    for (const n of names) {
      const row = await waitServerRow(wb, pane, n, RUNNING, 60000);
      // The skills server offers skills (and resources) only.
      if (n === SERVER.skills) assert.equal(row.description, 'running · 0 tools');
      else assert.ok(Number(RUNNING.exec(row.description)[1]) > 0, `${n} has tools`);
    }
    const status = await waitFor(async () => (await wb.statusBarTexts()).find((t) => /^MCP \d+\/\d+$/.test(t)),
      { timeoutMs: 5000, what: 'the status bar item "MCP n/m"' });
    assert.equal(status, `MCP ${names.length}/${names.length}`);
  });

  if (!serversRun && !process.env.E2E_STEPS) {
    // Every later step needs running servers: fail once, fast, instead of 13 timeouts.
    throw new Error('the servers never showed as running; skipped the remaining UI steps');
  }

  await step('expand tools of server-everything', async () => {
    pane = await serversPane(wb);
    for (const n of names) await wb.collapseRow(wb.treeRow(pane, n, 1)).catch(() => {});
    await wb.expandRow(wb.treeRow(pane, SERVER.everything, 1));
    const groups = (await wb.treeRows(pane)).filter((r) => r.level === 2).map((r) => r.label);
    assert.ok(['Tools', 'Resources', 'Prompts'].every((g, i) => groups[i]?.startsWith(g)), `groups: ${groups.join(', ')}`);
    await wb.expandRow(wb.treeRow(pane, groups[0], 2));
    await waitFor(async () => (await wb.treeRows(pane)).some((r) => r.level === 3 && r.label === 'echo' && r.description === 'Echo Tool'),
      { what: 'the echo tool leaf (description "Echo Tool")' });
  });

  await step('expand resources and prompts of server-everything', async () => {
    pane = await serversPane(wb);
    await wb.expandRow(wb.treeRow(pane, SERVER.everything, 1));
    const rows = () => wb.treeRows(pane);
    const groupLabel = async (prefix) => (await rows()).find((r) => r.level === 2 && r.label.startsWith(prefix)).label;
    await wb.collapseRow(wb.treeRow(pane, await groupLabel('Tools'), 2));
    await wb.expandRow(wb.treeRow(pane, await groupLabel('Resources'), 2));
    await waitFor(async () => (await rows()).some((r) => r.level === 3 && r.label === 'Dynamic Text Resource' && r.description === 'demo://resource/dynamic/text/{resourceId}'),
      { what: 'the Dynamic Text Resource template leaf' });
    assert.ok((await rows()).some((r) => r.level === 3 && r.description.startsWith('demo://resource/static/document/')), 'a static resource leaf');
    await wb.expandRow(wb.treeRow(pane, await groupLabel('Prompts'), 2));
    await waitFor(async () => (await rows()).some((r) => r.level === 3 && r.label === 'args-prompt'), { what: 'the args-prompt leaf' });
  });

  await step('call tool echo from the command palette', async ({ shot }) => {
    await wb.closeAllEditors();
    await startCallTool(wb, SERVER.everything, 'echo');
    await wb.waitQuickInput({ title: 'echo: message (1/1)' });
    await shot('echo-argument');
    await wb.answerInput('echo: message (1/1)', 'Hello from Playwright');
    await wb.waitActiveTab('echo result');
    await wb.waitEditorText('Echo: Hello from Playwright');
    // The call is over: its progress notification closes.
    await waitFor(async () => !(await wb.notifications()).some((n) => n.message.includes(`${SERVER.everything} › echo`)),
      { timeoutMs: 10000, what: 'the "everything › echo" progress notification to close after the result opened' });
    const msg = await wb.tryTypingInActiveEditor('x');
    assert.match(String(msg), /read-?only/i, `typing in the result shows a read-only message (got ${msg})`);
    assert.ok(!(await wb.activeEditorText()).includes('xEcho'), 'the result text is unchanged');
  });

  await step('read a resource', async () => {
    await wb.closeAllEditors();
    await pickServerFor(wb, 'MCP Host: Read Resource…', SERVER.everything);
    await wb.pick('features.md');
    await wb.waitActiveTab(/features\.md/);
    await wb.waitEditorText(/\S/);
  });

  await step('read a resource template with completion', async ({ shot }) => {
    await wb.closeAllEditors();
    await pickServerFor(wb, 'MCP Host: Read Resource…', SERVER.everything);
    await wb.pick('Dynamic Text Resource');
    await wb.waitQuickInput({ title: 'Dynamic Text Resource: resourceId' });
    await wb.setQuickInputValue('5');
    // The server's completion suggests "5" for a positive integer.
    await waitFor(async () => (await wb.quickInputState())?.rows.some((r) => r.label === '5'), { timeoutMs: 5000, what: 'the completion "5"' })
      .catch(() => log('  (no completion item shown for "5"; accepting the typed text)'));
    await shot('resource-template-variable');
    await wb.page.keyboard.press('Enter');
    await wb.waitEditorText(/Resource 5: This is a plaintext resource/);
  });

  await step('get a prompt with an argument', async () => {
    await wb.closeAllEditors();
    await pickServerFor(wb, 'MCP Host: Get Prompt…', SERVER.everything);
    await wb.pick('args-prompt');
    await wb.answerInput('args-prompt: city (1/2)', 'Paris');
    await wb.answerInput('args-prompt: state (2/2)', '');
    await wb.waitEditorText(/## user/);
    await wb.waitEditorText("What's weather in Paris?");
  });

  await step('get a prompt with argument completion', async () => {
    await wb.closeAllEditors();
    await pickServerFor(wb, 'MCP Host: Get Prompt…', SERVER.everything);
    await wb.pick('completable-prompt');
    await wb.waitQuickInput({ title: 'completable-prompt: department (1/2)' });
    await wb.setQuickInputValue('Eng');
    // The answer for "Eng" (only Engineering), not the list still shown from the empty value:
    // a click on a row the next answer replaces accepts the typed "Eng".
    await waitFor(async () => {
      const rows = (await wb.quickInputState())?.rows ?? [];
      return rows.some((r) => r.label === 'Engineering') && rows.every((r) => r.label.startsWith('Eng'));
    }, { what: 'the completion "Engineering" for "Eng" (and no other department)' });
    await wb.pick('Engineering', { filter: false });
    await wb.waitQuickInput({ title: 'completable-prompt: name (2/2)' });
    await waitFor(async () => (await wb.quickInputState())?.rows.some((r) => r.label === 'Alice'), { what: 'the completion "Alice" (depends on department)' });
    await wb.pick('Alice', { filter: false });
    await wb.waitEditorText('Please promote Alice to the head of the Engineering team.');
  });

  await step('sampling: approve, answered by the test model', async ({ shot }) => {
    await wb.closeAllEditors();
    await startCallTool(wb, SERVER.everything, 'trigger-sampling-request');
    await wb.answerInput('trigger-sampling-request: prompt (1/2)', 'Hello model');
    const s = await wb.waitQuickInput({ title: 'trigger-sampling-request: maxTokens (2/2)' });
    assert.equal(s.value, '100', 'maxTokens is prefilled with its default');
    await wb.page.keyboard.press('Enter');
    const d = await wb.waitDialog(`MCP server "${SERVER.everything}" wants to use a language model.`, { timeoutMs: 20000 });
    assert.ok(d.buttons.includes('Approve') && d.buttons.includes('Deny'), `buttons ${d.buttons.join(', ')}`);
    assert.match(d.detail + d.body, /You are a helpful test server\./, 'the dialog shows the system prompt');
    await shot('sampling-approval-dialog');
    await wb.clickDialogButton('Approve');
    // VS Code may ask once whether MCP Host may use the companion's models.
    await answerDialogsUntil(phase, async () => /Echo from test model/.test(await wb.activeEditorText()), { timeoutMs: 30000 });
    await wb.waitActiveTab('trigger-sampling-request result');
    await wb.waitEditorText('Echo from test model: Resource trigger-sampling-request context: Hello model');
  });

  await step('elicitation: answer the form', async ({ shot }) => {
    await wb.closeAllEditors();
    await startCallTool(wb, SERVER.everything, 'trigger-elicitation-request');
    const d = await wb.waitDialog(`MCP server "${SERVER.everything}" asks: Please provide inputs for the following fields:`, { timeoutMs: 20000 });
    assert.ok(d.buttons.includes('Respond') && d.buttons.includes('Decline'), `buttons ${d.buttons.join(', ')}`);
    await shot('elicitation-dialog');
    await wb.clickDialogButton('Respond');
    const fill = {
      'String': 'Ada Lovelace',
      'String with email format': 'ada@example.com',
      'String with uri format': 'https://example.com/ada',
      'String with date format': '1815-12-10',
    };
    const fieldTitle = new RegExp(`^${SERVER.everything}: (.*) \\((\\d+)/(\\d+)\\)$`);
    // The state of the quick input once it stopped changing (fields replace each other).
    const settled = async () => {
      const a = await wb.quickInputState();
      await sleep(150);
      const b = await wb.quickInputState();
      return a && b && a.title === b.title && a.rows.length === b.rows.length ? b : undefined;
    };
    let lastTitle = '';
    let repeats = 0;
    let n = 0;
    for (let i = 0; i < 60; i++) {
      const next = await waitFor(async () => {
        if ((await wb.activeEditorText()).includes('User provided the requested information!')) return { done: true };
        const q = await settled();
        return q && fieldTitle.test(q.title) ? { q } : undefined;
      }, { timeoutMs: 30000, what: 'the next elicitation field or the result document' });
      if (next.done) break;
      const q = next.q;
      const [, field, , total] = fieldTitle.exec(q.title);
      n = Number(total);
      repeats = q.title === lastTitle ? repeats + 1 : 0;
      lastTitle = q.title;
      if (repeats > 2) throw new Error(`stuck on "${q.title}": ${q.message}`);
      if (field === 'String') await shot('elicitation-field');
      if (q.rows.length > 0 && !(field in fill)) {
        // enum/boolean: a quick pick; multi-select: keep the defaults (or tick the first).
        if (q.canPickMany && !q.rows.some((r) => r.checked === 'true')) await wb.page.keyboard.press('Space');
        if (!q.canPickMany && field === 'Boolean') {
          await wb.pick(q.rows.find((r) => /true|yes/i.test(r.label))?.label ?? q.rows[0].label, { filter: false });
        } else {
          await wb.page.keyboard.press('Enter');
        }
      } else {
        if (field in fill) await wb.setQuickInputValue(fill[field]);
        else if (repeats > 0) {
          // The value was refused (validation message): give a valid one.
          await wb.setQuickInputValue(/Integer/.test(field) ? '42' : /Number/.test(field) ? '3.14' : 'x');
        }
        await wb.page.keyboard.press('Enter');
      }
      // Wait for this field to give way (or stay, when the value was refused).
      await waitFor(async () => (await wb.quickInputState())?.title !== q.title, { timeoutMs: 3000, intervalMs: 50 }).catch(() => {});
    }
    assert.ok(n >= 10, `the form asked each field (n = ${n})`);
    await wb.waitEditorText('User provided the requested information!', { timeoutMs: 20000 });
    await wb.waitEditorText('- Name: Ada Lovelace');
  }, { timeoutMs: 150000 });

  await step('long-running tool: progress, then cancel', async ({ shot }) => {
    await wb.closeAllEditors();
    await wb.clearNotifications();
    const server = hasBasic ? SERVER.basic : SERVER.everything;
    const tool = hasBasic ? 'slow' : 'trigger-long-running-operation';
    await startCallTool(wb, server, tool);
    if (hasBasic) {
      await wb.answerInput('slow: steps (1/2)', '60');
      await wb.answerInput('slow: delayMs (2/2)', '500');
    } else {
      await wb.answerInput('trigger-long-running-operation: duration (1/2)', '30');
      await wb.answerInput('trigger-long-running-operation: steps (2/2)', '30');
    }
    const title = `${server} › ${tool}`;
    await wb.waitNotification(title, { timeoutMs: 15000 });
    if (hasBasic) {
      // The server's progress messages appear in the notification.
      await wb.waitNotification(/step [2-9]\/60|step \d\d\/60/, { timeoutMs: 15000 });
    } else {
      await sleep(3000);
    }
    await shot('long-running-progress');
    const toast = wb.notificationToast(title);
    await toast.hover();
    await toast.locator('.notification-list-item-buttons-container a.monaco-button', { hasText: /^Cancel$/ }).click();
    await waitFor(async () => !(await wb.notifications()).some((n) => n.message.includes(title) && n.progress),
      { timeoutMs: 10000, what: 'the progress notification to go away' });
    if (hasBasic) {
      // The fixture writes "CANCELLED slow" to stderr when the cancellation reaches it, and
      // then never answers: after that event no result document can come.
      await pickServerFor(wb, 'MCP Host: Show Server Output', SERVER.basic);
      await waitFor(async () => {
        const text = await wb.page.locator('.part.panel .monaco-editor .view-lines').allTextContents().catch(() => []);
        return /CANCELLED slow/.test(text.join('\n').replace(/\u00a0/g, ' '));
      }, { timeoutMs: 15000, what: 'the server output to show "CANCELLED slow"' });
    }
    assert.ok(!(await wb.tabs()).some((t) => t.label === `${tool} result`), 'no result document after cancel');
  }, { timeoutMs: 120000 });

  await step('stop a server from the view', async () => {
    await wb.closeAllEditors();
    await wb.page.keyboard.press('Escape');
    pane = await serversPane(wb);
    for (const n of names) await wb.collapseRow(wb.treeRow(pane, n, 1)).catch(() => {});
    const row = wb.treeRow(pane, SERVER.filesystem, 1);
    assert.ok(serverProcesses(phase.cs)[SERVER.filesystem]?.length, 'server-filesystem process runs before stop');
    await wb.clickRowAction(row, 'Stop Server');
    await waitServerRow(wb, pane, SERVER.filesystem, /^stopped$/);
    await waitFor(async () => !serverProcesses(phase.cs)[SERVER.filesystem], { timeoutMs: 10000, what: 'the server-filesystem process to exit' });
    await waitFor(async () => (await wb.statusBarTexts()).includes(`MCP ${names.length - 1}/${names.length}`),
      { timeoutMs: 5000, what: `status bar "MCP ${names.length - 1}/${names.length}"` });
  });

  await step('start the server again from the view', async () => {
    pane = await serversPane(wb);
    const row = wb.treeRow(pane, SERVER.filesystem, 1);
    await wb.clickRowAction(row, 'Start Server');
    await waitServerRow(wb, pane, SERVER.filesystem, RUNNING);
    assert.ok(serverProcesses(phase.cs)[SERVER.filesystem]?.length, 'server-filesystem process runs again');
  });

  await step('restart a server from the view', async () => {
    pane = await serversPane(wb);
    const before = serverProcesses(phase.cs)[SERVER.everything] ?? [];
    assert.ok(before.length, 'server-everything runs');
    await wb.clickRowAction(wb.treeRow(pane, SERVER.everything, 1), 'Restart Server');
    await waitFor(async () => {
      const now = serverProcesses(phase.cs)[SERVER.everything] ?? [];
      return now.length && !now.some((p) => before.includes(p));
    }, { timeoutMs: 20000, what: 'a new server-everything process' });
    await waitServerRow(wb, pane, SERVER.everything, RUNNING);
    await waitFor(async () => (await wb.statusBarTexts()).includes(`MCP ${names.length}/${names.length}`),
      { timeoutMs: 5000, what: `status bar "MCP ${names.length}/${names.length}"` });
  });

  // Issue 9: the 2026-07-28 servers, used the same way.
  await statelessUiSteps({ step, phase, log });
}

export async function untrustedSteps({ step, phase, log, serverProcesses, hostile }) {
  const { wb } = phase;
  const names = Object.keys(phase.servers);

  await step('untrusted: trust dialog → stay in restricted mode', async ({ shot }) => {
    const d = await wb.waitDialog('Do you trust the authors of the files in this folder?', { timeoutMs: 30000 });
    assert.ok(d.buttons.includes("No, I don't trust the authors"), `buttons ${d.buttons.join(', ')}`);
    await shot('untrusted-trust-dialog');
    await wb.clickDialogButton("No, I don't trust the authors");
    await waitFor(async () => (await wb.statusBarTexts()).some((t) => /Restricted Mode/.test(t)), { timeoutMs: 10000, what: 'Restricted Mode in the status bar' });
  });

  await step('untrusted: workspace servers stay stopped with the reason shown', async () => {
    const pane = await serversPane(wb);
    for (const n of names) await waitServerRow(wb, pane, n, /^stopped · workspace not trusted$/, 30000);
    log(`  untrusted: ${names.join(', ')} stopped · workspace not trusted`);
  });

  if (!hostile) return;
  await step('untrusted: user servers that reach into the workspace stay stopped; a plain user server runs', async () => {
    const pane = await serversPane(wb);
    // The plain user server running shows the extension's autostart has run (user servers
    // start in Restricted Mode too); the others' rows show their start was refused, and why.
    const plain = await waitServerRow(wb, pane, USER_SERVER.plain, RUNNING, 60000);
    const refused = {};
    for (const n of [USER_SERVER.venvCommand, USER_SERVER.envFile]) {
      refused[n] = (await waitServerRow(wb, pane, n, /^stopped · workspace not trusted$/, 30000)).description;
    }
    log(`  untrusted: ${USER_SERVER.plain} "${plain.description}"; ${Object.entries(refused).map(([n, d]) => `${n} "${d}"`).join('; ')}`);
    // Every start has been decided: no workspace server process, nothing the repository planted.
    const procs = serverProcesses(phase.cs);
    assert.deepEqual(Object.keys(procs), [], `no workspace MCP server process may run in restricted mode: ${JSON.stringify(procs)}`);
    const planted = plantedProcesses(phase.cs, phase.workspace);
    assert.deepEqual(planted, [], `processes running the repository's files: ${planted.join('; ')}`);
    const ran = Object.entries(hostile.markers).filter(([, f]) => fs.existsSync(f)).map(([k]) => k);
    assert.deepEqual(ran, [], 'the planted files wrote their markers: they ran');
    const dialog = await wb.dialogState();
    assert.ok(!dialog, `no start consent is asked in restricted mode (got "${dialog?.text}")`);
    // For the record (the step's screenshot): wide enough to read every row's reason.
    await widenSideBar(wb, 560).catch((e) => log(`  (could not widen the side bar: ${e.message})`));
  });
}

/** Drags the sash right of the side bar until the bar is `width` px wide (cosmetic, for screenshots). */
async function widenSideBar(wb, width) {
  const bar = wb.page.locator('.part.sidebar').first();
  const box = await bar.boundingBox();
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await wb.page.mouse.move(box.x + box.width, y);
  await wb.page.mouse.down();
  await wb.page.mouse.move(box.x + width, y, { steps: 8 });
  await wb.page.mouse.up();
  await waitFor(async () => ((await bar.boundingBox())?.width ?? 0) > box.width + 50, { timeoutMs: 5000, what: 'the side bar to widen' });
}

/** Processes of a code-server that run the planted `.venv/bin/evil` or preload `evil.js`. */
function plantedProcesses(cs, workspace) {
  const out = [];
  for (const pid of cs.snapshot()) {
    let cmd = '';
    let env = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.includes(path.join(workspace, '.venv', 'bin', 'evil')) || /NODE_OPTIONS=[^\0]*evil\.js/.test(env)) out.push(`${pid} ${cmd}`);
  }
  return out;
}
