// The stdio gateway (issue 13) driven by a peer none of us wrote: the official SDK 1.x client
// launches `mcp-host gateway --stdio` over a workspace configuration with server-everything and
// server-memory, and uses them through it: namespaced lists, calls, progress, cancellation,
// resources with mapped URIs, prompts, completion; when the client goes, every process goes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { McpClient } from '../../src/protocol/client.ts';
import { StdioTransport } from '../../src/transports/stdio.ts';
import { BIN, cleanEnv, node } from './cliHarness.ts';
import { descendants, EVERYTHING, repo } from './helpers.ts';

const MEMORY = path.join(repo, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');

describe('mcp-host gateway --stdio, driven by the SDK 1.x client', () => {
  let dir: string;
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = '';
  const sampled: unknown[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcph-gateway-'));
    mkdirSync(path.join(dir, '.vscode'));
    writeFileSync(path.join(dir, '.vscode', 'mcp.json'), JSON.stringify({
      servers: {
        everything: { type: 'stdio', command: node, args: [EVERYTHING, 'stdio'] },
        memory: { type: 'stdio', command: node, args: [MEMORY], env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') } },
      },
    }));
    transport = new StdioClientTransport({ command: node, args: [BIN, 'gateway', '--stdio', '--trust-workspace'], cwd: dir, env: cleanEnv(), stderr: 'pipe' });
    transport.stderr?.on('data', c => { stderr += c; });
    client = new Client({ name: 'sdk-client', version: '1.0.0' }, { capabilities: { sampling: {} } });
    // server-everything's sampling request comes back through the gateway to this client.
    client.setRequestHandler(CreateMessageRequestSchema, async req => {
      sampled.push(req.params);
      return { model: 'sdk-test-model', role: 'assistant', content: { type: 'text', text: 'an answer from the SDK client' } };
    });
    await client.connect(transport);
    // The servers start in the background; the list grows, with list_changed, until both run.
    for (let i = 0; i < 600; i++) {
      const { tools } = await client.listTools();
      if (tools.some(t => t.name === 'everything__trigger-sampling-request') && tools.some(t => t.name.startsWith('memory__'))) break;
      await new Promise(r => setTimeout(r, 100));
    }
  });

  after(async () => {
    await client?.close();
  });

  test('the handshake names the gateway; tools of both servers are listed, namespaced', async () => {
    assert.equal(client.getServerVersion()?.name, 'mcp-host-gateway');
    assert.ok(client.getServerCapabilities()?.tools?.listChanged);
    const { tools } = await client.listTools();
    const names = tools.map(t => t.name);
    for (const n of ['everything__echo', 'everything__get-sum', 'everything__trigger-long-running-operation', 'memory__create_entities', 'memory__read_graph']) {
      assert.ok(names.includes(n), `${n} is among ${names.join(', ')}`);
    }
    for (const n of names) assert.match(n, /^[A-Za-z0-9_.-]{1,64}$/);
    const echo = tools.find(t => t.name === 'everything__echo')!;
    assert.ok(echo.inputSchema.properties && 'message' in echo.inputSchema.properties, 'the schema is the server\'s own');
  });

  test('calls reach the owning server: everything echoes, memory keeps what it is given', async () => {
    const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'through the gateway' } });
    assert.match(JSON.stringify(echo.content), /through the gateway/);
    await client.callTool({ name: 'memory__create_entities', arguments: { entities: [{ name: 'gateway', entityType: 'test', observations: ['works'] }] } });
    const graph = await client.callTool({ name: 'memory__read_graph', arguments: {} });
    assert.match(JSON.stringify(graph), /gateway/);
  });

  test('progress streams back under the client\'s own token before the result', async () => {
    const seen: number[] = [];
    const r = await client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 2, steps: 4 } }, undefined, { onprogress: p => seen.push(p.progress) });
    // The gateway sends all four before the result (checked on the wire by hand); the SDK 1.x
    // client runs notification handlers a microtask late but the response at once, so a last
    // progress read in the same chunk as the result is dropped by the client itself.
    assert.ok(seen.length >= 1 && seen.every((v, i) => v === i + 1), `progress seen: ${seen.join(', ')}`);
    assert.match(JSON.stringify(r.content), /completed/i);
  });

  test('our own client sees every progress notification, in order, before the result', async () => {
    const ours = new StdioTransport({ command: node, args: [BIN, 'gateway', '--stdio', '--trust-workspace', '--expose', 'everything'], cwd: dir, env: cleanEnv() });
    const c = await McpClient.create(ours, { name: 'gateway', clientInfo: { name: 'ours', version: '1' }, requestTimeoutMs: 60_000 });
    try {
      for (let i = 0; i < 600 && !(await c.listTools()).some(t => t.name === 'everything__trigger-long-running-operation'); i++) await new Promise(r => setTimeout(r, 100));
      const seen: number[] = [];
      await c.callTool('everything__trigger-long-running-operation', { duration: 1, steps: 4 }, { onProgress: p => seen.push(p.progress) });
      assert.deepEqual(seen, [1, 2, 3, 4]);
      assert.ok((await c.listTools()).every(t => t.name.startsWith('everything__')), '--expose leaves memory out');
    } finally {
      await c.close();
    }
  });

  test('a cancel goes through: the call is abandoned and the gateway goes on', async () => {
    const ctrl = new AbortController();
    const call = client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 30, steps: 30 } }, undefined, { signal: ctrl.signal, onprogress: () => ctrl.abort('enough') });
    await assert.rejects(call);
    const sum = await client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 3 } });
    assert.match(JSON.stringify(sum.content), /5/);
  });

  test("server-everything's sampling request reaches the client whose call caused it, and its answer goes back", async () => {
    const r = await client.callTool({ name: 'everything__trigger-sampling-request', arguments: { prompt: 'What is MCP?', maxTokens: 50 } });
    assert.equal(sampled.length, 1);
    assert.match(JSON.stringify(sampled[0]), /What is MCP\?/);
    assert.match(JSON.stringify(r.content), /an answer from the SDK client/);
  });

  test('an unknown tool is an error that says so', async () => {
    await assert.rejects(client.callTool({ name: 'nobody__nothing', arguments: {} }), /Unknown tool: "nobody__nothing"/);
  });

  test('resources and templates under mcp-gateway:// URIs; a read maps the URI both ways', async () => {
    const { resources } = await client.listResources();
    assert.ok(resources.length > 0);
    for (const r of resources) assert.match(r.uri, /^mcp-gateway:\/\/(everything|memory)\//);
    const first = resources.find(r => r.uri.startsWith('mcp-gateway://everything/'))!;
    const read = await client.readResource({ uri: first.uri });
    assert.equal(read.contents[0]!.uri, first.uri);
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.ok(resourceTemplates.every(t => t.uriTemplate.startsWith('mcp-gateway://everything/~/')), JSON.stringify(resourceTemplates.map(t => t.uriTemplate)));
  });

  test('prompts are namespaced and routed; completion reaches the prompt\'s server', async () => {
    const { prompts } = await client.listPrompts();
    assert.ok(prompts.some(p => p.name === 'everything__simple-prompt'));
    const got = await client.getPrompt({ name: 'everything__simple-prompt', arguments: {} });
    assert.ok(got.messages.length > 0);
    const c = await client.complete({ ref: { type: 'ref/prompt', name: 'everything__completable-prompt' }, argument: { name: 'department', value: 'E' } });
    assert.ok(Array.isArray(c.completion.values));
  });

  test('a resource subscription goes through under its mcp-gateway:// URI; its updates come back under the same URI', async () => {
    const { ResourceUpdatedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const exposed = (await client.listResources()).resources.map(r => r.uri).find(u => u.startsWith('mcp-gateway://everything/'))!;
    assert.ok(exposed, 'an exposed resource of everything');
    const heard = new Promise<string>(resolve => client.setNotificationHandler(ResourceUpdatedNotificationSchema, n => resolve(n.params.uri)));
    assert.deepEqual(await client.subscribeResource({ uri: exposed }), {});
    // server-everything sends an update for each subscribed URI at once, then every 5 s until toggled off.
    await client.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    assert.equal(await heard, exposed);
    await client.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
    await client.unsubscribeResource({ uri: exposed });
  });

  test('nothing but JSON-RPC reached stdout (the SDK client would have failed on anything else); stderr has no internal error', () => {
    assert.doesNotMatch(stderr, /Traceback|internal error/);
  });

  test('mcp-host gateway --http: the URL on stderr, the token required, SIGTERM stops it and its servers', async () => {
    const child = spawn(node, [BIN, 'gateway', '--http', '--trust-workspace', '--expose', 'everything'], { cwd: dir, env: cleanEnv({ MCP_HOST_GATEWAY_TOKEN: 'a-token-of-32-characters-or-so!!' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', c => { err += c; const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(err); if (m) resolve(m[1]!); });
      child.once('exit', code => reject(new Error(`exited ${code}: ${err}`)));
    });
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const denied = new Client({ name: 'no-token', version: '1' });
    await assert.rejects(denied.connect(new StreamableHTTPClientTransport(new URL(url))), /401|Unauthorized/);
    const c = new Client({ name: 'sdk-http', version: '1' });
    await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: 'Bearer a-token-of-32-characters-or-so!!' } } }));
    for (let i = 0; i < 600 && !(await c.listTools()).tools.some(t => t.name === 'everything__echo'); i++) await new Promise(r => setTimeout(r, 100));
    assert.match(JSON.stringify((await c.callTool({ name: 'everything__echo', arguments: { message: 'cli http' } })).content), /cli http/);
    await c.close();
    const exited = new Promise<number | null>(r => child.once('exit', code => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    assert.doesNotMatch(err, /a-token-of-32/, 'the token is never printed');
  });

  test('mcp-host gateway --http --tls-* --jwt-*: HTTPS, JSON Web Tokens instead of a static token', async () => {
    const { SignJWT, exportJWK, generateKeyPair } = await import('jose');
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const keyFile = path.join(dir, 'issuer-key.json');
    writeFileSync(keyFile, JSON.stringify({ keys: [jwk] }));
    const tlsDir = path.join(repo, 'test/fixtures/tls');
    const child = spawn(node, [BIN, 'gateway', '--http', '--trust-workspace', '--expose', 'everything', '--tls-cert', path.join(tlsDir, 'cert.pem'), '--tls-key', path.join(tlsDir, 'key.pem'),
      '--jwt-issuer', 'https://issuer.example', '--jwt-audience', 'mcp-host-gateway', '--jwt-key-file', keyFile], { cwd: dir, env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr!.on('data', c => { err += c; const m = /listening on (https:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(err); if (m) resolve(m[1]!); });
        child.once('exit', code => reject(new Error(`exited ${code}: ${err}`)));
      });
      const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://issuer.example').setAudience('mcp-host-gateway').setSubject('alice').setIssuedAt().setExpirationTime('5m').sign(privateKey);
      const { Agent, fetch: undiciFetch } = await import('undici');
      const agent = new Agent({ connect: { ca: readFileSync(path.join(tlsDir, 'cert.pem')) } });
      const fetch = ((input: string, init: object) => undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof globalThis.fetch;
      const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
      const denied = new Client({ name: 'static', version: '1' });
      await assert.rejects(denied.connect(new StreamableHTTPClientTransport(new URL(url), { fetch, requestInit: { headers: { Authorization: 'Bearer not-a-jwt-at-all-but-long' } } })), /401|Unauthorized/);
      const c = new Client({ name: 'sdk-jwt', version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(url), { fetch, requestInit: { headers: { Authorization: `Bearer ${jwt}` } } }));
      for (let i = 0; i < 600 && !(await c.listTools()).tools.some(t => t.name === 'everything__echo'); i++) await new Promise(r => setTimeout(r, 100));
      assert.match(JSON.stringify((await c.callTool({ name: 'everything__echo', arguments: { message: 'jwt over tls' } })).content), /jwt over tls/);
      await c.close();
      await agent.close();
      assert.doesNotMatch(err, new RegExp(jwt.split('.')[2]!.slice(0, 20).replace(/[-]/g, '\\-')), 'no part of the token is printed');
    } finally {
      const exited = new Promise<number | null>(r => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', code => r(code))));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, err);
    }
  });

  test('when the client goes, the gateway and every server it started go too', async () => {
    await client.close();
    for (let i = 0; i < 200 && descendants().length; i++) await new Promise(r => setTimeout(r, 50));
    assert.deepEqual(descendants(), [], 'no process left');
  });
});

test('without --trust-workspace, a server the workspace defines is not started, so not exposed; the gateway says why on stderr', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcph-gateway-untrusted-'));
  mkdirSync(path.join(dir, '.vscode'));
  writeFileSync(path.join(dir, '.vscode', 'mcp.json'), JSON.stringify({ servers: { everything: { type: 'stdio', command: node, args: [EVERYTHING, 'stdio'] } } }));
  let stderr = '';
  const transport = new StdioClientTransport({ command: node, args: [BIN, 'gateway', '--stdio'], cwd: dir, env: cleanEnv({ MCP_HOST_CONSENT_FILE: path.join(dir, 'consent.json') }), stderr: 'pipe' });
  transport.stderr?.on('data', c => { stderr += c; });
  const client = new Client({ name: 'untrusted', version: '1' });
  await client.connect(transport);
  try {
    // The refusal is said on stderr once the start was tried; then the lists are still empty.
    for (let i = 0; i < 300 && !/everything/.test(stderr); i++) await new Promise(r => setTimeout(r, 100));
    assert.match(stderr, /everything: .*(trust|consent|not started|refused)/i, stderr);
    assert.deepEqual((await client.listTools()).tools, []);
    await assert.rejects(client.callTool({ name: 'everything__echo', arguments: { message: 'x' } }), /Unknown tool/);
  } finally {
    await client.close();
  }
});
