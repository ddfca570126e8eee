// Add Server… and Open Configuration: edit `.vscode/mcp.json` (JSONC, comments and
// formatting kept) or the user setting when no folder is open.

import * as vscode from 'vscode';
import { addServerToConfigText, configServerNames } from '../host/config.ts';
import { workspaceConfigUri } from './configLoader.ts';
import { askText, pickOne } from './quickInput.ts';
import { serverFromArg } from './serverPicker.ts';
import type { HostServices } from './services.ts';
import { describeLaunch, errorCause } from './util.ts';

const EMPTY_CONFIG = '{\n\t"servers": {},\n\t"inputs": []\n}\n';

export interface NewServerSpec {
  name: string;
  type: 'stdio' | 'http' | 'sse';
  command?: string;
  args?: string[];
  url?: string;
}

/** Splits a command line like a POSIX shell would for quotes and backslashes (no expansion). */
export function splitCommandLine(line: string): string[] | undefined {
  const out: string[] = [];
  let cur = '', inWord = false, quote: '"' | '\'' | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length && /["\\$`]/.test(line[i + 1]!)) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === '\'') { quote = ch; inWord = true; }
    else if (ch === '\\' && i + 1 < line.length) { cur += line[++i]; inWord = true; }
    else if (/\s/.test(ch)) { if (inWord) { out.push(cur); cur = ''; inWord = false; } }
    else { cur += ch; inWord = true; }
  }
  if (quote) return undefined;
  if (inWord) out.push(cur);
  return out;
}

/** Path segments that say nothing about which server it is. */
const GENERIC = /^(index|main|cli|server|dist|build|lib|src|bin|out|node_modules)$/i;

function suggestName(spec: { command?: string; args?: string[]; url?: string }): string {
  if (spec.url) {
    try {
      const u = new URL(spec.url);
      return u.port ? `${u.hostname}-${u.port}` : u.hostname;
    } catch { return 'server'; }
  }
  const words = [spec.command ?? '', ...(spec.args ?? [])].filter(w => w && !w.startsWith('-'));
  // The package or script is the most telling word: `npx -y @scope/server-x` → server-x,
  // `node …/server-memory/dist/index.js` → server-memory.
  const telling = [...words].reverse().find(w => /^@?[\w.-]+\/[\w.-]+(@[\w.^~-]+)?$|\.(c?js|mjs|py|ts)$|server/i.test(w)) ?? words[0] ?? 'server';
  const segments = telling.replace(/@[\w.^~-]+$/, '').replace(/\.(c?js|mjs|py|ts)$/, '').split(/[\\/]/).filter(Boolean);
  while (segments.length > 1 && GENERIC.test(segments[segments.length - 1]!)) segments.pop();
  return segments.pop() || 'server';
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** Existing server names of the target, to refuse a duplicate. */
async function existingNames(folder: vscode.WorkspaceFolder | undefined): Promise<Set<string>> {
  if (!folder) {
    const servers = vscode.workspace.getConfiguration('mcpHost').inspect<Record<string, unknown>>('servers')?.globalValue;
    return new Set(Object.keys(servers ?? {}));
  }
  const text = await readText(workspaceConfigUri(folder));
  if (!text) return new Set();
  return new Set(configServerNames(text));
}

async function askSpec(names: Set<string>): Promise<NewServerSpec | undefined> {
  const type = await pickOne<NewServerSpec['type']>({
    title: 'MCP Host: Add Server (1/3) — type',
    placeholder: 'How does VS Code reach the server?',
    items: [
      { label: '$(terminal) Command (stdio)', description: 'Run a local process that speaks MCP on stdin/stdout', value: 'stdio' },
      { label: '$(globe) HTTP', description: 'A remote server (Streamable HTTP)', value: 'http' },
      { label: '$(radio-tower) Server-Sent Events', description: 'A remote server on the legacy HTTP+SSE transport', value: 'sse' },
    ],
  });
  if (!type) return undefined;
  const spec: NewServerSpec = { name: '', type: type.value };
  if (spec.type === 'stdio') {
    const line = await askText({
      title: 'MCP Host: Add Server (2/3) — command',
      prompt: 'The command line that starts the server',
      placeholder: 'npx -y @modelcontextprotocol/server-everything',
      validate: v => !v.trim() ? 'Enter a command.' : splitCommandLine(v) ? undefined : 'A quote is not closed.',
    });
    if (line === undefined) return undefined;
    const [command, ...args] = splitCommandLine(line)!;
    spec.command = command;
    spec.args = args;
  } else {
    const url = await askText({
      title: 'MCP Host: Add Server (2/3) — URL',
      prompt: `The server's URL`,
      placeholder: spec.type === 'http' ? 'https://example.com/mcp' : 'https://example.com/sse',
      validate: v => { try { return /^https?:$/.test(new URL(v.trim()).protocol) ? undefined : 'Enter an http:// or https:// URL.'; } catch { return 'Enter an http:// or https:// URL.'; } },
    });
    if (url === undefined) return undefined;
    spec.url = url.trim();
  }
  let suggestion = suggestName(spec);
  for (let i = 2; names.has(suggestion); i++) suggestion = `${suggestName(spec)}-${i}`;
  const name = await askText({
    title: 'MCP Host: Add Server (3/3) — name',
    prompt: 'A name for the server, shown in the Servers view',
    value: suggestion,
    validate: v => !v.trim() ? 'Enter a name.' : names.has(v.trim()) ? `A server named "${v.trim()}" exists already.` : undefined,
  });
  if (name === undefined) return undefined;
  spec.name = name.trim();
  return spec;
}

function entryFor(spec: NewServerSpec): Record<string, unknown> {
  return spec.type === 'stdio' ? { type: 'stdio', command: spec.command, args: spec.args ?? [] } : { type: spec.type, url: spec.url };
}

async function writeWorkspaceEntry(folder: vscode.WorkspaceFolder, spec: NewServerSpec): Promise<vscode.Uri> {
  const uri = workspaceConfigUri(folder);
  const open = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString());
  const text = open ? open.getText() : (await readText(uri)) ?? '';
  const updated = addServerToConfigText(text.trim() ? text : EMPTY_CONFIG, spec.name, entryFor(spec));
  if (open) {
    // Edit the open document so unsaved changes there are neither lost nor overwritten.
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(open.positionAt(0), open.positionAt(text.length)), updated);
    if (!(await vscode.workspace.applyEdit(edit)) || !(await open.save())) throw new Error(`could not save ${uri.fsPath}`);
  } else {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder.uri, '.vscode'));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(updated));
  }
  return uri;
}

