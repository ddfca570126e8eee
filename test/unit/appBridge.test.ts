// The host side of an MCP App (src/host/apps/bridge.ts), driven by hand-written view messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Emitter } from '../../src/base/event.ts';
import { AppSession, linkRefusal, MAX_APP_REQUESTS, type AppEmbedder, type AppLogEntry, type AppServer } from '../../src/host/apps/bridge.ts';

type Msg = Record<string, any>;

function harness(opts: { openLink?: (url: string) => Promise<boolean>; ownerOf?: (t: string) => string | undefined; teardownTimeoutMs?: number } = {}) {
  const sent: Msg[] = [];
  const log: AppLogEntry[] = [];
  const calls: { name: string; args: unknown; options: any }[] = [];
  const links: string[] = [];
  const messages: unknown[] = [];
  const contexts: unknown[] = [];
  const lists = new Emitter<void>();
  let release: (() => void) | undefined;
  const server: AppServer = {
    definition: { name: 'monitor' },
    tools: [
      { name: 'show', inputSchema: { type: 'object' }, _meta: { ui: { resourceUri: 'ui://m/app.html' } } },
      { name: 'poll', inputSchema: { type: 'object' }, _meta: { ui: { visibility: ['app'] } } },
      { name: 'secret', inputSchema: { type: 'object' }, _meta: { ui: { visibility: ['model'] } } },
      { name: 'hang', inputSchema: { type: 'object' } },
    ],
    resources: [{ uri: 'ui://m/app.html', name: 'app' }],
    resourceTemplates: [],
    prompts: [],
    onDidChangeLists: lists.event,
    async callTool(name, args, options) {
      calls.push({ name, args, options });
      if (name === 'hang') await new Promise<void>(r => { release = r; });
      options?.onProgress?.({ progressToken: 'ours', progress: 1, total: 2 });
      return { content: [{ type: 'text', text: `${name} done` }] };
    },
    async readResource(uri) { return { contents: [{ uri, text: 'hello' }] }; },
  };
  const embedder: AppEmbedder = {
    openLink: async url => { links.push(url); return opts.openLink ? opts.openLink(url) : true; },
    message: async c => { messages.push(c); },
    modelContext: c => { contexts.push(c); },
    displayMode: m => m,
    log: e => log.push(e),
  };
  const session = new AppSession({
    server, hostInfo: { name: 'MCP Host', version: '0.1.0' }, hostContext: { theme: 'dark', locale: 'en' },
    sandbox: { csp: {}, permissions: {} }, send: m => sent.push(m as Msg), embedder,
    ...(opts.ownerOf ? { ownerOf: opts.ownerOf } : {}),
    ...(opts.teardownTimeoutMs !== undefined ? { teardownTimeoutMs: opts.teardownTimeoutMs } : {}),
  });
  let nextId = 1;
  const tick = () => new Promise(r => setImmediate(r));
  /** Sends a request as the app and waits for its answer. */
  async function request(method: string, params: Msg = {}): Promise<Msg> {
    const id = nextId++;
    session.receive({ jsonrpc: '2.0', id, method, params });
    for (let i = 0; i < 200; i++) {
      const answer = sent.find(m => m.id === id && ('result' in m || 'error' in m));
      if (answer) return answer;
      await tick();
    }
    throw new Error(`no answer to ${method}`);
  }
  async function initialize(): Promise<Msg> {
    const r = await request('ui/initialize', { appInfo: { name: 'app', version: '1' }, appCapabilities: { availableDisplayModes: ['inline', 'fullscreen'] }, protocolVersion: '2026-01-26' });
    session.receive({ jsonrpc: '2.0', method: 'ui/notifications/initialized', params: {} });
    await tick();
    return r;
  }
  return { session, sent, log, calls, links, messages, contexts, lists, request, initialize, tick, release: () => release?.() };
}

test('the handshake answers with host info, capabilities, the sandbox and the host context; nothing goes out before initialized', async () => {
  const h = harness();
  h.session.toolInput({ a: 1 });
  h.session.toolResult({ content: [{ type: 'text', text: 'r' }] });
  h.session.setHostContext({ theme: 'light' });
  const r = await h.request('ui/initialize', { appInfo: { name: 'app', version: '1' }, appCapabilities: {}, protocolVersion: '2026-01-26' });
  assert.equal(r.result.protocolVersion, '2026-01-26');
  assert.deepEqual(r.result.hostInfo, { name: 'MCP Host', version: '0.1.0' });
  assert.deepEqual(r.result.hostCapabilities.sandbox, { csp: {}, permissions: {} });
  assert.ok(r.result.hostCapabilities.openLinks && r.result.hostCapabilities.serverTools);
  // The change made before initialize is in the answer, not a notification.
  assert.equal(r.result.hostContext.theme, 'light');
  assert.equal(h.sent.filter(m => m.method).length, 0, 'nothing but the answer before initialized');
  h.session.receive({ jsonrpc: '2.0', method: 'ui/notifications/initialized', params: {} });
  await h.tick();
  assert.deepEqual(h.sent.filter(m => m.method).map(m => m.method), ['ui/notifications/tool-input', 'ui/notifications/tool-result']);
  assert.deepEqual(h.sent.find(m => m.method === 'ui/notifications/tool-input')!.params, { arguments: { a: 1 } });
  assert.equal(h.session.initialized, true);
});

