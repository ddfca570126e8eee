// Command-line parsing (node:util parseArgs): one flat set of options, checked per
// command so that a misplaced option is a usage error rather than silently ignored.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { MODERN_PROTOCOL_VERSIONS, SUPPORTED_PROTOCOL_VERSIONS } from '../core.ts';
import { AUTH_OPTIONS, authArgsOf, type AuthArgs } from './authArgs.ts';
import { UsageError } from './errors.ts';
import { splitCommandLine } from './words.ts';

export const COMMANDS = ['servers', 'tools', 'describe', 'resources', 'templates', 'prompts', 'call', 'read', 'prompt', 'skills', 'skill', 'login', 'logout'] as const;
export type Command = typeof COMMANDS[number];

export type ElicitMode = 'accept-defaults' | 'decline' | 'cancel';
export type RemoteTransport = 'http' | 'sse' | 'ws';

export type TargetSpec =
  | { kind: 'server'; name: string }
  | { kind: 'url'; url: string; transport: RemoteTransport | undefined; headers: Record<string, string> }
  /** `given`: how the command line was given, for hints ("--stdio", or after "--"). */
  | { kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; given: '--stdio' | '--' };

export interface CliArgs {
  command: Command;
  /** The command's own positional argument: TOOL, URI or NAME. */
  subject: string | undefined;
  target: TargetSpec | undefined;
  /** Display name for --url / --stdio targets. */
  name: string | undefined;
  args: Record<string, unknown> | undefined;
  /** `--args @FILE` (a path) or `--args -` ('-': stdin), read by loadArgs() before the run. */
  argsFrom: string | undefined;
  /** `--root DIR` as given (resolved against the current directory later); undefined: the current directory. */
  roots: string[] | undefined;
  /** `--no-roots`: the roots capability is not declared at all. */
  noRoots: boolean;
  timeoutMs: number;
  json: boolean;
  progress: boolean;
  verbose: boolean;
  elicit: ElicitMode | undefined;
  samplingCommand: string[] | undefined;
  save: string | undefined;
  /** `--force`: --save may replace existing files. */
  force: boolean;
  /** `--trust-workspace`: start a workspace-defined server without asking. */
  trustWorkspace: boolean;
  /** --protocol-version: speak exactly this revision (no negotiation). */
  protocolVersion: string | undefined;
  /** The sign-in flags (authArgs.ts). */
  auth: AuthArgs;
}

export type Parsed =
  | { kind: 'help'; command: Command | undefined; asked: boolean }
  | { kind: 'version' }
  | { kind: 'run'; args: CliArgs };

export const DEFAULT_TIMEOUT_MS = 60_000;

const OPTIONS = {
  server: { type: 'string', short: 's' },
  url: { type: 'string', short: 'u' },
  stdio: { type: 'string' },
  transport: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  env: { type: 'string', short: 'e', multiple: true },
  name: { type: 'string' },
  args: { type: 'string', short: 'a' },
  timeout: { type: 'string', short: 't' },
  json: { type: 'boolean' },
  progress: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  elicit: { type: 'string' },
  'sampling-command': { type: 'string' },
  save: { type: 'string' },
  force: { type: 'boolean' },
  root: { type: 'string', multiple: true },
  'no-roots': { type: 'boolean' },
  'trust-workspace': { type: 'boolean' },
  'protocol-version': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  ...AUTH_OPTIONS,
} as const;

/** Which options each command accepts besides the target and request options. */
const SUBJECT: Partial<Record<Command, string>> = { call: 'TOOL', describe: 'TOOL', read: 'URI', prompt: 'NAME', skill: 'NAME_OR_URI' };
const TAKES_ARGS: readonly Command[] = ['call', 'prompt'];
const TAKES_SAVE: readonly Command[] = ['call', 'read', 'prompt', 'skill'];

