// The gateway in VS Code (issue 13): the Servers view's Gateway node says "stopped", its Start
// Gateway action starts it and the node shows the URL; VS Code's own MCP support finds MCP Host
// through the server definition provider and lists its tools, and its session shows under the
// node by VS Code's client name; Stop Gateway makes the node say "stopped" again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../integration/workspace.mjs';
import { waitFor } from './lib/proc.mjs';

const SHOTS = path.join(REPO, '.e2e', 'screenshots');
const GATEWAY = 'Gateway';

/** The Servers pane with every server collapsed, so the Gateway row (after them) is on screen. */
async function serversPane(wb) {
  await wb.openViewContainer('MCP Host');
  const pane = wb.pane('Servers');
  await pane.waitFor({ state: 'visible', timeout: 15000 });
  for (const r of (await wb.treeRows(pane)).filter((x) => x.level === 1 && x.label !== GATEWAY)) {
    await wb.collapseRow(wb.treeRow(pane, r.label, 1)).catch(() => {});
  }
  return pane;
}

/** The text of each of the extension's log files ("MCP Host.log" under the profile's logs). */
const hostLogs = (phase) => {
  const logs = path.join(phase.userDataDir, 'logs');
  return fs.readdirSync(logs, { recursive: true }).map(String).filter((x) => x.endsWith('MCP Host.log')).map((f) => fs.readFileSync(path.join(logs, f), 'utf8'));
};

/** The Gateway row once its description matches `re`. */
const gatewayRow = (wb, pane, re, what) => waitFor(async () => (await wb.treeRows(pane)).find((r) => r.level === 1 && r.label === GATEWAY && re.test(r.description)),
  { timeoutMs: 30000, what: `the Gateway row to say ${what}` });

