#!/usr/bin/env node
// End-to-end harness: the packaged extension in a real VS Code (code-server 4.139 = VS Code
// 1.139) driven by Chromium through playwright-core. Run it through scripts/e2e.sh (npm run
// test:e2e), which installs the toolchain and packages dist/mcp-host.vsix first.
//
//   node test/e2e/run.mjs [--vsix FILE] [--only suite,ui,untrusted] [--headed] [--keep-going]
//
// Phases (each in a fresh user-data and extensions dir under .e2e/):
//   trusted   code-server --disable-workspace-trust; the companion extension runs the API
//             suite (test/integration/suite) inside the extension host, then the UI steps
//             (test/e2e/ui.steps.mjs) drive the workbench like a person.
//   untrusted Workspace Trust on; the harness answers the trust dialog with "No" (restricted
//             mode) and checks the servers stay stopped with the reason shown.
// Screenshots: .e2e/screenshots/NN-step.png. Logs: .e2e/<phase>/user-data/logs, .e2e/logs.
// Prints `N passed, N failed` last and exits 1 on any failure. Always cleans up every
// process it started (browser, code-server, extension host, MCP servers).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  REPO, SECRET_ENV_VAR, SECRET_INPUTS, SECRET_SERVER, SERVER, plantHostileWorkspace, plantedSecrets, writeWorkspace, writeUserSettings,
} from '../integration/workspace.mjs';
import {
  NODE24, CODE_SERVER_ENTRY, installExtensions, startCodeServer, stopCodeServer, exthostLogs,
} from './lib/codeserver.mjs';
import { freePort, killPids, treeOf, isAlive, describe, sleep, processesWithEnv, waitExit, killSpawnedGroups } from './lib/proc.mjs';
import { launchBrowser, Workbench } from './lib/workbench.mjs';
import { Answerer } from './lib/answerer.mjs';
import { checkPhaseLogs } from './secrets.mjs';
import { startRemoteEverything, startRemoteOAuth, startRemoteStateless } from './lib/remote.mjs';
import { OAUTH_SERVER, signInSteps, tokensInFiles } from './ui.signin.mjs';
import { uiSteps, untrustedSteps } from './ui.steps.mjs';
import { workbenchServers, workbenchSteps } from './ui.workbench.mjs';
import { appServers, appSteps } from './ui.apps.mjs';
import { gatewaySteps } from './ui.gateway.mjs';

// ---- arguments --------------------------------------------------------------------------
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : def;
};
const VSIX = path.resolve(opt('--vsix', path.join(REPO, 'dist', 'mcp-host.vsix')));
const ONLY = new Set((opt('--only', 'suite,ui,untrusted,signin,signin-uri-handler,workbench,apps') || '').split(',').filter(Boolean));
const HEADED = argv.includes('--headed');

const E2E = path.join(REPO, '.e2e');
const SHOTS = path.join(E2E, 'screenshots');
const LOGS = path.join(E2E, 'logs');
const rel = (p) => path.relative(REPO, p) || '.';
const t0 = Date.now();
// Every process this run starts inherits the tag, so cleanup finds even detached ones.
const RUN_TAG = `${process.pid}-${Date.now()}`;
process.env.MCPH_E2E_RUN = RUN_TAG;
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const log = (...a) => console.log(`[e2e ${elapsed()}]`, ...a);

// ---- results ------------------------------------------------------------------------------
const results = [];
function record(name, ok, error, extra = {}) {
  results.push({ name, ok, error, ...extra });
  if (!ok) console.log(`  ✗ ${name}\n      ${String(error).split('\n').join('\n      ')}`);
  else console.log(`  ✓ ${name}${extra.ms !== undefined ? ` (${extra.ms} ms)` : ''}${extra.screenshot ? ` → ${rel(extra.screenshot)}` : ''}`);
}

