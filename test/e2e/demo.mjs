#!/usr/bin/env node
// The demo (scripts/demo.sh = npm run demo): MCP Host installed into a persistent VS Code
// (code-server) with a sample workspace where server-everything and server-filesystem are
// ready (filesystem sees the workspace through MCP roots). Prints the URL and keeps
// running until Ctrl-C, then stops everything it started.
//   node test/e2e/demo.mjs --vsix FILE [--screenshot [FILE]]
// Env: PORT (default 8080, else the first free port), MCPH_DEMO_DIR (default
// ~/.cache/mcp-host/demo), MCPH_DEMO_TRUST=1 to keep Workspace Trust on.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SERVER, writeWorkspace, writeUserSettings } from '../integration/workspace.mjs';
import { NODE24, installExtensions, startCodeServer, stopCodeServer, describe } from './lib/codeserver.mjs';
import { freePort, killPids, treeOf, isAlive, sleep, waitFor, processesWithEnv, waitExit } from './lib/proc.mjs';

const argv = process.argv.slice(2);
const vsix = path.resolve(argv[argv.indexOf('--vsix') + 1] || 'dist/mcp-host.vsix');
const si = argv.indexOf('--screenshot');
const screenshot = si >= 0;
const dir = process.env.MCPH_DEMO_DIR || path.join(process.env.MCPH_CACHE || path.join(os.homedir(), '.cache', 'mcp-host'), 'demo');
const shotFile = path.resolve(screenshot && argv[si + 1] && !argv[si + 1].startsWith('--') ? argv[si + 1] : path.join(dir, 'screenshot.png'));
const userDataDir = path.join(dir, 'user-data');
const extensionsDir = path.join(dir, 'extensions');
const workspace = path.join(dir, 'workspace');
const log = (...a) => console.log('[demo]', ...a);
// Every process the demo starts inherits this tag, so stopping finds even detached ones.
const RUN_TAG = `${process.pid}-${Date.now()}`;
process.env.MCPH_DEMO_RUN = RUN_TAG;

let cs;
let browser;
let stopping;
async function stop(code) {
  stopping ??= (async () => {
    const mine = [...treeOf(process.pid)].filter((p) => p !== process.pid);
    if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
    const left = cs ? await stopCodeServer(cs) : [];
    const tagged = await waitExit(processesWithEnv('MCPH_DEMO_RUN', RUN_TAG), 5000);
    left.push(...(await killPids([...mine, ...tagged].filter(isAlive))));
    if (left.length) console.error(`[demo] still running after cleanup:\n${describe(left)}`);
    else if (cs) log('stopped code-server and every process it started');
    process.exit(code);
  })();
  return stopping;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void stop(screenshot ? 130 : 0));

try {
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} not found (scripts/demo.sh packages it)`);
  // The sample workspace is rewritten each time (its mcp.json points into this checkout);
  // user data (settings, consent, layout) persists between runs.
  writeWorkspace(workspace, { node: NODE24, withBasic: false, withStateless: false });
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) writeUserSettings(userDataDir);
  await installExtensions({ userDataDir, extensionsDir, vsixes: [vsix] });
  log(`installed ${path.relative(process.cwd(), vsix)} into ${extensionsDir}`);

  const port = await freePort(Number(process.env.PORT) || 8080);
  cs = await startCodeServer({
    userDataDir, extensionsDir, workspace, port,
    disableTrust: process.env.MCPH_DEMO_TRUST !== '1',
    logFile: path.join(dir, 'code-server.log'),
  });
  const url = cs.folderUrl(workspace);
  console.log('');
  console.log(`  MCP Host demo is running: ${url}`);
  console.log(`  Open it in a browser, then click "MCP Host" in the activity bar.`);
  console.log(`  Servers: ${Object.keys(JSON.parse(fs.readFileSync(path.join(workspace, '.vscode', 'mcp.json'), 'utf8')).servers).join(', ')} (workspace ${workspace})`);
  console.log(`  Log: ${path.join(dir, 'code-server.log')}`);
  console.log('');

  if (!screenshot) {
    log('press Ctrl-C to stop');
    const how = await cs.child.exited;
    if (!stopping) {
      log(`code-server exited by itself (${JSON.stringify(how)}); see ${path.join(dir, 'code-server.log')}`);
      await stop(1);
    }
  } else {
    const { launchBrowser, Workbench } = await import('./lib/workbench.mjs');
    browser = await launchBrowser();
    const wb = await Workbench.open(browser, url);
    log(`workbench loaded in ${wb.loadMs} ms`);
    // Servers start at activation, so their consent dialogs (one per workspace server, on
    // a fresh browser profile) can come before anything else, and a modal blocks every
    // click: answer them first — at most 25 s, in case consent was remembered.
    const workspaceServers = Object.keys(JSON.parse(fs.readFileSync(path.join(workspace, '.vscode', 'mcp.json'), 'utf8')).servers).length;
    let answered = 0;
    let quietSince = Date.now();
    for (const end = Date.now() + 25000; Date.now() < end && !(answered >= workspaceServers && Date.now() - quietSince > 1500);) {
      const d = await wb.dialogState();
      if (d) {
        if (/^Start MCP server ".*" defined by this workspace\?$/.test(d.text) && d.buttons.includes('Allow')) {
          log(`answering "${d.text}" → Allow`);
          await wb.clickDialogButton('Allow');
          answered++;
        }
        quietSince = Date.now();
      }
      await sleep(200);
    }
    await wb.openViewContainer('MCP Host');
    const pane = wb.pane('Servers');
    await pane.waitFor({ state: 'visible', timeout: 20000 });
    const want = [SERVER.everything, SERVER.filesystem];
    // A first run asks once per workspace server whether it may start: allow, like a user would.
    await waitFor(async () => {
      const d = await wb.dialogState();
      if (d && /^Start MCP server ".*" defined by this workspace\?$/.test(d.text) && d.buttons.includes('Allow')) {
        log(`answering "${d.text}" → Allow`);
        await wb.clickDialogButton('Allow');
      }
      const rows = await wb.treeRows(pane);
      return want.every((n) => rows.some((r) => r.level === 1 && r.label === n && /^running · \d+ tools?$/.test(r.description)));
    }, { timeoutMs: 90000, intervalMs: 300, what: 'server-everything and server-filesystem to be running' });
    await wb.expandRow(wb.treeRow(pane, SERVER.everything, 1)).catch(() => {});
    await wb.page.mouse.move(900, 650);
    await sleep(500);
    fs.mkdirSync(path.dirname(shotFile), { recursive: true });
    await wb.screenshot(shotFile);
    const rows = (await wb.treeRows(pane)).filter((r) => r.level === 1);
    for (const r of rows) log(`  ${r.label}  ${r.description}`);
    log(`screenshot: ${shotFile}`);
    await stop(0);
  }
} catch (e) {
  console.error(`[demo] ${e.stack || e.message}`);
  await stop(1);
}