test('tool-input goes at most once and always before the result or the cancel', async () => {
  const h = harness();
  await h.initialize();
  h.session.toolCancelled('stopped');
  h.session.toolInput({ late: true });
  const methods = h.sent.filter(m => m.method).map(m => m.method);
  assert.deepEqual(methods, ['ui/notifications/tool-input', 'ui/notifications/tool-cancelled']);
  assert.deepEqual(h.sent.find(m => m.method === 'ui/notifications/tool-cancelled')!.params, { reason: 'stopped' });
});

test('host-context-changed carries only what differs, and only after initialized', async () => {
  const h = harness();
  await h.initialize();
  h.session.setHostContext({ theme: 'dark', locale: 'en' });
  assert.equal(h.sent.filter(m => m.method === 'ui/notifications/host-context-changed').length, 0, 'no change, no message');
  h.session.setHostContext({ theme: 'light', containerDimensions: { width: 300, height: 200 } });
  const changed = h.sent.filter(m => m.method === 'ui/notifications/host-context-changed');
  assert.deepEqual(changed.map(m => m.params), [{ theme: 'light', containerDimensions: { width: 300, height: 200 } }]);
  assert.equal(h.session.hostContext.locale, 'en');
});

test("an app calls its server's app-visible tools; its progress comes back under its own token", async () => {
  const h = harness();
  await h.initialize();
  const r = await h.request('tools/call', { name: 'poll', arguments: { x: 1 }, _meta: { progressToken: 'app-7' } });
  assert.deepEqual(r.result.content, [{ type: 'text', text: 'poll done' }]);
  assert.deepEqual(h.calls.map(c => [c.name, c.args]), [['poll', { x: 1 }]]);
  assert.equal(h.calls[0]!.options._meta, undefined, "the app's _meta is not passed on");
  const progress = h.sent.find(m => m.method === 'notifications/progress');
  assert.equal(progress?.params.progressToken, 'app-7');
  assert.ok(h.log.some(e => e.kind === 'call' && e.text.includes('poll')));
});

test('a tool without app visibility, an unknown tool and another server\'s tool are refused with the reason, never called', async () => {
  const h = harness({ ownerOf: t => (t === 'read_graph' ? 'memory' : undefined) });
  await h.initialize();
  const secret = await h.request('tools/call', { name: 'secret' });
  assert.match(secret.error.message, /^monitor: the app's tools\/call was refused: Tool "secret" is not visible to apps \(its _meta\.ui\.visibility is \["model"\]\)$/);
  const other = await h.request('tools/call', { name: 'read_graph' });
  assert.match(other.error.message, /"read_graph" is a tool of another server \(memory\); an app may call only tools of its own server/);
  const unknown = await h.request('tools/call', { name: 'nope' });
  assert.match(unknown.error.message, /Tool "nope" is not a tool of this server$/);
  const nameless = await h.request('tools/call', {});
  assert.match(nameless.error.message, /names no tool/);
  assert.equal(h.calls.length, 0);
  assert.equal(h.log.filter(e => e.kind === 'refused').length, 4);
});

test('tools/list shows the app only the tools it may call', async () => {
  const h = harness();
  await h.initialize();
  const r = await h.request('tools/list');
  assert.deepEqual(r.result.tools.map((t: Msg) => t.name), ['show', 'poll', 'hang']);
});

test('resources/read goes to the same server; a missing uri is refused', async () => {
  const h = harness();
  await h.initialize();
  assert.deepEqual((await h.request('resources/read', { uri: 'ui://m/app.html' })).result.contents[0].text, 'hello');
  assert.match((await h.request('resources/read', {})).error.message, /uri is missing/);
});

test('javascript:, file:, data: and command: links are refused without asking; http(s) asks the person', async () => {
  let answer = true;
  const h = harness({ openLink: async () => answer });
  await h.initialize();
  for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,hi', 'command:workbench.action.quit', 'vscode://x', 'not a url', 'https://u:p@evil.example/']) {
    const r = await h.request('ui/open-link', { url });
    assert.ok(r.error, `${url} refused`);
  }
  assert.deepEqual(h.links, [], 'none reached the consent');
  assert.match((await h.request('ui/open-link', { url: 'javascript:alert(1)' })).error.message, /javascript: links are never opened/);
  assert.deepEqual((await h.request('ui/open-link', { url: 'https://modelcontextprotocol.io/' })).result, {});
  answer = false;
  assert.match((await h.request('ui/open-link', { url: 'https://example.com/' })).error.message, /Link opening denied by user/);
  assert.deepEqual(h.links, ['https://modelcontextprotocol.io/', 'https://example.com/']);
  assert.equal(linkRefusal('mailto:a@b.example'), undefined);
});

