// A managed server's own requests through the gateway (issue 13): sampling, elicitation and
// roots go to the gateway client whose call the server is serving when it declared the
// capability, else to MCP Host's own answers (the fallback); a server whose policy is "host"
// always gets MCP Host's. A real fixture server (test/fixtures/servers/basic.mjs) asks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Emitter } from '../../src/base/event.ts';
import { Gateway, type ServerRequestPolicy } from '../../src/gateway/gateway.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { RootsProvider } from '../../src/host/types.ts';
import { McpClient } from '../../src/protocol/client.ts';
import type { InputBroker } from '../../src/protocol/inputBroker.ts';
import type { CallToolResult } from '../../src/protocol/types.ts';
import { InMemoryTransport } from '../../src/transports/memory.ts';
import { fixture, stdioDef, waitForState } from './helpers.ts';

const hostRoots = [{ uri: 'file:///host/workspace', name: 'host' }];

async function setup(policy: ServerRequestPolicy) {
  const asked: string[] = [];
  const logs: string[] = [];
  let gatewayRef: Gateway | undefined;
  const fallback = {
    sampling: { createMessage: async () => { asked.push('host sampling'); return { role: 'assistant' as const, content: { type: 'text' as const, text: 'from the host' }, model: 'host-model' }; } },
    elicitation: { elicit: async () => { asked.push('host elicitation'); return { action: 'decline' as const }; } },
    roots: { roots: () => hostRoots, onDidChangeRoots: new Emitter<void>().event } satisfies RootsProvider,
  };
  const manager = new ServerManager({
    sampling: { createMessage: (s, p, signal, o) => gatewayRef!.createMessage(s, p, signal, o) },
    elicitation: { elicit: (s, p, signal, o) => gatewayRef!.elicit(s, p, signal, o) },
    roots: { roots: () => fallback.roots.roots(), onDidChangeRoots: fallback.roots.onDidChangeRoots, rootsFor: (s, signal, o) => gatewayRef!.rootsFor(s, signal, o) },
  });
  manager.setDefinitions([stdioDef('basic', process.execPath, [fixture('basic.mjs')])], { autoStart: true });
  await waitForState(manager.get('basic')!, 'running');
  const gateway = new Gateway({ source: manager, exposed: () => true, serverInfo: { name: 'gw', version: 'test' }, fallback, serverRequests: () => policy, log: (_level, message) => logs.push(message) });
  gatewayRef = gateway;
  const clients: McpClient[] = [];
  const connect = async (broker?: InputBroker) => {
    const [ours, theirs] = InMemoryTransport.createPair();
    await gateway.serve(theirs, `client ${clients.length + 1}`);
    const c = await McpClient.create(ours, { name: 'gateway', clientInfo: { name: 'test', version: '1' }, ...(broker ? { broker } : {}) });
    clients.push(c);
    return c;
  };
  /** Resolves once the gateway's sessions have `n` calls in flight to managed servers. */
  const inFlight = (n: number) => new Promise<void>(resolve => {
    const check = () => { if (gateway.sessionInfos().reduce((k, s) => k + s.callsInFlight, 0) >= n) { sub.dispose(); resolve(); } };
    const sub = gateway.onDidChangeSessions(check);
    check();
  });
  return {
    asked, logs, connect, inFlight, server: () => manager.get('basic')!,
    async close() { for (const c of clients) await c.close(); gateway.dispose(); await manager.dispose(); },
  };
}

/** A gateway client that answers roots and sampling itself. */
function answering(asked: string[]): InputBroker {
  return {
    capabilities: { roots: { listChanged: true }, sampling: {} },
    async answer(request) {
      asked.push(`client ${request.method}`);
      if (request.method === 'roots/list') return { roots: [{ uri: 'file:///client/project', name: 'client' }, { uri: 'https://not.a/file', name: 'dropped' }] };
      return { role: 'assistant', content: { type: 'text', text: 'from the client' }, model: 'client-model' };
    },
  };
}

