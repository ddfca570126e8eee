// Reads MCP server definitions: `.vscode/mcp.json` (VS Code's format, JSONC) and the
// `mcpHost.servers` setting of the same shape. Claude Desktop's `mcpServers` key is
// accepted too. A bad entry becomes a problem at its place in the file; the others load.

import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, getNodeValue, modify, parse as parseJsonc, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { MODERN_PROTOCOL_VERSIONS, SUPPORTED_PROTOCOL_VERSIONS } from '../protocol/types.ts';
import { isSecretEnvName, redactUrl } from './redaction.ts';
import type { ServerDefinition, ServerLaunch, ServerScope } from './types.ts';

export interface ConfigInput {
  id: string;
  type: 'promptString' | 'pickString';
  description?: string;
  password?: boolean;
  default?: string;
  options?: string[];
}
export interface ConfigProblem {
  message: string;
  /** Character offset and length in the file's text. */
  offset: number;
  length: number;
  severity: 'error' | 'warning';
  server?: string;
}
export interface RawServerEntry {
  name: string;
  /** The entry as written (variables unresolved). */
  value: Record<string, unknown>;
  offset: number;
  length: number;
}
export interface ParsedConfig {
  servers: RawServerEntry[];
  inputs: ConfigInput[];
  problems: ConfigProblem[];
}

/** Parses `.vscode/mcp.json` text (JSONC). Never throws: problems carry offsets. */
export function parseMcpConfig(text: string): ParsedConfig {
  // A new, empty file is not an error: it simply defines nothing yet.
  if (text.trim() === '') return { servers: [], inputs: [], problems: [] };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const problems: ConfigProblem[] = errors.map(e => ({
    message: `Invalid JSON: ${printParseErrorCode(e.error)}`, offset: e.offset, length: Math.max(1, e.length), severity: 'error',
  }));
  const out: ParsedConfig = { servers: [], inputs: [], problems };
  if (!root) {
    if (text.trim() !== '') problems.push({ message: 'mcp.json must contain a JSON object', offset: 0, length: 1, severity: 'error' });
    return out;
  }
  if (root.type !== 'object') {
    problems.push({ message: 'mcp.json must contain a JSON object with "servers"', offset: root.offset, length: root.length, severity: 'error' });
    return out;
  }
  const serversNode = property(root, 'servers') ?? property(root, 'mcpServers');
  if (serversNode) {
    if (serversNode.type !== 'object') {
      problems.push({ message: '"servers" must be an object that maps names to server definitions', offset: serversNode.offset, length: serversNode.length, severity: 'error' });
    } else {
      for (const prop of serversNode.children ?? []) {
        const [key, valueNode] = prop.children ?? [];
        if (!key || !valueNode) continue;
        const name = String(key.value);
        if (valueNode.type !== 'object') {
          problems.push({ message: `Server "${name}" must be an object`, offset: valueNode.offset, length: valueNode.length, severity: 'error', server: name });
          continue;
        }
        out.servers.push({ name, value: getNodeValue(valueNode), offset: key.offset, length: prop.length });
      }
    }
  }
  const inputsNode = property(root, 'inputs');
  if (inputsNode) out.inputs = parseInputs(getNodeValue(inputsNode), problems, inputsNode);
  return out;
}

/** Parses the `mcpHost.servers` / `mcpHost.inputs` setting values. */
export function parseSettingsConfig(servers: unknown, inputs: unknown): ParsedConfig {
  const out: ParsedConfig = { servers: [], inputs: [], problems: [] };
  if (servers && typeof servers === 'object' && !Array.isArray(servers)) {
    for (const [name, value] of Object.entries(servers)) {
      if (value && typeof value === 'object' && !Array.isArray(value)) out.servers.push({ name, value: value as Record<string, unknown>, offset: 0, length: 0 });
      else out.problems.push({ message: `mcpHost.servers: server "${name}" must be an object`, offset: 0, length: 0, severity: 'error', server: name });
    }
  } else if (servers !== undefined && servers !== null) {
    out.problems.push({ message: 'mcpHost.servers must be an object', offset: 0, length: 0, severity: 'error' });
  }
  out.inputs = parseInputs(inputs, out.problems, undefined);
  return out;
}

function parseInputs(value: unknown, problems: ConfigProblem[], node: Node | undefined): ConfigInput[] {
  if (value === undefined || value === null) return [];
  const at = { offset: node?.offset ?? 0, length: node?.length ?? 0 };
  if (!Array.isArray(value)) {
    problems.push({ message: '"inputs" must be an array', ...at, severity: 'error' });
    return [];
  }
  const out: ConfigInput[] = [];
  value.forEach((v, i) => {
    const child = node?.children?.[i];
    const where = { offset: child?.offset ?? at.offset, length: child?.length ?? at.length };
    if (!v || typeof v !== 'object' || typeof v.id !== 'string') {
      problems.push({ message: `inputs[${i}] needs a string "id"`, ...where, severity: 'error' });
      return;
    }
    const type = v.type === 'pickString' ? 'pickString' : 'promptString';
    if (v.type !== undefined && v.type !== 'promptString' && v.type !== 'pickString') {
      problems.push({ message: `inputs[${i}]: type "${v.type}" is not supported (promptString, pickString)`, ...where, severity: 'warning' });
    }
    out.push({
      id: v.id, type,
      description: typeof v.description === 'string' ? v.description : undefined,
      password: v.password === true,
      default: typeof v.default === 'string' ? v.default : undefined,
      options: Array.isArray(v.options) ? v.options.map((o: unknown) => typeof o === 'string' ? o : String((o as { value?: unknown })?.value ?? o)) : undefined,
    });
  });
  return out;
}

