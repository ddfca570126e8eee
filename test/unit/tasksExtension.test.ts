// The 2026-07-28 `io.modelcontextprotocol/tasks` extension runtime (tasksExtension.ts),
// against the hand-written 2026 task fixture on @modelcontextprotocol/server 2.4
// (test/fixtures/servers/stateless-tasks.mjs: one step per tasks/get, so the statuses do
// not depend on the machine's speed). The runtime is driven the way TaskRun drives it:
// resultType "task" from tools/call, tasks/get carrying inputRequests / result / error,
// tasks/update with the broker's answers (each key once), tasks/cancel as an ack.
//
// Most tests send the requests through a stand-in for the generation that adds the
// per-request `_meta` envelope, to see each message; the last one goes through McpClient
// and the real stateless generation.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { McpClient } from '../../src/protocol/client.ts';
import { JsonRpcConnection } from '../../src/protocol/connection.ts';
import { RequestError, WireError } from '../../src/protocol/errors.ts';
import type { InputBroker, InputContext, InputRequest } from '../../src/protocol/inputBroker.ts';
import { StatelessGeneration } from '../../src/protocol/stateless.ts';
import { TASKS_EXTENSION_ID, TaskRun, callToolAsTask, type TaskDetail, type TaskHost } from '../../src/protocol/tasks.ts';
import { ExtensionTaskRuntime, TASKS_EXTENSION_CAPABILITY } from '../../src/protocol/tasksExtension.ts';
import type { CallToolResult, ClientCapabilities, ServerCapabilities } from '../../src/protocol/types.ts';
import { StdioTransport } from '../../src/transports/stdio.ts';
import { fixture } from './helpers.ts';

const textOf = (r: CallToolResult) => r.content.map(b => (b.type === 'text' ? b.text : '')).join('');

function broker(choice: string): InputBroker & { asked: Array<{ request: InputRequest; ctx: InputContext }> } {
  const asked: Array<{ request: InputRequest; ctx: InputContext }> = [];
  return {
    asked,
    capabilities: { elicitation: { form: {} } },
    async answer(request, ctx) { asked.push({ request, ctx }); return { action: 'accept', content: { interpretation: choice } }; },
  };
}

interface Wire { conn: JsonRpcConnection; sent: Array<{ method: string; params: Record<string, unknown> }>; close(): Promise<void> }

async function startFixture(): Promise<Wire> {
  const transport = new StdioTransport({ command: process.execPath, args: [fixture('stateless.mjs'), 'stdio'], env: {}, shutdownGraceMs: 300 });
  const conn = new JsonRpcConnection(transport, { name: 'stateless-tasks' });
  const sent: Wire['sent'] = [];
  conn.onDidTrace(t => { const m = t.message as { method?: string; params?: Record<string, unknown> }; if (t.direction === 'send' && m.method) sent.push({ method: m.method, params: m.params ?? {} }); });
  await transport.start();
  return { conn, sent, async close() { conn.close(); await transport.close(); } };
}

/**
 * A TaskHost as the stateless generation will be one: every request with the `_meta`
 * envelope (version, identity, per-request capabilities), results read by the caller's
 * parse whatever their resultType (the generation will do that for `resultTypes`).
 */
function hostOver(wire: Wire, caps: ClientCapabilities, b: InputBroker | undefined, server: () => ServerCapabilities): TaskHost {
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'tasks-extension-test', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': caps,
  };
  return {
    name: 'stateless-tasks',
    capabilities: server,
    broker: b,
    request: (method, params, options) => wire.conn.request(method, { ...params, _meta: meta }, options),
    onNotification: (method, handler) => wire.conn.onNotification(method, handler),
  };
}