let shotNo = 0;
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
/** `suffix` (e.g. -FAILED) is kept whole however long the step's name is. */
const nextShot = (name, suffix = '') => path.join(SHOTS, `${String(++shotNo).padStart(2, '0')}-${slug(name)}${suffix}.png`);

// ---- cleanup --------------------------------------------------------------------------------
const live = { browser: undefined, servers: new Set(), remote: [] };

let cleaning;
/**
 * Closes the browser and stops every code-server; then ends any process still descending
 * from this harness (all started by it). Resolves to the pids that survived (should be []).
 */
async function cleanupAll() {
  cleaning ??= (async () => {
    const mine = [...treeOf(process.pid)].filter((p) => p !== process.pid);
    const leftovers = [];
    for (const child of live.remote.splice(0)) {
      if (child.exitCode === null) { child.kill('SIGINT'); await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]); }
    }
    for (const cs of [...live.servers]) mine.push(...cs.snapshot());
    if (live.browser) {
      await Promise.race([live.browser.close().catch(() => {}), sleep(5000)]);
      live.browser = undefined;
    }
    for (const cs of [...live.servers]) {
      leftovers.push(...(await stopCodeServer(cs)));
      live.servers.delete(cs);
    }
    // Helpers such as Chromium's crashpad handler leave on their own shortly after.
    const tagged = await waitExit(processesWithEnv('MCPH_E2E_RUN', RUN_TAG), 5000);
    const stray = [...new Set([...mine, ...tagged])].filter((p) => isAlive(p) && isOurs(p));
    if (stray.length) log(`cleanup: ending processes that outlived browser/code-server shutdown:\n${describe(stray)}`);
    leftovers.push(...(await killPids(stray)));
    return { leftovers: [...new Set(leftovers)], stray };
  })();
  return cleaning;
}
/** A process that is not ps run by describe() itself. */
function isOurs(pid) {
  try {
    return !/^ps\0/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}
/**
 * Last resort, after cleanupAll(): whatever spawnGroup() started since (a phase that was
 * starting when a signal came), and every process that carries this run's tag.
 */
async function finalSweep() {
  const left = await killSpawnedGroups();
  const tagged = processesWithEnv('MCPH_E2E_RUN', RUN_TAG).filter(isOurs);
  left.push(...(await killPids(tagged)));
  return [...new Set(left)];
}

let shuttingDown = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`\n[e2e] ${sig}: cleaning up`);
    const { leftovers } = await cleanupAll();
    const left = [...leftovers, ...(await finalSweep())].filter(isAlive);
    if (left.length) console.log(`[e2e] still running:\n${describe(left)}`);
    else console.log('[e2e] every process of this run is gone');
    process.exit(130);
  });
}

