// The gateway's naming scheme (pure) and its catalogue and session in-process, over real
// servers: cancellation reaches the managed server, list changes fan out when a server stops,
// MCP App-only tools are not offered to the model side.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Event } from '../../src/base/event.ts';
import { Gateway } from '../../src/gateway/gateway.ts';
import { exposedTemplate, exposedUri, MAX_NAME, namespacedNames, originalUri, serverSlugs } from '../../src/gateway/naming.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { McpClient } from '../../src/protocol/client.ts';
import { InMemoryTransport } from '../../src/transports/memory.ts';
import { EVERYTHING, fixture, repo, stdioDef, waitForState } from './helpers.ts';

const MONITOR = path.join(repo, 'node_modules/@modelcontextprotocol/server-system-monitor/dist/index.js');

test('server slugs: safe characters, no "__", at most 24, unique case-insensitively in id order', () => {
  const slugs = serverSlugs([
    { id: 'w::b', name: 'My Server' }, { id: 'u::a', name: 'my-server' }, { id: 'u::c', name: 'a__b' },
    { id: 'u::d', name: '!!!' }, { id: 'u::e', name: 'x'.repeat(40) }, { id: 'u::f', name: 'x'.repeat(40) },
  ]);
  assert.equal(slugs.get('u::a'), 'my-server');
  assert.equal(slugs.get('w::b'), 'My-Server-2');
  assert.equal(slugs.get('u::c'), 'a-b');
  assert.equal(slugs.get('u::d'), 'server');
  assert.equal(slugs.get('u::e'), 'x'.repeat(24));
  assert.equal(slugs.get('u::f'), `${'x'.repeat(22)}-2`);
  for (const s of slugs.values()) { assert.doesNotMatch(s, /__/); assert.ok(s.length <= 24); }
});

test('tool names: kept when valid; unsafe characters replaced; long ones cut with a hash; clashes both hashed', () => {
  const names = namespacedNames('srv', ['echo', 'get.sum', 'has space', 'has_space', 'a'.repeat(80), 'a'.repeat(80) + 'b', 'ünï']);
  assert.equal(names[0], 'srv__echo');
  assert.equal(names[1], 'srv__get.sum');
  // "has space" → "has_space" clashes with the real "has_space": both get the hash ending.
  assert.match(names[2]!, /^srv__has_space_[0-9a-f]{8}$/);
  assert.match(names[3]!, /^srv__has_space_[0-9a-f]{8}$/);
  assert.notEqual(names[2], names[3]);
  assert.equal(names[4]!.length, MAX_NAME);
  assert.notEqual(names[4], names[5]);
  assert.match(names[6]!, /^srv__/);
  for (const n of names) assert.match(n, /^[A-Za-z0-9_.-]{1,64}$/);
  assert.equal(new Set(names).size, names.length);
  // Deterministic: the same input, the same names.
  assert.deepEqual(namespacedNames('srv', ['has space', 'has_space']), namespacedNames('srv', ['has space', 'has_space']));
});

test('resource URIs map both ways; templates keep their variables', () => {
  for (const uri of ['test://static/resource/1', 'file:///a b/c?d#e', 'ui://x/~/y', '~/weird']) {
    const e = exposedUri('srv', uri);
    assert.match(e, /^mcp-gateway:\/\/srv\/[^/]*$/);
    assert.deepEqual(originalUri(e), { slug: 'srv', uri });
  }
  const t = exposedTemplate('srv', 'test://dynamic/resource/{id}');
  assert.equal(t, 'mcp-gateway://srv/~/test://dynamic/resource/{id}');
  assert.deepEqual(originalUri(t.replace('{id}', '7')), { slug: 'srv', uri: 'test://dynamic/resource/7' });
  assert.equal(originalUri('test://not/ours'), undefined);
});

async function inProcess(defs: Parameters<ServerManager['setDefinitions']>[0]) {
  const manager = new ServerManager({});
  manager.setDefinitions(defs, { autoStart: true });
  for (const d of defs) await waitForState(manager.get(d.name)!, 'running');
  const gateway = new Gateway({ source: manager, exposed: () => true, serverInfo: { name: 'mcp-host-gateway', version: 'test' } });
  const [ours, theirs] = InMemoryTransport.createPair();
  await gateway.serve(theirs, 'in-memory');
  const client = await McpClient.create(ours, { name: 'gateway', clientInfo: { name: 'test', version: '1' } });
  return {
    manager, gateway, client,
    async close() { await client.close(); gateway.dispose(); await manager.dispose(); },
  };
}

