// server-everything over Streamable HTTP and legacy SSE, for the trusted phase (the
// extension then reaches the same server over every transport it has). Bound to 127.0.0.1
// by the preloaded shim. `onChild(child)` receives each process (the harness stops them in
// its cleanup); resolves to { http, sse } base URLs.
import { spawn } from 'node:child_process';
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