// ---- helpers --------------------------------------------------------------------------------
function packageCompanion() {
  const dir = path.join(REPO, 'test', 'integration', 'companion');
  const out = path.join(E2E, 'companion.vsix');
  fs.rmSync(out, { force: true });
  execFileSync(
    NODE24,
    [path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies',
      '--allow-missing-repository', '--skip-license', '--out', out],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return out;
}

/** Pids of MCP server processes (by script path) currently under a code-server. */
export function serverProcesses(cs) {
  const out = {};
  for (const pid of cs.snapshot()) {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (!isAlive(pid)) continue;
    const name = cmd.includes('server-everything/dist/index.js') ? SERVER.everything
      : cmd.includes('server-filesystem/dist/index.js') ? SERVER.filesystem
        : cmd.includes('test/fixtures/servers/basic.mjs') ? SERVER.basic
          : cmd.includes('test/fixtures/servers/secrets.mjs') ? SECRET_SERVER.stdio
            : cmd.includes('test/fixtures/servers/stateless.mjs') ? SERVER.stateless
              : cmd.includes('test/fixtures/servers/skills-sdk.mjs') ? SERVER.skills : undefined;
    if (name) (out[name] ??= []).push(pid);
  }
  return out;
}

async function startPhase(name, { disableTrust, env = {}, settings = {}, remote, secrets, prepare, extraArgs = [], proxy = false }) {
  if (shuttingDown) throw new Error('interrupted');
  const base = path.join(E2E, name);
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  const workspace = path.join(base, 'workspace');
  fs.rmSync(base, { recursive: true, force: true });
  const servers = writeWorkspace(workspace, { node: NODE24, remote, secrets });
  if (typeof env === 'function') env = env(servers);
  if (prepare) await prepare({ base, workspace });
  writeUserSettings(userDataDir, typeof settings === 'function' ? settings(workspace) : settings);
  let t = Date.now();
  await installExtensions({ userDataDir, extensionsDir, vsixes: [VSIX, COMPANION_VSIX] });
  log(`${name}: installed ${path.basename(VSIX)} + companion in ${Date.now() - t} ms`);
  const port = await freePort();
  t = Date.now();
  const cs = await startCodeServer({
    userDataDir, extensionsDir, workspace, port, disableTrust, env, extraArgs, proxy,
    logFile: path.join(LOGS, `code-server-${name}.log`),
  });
  live.servers.add(cs);
  if (shuttingDown) throw new Error('interrupted');
  log(`${name}: code-server on ${cs.url} (${[disableTrust ? '--disable-workspace-trust' : 'workspace trust on', ...extraArgs].join(' ')}) in ${Date.now() - t} ms`);
  const wb = await Workbench.open(live.browser, cs.folderUrl(workspace));
  wb.page.setDefaultTimeout(15000);
  wb.closeOpenedPages((url, title, taken) => log(`${name}: the browser opened ${redactUrlForLog(url)} (title "${title}"); ${taken ? 'the step takes it' : 'closing it'}`));
  log(`${name}: workbench loaded in ${wb.loadMs} ms`);
  return { name, base, userDataDir, extensionsDir, workspace, servers, cs, wb };
}

/** An opened page's URL for the log: the values of a sign-in's state and PKCE challenge left out. */
function redactUrlForLog(url) {
  return url.replace(/([?&](?:state|code_challenge|code)=)[^&]+/g, '$1…');
}

async function stopPhase(phase) {
  if (!phase) return;
  await phase.wb.close();
  const before = [...phase.cs.snapshot()];
  const left = await stopCodeServer(phase.cs);
  live.servers.delete(phase.cs);
  const stillAlive = before.filter(isAlive);
  const bad = [...new Set([...left, ...stillAlive])];
  record(`${phase.name}: code-server and all its children (${before.length} processes) are gone`, bad.length === 0,
    bad.length ? `left running:\n${describe(bad)}` : undefined);
}

/** Runs one UI step: screenshot at its end (or -FAILED on error), recovers, records. */
function makeStepRunner(phase) {
  const only = process.env.E2E_STEPS ? new RegExp(process.env.E2E_STEPS, 'i') : undefined;
  return async function step(name, fn, { timeoutMs = 90000 } = {}) {
    if (only && !only.test(name)) return true;
    const started = Date.now();
    const shot = async (label) => phase.wb.screenshot(nextShot(label));
    let timer;
    try {
      await Promise.race([
        fn({ wb: phase.wb, phase, shot }),
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`step timed out after ${timeoutMs} ms`)), timeoutMs); }),
      ]);
      await phase.wb.page.mouse.move(900, 650).catch(() => {}); // no stray hover in the shot
      const file = await shot(name);
      record(`ui: ${name}`, true, undefined, { ms: Date.now() - started, screenshot: file });
      return true;
    } catch (e) {
      const file = nextShot(name, '-FAILED');
      await phase.wb.screenshot(file).catch(() => {});
      record(`ui: ${name}`, false, `step "${name}" failed: ${e.message}\nscreenshot: ${rel(file)}`, { ms: Date.now() - started, screenshot: file });
      // Leave the workbench usable for the next step.
      for (let i = 0; i < 4; i++) {
        await phase.wb.page.keyboard.press('Escape').catch(() => {});
        await sleep(150);
      }
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
}

