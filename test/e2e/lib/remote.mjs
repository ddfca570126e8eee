// server-everything over Streamable HTTP and legacy SSE, for the trusted phase (the
// extension then reaches the same server over every transport it has). Bound to 127.0.0.1
// by the preloaded shim. `onChild(child)` receives each process (the harness stops them in
// its cleanup); resolves to { http, sse } base URLs.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../../integration/workspace.mjs';
import { NODE24 } from './codeserver.mjs';
import { freePort } from './proc.mjs';

export async function startRemoteEverything({ log, onChild }) {
  const entry = path.join(REPO, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
  const out = {};
  for (const [key, mode] of [['http', 'streamableHttp'], ['sse', 'sse']]) {
    const port = await freePort();
    const child = spawn(NODE24, ['--require', path.join(REPO, 'test', 'fixtures', 'loopback.cjs'), entry, mode], {
      env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    onChild(child);
    await new Promise((resolve, reject) => {
      let seen = '';
      const onData = (d) => { seen += d; if (/listening|running|port/i.test(seen)) resolve(); };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server-everything ${mode} exited with ${code}: ${seen.slice(-300)}`)));
      setTimeout(() => reject(new Error(`server-everything ${mode} did not start: ${seen.slice(-300)}`)), 20000).unref();
    });
    child.stdout.resume();
    child.stderr.resume();
    out[key] = `http://127.0.0.1:${port}`;
    log(`server-everything (${mode}) on ${out[key]}`);
  }
  return out;
}

/**
 * The OAuth-protected fixture (test/fixtures/servers/oauth.mjs) with its own authorization
 * server, on a loopback port it picks. Resolves to its MCP endpoint URL.
 */
export async function startRemoteOAuth({ log, onChild, logFile, host = '127.0.0.1' }) {
  const entry = path.join(REPO, 'test', 'fixtures', 'servers', 'oauth.mjs');
  const child = spawn(NODE24, [entry, '--host', host], { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  onChild(child);
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the OAuth fixture did not start: ${seen.slice(-300)}`)), 20000);
    timer.unref();
    const onData = (d) => {
      seen += d;
      const m = /listening on (http:\/\/127\.\d+\.\d+\.\d+:\d+\/mcp)/.exec(seen);
      if (m) { clearTimeout(timer); child.stderr.off('data', onData); resolve(m[1]); }
    };
    child.stderr.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the OAuth fixture exited with ${code}: ${seen.slice(-300)}`)); });
  });
  child.stdout.resume();
  if (logFile) child.stderr.pipe(fs.createWriteStream(logFile)); else child.stderr.resume();
  log(`OAuth fixture (its own authorization server) on ${url}`);
  return url;
}

/**
 * The stateless 2026-07-28 fixture (test/fixtures/servers/stateless.mjs) over Streamable HTTP,
 * on a free loopback port it picks itself (it binds 127.0.0.1). Resolves to its endpoint URL,
 * as it prints it (`listening on http://127.0.0.1:P/mcp`). It does not watch stdin: the
 * harness stops it with SIGINT (exit 0) in its cleanup, like server-everything. Its stderr
 * (rejected requests, side-page hits such as the URL elicitation's /confirm) goes to `logFile`.
 */
export async function startRemoteStateless({ log, onChild, logFile }) {
  const entry = path.join(REPO, 'test', 'fixtures', 'servers', 'stateless.mjs');
  const child = spawn(NODE24, [entry, 'http', '--port', '0'], { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  onChild(child);
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the stateless fixture (http) did not start: ${seen.slice(-300)}`)), 20000);
    timer.unref();
    const onData = (d) => {
      seen += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(seen);
      if (m) { clearTimeout(timer); child.stderr.off('data', onData); resolve(m[1]); }
    };
    child.stderr.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the stateless fixture (http) exited with ${code}: ${seen.slice(-300)}`)); });
  });
  child.stdout.resume();
  if (logFile) {
    const out = fs.createWriteStream(logFile);
    out.write(`listening on ${url}\n`);
    child.stderr.pipe(out);
  } else child.stderr.resume();
  log(`stateless fixture (Streamable HTTP, 2026-07-28) on ${url}`);
  return url;
}
