// Pass-through naming (issue 13): `mcp-host gateway --expose X --no-prefix` is a plain proxy of
// one server. Driven through the CLI over stdio by the official SDK 1.x client against
// server-everything: names and URIs are the server's own; a tool, prompt, resource or
// completion the lists do not have goes to the server as it is, and the server's own answer
// comes back. With two servers --no-prefix is refused; in-process, the catalogue passes one
// server through and leaves a second one out, saying so.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Catalog } from '../../src/gateway/catalog.ts';
import { passThroughServer } from '../../src/gateway/naming.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { BIN, cleanEnv, cli, node, show } from './cliHarness.ts';
import { EVERYTHING, fixture, repo, stdioDef, waitForState } from './helpers.ts';

const MEMORY = path.join(repo, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');

const made: string[] = [];
after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcph-gateway-pass-'));
  made.push(dir);
  mkdirSync(path.join(dir, '.vscode'));
  writeFileSync(path.join(dir, '.vscode', 'mcp.json'), JSON.stringify({
    servers: {
      everything: { type: 'stdio', command: node, args: [EVERYTHING, 'stdio'] },
      memory: { type: 'stdio', command: node, args: [MEMORY], env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') } },
    },
  }));
  return dir;
}

describe('mcp-host gateway --stdio --expose everything --no-prefix, driven by the SDK 1.x client', () => {
  let client: Client;
  let stderr = '';
  const updated: string[] = [];
  let heardUpdate: () => void = () => {};

  before(async () => {
    const dir = workspace();
    const transport = new StdioClientTransport({ command: node, args: [BIN, 'gateway', '--stdio', '--expose', 'everything', '--no-prefix', '--trust-workspace'], cwd: dir, env: cleanEnv(), stderr: 'pipe' });
    transport.stderr?.on('data', c => { stderr += c; });
    client = new Client({ name: 'sdk-client', version: '1.0.0' });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, n => { updated.push(n.params.uri); heardUpdate(); });
    await client.connect(transport);
    // The server starts in the background; its tools appear (with list_changed) once it runs.
    for (let i = 0; i < 600 && !(await client.listTools()).tools.some(t => t.name === 'toggle-subscriber-updates'); i++) await new Promise(r => setTimeout(r, 100));
  });

  after(async () => { await client?.close(); });

  test("tools, prompts, resources and templates keep the server's own names and URIs", async () => {
    const tools = (await client.listTools()).tools.map(t => t.name);
    for (const n of ['echo', 'get-sum', 'trigger-long-running-operation']) assert.ok(tools.includes(n), `${n} is among ${tools.join(', ')}`);
    assert.ok(tools.every(n => !n.includes('__')), tools.join(', '));
    const prompts = (await client.listPrompts()).prompts.map(p => p.name);
    assert.ok(prompts.includes('simple-prompt'), prompts.join(', '));
    const { resources } = await client.listResources();
    assert.ok(resources.length > 0);
    for (const r of resources) assert.doesNotMatch(r.uri, /^mcp-gateway:/);
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.ok(resourceTemplates.length > 0);
    for (const t of resourceTemplates) assert.doesNotMatch(t.uriTemplate, /^mcp-gateway:/);
  });

  test('listed names work as they are: a call, a read (its contents keep the URI), a prompt, a completion', async () => {
    const echo = await client.callTool({ name: 'echo', arguments: { message: 'passed through' } });
    assert.match(JSON.stringify(echo.content), /passed through/);
    const first = (await client.listResources()).resources[0]!;
    const read = await client.readResource({ uri: first.uri });
    assert.equal(read.contents[0]!.uri, first.uri);
    assert.ok((await client.getPrompt({ name: 'simple-prompt', arguments: {} })).messages.length > 0);
    const c = await client.complete({ ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'E' } });
    assert.ok(c.completion.values.length > 0, JSON.stringify(c));
  });

  test("a tool it did not list goes to the server, and the server's own answer comes back", async () => {
    // server-everything answers an unknown tool with an isError result (the gateway, namespaced, would refuse it itself).
    const r = await client.callTool({ name: 'test_simple_text', arguments: {} });
    assert.equal(r.isError, true);
    assert.match(JSON.stringify(r.content), /Tool test_simple_text not found/);
  });

  test("an unknown prompt and an unknown resource are the server's errors, not the gateway's", async () => {
    await assert.rejects(client.getPrompt({ name: 'no-such-prompt', arguments: {} }), (e: Error) => /no-such-prompt not found/.test(e.message) && !/any running exposed server/.test(e.message));
    await assert.rejects(client.readResource({ uri: 'test://no-such-resource' }), (e: Error) => /not found/i.test(e.message) && !/any running exposed server/.test(e.message));
  });

  test('a subscription to a URI it did not list goes to the server; its update comes back under the same URI', async () => {
    assert.deepEqual(await client.subscribeResource({ uri: 'test://watched-resource' }), {});
    const heard = new Promise<void>(resolve => { heardUpdate = resolve; });
    // The tool sends an update for each subscribed URI at once, then every 5 s until toggled off.
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await heard;
    assert.equal(updated[0], 'test://watched-resource');
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
  });

  test('stderr has no internal error', () => {
    assert.doesNotMatch(stderr, /internal error|Traceback/i);
  });
});

