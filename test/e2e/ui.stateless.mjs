// The UI steps of issue 9: a person using the 2026-07-28 servers — the stateless fixture over
// stdio (`stateless`) and Streamable HTTP (`stateless-http`), and the skills server — like the
// 2025-11-25 ones (ui.steps.mjs). Besides each step's own NN-<step>.png, the screenshots meant
// for media/ are written as .e2e/screenshots/screenshot-<what>.png.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { REPO, SERVER, STATELESS_HTTP } from '../integration/workspace.mjs';
import { sleep, waitFor } from './lib/proc.mjs';

const SHOTS = path.join(REPO, '.e2e', 'screenshots');
const RUNNING = /^running · (\d+) tools?$/;

/** A screenshot under its own name (a candidate for media/): .e2e/screenshots/screenshot-<name>.png. */
async function mediaShot(wb, name, log) {
  const file = path.join(SHOTS, `screenshot-${name}.png`);
  await wb.screenshot(file);
  log(`  screenshot ${path.relative(REPO, file)}`);
  return file;
}

async function serversPane(wb) {
  await wb.openViewContainer('MCP Host');
  const pane = wb.pane('Servers');
  await pane.waitFor({ state: 'visible', timeout: 15000 });
  return pane;
}

/** Collapses every server row, then expands `names` (their groups show). */
async function showOnly(wb, pane, names) {
  for (const r of (await wb.treeRows(pane)).filter((x) => x.level === 1)) {
    if (!names.includes(r.label)) await wb.collapseRow(wb.treeRow(pane, r.label, 1)).catch(() => {});
  }
  for (const n of names) await wb.expandRow(wb.treeRow(pane, n, 1));
}

/** The hover VS Code shows for a tree row (its tooltip), once it holds every one of `texts`. */
async function hoverRow(wb, row, texts) {
  // The previous row's hover goes first, so it cannot be taken for this one's.
  await wb.page.mouse.move(900, 650);
  await wb.page.keyboard.press('Escape');
  await waitFor(async () => (await wb.visibleHovers()).length === 0, { timeoutMs: 5000, intervalMs: 100, what: 'the previous hover to close' }).catch(() => {});
  await row.locator('.label-name').first().hover();
  const want = [texts].flat();
  return waitFor(async () => (await wb.visibleHovers()).find((t) => want.every((w) => t.includes(w))),
    { timeoutMs: 10000, intervalMs: 150, what: `the row's hover to show ${want.map((w) => `"${w}"`).join(' and ')}` });
}

/** Runs a palette command whose first picker chooses a server. */
async function pickServerFor(wb, command, server) {
  await wb.runCommand(command);
  const s = await waitFor(async () => {
    const q = await wb.quickInputState();
    return q && q.title && q.rows.length > 0 ? q : undefined;
  }, { timeoutMs: 15000, what: `the first picker of ${command}` });
  if (/pick a server$/.test(s.title)) await wb.pick(server, { title: s.title });
}