export function parseCommandLine(argv: readonly string[], env: Record<string, string | undefined> = {}): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values: v, tokens } = parsed;
  // Words after "--" are a stdio command line, not positionals of ours.
  const terminator = tokens.findIndex(t => t.kind === 'option-terminator');
  const afterDashDash = terminator < 0 ? [] : tokens.slice(terminator + 1).filter(t => t.kind === 'positional').map(t => (t as { value: string }).value);
  const positionals = parsed.positionals.slice(0, parsed.positionals.length - afterDashDash.length);

  if (v.version) return { kind: 'version' };
  const commandWord = positionals[0];
  if (commandWord === 'help') {
    const about = positionals[1];
    if (about !== undefined && !isCommand(about)) throw new UsageError(`unknown command "${about}"`);
    return { kind: 'help', command: about as Command | undefined, asked: true };
  }
  if (commandWord === undefined) {
    if (v.help || argv.length === 0) return { kind: 'help', command: undefined, asked: argv.length > 0 };
    throw new UsageError('no command given');
  }
  if (!isCommand(commandWord)) throw new UsageError(`unknown command "${commandWord}"`, `Commands: ${COMMANDS.join(', ')}. Run "mcp-host --help" for usage.`);
  const command: Command = commandWord;
  if (v.help) return { kind: 'help', command, asked: true };
  const hint = `Run "mcp-host ${command} --help" for usage.`;
  const fail = (message: string): never => { throw new UsageError(message, hint); };

  const rest = positionals.slice(1);
  const subjectName = SUBJECT[command];
  let subject: string | undefined;
  if (subjectName) {
    // A TOOL, URI or NAME that starts with "-" follows "--" when an option names the
    // target (`call --server s -- -x`); otherwise "--" begins a stdio command line.
    if (rest.length === 0 && afterDashDash.length && (v.server !== undefined || v.url !== undefined || v.stdio !== undefined)) rest.push(afterDashDash.shift()!);
    if (rest.length === 0) fail(`${command} needs a ${subjectName}`);
    subject = rest.shift();
  }
  if (rest.length) fail(`unexpected argument${rest.length > 1 ? 's' : ''}: ${rest.map(r => JSON.stringify(r)).join(' ')}`);

  if (v.args !== undefined && !TAKES_ARGS.includes(command)) fail(`--args is only for call and prompt`);
  if (v.save !== undefined && !TAKES_SAVE.includes(command)) fail(`--save is only for call, read, prompt and skill`);
  if (v.force && v.save === undefined) fail('--force is only for --save (it lets --save replace existing files)');
  if (v.root !== undefined && v['no-roots']) fail('choose --root DIR or --no-roots, not both');
  if (command === 'servers' && (v.root !== undefined || v['no-roots'])) fail('servers starts no server; --root and --no-roots are for commands that do');
  if (v.root?.some(r => !r)) fail('--root needs a directory');

  let target: TargetSpec | undefined;
  const chosen = [v.server !== undefined && '--server', v.url !== undefined && '--url', v.stdio !== undefined && '--stdio', afterDashDash.length > 0 && '-- COMMAND'].filter(Boolean);
  if (chosen.length > 1) fail(`choose one target: ${chosen.join(' or ')}`);
  if (command === 'servers') {
    if (chosen.length) fail('servers lists the configuration; it takes no target');
  } else if (chosen.length === 0) {
    fail(`${command} needs a target: --server NAME, --url URL or --stdio "COMMAND ARGS…"`);
  }
  if (v.server !== undefined) {
    if (!v.server) fail('--server needs a name');
    target = { kind: 'server', name: v.server };
  } else if (v.url !== undefined) {
    target = { kind: 'url', url: checkUrl(v.url, fail), transport: transportOf(v.transport, v.url, fail), headers: headersOf(v.header ?? [], fail) };
  } else if (v.stdio !== undefined || afterDashDash.length) {
    const words = v.stdio !== undefined ? splitCommandLine(v.stdio) : afterDashDash;
    if (!words.length || !words[0]) fail('--stdio needs a command line, e.g. --stdio "npx -y @modelcontextprotocol/server-everything"');
    target = { kind: 'stdio', command: words[0]!, args: words.slice(1), env: envOf(v.env ?? [], fail), given: v.stdio !== undefined ? '--stdio' : '--' };
  }
  if (v.transport !== undefined && target?.kind !== 'url') fail('--transport is only for --url');
  if (v.header !== undefined && target?.kind !== 'url') fail('--header is only for --url');
  if (v.env !== undefined && target?.kind !== 'stdio') fail('--env is only for --stdio (configured servers take "env" from their definition)');
  if (v.name !== undefined && target?.kind === 'server') fail('--name is only for --url and --stdio');
  if (v['trust-workspace'] && target?.kind !== 'server') fail('--trust-workspace is only for --server (servers given with --stdio or --url are started as given)');

  const auth = authArgsOf(v, env, fail);
  if (auth.given && (command === 'servers' || target?.kind === 'stdio')) fail('the sign-in options (--client-id, --grant, --store…) are for servers reached over HTTP: --url or --server');
  if ((command === 'login' || command === 'logout') && target?.kind === 'stdio') fail(`${command} is for servers reached over HTTP: --url or --server`);
  if ((command === 'login' || command === 'logout') && auth.store === false) fail(`${command} keeps or forgets the sign-in in the credentials file: --no-store does not fit`);
  if (auth.clientSecretFrom === '-' && v.args === '-') fail('only one of --args and --client-secret can be read from stdin (-)');

  let args: Record<string, unknown> | undefined;
  let argsFrom: string | undefined;
  if (v.args === '-' || v.args?.startsWith('@')) {
    argsFrom = v.args === '-' ? '-' : v.args.slice(1);
    if (!argsFrom) fail('--args @FILE needs a file name, e.g. --args @args.json');
  } else if (v.args !== undefined) {
    args = parseArgsJson(v.args, '--args', fail);
  }

  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (v.timeout !== undefined) {
    timeoutMs = Number(v.timeout);
    if (!/^\d+$/.test(v.timeout.trim()) || !Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) fail(`--timeout must be a positive number of milliseconds, not "${v.timeout}"`);
  }

  let elicit: ElicitMode | undefined;
  if (v.elicit !== undefined) {
    if (v.elicit !== 'accept-defaults' && v.elicit !== 'decline' && v.elicit !== 'cancel') fail(`--elicit must be accept-defaults, decline or cancel, not "${v.elicit}"`);
    elicit = v.elicit as ElicitMode;
  }

  const samplingLine = v['sampling-command'] ?? (env.MCP_HOST_SAMPLING_COMMAND || undefined);
  const samplingCommand = samplingLine !== undefined ? splitCommandLine(samplingLine) : undefined;
  if (samplingCommand && !samplingCommand.length) fail('--sampling-command needs a command line');

  return {
    kind: 'run',
    args: {
      command, subject, target, name: v.name, args, argsFrom, roots: v.root, noRoots: v['no-roots'] ?? false, timeoutMs,
      json: v.json ?? false, progress: v.progress ?? false, verbose: v.verbose ?? false,
      elicit, samplingCommand, save: v.save, force: v.force ?? false, trustWorkspace: v['trust-workspace'] ?? false,
      protocolVersion: protocolVersionOf(v['protocol-version'], fail),
      auth,
    },
  };
}

