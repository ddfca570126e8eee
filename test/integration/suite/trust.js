// Trust and secrets in the real extension host (issue 8, items 4 and 5), registered by
// index.js after its other tests.
//
// Secrets: the e2e harness plants a unique secret in every place a definition and a call can
// carry one (test/integration/workspace.mjs `secretDefinitions`; the values in the JSON file
// named by MCP_HOST_TEST_SECRETS), runs VS Code with every log at trace, types the password
// inputs into their input boxes; here the login call passes a format: password and a
// writeOnly argument, and the API's log lines, every tooltip of the Servers view and the
// api.servers() snapshot must hold none of them. The harness greps the log files.
//
// mcpHost.addServer with a ready spec: the harness (test/e2e/lib/answerer.mjs) writes what it
// saw to MCP_HOST_TEST_UI_LOG and holds the consent dialog of a server named `e2e-added-…`
// until this suite writes `<ui log>.release-NAME`: so the suite sees the dialog shown and the
// server waiting (no process) before it lets the harness click Allow.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const SECRET = { stdio: 'secrets', http: 'secrets-http' }; // workspace.mjs SECRET_SERVER
const MASK = '••••••';
const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'servers');

function plantedSecrets() {
  return JSON.parse(fs.readFileSync(process.env.MCP_HOST_TEST_SECRETS, 'utf8')).secrets;
}

/** A regular expression finding `value`: as a whole word when short (as the redactor masks it). */
function finder(value) {
  const esc = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return value.length < 4 ? new RegExp(`(?<![A-Za-z0-9])${esc}(?![A-Za-z0-9])`) : new RegExp(esc);
}

/**
 * Every line of `haystacks` ({where: text}) holding a secret, each secret shown as ⟪its name⟫:
 * a failure message must not itself carry the secret (it lands in the companion's log).
 */
function secretHits(haystacks, secrets) {
  const hide = (line) => {
    let out = line;
    for (const [name, v] of Object.entries(secrets)) out = out.split(v).join(`⟪${name}⟫`);
    return out.length > 400 ? `${out.slice(0, 400)}…` : out;
  };
  const hits = [];
  for (const [where, text] of Object.entries(haystacks)) {
    String(text).split('\n').forEach((line, i) => {
      for (const [name, v] of Object.entries(secrets)) {
        if (finder(v).test(line)) hits.push(`${where} (line ${i + 1}): ${name} in ${hide(line)}`);
      }
    });
  }
  return hits;
}

/** Every node of the Servers view, depth first: root items, groups, leaves. */
async function allNodes(api, parentId, depth = 0, out = []) {
  for (const n of await api.treeChildren(parentId)) {
    out.push(n);
    if (n.collapsible && depth < 3) await allNodes(api, n.id, depth + 1, out);
  }
  return out;
}

/** Pids of processes whose command line contains `marker`. */
function processesWith(marker) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(marker)) pids.push(Number(entry));
    } catch { /* gone */ }
  }
  return pids;
}

