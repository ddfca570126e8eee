// Human output: lists as aligned text, results as their content (text printed as is,
// binaries summarised or saved with --save). Scripts use --json and get the MCP result.

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type {
  CallToolResult, ContentBlock, GetPromptResult, JsonSchema, Prompt, ReadResourceResult, Resource, ResourceContents,
  ResourceTemplate, Tool,
} from '../core.ts';
import type { ServerListing } from './config.ts';

/**
 * Text from a server, for a terminal: control characters (escape sequences that could
 * recolour, move the cursor or rewrite a line a user is asked to trust) are shown as
 * \xNN instead of obeyed. Newlines and tabs stay.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function formatServers(servers: readonly ServerListing[]): string {
  if (!servers.length) return '';
  const rows = [['NAME', 'SCOPE', 'TYPE', 'COMMAND / URL'], ...servers.map(s => [s.name, s.shadowed ? `${s.scope} (shadowed)` : s.scope, s.type, s.launch])];
  return table(rows);
}

/** Tools that run only as a task (MCP tasks): `call` waits for the task, with its status on stderr. */
export function requiresTasks(t: Tool): boolean {
  return t.execution?.taskSupport === 'required';
}

export function formatTools(tools: readonly Tool[]): string {
  return tools.map(t => {
    const head = `${t.name}${t.title && t.title !== t.name ? ` (${t.title})` : ''}${requiresTasks(t) ? ' [runs as a task]' : ''}${firstLine(t.description)}`;
    const props = Object.entries(t.inputSchema.properties ?? {});
    const required = new Set(t.inputSchema.required ?? []);
    const args = props.map(([name, s]) => `    ${name}${required.has(name) ? '' : '?'}: ${typeOf(s)}${s.default !== undefined ? ` = ${JSON.stringify(s.default)}` : ''}${firstLine(s.description as string | undefined)}`);
    return [head, ...args].join('\n');
  }).join('\n') + (tools.length ? '\n' : '');
}

/** `describe TOOL`: everything the server says about one tool. */
export function formatToolDetail(t: Tool): string {
  const lines = [`${t.name}${t.title && t.title !== t.name ? ` (${t.title})` : ''}`];
  if (t.description) lines.push('', t.description.trimEnd());
  lines.push('', 'Input schema:', indent(JSON.stringify(t.inputSchema, null, 2)));
  lines.push('', t.outputSchema ? 'Output schema:' : 'Output schema: none (results are content blocks only)');
  if (t.outputSchema) lines.push(indent(JSON.stringify(t.outputSchema, null, 2)));
  const a = t.annotations ?? {};
  const hints = Object.entries(a).filter(([k]) => k !== 'title').map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  if (hints.length) lines.push('', `Annotations: ${hints.join(', ')}`);
  const support = t.execution?.taskSupport;
  if (support) lines.push('', `Tasks: ${support}${support === 'required' ? ' — the tool runs only as a task: mcp-host call waits for it, and Ctrl-C cancels it' : ''}`);
  return `${lines.join('\n')}\n`;
}

function indent(text: string): string {
  return text.split('\n').map(l => `  ${l}`).join('\n');
}

export function formatResources(resources: readonly Resource[]): string {
  return table(resources.map(r => [r.uri, r.title ?? r.name, r.mimeType ?? '', oneLine(r.description)]));
}

export function formatTemplates(templates: readonly ResourceTemplate[]): string {
  return table(templates.map(t => [t.uriTemplate, t.title ?? t.name, t.mimeType ?? '', oneLine(t.description)]));
}

export function formatPrompts(prompts: readonly Prompt[]): string {
  return prompts.map(p => {
    const head = `${p.name}${p.title && p.title !== p.name ? ` (${p.title})` : ''}${firstLine(p.description)}`;
    const args = (p.arguments ?? []).map(a => `    ${a.name}${a.required ? '' : '?'}${firstLine(a.description)}`);
    return [head, ...args].join('\n');
  }).join('\n') + (prompts.length ? '\n' : '');
}