function property(obj: Node, name: string): Node | undefined {
  for (const p of obj.children ?? []) {
    if (p.children?.[0]?.value === name) return p.children[1];
  }
  return undefined;
}

export interface VariableContext {
  /** Absolute path of the folder that defines the servers (workspace scope). */
  workspaceFolder?: string;
  env: Record<string, string | undefined>;
  /** Asks for `${input:ID}` (once per id; the embedding caches and keeps secrets). */
  resolveInput(id: string, input: ConfigInput | undefined): Promise<string>;
  /**
   * Told of every value that is a secret: a `password` input's, a `${env:NAME}` whose name
   * looks like a credential's. The embedding's redactor masks them from then on.
   */
  onSecret?(value: string): void;
}

export interface ResolvedConfig {
  definitions: ServerDefinition[];
  problems: ConfigProblem[];
}

const VARIABLE = /\$\{([^}]+)\}/g;

/** Resolves variables and validates each entry; a bad entry becomes a problem, the rest still load. */
export async function resolveServers(parsed: ParsedConfig, scope: ServerScope, source: { file: string; folder?: string }, ctx: VariableContext): Promise<ResolvedConfig> {
  const definitions: ServerDefinition[] = [];
  const problems: ConfigProblem[] = [];
  const inputs = new Map(parsed.inputs.map(i => [i.id, i]));
  for (const entry of parsed.servers) {
    const at = { offset: entry.offset, length: entry.length, server: entry.name };
    const problem = (message: string, severity: 'error' | 'warning' = 'error') => problems.push({ message: `Server "${entry.name}": ${message}`, severity, ...at });
    try {
      const resolveString = async (s: string): Promise<string> => {
        let out = '';
        let last = 0;
        for (const m of s.matchAll(VARIABLE)) {
          out += s.slice(last, m.index);
          last = m.index! + m[0].length;
          out += await resolveVariable(m[1]!, ctx, inputs, problem) ?? m[0];
        }
        return out + s.slice(last);
      };
      // Relative paths and the default working directory: the defining folder for a
      // workspace server; the home directory for a user server, so that a user-level
      // definition never runs in (or reads from) a repository unless it says so with
      // `${workspaceFolder}` — which the start gate then treats as using the workspace.
      const base = scope === 'workspace' ? ctx.workspaceFolder : os.homedir();
      const launch = await buildLaunch(entry.value, resolveString, problem, base);
      if (!launch) continue;
      const fingerprint = createHash('sha256').update(JSON.stringify({ scope, folder: source.folder, name: entry.name, value: entry.value })).digest('hex').slice(0, 32);
      const pv = entry.value.protocolVersion;
      let protocolVersion: string | undefined;
      if (pv !== undefined) {
        if (typeof pv === 'string' && [...MODERN_PROTOCOL_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS].includes(pv)) protocolVersion = pv;
        else problem(`"protocolVersion" must be one of ${[...MODERN_PROTOCOL_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS].join(', ')}; it is ignored`, 'warning');
      }
      definitions.push({
        id: `${scope}:${source.folder ?? ''}:${entry.name}`,
        name: entry.name,
        scope,
        source: { file: source.file, folder: source.folder, offset: entry.offset },
        launch,
        fingerprint,
        ...(protocolVersion ? { protocolVersion } : {}),
      });
    } catch (err) {
      problem(`could not resolve: ${(err as Error).message}`);
    }
  }
  return { definitions, problems };
}

async function resolveVariable(name: string, ctx: VariableContext, inputs: Map<string, ConfigInput>, problem: (m: string, s?: 'error' | 'warning') => void): Promise<string | undefined> {
  const [kind, arg] = name.includes(':') ? [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)] : [name, ''];
  switch (kind) {
    case 'workspaceFolder':
      if (!ctx.workspaceFolder) { problem('${workspaceFolder} is used outside a workspace folder'); return undefined; }
      return ctx.workspaceFolder;
    case 'workspaceFolderBasename': return ctx.workspaceFolder ? path.basename(ctx.workspaceFolder) : undefined;
    case 'userHome': return os.homedir();
    case 'pathSeparator': case '/': return path.sep;
    case 'env': {
      const value = ctx.env[arg] ?? '';
      if (value && isSecretEnvName(arg)) ctx.onSecret?.(value);
      return value;
    }
    case 'input': {
      const input = inputs.get(arg);
      const value = await ctx.resolveInput(arg, input);
      if (input?.password) ctx.onSecret?.(value);
      return value;
    }
    default:
      problem(`unknown variable \${${name}}`, 'warning');
      return undefined;
  }
}

