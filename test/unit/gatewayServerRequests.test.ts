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
  let gatewayRef: Gateway | undefined;
  const fallback = {
    sampling: { createMessage: async () => { asked.push('host sampling'); return { role: 'assistant' as const, content: { type: 'text' as const, text: 'from the host' }, model: 'host-model' }; } },
    elicitation: { elicit: async () => { asked.push('host elicitation'); return { action: 'decline' as const }; } },
    roots: { roots: () => hostRoots, onDidChangeRoots: new Emitter<void>().event } satisfies RootsProvider,
  };
  const manager = new ServerManager({
    sampling: { createMessage: (s, p, signal) => gatewayRef!.createMessage(s, p, signal) },
    elicitation: { elicit: (s, p, signal) => gatewayRef!.elicit(s, p, signal) },
    roots: { roots: () => fallback.roots.roots(), onDidChangeRoots: fallback.roots.onDidChangeRoots, rootsFor: (s, signal) => gatewayRef!.rootsFor(s, signal) },
  });
  manager.setDefinitions([stdioDef('basic', process.execPath, [fixture('basic.mjs')])], { autoStart: true });
  await waitForState(manager.get('basic')!, 'running');
  const gateway = new Gateway({ source: manager, exposed: () => true, serverInfo: { name: 'gw', version: 'test' }, fallback, serverRequests: () => policy });
  gatewayRef = gateway;
  const clients: McpClient[] = [];
  const connect = async (broker?: InputBroker) => {
    const [ours, theirs] = InMemoryTransport.createPair();
    await gateway.serve(theirs, `client ${clients.length + 1}`);
    const c = await McpClient.create(ours, { name: 'gateway', clientInfo: { name: 'test', version: '1' }, ...(broker ? { broker } : {}) });
    clients.push(c);
    return c;
  };
  return {
    asked, connect,
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