function uiLog() {
  const file = process.env.MCP_HOST_TEST_UI_LOG;
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
function release(name) {
  fs.writeFileSync(`${process.env.MCP_HOST_TEST_UI_LOG}.release-${name}`, '');
}

module.exports = function register({ test, until, getApi, server, textOf, workspaceFolder, START_TIMEOUT_MS }) {
  test('secrets: none of the planted secrets in logLines, tooltips or api.servers() (channels at trace); the masks are there', async () => {
    const api = getApi();
    const S = plantedSecrets();
    await api.waitForState(SECRET.stdio, 'running', START_TIMEOUT_MS);
    await api.waitForState(SECRET.http, 'running', START_TIMEOUT_MS);
    const login = await api.callTool(SECRET.stdio, 'login', { user: 'ann', password: S.argPassword, key: S.argKey });
    // The result itself is the caller's (the fixture repeats the credentials in it).
    assert.ok(textOf(login).includes(S.argPassword), 'the login result repeats the password (the fixture echoes it)');
    assert.equal(textOf(await api.callTool(SECRET.http, 'echo', { message: 'over secrets-http' })), 'Echo: over secrets-http');

    // What was logged about the call, once it has all arrived (stderr and notifications are
    // asynchronous to the result): its traffic (the channel is at trace), the fixture's stderr
    // and its notifications/message. First no secret anywhere, then the masks in their place.
    const lines = () => api.logLines(SECRET.stdio);
    const logged = {
      'the traced tools/call login request (is the channel at trace?)': (l) => /^\[trace\] → .*"method":"tools\/call"/.test(l) && l.includes('"login"'),
      'the traced login response': (l) => /^\[trace\] ← .*logged in: user ann password /.test(l),
      'the fixture\'s stderr about the login': (l) => /\[stderr\] secrets: login user ann password /.test(l),
      'the fixture\'s notifications/message about the login': (l) => !l.startsWith('[trace]') && !l.includes('[stderr]') && /login user ann password /.test(l),
      'the fixture\'s first stderr line (its argv and API_TOKEN)': (l) => l.includes('[stderr] secrets: started with argv'),
    };
    for (const [what, match] of Object.entries(logged)) await until(() => lines().some(match), `${what} in logLines(secrets)`, 15000);

    const nodes = await allNodes(api);
    const haystacks = {};
    for (const s of api.servers()) haystacks[`api.logLines("${s.name}")`] = api.logLines(s.name).join('\n');
    for (const n of nodes) haystacks[`Servers view item "${n.label}" (${n.id})`] = [n.label, n.description, n.tooltip].filter(Boolean).join('\n');
    haystacks['JSON.stringify(api.servers())'] = JSON.stringify(api.servers(), null, 1);
    const hits = secretHits(haystacks, S);
    assert.deepEqual(hits, [], `planted secrets reached the API or the view:\n${hits.join('\n')}`);

    // The masks are where the secrets were (so "no hit" is not "nothing logged").
    const masked = {
      'the traced login request': /^\[trace\] → .*"name":"login".*"password":"••••••"/,
      'the traced login response': /^\[trace\] ← .*logged in: user ann password •••••• key ••••••/,
      'the fixture\'s stderr about the login': /\[stderr\] secrets: login user ann password •••••• key ••••••/,
      'the fixture\'s argv and API_TOKEN': /\[stderr\] secrets: started with argv \["--password","••••••","--pin","••••••","••••••"\] and API_TOKEN=••••••/,
    };
    const unmasked = Object.entries(masked).filter(([, re]) => !lines().some((l) => re.test(l))).map(([what]) => what);
    assert.deepEqual(unmasked, [], 'logLines(secrets) shows these with the secrets masked');

    // The tooltips show the URL and the command line, masked (so "no hit" is not "no tooltip").
    const root = (name) => nodes.find((n) => n.label === name && n.contextValue && n.contextValue.startsWith('mcpServer'));
    const httpTip = String(root(SECRET.http)?.tooltip ?? '');
    assert.match(httpTip, /http:\/\/••••••@127\.0\.0\.1:\d+\/mcp\?token=••••••/, `the secrets-http tooltip shows its URL without user info or query value (${httpTip.length} characters)`);
    const stdioTip = String(root(SECRET.stdio)?.tooltip ?? '');
    assert.ok(stdioTip.includes('secrets.mjs') && stdioTip.includes(`--password ${MASK} --pin ${MASK} ${MASK}`),
      `the secrets tooltip shows the command line with the inputs and the \${env:…} argument masked (${stdioTip.split('\n')[0].length} characters)`);
  }, { timeoutMs: START_TIMEOUT_MS + 30000, needs: [SECRET.stdio, SECRET.http], requires: ['MCP_HOST_TEST_SECRETS'] });

  test('mcpHost.addServer with a ready spec: written to .vscode/mcp.json, starts only once its consent dialog is answered', async () => {
    const api = getApi();
    const name = `e2e-added-${Date.now().toString(36)}`;
    const marker = `--e2e-marker=${name}`;
    const file = path.join(workspaceFolder().uri.fsPath, '.vscode', 'mcp.json');
    const before = fs.readFileSync(file, 'utf8');
    const spec = { name, type: 'stdio', command: process.execPath, args: [path.join(FIXTURES, 'echo-fast.mjs'), marker] };
    const question = `Start MCP server "${name}" defined by this workspace?`;
    try {
      assert.equal(await vscode.commands.executeCommand('mcpHost.addServer', spec), name, 'the command returns the name it added');
      const written = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.deepEqual(written.servers[name], { type: 'stdio', command: spec.command, args: spec.args }, 'the entry in .vscode/mcp.json');
      for (const n of Object.keys(JSON.parse(before).servers)) assert.ok(written.servers[n], `the servers already there are kept (${n})`);

      // The harness shows that it sees the dialog and holds it: the server waits meanwhile.
      const shown = await until(() => uiLog().find((e) => e.kind === 'dialog' && e.text === question), `the dialog "${question}"`, 30000);
      assert.ok(shown.held, 'the harness holds this dialog until released');
      assert.ok(shown.detail.includes('echo-fast.mjs') && shown.detail.includes(marker), `the dialog shows the command line: ${shown.detail}`);
      assert.deepEqual(shown.buttons.filter((b) => /Allow/.test(b)).sort(), ['Allow', 'Don\'t Allow'], `buttons ${shown.buttons.join(', ')}`);
      assert.equal(server(name).state.kind, 'starting', `while the dialog is open the server waits (state ${JSON.stringify(server(name).state)})`);
      assert.deepEqual(processesWith(marker), [], 'no process of the server runs while its consent dialog is open');
      assert.ok(!uiLog().some((e) => e.kind === 'answered' && e.text === question), 'nobody answered the dialog yet');

      release(name);
      await until(() => uiLog().some((e) => e.kind === 'answered' && e.text === question), 'the harness to answer the dialog', 15000);
      await api.waitForState(name, 'running', 30000).catch((e) => {
        throw new Error(`Allow was clicked, but the server did not run: ${e.message}`);
      });
      assert.ok(uiLog().some((e) => e.kind === 'answered' && e.text === question && e.answer === 'Allow'), 'it runs after Allow was clicked');
      assert.ok(processesWith(marker).length > 0, 'its process runs');
      assert.equal(textOf(await api.callTool(name, 'echo', { message: 'added by a command' })), 'added by a command');
      await until(() => uiLog().some((e) => e.kind === 'notification' && e.message === `MCP Host: added server "${name}" to .vscode/mcp.json.`),
        'the notification "added server … to .vscode/mcp.json"', 15000);
    } finally {
      release(name);
      // Leave the workspace as it was: the entry goes, and with it the server and its process.
      fs.writeFileSync(file, before);
      await until(() => !api.servers().some((s) => s.name === name), `"${name}" to be removed after its entry went`, 30000);
      await until(() => processesWith(marker).length === 0, `the process of "${name}" to exit`, 15000);
    }
  }, { timeoutMs: 120000, requires: ['MCP_HOST_TEST_UI_LOG'] });

  test('mcpHost.addServer with an invalid spec or a taken name shows an error and writes nothing', async () => {
    const api = getApi();
    const file = path.join(workspaceFolder().uri.fsPath, '.vscode', 'mcp.json');
    const before = fs.readFileSync(file, 'utf8');
    const names = api.servers().map((s) => s.name).sort();
    const cases = [
      [{ name: 'e2e-invalid', type: 'stdio' }, 'MCP Host: Add Server was given an invalid server (expected {name, type: "stdio", command, args} or {name, type: "http" | "sse", url}).'],
      [{ name: 'e2e-invalid', type: 'http', url: 'file:///etc/passwd' }, 'MCP Host: Add Server was given an invalid server (expected {name, type: "stdio", command, args} or {name, type: "http" | "sse", url}).'],
      [{ name: 'everything', type: 'stdio', command: process.execPath, args: [path.join(FIXTURES, 'echo-fast.mjs')] }, 'MCP Host: a server named "everything" exists already.'],
    ];
    for (const [spec, message] of cases) {
      const count = (kind) => uiLog().filter((e) => e.kind === kind && e.message === message).length;
      const seen = count('notification');
      const closed = count('notification-closed');
      assert.equal(await vscode.commands.executeCommand('mcpHost.addServer', spec), undefined, `${JSON.stringify(spec)}: nothing added`);
      assert.equal(fs.readFileSync(file, 'utf8'), before, `${JSON.stringify(spec)}: .vscode/mcp.json is unchanged`);
      const shown = await until(() => uiLog().filter((e) => e.kind === 'notification' && e.message === message).slice(seen)[0],
        `the error "${message}" for ${JSON.stringify(spec)}`, 15000);
      assert.equal(shown.severity, 'error', `shown as an error: ${JSON.stringify(shown)}`);
      // The harness records the next toast of the same text once it saw this one go.
      await vscode.commands.executeCommand('notifications.clearAll');
      await until(() => count('notification-closed') > closed, `the harness to see "${message}" close`, 15000);
    }
    assert.deepEqual(api.servers().map((s) => s.name).sort(), names, 'the servers are the same');
  }, { timeoutMs: 90000, requires: ['MCP_HOST_TEST_UI_LOG'] });
};