export async function statelessUiSteps({ step, phase, log }) {
  const { wb } = phase;
  const names = Object.keys(phase.servers);
  const stdio = SERVER.stateless;
  const http = STATELESS_HTTP;
  if (!names.includes(stdio)) return;
  const hasHttp = names.includes(http);
  const hasSkills = names.includes(SERVER.skills);

  await step('stateless servers: running, groups shown, protocol 2026-07-28 in the tooltip', async ({ shot }) => {
    const pane = await serversPane(wb);
    for (const n of [stdio, ...(hasHttp ? [http] : [])]) {
      await waitFor(async () => (await wb.treeRows(pane)).find((r) => r.level === 1 && r.label === n && RUNNING.test(r.description)),
        { timeoutMs: 30000, what: `${n} to show running` });
    }
    await wb.tidyForScreenshot(log);
    await showOnly(wb, pane, [stdio]);
    const groups = async () => (await wb.treeRows(pane)).filter((r) => r.level === 2).map((r) => r.label);
    await waitFor(async () => {
      const have = await groups();
      return ['Tools', 'Resources', 'Prompts'].every((g) => have.includes(g));
    }, { what: 'the Tools, Resources and Prompts groups of stateless' });
    await wb.page.mouse.move(900, 650);
    await sleep(300); // the sash's highlight fades
    await mediaShot(wb, 'stateless', log);
    const tip = await hoverRow(wb, wb.treeRow(pane, stdio, 1), ['stateless.mjs stdio', 'protocol 2026-07-28 (stateless)']);
    assert.match(tip, /tools listed (just now|\d+ s ago|\d+ min ago)/, `the tooltip says how old the tool list is: ${tip}`);
    await shot('stateless-tooltip');
    await mediaShot(wb, 'stateless-tooltip', log);
    await wb.page.mouse.move(900, 650);
    if (hasHttp) {
      const row = wb.treeRow(pane, http, 1);
      const url = phase.servers[http].url;
      const t = await hoverRow(wb, row, [url, 'protocol 2026-07-28 (stateless)']);
      assert.match(t, /tools listed (just now|\d+ s ago|\d+ min ago)/, `the stateless-http tooltip says how old the tool list is: ${t}`);
      await mediaShot(wb, 'stateless-http-tooltip', log);
      await wb.page.mouse.move(900, 650);
    }
  });

  await step('stateless: get a prompt with argument completion', async () => {
    await wb.closeAllEditors();
    await pickServerFor(wb, 'MCP Host: Get Prompt…', stdio);
    await wb.pick('greet', { title: `MCP Host: Get Prompt — ${stdio}` });
    await wb.waitQuickInput({ title: 'greet: name (1/1)' });
    await wb.setQuickInputValue('al');
    // The server's completion for "al": alice and albert, and nothing else.
    await waitFor(async () => {
      const rows = (await wb.quickInputState())?.rows ?? [];
      return rows.some((r) => r.label === 'albert') && rows.every((r) => r.label.startsWith('al'));
    }, { what: 'the completions alice and albert for "al"' });
    await wb.pick('albert', { filter: false });
    await wb.waitEditorText('Please greet albert.');
  });

  if (hasHttp) {
    await step('stateless-http: read a resource template with completion', async () => {
      await wb.closeAllEditors();
      await pickServerFor(wb, 'MCP Host: Read Resource…', http);
      await wb.pick('greeting', { title: `MCP Host: Read Resource — ${http}` });
      await wb.waitQuickInput({ title: 'greeting: name' });
      await wb.setQuickInputValue('b');
      await waitFor(async () => {
        const rows = (await wb.quickInputState())?.rows ?? [];
        return rows.some((r) => r.label === 'bob') && rows.every((r) => r.label.startsWith('b'));
      }, { what: 'the completion bob for "b"' });
      await wb.pick('bob', { filter: false });
      await wb.waitEditorText('Hello, bob!');
    });
  }

  await step('stateless: a 2026-07-28 task from the palette, its question answered; the Tasks node lists it', async ({ shot }) => {
    await wb.closeAllEditors();
    await wb.clearNotifications();
    await wb.runCommand('MCP Host: Call Tool…');
    const s = await wb.waitQuickInput({ title: /^MCP Host: Call Tool — / });
    if (s.title === 'MCP Host: Call Tool — pick a server') await wb.pick(stdio, { title: s.title });
    await wb.pick('research', { title: `MCP Host: Call Tool — ${stdio}` });
    await wb.answerInput('research: topic (1/3)', 'quantum computing');
    await wb.pick('true', { title: 'research: needInput (2/3)', filter: false });
    await wb.pick('false', { title: 'research: fail (3/3)', filter: false });
    const question = `MCP server "${stdio}" asks: Found several interpretations of "quantum computing". Which one?`;
    const d = await wb.waitDialog(question, { timeoutMs: 30000 });
    assert.ok(d.buttons.includes('Respond') && d.buttons.includes('Decline'), `buttons ${d.buttons.join(', ')}`);
    await shot('stateless-task-question');
    await wb.clickDialogButton('Respond');
    await wb.pick('current', { title: `${stdio}: interpretation (1/1)`, filter: false });
    await wb.waitActiveTab('research result', { timeoutMs: 30000 });
    await wb.waitEditorText('# Research report: quantum computing (current)');
    const pane = await serversPane(wb);
    await showOnly(wb, pane, [stdio]);
    await wb.expandRow(wb.treeRow(pane, 'Tasks', 2));
    await waitFor(async () => (await wb.treeRows(pane)).some((r) => r.level === 3 && r.label === 'research' && /^completed/.test(r.description)),
      { what: 'a finished research task under Tasks' });
    await wb.page.mouse.move(900, 650);
    await sleep(300);
    await mediaShot(wb, 'stateless-tasks', log);
  }, { timeoutMs: 120000 });

  if (hasSkills) {
    await step('skills: the Skills node lists the server\'s skill', async () => {
      await wb.closeAllEditors();
      const pane = await serversPane(wb);
      await showOnly(wb, pane, [SERVER.skills]);
      await wb.expandRow(wb.treeRow(pane, 'Skills', 2));
      await waitFor(async () => (await wb.treeRows(pane)).some((r) => r.level === 3 && r.label === 'e2e-review' && r.description === '2 files'),
        { what: 'the skill e2e-review (2 files) under Skills' });
      await wb.page.mouse.move(900, 650);
      await sleep(300);
      await mediaShot(wb, 'skills', log);
      await hoverRow(wb, wb.treeRow(pane, 'e2e-review', 3), 'references/CHECKLIST.md');
      await mediaShot(wb, 'skills-tooltip', log);
      await wb.page.mouse.move(900, 650);
    });
  }
}
