// MCP 2026-07-28 in the real extension host (issue 9, "In VS Code and the CLI"): the stateless
// fixture on @modelcontextprotocol/server 2.4 (test/fixtures/servers/stateless.mjs) over stdio
// (`stateless`) and Streamable HTTP (`stateless-http`, started by the harness) works as a
// 2025-11-25 server does — lists, calls, reads, prompts, MRTR (elicitation form and URL,
// roots, sampling), subscriptions through subscriptions/listen, a 2026 task. Registered by
// index.js. The tests that make the server ask the user something script the answers of the
// person at the keyboard (harness.js → test/e2e/lib/answerer.mjs) and check in the UI log that
// the dialogs were shown; they need MCP_HOST_TEST_UI_LOG (only the e2e harness sets it).
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const vscode = require('vscode');
const { uiLog, withAnswers } = require('./harness.js');

const STATELESS = { stdio: 'stateless', http: 'stateless-http' }; // workspace.mjs SERVER.stateless, STATELESS_HTTP
const PV = '2026-07-28';
const BLOB_0_15 = Buffer.from(Array.from({ length: 16 }, (_, i) => i)).toString('base64');
const UI = ['MCP_HOST_TEST_UI_LOG'];

/** The definition of `name` in the workspace's .vscode/mcp.json (what the harness wrote). */
function definition(workspaceFolder, name) {
  const file = path.join(workspaceFolder().uri.fsPath, '.vscode', 'mcp.json');
  const def = JSON.parse(fs.readFileSync(file, 'utf8')).servers[name];
  assert.ok(def, `${name} is defined in ${file}`);
  return def;
}

