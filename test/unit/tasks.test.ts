// Tasks as 2025-11-25 defines them, against server-everything's simulate-research-query
// (taskSupport "required"): through the core over stdio and Streamable HTTP (the
// task-augmented call, tasks/get polled, tasks/result kept open, the elicitation for the
// task answered by the broker, cancel),
// and through the host (a managed server runs the tool as a task transparently, its
// registry lists running and finished tasks, bounded, and keeps a task whose caller left).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Emitter, Event } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { TaskRegistry } from '../../src/host/tasks.ts';
import type { ManagedServer } from '../../src/host/types.ts';
import { McpClient } from '../../src/protocol/client.ts';
import { LocalError, RequestError } from '../../src/protocol/errors.ts';
import type { InputBroker, InputRequest } from '../../src/protocol/inputBroker.ts';
import { callToolAsTask, describeTaskStatus, type TaskDetail, type TaskRun, type TaskRuntime } from '../../src/protocol/tasks.ts';
import type { CallToolResult, ElicitRequestParams, ProgressNotificationParams } from '../../src/protocol/types.ts';
import { StreamableHttpTransport } from '../../src/transports/http.ts';
import { StdioTransport } from '../../src/transports/stdio.ts';
import { EVERYTHING, descendants, startEverythingHttp, stdioDef, waitForState } from './helpers.ts';

const TOOL = 'simulate-research-query';
const textOf = (r: CallToolResult) => r.content.map(b => (b.type === 'text' ? b.text : '')).join('');

/** A broker that answers elicitations with `choice` and records what it was asked. */
function answering(choice: string): InputBroker & { asked: InputRequest[] } {
  const asked: InputRequest[] = [];
  return {
    asked,
    capabilities: { elicitation: { form: {} } },
    async answer(request) {
      asked.push(request);
      return { action: 'accept', content: { interpretation: choice } };
    },
  };
}

async function connect(broker?: InputBroker): Promise<{ client: McpClient; sent: Array<{ method?: string; params?: Record<string, unknown> }> }> {
  const sent: Array<{ method?: string; params?: Record<string, unknown> }> = [];
  const client = await McpClient.create(new StdioTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], env: {}, shutdownGraceMs: 300 }), {
    name: 'everything', clientInfo: { name: 'tasks-test', version: '1' }, broker,
    onConnection: conn => conn.onDidTrace(t => { if (t.direction === 'send') sent.push(t.message as { method?: string; params?: Record<string, unknown> }); }),
  });
  await client.listTools();
  return { client, sent };
}

