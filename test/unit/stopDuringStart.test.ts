// Issue 8, item 7: a start that cannot finish must not hold Stop (or deactivation). A
// legacy SSE server that answers GET with an event stream but never sends `endpoint`
// used to block McpClient.create before the handshake, outside every deadline, so Stop
// (which waits for the start) never returned. And a second Stop forces, even while the
// server is still starting.

import assert from 'node:assert/strict';
import * as http from 'node:http';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Event } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { LogEntry, ManagedServer, ServerDefinition, ServerState } from '../../src/host/types.ts';
import { McpClient } from '../../src/protocol/client.ts';
import type { RequestError } from '../../src/protocol/errors.ts';
import { StreamableHttpTransport } from '../../src/transports/http.ts';
import { descendants, stdioDef, waitForState } from './helpers.ts';

/** Answers GET with an SSE stream that sends comments, never the `endpoint` event. */
class SilentSseServer {
  readonly server: http.Server;
  readonly events = new EventEmitter();
  open = 0;
  gets = 0;
  base = '';
  constructor() {
    this.server = http.createServer((req, res) => {
      if (req.method !== 'GET') { res.writeHead(405).end(); return; }
      this.gets++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': connected, but no endpoint for you\n\n');
      this.events.emit('get');
    });
    this.server.on('connection', s => { this.open++; s.on('close', () => { this.open--; this.events.emit('close'); }); });
  }
  async listen(): Promise<this> {
    await new Promise<void>(r => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }
  /** Resolves once no connection is open (a safety-net timeout only). */
  allClosed(): Promise<void> {
    if (this.open === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.open} connection(s) still open`)), 20_000);
      const on = () => { if (this.open === 0) { clearTimeout(t); this.events.off('close', on); resolve(); } };
      this.events.on('close', on);
    });
  }
  nextGet(): Promise<void> { return new Promise(r => this.events.once('get', () => r())); }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise(r => this.server.close(() => r()));
  }
}

const sseDef = (url: string): ServerDefinition => ({
  id: 'user::silent', name: 'silent', scope: 'user', source: { file: 'test' }, fingerprint: 'silent',
  launch: { type: 'sse', url, headers: {} },
});

/** Rejects if `p` has not settled in `ms` (a safety net: without the fix, it never does). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<never>((_, reject) => { t = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
}

describe('a legacy SSE server that never sends the endpoint event', () => {
  let srv: SilentSseServer;
  before(async () => { srv = await new SilentSseServer().listen(); });
  after(() => srv.close());

  test('Stop during the start completes: the server ends stopped and no socket stays open', async () => {
    // A long handshake timeout: the stop, not the deadline, must end the start.
    const m = new ServerManager({ requestTimeoutMs: 600_000 });
    const got = srv.nextGet();
    m.setDefinitions([sseDef(`${srv.base}/sse`)], { autoStart: true });
    const s = m.get('silent')!;
    await got;
    assert.equal(s.state.kind, 'starting');
    await within(s.stop(), 20_000, 'Stop');
    assert.equal(s.state.kind, 'stopped');
    await srv.allClosed();
    await within(m.dispose(), 20_000, 'dispose');
  });

  test('a start alone fails after the handshake timeout, naming the missing endpoint event', async () => {
    const m = new ServerManager({ requestTimeoutMs: 300 });
    m.setDefinitions([sseDef(`${srv.base}/sse`)], { autoStart: true });
    const s = m.get('silent')!;
    const st = await waitForState(s, 'error', 20_000);
    assert.ok(st.kind === 'error');
    assert.match(st.message, /^silent › initialize: legacy SSE: GET http:\/\/127\.0\.0\.1:\d+\/sse did not send the "endpoint" event \(timed out after 300 ms\)$/);
    await srv.allClosed();
    await m.dispose();
  });

  test('McpClient.create with a signal: an abort ends the start as a cancellation', async () => {
    const ctrl = new AbortController();
    const got = srv.nextGet();
    const t = new StreamableHttpTransport({ url: `${srv.base}/sse`, mode: 'sse' });
    const create = McpClient.create(t, { name: 'silent', clientInfo: { name: 't', version: '1' }, capabilities: {}, signal: ctrl.signal });
    await got;
    ctrl.abort();
    await assert.rejects(within(create, 20_000, 'create'), (e: RequestError) => e.isCancellation && /did not send the "endpoint" event/.test(e.message));
    assert.equal(t.state.kind, 'stopped');
    await srv.allClosed();
  });
});

describe('a second Stop while the server is still starting', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcph-stop-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('kills a server that ignores stdin closing and SIGTERM, without waiting out the escalation', async () => {
    // Never answers initialize, outlives stdin, and notes each SIGTERM it ignores in a file
    // (its stderr no longer reaches the log once the stop has begun).
    const marker = path.join(dir, 'sigterm');
    const script = `process.on('SIGTERM', () => require('fs').appendFileSync(${JSON.stringify(marker)}, 'SIGTERM\\n'));
      process.stdin.on('data', () => {}); process.stdin.on('end', () => {}); setInterval(() => {}, 1 << 30);
      process.stderr.write('deaf: ready\\n');`;
    const def = stdioDef('deaf-start', process.execPath, ['-e', script]);
    const m = new ServerManager({ requestTimeoutMs: 600_000 });
    m.setDefinitions([def], { autoStart: true });
    const s: ManagedServer = m.get(def.id)!;
    await Event.toPromise(s.onDidLog, (l: LogEntry) => /deaf: ready/.test(l.message), AbortSignal.timeout(20_000));
    assert.equal(s.state.kind, 'starting');
    const first = s.stop();
    const second = s.stop();
    await within(Promise.all([first, second]), 20_000, 'the two stops');
    assert.equal((s.state as ServerState).kind, 'stopped');
    assert.deepEqual(descendants(), []);
    // The graceful close would have sent SIGTERM after its grace period; the kill came first.
    assert.equal(existsSync(marker) ? readFileSync(marker, 'utf8') : '', '');
    await m.dispose();
  });
});
