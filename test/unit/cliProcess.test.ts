// The CLI as a process around its server: the curated environment carries proxy and CA
// variables, a slow start is shown on a terminal (item 14), shutdown is prompt with a
// server that ignores stdin EOF (item 15), and an error thrown where nobody catches it
// is reported without killing the command (item 11, the CLI's part).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_SHUTDOWN_GRACE_MS } from '../../src/cli/session.ts';
import { cli, node, run, show, writeRawServer } from './cliHarness.ts';
import { EVERYTHING, fixture } from './helpers.ts';

const quote = JSON.stringify;

describe('mcp-host and its server process', () => {
  let tmp: string;
  before(() => { tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcp-host-proc-'))); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('the server gets the proxy and CA variables (both cases), and nothing else of ours', async () => {
    const vars = {
      HTTP_PROXY: 'http://proxy.example:3128', HTTPS_PROXY: 'http://proxy.example:3129', NO_PROXY: 'localhost,127.0.0.1',
      http_proxy: 'http://lower.example:3128', https_proxy: 'http://lower.example:3129', no_proxy: '.internal',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem', SSL_CERT_FILE: '/etc/ssl/cert.pem', SSL_CERT_DIR: '/etc/ssl/certs',
    };
    const server = writeRawServer(path.join(tmp, 'env.cjs'), `
      on('tools/call', m => send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: JSON.stringify(process.env) }] } }));`);
    const r = await cli(['call', 'echo', '--stdio', `${quote(node)} ${quote(server)}`], { env: { ...vars, SOME_TOKEN: 'not-for-servers' } });
    assert.equal(r.code, 0, show(r));
    const env = JSON.parse(r.stdout) as Record<string, string>;
    for (const [k, v] of Object.entries(vars)) assert.equal(env[k], v, k);
    assert.equal(env.SOME_TOKEN, undefined);
  });

  test('a slow start shows "starting" and the server\'s last stderr line on a terminal, cleared once it is up', async () => {
    const go = path.join(tmp, 'go');
    // Answers initialize only once the test has seen the status line (a file appears).
    const server = writeRawServer(path.join(tmp, 'slow-start.cjs'), `
      const fs = require('node:fs');
      process.stderr.write('fetching @example/server@1.2.3…\\n');
      const init = handlers.get('initialize');
      on('initialize', m => { const t = setInterval(() => { if (fs.existsSync(${quote(go)})) { clearInterval(t); init(m); } }, 10); });`);
    const target = ['--name', 'slow', '--timeout', '20000', '--stdio', `${quote(node)} ${quote(server)}`];
    const r = await run(['call', 'echo', '--args', '{"a":1}', ...target], {
      stderrIsTTY: true, startingDelayMs: 0,
      onStderr: text => { if (text.includes('slow: starting… fetching @example/server@1.2.3…') && !existsSync(go)) writeFileSync(go, ''); },
    });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'echo {"a":1}\n');
    // Drawn in place, then erased: nothing of it stays on the screen.
    assert.match(r.stderr, /^(\r\x1b\[K(slow: starting…[^\r]*)?)+$/);
    assert.ok(r.stderr.endsWith('\r\x1b[K'), JSON.stringify(r.stderr));
    // Not a terminal: no status line at all.
    const plain = await run(['call', 'echo', ...target]);
    assert.equal(plain.code, 0, show(plain));
    assert.equal(plain.stderr, '');
  });

  test(`shutdown: a server that ignores stdin EOF gets SIGTERM after ${CLI_SHUTDOWN_GRACE_MS} ms, a well-behaved one exits on EOF`, async () => {
    // server-everything keeps running when its stdin closes.
    const everything = await cli(['call', 'echo', '--args', '{"message":"bye"}', '--verbose', '--name', 'everything', '--stdio', `${quote(node)} ${quote(EVERYTHING)} stdio`]);
    assert.equal(everything.code, 0, show(everything));
    assert.equal(everything.stdout, 'Echo: bye\n');
    assert.match(everything.stderr, new RegExp(`\\[everything info\\] the server did not exit ${CLI_SHUTDOWN_GRACE_MS} ms after stdin closed; sending SIGTERM`));
    assert.doesNotMatch(everything.stderr, /ignored SIGTERM/);
    const basic = await cli(['call', 'echo', '--args', '{"message":"bye"}', '--verbose', '--name', 'basic', '--stdio', `${quote(node)} ${quote(fixture('basic.mjs'))}`]);
    assert.equal(basic.code, 0, show(basic));
    assert.doesNotMatch(basic.stderr, /did not exit|SIGTERM/);
    // A configured server goes through the shared transport factory: the same short grace.
    writeFileSync(path.join(tmp, 'settings.json'), JSON.stringify({ 'mcpHost.servers': { everything: { command: node, args: [EVERYTHING, 'stdio'] } } }));
    const configured = await cli(['call', 'echo', '--args', '{"message":"x"}', '--verbose', '--server', 'everything'], { cwd: tmp, env: { MCP_HOST_SETTINGS: path.join(tmp, 'settings.json') } });
    assert.equal(configured.code, 0, show(configured));
    assert.match(configured.stderr, new RegExp(`did not exit ${CLI_SHUTDOWN_GRACE_MS} ms after stdin closed`));
  });

  test('an exception nobody catches is reported, and the command still finishes', async () => {
    const preload = path.join(tmp, 'throws.mjs');
    // As a listener that throws does (the core rethrows it on its own tick), and a rejected promise nobody awaits.
    writeFileSync(preload, `setTimeout(() => { throw new Error('a listener failed'); }, 0);
      setTimeout(() => { Promise.reject(new Error('nobody awaited this')); }, 0);`);
    const r = await cli(['call', 'echo', '--args', '{"message":"still here"}', '--stdio', `${quote(node)} ${quote(fixture('basic.mjs'))}`], { nodeArgs: ['--import', preload] });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'still here\n');
    assert.match(r.stderr, /mcp-host: internal error \(uncaught exception; the command goes on\): Error: a listener failed/);
    assert.match(r.stderr, /mcp-host: internal error \(unhandled rejection; the command goes on\): Error: nobody awaited this/);
  });
});