describe('2025-11-25 tasks through the core (server-everything)', () => {
  test('simulate-research-query: a task is created, its statuses walked, the result taken from tasks/result', async () => {
    const { client, sent } = await connect();
    try {
      const tool = (await client.listTools()).find(t => t.name === TOOL);
      assert.equal(tool?.execution?.taskSupport, 'required');
      assert.ok(client.tasks.offersToolTasks(), 'the server declares tasks.requests.tools.call');
      assert.ok(client.tasks.runsAsTask(tool));
      assert.equal(client.tasks.runsAsTask((await client.listTools()).find(t => t.name === 'echo')), false, 'a tool without taskSupport is called plainly');
      const statuses: TaskDetail[] = [];
      let run: TaskRun | undefined;
      const result = await callToolAsTask(client, TOOL, { topic: 'rust' }, { ttlMs: 60_000, onTask: r => { run = r; }, onStatus: t => statuses.push(t) });
      assert.match(textOf(result), /^# Research Report: rust\n/);
      assert.ok(run, 'the run was handed over');
      // The call asked for a task (with our ttl), and the server kept its own (it may).
      const call = sent.find(m => m.method === 'tools/call')!;
      assert.deepEqual(call.params?.task, { ttl: 60_000 });
      assert.equal(statuses[0]?.ttlMs, 300_000);
      assert.equal(statuses[0]?.pollIntervalMs, 1000);
      assert.equal(statuses[0]?.status, 'working');
      const messages = statuses.map(s => s.statusMessage);
      assert.ok(messages.includes('Gathering sources...') && messages.includes('Generating report...'), messages.join(' | '));
      // tasks/result was opened at once (before any poll), and once.
      const methods = sent.map(m => m.method);
      assert.equal(methods.filter(m => m === 'tasks/result').length, 1);
      assert.ok(methods.indexOf('tasks/result') < methods.indexOf('tasks/get'), methods.join(' '));
      assert.equal(run!.isFinished, true);
      assert.equal(client.connection.pendingCount, 0, 'nothing of the task is left pending');
      // The client is not a task receiver: it declares no tasks capability.
      const init = sent.find(m => m.method === 'initialize')!;
      assert.equal((init.params?.capabilities as Record<string, unknown>).tasks, undefined);
    } finally {
      await client.close();
    }
  });

  test('ambiguous: the task goes input_required, the elicitation for it goes to the broker, and the report has the answer', async () => {
    const broker = answering('snake');
    const { client } = await connect(broker);
    try {
      const statuses: string[] = [];
      const result = await callToolAsTask(client, TOOL, { topic: 'python', ambiguous: true }, { onStatus: t => statuses.push(t.status) });
      assert.match(textOf(result), /^# Research Report: python \(snake\)/);
      assert.match(textOf(result), /- \*\*Clarification\*\*: snake/);
      assert.ok(statuses.includes('input_required'), statuses.join(' '));
      assert.ok(statuses.indexOf('input_required') < statuses.lastIndexOf('working'), 'it went on working after the answer');
      assert.equal(broker.asked.length, 1);
      assert.equal(broker.asked[0]!.method, 'elicitation/create');
      const params = broker.asked[0]!.params as { requestedSchema: { properties: { interpretation: { oneOf: Array<{ const: string }> } } }; _meta?: Record<string, unknown> };
      assert.deepEqual(params.requestedSchema.properties.interpretation.oneOf.map(o => o.const), ['programming', 'snake', 'comedy']);
      assert.ok(params._meta?.['io.modelcontextprotocol/related-task'], 'the request names its task');
      assert.equal(describeTaskStatus({ status: 'input_required', statusMessage: 'Which one?' }), 'the server is waiting for input: Which one?');
    } finally {
      await client.close();
    }
  });

  test('cancel mid-way: tasks/cancel, the status is cancelled, nothing is left running, a second cancel is no error', async () => {
    const { client, sent } = await connect();
    try {
      const abort = new AbortController();
      let run: TaskRun | undefined;
      const call = callToolAsTask(client, TOOL, { topic: 'cancel me' }, {
        signal: abort.signal,
        onTask: r => { run = r; },
        onStatus: t => { if (t.statusMessage === 'Analyzing content...') abort.abort(new LocalError('cancelled', 'cancelled by the test')); },
      });
      const err = await call.then(() => undefined, e => e as RequestError);
      assert.ok(err instanceof RequestError, String(err));
      assert.equal(err.method, 'tools/call');
      assert.equal(err.isCancellation, true);
      assert.match(err.message, /cancelled by the test/);
      assert.equal(run!.task.status, 'cancelled');
      assert.equal(run!.task.statusMessage, 'Client cancelled task execution.');
      assert.ok(sent.some(m => m.method === 'tasks/cancel'));
      assert.equal(client.connection.pendingCount, 0, 'tasks/result is no longer open');
      // The server agrees, and cancelling what has ended is benign.
      assert.equal((await client.tasks.get(run!.taskId)).status, 'cancelled');
      assert.equal(await client.tasks.cancel(run!.taskId), undefined);
      // tasks/list (the server offers it) lists it.
      assert.ok(client.tasks.canList());
      const listed = await client.tasks.list();
      assert.equal(listed.tasks.find(t => t.taskId === run!.taskId)?.status, 'cancelled');
    } finally {
      await client.close();
    }
  });

  test('a task whose result a server cannot find: tasks/get with an unknown id is a wire error naming the method', async () => {
    const { client } = await connect();
    try {
      const err = await client.tasks.get('no-such-task').then(() => undefined, e => e as RequestError);
      assert.ok(err instanceof RequestError);
      assert.equal(err.method, 'tasks/get');
      assert.equal(err.code, -32602);
      assert.match(err.message, /^everything › tasks\/get: .*Task not found/);
    } finally {
      await client.close();
    }
  });
});

describe('2025-11-25 tasks over Streamable HTTP (server-everything)', () => {
  test('the elicitation for the task comes on the tasks/result response stream and goes to the broker', async () => {
    const srv = await startEverythingHttp('streamableHttp');
    try {
      const broker = answering('programming');
      const client = await McpClient.create(new StreamableHttpTransport({ url: `${srv.base}/mcp`, headers: {} }), {
        name: 'everything-http', clientInfo: { name: 'tasks-test', version: '1' }, broker,
      });
      try {
        await client.listTools();
        const statuses: string[] = [];
        const result = await callToolAsTask(client, TOOL, { topic: 'python', ambiguous: true }, { onStatus: t => statuses.push(t.status) });
        assert.match(textOf(result), /^# Research Report: python \(programming\)/);
        assert.equal(broker.asked.length, 1);
        assert.ok(statuses.includes('input_required'), statuses.join(' '));
        assert.equal(client.connection.pendingCount, 0);
      } finally {
        await client.close();
      }
    } finally {
      await srv.stop();
    }
  });
});

describe('2025-11-25 tasks through the host (a managed server-everything)', () => {
  const elicited: ElicitRequestParams[] = [];
  let manager: ServerManager;
  let server: ManagedServer;

  before(async () => {
    manager = new ServerManager({
      elicitation: { async elicit(_s, params) { elicited.push(params); return { action: 'accept', content: { interpretation: 'comedy' } }; } },
      roots: { roots: () => [], onDidChangeRoots: new Emitter<void>().event },
      restart: { maxTries: 0, initialDelayMs: 1, maxDelayMs: 1 },
    });
    manager.setDefinitions([stdioDef('everything', process.execPath, [EVERYTHING, 'stdio'])], { autoStart: true });
    server = manager.get('everything')!;
    await waitForState(server, 'running');
    if (!server.tools.some(t => t.name === TOOL)) await Event.toPromise(server.onDidChangeLists, () => server.tools.some(t => t.name === TOOL), AbortSignal.timeout(20_000));
  });
  after(async () => {
    await manager.dispose();
    assert.deepEqual(descendants(), [], 'no server process outlives the manager');
  });

  test('callTool runs a task-required tool as a task: progress says the status, the elicitation goes to the host\'s handler, the Tasks list keeps it', async () => {
    const progress: ProgressNotificationParams[] = [];
    const result = await server.callTool(TOOL, { topic: 'python', ambiguous: true }, { onProgress: p => progress.push(p) });
    assert.match(textOf(result), /^# Research Report: python \(comedy\)/);
    assert.equal(elicited.length, 1);
    const messages = progress.map(p => p.message);
    assert.ok(messages.includes('Gathering sources...'), messages.join(' | '));
    assert.ok(messages.some(m => m?.startsWith('the server is waiting for input: Found multiple interpretations for "python"')), messages.join(' | '));
    const record = server.tasks.list().find(t => t.tool === TOOL)!;
    assert.ok(record, 'the task is listed');
    assert.equal(record.running, false);
    assert.equal(record.status, 'completed');
    assert.equal(record.result, result);
    assert.equal(record.ttlMs, 300_000);
    assert.ok(record.finishedAt !== undefined && record.createdAt);
    assert.equal(server.tasks.get(record.taskId), record);
  });

  test('the task outlives its caller, and Cancel on the listing cancels it on the server', async () => {
    // The caller does not wait (the notification was dismissed): the registry follows the task.
    const started = Event.toPromise(server.tasks.onDidChange, () => server.tasks.list().some(t => t.running && t.statusMessage === 'Analyzing content...'), AbortSignal.timeout(30_000));
    const abandoned = server.callTool(TOOL, { topic: 'left alone' });
    abandoned.catch(() => {});
    await started;
    const running = server.tasks.list().filter(t => t.running);
    assert.equal(running.length, 1);
    assert.equal(running[0]!.tool, TOOL);
    await server.tasks.cancel(running[0]!.taskId);
    const err = await abandoned.then(() => undefined, e => e as RequestError);
    assert.equal(err?.isCancellation, true);
    const record = server.tasks.get(running[0]!.taskId)!;
    assert.equal(record.running, false);
    assert.equal(record.status, 'cancelled');
    assert.match(record.error ?? '', /cancelled by the user/);
    assert.equal(server.tasks.list().filter(t => t.running).length, 0, 'nothing is left running');
    assert.equal(server.tasks.list()[0]!.taskId, record.taskId, 'the most recently finished comes first');
  });

  test('an abort of the call\'s signal (Cancel on the notification) cancels the task', async () => {
    const abort = new AbortController();
    const call = server.callTool(TOOL, { topic: 'abort' }, { signal: abort.signal, onProgress: p => { if (p.message === 'Gathering sources...') abort.abort(); } });
    const err = await call.then(() => undefined, e => e as RequestError);
    assert.equal(err?.isCancellation, true, String(err));
    assert.equal(server.tasks.list()[0]!.status, 'cancelled');
  });

  test('a plain tool is still a plain call', async () => {
    const r = await server.callTool('echo', { message: 'hi' });
    assert.match(textOf(r), /hi/);
    assert.equal(server.tasks.list().filter(t => t.tool === 'echo').length, 0);
  });
});

/** A runtime whose tasks end at once (the bound is the registry's, not the server's). */
function instantRuntime(): { -readonly [K in keyof TaskRuntime]: TaskRuntime[K] } & { n: number } {
  const rt = {
    n: 0,
    revision: '2025-11-25' as const,
    offersToolTasks: () => true,
    runsAsTask: () => true,
    async callTool() { return { task: { taskId: `t${++rt.n}`, status: 'working' as const, pollIntervalMs: 100 } }; },
    async get(taskId: string): Promise<TaskDetail> { return { taskId, status: 'completed' }; },
    result: async (): Promise<CallToolResult> => ({ content: [{ type: 'text', text: 'done' }] }),
    input: undefined,
    async cancel() { return undefined; },
    canList: () => true,
    async list() { return { tasks: Array.from({ length: 10 }, (_, i) => ({ taskId: `listed-${i}`, status: 'completed' as const })) }; },
    onStatus: () => ({ dispose() {} }),
  };
  return rt;
}

describe('the task registry', () => {
  test('is bounded: finished tasks beyond the bound are dropped oldest first, running ones never', async () => {
    const rt = instantRuntime();
    const client = { name: 'fake', tasks: rt, broker: undefined, checkToolResult: (_n: string, r: CallToolResult) => r } as unknown as McpClient;
    const registry = new TaskRegistry({ maxFinished: 3 });
    for (let i = 0; i < 5; i++) assert.equal(textOf(await registry.call(client, 'tool', {})), 'done');
    assert.deepEqual(registry.list().map(r => r.taskId), ['t5', 't4', 't3']);
    // What tasks/list adds counts against the same bound.
    await registry.refresh(client);
    assert.equal(registry.list().length, 3);
    // A running task is kept however many finish after it.
    let release!: () => void;
    const held = new Promise<void>(r => { release = r; });
    rt.result = async () => { await held; return { content: [{ type: 'text', text: 'late' }] }; };
    rt.get = async taskId => ({ taskId, status: 'working' });
    const slow = registry.call(client, 'slow', {});
    await Event.toPromise(registry.onDidChange, () => registry.list().some(r => r.running));
    rt.result = async () => ({ content: [{ type: 'text', text: 'done' }] });
    rt.get = async taskId => ({ taskId, status: 'completed' });
    for (let i = 0; i < 4; i++) await registry.call(client, 'tool', {});
    assert.equal(registry.list().length, 4, 'three finished and the running one');
    assert.equal(registry.list()[0]!.tool, 'slow');
    assert.equal(registry.list()[0]!.running, true);
    release();
    assert.equal(textOf(await slow), 'late');
    assert.equal(registry.list().length, 3);
    registry.dispose();
  });
});
