// Issue 8 item 16: error messages that say the truth — each case the way a user meets it.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cli, node, run, show, writeRawServer } from './cliHarness.ts';
import { fixture } from './helpers.ts';

const quote = JSON.stringify;

/** An HTTP server on 127.0.0.1 that answers every request with `status`. */
async function answering(status: number, body: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `127.0.0.1:${port}/mcp`, requests, close: () => new Promise(resolve => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

describe('mcp-host error messages', () => {
  let tmp: string;
  before(() => { tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcp-host-errors-'))); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('a file that is not executable is EACCES, not "not found on PATH" — given as a path or found on PATH', async () => {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    const script = path.join(bin, 'my-server');
    writeFileSync(script, '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o644);
    const direct = await cli(['tools', '--stdio', script]);
    assert.equal(direct.code, 3, show(direct));
    assert.match(direct.stderr, new RegExp(`spawn ${script} EACCES — ${script} is not executable: make it executable \\(chmod \\+x\\)`));
    assert.doesNotMatch(direct.stderr, /not found|PATH/);
    const onPath = await cli(['tools', '--stdio', 'my-server'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(onPath.code, 3, show(onPath));
    assert.match(onPath.stderr, new RegExp(`spawn my-server EACCES — ${script} \\(found on PATH\\) is not executable`));
    assert.doesNotMatch(onPath.stderr, /not found on PATH/);
  });

  test('a missing absolute command is said to be missing, without advice to use an absolute path', async () => {
    const r = await run(['tools', '--stdio', '/opt/nowhere/mcp-server --port 1']);
    assert.equal(r.code, 3, show(r));
    assert.match(r.stderr, /› initialize: spawn \/opt\/nowhere\/mcp-server ENOENT — \/opt\/nowhere\/mcp-server does not exist\n/);
    assert.doesNotMatch(r.stderr, /absolute path|PATH/);
    const relative = await run(['tools', '--stdio', './bin/srv'], { cwd: tmp });
    assert.match(relative.stderr, new RegExp(`ENOENT — ${tmp}/bin/srv does not exist \\(\\./bin/srv taken relative to ${tmp}\\)`));
  });

  test('--stdio users are told about --stdio, not about a "command" field they never wrote', async () => {
    const r = await run(['tools', '--stdio', 'mcp-host-no-such-server --flag']);
    assert.equal(r.code, 3, show(r));
    assert.match(r.stderr, /Command "mcp-host-no-such-server" was not found on PATH \(.*\)\. Give its full path in --stdio, or add its directory to PATH\./);
    assert.doesNotMatch(r.stderr, /"command"/);
    const after = await run(['tools', '--', 'mcp-host-no-such-server']);
    assert.match(after.stderr, /Give its full path in the command after "--", or add its directory to PATH\./);
    // A configured server's hint does name the field it came from.
    const settings = path.join(tmp, 'settings.json');
    writeFileSync(settings, JSON.stringify({ 'mcpHost.servers': { gone: { command: 'mcp-host-no-such-server' } } }));
    const configured = await run(['tools', '--server', 'gone'], { cwd: tmp, env: { MCP_HOST_SETTINGS: settings } });
    assert.equal(configured.code, 3, show(configured));
    assert.match(configured.stderr, /Use an absolute path in "command", or add its directory to the PATH mcp-host starts with\./);
  });

  test('--url localhost:3001 suggests http://', async () => {
    const r = await run(['tools', '--url', 'localhost:3001']);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /--url needs a scheme \(http:\/\/, https:\/\/, ws:\/\/ or wss:\/\/\): did you mean http:\/\/localhost:3001\?/);
    const path404 = await run(['tools', '--url', '127.0.0.1:3001/mcp']);
    assert.match(path404.stderr, /did you mean http:\/\/127\.0\.0\.1:3001\/mcp\?/);
  });

  test('https:// against a plain HTTP server says so', async () => {
    const srv = await answering(200, '{}');
    try {
      const r = await run(['tools', '--url', `https://${srv.url}`]);
      assert.equal(r.code, 3, show(r));
      assert.match(r.stderr, new RegExp(`The server speaks plain HTTP, not HTTPS \\(the TLS handshake got an unencrypted answer\\): use http://${srv.url.replace(/\./g, '\\.')}`));
    } finally {
      await srv.close();
    }
  });

  test('a 404 on POST is reported as such, not as the legacy SSE GET tried after it', async () => {
    const srv = await answering(404, 'no MCP endpoint here');
    try {
      const r = await run(['tools', '--url', `http://${srv.url}`]);
      assert.equal(r.code, 3, show(r));
      assert.match(r.stderr, /HTTP 404 from POST http:\/\/127\.0\.0\.1:\d+\/mcp/, show(r));
      assert.doesNotMatch(r.stderr, /legacy SSE: GET/, show(r));
    } finally {
      await srv.close();
    }
  });

  test('a server error is printed with its code once; -32042 names the tool and says what to open', async () => {
    const server = writeRawServer(path.join(tmp, 'errors.cjs'), `
      on('tools/list', m => send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'bad', inputSchema: { type: 'object' } }, { name: 'needs-login', inputSchema: { type: 'object' } }] } }));
      on('tools/call', m => m.params.name === 'bad'
        ? send({ jsonrpc: '2.0', id: m.id, error: { code: -32602, message: 'MCP error -32602: missing argument "x"' } })
        : send({ jsonrpc: '2.0', id: m.id, error: { code: -32042, message: 'Authorization required', data: { elicitations: [{ mode: 'url', elicitationId: 'e1', url: 'https://auth.example/connect?id=e1', message: 'Connect your account' }] } } }));`);
    const target = ['--name', 'errs', '--stdio', `${quote(node)} ${quote(server)}`];
    const bad = await run(['call', 'bad', ...target]);
    assert.equal(bad.code, 3, show(bad));
    assert.equal(bad.stderr, 'mcp-host: errs › tools/call bad: missing argument "x" (JSON-RPC error -32602)\n');
    const url = await run(['call', 'needs-login', ...target]);
    assert.equal(url.code, 3, show(url));
    assert.equal(url.stderr, 'mcp-host: errs › tools/call needs-login: the tool needs you to finish a step in your browser first: Authorization required (JSON-RPC error -32042).\n'
      + '  open https://auth.example/connect?id=e1 — Connect your account\n  then run the command again.\n');
  });

  test('a mistyped prompt lists the prompts and exits 2, like a mistyped tool', async () => {
    const r = await run(['prompt', 'greeet', '--stdio', `${quote(node)} ${quote(fixture('basic.mjs'))}`]);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /basic\.mjs has no prompt named "greeet"\nIts prompts: greet\./);
  });
});