const text = (r: CallToolResult) => r.content.map(c => (c.type === 'text' ? c.text : '')).join('');

test('policy "client": roots and sampling go to the calling client that declared them; elicitation it did not declare goes to the host', async () => {
  const g = await setup('client');
  try {
    const client = await g.connect(answering(g.asked));
    const roots = JSON.parse(text(await client.callTool('basic__roots', {})));
    assert.deepEqual(roots, [{ uri: 'file:///client/project', name: 'client' }], 'the client\'s file: roots, nothing else');
    const sampled = text(await client.callTool('basic__sample', { prompt: 'hi' }));
    assert.match(sampled, /from the client/);
    await client.callTool('basic__elicit', {});
    assert.deepEqual(g.asked, ['client roots/list', 'client sampling/createMessage', 'host elicitation']);
  } finally {
    await g.close();
  }
});

test('policy "client": a client that declared nothing gets the host\'s roots and the host\'s sampling', async () => {
  const g = await setup('client');
  try {
    const client = await g.connect();
    assert.deepEqual(JSON.parse(text(await client.callTool('basic__roots', {}))), hostRoots);
    assert.match(text(await client.callTool('basic__sample', { prompt: 'hi' })), /from the host/);
    assert.deepEqual(g.asked, ['host sampling']);
  } finally {
    await g.close();
  }
});

test('policy "host": MCP Host answers even when the calling client declared the capability', async () => {
  const g = await setup('host');
  try {
    const client = await g.connect(answering(g.asked));
    assert.deepEqual(JSON.parse(text(await client.callTool('basic__roots', {}))), hostRoots);
    assert.match(text(await client.callTool('basic__sample', { prompt: 'hi' })), /from the host/);
    assert.deepEqual(g.asked, ['host sampling']);
  } finally {
    await g.close();
  }
});

/** A call that lasts until `ctrl` is aborted (the fixture's slow tool, one step of ten minutes). */
const hold = (client: McpClient, ctrl: AbortController) => client.callTool('basic__slow', { steps: 1, delayMs: 600_000 }, { signal: ctrl.signal }).catch(() => undefined);

test('policy "client": a request of the server for MCP Host\'s own call goes to the host, though a gateway client has a call in flight to that server', async () => {
  const g = await setup('client');
  const ctrl = new AbortController();
  try {
    const client = await g.connect(answering(g.asked));
    const held = hold(client, ctrl);
    await g.inFlight(1);
    // The tool panel's call: no gateway client made it, so none is asked (stdio: the server names no request).
    const own = await g.server().callTool('sample', { prompt: 'hi' });
    assert.match(text(own), /from the host/);
    assert.deepEqual(g.asked, ['host sampling']);
    assert.ok(g.logs.some(l => /basic asked for sampling\/createMessage while calls of client 1, MCP Host were in flight/.test(l)), g.logs.join('\n'));
    ctrl.abort();
    await held;
  } finally {
    ctrl.abort();
    await g.close();
  }
});

test('policy "client": two gateway clients with calls in flight to one stdio server: its request goes to neither (it cannot say whose it is), the host answers', async () => {
  const g = await setup('client');
  const ctrl = new AbortController();
  try {
    const first = await g.connect(answering(g.asked));
    const second = await g.connect(answering(g.asked));
    const held = hold(first, ctrl);
    await g.inFlight(1);
    assert.match(text(await second.callTool('basic__sample', { prompt: 'hi' })), /from the host/);
    assert.deepEqual(JSON.parse(text(await second.callTool('basic__roots', {}))), hostRoots);
    assert.deepEqual(g.asked, ['host sampling'], 'neither client was asked');
    ctrl.abort();
    await held;
    // Alone again: the second client's own call asks it.
    assert.match(text(await second.callTool('basic__sample', { prompt: 'hi' })), /from the client/);
    assert.deepEqual(g.asked, ['host sampling', 'client sampling/createMessage']);
  } finally {
    ctrl.abort();
    await g.close();
  }
});
