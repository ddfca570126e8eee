// The stateless 2026-07-28 fixture (test/fixtures/servers/stateless.mjs), checked on the wire with a
// tiny raw JSON-RPC client over stdio and Streamable HTTP, so the team's client tests can trust it.
// Every wait is on an event, bounded only as a safety net; every process started here is gone at the end.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { descendants, fixture } from './helpers.ts';

type Msg = { jsonrpc: '2.0'; id?: string | number; method?: string; params?: any; result?: any; error?: any };
type Reply = { msg: Msg; notes: Msg[]; status?: number; headers?: Headers };
type CallOptions = { caps?: object; meta?: Record<string, unknown>; headers?: Record<string, string>; noMeta?: boolean; noName?: boolean };
interface Listen { ack: Msg; next(method: string): Promise<Msg>; close(): Promise<void> }
interface Raw {
  kind: 'stdio' | 'http';
  canaryUrl: string;
  stderr(): string;
  untilStderr(pattern: RegExp): Promise<void>;
  /** A tools/call whose first progress notification is awaited; cancel() is notifications/cancelled (stdio) or closing the stream (HTTP). */
  cancellable(name: string, args: object): Promise<{ progress: Msg; cancel(): void }>;
  call(method: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<Reply>;
  listen(filter: object): Promise<Listen>;
  stop(): Promise<void>;
}

const FIXTURE = fixture('stateless.mjs');
const PV = '2026-07-28';
const TASKS = 'io.modelcontextprotocol/tasks';
const SUB = 'io.modelcontextprotocol/subscriptionId';
const ALL_CAPS = { roots: {}, sampling: {}, elicitation: { form: {}, url: {} }, extensions: { [TASKS]: {} } };
const WAIT_MS = 30_000; // a safety net only: nothing asserts on time
const envelope = (caps: object, extra: Record<string, unknown> = {}) => ({
  'io.modelcontextprotocol/protocolVersion': PV,
  'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': caps,
  ...extra,
});
const NAME_SOURCE: Record<string, string> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri', 'tasks/get': 'taskId', 'tasks/update': 'taskId', 'tasks/cancel': 'taskId' };
const b64 = (s: string) => `=?base64?${Buffer.from(s).toString('base64')}?=`;

/** Messages arriving in any order; `next` takes the first one that matches, now or later. */
class Inbox {
  private readonly items: Msg[] = [];
  private readonly waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  push(m: Msg): void {
    const i = this.waiters.findIndex(w => w.pred(m));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    else this.items.push(m);
  }
  next(pred: (m: Msg) => boolean, what: string): Promise<Msg> {
    const i = this.items.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms`)), WAIT_MS);
      this.waiters.push({ pred, resolve: m => { clearTimeout(timer); resolve(m); } });
    });
  }
  take(pred: (m: Msg) => boolean): Msg[] {
    const out = this.items.filter(pred);
    for (const m of out) this.items.splice(this.items.indexOf(m), 1);
    return out;
  }
}

const children: ChildProcess[] = [];
const exited = (child: ChildProcess) => new Promise<void>(resolve => { if (child.exitCode !== null || child.signalCode !== null) resolve(); else child.once('exit', () => resolve()); });
after(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });

function watchStderr(child: ChildProcess, pattern: RegExp) {
  let text = '';
  const until = (re: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
    const done = (fn: () => void) => { child.stderr!.off('data', check); child.off('exit', onExit); clearTimeout(timer); fn(); };
    const check = () => { const m = re.exec(text); if (m) done(() => resolve(m)); };
    const onExit = (code: number | null) => done(() => reject(new Error(`the fixture exited (${code}) before stderr showed ${re}: ${text}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`stderr never showed ${re} within ${WAIT_MS} ms: ${text}`))), WAIT_MS);
    child.stderr!.on('data', check);
    child.once('exit', onExit);
    check();
  });
  child.stderr!.on('data', (d: Buffer) => { text += d.toString(); });
  const match = until(pattern);
  match.catch(() => {});
  return { text: () => text, match, untilStderr: async (re: RegExp) => { await until(re); } };
}

