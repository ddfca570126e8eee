// A managed remote server and its sign-in: a start that meets a 401 the host may not
// answer by itself ends in `needs sign-in` (not an error, not retried); Sign In runs the
// flow and starts it; Sign Out forgets and stops it. The sign-in here is a stand-in that
// behaves as OAuthSession does towards the server (src/auth/session.ts; the real flow is
// tested by the conformance suite).

import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, test } from 'node:test';
import { Emitter } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { ServerAuth, ServerDefinition } from '../../src/host/types.ts';
import { LocalError } from '../../src/protocol/errors.ts';
import type { AuthRequest, AuthVerdict } from '../../src/transports/requestAuth.ts';
import { waitForState } from './helpers.ts';

class StandInAuth implements ServerAuth {
  token: string | undefined;
  signIns = 0;
  private readonly changed = new Emitter<'signed-in' | 'needs-sign-in' | 'signed-out'>();
  readonly onDidChange = this.changed.event;
  get signedIn() { return !!this.token; }
  async headers(_req: AuthRequest): Promise<Record<string, string>> { return this.token ? { authorization: `Bearer ${this.token}` } : {}; }
  async challenge(): Promise<AuthVerdict> {
    // A start may not open the browser: say a sign-in is needed.
    this.changed.fire('needs-sign-in');
    return { retry: false, error: new LocalError('auth', 'guarded needs you to sign in') };
  }
  async signInNow() { this.signIns++; this.token = 'good'; this.changed.fire('signed-in'); }
  async signOut() { const had = !!this.token; this.token = undefined; this.changed.fire('signed-out'); return had; }
}

let server: http.Server;
let url: string;
before(async () => {
  server = http.createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer good') { res.writeHead(401, { 'www-authenticate': 'Bearer' }).end(); return; }
    if (req.method !== 'POST') { res.writeHead(405).end(); return; }
    let body = '';
    req.on('data', c => { body += c; });
    req.on('end', () => {
      const m = JSON.parse(body);
      if (m.id === undefined) { res.writeHead(202).end(); return; }
      const result = m.method === 'initialize' ? { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'guarded', version: '1' } }
        : m.method === 'tools/list' ? { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] } : {};
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }));
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
});
after(async () => { server.closeAllConnections(); await new Promise(r => server.close(r)); });

test('a 401 at start is `needs sign-in`; Sign In starts the server; Sign Out stops it', async () => {
  const auth = new StandInAuth();
  const made: string[] = [];
  const manager = new ServerManager({ auth: (def, launch) => { made.push(`${def.name} ${launch.url}`); return auth; }, restart: { maxTries: 3, initialDelayMs: 10, maxDelayMs: 10 } });
  const def: ServerDefinition = { id: 'user::guarded', name: 'guarded', scope: 'user', source: { file: 'test' }, fingerprint: 'g', launch: { type: 'http', url, headers: {} } };
  try {
    manager.setDefinitions([def], { autoStart: true });
    const s = manager.get('guarded')!;
    const state = await waitForState(s, 'needs-sign-in');
    assert.equal(state.kind === 'needs-sign-in' && /sign in/.test(state.message), true, JSON.stringify(state));
    assert.equal(s.signedIn, false);

    await s.signIn();
    assert.equal(s.state.kind, 'running');
    assert.equal(s.tools[0]?.name, 'echo');
    assert.equal(s.signedIn, true);
    assert.equal(auth.signIns, 1);

    await s.signOut();
    assert.equal(s.state.kind, 'stopped');
    assert.equal(s.signedIn, false);
    // One sign-in per server and URL, kept across its launches.
    assert.deepEqual(made, [`guarded ${url}`]);
  } finally {
    await manager.dispose();
  }
});

test('a stdio server has no sign-in', async () => {
  const manager = new ServerManager({ auth: () => { throw new Error('not asked for stdio servers'); } });
  manager.setDefinitions([{ id: 'user::local', name: 'local', scope: 'user', source: { file: 'test' }, fingerprint: 'l', launch: { type: 'stdio', command: process.execPath, args: ['-e', ''], env: {} } }], { autoStart: false });
  try {
    await assert.rejects(manager.get('local')!.signIn(), /nothing to sign in to/);
  } finally {
    await manager.dispose();
  }
});

test('a sign-in that expires while the server runs: it waits in `needs sign-in` again', async () => {
  const auth = new StandInAuth();
  const manager = new ServerManager({ auth: () => auth });
  const def: ServerDefinition = { id: 'user::expiring', name: 'expiring', scope: 'user', source: { file: 'test' }, fingerprint: 'e', launch: { type: 'http', url, headers: {} } };
  try {
    manager.setDefinitions([def], { autoStart: true });
    const s = manager.get('expiring')!;
    await waitForState(s, 'needs-sign-in');
    await s.signIn();
    assert.equal(s.state.kind, 'running');
    // The token is refused from now on, as an expired one would be.
    auth.token = 'expired';
    await assert.rejects(s.callTool('echo', {}), /sign in/);
    const state = await waitForState(s, 'needs-sign-in');
    assert.match(state.kind === 'needs-sign-in' ? state.message : '', /expired/);
  } finally {
    await manager.dispose();
  }
});