/** `--args` text: a JSON object, or a usage error saying what is wrong with it. */
export function parseArgsJson(text: string, what: string, fail: (m: string) => never): Record<string, unknown> {
  let value: unknown;
  try { value = JSON.parse(text); } catch (err) { fail(`${what} is not valid JSON: ${(err as Error).message}`); }
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`${what} must be a JSON object, e.g. --args '{"message":"hi"}'`);
  return value as Record<string, unknown>;
}

/** Reads `--args @FILE` (relative to `cwd`) or `--args -` (all of stdin) and checks it is a JSON object. */
export async function readArgsFrom(from: string, command: Command, cwd: string, stdin: Readable): Promise<Record<string, unknown>> {
  const fail = (message: string): never => { throw new UsageError(message, `Run "mcp-host ${command} --help" for usage.`); };
  if (from === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer);
    return parseArgsJson(Buffer.concat(chunks).toString('utf8'), 'the JSON read from stdin (--args -)', fail);
  }
  const file = path.resolve(cwd, from);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(`--args @${from}: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? (err as Error).message})`);
  }
  return parseArgsJson(text, `--args @${from} (${file})`, fail);
}

function isCommand(s: string): s is Command {
  return (COMMANDS as readonly string[]).includes(s);
}

function checkUrl(url: string, fail: (m: string) => never): string {
  // `localhost:3001` parses as a URL of scheme "localhost:"; say what was probably meant.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const guess = /^[\w.-]+(:\d+)?(\/|$)/.test(url) || /^\[[0-9a-f:.]+\](:\d+)?(\/|$)/i.test(url) ? `http://${url}` : undefined;
    fail(`--url needs a scheme (http://, https://, ws:// or wss://)${guess ? `: did you mean ${guess}?` : `, not "${url}"`}`);
  }
  let u: URL;
  try { u = new URL(url); } catch { return fail(`--url is not a valid URL: "${url}"`); }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) fail(`--url must be http(s):// or ws(s)://, not ${u.protocol}`);
  return url;
}

function transportOf(value: string | undefined, url: string, fail: (m: string) => never): RemoteTransport | undefined {
  const scheme = new URL(url).protocol;
  if (value === undefined) return scheme === 'ws:' || scheme === 'wss:' ? 'ws' : undefined;
  const t = value === 'streamable-http' || value === 'streamableHttp' ? 'http' : value;
  if (t !== 'http' && t !== 'sse' && t !== 'ws') return fail(`--transport must be http, sse or ws, not "${value}"`);
  if ((t === 'ws') !== (scheme === 'ws:' || scheme === 'wss:')) fail(`--transport ${t} does not fit a ${scheme}// URL`);
  return t;
}

function headersOf(list: readonly string[], fail: (m: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i <= 0) fail(`--header must look like "Name: value", not "${h}"`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

function envOf(list: readonly string[], fail: (m: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of list) {
    const i = e.indexOf('=');
    if (i <= 0) fail(`--env must look like NAME=VALUE, not "${e}"`);
    out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

function protocolVersionOf(value: string | undefined, fail: (m: string) => never): string | undefined {
  if (value === undefined) return undefined;
  const known = [...MODERN_PROTOCOL_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS];
  if (!known.includes(value)) fail(`--protocol-version must be one of ${known.join(', ')}, not "${value}"`);
  return value;
}