describe('2026-07-28 tasks extension runtime (SDK 2.4 fixture)', () => {
  let wire: Wire;
  let serverCaps: ServerCapabilities;
  before(async () => {
    wire = await startFixture();
    const discovered = await wire.conn.request('server/discover', { _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {},
    } }) as { capabilities: ServerCapabilities };
    serverCaps = discovered.capabilities;
  });
  after(async () => { await wire.close(); });

  test('a server-directed task: input requests go to the broker once, tasks/update carries the answers, the result comes with tasks/get', async () => {
    const b = broker('historical');
    const rt = new ExtensionTaskRuntime(hostOver(wire, { elicitation: {}, ...TASKS_EXTENSION_CAPABILITY }, b, () => serverCaps));
    assert.ok(rt.offersToolTasks(), 'the server advertises the extension in server/discover');
    assert.ok(rt.runsAsTask(undefined), 'server-directed: any call may come back as a task');
    assert.equal(rt.result, undefined);
    assert.equal(rt.canList(), false);
    wire.sent.length = 0;
    const outcome = await rt.callTool('research', { topic: 'tides' }, { ttlMs: 1234 });
    assert.ok('task' in outcome, JSON.stringify(outcome));
    assert.equal(outcome.task.status, 'working');
    assert.equal(outcome.task.ttlMs, 300_000);
    assert.equal(outcome.task.pollIntervalMs, 200);
    assert.equal(wire.sent[0]!.params.task, undefined, 'no task param in this revision');
    const seen: TaskDetail[] = [];
    const run = TaskRun.follow(rt, { name: 'stateless-tasks', broker: b }, outcome.task, { tool: 'research' });
    run.onDidChange(t => seen.push(t));
    const result = await run.done;
    assert.equal(textOf(result), '# Research report: tides (historical)');
    assert.deepEqual(result.structuredContent, { topic: 'tides', interpretation: 'historical' });
    assert.deepEqual(seen.map(t => t.status), ['working', 'input_required', 'working', 'completed']);
    assert.equal(seen[2]!.statusMessage, 'Continuing with historical…');
    assert.equal(b.asked.length, 1, 'the key is answered once, though tasks/get may list it again');
    assert.equal(b.asked[0]!.request.method, 'elicitation/create');
    assert.equal(b.asked[0]!.ctx.key, 'interpretation');
    assert.deepEqual(b.asked[0]!.ctx.relatedTo, { method: 'tools/call', name: 'research' });
    const updates = wire.sent.filter(m => m.method === 'tasks/update');
    assert.equal(updates.length, 1);
    assert.deepEqual(updates[0]!.params.inputResponses, { interpretation: { action: 'accept', content: { interpretation: 'historical' } } });
    const methods = new Set(wire.sent.map(m => m.method));
    assert.ok(!methods.has('tasks/result') && !methods.has('tasks/list'), `never sent in this revision: ${[...methods].join(', ')}`);
  });

  test('a failed task: tasks/get carries the JSON-RPC error, reported for tools/call', async () => {
    const rt = new ExtensionTaskRuntime(hostOver(wire, { ...TASKS_EXTENSION_CAPABILITY }, undefined, () => serverCaps));
    const outcome = await rt.callTool('research', { topic: 'doom', fail: true });
    assert.ok('task' in outcome);
    const run = TaskRun.follow(rt, { name: 'stateless-tasks', broker: undefined }, outcome.task, { tool: 'research' });
    const err = await run.done.then(() => undefined, e => e as RequestError);
    assert.ok(err instanceof RequestError && err.cause instanceof WireError, String(err));
    assert.equal(err.method, 'tools/call');
    assert.equal(err.code, -32603);
    assert.match(err.message, /^stateless-tasks › tools\/call: Research on doom failed/);
    assert.equal(run.task.status, 'failed');
  });

  test('cancel: tasks/cancel is an ack, tasks/get then says cancelled, and the run ends as cancelled', async () => {
    const b = broker('never');
    const rt = new ExtensionTaskRuntime(hostOver(wire, { elicitation: {}, ...TASKS_EXTENSION_CAPABILITY }, b, () => serverCaps));
    const abort = new AbortController();
    const client = { name: 'stateless-tasks', tasks: rt, broker: b, checkToolResult: (_n: string, r: CallToolResult) => r };
    let run: TaskRun | undefined;
    const call = callToolAsTask(client, 'research', { topic: 'stop' }, {
      signal: abort.signal, onTask: r => { run = r; }, onStatus: t => { if (t.statusMessage?.startsWith('Analyzing')) abort.abort(); },
    });
    const err = await call.then(() => undefined, e => e as RequestError);
    assert.equal(err?.isCancellation, true, String(err));
    assert.equal(run!.task.status, 'cancelled');
    assert.equal(run!.task.statusMessage, 'Cancelled by the client.');
    assert.equal(b.asked.length, 0);
    assert.equal(wire.conn.pendingCount, 0);
    // Unknown ids: -32602 from tasks/get; tasks/cancel treats it as nothing to cancel.
    assert.equal(await rt.cancel('no-such-task'), undefined);
    const missing = await rt.get('no-such-task').then(() => undefined, e => e as RequestError);
    assert.equal(missing?.code, -32602);
  });

  test('an input request the broker refuses: the task is cancelled (tasks/update cannot carry a refusal) and the call fails with the refusal', async () => {
    const refusing: InputBroker = {
      capabilities: { elicitation: { form: {} } },
      async answer() { throw Object.assign(new Error('the user declined'), { code: -1 }); },
    };
    const rt = new ExtensionTaskRuntime(hostOver(wire, { elicitation: {}, ...TASKS_EXTENSION_CAPABILITY }, refusing, () => serverCaps));
    const outcome = await rt.callTool('research', { topic: 'refused' });
    assert.ok('task' in outcome);
    const run = TaskRun.follow(rt, { name: 'stateless-tasks', broker: refusing }, outcome.task, { tool: 'research' });
    const err = await run.done.then(() => undefined, e => e as RequestError);
    assert.ok(err instanceof RequestError, String(err));
    assert.equal(err.method, 'tools/call');
    assert.equal(err.code, -1, 'reported as the refusal, not as a cancel');
    assert.equal(err.isCancellation, false);
    assert.equal((await rt.get(outcome.task.taskId)).status, 'cancelled');
  });

  test('a request that did not declare the extension: -32021 is explained as the missing tasks extension', async () => {
    const rt = new ExtensionTaskRuntime(hostOver(wire, {}, undefined, () => serverCaps));
    const err = await rt.callTool('research', { topic: 'x' }).then(() => undefined, e => e as RequestError);
    assert.ok(err instanceof RequestError, String(err));
    assert.equal(err.code, 'unsupported');
    assert.match(err.message, new RegExp(`stateless-tasks › tools/call: the server runs this only as a task, and the request did not declare the ${TASKS_EXTENSION_ID} extension \\(JSON-RPC error -32021`));
  });

  test('through McpClient and the stateless generation', async () => {
    const b = broker('current');
    const client = await McpClient.create(new StdioTransport({ command: process.execPath, args: [fixture('stateless.mjs'), 'stdio'], env: {}, shutdownGraceMs: 300 }), {
      name: 'stateless-tasks', clientInfo: { name: 't', version: '1' }, broker: b, generation: new StatelessGeneration(),
    });
    try {
      assert.equal(client.tasks.revision, '2026-07-28');
      const result = await callToolAsTask(client, 'research', { topic: 'moons' });
      assert.equal(textOf(result), '# Research report: moons (current)');
    } finally {
      await client.close();
    }
  });
});