async function buildLaunch(
  v: Record<string, unknown>, resolve: (s: string) => Promise<string>, problem: (m: string) => void, folder: string | undefined,
): Promise<ServerLaunch | undefined> {
  const type = typeof v.type === 'string' ? v.type : typeof v.command === 'string' ? 'stdio' : typeof v.url === 'string' ? 'http' : undefined;
  const strings = async (o: unknown, what: string): Promise<Record<string, string> | undefined> => {
    if (o === undefined || o === null) return {};
    if (typeof o !== 'object' || Array.isArray(o)) { problem(`"${what}" must be an object of strings`); return undefined; }
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(o)) {
      if (typeof val === 'string') out[k] = await resolve(val);
      else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
      else if (val !== null) { problem(`"${what}.${k}" must be a string`); return undefined; }
    }
    return out;
  };
  if (type === 'stdio') {
    if (typeof v.command !== 'string' || !v.command.trim()) { problem('"command" is required for a stdio server'); return undefined; }
    if (v.args !== undefined && (!Array.isArray(v.args) || v.args.some(a => typeof a !== 'string' && typeof a !== 'number'))) { problem('"args" must be an array of strings'); return undefined; }
    const env: Record<string, string | null> = {};
    if (v.env !== undefined && v.env !== null) {
      if (typeof v.env !== 'object' || Array.isArray(v.env)) { problem('"env" must be an object'); return undefined; }
      for (const [k, val] of Object.entries(v.env)) env[k] = val === null ? null : await resolve(String(val));
    }
    const command = await resolve(v.command);
    const args = await Promise.all(((v.args as unknown[]) ?? []).map(a => resolve(String(a))));
    let cwd = typeof v.cwd === 'string' ? await resolve(v.cwd) : folder;
    if (cwd && folder && !path.isAbsolute(cwd)) cwd = path.resolve(folder, cwd);
    let envFile = typeof v.envFile === 'string' ? await resolve(v.envFile) : undefined;
    if (envFile && !path.isAbsolute(envFile)) envFile = path.resolve(folder ?? cwd ?? process.cwd(), envFile);
    return { type: 'stdio', command, args, env, ...(envFile ? { envFile } : {}), ...(cwd ? { cwd } : {}) };
  }
  if (type === 'http' || type === 'sse' || type === 'ws') {
    if (typeof v.url !== 'string') { problem(`"url" is required for a ${type} server`); return undefined; }
    const url = await resolve(v.url);
    try { new URL(url); } catch { problem(`"url" is not a valid URL: ${url}`); return undefined; }
    const headers = await strings(v.headers, 'headers');
    if (!headers) return undefined;
    return { type, url, headers };
  }
  problem(type ? `unknown type "${type}" (stdio, http, sse, ws)` : 'needs "command" (stdio) or "url" (http)');
  return undefined;
}

/** 0-based line and character of an offset, for diagnostics. */
export function offsetToPosition(text: string, offset: number): { line: number; character: number } {
  let line = 0, last = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; last = i + 1; }
  return { line, character: offset - last };
}

/** The launch as a user reads it: the exact command line, or the URL. */
export function describeLaunch(launch: ServerLaunch): string {
  if (launch.type !== 'stdio') return `${launch.type.toUpperCase()} ${redactUrl(launch.url)}`;
  const quote = (a: string) => /[\s"'$`\\]/.test(a) || a === '' ? JSON.stringify(a) : a;
  const parts = [launch.command, ...launch.args].map(quote).join(' ');
  return launch.cwd ? `${parts}  (in ${launch.cwd})` : parts;
}

/**
 * The key a file keeps its servers under: VS Code's `servers`, or Claude Desktop's
 * `mcpServers` when the file uses that shape (the loader reads both; `servers` wins).
 */
export function serversKey(text: string): 'servers' | 'mcpServers' {
  const parsed = parseJsonc(text) as Record<string, unknown> | undefined;
  if (parsed && typeof parsed === 'object' && !('servers' in parsed) && parsed.mcpServers && typeof parsed.mcpServers === 'object') return 'mcpServers';
  return 'servers';
}

/** The names of the servers a config file defines (under whichever key it uses). */
export function configServerNames(text: string): string[] {
  const parsed = parseJsonc(text) as Record<string, unknown> | undefined;
  const servers = parsed?.[serversKey(text)];
  return servers && typeof servers === 'object' && !Array.isArray(servers) ? Object.keys(servers) : [];
}

/**
 * `text` with a server added under the key the file already uses, keeping its comments,
 * its formatting and every server already there.
 */
export function addServerToConfigText(text: string, name: string, entry: Record<string, unknown>): string {
  const edits = modify(text, [serversKey(text), name], entry, { formattingOptions: formattingFor(text) });
  return applyEdits(text, edits);
}

function formattingFor(text: string): { insertSpaces: boolean; tabSize: number; eol: string } {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (!indent || indent.startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: indent.length, eol };
}