/** A spec handed to the command by code: checked like any input from outside. */
function checkSpec(v: unknown): NewServerSpec | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string' || !o.name.trim()) return undefined;
  const type = o.type ?? (typeof o.command === 'string' ? 'stdio' : 'http');
  if (type === 'stdio') {
    if (typeof o.command !== 'string' || !o.command.trim()) return undefined;
    if (o.args !== undefined && (!Array.isArray(o.args) || o.args.some(a => typeof a !== 'string'))) return undefined;
    return { name: o.name.trim(), type, command: o.command, args: (o.args as string[] | undefined) ?? [] };
  }
  if (type !== 'http' && type !== 'sse') return undefined;
  if (typeof o.url !== 'string') return undefined;
  try { if (!/^https?:$/.test(new URL(o.url).protocol)) return undefined; } catch { return undefined; }
  return { name: o.name.trim(), type, url: o.url };
}

async function confirmGiven(spec: NewServerSpec): Promise<boolean> {
  const what = spec.type === 'stdio' ? describeLaunch({ type: 'stdio', command: spec.command!, args: spec.args ?? [], env: {} }) : `${spec.type.toUpperCase()} ${spec.url}`;
  const choice = await vscode.window.showWarningMessage(
    `Add MCP server "${spec.name}" to your user settings and start it?`,
    { modal: true, detail: `It will run:\n${what}` },
    'Add', 'Cancel',
  );
  return choice === 'Add';
}

export async function addServerCommand(services: HostServices, specArg?: unknown): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const names = await existingNames(folder);
  let given: NewServerSpec | undefined;
  if (specArg !== undefined) {
    given = checkSpec(specArg);
    if (!given) {
      void vscode.window.showErrorMessage('MCP Host: Add Server was given an invalid server (expected {name, type: "stdio", command, args} or {name, type: "http" | "sse", url}).');
      return undefined;
    }
    if (names.has(given.name)) {
      void vscode.window.showErrorMessage(`MCP Host: a server named "${given.name}" exists already.`);
      return undefined;
    }
    // Nothing gates a user-level server's start; a definition that nobody typed here is
    // confirmed before it is written. (A workspace one is asked about when it starts.)
    if (!folder && !(await confirmGiven(given))) return undefined;
  }
  const spec = given ?? await askSpec(names);
  if (!spec) return undefined;
  try {
    if (folder) {
      await writeWorkspaceEntry(folder, spec);
      // The user just typed this command line: asking them to allow it would be noise. A
      // spec handed to the command (another extension, a `command:` link, a task input)
      // was typed by nobody here: its start asks like any other.
      if (!given) services.consent.preApprove(folder.uri.fsPath, spec.name);
    } else {
      const config = vscode.workspace.getConfiguration('mcpHost');
      const current = config.inspect<Record<string, unknown>>('servers')?.globalValue ?? {};
      await config.update('servers', { ...current, [spec.name]: entryFor(spec) }, vscode.ConfigurationTarget.Global);
    }
  } catch (err) {
    void vscode.window.showErrorMessage(`MCP Host: adding server "${spec.name}" failed: ${errorCause(err)}`);
    return undefined;
  }
  await services.loader.reload();
  const server = services.manager.servers.find(s => s.definition.name === spec.name && s.definition.source.folder === (folder ? folder.uri.fsPath : undefined));
  if (server && server.state.kind === 'stopped' && !server.state.reason) void server.start().catch(() => { /* its state and output tell */ });
  const where = folder ? `${vscode.workspace.asRelativePath(workspaceConfigUri(folder))}` : 'user settings (mcpHost.servers)';
  void vscode.window.showInformationMessage(`MCP Host: added server "${spec.name}" to ${where}.`);
  return spec.name;
}

export async function openConfigurationCommand(services: HostServices, arg?: unknown): Promise<void> {
  const server = arg !== undefined ? serverFromArg(services.manager, arg) : undefined;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (server?.definition.scope === 'user' || (!server && !folders.length)) {
    await vscode.commands.executeCommand('workbench.action.openSettingsJson');
    return;
  }
  let folder: vscode.WorkspaceFolder | undefined;
  if (server) folder = folders.find(f => f.uri.fsPath === server.definition.source.folder);
  else if (folders.length === 1) folder = folders[0];
  else folder = (await pickOne({ title: 'MCP Host: Open Configuration — pick a folder', ignoreFocusOut: false, items: folders.map(f => ({ label: f.name, description: f.uri.fsPath, value: f })) }))?.value;
  if (!folder) return;
  const uri = workspaceConfigUri(folder);
  if ((await readText(uri)) === undefined) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder.uri, '.vscode'));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(EMPTY_CONFIG));
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const offset = server?.definition.source.offset;
  const at = offset !== undefined ? doc.positionAt(offset) : undefined;
  await vscode.window.showTextDocument(doc, at ? { selection: new vscode.Range(at, at) } : {});
}