test('ui/message takes an array or one block; the model context is kept; a bad one is refused', async () => {
  const h = harness();
  await h.initialize();
  assert.deepEqual((await h.request('ui/message', { role: 'user', content: [{ type: 'text', text: 'a' }] })).result, {});
  assert.deepEqual((await h.request('ui/message', { role: 'user', content: { type: 'text', text: 'b' } })).result, {});
  assert.deepEqual(h.messages, [[{ type: 'text', text: 'a' }], [{ type: 'text', text: 'b' }]]);
  assert.ok((await h.request('ui/message', { role: 'assistant', content: [{ type: 'text', text: 'c' }] })).error);
  assert.ok((await h.request('ui/message', { role: 'user', content: [] })).error);
  await h.request('ui/update-model-context', { content: [{ type: 'text', text: 'ctx' }], structuredContent: { n: 1 } });
  assert.deepEqual(h.contexts, [{ content: [{ type: 'text', text: 'ctx' }], structuredContent: { n: 1 } }]);
  const huge = await h.request('ui/update-model-context', { structuredContent: { s: 'x'.repeat(300 * 1024) } });
  assert.match(huge.error.message, /more than/);
  assert.equal(h.contexts.length, 1);
});

test('display modes: a declared one is granted and told back; an unknown one leaves the mode as it is', async () => {
  const h = harness();
  await h.initialize();
  assert.deepEqual((await h.request('ui/request-display-mode', { mode: 'fullscreen' })).result, { mode: 'fullscreen' });
  assert.equal(h.session.hostContext.displayMode, 'fullscreen');
  assert.deepEqual((await h.request('ui/request-display-mode', { mode: 'pip' })).result, { mode: 'fullscreen' });
  assert.ok(h.log.some(e => e.kind === 'refused' && e.text.includes('"pip"')));
});

test(`a flood of requests is bounded: at most ${MAX_APP_REQUESTS} at once, the rest answered with an error`, async () => {
  const h = harness();
  await h.initialize();
  const n = 200;
  for (let i = 0; i < n; i++) h.session.receive({ jsonrpc: '2.0', id: 1000 + i, method: 'tools/call', params: { name: 'hang' } });
  await h.tick();
  const refused = h.sent.filter(m => typeof m.id === 'number' && m.id >= 1000 && m.error);
  assert.equal(refused.length, n - MAX_APP_REQUESTS);
  assert.match(refused[0]!.error.message, /Too many concurrent requests/);
  assert.ok(h.calls.length <= MAX_APP_REQUESTS);
  // Notifications in bulk are absorbed too (the page bounds their rate; here they only log).
  for (let i = 0; i < 10_000; i++) h.session.receive({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: `n${i}` } });
  assert.equal(h.log.filter(e => e.kind === 'app-log').length, 10_000);
});

test('teardown waits for the app\'s answer; an app that never answers is closed after the timeout', async () => {
  const h = harness();
  await h.initialize();
  const done = h.session.teardown('closed');
  await h.tick();
  const req = h.sent.find(m => m.method === 'ui/resource-teardown');
  assert.deepEqual(req?.params, { reason: 'closed' });
  h.session.receive({ jsonrpc: '2.0', id: req!.id, result: {} });
  assert.equal(await done, 'answered');
  // Closed: later messages are ignored, nothing more is sent.
  const before = h.sent.length;
  h.session.toolResult({ content: [] });
  h.session.receive({ jsonrpc: '2.0', id: 99, method: 'ping' });
  await h.tick();
  assert.equal(h.sent.length, before);

  const silent = harness({ teardownTimeoutMs: 20 });
  await silent.initialize();
  assert.equal(await silent.session.teardown(), 'timeout');
  assert.ok(silent.log.some(e => e.kind === 'warning' && e.text.includes('ui/resource-teardown')));
  const fresh = harness();
  assert.equal(await fresh.session.teardown(), 'not-initialized');
});

test("the server's list changes reach an initialized app", async () => {
  const h = harness();
  h.lists.fire();
  assert.equal(h.sent.length, 0);
  await h.initialize();
  h.lists.fire();
  assert.deepEqual(h.sent.filter(m => m.method).map(m => m.method), ['notifications/tools/list_changed', 'notifications/resources/list_changed']);
});

test('downloads are refused as not offered; invalid messages are logged, not fatal', async () => {
  const h = harness();
  await h.initialize();
  const r = await h.request('ui/download-file', { contents: [] });
  assert.equal(r.error.code, -32601);
  h.session.receive({ jsonrpc: '1.0', foo: 1 });
  h.session.receive('garbage');
  await h.tick();
  assert.ok(h.log.some(e => e.kind === 'warning'));
  assert.deepEqual((await h.request('ping')).result, {});
});