async function startStdio(args: string[] = []): Promise<Raw & { onRequest(h: (m: Msg) => unknown): void; send(m: object): void }> {
  const child = spawn(process.execPath, [FIXTURE, 'stdio', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const err = watchStderr(child, /canary on (\S+)/);
  const replies = new Inbox();
  const notes = new Inbox();
  let requestHandler: (m: Msg) => unknown = () => ({});
  const send = (m: object) => child.stdin!.write(JSON.stringify(m) + '\n');
  createInterface({ input: child.stdout! }).on('line', line => {
    const m = JSON.parse(line) as Msg;
    if (m.method !== undefined && m.id !== undefined) send({ jsonrpc: '2.0', id: m.id, result: requestHandler(m) });
    else if (m.method !== undefined) notes.push(m);
    else replies.push(m);
  });
  let seq = 0;
  const canaryUrl = (await err.match)[1]!;
  return {
    kind: 'stdio', canaryUrl, stderr: err.text, untilStderr: err.untilStderr, send,
    onRequest(h) { requestHandler = h; },
    async cancellable(name, args) {
      const id = `c${++seq}`;
      send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: { ...envelope(ALL_CAPS), progressToken: id } } });
      const progress = await notes.next(m => m.method === 'notifications/progress' && m.params?.progressToken === id, 'progress');
      return { progress, cancel: () => send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, _meta: envelope(ALL_CAPS) } }) };
    },
    async call(method, params = {}, opts = {}) {
      const id = `s${++seq}`;
      send({ jsonrpc: '2.0', id, method, params: opts.noMeta ? params : { ...params, _meta: envelope(opts.caps ?? ALL_CAPS, opts.meta) } });
      const msg = await replies.next(m => m.id === id, `answer to ${method}`);
      // stdout is ordered: request-scoped notifications written before the answer are already here.
      return { msg, notes: notes.take(m => m.params?._meta?.[SUB] === undefined) };
    },
    async listen(filter) {
      const id = `listen-${++seq}`;
      send({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications: filter, _meta: envelope(ALL_CAPS) } });
      const mine = (method: string) => (m: Msg) => m.method === method && m.params?._meta?.[SUB] === id;
      const ack = await notes.next(mine('notifications/subscriptions/acknowledged'), 'listen ack');
      return {
        ack,
        next: method => notes.next(mine(method), method),
        async close() { send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, _meta: envelope(ALL_CAPS) } }); },
      };
    },
    async stop() { child.stdin!.end(); await exited(child); },
  };
}

/** Reads SSE frames from a fetch body, pushing each `data:` message; comment lines are counted and skipped. */
async function readSse(body: ReadableStream<Uint8Array>, onMessage: (m: Msg) => void, onComment: () => void = () => {}): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trimStart()).join('\n');
        if (frame.split('\n').some(l => l.startsWith(':'))) onComment();
        if (data) onMessage(JSON.parse(data) as Msg);
      }
    }
  } catch (e) { if ((e as Error).name !== 'AbortError') throw e; }
}