function activationFromLog(userDataDir) {
  const lines = [];
  for (const file of exthostLogs(userDataDir)) {
    const text = fs.readFileSync(file, 'utf8').split('\n');
    const start = text.find((l) => /^\d{4}-\d\d-\d\d /.test(l));
    for (const l of text) {
      if (l.includes('ExtensionService#_doActivateExtension mcp-host.mcp-host,')) lines.push({ file, line: l, start });
    }
  }
  return lines;
}

async function activationFromRunningExtensions(phase) {
  const { wb } = phase;
  await wb.runCommand('Developer: Show Running Extensions');
  const list = wb.page.locator('.monaco-list[aria-label="Runtime Extensions"]').first();
  await list.waitFor({ state: 'visible', timeout: 10000 });
  const row = list.locator('.monaco-list-row[aria-label="mcp-host"]').first();
  for (let i = 0; i < 10 && !(await row.isVisible().catch(() => false)); i++) {
    await list.hover();
    await wb.page.mouse.wheel(0, 400);
    await sleep(200);
  }
  await row.waitFor({ state: 'visible', timeout: 3000 });
  const text = (await row.locator('.activation-time').textContent())?.trim();
  const file = await wb.screenshot(nextShot('running-extensions'));
  await wb.page.keyboard.press('Escape');
  await wb.closeAllEditors().catch(() => {});
  return { text, file };
}

// ---- main -----------------------------------------------------------------------------------
let COMPANION_VSIX;
const report = { activation: [], vsixBytes: 0 };