/**
 * Writes content under --save DIR with the server's own file name (a resource URI's
 * last segment, a resource link's name; the tool or prompt name for images and audio),
 * never replacing an existing file unless --force: a refused file is listed in `refused`.
 */
export class BinarySaver {
  private readonly dir: string | undefined;
  private readonly force: boolean;
  private readonly used = new Set<string>();
  /** Files that exist and were left alone (no --force). */
  readonly refused: string[] = [];
  constructor(dir: string | undefined, force = false) { this.dir = dir; this.force = force; }
  get enabled(): boolean { return this.dir !== undefined; }
  get directory(): string | undefined { return this.dir; }
  /** Saves `data`; returns the marker for the summary line (" → file", or why it was not saved), '' when not saving. */
  save(base: string, mimeType: string | undefined, data: Buffer): string {
    if (!this.dir) return '';
    mkdirSync(this.dir, { recursive: true });
    // The name comes from the server: no directories, no hidden or reserved names.
    const last = base.split(/[\\/]/).filter(p => p && p !== '.' && p !== '..').pop() ?? '';
    const safe = last.replace(/[^\w.-]+/g, '_').replace(/^[.-]+/, '') || 'content';
    const ext = path.extname(safe) ? '' : `.${extensionOf(mimeType)}`;
    let name = `${safe}${ext}`;
    for (let i = 2; this.used.has(name); i++) name = `${safe}-${i}${ext}`;
    this.used.add(name);
    const file = path.join(this.dir, name);
    try {
      writeFileSync(file, data, { flag: this.force ? 'w' : 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      this.refused.push(file);
      return `; not saved: ${file} exists (--force replaces it)`;
    }
    return ` → ${file}`;
  }
}

/** Resources that resource links point to, read beforehand when --save asks for files. */
export type LinkedContents = ReadonlyMap<string, ReadResourceResult | Error>;

export function formatContent(blocks: readonly ContentBlock[], saver: BinarySaver, base: string, linked?: LinkedContents): string {
  const parts: string[] = [];
  blocks.forEach((b, i) => {
    const name = blocks.length > 1 ? `${base}-${i + 1}` : base;
    switch (b.type) {
      case 'text': parts.push(b.text); break;
      case 'image': case 'audio': parts.push(binary(b.type, b.mimeType, b.data, saver, name)); break;
      case 'resource_link': {
        let line = `[resource link] ${b.uri}${b.title ?? b.name ? `  ${b.title ?? b.name}` : ''}${b.mimeType ? ` (${b.mimeType})` : ''}${firstLine(b.description)}`;
        const read = linked?.get(b.uri);
        if (read instanceof Error) line += `\n  (not saved: ${read.message})`;
        else if (read) line += read.contents.map((c, j) => `\n  ${saveContents(c, saver, read.contents.length > 1 ? `${b.name}-${j + 1}` : b.name || baseOfUri(c.uri, j))}`).join('');
        parts.push(line);
        break;
      }
      case 'resource': parts.push(formatResourceContents(b.resource, saver, baseOfUri(b.resource.uri, i, name), true)); break;
      default: parts.push(`[${(b as { type?: string }).type ?? 'unknown'} content] ${JSON.stringify(b)}`);
    }
  });
  return joinBlocks(parts);
}

export function formatCallResult(result: CallToolResult, saver: BinarySaver, tool: string, linked?: LinkedContents): string {
  if (!result.content.length && result.structuredContent !== undefined) return formatJson(result.structuredContent);
  return formatContent(result.content, saver, tool, linked);
}

export function formatReadResult(result: ReadResourceResult, saver: BinarySaver): string {
  const many = result.contents.length > 1;
  return joinBlocks(result.contents.map((c, i) => formatResourceContents(c, saver, baseOfUri(c.uri, i), many)));
}

export function formatPromptResult(result: GetPromptResult, saver: BinarySaver, name: string): string {
  const parts: string[] = [];
  if (result.description) parts.push(`# ${result.description}`);
  result.messages.forEach((m, i) => {
    parts.push(`[${m.role}]\n${formatContent([m.content], saver, `${name}-${i + 1}`).replace(/\n$/, '')}`);
  });
  return joinBlocks(parts);
}

function formatResourceContents(c: ResourceContents, saver: BinarySaver, base: string, withHeader: boolean): string {
  if ('text' in c && typeof c.text === 'string') {
    return withHeader ? `[resource ${c.uri}${c.mimeType ? ` (${c.mimeType})` : ''}]\n${c.text}` : c.text;
  }
  const blob = (c as { blob?: string }).blob ?? '';
  return binary(`resource ${c.uri}`, c.mimeType, blob, saver, base);
}

function binary(kind: string, mimeType: string | undefined, base64: string, saver: BinarySaver, base: string): string {
  const data = Buffer.from(base64, 'base64');
  return `[${kind} ${mimeType ?? 'application/octet-stream'}, ${data.length} bytes${saver.save(base, mimeType, data)}]`;
}

/** A linked resource's contents, written to a file (text as well: the link asked for a file). */
function saveContents(c: ResourceContents, saver: BinarySaver, base: string): string {
  const isText = 'text' in c && typeof c.text === 'string';
  const data = isText ? Buffer.from(c.text, 'utf8') : Buffer.from((c as { blob?: string }).blob ?? '', 'base64');
  const mime = c.mimeType ?? (isText ? 'text/plain' : undefined);
  return `[resource ${c.uri} ${mime ?? 'application/octet-stream'}, ${data.length} bytes${saver.save(base, mime, data)}]`;
}

function joinBlocks(parts: string[]): string {
  if (!parts.length) return '';
  const text = parts.join('\n');
  return text.endsWith('\n') ? text : `${text}\n`;
}

function typeOf(s: JsonSchema): string {
  if (Array.isArray(s.enum)) return s.enum.map(v => JSON.stringify(v)).join(' | ');
  if (Array.isArray(s.oneOf) && s.oneOf.every(o => o && typeof o === 'object' && 'const' in o)) return s.oneOf.map(o => JSON.stringify((o as { const: unknown }).const)).join(' | ');
  const t = s.type;
  if (t === 'array') {
    const items = s.items as JsonSchema | undefined;
    return items ? `${typeOf(items)}[]` : 'array';
  }
  if (Array.isArray(t)) return t.join(' | ');
  if (typeof t === 'string') return t;
  if (Array.isArray(s.anyOf)) return (s.anyOf as JsonSchema[]).map(typeOf).join(' | ');
  return 'any';
}

function firstLine(text: string | undefined): string {
  const line = oneLine(text);
  return line ? ` — ${line}` : '';
}

function oneLine(text: string | undefined): string {
  if (!text) return '';
  const line = text.trim().split('\n')[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function table(rows: string[][]): string {
  if (!rows.length) return '';
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, [...c].length); });
  const out = rows.map(r => r.map((c, i) => i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length)).join('  ').trimEnd());
  return `${out.join('\n')}\n`;
}

/** The file name a resource URI suggests: its last path segment (decoded), else `fallback`. */
function baseOfUri(uri: string, i: number, fallback = `resource-${i + 1}`): string {
  const last = uri.replace(/[?#].*$/, '').split('/').filter(Boolean).pop();
  if (!last || last.endsWith(':')) return fallback;
  try { return decodeURIComponent(last); } catch { return last; }
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/svg+xml': 'svg',
  'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/mpeg': 'mp3', 'audio/ogg': 'ogg', 'audio/webm': 'weba',
  'application/pdf': 'pdf', 'application/gzip': 'gz', 'application/zip': 'zip', 'text/plain': 'txt', 'application/json': 'json',
};

function extensionOf(mimeType: string | undefined): string {
  if (!mimeType) return 'bin';
  return EXTENSIONS[mimeType.split(';')[0]!.trim().toLowerCase()] ?? 'bin';
}
