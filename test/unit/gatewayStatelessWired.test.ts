// Stateless 2026-07-28 clients through the gateway's real front doors (issue 13), once http.ts,
// gateway.ts and the CLI route them to stateless.ts: HttpGatewayServer (token, Host and Origin
// checks first; no session minted) with the official SDK 2.x client beside a 2025-11-25 session,
// and `mcp-host gateway --stdio` with MCP Host's own client pinned to 2026-07-28.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Emitter } from '../../src/base/event.ts';
import { Gateway } from '../../src/gateway/gateway.ts';
import { HttpGatewayServer, bearerToken } from '../../src/gateway/http.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { McpClient } from '../../src/protocol/client.ts';
import { StdioTransport } from '../../src/transports/stdio.ts';
import { BIN, cleanEnv, node } from './cliHarness.ts';
import { fixture, stdioDef, waitForState } from './helpers.ts';

const PV = '2026-07-28';
const TOKEN = 'a-token-of-32-characters-or-so!!';
const text = (r: { content: unknown }) => (r.content as Array<{ type: string; text?: string }>).map(c => (c.type === 'text' ? c.text : '')).join('');
const meta = (version = PV) => ({ 'io.modelcontextprotocol/protocolVersion': version, 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } });

function post(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, res => {
      let raw = '';
      res.on('data', c => { raw += c; });
      res.on('end', () => resolve({ status: res.statusCode!, json: raw ? JSON.parse(raw) : undefined }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('HttpGatewayServer: the SDK 2.x client statelessly (no session), sampling through an input round; 401 without the token; -32022; a 2025-11-25 session beside it', async () => {
  let ref: Gateway | undefined;
  const manager = new ServerManager({
    sampling: { createMessage: (s, p, signal, o) => ref!.createMessage(s, p, signal, o) },
    roots: { roots: () => [], onDidChangeRoots: new Emitter<void>().event, rootsFor: (s, signal, o) => ref!.rootsFor(s, signal, o) },
  });
  manager.setDefinitions([stdioDef('basic', node, [fixture('basic.mjs')])], { autoStart: true });
  await waitForState(manager.get('basic')!, 'running');
  const gateway = ref = new Gateway({ source: manager, exposed: () => true, serverInfo: { name: 'mcp-host-gateway', version: 'test' } });
  const http = new HttpGatewayServer({ gateway, authenticate: bearerToken(TOKEN) });
  const url = await http.listen();
  const auth = { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } };
  try {
    const client = new Client({ name: 'sdk2', version: '2.4' }, { capabilities: { sampling: {} }, versionNegotiation: { mode: 'auto' } });
    client.setRequestHandler('sampling/createMessage', async () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'wired answer' } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(url), auth));
    assert.equal(client.getNegotiatedProtocolVersion(), PV);
    assert.match(text(await client.callTool({ name: 'basic__sample', arguments: { prompt: 'wired' } })), /wired answer/);
    assert.equal(http.sessionCount, 0, 'no session for a stateless client');
    assert.ok(gateway.sessionInfos().some(s => s.label.startsWith('stateless client sdk2 2.4')), JSON.stringify(gateway.sessionInfos()));
    const discover = { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta() } };
    assert.equal((await post(url, discover, { 'mcp-protocol-version': PV, 'mcp-method': 'server/discover' })).status, 401);
    const old = await post(url, { ...discover, params: { _meta: meta('1900-01-01') } }, { 'mcp-protocol-version': '1900-01-01', 'mcp-method': 'server/discover', authorization: `Bearer ${TOKEN}` });
    assert.equal(old.status, 400);
    assert.equal(old.json.error.code, -32022);
    const legacy = new Client({ name: 'legacy', version: '1' });
    await legacy.connect(new StreamableHTTPClientTransport(new URL(url), auth));
    assert.equal(http.sessionCount, 1);
    assert.match(text(await legacy.callTool({ name: 'basic__echo', arguments: { message: 'session' } })), /session/);
    await legacy.close();
    await client.close();
  } finally {
    await http.close(500);
    gateway.dispose();
    await manager.dispose();
  }
});

test("mcp-host gateway --stdio serves MCP Host's own client pinned to 2026-07-28", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcph-gw-stateless-'));
  mkdirSync(path.join(dir, '.vscode'));
  writeFileSync(path.join(dir, '.vscode', 'mcp.json'), JSON.stringify({ servers: { basic: { type: 'stdio', command: node, args: [fixture('basic.mjs')] } } }));
  const c = await McpClient.create(new StdioTransport({ command: node, args: [BIN, 'gateway', '--stdio', '--trust-workspace'], env: {}, baseEnv: cleanEnv(), cwd: dir }),
    { name: 'gateway', clientInfo: { name: 'ours', version: '1' }, protocol: { pin: PV }, requestTimeoutMs: 60_000 });
  try {
    assert.equal(c.generation.id, 'stateless');
    for (let i = 0; i < 600 && !(await c.listTools()).some(t => t.name === 'basic__echo'); i++) await new Promise(r => setTimeout(r, 100));
    assert.match(text(await c.callTool('basic__echo', { message: 'cli stdio' })), /cli stdio/);
  } finally {
    await c.close();
  }
});