const envelope = {
  'io.modelcontextprotocol/protocolVersion': PV,
  'io.modelcontextprotocol/clientInfo': { name: 'e2e-raw-lister', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const LISTS = [['tools/list', 'tools'], ['resources/list', 'resources'], ['resources/templates/list', 'resourceTemplates'], ['prompts/list', 'prompts']];

/**
 * What the server itself lists, asked on the wire with plain JSON-RPC (no MCP Host code): over
 * stdio a process of its own (the fixture's lists do not depend on the process), over HTTP the
 * harness's server. Every page, in order.
 */
async function rawLists(def) {
  const send = def.type === 'http' ? await httpSender(def.url) : stdioSender(def);
  try {
    const out = {};
    for (const [method, key] of LISTS) {
      out[key] = [];
      let cursor;
      for (let page = 0; page < 50; page++) {
        const res = await send(method, { ...(cursor ? { cursor } : {}), _meta: envelope });
        assert.ok(res.result, `${method} answered a result: ${JSON.stringify(res).slice(0, 300)}`);
        out[key].push(...res.result[key]);
        cursor = res.result.nextCursor;
        if (!cursor) break;
      }
    }
    return out;
  } finally {
    await send.close();
  }
}

function stdioSender(def) {
  const child = spawn(def.command, def.args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  let buf = '';
  let id = 0;
  child.stdout.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let msg;
      try { msg = JSON.parse(line); } catch { continue; }
      if (msg.id !== undefined && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const send = (method, params) => new Promise((resolve, reject) => {
    const my = ++id;
    const timer = setTimeout(() => reject(new Error(`${method}: no answer from ${def.args.join(' ')} within 20 s`)), 20000);
    waiting.set(my, (m) => { clearTimeout(timer); resolve(m); });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: my, method, params })}\n`);
  });
  send.close = async () => {
    child.stdin.end();
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  return send;
}

async function httpSender(url) {
  let id = 0;
  const send = async (method, params) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': PV, 'mcp-method': method },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    });
    const text = await res.text();
    if ((res.headers.get('content-type') || '').includes('text/event-stream')) {
      const datas = text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)));
      return datas.find((m) => m.id === id) ?? { error: `no response in the stream: ${text.slice(0, 300)}` };
    }
    return JSON.parse(text);
  };
  send.close = async () => {};
  return send;
}

const names = (list, key = 'name') => list.map((x) => x[key]);

module.exports = function register({ test, until, getApi, server, textOf, workspaceFolder, rootNode, group, START_TIMEOUT_MS }) {
  const api = () => getApi();

  for (const [kind, name] of Object.entries(STATELESS)) {
    const http = kind === 'http';
    const needs = [name];

    test(`${name}: running with protocol 2026-07-28 (stateless) in the tooltip; every list as the server lists it${http ? ', bad-header dropped (invalid x-mcp-header over HTTP)' : ''}`, async () => {
      const snap = await api().waitForState(name, 'running', START_TIMEOUT_MS);
      const root = await rootNode(name);
      assert.match(String(root.tooltip), /\nprotocol 2026-07-28 \(stateless\)\n/, `the tooltip says the protocol in use: ${root.tooltip}`);
      assert.match(String(root.tooltip), /\ntools listed (just now|\d+ s ago|\d+ min ago)$/, `the tooltip says how old the tool list is: ${root.tooltip}`);
      assert.equal(root.description, `running · ${snap.tools.length} tools`);

      const raw = await rawLists(definition(workspaceFolder, name));
      const rawTools = names(raw.tools);
      assert.ok(rawTools.includes('bad-header') && rawTools.includes('research'), `the server lists bad-header and research: ${rawTools.join(', ')}`);
      const expectedTools = http ? rawTools.filter((t) => t !== 'bad-header') : rawTools;
      assert.deepEqual(names(snap.tools), expectedTools, `${name}'s tools as the server lists them${http ? ' (without bad-header)' : ''}`);
      assert.deepEqual(names(snap.resources, 'uri'), names(raw.resources, 'uri'), 'resources');
      assert.deepEqual(names(snap.resourceTemplates, 'uriTemplate'), names(raw.resourceTemplates, 'uriTemplate'), 'resource templates');
      assert.deepEqual(names(snap.prompts), names(raw.prompts), 'prompts');
      assert.deepEqual(names(snap.resources, 'uri'), ['fixture://static/text', 'fixture://static/blob', 'fixture://needs-input']);
      assert.deepEqual(names(snap.resourceTemplates, 'uriTemplate'), ['fixture://greeting/{name}']);
      assert.deepEqual(names(snap.prompts), ['greet', 'interview']);

      // The tree shows the same lists.
      const tools = await api().treeChildren((await group(name, 'Tools')).id);
      assert.deepEqual(tools.map((n) => n.label), expectedTools, 'the Tools group lists them');
      const resources = await api().treeChildren((await group(name, 'Resources')).id);
      assert.deepEqual(resources.map((n) => n.description), [...names(raw.resources, 'uri'), ...names(raw.resourceTemplates, 'uriTemplate')], 'the Resources group: resources, then templates');
      const prompts = await api().treeChildren((await group(name, 'Prompts')).id);
      assert.deepEqual(prompts.map((n) => n.label), names(raw.prompts), 'the Prompts group lists them');
      const echo = tools.find((n) => n.label === 'echo');
      assert.equal(echo.tooltip, 'Echoes the message', 'a tool\'s tooltip is its description');
    }, { timeoutMs: START_TIMEOUT_MS + 30000, needs });

    test(`${name}: calls (echo, add with structuredContent, fail as isError), reads (text, blob), a template read and a prompt`, async () => {
      assert.deepEqual((await api().callTool(name, 'echo', { message: `over ${name}` })).content, [{ type: 'text', text: `over ${name}` }]);
      const add = await api().callTool(name, 'add', { a: 2, b: 40 });
      assert.deepEqual(add.structuredContent, { sum: 42 });
      assert.equal(textOf(add), '{"sum":42}');
      const fail = await api().callTool(name, 'fail', {});
      assert.equal(fail.isError, true);
      assert.equal(textOf(fail), 'fixture failure: this tool always fails');
      const text = await api().readResource(name, 'fixture://static/text');
      assert.match(text.contents[0].text, /^hello from the stateless fixture \(revision \d+\)$/);
      assert.equal(text.contents[0].mimeType, 'text/plain');
      const blob = await api().readResource(name, 'fixture://static/blob');
      assert.equal(blob.contents[0].blob, BLOB_0_15, 'the 16 bytes 0..15');
      assert.equal(blob.contents[0].mimeType, 'application/octet-stream');
      assert.equal((await api().readResource(name, 'fixture://greeting/bob')).contents[0].text, 'Hello, bob!');
      const greet = await api().getPrompt(name, 'greet', { name: 'alice' });
      assert.deepEqual(greet.messages, [{ role: 'user', content: { type: 'text', text: 'Please greet alice.' } }]);
    }, { needs });

    test(`${name}: MRTR — ask gets the form answered through the elicitation UI, the workspace folder as roots, and the test model's answer after the sampling dialog was approved`, async () => {
      const asks = `MCP server "${name}" asks: Tell the fixture about yourself`;
      const sampling = `MCP server "${name}" wants to use a language model.`;
      const { value: r } = await withAnswers({
        dialogs: [{ text: asks, answer: 'Respond', ...(http ? {} : { shot: 'stateless-mrtr-elicitation-dialog' }) }, { text: sampling, answer: 'Approve' }],
        inputs: [{ title: `${name}: Name (1/2)`, value: 'Ada' }, { title: `${name}: Favourite colour (2/2)`, pick: 'blue' }],
      }, () => api().callTool(name, 'ask', {}));
      assert.ok(!r.isError, `not an error: ${textOf(r)}`);
      const got = r.structuredContent;
      assert.deepEqual(got.elicitation, { action: 'accept', content: { name: 'Ada', color: 'blue' } }, 'the form as the person filled it');
      const folder = workspaceFolder().uri.toString().replace(/\/$/, '');
      assert.ok(Array.isArray(got.roots) && got.roots.some((x) => x.uri.replace(/\/$/, '') === folder), `the roots hold the workspace folder ${folder}: ${JSON.stringify(got.roots)}`);
      assert.equal(got.sampling?.content?.text, 'Echo from test model: Say hello to the fixture', `the companion's test model answered: ${JSON.stringify(got.sampling)}`);
      assert.equal(got.requestStateEchoed, true, 'the retry carried the requestState back');
      // What the person saw and did (the harness writes some of it just after the click).
      const shown = await until(() => uiLog().find((e) => e.kind === 'dialog' && e.text === sampling), 'the sampling dialog in the UI log');
      assert.match(shown.detail, /System prompt: be brief/, `the sampling dialog shows the system prompt: ${shown.detail}`);
      await until(() => uiLog().some((e) => e.kind === 'answered' && e.text === sampling && e.answer === 'Approve'), 'the sampling dialog answered with Approve');
      await until(() => uiLog().some((e) => e.kind === 'answered' && e.text === asks && e.answer === 'Respond'), 'the elicitation dialog answered with Respond');
      assert.ok(uiLog().some((e) => e.kind === 'picked' && e.title === `${name}: Favourite colour (2/2)` && e.pick === 'blue'), 'blue was picked in the form');
    }, { needs, requires: UI, timeoutMs: 90000 });

    test(`${name}: MRTR — ask-url opens the page after the URL consent dialog (Open)`, async () => {
      const before = (await api().callTool(name, 'counts', {})).structuredContent.confirmHits;
      const { value: r } = await withAnswers({
        dialogs: [
          { text: `MCP server "${name}" asks you to open 127.0.0.1`, answer: 'Open', ...(http ? {} : { shot: 'stateless-url-elicitation-dialog' }) },
          // VS Code's own link protection, if it asks (a person opens it).
          { text: '/^Do you want .* to open the external website\\?$/', answer: 'Open' },
        ],
      }, () => api().callTool(name, 'ask-url', {}));
      assert.ok(!r.isError, `not an error: ${textOf(r)}`);
      assert.equal(r.structuredContent.action, 'accept', `the URL elicitation was accepted: ${textOf(r)}`);
      const shown = uiLog().find((e) => e.kind === 'dialog' && e.text === `MCP server "${name}" asks you to open 127.0.0.1`);
      assert.ok(shown && /http:\/\/127\.0\.0\.1:\d+\/confirm/.test(shown.detail), `the dialog shows the URL: ${shown && shown.detail}`);
      // The browser opened the page (the fixture counts the hits of /confirm); it may load
      // after the retry, so the result's own pageOpened is not asserted.
      await until(async () => (await api().callTool(name, 'counts', {})).structuredContent.confirmHits > before,
        `the browser to fetch the /confirm page (pageOpened in the result: ${r.structuredContent.pageOpened})`, 20000);
    }, { needs, requires: UI, timeoutMs: 60000 });

    test(`${name}: MRTR — the interview prompt and the fixture://needs-input read get their forms answered`, async () => {
      const { value: p } = await withAnswers({
        dialogs: [{ text: `MCP server "${name}" asks: How formal?`, answer: 'Respond' }],
        inputs: [{ title: `${name}: tone (1/1)`, pick: 'formal' }],
      }, () => api().getPrompt(name, 'interview', { name: 'Ada' }));
      assert.deepEqual(p.messages, [{ role: 'user', content: { type: 'text', text: 'Greet Ada in a formal tone.' } }]);
      const { value: r } = await withAnswers({
        dialogs: [{ text: `MCP server "${name}" asks: Passphrase for fixture://needs-input`, answer: 'Respond' }],
        inputs: [{ title: `${name}: passphrase (1/1)`, value: 'open sesame' }],
      }, () => api().readResource(name, 'fixture://needs-input'));
      assert.equal(r.contents[0].text, 'unlocked with "open sesame"');
    }, { needs, requires: UI, timeoutMs: 90000 });

    // The list first, while the listen stream is the one opened at start: a stream being
    // replaced (a document closed changes its filter) delivers the notification twice, which
    // could hide a refresh that misses the first one.
    test(`${name}: subscriptions — touch-list adds bonus-tool to the Tools list and the tree (list_changed through subscriptions/listen), and takes it away again`, async () => {
      const toolNames = () => server(name).tools.map((t) => t.name);
      assert.ok(!toolNames().includes('bonus-tool'), 'no bonus-tool before touch-list');
      let on = false;
      try {
        on = (await api().callTool(name, 'touch-list', { list: 'tools' })).structuredContent.bonus.tools;
        assert.equal(on, true, 'the fixture lists bonus-tool now');
        await until(() => toolNames().includes('bonus-tool'), `bonus-tool in the tools of ${name} after the server's list_changed`, 20000);
        const tools = await api().treeChildren((await group(name, 'Tools')).id);
        assert.ok(tools.some((n) => n.label === 'bonus-tool'), `the Tools group shows bonus-tool: ${tools.map((n) => n.label).join(', ')}`);
        assert.equal(textOf(await api().callTool(name, 'bonus-tool', {})), 'bonus');
        on = (await api().callTool(name, 'touch-list', { list: 'tools' })).structuredContent.bonus.tools;
        assert.equal(on, false, 'the fixture no longer lists bonus-tool');
        await until(() => !toolNames().includes('bonus-tool'), `bonus-tool to leave the tools of ${name} after the second list_changed`, 20000);
      } finally {
        // The fixture's lists are per process: leave them as they were.
        if (on) await api().callTool(name, 'touch-list', { list: 'tools' });
      }
    }, { needs, timeoutMs: 60000 });

    test(`${name}: subscriptions — an open fixture://static/text document updates after touch-resource (resources/updated through subscriptions/listen)`, async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const uri = 'fixture://static/text';
      await vscode.commands.executeCommand('mcpHost.readResource', name, uri);
      // The editor the command opened (a document of an earlier test may still be loaded).
      const doc = await until(() => vscode.window.visibleTextEditors.map((e) => e.document)
        .find((d) => d.uri.scheme === 'mcp-host' && /^hello from the stateless fixture \(revision \d+\)$/.test(d.getText())), 'the resource document to open');
      const revision = Number(/revision (\d+)/.exec(doc.getText())[1]);
      const touched = await api().callTool(name, 'touch-resource', { uri });
      assert.equal(touched.structuredContent.revision, revision + 1);
      await until(() => doc.getText() === `hello from the stateless fixture (revision ${revision + 1})`,
        `the open document to show revision ${revision + 1} (it shows "${doc.getText()}")`, 20000);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }, { needs, timeoutMs: 60000 });

    test(`${name}: a 2026-07-28 task — research through mcpHost.callTool, its input request answered; listed finished under Tasks; Open Task Result`, async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const topic = `the ${name} suite`;
      const { value: r } = await withAnswers({
        dialogs: [{ text: `MCP server "${name}" asks: Found several interpretations of "${topic}". Which one?`, answer: 'Respond' }],
        inputs: [{ title: `${name}: interpretation (1/1)`, pick: 'historical' }],
      }, () => vscode.commands.executeCommand('mcpHost.callTool', name, 'research', { topic }));
      assert.ok(r && !r.isError, `the task's result: ${r && textOf(r)}`);
      assert.equal(textOf(r), `# Research report: ${topic} (historical)`);
      assert.deepEqual(r.structuredContent, { topic, interpretation: 'historical' });
      const tasksGroup = await group(name, 'Tasks');
      assert.equal(tasksGroup.contextValue, 'mcpGroup.tasks');
      const items = await api().treeChildren(tasksGroup.id);
      const item = items.find((n) => n.label === 'research' && /^completed/.test(n.description || ''));
      assert.ok(item, `the finished task is listed (have ${items.map((n) => `${n.label}=${n.description}`).join(', ')})`);
      assert.equal(item.contextValue, 'mcpTask.finished');
      assert.match(String(item.tooltip), /Result ready \(Open Result\)\./);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const taskId = /^Task (\S+)/.exec(String(item.tooltip))[1];
      await vscode.commands.executeCommand('mcpHost.openTaskResult', name, taskId);
      await until(() => vscode.window.visibleTextEditors.some((e) => e.document.getText().includes(`# Research report: ${topic} (historical)`)), 'Open Task Result to show the report');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }, { needs, requires: UI, timeoutMs: 90000 });
  }
};
