// WebSocket transport against an in-process `ws` server on loopback: subprotocol `mcp`,
// custom headers, messages both ways, a dropped socket reconnected by the manager.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { ServerManager } from '../../src/host/manager.ts';
import { waitForState } from './helpers.ts';

let wss: WebSocketServer;
let url: string;
const seen: { protocol: string; auth?: string }[] = [];
const sockets: WebSocket[] = [];

before(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: p => p.has('mcp') ? 'mcp' : false });
  wss.on('connection', (ws, req) => {
    seen.push({ protocol: ws.protocol, auth: req.headers.authorization });
    sockets.push(ws);
    ws.on('message', data => {
      const m = JSON.parse(String(data));
      if (m.id === undefined) return;
      let result: unknown = {};
      if (m.method === 'initialize') result = { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'ws-server', version: '1' } };
      if (m.method === 'tools/list') result = { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] };
      if (m.method === 'tools/call') result = { content: [{ type: 'text', text: `ws echo ${m.params.arguments.message}` }] };
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }));
    });
  });
  await new Promise<void>(r => wss.on('listening', () => r()));
  url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/mcp`;
});
after(() => new Promise<void>(r => wss.close(() => r())));

test('ws: subprotocol, headers, calls, and reconnect after a drop', async () => {
  const manager = new ServerManager({ restart: { maxTries: 3, initialDelayMs: 50, maxDelayMs: 200 } });
  manager.setDefinitions([{ id: 'user::ws', name: 'ws', scope: 'user', source: { file: 't' }, fingerprint: 'ws', launch: { type: 'ws', url, headers: { Authorization: 'Bearer t0k3n' } } }], { autoStart: true });
  const s = manager.get('ws')!;
  try {
    await waitForState(s, 'running');
    assert.deepEqual(seen[0], { protocol: 'mcp', auth: 'Bearer t0k3n' });
    assert.equal(s.protocolVersion, '2025-06-18');
    assert.deepEqual((await s.callTool('echo', { message: 'hi' })).content, [{ type: 'text', text: 'ws echo hi' }]);
    sockets[0]!.terminate();
    const err = await waitForState(s, 'error');
    assert.ok(err.kind === 'error' && /the WebSocket closed/.test(err.message));
    await waitForState(s, 'running', 5000);
    assert.equal(seen.length, 2);
    assert.deepEqual((await s.callTool('echo', { message: 'again' })).content, [{ type: 'text', text: 'ws echo again' }]);
  } finally {
    await manager.dispose();
  }
});
