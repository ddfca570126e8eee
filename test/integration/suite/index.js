// API-level integration suite, run inside a real extension host.
// Shape: `run()` as @vscode/test-electron expects (rejects when a test fails). The e2e
// companion extension calls `run({ onResult })` and reads the results it resolves to
// (or that the rejection carries in `error.results`).
// Plain CommonJS + node:assert, no build step.
//
// Expects the workspace written by test/integration/workspace.mjs: servers `everything`
// (server-everything, stdio), `filesystem` (server-filesystem, roots only) and, when the
// fixtures exist, `basic` (test/fixtures/servers/basic.mjs), `stateless` (the 2026-07-28
// fixture over stdio; `stateless-http` when the runner starts it over HTTP) and `skills`
// (the SDK's skills server); user settings with `mcpHost.sampling.allowedServers` (basic, by
// its server id) and the companion's test model. The 2026-07-28 tests are in stateless.js
// and skills.js.
//
// Which servers the runner configured: env MCP_HOST_TEST_SERVERS, comma-separated names
// (the e2e harness lists every server it wrote; test/integration/runTestElectron.mjs the
// ones it could). The configured servers must be exactly those; a test that needs a server
// the runner did not list is reported as skipped (never as passed); one that needs a listed
// server fails when that server is missing. Without the variable, every server a test needs
// is expected: a missing one is a failure.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const vscode = require('vscode');

const EXT_ID = 'mcp-host.mcp-host';
const S = { everything: 'everything', filesystem: 'filesystem', basic: 'basic' };
const R = { http: 'everything-http', sse: 'everything-sse' }; // test/integration/workspace.mjs REMOTE
/** 'workspace' (e2e: servers in .vscode/mcp.json) or 'user' (test-electron: mcpHost.servers). */
const EXPECTED_SCOPE = process.env.MCP_HOST_TEST_SCOPE || '';
const START_TIMEOUT_MS = Number(process.env.MCP_HOST_TEST_START_TIMEOUT_MS || 90000);
const EXPECTED_SERVERS = process.env.MCP_HOST_TEST_SERVERS
  ? new Set(process.env.MCP_HOST_TEST_SERVERS.split(',').map((n) => n.trim()).filter(Boolean))
  : undefined;
/** The runner configured this server (or did not say, and then every server is expected). */
function expected(name) {
  return !EXPECTED_SERVERS || EXPECTED_SERVERS.has(name);
}

const tests = [];
/**
 * Registers a test; `needs` lists the servers it uses beyond everything and filesystem. It
 * is skipped (reported as such) only when the runner said it did not configure one of them,
 * or did not set an environment variable it `requires` (what only the e2e harness provides:
 * MCP_HOST_TEST_UI_LOG, a person answering dialogs; MCP_HOST_TEST_SECRETS, planted secrets).
 */
function test(name, fn, { timeoutMs = 30000, needs = [], requires = [] } = {}) {
  tests.push({ name, fn, timeoutMs, needs, requires });
}

let api;
let ext;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(fn, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(100);
  }
}

function server(name) {
  const s = api.servers().find((x) => x.name === name);
  assert.ok(s, `server ${name} is configured (have: ${api.servers().map((x) => x.name).join(', ')})`);
  return s;
}

