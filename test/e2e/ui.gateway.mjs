// The gateway in VS Code (issue 13): Start Gateway, then VS Code's own MCP support finds MCP
// Host through the server definition provider and lists its tools.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../integration/workspace.mjs';
import { waitFor } from './lib/proc.mjs';

const SHOTS = path.join(REPO, '.e2e', 'screenshots');

export async function gatewaySteps({ step, phase, log }) {
  const { wb } = phase;
  const gs = (name, fn, opts) => step(`gateway: ${name}`, fn, opts);
  let url;

  await gs('Start Gateway listens on 127.0.0.1 and says where', async () => {
    await wb.closeAllEditors();
    await wb.runCommand('MCP Host: Start Gateway');
    const n = await wb.waitNotification(/the gateway is listening on http:\/\/127\.0\.0\.1:\d+\/mcp/, { timeoutMs: 30000 });
    url = /http:\/\/127\.0\.0\.1:\d+\/mcp/.exec(n.message)[0];
    log(`  ${n.message}`);
    await wb.clearNotifications().catch(() => {});
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
    const logs = path.join(phase.userDataDir, 'logs');
    const listed = await waitFor(() => {
      for (const f of fs.readdirSync(logs, { recursive: true }).map(String).filter((x) => x.endsWith('MCP Host.log'))) {
        const m = /gateway: (session \S+) \(([^)]*)\) listed (\d+) tools/.exec(fs.readFileSync(path.join(logs, f), 'utf8'));
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
}