test("a client's cancel reaches the managed server as notifications/cancelled", async () => {
  const g = await inProcess([stdioDef('everything', process.execPath, [EVERYTHING, 'stdio'])]);
  try {
    const server = g.manager.get('everything')!;
    server.traceTraffic = true;
    const cancelled = Event.toPromise(server.onDidLog, l => l.source === 'traffic' && /→ .*notifications\/cancelled/.test(l.message), AbortSignal.timeout(30_000));
    const ctrl = new AbortController();
    const call = g.client.callTool('everything__trigger-long-running-operation', { duration: 30, steps: 30 }, { signal: ctrl.signal, onProgress: () => ctrl.abort() });
    await assert.rejects(call, /cancel/i);
    const line = await cancelled;
    assert.match(line.message, /"requestId"/);
    assert.equal(g.gateway.sessionCount, 1);
  } finally {
    await g.close();
  }
});

test('a server that stops leaves the lists, and the client hears tools/list_changed', async () => {
  const g = await inProcess([stdioDef('everything', process.execPath, [EVERYTHING, 'stdio']), stdioDef('monitor', process.execPath, [MONITOR, '--stdio'])]);
  try {
    const names = (await g.client.listTools()).map(t => t.name);
    assert.ok(names.includes('monitor__get-system-info'));
    // poll-system-stats is app-only (_meta.ui.visibility ["app"]): the model side never sees it.
    assert.ok(!names.some(n => n.endsWith('poll-system-stats')), names.join(', '));
    const heard = new Promise<void>(resolve => { g.client.onNotification('notifications/tools/list_changed', () => resolve()); });
    await g.manager.get('monitor')!.stop();
    await heard;
    await assert.rejects(g.client.callTool('monitor__get-system-info', {}), /Unknown tool/);
    const after = (await g.client.listTools()).map(t => t.name);
    assert.ok(!after.some(n => n.startsWith('monitor__')) && after.some(n => n.startsWith('everything__')));
  } finally {
    await g.close();
  }
});

test("a server's own log level passes through: notice stays notice (not MCP Host's info) and is judged as notice", async () => {
  const g = await inProcess([stdioDef('flood', process.execPath, [fixture('flood.mjs')])]);
  try {
    await g.client.setLoggingLevel('notice');
    const got: Array<Record<string, unknown>> = [];
    // The last one sent is the most severe (critical; MCP Host's own level for it is error): once it is here, all are.
    const last = new Promise<void>(resolve => { g.client.onNotification('notifications/message', p => { got.push(p as Record<string, unknown>); if (p.level === 'critical' || p.level === 'error') resolve(); }); });
    for (const level of ['info', 'notice', 'debug', 'critical']) await g.client.callTool('flood__flood', { count: 1, kind: 'message', level });
    await last;
    await g.client.callTool('flood__stats', {}); // a round trip more: nothing else was on its way
    assert.deepEqual(got.map(m => [m.level, m.logger, m.data]), [['notice', 'flood', 'flood 0'], ['critical', 'flood', 'flood 0']]);
  } finally {
    await g.close();
  }
});

test('server log messages reach a client that asked for them (logging/setLevel), from its level up, named by server', async () => {
  const g = await inProcess([stdioDef('everything', process.execPath, [EVERYTHING, 'stdio'])]);
  const [ours, theirs] = InMemoryTransport.createPair();
  await g.gateway.serve(theirs, 'quiet');
  const quiet = await McpClient.create(ours, { name: 'gateway', clientInfo: { name: 'quiet', version: '1' } });
  try {
    const heardByQuiet: unknown[] = [];
    quiet.onNotification('notifications/message', p => heardByQuiet.push(p));
    await assert.rejects(g.client.setLoggingLevel('loud' as never), /not a log level/);
    await g.client.setLoggingLevel('debug');
    const heard = new Promise<Record<string, unknown>>(resolve => { g.client.onNotification('notifications/message', p => resolve(p as Record<string, unknown>)); });
    // server-everything sends one message at once (a random level), then one every 5 s.
    await g.client.callTool('everything__toggle-simulated-logging', {});
    const m = await heard;
    assert.equal(m.logger, 'everything');
    // The server's own level (MCP's eight, not MCP Host's four): "Notice-level message" comes as notice
    // (server-everything writes one of them "Alert level-message").
    const said = /^(\w+)[- ]level[- ]message/.exec(String(m.data))?.[1]?.toLowerCase();
    assert.ok(said, String(m.data));
    assert.equal(m.level, said);
    await quiet.listTools(); // a round trip on the quiet session after the message went out
    assert.deepEqual(heardByQuiet, [], 'a client that never set a level gets none');
  } finally {
    await quiet.close();
    await g.close();
  }
});