export async function gatewaySteps({ step, phase, log }) {
  const { wb } = phase;
  const gs = (name, fn, opts) => step(`gateway: ${name}`, fn, opts);
  let url;
  let listed;

  await gs('the Servers view shows the Gateway stopped before any gateway command', async () => {
    await wb.closeAllEditors();
    const pane = await serversPane(wb);
    const row = await gatewayRow(wb, pane, /^stopped$/, '"stopped"');
    log(`  ${row.label} [${row.description}]`);
  });

  await gs("the Gateway row's Start Gateway listens on 127.0.0.1 and the row shows the URL", async () => {
    const pane = await serversPane(wb);
    await wb.clickRowAction(wb.treeRow(pane, GATEWAY, 1), 'Start Gateway');
    const n = await wb.waitNotification(/the gateway is listening on http:\/\/127\.0\.0\.1:\d+\/mcp/, { timeoutMs: 30000 });
    url = /http:\/\/127\.0\.0\.1:\d+\/mcp/.exec(n.message)[0];
    log(`  ${n.message}`);
    await wb.clearNotifications().catch(() => {});
    // VS Code may connect at once (a server it saw before); the count is checked once it has.
    const row = await gatewayRow(wb, pane, new RegExp(`^${url.replace(/[.]/g, '\\.')} · (no sessions|\\d+ sessions?)$`), url);
    log(`  ${row.label} [${row.description}]`);
  });

  await gs("VS Code's own MCP: List Servers shows MCP Host", async () => {
    await wb.runCommand('MCP: List Servers');
    const s = await wb.waitQuickInput({ timeoutMs: 15000 });
    log(`  quick pick "${s.title}" / "${s.placeholder}": ${s.rows.map((r) => `${r.label} [${r.description}]`).join(' | ')}`);
    await wb.screenshot(path.join(SHOTS, 'gateway-list-servers.png'));
    const row = await waitFor(async () => (await wb.quickInputState())?.rows.find((r) => /MCP Host/.test(r.label)), { timeoutMs: 30000, what: 'MCP Host in the list' });
    log(`  found: ${row.label} [${row.description}]`);
    await wb.pick(row.label, { filter: false });
    const actions = await wb.waitQuickInput({ timeoutMs: 15000 });
    log(`  actions "${actions.title}": ${actions.rows.map((r) => `${r.label} [${r.description}]`).join(' | ')}`);
    await wb.pick('Start Server', { filter: false });
  });

  await gs('VS Code starts it, connects through the gateway and lists its tools', async () => {
    // Our side of the connection: the extension's log says which client listed how many tools.
    listed = await waitFor(() => {
      for (const text of hostLogs(phase)) {
        const m = /gateway: (session \S+) \(([^)]*)\) listed (\d+) tools/.exec(text);
        if (m) return { session: m[1], client: m[2], count: Number(m[3]) };
      }
      return undefined;
    }, { timeoutMs: 60000, what: 'VS Code to list the tools through the gateway' });
    log(`  ${listed.client} (${listed.session}) listed ${listed.count} tools through the gateway`);
    if (listed.count < 10) throw new Error(`only ${listed.count} tools came through`);
    await wb.runCommand('MCP: List Servers');
    const s = await waitFor(async () => { const q = await wb.quickInputState(); return q?.rows.some((r) => /MCP Host/.test(r.label) && /Running/i.test(r.description)) ? q : undefined; }, { timeoutMs: 30000, what: 'MCP Host to show as running' });
    log(`  ${s.rows.map((r) => `${r.label} [${r.description}]`).join(' | ')}`);
    await wb.screenshot(path.join(SHOTS, 'screenshot-gateway-vscode.png'));
    await wb.escapeAll();
  });

  await gs("the Gateway node lists VS Code's session by its client name", async () => {
    if (!listed) throw new Error('VS Code did not connect (the step before failed)');
    const pane = await serversPane(wb);
    const row = await gatewayRow(wb, pane, new RegExp(`^${url.replace(/[.]/g, '\\.')} · \\d+ sessions?$`), 'a session');
    log(`  ${row.label} [${row.description}]`);
    await wb.expandRow(wb.treeRow(pane, GATEWAY, 1));
    const session = await waitFor(async () => (await wb.treeRows(pane)).find((r) => r.level === 2 && r.label.startsWith(listed.client)),
      { timeoutMs: 15000, what: `a session item labelled "${listed.client} …"` });
    log(`  session: ${session.label} [${session.description}]`);
    assert.match(session.description, /^(idle (< 1 min|\d+ min)|\d+ calls? in flight)$/);
    // Its tooltip: protocol version, when it connected, requests served.
    await wb.tidyForScreenshot(log);
    await wb.page.mouse.move(900, 650);
    await wb.treeRow(pane, session.label, 2).locator('.label-name').first().hover();
    const tip = await waitFor(async () => (await wb.visibleHovers()).find((t) => t.includes('Protocol version:') && t.includes('requests served')),
      { timeoutMs: 10000, intervalMs: 150, what: "the session's tooltip" });
    log(`  tooltip: ${tip.replace(/\s+/g, ' ')}`);
    assert.match(tip, /Protocol version: \d{4}-\d{2}-\d{2}/);
    assert.match(tip, /Connected at /);
    const file = path.join(SHOTS, 'screenshot-gateway-node.png');
    await wb.screenshot(file);
    log(`  screenshot ${path.relative(REPO, file)}`);
    await wb.page.mouse.move(900, 650);
  });

  await gs("End Session on VS Code's session row ends that session: notification, log, the row goes", async () => {
    if (!listed) throw new Error('VS Code did not connect (an earlier step failed)');
    const pane = await serversPane(wb);
    const session = await waitFor(async () => (await wb.treeRows(pane)).find((r) => r.level === 2 && r.label.startsWith(listed.client)),
      { timeoutMs: 15000, what: `the session item "${listed.client} …"` });
    await wb.clickRowAction(wb.treeRow(pane, session.label, 2), 'End Session');
    await wb.waitNotification(/ended the gateway session of/, { timeoutMs: 15000 });
    await wb.clearNotifications().catch(() => {});
    const line = await waitFor(() => {
      for (const text of hostLogs(phase)) {
        const m = new RegExp(`gateway: session \\S+ \\(${listed.client.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) ended by MCP Host`).exec(text);
        if (m) return m[0];
      }
      return undefined;
    }, { timeoutMs: 15000, what: 'the log line of the ended session' });
    log(`  ${line}`);
    // Its row goes: the Gateway says "no sessions" — unless VS Code already came back (then the log has a new session).
    const after = await waitFor(async () => {
      const row = (await wb.treeRows(pane)).find((r) => r.level === 1 && r.label === GATEWAY);
      if (row && /· no sessions$/.test(row.description)) return row.description;
      for (const text of hostLogs(phase)) {
        const back = text.slice(text.indexOf(line)).match(/gateway: (session \S+) connected/);
        if (back) return `VS Code came back as ${back[1]}`;
      }
      return undefined;
    }, { timeoutMs: 15000, what: 'the ended session\'s row to go' });
    log(`  then: ${after}`);
  });

  await gs("the Gateway row's Stop Gateway stops it and the row says stopped", async () => {
    const pane = await serversPane(wb);
    await wb.clickRowAction(wb.treeRow(pane, GATEWAY, 1), 'Stop Gateway');
    await wb.waitNotification(/the gateway stopped/, { timeoutMs: 30000 });
    await wb.clearNotifications().catch(() => {});
    await gatewayRow(wb, pane, /^stopped$/, '"stopped"');
    const rows = await wb.treeRows(pane);
    assert.ok(!rows.some((r) => r.level === 2 && r.label.startsWith(listed?.client ?? '\u0000')), 'no session item is left under the Gateway');
  });
}