describe('--no-prefix takes exactly one server', () => {
  test('two configured servers and no --expose: refused at once, saying why and what to do', async () => {
    const r = await cli(['gateway', '--stdio', '--no-prefix', '--trust-workspace'], { cwd: workspace() });
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /--no-prefix passes one server's names through unchanged, so it takes exactly one server, and "everything", "memory" would be exposed: their tools, prompts and resources could have the same names/);
    assert.match(r.stderr, /--expose NAME/);
  });

  test('--expose with two names: refused the same way', async () => {
    const r = await cli(['gateway', '--http', '--expose', 'everything,memory', '--no-prefix'], { cwd: workspace(), env: { MCP_HOST_GATEWAY_TOKEN: 'a-token-of-32-characters-or-so!!' } });
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /exactly one server.*"everything", "memory"/);
  });

  test('the gateway help documents it', async () => {
    const r = await cli(['gateway', '--help']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /--no-prefix\s+pass-through for exactly one server/);
  });
});

test('pass-through picks one server: the one it already serves keeps its place; otherwise the first id', () => {
  assert.deepEqual(passThroughServer([], undefined), { chosen: undefined, leftOut: [] });
  assert.deepEqual(passThroughServer(['u::b', 'u::a'], undefined), { chosen: 'u::a', leftOut: ['u::b'] });
  assert.deepEqual(passThroughServer(['u::b', 'u::a'], 'u::b'), { chosen: 'u::b', leftOut: ['u::a'] });
  assert.deepEqual(passThroughServer(['u::a'], 'u::gone'), { chosen: 'u::a', leftOut: [] });
});

test('the catalogue in pass-through with two running servers: one is served, the other left out and said so; it takes over when the first stops', async () => {
  const manager = new ServerManager({});
  const basic = fixture('basic.mjs');
  manager.setDefinitions([stdioDef('one', node, [basic]), stdioDef('two', node, [basic])], { autoStart: false });
  const warnings: string[] = [];
  const catalog = new Catalog({ source: manager, exposed: () => true, prefix: false, log: (_level, m) => warnings.push(m) });
  try {
    const one = manager.get('one')!;
    const two = manager.get('two')!;
    // "two" runs first, then "one": the first to run is served, even though "one" sorts first.
    await two.start();
    await waitForState(two, 'running');
    assert.equal(catalog.tool('echo')!.server, two);
    await one.start();
    await waitForState(one, 'running');
    // Both run the same fixture: the same names, so only one can be passed through.
    assert.deepEqual(catalog.tools.map(t => t.name), two.tools.map(t => t.name));
    assert.equal(catalog.tool('echo')!.server, two);
    assert.deepEqual(catalog.tool('anything-else'), { server: two, name: 'anything-else' });
    assert.deepEqual(catalog.prompt('no-such-prompt'), { server: two, name: 'no-such-prompt' });
    assert.deepEqual(catalog.resource('fixture://not-listed'), { server: two, uri: 'fixture://not-listed' });
    assert.equal(catalog.exposedUri(two, 'fixture://hello'), 'fixture://hello');
    assert.equal(catalog.exposedUri(one, 'fixture://hello'), undefined);
    assert.deepEqual(catalog.servers.map(s => s.server), [two]);
    assert.ok(catalog.resourceTemplates.length > 0 && catalog.resourceTemplates.every(t => catalog.templateServer(t.uriTemplate) === two));
    assert.deepEqual(catalog.leftOut, [one]);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /Pass-through naming serves one server, "two"; "one" is left out: their tools, prompts and resources would share one set of names with it/);

    // It stops: the other one takes over (the lists are the same here, so no list_changed to wait on).
    await two.stop();
    assert.equal(catalog.tool('echo')!.server, one);
    assert.deepEqual(catalog.leftOut, []);
    // It is back: the one now served keeps its place (a client's names stay its server's).
    await two.start();
    await waitForState(two, 'running');
    assert.equal(catalog.tool('echo')!.server, one);
    assert.deepEqual(catalog.leftOut, [two]);
    assert.equal(warnings.length, 2);
    // None runs: nothing is passed through, not even an unknown name.
    await Promise.all([one.stop(), two.stop()]);
    assert.equal(catalog.tool('anything'), undefined);
    assert.equal(catalog.resource('fixture://hello'), undefined);
    assert.deepEqual(catalog.tools, []);
  } finally {
    catalog.dispose();
    await manager.dispose();
  }
});

test('setPrefix switches the naming of a running catalogue, and back', async () => {
  const manager = new ServerManager({});
  manager.setDefinitions([stdioDef('one', node, [fixture('basic.mjs')])], { autoStart: true });
  const catalog = new Catalog({ source: manager, exposed: () => true });
  try {
    await waitForState(manager.get('one')!, 'running');
    assert.ok(catalog.tools.some(t => t.name === 'one__echo'));
    assert.equal(catalog.tool('echo'), undefined);
    catalog.setPrefix(false);
    assert.equal(catalog.prefix, false);
    assert.ok(catalog.tools.some(t => t.name === 'echo'));
    assert.ok(catalog.resources.some(r => r.uri === 'fixture://hello'));
    assert.equal(catalog.tool('echo')!.name, 'echo');
    catalog.setPrefix(true);
    assert.ok(catalog.tools.some(t => t.name === 'one__echo'));
    assert.ok(catalog.resourceTemplates.length > 0 && catalog.resourceTemplates.every(t => catalog.templateServer(t.uriTemplate) === manager.get('one')));
    assert.equal(catalog.resource('fixture://hello'), undefined);
  } finally {
    catalog.dispose();
    await manager.dispose();
  }
});
