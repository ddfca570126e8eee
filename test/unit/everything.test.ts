// server-everything over stdio, through the server manager: every tool, prompt,
// resource and template, completion, logging, progress and cancellation, sampling
// through a test provider, elicitation through a test responder, subscriptions, roots.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Emitter, Event } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { ManagedServer } from '../../src/host/types.ts';
import type { RequestError } from '../../src/protocol/errors.ts';
import type { CreateMessageRequestParams, ElicitRequestParams } from '../../src/protocol/types.ts';
import { EVERYTHING, descendants, stdioDef, waitForState } from './helpers.ts';

/**
 * What server-everything lists, asked over raw JSON-RPC on its stdio (no code of ours), every
 * page followed: the reference our lists are compared with, so a new server-everything
 * version changes both sides and a wrong listing of ours (a page dropped, an item lost or
 * doubled) still fails.
 */
async function referenceListing(): Promise<{ resources: string[]; templates: string[]; prompts: string[] }> {
  const child = spawn(process.execPath, [EVERYTHING, 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve(v: Record<string, unknown>): void; reject(e: Error): void }>();
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let m: { id?: number; result?: Record<string, unknown>; error?: { message: string } };
      try { m = JSON.parse(line); } catch { continue; }
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (!p || (m.result === undefined && m.error === undefined)) continue; // notifications, requests to us
      pending.delete(m.id!);
      if (m.error) p.reject(new Error(`reference listing: ${m.error.message}`));
      else p.resolve(m.result!);
    }
  });
  child.once('exit', () => { for (const p of pending.values()) p.reject(new Error('reference listing: server-everything exited')); });
  let nextId = 1;
  const request = (method: string, params: Record<string, unknown> = {}) => new Promise<Record<string, unknown>>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
  });
  const all = async (method: string, key: string, field: string): Promise<string[]> => {
    const out: string[] = [];
    let cursor: unknown;
    do {
      const page = await request(method, cursor === undefined ? {} : { cursor });
      out.push(...(page[key] as Array<Record<string, string>>).map(x => x[field]!));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return out;
  };
  try {
    await request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'reference', version: '1' } });
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
    return {
      resources: await all('resources/list', 'resources', 'uri'),
      templates: await all('resources/templates/list', 'resourceTemplates', 'uriTemplate'),
      prompts: await all('prompts/list', 'prompts', 'name'),
    };
  } finally {
    child.stdin.end();
    child.kill('SIGTERM'); // server-everything does not exit on stdin EOF
    await exited;
  }
}

