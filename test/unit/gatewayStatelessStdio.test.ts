// The gateway for stateless 2026-07-28 clients over real stdio (issue 13): MCP Host's own
// client pinned to 2026-07-28 against a process that wires a ServerManager, a Gateway and
// serveStdio as `mcp-host gateway --stdio` does: discover, namespaced tools, a call with
// progress, the server's sampling through an input round, cancellation; and a 2025-11-25
// client (initialize first) on the same kind of process gets a session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Event } from '../../src/base/event.ts';
import { McpClient } from '../../src/protocol/client.ts';
import type { InputBroker } from '../../src/protocol/inputBroker.ts';
import type { CallToolResult } from '../../src/protocol/types.ts';
import { StdioTransport } from '../../src/transports/stdio.ts';
import { cleanEnv, node } from './cliHarness.ts';
import { descendants, repo } from './helpers.ts';

const PV = '2026-07-28';
const text = (r: { content: unknown }) => (r.content as Array<{ type: string; text?: string }>).map(c => (c.type === 'text' ? c.text : '')).join('');

// The gateway process: the basic fixture behind it, whose stderr is passed on to its own.
const GATEWAY_PROCESS = `
import { Emitter } from ${JSON.stringify(`${repo}/src/base/event.ts`)};
import { Gateway } from ${JSON.stringify(`${repo}/src/gateway/gateway.ts`)};
import { StatelessGateway } from ${JSON.stringify(`${repo}/src/gateway/stateless.ts`)};
import { StdioServerTransport, serveStdio } from ${JSON.stringify(`${repo}/src/gateway/stdioServer.ts`)};
import { ServerManager } from ${JSON.stringify(`${repo}/src/host/manager.ts`)};
import { fixture, stdioDef, waitForState } from ${JSON.stringify(`${repo}/test/unit/helpers.ts`)};
let gw;
const manager = new ServerManager({
  sampling: { createMessage: (s, p, signal, o) => gw.createMessage(s, p, signal, o) },
  elicitation: { elicit: (s, p, signal, o) => gw.elicit(s, p, signal, o) },
  roots: { roots: () => [], onDidChangeRoots: new Emitter().event, rootsFor: (s, signal, o) => gw.rootsFor(s, signal, o) },
});
manager.setDefinitions([stdioDef('basic', process.execPath, [fixture('basic.mjs')])], { autoStart: true });
const basic = manager.get('basic');
basic.onDidLog(l => { if (l.source === 'stderr') process.stderr.write('[basic] ' + l.message + '\\n'); });
await waitForState(basic, 'running');
gw = new Gateway({ source: manager, exposed: () => true, serverInfo: { name: 'mcp-host-gateway', version: 'stdio-test' } });
const stateless = new StatelessGateway({ gateway: gw, serverInfo: { name: 'mcp-host-gateway', version: 'stdio-test' } });
const transport = new StdioServerTransport({ input: process.stdin, output: process.stdout });
transport.onDidChangeState(async s => {
  if (s.kind !== 'stopped') return;
  stateless.dispose(); gw.dispose(); await manager.dispose(); process.exit(0);
});
const mode = await serveStdio(stateless, transport, 'stdio');
process.stderr.write('served ' + mode + '\\n');
`;

describe('stateless 2026-07-28 clients over stdio', () => {
  const spawnGateway = () => new StdioTransport({ command: node, args: ['--input-type=module', '-e', GATEWAY_PROCESS], env: {}, baseEnv: cleanEnv(), cwd: repo });
  const broker: InputBroker = {
    capabilities: { sampling: {}, elicitation: { form: {} } },
    async answer(req) {
      if (req.method === 'sampling/createMessage') return { role: 'assistant', model: 'ours', content: { type: 'text', text: 'an answer from MCP Host\'s broker' } };
      return { action: 'decline' };
    },
  };
  let client: McpClient;
  let transport: StdioTransport;
  const stderr: string[] = [];

  before(async () => {
    transport = spawnGateway();
    transport.onDidLog(l => { if (l.source === 'stderr') stderr.push(l.message); });
    client = await McpClient.create(transport, { name: 'gateway', clientInfo: { name: 'mcp-host-test', version: '1' }, protocol: { pin: PV }, broker, requestTimeoutMs: 60_000 });
  });

  after(async () => { await client?.close(); });

  test("MCP Host's own client pinned to 2026-07-28: discover, the namespaced tools, a call with progress", async () => {
    assert.equal(client.generation.id, 'stateless');
    assert.equal(client.protocolVersion, PV);
    assert.equal(client.serverInfo.name, 'mcp-host-gateway');
    const tools = await client.listTools();
    assert.ok(tools.some(t => t.name === 'basic__slow'), tools.map(t => t.name).join(', '));
    const seen: number[] = [];
    const r = await client.callTool('basic__slow', { steps: 3, delayMs: 1 }, { onProgress: p => seen.push(p.progress) });
    assert.deepEqual(seen, [1, 2, 3]);
    assert.match(text(r), /done 3 steps/);
  });

  test("the server's sampling comes back through an input round and the broker answers it; a declined form reaches the server", async () => {
    assert.match(text(await client.callTool('basic__sample', { prompt: 'over stdio' })), /an answer from MCP Host's broker/);
    assert.deepEqual(JSON.parse(text(await client.callTool('basic__elicit', {}))), { action: 'decline' });
  });

  test("notifications/cancelled cancels the managed server's call", async () => {
    const cancelled = Event.toPromise(transport.onDidLog, l => l.source === 'stderr' && /CANCELLED slow/.test(l.message), AbortSignal.timeout(60_000));
    const ctrl = new AbortController();
    await assert.rejects(client.callTool('basic__slow', { steps: 100, delayMs: 200 }, { signal: ctrl.signal, onProgress: () => ctrl.abort() }));
    await cancelled;
    assert.match(text(await client.callTool('basic__echo', { message: 'after' })), /after/);
  });

  test('a first message of the 2025-11-25 kind (initialize) gets a session on the same stdio gateway', async () => {
    const t = spawnGateway();
    const legacy = await McpClient.create(t, { name: 'gateway', clientInfo: { name: 'legacy', version: '1' }, protocol: { pin: '2025-11-25' }, requestTimeoutMs: 60_000 });
    try {
      assert.equal(legacy.generation.id, 'stateful');
      assert.match(text(await legacy.callTool('basic__echo', { message: 'session' }) as CallToolResult), /session/);
    } finally {
      await legacy.close();
    }
  });

  test('the gateway said which revision it served', () => {
    assert.ok(stderr.some(l => /served stateless/.test(l)), stderr.join('\n'));
  });

  test('when the stateless client goes, the gateway and the server behind it go too', async () => {
    await client.close();
    for (let i = 0; i < 200 && descendants().length; i++) await new Promise(r => setTimeout(r, 50));
    assert.deepEqual(descendants(), [], 'no process left');
  });
});