function textOf(result) {
  return (result.content || [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

function workspaceFolder() {
  const f = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(f, 'a workspace folder is open');
  return f;
}

async function rootNode(name) {
  const roots = await api.treeChildren();
  const node = roots.find((n) => n.label === name);
  assert.ok(node, `Servers view has a root item "${name}" (have: ${roots.map((n) => n.label).join(', ')})`);
  return node;
}

async function group(serverName, prefix) {
  const children = await api.treeChildren((await rootNode(serverName)).id);
  const g = children.find((n) => n.label === prefix || n.label.startsWith(`${prefix} `) || n.label.startsWith(`${prefix}(`));
  assert.ok(g, `"${serverName}" has a ${prefix} group (have: ${children.map((n) => n.label).join(', ')})`);
  return g;
}

// ---------------------------------------------------------------------------------------

test('extension is installed and activate() returns the API', async () => {
  ext = vscode.extensions.getExtension(EXT_ID);
  assert.ok(ext, `extension ${EXT_ID} is installed`);
  api = await ext.activate();
  assert.ok(ext.isActive, 'extension is active');
  assert.ok(api, 'activate() returned an API');
  assert.equal(api.apiVersion, 1);
  for (const fn of ['servers', 'waitForState', 'treeChildren', 'callTool', 'readResource', 'getPrompt', 'outputChannelName', 'logLines']) {
    assert.equal(typeof api[fn], 'function', `api.${fn} is a function`);
  }
});

test('every mcpHost.* command of package.json is registered', async () => {
  const declared = ext.packageJSON.contributes.commands.map((c) => c.command);
  assert.ok(declared.length >= 10, 'package.json declares the commands');
  const all = new Set(await vscode.commands.getCommands(true));
  const missing = declared.filter((c) => !all.has(c));
  assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
});

test('the configured servers are listed: exactly the ones the runner configured', async () => {
  // With the planted secrets (e2e), the workspace's servers load once the harness has typed
  // their password inputs: wait for them (the assertions below say what is missing).
  if (process.env.MCP_HOST_TEST_SECRETS) {
    await until(() => api.servers().some((s) => s.name === 'secrets'), 'the servers of the workspace to load (after its password inputs)', START_TIMEOUT_MS)
      .catch(() => {});
  }
  const names = api.servers().map((s) => s.name);
  for (const n of [S.everything, S.filesystem]) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  if (EXPECTED_SERVERS) {
    assert.deepEqual([...names].sort(), [...EXPECTED_SERVERS].sort(), 'the servers listed are the ones MCP_HOST_TEST_SERVERS names');
  } else {
    const needed = new Set([S.everything, S.filesystem, ...tests.filter((t) => t.requires.every((v) => process.env[v])).flatMap((t) => t.needs)]);
    const missing = [...needed].filter((n) => !names.includes(n));
    assert.deepEqual(missing, [], `servers the tests need are not configured (have: ${names.join(', ')})`);
  }
  if (EXPECTED_SCOPE) {
    for (const s of api.servers()) assert.equal(s.scope, EXPECTED_SCOPE, `scope of ${s.name}`);
  }
}, { timeoutMs: START_TIMEOUT_MS + 5000 });

test('every server reaches running', async () => {
  const names = api.servers().map((s) => s.name);
  const snaps = await Promise.all(names.map((n) => api.waitForState(n, 'running', START_TIMEOUT_MS)));
  for (const s of snaps) assert.equal(s.state.kind, 'running', `${s.name} is running`);
  assert.ok(server(S.everything).tools.length >= 10, 'server-everything lists its tools');
  assert.ok(server(S.filesystem).tools.some((t) => t.name === 'list_allowed_directories'), 'server-filesystem lists its tools');
}, { timeoutMs: START_TIMEOUT_MS + 5000 });

test('Servers view: one root item per server with state and tool count', async () => {
  const roots = await api.treeChildren();
  for (const s of api.servers()) {
    const node = roots.find((n) => n.label === s.name);
    assert.ok(node, `root item for ${s.name}`);
    assert.equal(node.description, s.description, `description of ${s.name} matches the snapshot`);
    const m = /^running · (\d+) tools?$/.exec(node.description || '');
    assert.ok(m, `description of ${s.name} is "running · N tools", got "${node.description}"`);
    assert.equal(Number(m[1]), s.tools.length, `tool count of ${s.name}`);
    assert.equal(node.contextValue, 'mcpServer.running.signedOut', `contextValue of ${s.name}`);
    assert.equal(node.collapsible, true, `${s.name} is collapsible`);
  }
  const everything = roots.find((n) => n.label === S.everything);
  assert.match(String(everything.tooltip), /server-everything/, 'tooltip shows the command line');
});

test('Servers view: Tools, Resources and Prompts of server-everything', async () => {
  const children = await api.treeChildren((await rootNode(S.everything)).id);
  const labels = children.map((n) => n.label);
  const order = ['Tools', 'Resources', 'Prompts'].map((p) => labels.findIndex((l) => l.startsWith(p)));
  assert.ok(order.every((i) => i >= 0), `groups present: ${labels.join(', ')}`);
  assert.ok(order[0] < order[1] && order[1] < order[2], `groups in order Tools, Resources, Prompts: ${labels.join(', ')}`);

  const tools = await api.treeChildren((await group(S.everything, 'Tools')).id);
  const echo = tools.find((n) => n.label === 'echo');
  assert.ok(echo, `echo tool leaf (have ${tools.map((n) => n.label).join(', ')})`);
  assert.equal(echo.contextValue, 'mcpTool');
  assert.equal(echo.description, 'Echo Tool', 'tool description = its title');
  assert.equal(echo.tooltip, 'Echoes back the input string', 'tool tooltip = its description');
  assert.equal(echo.collapsible, false);
  assert.equal(tools.length, server(S.everything).tools.length, 'one leaf per tool');

  const resources = await api.treeChildren((await group(S.everything, 'Resources')).id);
  const doc = resources.find((n) => n.contextValue === 'mcpResource' && /^demo:\/\/resource\/static\/document\//.test(n.description || ''));
  assert.ok(doc, `a static resource leaf with its uri as description (have ${resources.map((n) => `${n.label}=${n.description}`).join(', ')})`);
  const tpl = resources.find((n) => n.contextValue === 'mcpResourceTemplate' && n.label === 'Dynamic Text Resource');
  assert.ok(tpl, 'the Dynamic Text Resource template leaf');
  assert.equal(tpl.description, 'demo://resource/dynamic/text/{resourceId}');
  const s = server(S.everything);
  assert.equal(resources.length, s.resources.length + s.resourceTemplates.length, 'resources + templates');

  const prompts = await api.treeChildren((await group(S.everything, 'Prompts')).id);
  const args = prompts.find((n) => n.label === 'args-prompt');
  assert.ok(args, 'args-prompt leaf');
  assert.equal(args.contextValue, 'mcpPrompt');
});

test('callTool: echo on server-everything', async () => {
  const r = await api.callTool(S.everything, 'echo', { message: 'hello from the suite' });
  assert.ok(!r.isError, 'not an error');
  assert.equal(textOf(r), 'Echo: hello from the suite');
});

test('a task: simulate-research-query runs as a task, marked in Tools, listed under Tasks with its result', async () => {
  const tools = await api.treeChildren((await group(S.everything, 'Tools')).id);
  const leaf = tools.find((n) => n.label === 'simulate-research-query');
  assert.ok(leaf, 'the task tool is listed');
  assert.match(leaf.description || '', /(^| · )task$/, `the tool is marked as a task (description "${leaf.description}")`);
  const r = await api.callTool(S.everything, 'simulate-research-query', { topic: 'the suite' });
  assert.ok(!r.isError, 'not an error');
  assert.match(textOf(r), /^# Research Report: the suite\n/);
  const tasksGroup = await group(S.everything, 'Tasks');
  assert.equal(tasksGroup.contextValue, 'mcpGroup.tasks');
  const items = await api.treeChildren(tasksGroup.id);
  const item = items.find((n) => n.label === 'simulate-research-query');
  assert.ok(item, `the task is listed (have ${items.map((n) => `${n.label}=${n.description}`).join(', ')})`);
  assert.equal(item.contextValue, 'mcpTask.finished');
  assert.match(item.description || '', /^completed/);
  assert.match(String(item.tooltip), /Result ready \(Open Result\)\./);
  const taskId = /^Task (\S+)/.exec(String(item.tooltip))[1];
  await vscode.commands.executeCommand('mcpHost.openTaskResult', S.everything, taskId);
  await until(() => vscode.window.visibleTextEditors.some((e) => /# Research Report: the suite/.test(e.document.getText())), 'the task result to open in an editor');
}, { timeoutMs: 60000 });

test('callTool: get-sum on server-everything', async () => {
  const r = await api.callTool(S.everything, 'get-sum', { a: 2, b: 40 });
  assert.match(textOf(r), /42/);
});

test('callTool: structuredContent and isError (fixture server)', async () => {
  const add = await api.callTool(S.basic, 'add', { a: 2, b: 3 });
  assert.deepEqual(add.structuredContent, { sum: 5 });
  const fail = await api.callTool(S.basic, 'fail', {});
  assert.equal(fail.isError, true, 'isError result is returned, not thrown');
  assert.match(textOf(fail), /always fails/);
}, { needs: [S.basic] });

test('readResource: a static resource', async () => {
  const uri = 'demo://resource/static/document/features.md';
  const r = await api.readResource(S.everything, uri);
  assert.equal(r.contents.length, 1);
  assert.equal(r.contents[0].uri, uri);
  assert.ok(String(r.contents[0].text).length > 20, 'has text');
});

test('readResource: an expanded resource template', async () => {
  const r = await api.readResource(S.everything, 'demo://resource/dynamic/text/7');
  assert.match(String(r.contents[0].text), /^Resource 7: /);
});

test('getPrompt: args-prompt with arguments', async () => {
  const r = await api.getPrompt(S.everything, 'args-prompt', { city: 'Paris', state: 'Texas' });
  assert.equal(r.messages.length, 1);
  assert.equal(r.messages[0].role, 'user');
  assert.equal(r.messages[0].content.text, "What's weather in Paris, Texas?");
});

test('roots: server-filesystem sees the workspace folder (no directory arguments)', async () => {
  const folder = workspaceFolder().uri.fsPath;
  const real = fs.realpathSync(folder);
  const dirs = textOf(await api.callTool(S.filesystem, 'list_allowed_directories', {}));
  assert.ok(dirs.includes(folder) || dirs.includes(real), `allowed directories include ${folder}: ${dirs}`);
  const notes = textOf(await api.callTool(S.filesystem, 'read_text_file', { path: `${real}/notes.txt` }));
  assert.match(notes, /hello from the MCP Host fixture workspace/);
});

test('roots: roots/list answers the workspace folders (fixture server)', async () => {
  const roots = JSON.parse(textOf(await api.callTool(S.basic, 'roots', {})));
  const uris = roots.map((r) => r.uri.replace(/\/$/, ''));
  assert.ok(uris.includes(workspaceFolder().uri.toString().replace(/\/$/, '')), `roots ${JSON.stringify(roots)}`);
}, { needs: [S.basic] });

test('sampling: an allowed server gets the test model answer', async () => {
  const r = await api.callTool(S.basic, 'sample', { prompt: 'ping from the suite' });
  assert.ok(!r.isError, `sampling succeeded: ${textOf(r)}`);
  assert.equal(textOf(r), 'Echo from test model: ping from the suite');
}, { needs: [S.basic], timeoutMs: 60000 });

test('log: output channel name and logged lines', async () => {
  assert.equal(api.outputChannelName(S.everything), `MCP Host: ${S.everything}`);
  assert.ok(api.logLines(S.everything).length > 0, 'server-everything has log lines');
  if (expected(S.basic)) {
    server(S.basic);
    await api.callTool(S.basic, 'echo', { message: 'log-check-7319' });
    await until(() => api.logLines(S.basic).some((l) => l.includes('log-check-7319')), 'the server log message in logLines(basic)');
  }
});

test('remote: server-everything over Streamable HTTP and legacy SSE, with the URL in the tooltip', async () => {
  const roots = await api.treeChildren();
  for (const [name, path] of [[R.http, '/mcp'], [R.sse, '/sse']]) {
    const snap = await api.waitForState(name, 'running', START_TIMEOUT_MS);
    assert.ok(snap.tools.some((t) => t.name === 'echo'), `${name} lists echo`);
    const r = await api.callTool(name, 'echo', { message: `over ${name}` });
    assert.deepEqual(r.content, [{ type: 'text', text: `Echo: over ${name}` }]);
    const node = roots.find((n) => n.label === name);
    assert.ok(node && new RegExp(`http://127\\.0\\.0\\.1:\\d+${path}`).test(node.tooltip ?? ''), `tooltip of ${name} shows its URL: ${node?.tooltip}`);
    const read = await api.readResource(name, 'demo://resource/dynamic/text/7');
    assert.match(read.contents[0].text, /7/);
  }
}, { timeoutMs: START_TIMEOUT_MS + 10000, needs: [R.http, R.sse] });

test('mcpHost.callTool with all arguments opens a read-only result document', async () => {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('mcpHost.callTool', S.everything, 'echo', { message: 'from the command' });
  const editor = await until(
    () => vscode.window.visibleTextEditors.find((e) => e.document.getText().includes('Echo: from the command')),
    'a visible editor showing the echo result',
  );
  const scheme = editor.document.uri.scheme;
  assert.ok(scheme !== 'file' && scheme !== 'untitled', `result is a virtual document (scheme ${scheme})`);
  await assert.rejects(
    Promise.resolve(vscode.workspace.fs.writeFile(editor.document.uri, Buffer.from('overwritten'))),
    'writing the result document fails: it is read-only',
  );
  assert.ok(editor.document.getText().includes('Echo: from the command'), 'the result is unchanged');
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
  assert.ok(tabs.some((t) => t.label === 'echo result'), `a tab named "echo result" (have: ${tabs.map((t) => t.label).join(', ')})`);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

// Issue 9: the stateless 2026-07-28 fixture over stdio and HTTP, and the skills server.
require('./stateless.js')({ test, until, getApi: () => api, server, textOf, workspaceFolder, rootNode, group, START_TIMEOUT_MS });
require('./skills.js')({ test, until, getApi: () => api, workspaceFolder, group, START_TIMEOUT_MS });

// Items 4 and 5 of issue 8: mcpHost.addServer with a ready spec, and no secret in the API.
require('./trust.js')({ test, until, getApi: () => api, server, textOf, workspaceFolder, START_TIMEOUT_MS });

// ---------------------------------------------------------------------------------------

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`"${name}" timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function errorText(e) {
  if (e instanceof Error) return e.message + (e.stack ? `\n${e.stack.split('\n').slice(1, 4).join('\n')}` : '');
  return String(e);
}

/**
 * Runs every test in order. Resolves to `{results}`; rejects (with `.results`) on a failure.
 * A result is `{name, ok, ms, error?}`, or `{name, ok: true, skipped: reason, ms: 0}` for a
 * test the runner's MCP_HOST_TEST_SERVERS ruled out (a runner may count skips as it likes;
 * the e2e harness counts them as failures).
 */
async function run(options = {}) {
  const onResult = options.onResult || (() => {});
  const results = [];
  for (const t of tests) {
    const started = Date.now();
    let ok = true;
    let error;
    const notListed = t.needs.filter((n) => !expected(n));
    const unset = t.requires.filter((v) => !process.env[v]);
    if (!api && results.length > 0) {
      ok = false;
      error = 'skipped: the extension did not activate';
    } else if (notListed.length || unset.length) {
      const why = notListed.length
        ? `the runner did not configure ${notListed.join(', ')} (MCP_HOST_TEST_SERVERS=${[...EXPECTED_SERVERS].join(',')})`
        : `the runner did not set ${unset.join(', ')}`;
      const r = { name: t.name, ok: true, skipped: why, ms: 0 };
      results.push(r);
      console.log(`  - ${t.name} (skipped: ${r.skipped})`);
      onResult(r);
      continue;
    } else {
      try {
        await withTimeout(Promise.resolve().then(t.fn), t.timeoutMs, t.name);
      } catch (e) {
        ok = false;
        error = errorText(e);
      }
    }
    const r = { name: t.name, ok, ms: Date.now() - started, ...(ok ? {} : { error }) };
    results.push(r);
    console.log(`${ok ? '  ✓' : '  ✗'} ${t.name}${ok ? '' : `\n      ${error}`}`);
    onResult(r);
  }
  const failed = results.filter((r) => !r.ok);
  const skipped = results.filter((r) => r.skipped);
  console.log(`integration suite: ${results.length - failed.length - skipped.length} passed, ${failed.length} failed, ${skipped.length} skipped`);
  if (failed.length > 0) {
    const e = new Error(`${failed.length} of ${results.length} integration tests failed: ${failed.map((r) => r.name).join('; ')}`);
    e.results = results;
    throw e;
  }
  return { results };
}

module.exports = { run, tests };