describe('server-everything over stdio', () => {
  const samplingCalls: CreateMessageRequestParams[] = [];
  const elicitCalls: ElicitRequestParams[] = [];
  const rootsChanged = new Emitter<void>();
  let roots = [{ uri: 'file:///tmp/project-a', name: 'project-a' }];
  let manager: ServerManager;
  let server: ManagedServer;
  const logs: string[] = [];
  let urlAnswer: 'accept' | 'decline' = 'decline';

  before(async () => {
    manager = new ServerManager({
      roots: { roots: () => roots, onDidChangeRoots: rootsChanged.event },
      sampling: {
        async createMessage(ref, params) {
          samplingCalls.push(params);
          const last = params.messages.at(-1)!;
          const text = Array.isArray(last.content) ? '' : (last.content as { text?: string }).text;
          return { role: 'assistant', content: { type: 'text', text: `model says: ${text} (asked by ${ref.name})` }, model: 'test-model', stopReason: 'endTurn' };
        },
      },
      elicitation: {
        async elicit(_ref, params) {
          elicitCalls.push(params);
          if (params.mode === 'url') return { action: urlAnswer };
          return { action: 'accept', content: { name: 'Ada', email: 'ada@example.com' } };
        },
      },
      requestTimeoutMs: 30_000,
    });
    manager.setDefinitions([stdioDef('everything', process.execPath, [EVERYTHING, 'stdio'])], { autoStart: true });
    server = manager.get('everything')!;
    server.onDidLog(l => logs.push(`${l.source}:${l.level}:${l.message}`));
    await waitForState(server, 'running');
    // Capability-dependent tools arrive with a tools/list_changed just after initialized.
    if (!server.tools.some(t => t.name === 'trigger-sampling-request')) {
      await Event.toPromise(server.onDidChangeLists, () => server.tools.some(t => t.name === 'trigger-sampling-request'), AbortSignal.timeout(10_000));
    }
  });

  after(async () => {
    await manager.dispose();
    assert.deepEqual(descendants(), [], 'no child process outlives the manager');
  });

  test('handshake and lists', () => {
    assert.equal(server.protocolVersion, '2025-11-25');
    assert.equal(server.serverInfo?.name, 'mcp-servers/everything');
    const names = server.tools.map(t => t.name);
    for (const t of ['echo', 'get-sum', 'get-tiny-image', 'trigger-long-running-operation', 'get-roots-list', 'trigger-sampling-request', 'trigger-elicitation-request', 'get-structured-content', 'get-resource-links', 'get-resource-reference', 'get-annotated-message']) {
      assert.ok(names.includes(t), `tool ${t} listed`);
    }
    // The prompts and templates the tests below use are there…
    for (const p of ['args-prompt', 'completable-prompt', 'resource-prompt', 'simple-prompt']) assert.ok(server.prompts.some(x => x.name === p), `prompt ${p} listed`);
    for (const t of ['demo://resource/dynamic/blob/{resourceId}', 'demo://resource/dynamic/text/{resourceId}']) assert.ok(server.resourceTemplates.some(x => x.uriTemplate === t), `template ${t} listed`);
  });

  test('the lists are exactly what the server lists (every page, nothing lost or doubled)', async () => {
    const ref = await referenceListing();
    assert.ok(ref.resources.length > 0 && ref.templates.length > 0 && ref.prompts.length > 0, `the reference listing is not empty: ${JSON.stringify(ref)}`);
    // In the server's order: a multiset comparison, so a doubled item fails too.
    assert.deepEqual(server.resources.map(r => r.uri), ref.resources);
    assert.deepEqual(server.resourceTemplates.map(t => t.uriTemplate), ref.templates);
    assert.deepEqual(server.prompts.map(p => p.name), ref.prompts);
  });

  test('every content type comes back', async () => {
    assert.deepEqual((await server.callTool('echo', { message: 'hi' })).content, [{ type: 'text', text: 'Echo: hi' }]);
    const sum = await server.callTool('get-sum', { a: 2, b: 3 });
    assert.match((sum.content[0] as { text: string }).text, /5/);
    const img = await server.callTool('get-tiny-image', {});
    const image = img.content.find(c => c.type === 'image');
    assert.ok(image && image.type === 'image' && image.mimeType === 'image/png' && image.data.length > 100);
    const links = await server.callTool('get-resource-links', { count: 2 });
    assert.equal(links.content.filter(c => c.type === 'resource_link').length, 2);
    const ref = await server.callTool('get-resource-reference', { resourceType: 'Text', resourceId: 1 });
    const embedded = ref.content.find(c => c.type === 'resource');
    assert.ok(embedded && embedded.type === 'resource' && 'text' in embedded.resource);
    const annotated = await server.callTool('get-annotated-message', { messageType: 'error', includeImage: true });
    assert.ok(annotated.content.some(c => c.annotations?.priority !== undefined));
  });

  test('structured content is validated against the output schema', async () => {
    const tool = server.tools.find(t => t.name === 'get-structured-content')!;
    assert.ok(tool.outputSchema, 'declares an output schema');
    const r = await server.callTool('get-structured-content', { location: 'New York' });
    assert.equal(typeof r.structuredContent?.temperature, 'number');
  });

  test('a tool error is a result with isError, not an exception', async () => {
    const r = await server.callTool('no-such-tool', {});
    assert.equal(r.isError, true);
  });

  test('resources and templates read', async () => {
    const first = server.resources[0]!;
    const r = await server.readResource(first.uri);
    assert.equal(r.contents[0]!.uri, first.uri);
    assert.ok('text' in r.contents[0]!);
    const text = await server.readResource('demo://resource/dynamic/text/5');
    assert.match((text.contents[0] as { text: string }).text, /5/);
    const blob = await server.readResource('demo://resource/dynamic/blob/5');
    assert.ok('blob' in blob.contents[0]!);
  });

  test('prompts with arguments', async () => {
    const simple = await server.getPrompt('simple-prompt', {});
    assert.ok(simple.messages.length >= 1);
    const args = await server.getPrompt('args-prompt', { city: 'Paris', state: 'IDF' });
    assert.match(JSON.stringify(args.messages), /Paris/);
    const res = await server.getPrompt('resource-prompt', { resourceType: 'Text', resourceId: '2' });
    assert.ok(res.messages.some(m => m.content.type === 'resource'));
  });

  test('completion for prompt arguments and template variables', async () => {
    const dept = await server.complete({ type: 'ref/prompt', name: 'completable-prompt' }, { name: 'department', value: 'S' });
    assert.deepEqual(dept.completion.values.sort(), ['Sales', 'Support']);
    const names = await server.complete({ type: 'ref/prompt', name: 'completable-prompt' }, { name: 'name', value: '' }, { department: 'Engineering' });
    assert.deepEqual(names.completion.values, ['Alice', 'Bob', 'Charlie']);
    const rid = await server.complete({ type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' }, { name: 'resourceId', value: '5' });
    assert.ok(rid.completion.values.includes('5'));
  });

  test('progress is delivered and cancellation is reported as a cancel', async () => {
    const progress: number[] = [];
    const r = await server.callTool('trigger-long-running-operation', { duration: 1, steps: 4 }, { onProgress: p => progress.push(p.progress) });
    assert.ok(r.content.length > 0);
    assert.deepEqual(progress, [1, 2, 3, 4]);

    const ctrl = new AbortController();
    const p = server.callTool('trigger-long-running-operation', { duration: 30, steps: 30 }, { signal: ctrl.signal, onProgress: () => ctrl.abort() });
    await assert.rejects(p, (e: RequestError) => e.isCancellation && /everything › tools\/call: cancelled/.test(e.message));
  });

  test('sampling goes through the provider', async () => {
    const r = await server.callTool('trigger-sampling-request', { prompt: 'What is MCP?', maxTokens: 50 });
    assert.equal(samplingCalls.length, 1);
    assert.equal(samplingCalls[0]!.systemPrompt, 'You are a helpful test server.');
    assert.match(JSON.stringify(r.content), /model says: .*What is MCP\?.*asked by everything/);
  });

  test('elicitation (form and URL) goes through the responder', async () => {
    const r = await server.callTool('trigger-elicitation-request', {});
    const form = elicitCalls.find(e => e.mode !== 'url')!;
    assert.ok(form && 'requestedSchema' in form && form.requestedSchema.properties.name);
    assert.match(JSON.stringify(r.content), /Ada/);
    if (server.tools.some(t => t.name === 'trigger-url-elicitation')) {
      await server.callTool('trigger-url-elicitation', { url: 'https://example.com/authorize?x=1', message: 'Sign in to continue' });
      assert.ok(elicitCalls.some(e => e.mode === 'url' && /^https?:/.test(e.url)));
      // The error path (-32042): the prerequisite URL is asked for, then the call is retried.
      const before = elicitCalls.length;
      urlAnswer = 'accept';
      await server.callTool('trigger-url-elicitation', { url: 'https://example.com/second', message: 'again', errorPath: true });
      const asked = elicitCalls.slice(before).filter(e => e.mode === 'url').map(e => (e as { url: string }).url);
      assert.deepEqual(asked, ['https://modelcontextprotocol.io', 'https://example.com/second']);
    }
  });

  test('roots are answered and their changes announced', async () => {
    const first = await server.callTool('get-roots-list', {});
    assert.match(JSON.stringify(first.content), /project-a/);
    roots = [{ uri: 'file:///tmp/project-b', name: 'project-b' }];
    const asked = Event.toPromise(server.onDidLog, l => /Roots updated/i.test(l.message) || /project-b/.test(l.message), AbortSignal.timeout(10_000)).catch(() => undefined);
    rootsChanged.fire();
    await asked;
    const second = await server.callTool('get-roots-list', {});
    assert.match(JSON.stringify(second.content), /project-b/);
  });

  test('logging: level control and server messages reach the log', async () => {
    await server.setLogLevel('debug');
    await server.callTool('toggle-simulated-logging', {});
    await Event.toPromise(server.onDidLog, l => l.source === 'server', AbortSignal.timeout(15_000));
    await server.callTool('toggle-simulated-logging', {});
    assert.ok(logs.some(l => l.startsWith('server:')));
  });

  test('subscriptions deliver resource updates', async () => {
    const uri = server.resources[0]!.uri;
    await server.subscribe(uri);
    await server.callTool('toggle-subscriber-updates', {});
    const updated = await Event.toPromise(server.onDidUpdateResource, u => u === uri, AbortSignal.timeout(15_000));
    assert.equal(updated, uri);
    await server.callTool('toggle-subscriber-updates', {});
    await server.unsubscribe(uri);
  });
});
