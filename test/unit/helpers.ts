// Shared test helpers: paths of the real servers, child-process accounting, waiting on
// events (never on sleep).

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Event } from '../../src/base/event.ts';
import type { ManagedServer, ServerDefinition, ServerState, StdioLaunch } from '../../src/host/types.ts';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EVERYTHING = path.join(repo, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const FILESYSTEM = path.join(repo, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
export const fixture = (name: string) => path.join(repo, 'test/fixtures/servers', name);

/** Pids of every live descendant of this test process (Linux /proc). */
export function descendants(root = process.pid): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) comes after the ")" that closes the command name.
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (after[0] === 'Z') continue; // zombies are reaped by their parent; not alive
      parent.set(Number(entry), Number(after[1]));
    } catch { /* gone meanwhile */ }
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    let p = parent.get(pid);
    for (let hops = 0; p && hops < 64; hops++) {
      if (p === root) { out.push(pid); break; }
      p = parent.get(p);
    }
  }
  return out;
}

/** Pids in a process group, whoever their parent is now (detached servers reparent to init). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (after[0] !== 'Z' && Number(after[2]) === pgid) out.push(Number(entry));
    } catch { /* gone */ }
  }
  return out;
}

export function stdioDef(name: string, command: string, args: string[], extra: Partial<StdioLaunch> = {}): ServerDefinition {
  return {
    id: `user::${name}`, name, scope: 'user', source: { file: 'test' },
    launch: { type: 'stdio', command, args, env: {}, ...extra },
    fingerprint: `${name}:${command}:${args.join(' ')}:${JSON.stringify(extra)}`,
  };
}

export function waitForState(server: ManagedServer, kind: ServerState['kind'], timeoutMs = 20_000): Promise<ServerState> {
  if (server.state.kind === kind) return Promise.resolve(server.state);
  const signal = AbortSignal.timeout(timeoutMs);
  return Event.toPromise(server.onDidChangeState, s => s.kind === kind, signal).catch(err => {
    throw new Error(`server ${server.definition.name} did not reach "${kind}" in ${timeoutMs} ms (state: ${JSON.stringify(server.state)}): ${err}`);
  });
}

/** Starts server-everything over HTTP on a free loopback port; resolves with its URL base. */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse'): Promise<{ base: string; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const net = await import('node:net');
  const port = await new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const p = (srv.address() as { port: number }).port; srv.close(() => resolve(p)); });
    srv.on('error', reject);
  });
  const child = spawn(process.execPath, ['--require', path.join(repo, 'test/fixtures/loopback.cjs'), EVERYTHING, mode], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => { out += c.toString(); if (/listening|running|port/i.test(out)) resolve(); };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', code => reject(new Error(`server-everything ${mode} exited with ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`server-everything ${mode} did not start: ${out}`)), 15_000).unref();
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>(resolve => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    }),
  };
}