async function startHttp(args: string[] = []): Promise<Raw & { url: string }> {
  const child = spawn(process.execPath, [FIXTURE, 'http', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const err = watchStderr(child, /listening on (\S+)/);
  const url = (await err.match)[1]!;
  let seq = 0;
  const post = (body: Msg, headers: Record<string, string>, signal: AbortSignal) => fetch(url, {
    method: 'POST', signal, body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
  });
  const standardHeaders = (method: string, params: Record<string, unknown>, opts: CallOptions) => {
    const h: Record<string, string> = opts.noMeta ? {} : { 'mcp-protocol-version': PV, 'mcp-method': method };
    const source = NAME_SOURCE[method];
    if (!opts.noMeta && !opts.noName && source && typeof params[source] === 'string') h['mcp-name'] = params[source] as string;
    return { ...h, ...opts.headers };
  };
  return {
    kind: 'http', url, canaryUrl: url.replace(/\/mcp$/, '/canary/schema.json'), stderr: err.text, untilStderr: err.untilStderr,
    async cancellable(name, args) {
      const id = `c${++seq}`;
      const aborter = new AbortController();
      const r = await post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: { ...envelope(ALL_CAPS), progressToken: id } } },
        standardHeaders('tools/call', { name }, {}), aborter.signal);
      const inbox = new Inbox();
      void readSse(r.body!, m => inbox.push(m));
      const progress = await inbox.next(m => m.method === 'notifications/progress' && m.params?.progressToken === id, 'progress');
      return { progress, cancel: () => aborter.abort() };
    },
    async call(method, params = {}, opts = {}) {
      const id = `h${++seq}`;
      const body: Msg = { jsonrpc: '2.0', id, method, params: opts.noMeta ? params : { ...params, _meta: envelope(opts.caps ?? ALL_CAPS, opts.meta) } };
      const r = await post(body, standardHeaders(method, params, opts), AbortSignal.timeout(WAIT_MS));
      const all: Msg[] = [];
      if ((r.headers.get('content-type') ?? '').startsWith('text/event-stream')) await readSse(r.body!, m => all.push(m));
      else { const t = await r.text(); if (t) all.push(JSON.parse(t) as Msg); }
      const msg = all.find(m => m.id === id && m.method === undefined) ?? all.find(m => m.method === undefined);
      assert.ok(msg, `${method}: HTTP ${r.status} carried no JSON-RPC answer`);
      return { msg, notes: all.filter(m => m !== msg), status: r.status, headers: r.headers };
    },
    async listen(filter) {
      const id = `listen-${++seq}`;
      const aborter = new AbortController();
      const r = await post({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications: filter, _meta: envelope(ALL_CAPS) } },
        { 'mcp-protocol-version': PV, 'mcp-method': 'subscriptions/listen' }, aborter.signal);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
      const inbox = new Inbox();
      let comments = 0;
      const reading = readSse(r.body!, m => inbox.push(m), () => { comments++; inbox.push({ jsonrpc: '2.0', method: ':comment' }); });
      const mine = (method: string) => (m: Msg) => m.method === method && (method === ':comment' || m.params?._meta?.[SUB] === id);
      const ack = await inbox.next(mine('notifications/subscriptions/acknowledged'), 'listen ack');
      return { ack, next: method => inbox.next(mine(method), method), async close() { aborter.abort(); await reading; } };
    },
    async stop() { child.kill('SIGTERM'); await exited(child); },
  };
}

const ok = (r: Reply) => { assert.equal(r.msg.error, undefined, `unexpected error ${JSON.stringify(r.msg.error)}`); return r.msg.result; };
const failed = (r: Reply, code: number, httpStatus?: number) => {
  assert.equal(r.msg.error?.code, code, `expected error ${code}, got ${JSON.stringify(r.msg)}`);
  if (r.status !== undefined && httpStatus !== undefined) assert.equal(r.status, httpStatus);
  return r.msg.error;
};
const serverInfo = (result: any) => assert.deepEqual(result._meta?.['io.modelcontextprotocol/serverInfo'], { name: 'fixture-stateless', version: '1.0.0' });