async function main() {
  for (const [what, p] of [['Node 24', NODE24], ['code-server', CODE_SERVER_ENTRY], ['Chromium', process.env.CHROMIUM || '/usr/bin/chromium'], ['the .vsix', VSIX]]) {
    if (!fs.existsSync(p)) throw new Error(`${what} not found at ${p} (run scripts/e2e.sh, which sets everything up)`);
  }
  for (const d of ['trusted', 'untrusted', 'screenshots', 'logs']) fs.rmSync(path.join(E2E, d), { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(LOGS, { recursive: true });
  report.vsixBytes = fs.statSync(VSIX).size;
  COMPANION_VSIX = packageCompanion();
  log(`extension ${rel(VSIX)} (${report.vsixBytes} bytes), companion ${rel(COMPANION_VSIX)}`);

  live.browser = await launchBrowser({ headless: !HEADED });
  log(`Chromium ${live.browser.version()}`);

  // -- trusted phase: API suite + UI steps
  if (ONLY.has('suite') || ONLY.has('ui')) {
    const resultsFile = path.join(E2E, 'trusted-results.json');
    fs.rmSync(resultsFile, { force: true });
    fs.rmSync(`${resultsFile}.started`, { force: true });
    // Issue 8, item 5: a unique secret in every place a definition can carry one (the suite
    // reads them from secretsFile, outside the logs dir; the env var is inherited by the
    // extension host), every log at trace, then the logs are grepped (checkPhaseLogs).
    const secrets = plantedSecrets(RUN_TAG);
    const secretsFile = path.join(E2E, 'trusted-secrets.json');
    const uiLog = path.join(E2E, 'trusted-ui.jsonl');
    for (const f of fs.readdirSync(E2E)) if (f.startsWith('trusted-ui.jsonl')) fs.rmSync(path.join(E2E, f), { force: true });
    fs.writeFileSync(secretsFile, JSON.stringify({ secrets }, null, 2));
    // The suite is told exactly which servers this harness wrote (all of them, remote ones
    // included): a server missing from the extension's list is then a failure.
    const env = (servers) => ({
      [SECRET_ENV_VAR]: secrets.envVar,
      ...(ONLY.has('suite') ? {
        MCP_HOST_TEST_SUITE: path.join(REPO, 'test', 'integration', 'suite', 'index.js'),
        MCP_HOST_TEST_RESULTS: resultsFile,
        MCP_HOST_TEST_SCOPE: 'workspace',
        MCP_HOST_TEST_SERVERS: Object.keys(servers).join(','),
        MCP_HOST_TEST_SECRETS: secretsFile,
        MCP_HOST_TEST_UI_LOG: uiLog,
      } : {}),
    });
    // The person at the keyboard: answers consent dialogs, types the password inputs.
    const answerer = new Answerer({
      uiLog,
      inputs: Object.fromEntries(SECRET_INPUTS.map((i) => [`MCP Host: ${i.description}`, secrets[i.secret]])),
      log,
      shot: (label) => nextShot(label),
    });
    const answerDialogsUntil = (phase, done, opts) => answerer.until(phase, done, opts);
    let phase;
    try {
      phase = await startPhase('trusted', {
        disableTrust: true,
        env,
        remote: {
          ...(await startRemoteEverything({ log, onChild: (child) => live.remote.push(child) })),
          stateless: await startRemoteStateless({ log, onChild: (child) => live.remote.push(child), logFile: path.join(LOGS, 'stateless-http.log') }),
        },
        secrets,
        // Every log at trace, so the server channels log the JSON-RPC traffic too.
        extraArgs: ['--log', 'trace'],
        // The stateless fixture's URL elicitation opens a loopback page in the browser,
        // which code-server serves through its port proxy.
        proxy: true,
        settings: workspace => ({
          // The fixture server may sample without asking (API suite); server-everything
          // must ask (UI step "sampling"). A workspace server is allowed by its id only.
          'mcpHost.sampling.allowedServers': [`workspace:${workspace}:${SERVER.basic}`],
          'mcpHost.sampling.model': 'mcp-host-test',
          // This phase drives the quick-input path (it stays for people who prefer the
          // palette); the workbench phase drives the panels, the default.
          'mcpHost.forms': 'quickInput',
        }),
      });
      const step = makeStepRunner(phase);
      await step('workbench loads', async ({ wb }) => {
        await wb.page.locator('.part.activitybar a.action-label[aria-label^="MCP Host"]').waitFor({ state: 'visible', timeout: 30000 });
      });

      // Start consent for each workspace server (answered here), then the API suite.
      let consentShot = false;
      const onDialog = async (d) => {
        if (!consentShot && /^Start MCP server/.test(d.text)) {
          consentShot = true;
          const file = await phase.wb.screenshot(nextShot('start-consent-dialog'));
          log(`  start consent dialog: "${d.text}" detail: ${d.detail.slice(0, 160)} → ${rel(file)}`);
        }
      };
      if (ONLY.has('suite')) {
        log('trusted: running the integration suite inside the extension host');
        const started = Date.now();
        try {
          await answerDialogsUntil(phase, () => fs.existsSync(resultsFile), { timeoutMs: 300000, onDialog });
          const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
          // Here every server is configured: a skipped test is a failure, and so is a run that
          // reported fewer results than the suite has tests.
          for (const x of r.results) {
            if (x.skipped) record(`suite: ${x.name}`, false, `skipped (${x.skipped}), but the e2e harness configures every server`);
            else record(`suite: ${x.name}`, x.ok, x.error, { ms: x.ms });
          }
          record('suite: every test of the suite reported a result', r.total !== undefined && r.results.length === r.total,
            `${r.results.length} results for ${r.total ?? 'an unknown number of'} tests`);
          log(`trusted: suite done in ${Date.now() - started} ms (${r.passed} passed, ${r.failed} failed, ${r.skipped ?? 0} skipped)`);
        } catch (e) {
          const started2 = fs.existsSync(`${resultsFile}.started`);
          record('suite: results written by the companion extension', false,
            `${e.message}${started2 ? ' (the suite started but never finished)' : ' (the companion never started the suite)'}; see ${rel(phase.userDataDir)}/logs`);
        }
      } else {
        // Without the suite, wait for the servers to run (answering consent) before the UI steps.
        await answerDialogsUntil(phase, async () => {
          const procs = serverProcesses(phase.cs);
          const local = Object.keys(phase.servers).filter((n) => phase.servers[n].type === 'stdio');
          return local.every((n) => procs[n]?.length) && !(await phase.wb.dialogVisible());
        }, { timeoutMs: 90000, onDialog }).catch((e) => log(`trusted: servers did not all start: ${e.message}`));
      }

      if (ONLY.has('ui')) {
        log('trusted: UI steps');
        await phase.wb.closeAllEditors().catch(() => {});
        await phase.wb.clearNotifications().catch(() => {});
        await uiSteps({ step, phase, log, serverProcesses, answerDialogsUntil })
          .catch((e) => record('ui: remaining steps', false, e.message));
      }

      // Activation time as VS Code records it (the exthost log has the start; the
      // Running Extensions view shows the duration).
      try {
        const r = await activationFromRunningExtensions(phase);
        report.activation.push(`Developer: Show Running Extensions → mcp-host "${r.text}" (${rel(r.file)})`);
      } catch (e) {
        report.activation.push(`(Running Extensions view not read: ${e.message.split('\n')[0]})`);
      }
    } catch (e) {
      record('trusted phase', false, e.stack || e.message);
    } finally {
      await stopPhase(phase).catch((e) => record('trusted: stop', false, e.message));
      // Once code-server is gone its logs are complete.
      if (phase) {
        try {
          const r = checkPhaseLogs({ phase, secrets, record, rel, answerer, log, loginCalled: ONLY.has('suite') });
          log(`trusted: grepped ${r.files} files (${(r.bytes / 1024).toFixed(0)} KB) under ${rel(phase.userDataDir)}/logs for ${Object.keys(secrets).length} secrets: ${r.hits.length} hits`);
        } catch (e) {
          record('trusted: the logs were grepped for the planted secrets', false, e.stack || e.message);
        }
      }
    }
  }

  // -- untrusted phase: restricted mode keeps workspace servers stopped, and user servers
  // that reach into the workspace (a command in it, its .env as envFile) too; a plain user
  // server runs. The planted files write markers (under .e2e/untrusted/markers) if they run.
  if (ONLY.has('workbench')) await workbenchPhase();
  if (ONLY.has('apps')) await appsPhase();
  if (ONLY.has('signin')) await signInPhase('loopback');
  if (ONLY.has('signin-uri-handler')) await signInPhase('uriHandler');

  if (ONLY.has('untrusted')) {
    let phase;
    let hostile;
    try {
      phase = await startPhase('untrusted', {
        disableTrust: false,
        prepare: async ({ base, workspace }) => {
          hostile = plantHostileWorkspace(workspace, path.join(base, 'markers'), { node: NODE24 });
          const armed = await hostile.probe();
          record('untrusted: the planted .venv/bin/evil and .env → evil.js write their markers when run outside VS Code (the check is armed)',
            armed.length === 2, `only [${armed.join(', ')}] wrote a marker when run directly`);
        },
        settings: () => ({ 'mcpHost.servers': hostile.servers }),
      });
      const step = makeStepRunner(phase);
      await untrustedSteps({ step, phase, log, serverProcesses, hostile });
    } catch (e) {
      record('untrusted phase', false, e.stack || e.message);
    } finally {
      await stopPhase(phase).catch((e) => record('untrusted: stop', false, e.message));
      if (hostile) {
        // Checked once code-server and everything it started are gone: nothing can write later.
        const ran = Object.entries(hostile.markers).filter(([, f]) => fs.existsSync(f));
        record('untrusted: no marker file exists at the end (the repository\'s files never ran)', ran.length === 0,
          ran.map(([k, f]) => `${k}: ${rel(f)}: ${fs.readFileSync(f, 'utf8').trim()}`).join('\n'));
      }
    }
  }
}

/**
 * -- sign-in phase: an OAuth-protected user server (the fixture with its own authorization
 * server): needs sign-in → Sign In → the authorization page in the browser → Allow →
 * running; Sign Out. Then no token it issued is in any log.
 */
async function signInPhase(redirect) {
  let phase;
  let state;
  let oauthUrl;
  const name = redirect === 'uriHandler' ? 'signin-uri-handler' : 'signin';
  try {
    // Through the URI handler the authorization server is on 127.0.0.2, which code-server's
    // port proxy leaves alone (it rewrites 127.0.0.1 and localhost URLs, and with them the
    // URI handler's redirect_uri): the way a server elsewhere reaches the browser.
    oauthUrl = await startRemoteOAuth({ log, onChild: (child) => live.remote.push(child), logFile: path.join(LOGS, `${name}-fixture.log`), host: redirect === 'uriHandler' ? '127.0.0.2' : '127.0.0.1' });
    phase = await startPhase(name, {
      disableTrust: true,
      // The authorization page is on the fixture's loopback port: code-server serves it through its port proxy.
      proxy: true,
      // Every log at trace (the server channel logs its traffic too): the token grep below sees the most.
      extraArgs: ['--log', 'trace'],
      prepare: async ({ workspace }) => {
        fs.writeFileSync(path.join(workspace, '.vscode', 'mcp.json'), JSON.stringify({ servers: {} }, null, 2) + '\n');
      },
      settings: () => ({ 'mcpHost.servers': { [OAUTH_SERVER]: { type: 'http', url: oauthUrl } }, 'mcpHost.oauth.redirect': redirect }),
    });
    const step = makeStepRunner(phase);
    state = await signInSteps({ step, phase, log, oauthUrl });
  } catch (e) {
    record(`${name} phase`, false, e.stack || e.message);
  } finally {
    await stopPhase(phase).catch((e) => record(`${name}: stop`, false, e.message));
    if (phase && state) {
      try {
        const { issued } = await state();
        const r = tokensInFiles(issued, [path.join(phase.userDataDir, 'logs'), LOGS]);
        record(`${name}: none of the ${issued.length} tokens issued is in the ${r.files} log files`, issued.length > 0 && r.hits.length === 0,
          issued.length ? r.hits.join('\n') : 'no token was issued');
      } catch (e) {
        record(`${name}: the logs were grepped for the issued tokens`, false, e.stack || e.message);
      }
    }
  }
}

/**
 * -- workbench phase (issue 11): the panels, with `mcpHost.forms` at its default (panel).
 * The servers are user servers (no start consent); the companion's test model answers
 * sampling. Prints the time from the command to an interactive tool panel.
 */
async function workbenchPhase() {
  let phase;
  const timings = {};
  try {
    phase = await startPhase('workbench', {
      disableTrust: true,
      prepare: async ({ workspace }) => {
        fs.writeFileSync(path.join(workspace, '.vscode', 'mcp.json'), JSON.stringify({ servers: {} }, null, 2) + '\n');
      },
      settings: () => ({ 'mcpHost.servers': workbenchServers(NODE24), 'mcpHost.sampling.model': 'mcp-host-test' }),
    });
    const answerer = new Answerer({ log, shot: (label) => nextShot(label) });
    const step = makeStepRunner(phase);
    await workbenchSteps({ step, phase, log, timings, answerDialogsUntil: (p, done, opts) => answerer.until(p, done, opts) });
  } catch (e) {
    record('workbench phase', false, e.stack || e.message);
  } finally {
    await stopPhase(phase).catch((e) => record('workbench: stop', false, e.message));
    if (timings.firstOpenMs !== undefined) {
      report.workbench = timings;
      // For npm run bench, which puts the latest figures in docs/benchmarks.md.
      fs.writeFileSync(path.join(E2E, 'workbench-timings.json'), JSON.stringify({ ...timings, at: new Date().toISOString(), vscode: '1.139.1 (code-server 4.139.1)' }, null, 2) + '\n');
    }
  }
}

async function appsPhase() {
  let phase;
  const timings = {};
  try {
    phase = await startPhase('apps', {
      disableTrust: true,
      prepare: async ({ workspace }) => {
        fs.writeFileSync(path.join(workspace, '.vscode', 'mcp.json'), JSON.stringify({ servers: {} }, null, 2) + '\n');
      },
      settings: () => ({ 'mcpHost.servers': appServers(NODE24), 'chat.mcp.access': 'all' }),
    });
    const step = makeStepRunner(phase);
    await appSteps({ step, phase, log, timings });
    await gatewaySteps({ step, phase, log });
  } catch (e) {
    record('apps phase', false, e.stack || e.message);
  } finally {
    await stopPhase(phase).catch((e) => record('apps: stop', false, e.message));
    if (Object.keys(timings).length) {
      report.apps = timings;
      fs.writeFileSync(path.join(E2E, 'apps-timings.json'), JSON.stringify({ ...timings, at: new Date().toISOString(), vscode: '1.139.1 (code-server 4.139.1)' }, null, 2) + '\n');
    }
  }
}

function logActivation(userDataDir) {
  for (const a of activationFromLog(userDataDir)) {
    const ms = a.start ? Date.parse(a.line.slice(0, 23).replace(' ', 'T')) - Date.parse(a.start.slice(0, 23).replace(' ', 'T')) : NaN;
    report.activation.unshift(`exthost log (${rel(a.file)}):\n      ${a.line}` +
      (Number.isFinite(ms) ? `\n      (${ms} ms after the extension host's first log line ${a.start.slice(0, 23)})` : ''));
  }
}

let fatal;
try {
  await main();
} catch (e) {
  fatal = e;
  record('harness', false, e.stack || e.message);
} finally {
  const { leftovers, stray } = await cleanupAll();
  leftovers.push(...(await finalSweep()));
  const stillAlive = [...new Set([...leftovers, ...stray])].filter(isAlive);
  const tagged = processesWithEnv('MCPH_E2E_RUN', RUN_TAG).filter(isOurs);
  const left = [...new Set([...stillAlive, ...tagged])];
  record('cleanup: browser, code-server and every child process are gone (ps)', left.length === 0,
    left.length ? `left running:\n${describe(left)}` : undefined);
}

for (const name of ['untrusted', 'trusted']) logActivation(path.join(E2E, name, 'user-data'));
console.log('');
console.log(`Activation of mcp-host.mcp-host:`);
for (const a of report.activation) console.log(`  ${a}`);
if (report.activation.length === 0) console.log('  (not found)');
if (report.apps) console.log(`MCP Apps (Run to the app's first drawn data): system monitor ${report.apps.monitorFirstDataMs ?? '?'} ms (app initialized ${report.apps.monitorInitializedMs ?? '?'} ms after its page got it), budget allocator ${report.apps.budgetFirstDataMs ?? '?'} ms`);
if (report.workbench) console.log(`Tool panel open (the pick in Call Tool… to an interactive form): first ${report.workbench.firstOpenMs} ms, warm ${report.workbench.warmOpenMs ?? '?'} ms`);
console.log(`.vsix size: ${report.vsixBytes} bytes (${(report.vsixBytes / 1024).toFixed(1)} KB) ${rel(VSIX)}`);
console.log(`Screenshots: ${rel(SHOTS)}/  Logs: ${rel(E2E)}/{logs,trusted/user-data/logs,untrusted/user-data/logs}`);
const failed = results.filter((r) => !r.ok);
if (failed.length) {
  console.log('\nFailed:');
  for (const f of failed) console.log(`  ✗ ${f.name}${f.screenshot ? `  (screenshot ${rel(f.screenshot)})` : ''}`);
}
console.log(`\nTotal time ${elapsed()}`);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length || fatal ? 1 : 0);
