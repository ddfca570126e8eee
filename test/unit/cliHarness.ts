// Running mcp-host in tests: as a real process (`node src/cli/bin.ts …`) or through
// main() in-process with captured output, a simulated terminal and stdin. Shared by the
// cli*.test.ts files; cli.test.ts keeps its own copy.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';
import { repo } from './helpers.ts';

export const BIN = path.join(repo, 'src/cli/bin.ts');
export const node = process.execPath;

/** The environment a user would have, minus anything of ours that could leak in. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('MCP_HOST_') && !k.startsWith('NODE_TEST')) env[k] = v;
  return { ...env, MCP_HOST_SETTINGS: '', MCP_HOST_CONSENT_FILE: '', MCP_HOST_PROTOCOL_FILE: '', ...extra };
}

export interface Ran { code: number | null; stdout: string; stderr: string }

export const show = (r: Ran) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string>; nodeArgs?: string[]; stdin?: string; onStderr?: (text: string, child: ChildProcess) => void } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [...opts.nodeArgs ?? [], BIN, ...args], { cwd: opts.cwd ?? repo, env: cleanEnv(opts.env), stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
    child.stdout!.on('data', c => { stdout += c; });
    child.stderr!.on('data', c => { stderr += c; opts.onStderr?.(stderr, child); });
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
}

export interface RunOptions {
  /** Lines typed on a simulated terminal (makes the run interactive). */
  input?: string;
  /** stdin's whole content, not a terminal (for --args -). */
  stdin?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** stderr is a terminal (status line, progress redrawn in place). */
  stderrIsTTY?: boolean;
  startingDelayMs?: number;
  /** Called with all stderr so far, on each write. */
  onStderr?: (text: string) => void;
}

/** main() in-process, with captured output and an optional simulated terminal. */
export async function run(args: string[], opts: RunOptions = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write(chunk, _e, done) { add(String(chunk)); done(); } });
  const stdin = new PassThrough();
  if (opts.input !== undefined) stdin.write(opts.input);
  if (opts.stdin !== undefined) stdin.end(opts.stdin);
  const code = await main(args, {
    stdin, stdout: sink(s => { stdout += s; }), stderr: sink(s => { stderr += s; opts.onStderr?.(stderr); }),
    env: cleanEnv(opts.env), cwd: opts.cwd ?? repo,
    interactive: opts.input !== undefined, stderrIsTTY: opts.stderrIsTTY ?? false, signals: undefined,
    ...(opts.startingDelayMs !== undefined ? { startingDelayMs: opts.startingDelayMs } : {}),
  });
  stdin.destroy();
  return { code, stdout, stderr };
}

/**
 * A tiny MCP server over stdio (no SDK) written to `file`: answers initialize, ping,
 * tools/list and tools/call of `echo`; `hooks` is JavaScript run in the module with
 * `send(message)` and `on(method, handler)` in scope, to script the case under test.
 */
export function writeRawServer(file: string, hooks = ''): string {
  writeFileSync(file, `
const send = m => process.stdout.write(JSON.stringify(m) + '\\n');
const handlers = new Map();
const on = (method, fn) => handlers.set(method, fn);
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', d => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
    if (line.trim()) handle(JSON.parse(line));
  }
});
on('initialize', m => send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } } }));
on('ping', m => send({ jsonrpc: '2.0', id: m.id, result: {} }));
on('tools/list', m => send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] } }));
on('tools/call', m => send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: 'echo ' + JSON.stringify(m.params.arguments) }] } }));
${hooks}
function handle(m) {
  const h = handlers.get(m.method ?? (m.id !== undefined ? 'response' : ''));
  if (h) h(m);
  else if (m.id !== undefined && m.method) send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } });
}
`);
  return file;
}