for (const kind of ['stdio', 'http'] as const) {
  describe(`stateless fixture over ${kind} (modern-only)`, () => {
    let raw: Raw;
    const start = async () => { raw = kind === 'stdio' ? await startStdio() : await startHttp(['--keepalive-ms', '20']); };
    after(() => raw?.stop());

    test('server/discover: the modern version, capabilities with the tasks extension, serverInfo in _meta', async () => {
      await start();
      const r = ok(await raw.call('server/discover'));
      assert.deepEqual(r.supportedVersions, [PV]);
      assert.equal(r.resultType, 'complete');
      assert.deepEqual(r.capabilities.extensions, { [TASKS]: {} });
      assert.deepEqual(r.capabilities.resources, { subscribe: true, listChanged: true });
      assert.ok(r.capabilities.tools.listChanged && r.capabilities.prompts.listChanged && r.capabilities.logging && r.capabilities.completions);
      assert.equal(r.serverInfo, undefined, 'identity is in _meta, not the body');
      serverInfo(r);
    });

    test('2025-11-25 is refused: initialize gets -32022 naming the supported versions; ping is gone', async () => {
      const init = failed(await raw.call('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } }, { noMeta: true }), -32022, 400);
      assert.deepEqual(init.data, { supported: [PV], requested: '2025-11-25' });
      failed(await raw.call('ping'), -32601, 404);
    });

    test('lists: cache hints (tools/list public with a ttl, the others 0/private); schemas listed verbatim', async () => {
      const tools = ok(await raw.call('tools/list'));
      assert.deepEqual([tools.ttlMs, tools.cacheScope], [60_000, 'public']);
      const names = tools.tools.map((t: { name: string }) => t.name);
      for (const n of ['echo', 'add', 'fail', 'headers', 'bad-header', 'schema-2020', 'ask', 'ask-url', 'busy', 'log', 'slow', 'touch-list', 'touch-resource', 'counts', 'research']) assert.ok(names.includes(n), n);
      assert.ok(!names.includes('bonus-tool'));
      const byName = (n: string) => tools.tools.find((t: { name: string }) => t.name === n);
      assert.equal(byName('headers').inputSchema.properties.target.properties.tenant['x-mcp-header'], 'Tenant');
      assert.equal(byName('bad-header').inputSchema.properties.amount['x-mcp-header'], 'Amount', 'the server lists it; clients must drop it');
      const s = byName('schema-2020').inputSchema;
      assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.deepEqual(Object.keys(s.$defs), ['point', 'unit']);
      assert.equal(s.properties.origin.$ref, '#/$defs/point');
      assert.ok(s.properties.label.allOf && s.properties.size.anyOf && s.if && s.then && s.else && s.dependentRequired && s.properties.pair.prefixItems);
      assert.equal(s.properties.external.$ref, raw.canaryUrl);
      assert.deepEqual(byName('add').outputSchema.required, ['sum']);
      for (const m of ['prompts/list', 'resources/list', 'resources/templates/list']) {
        const r = ok(await raw.call(m));
        assert.deepEqual([r.ttlMs, r.cacheScope, r.resultType], [0, 'private', 'complete'], m);
      }
    });

    test('calls: echo, structured add, a tool error, the 2020-12 tool; the canary is never hit by the server', async () => {
      assert.deepEqual(ok(await raw.call('tools/call', { name: 'echo', arguments: { message: 'hi' } })).content, [{ type: 'text', text: 'hi' }]);
      const add = ok(await raw.call('tools/call', { name: 'add', arguments: { a: 2, b: 5 } }));
      assert.deepEqual([add.structuredContent, add.resultType], [{ sum: 7 }, 'complete']);
      serverInfo(add);
      assert.equal(ok(await raw.call('tools/call', { name: 'fail', arguments: {} })).isError, true);
      const args = { origin: { x: 1, y: 2 }, shape: 'circle', radius: 2, external: 'anything' };
      assert.deepEqual(ok(await raw.call('tools/call', { name: 'schema-2020', arguments: args })).structuredContent, { arguments: args, canaryHits: 0 });
    });

    test('x-mcp-header: over HTTP the Mcp-Param-* headers are checked (base64 for unsafe values); stdio ignores them', async () => {
      const args = { region: 'Hello, 世界', priority: 42, verbose: false, target: { tenant: ' acme ' } };
      const headers = { 'mcp-param-region': b64('Hello, 世界'), 'mcp-param-priority': '42', 'mcp-param-verbose': 'false', 'mcp-param-tenant': b64(' acme ') };
      const r = ok(await raw.call('tools/call', { name: 'headers', arguments: args }, { headers }));
      assert.deepEqual(r.structuredContent.arguments, args);
      if (raw.kind === 'http') {
        assert.deepEqual(Object.fromEntries(Object.entries(r.structuredContent.headers).filter(([k]) => k.startsWith('mcp-param-'))), headers);
        assert.equal(r.structuredContent.headers['mcp-name'], 'headers');
        const missing = failed(await raw.call('tools/call', { name: 'headers', arguments: { region: 'eu' } }), -32020, 400);
        assert.match(missing.message, /Mcp-Param-Region header is absent/);
        failed(await raw.call('tools/call', { name: 'echo', arguments: { message: 'x' } }, { noName: true }), -32020, 400);
      } else assert.deepEqual(r.structuredContent.headers, {});
    });

    test('MRTR tools/call: elicitation + roots + sampling with requestState, retried with a new id; two rounds; no state; load shedding', async () => {
      const first = await raw.call('tools/call', { name: 'ask', arguments: {} });
      const ir = ok(first);
      assert.equal(ir.resultType, 'input_required');
      assert.deepEqual(Object.keys(ir.inputRequests).sort(), ['elicitation', 'roots', 'sampling']);
      assert.deepEqual(ir.inputRequests.roots, { method: 'roots/list' });
      assert.equal(ir.inputRequests.elicitation.params.mode, 'form');
      assert.equal(ir.inputRequests.sampling.method, 'sampling/createMessage');
      assert.equal(ir.ttlMs, undefined, 'input_required carries no cache hints');
      assert.equal(typeof ir.requestState, 'string');
      const inputResponses = {
        elicitation: { action: 'accept', content: { name: 'Ann', color: 'blue' } },
        roots: { roots: [{ uri: 'file:///w', name: 'w' }] },
        sampling: { role: 'assistant', content: { type: 'text', text: 'hello' }, model: 'm', stopReason: 'endTurn' },
      };
      const second = await raw.call('tools/call', { name: 'ask', arguments: {}, inputResponses, requestState: ir.requestState });
      assert.notEqual(second.msg.id, first.msg.id);
      const done = ok(second);
      assert.equal(done.resultType, 'complete');
      assert.deepEqual(done.structuredContent, { elicitation: inputResponses.elicitation, roots: inputResponses.roots.roots, sampling: inputResponses.sampling, rounds: 1, requestStateEchoed: true });

      const r1 = ok(await raw.call('tools/call', { name: 'ask', arguments: { rounds: 2 } }));
      assert.deepEqual(Object.keys(r1.inputRequests), ['elicitation']);
      const r2 = ok(await raw.call('tools/call', { name: 'ask', arguments: { rounds: 2 }, inputResponses: { elicitation: inputResponses.elicitation }, requestState: r1.requestState }));
      assert.deepEqual(Object.keys(r2.inputRequests).sort(), ['roots', 'sampling']);
      assert.notEqual(r2.requestState, r1.requestState);
      const r3 = ok(await raw.call('tools/call', { name: 'ask', arguments: { rounds: 2 }, inputResponses: { roots: inputResponses.roots, sampling: inputResponses.sampling }, requestState: r2.requestState }));
      assert.deepEqual([r3.structuredContent.rounds, r3.structuredContent.elicitation], [2, inputResponses.elicitation]);

      const bare = ok(await raw.call('tools/call', { name: 'ask', arguments: { only: 'roots', withState: false } }));
      assert.deepEqual([Object.keys(bare.inputRequests), 'requestState' in bare], [['roots'], false]);
      assert.equal(ok(await raw.call('tools/call', { name: 'ask', arguments: { only: 'roots', withState: false }, inputResponses: { roots: inputResponses.roots } })).structuredContent.requestStateEchoed, false);

      const shed = ok(await raw.call('tools/call', { name: 'busy', arguments: { attempts: 1 } }));
      assert.deepEqual([shed.resultType, 'inputRequests' in shed, typeof shed.requestState], ['input_required', false, 'string']);
      assert.deepEqual(ok(await raw.call('tools/call', { name: 'busy', arguments: { attempts: 1 }, requestState: shed.requestState })).structuredContent, { retries: 1 });

      const onlyForm = ok(await raw.call('tools/call', { name: 'ask', arguments: {} }, { caps: { elicitation: {} } }));
      assert.deepEqual(Object.keys(onlyForm.inputRequests), ['elicitation'], 'only the kinds the request declared');
    });

    test('MRTR URL elicitation: the page is the fixture\'s own; -32021 without elicitation.url', async () => {
      const ir = ok(await raw.call('tools/call', { name: 'ask-url', arguments: {} }));
      const req = ir.inputRequests['open-page'];
      assert.deepEqual([req.method, req.params.mode], ['elicitation/create', 'url']);
      assert.equal(req.params.elicitationId, undefined);
      assert.match(await (await fetch(req.params.url)).text(), /Confirmed/);
      const done = ok(await raw.call('tools/call', { name: 'ask-url', arguments: {}, inputResponses: { 'open-page': { action: 'accept' } }, requestState: ir.requestState }));
      assert.deepEqual(done.structuredContent, { action: 'accept', pageOpened: true });
      const e = failed(await raw.call('tools/call', { name: 'ask-url', arguments: {} }, { caps: { elicitation: { form: {} } } }), -32021, 400);
      assert.deepEqual(e.data.requiredCapabilities, { elicitation: { url: {} } });
    });

    test('prompts, completion and resources, with MRTR on prompts/get and resources/read', async () => {
      assert.equal(ok(await raw.call('prompts/get', { name: 'greet', arguments: { name: 'bob' } })).messages[0].content.text, 'Please greet bob.');
      assert.deepEqual(ok(await raw.call('completion/complete', { ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'name', value: 'al' } })).completion.values, ['alice', 'albert']);
      assert.deepEqual(ok(await raw.call('completion/complete', { ref: { type: 'ref/resource', uri: 'fixture://greeting/{name}' }, argument: { name: 'name', value: 'b' } })).completion.values, ['bob']);
      const p1 = ok(await raw.call('prompts/get', { name: 'interview', arguments: { name: 'Ann' } }));
      assert.equal(p1.resultType, 'input_required');
      const p2 = ok(await raw.call('prompts/get', { name: 'interview', arguments: { name: 'Ann' }, inputResponses: { tone: { action: 'accept', content: { tone: 'formal' } } }, requestState: p1.requestState }));
      assert.equal(p2.messages[0].content.text, 'Greet Ann in a formal tone.');

      const text = ok(await raw.call('resources/read', { uri: 'fixture://static/text' }));
      assert.deepEqual([text.ttlMs, text.cacheScope], [60_000, 'public']);
      assert.match(text.contents[0].text, /^hello from the stateless fixture \(revision \d+\)$/);
      assert.deepEqual([...Buffer.from(ok(await raw.call('resources/read', { uri: 'fixture://static/blob' })).contents[0].blob, 'base64')], [...Array(16).keys()]);
      assert.equal(ok(await raw.call('resources/read', { uri: 'fixture://greeting/bob' })).contents[0].text, 'Hello, bob!');
      const n1 = ok(await raw.call('resources/read', { uri: 'fixture://needs-input' }));
      assert.deepEqual([n1.resultType, Object.keys(n1.inputRequests)], ['input_required', ['passphrase']]);
      const n2 = ok(await raw.call('resources/read', { uri: 'fixture://needs-input', inputResponses: { passphrase: { action: 'accept', content: { passphrase: 'open sesame' } } }, requestState: n1.requestState }));
      assert.equal(n2.contents[0].text, 'unlocked with "open sesame"');
    });

    test('per-request log level: only levels at or above _meta logLevel arrive, none without it', async () => {
      const withLevel = await raw.call('tools/call', { name: 'log', arguments: { message: 'm' } }, { meta: { 'io.modelcontextprotocol/logLevel': 'error' } });
      ok(withLevel);
      assert.deepEqual(withLevel.notes.filter(n => n.method === 'notifications/message').map(n => n.params.level), ['error', 'critical', 'alert', 'emergency']);
      const without = await raw.call('tools/call', { name: 'log', arguments: {} });
      ok(without);
      assert.deepEqual(without.notes.filter(n => n.method === 'notifications/message'), []);
    });

    test('slow: progress with the request\'s token; cancelling reaches the handler (it says CANCELLED slow)', async () => {
      const call = await raw.cancellable('slow', { steps: 1000, delayMs: 10 });
      assert.deepEqual([call.progress.params.progress, call.progress.params.total, call.progress.params.message], [1, 1000, 'step 1/1000']);
      call.cancel();
      await raw.untilStderr(/CANCELLED slow/);
    });

    test('subscriptions/listen: ack first, then list_changed and resources/updated stamped with the subscription id', async () => {
      const listen = await raw.listen({ toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['fixture://static/text'], taskIds: ['t'] });
      try {
        assert.deepEqual(listen.ack.params.notifications, { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['fixture://static/text'] });
        ok(await raw.call('tools/call', { name: 'touch-list', arguments: {} }));
        for (const m of ['notifications/tools/list_changed', 'notifications/prompts/list_changed', 'notifications/resources/list_changed']) await listen.next(m);
        assert.ok(ok(await raw.call('tools/list')).tools.some((t: { name: string }) => t.name === 'bonus-tool'));
        assert.ok(ok(await raw.call('prompts/list')).prompts.some((p: { name: string }) => p.name === 'bonus-prompt'));
        assert.ok(ok(await raw.call('resources/list')).resources.some((r: { uri: string }) => r.uri === 'fixture://bonus'));
        const rev = ok(await raw.call('tools/call', { name: 'touch-resource', arguments: {} })).structuredContent.revision;
        assert.equal((await listen.next('notifications/resources/updated')).params.uri, 'fixture://static/text');
        assert.equal(ok(await raw.call('resources/read', { uri: 'fixture://static/text' })).contents[0].text, `hello from the stateless fixture (revision ${rev})`);
        ok(await raw.call('tools/call', { name: 'touch-list', arguments: {} })); // back to the listed defaults
        await listen.next('notifications/tools/list_changed');
        if (raw.kind === 'http') await listen.next(':comment'); // --keepalive-ms: SSE comment frames on the stream
      } finally {
        await listen.close();
      }
    });

    test('counts: the fixture says how many requests of each method it served (a counts call counts itself)', async () => {
      ok(await raw.call('tools/call', { name: 'counts', arguments: { reset: true } }));
      ok(await raw.call('tools/list'));
      const c = ok(await raw.call('tools/call', { name: 'counts', arguments: {} })).structuredContent;
      assert.deepEqual(c.methods, { 'tools/list': 1, 'tools/call': 1 });
      assert.equal(c.canaryHits, 0);
      assert.equal(c.confirmHits, 1);
    });

    test('tasks extension: CreateTaskResult, tasks/get walks working → input_required → completed, tasks/update, tasks/cancel', async () => {
      const created = ok(await raw.call('tools/call', { name: 'research', arguments: { topic: 'python' } }));
      assert.deepEqual([created.resultType, created.status, created.ttlMs, created.pollIntervalMs], ['task', 'working', 300_000, 200]);
      assert.ok(!('task' in created) && !('content' in created), 'flat, no wrapper, no content');
      assert.ok(created.taskId && created.createdAt && created.lastUpdatedAt && created.statusMessage);
      const get = async () => ok(await raw.call('tasks/get', { taskId: created.taskId }));
      const g1 = await get();
      assert.deepEqual([g1.resultType, g1.status, g1.taskId], ['complete', 'working', created.taskId]);
      const g2 = await get();
      assert.equal(g2.status, 'input_required');
      assert.deepEqual([g2.inputRequests.interpretation.method, g2.inputRequests.interpretation.params.mode], ['elicitation/create', 'form']);
      assert.deepEqual(ok(await raw.call('tasks/update', { taskId: created.taskId, inputResponses: { interpretation: { action: 'accept', content: { interpretation: 'historical' } } } })).resultType, 'complete');
      const g3 = await get();
      assert.deepEqual([g3.status, g3.statusMessage, 'inputRequests' in g3], ['working', 'Continuing with historical…', false]);
      const g4 = await get();
      assert.equal(g4.status, 'completed');
      assert.deepEqual(g4.result, { content: [{ type: 'text', text: '# Research report: python (historical)' }], structuredContent: { topic: 'python', interpretation: 'historical' } });

      const other = ok(await raw.call('tools/call', { name: 'research', arguments: { topic: 'x' } }));
      assert.equal(ok(await raw.call('tasks/cancel', { taskId: other.taskId })).resultType, 'complete');
      assert.equal(ok(await raw.call('tasks/get', { taskId: other.taskId })).status, 'cancelled');
      const failing = ok(await raw.call('tools/call', { name: 'research', arguments: { topic: 'y', fail: true } }));
      await raw.call('tasks/get', { taskId: failing.taskId });
      const f = ok(await raw.call('tasks/get', { taskId: failing.taskId }));
      assert.deepEqual([f.status, f.error.code], ['failed', -32603]);
      const quick = ok(await raw.call('tools/call', { name: 'research', arguments: { topic: 'z' } }, { caps: { extensions: { [TASKS]: {} } } }));
      await raw.call('tasks/get', { taskId: quick.taskId });
      assert.equal(ok(await raw.call('tasks/get', { taskId: quick.taskId })).status, 'completed', 'no elicitation declared: no input request');
    });

    test('tasks extension errors: -32021 without the extension, -32602 for an unknown task, no tasks/result or tasks/list', async () => {
      const noExt = { caps: { elicitation: {} } };
      const e = failed(await raw.call('tools/call', { name: 'research', arguments: { topic: 'x' } }, noExt), -32021, 400);
      assert.deepEqual(e.data, { requiredCapabilities: { extensions: { [TASKS]: {} } } });
      failed(await raw.call('tasks/get', { taskId: 'nope' }, noExt), -32021, 400);
      failed(await raw.call('tasks/get', { taskId: 'nope' }), -32602);
      failed(await raw.call('tasks/update', { taskId: 'nope', inputResponses: {} }), -32602);
      failed(await raw.call('tasks/result', { taskId: 'nope' }), -32601, 404);
      failed(await raw.call('tasks/list'), -32601, 404);
      if (raw.kind === 'http') failed(await raw.call('tasks/get', { taskId: 'nope' }, { noName: true }), -32020, 400);
    });
  });
}

describe('stateless fixture, other peers', () => {
  test('--dual over stdio: a raw 2025-11-25 session gets the same features through server→client requests', async () => {
    const raw = await startStdio(['--dual']);
    try {
      const asked: string[] = [];
      raw.onRequest(m => {
        asked.push(m.method!);
        if (m.method === 'roots/list') return { roots: [{ uri: 'file:///w' }] };
        if (m.method === 'sampling/createMessage') return { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' };
        return { action: 'accept', content: { name: 'Bo' } };
      });
      const init = ok(await raw.call('initialize', { protocolVersion: '2025-11-25', capabilities: { roots: {}, sampling: {}, elicitation: { form: {} } }, clientInfo: { name: 'legacy', version: '1' } }, { noMeta: true }));
      assert.equal(init.protocolVersion, '2025-11-25');
      raw.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const done = ok(await raw.call('tools/call', { name: 'ask', arguments: {} }, { noMeta: true }));
      assert.deepEqual(asked.sort(), ['elicitation/create', 'roots/list', 'sampling/createMessage']);
      assert.deepEqual(done.structuredContent.elicitation, { action: 'accept', content: { name: 'Bo' } });
      failed(await raw.call('server/discover'), -32601); // the first message pinned the process to 2025-11-25
    } finally {
      await raw.stop();
    }
  });

  test('--dual over HTTP: a 2025-11-25 client (SDK 1.x) gets a session: server→client requests, notifications on its GET stream', async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const T = await import('@modelcontextprotocol/sdk/types.js');
    const raw = await startHttp(['--dual']);
    const client = new Client({ name: 'legacy', version: '1' }, { capabilities: { roots: {}, elicitation: { form: {} } } });
    client.setRequestHandler(T.ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///old' }] }));
    client.setRequestHandler(T.ElicitRequestSchema, () => ({ action: 'accept' as const, content: { name: 'Di' } }));
    const listChanged = new Promise<void>(resolve => client.setNotificationHandler(T.ToolListChangedNotificationSchema, () => resolve()));
    const updated = new Promise<string>(resolve => client.setNotificationHandler(T.ResourceUpdatedNotificationSchema, n => resolve(n.params.uri)));
    const transport = new StreamableHTTPClientTransport(new URL(raw.url));
    try {
      await client.connect(transport);
      assert.equal(transport.protocolVersion, '2025-11-25');
      assert.ok(transport.sessionId);
      assert.deepEqual((await client.callTool({ name: 'ask', arguments: {} })).structuredContent,
        { elicitation: { action: 'accept', content: { name: 'Di' } }, roots: [{ uri: 'file:///old' }], rounds: 1, requestStateEchoed: true });
      await client.subscribeResource({ uri: 'fixture://static/text' });
      await client.callTool({ name: 'touch-resource', arguments: {} });
      assert.equal(await updated, 'fixture://static/text');
      await client.callTool({ name: 'touch-list', arguments: { list: 'tools' } });
      await listChanged;
      assert.ok((await client.listTools()).tools.some(t => t.name === 'bonus-tool'));
      assert.deepEqual(ok(await raw.call('server/discover')).supportedVersions, [PV], 'the modern endpoint answers beside it');
    } finally {
      await client.close();
      await raw.stop();
    }
  });

  test('the official 2.x client (auto negotiation) accepts it: drops bad-header over HTTP, fulfils MRTR itself', async () => {
    const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
    const raw = await startHttp();
    const client = new Client({ name: 'ref', version: '1' }, { capabilities: { roots: {}, elicitation: { form: {} } }, versionNegotiation: { mode: 'auto' } });
    client.setRequestHandler('roots/list', () => ({ roots: [{ uri: 'file:///r' }] }));
    client.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { name: 'Cy' } }));
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(raw.url)));
      const names = (await client.listTools()).tools.map(t => t.name);
      assert.ok(names.includes('headers') && !names.includes('bad-header'));
      const r = await client.callTool({ name: 'ask', arguments: {} });
      assert.deepEqual(r.structuredContent, { elicitation: { action: 'accept', content: { name: 'Cy' } }, roots: [{ uri: 'file:///r' }], rounds: 1, requestStateEchoed: true });
    } finally {
      await client.close();
      await raw.stop();
    }
  });

  test('every fixture process started here is gone', async () => {
    // The per-transport suites stop theirs in after() hooks, which have run by now for stdio/http describes.
    await Promise.all(children.map(exited));
    const alive = new Set(descendants());
    assert.deepEqual(children.map(c => c.pid).filter(pid => pid !== undefined && alive.has(pid)), []);
  });
});
