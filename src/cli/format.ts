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

export function formatTools(tools: readonly Tool[]): string {
  return tools.map(t => {
    const head = `${t.name}${t.title && t.title !== t.name ? ` (${t.title})` : ''}${firstLine(t.description)}`;
    const props = Object.entries(t.inputSchema.properties ?? {});
    const required = new Set(t.inputSchema.required ?? []);
    const args = props.map(([name, s]) => `    ${name}${required.has(name) ? '' : '?'}: ${typeOf(s)}${s.default !== undefined ? ` = ${JSON.stringify(s.default)}` : ''}${firstLine(s.description as string | undefined)}`);
    return [head, ...args].join('\n');
  }).join('\n') + (tools.length ? '\n' : '');
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

/** Writes binary content under --save DIR, never overwriting: name.ext, name-2.ext, … */
export class BinarySaver {
  private readonly dir: string | undefined;
  private readonly used = new Set<string>();
  constructor(dir: string | undefined) { this.dir = dir; }
  get enabled(): boolean { return this.dir !== undefined; }
  save(base: string, mimeType: string | undefined, base64: string): string | undefined {
    if (!this.dir) return undefined;
    mkdirSync(this.dir, { recursive: true });
    const safe = base.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '') || 'content';
    const ext = path.extname(safe) ? '' : `.${extensionOf(mimeType)}`;
    let name = `${safe}${ext}`;
    for (let i = 2; this.used.has(name); i++) name = `${safe}-${i}${ext}`;
    this.used.add(name);
    const file = path.join(this.dir, name);
    writeFileSync(file, Buffer.from(base64, 'base64'));
    return file;
  }
}

export function formatContent(blocks: readonly ContentBlock[], saver: BinarySaver, base: string): string {
  const parts: string[] = [];
  blocks.forEach((b, i) => {
    const name = blocks.length > 1 ? `${base}-${i + 1}` : base;
    switch (b.type) {
      case 'text': parts.push(b.text); break;
      case 'image': case 'audio': parts.push(binary(b.type, b.mimeType, b.data, saver, name)); break;
      case 'resource_link': parts.push(`[resource link] ${b.uri}${b.title ?? b.name ? `  ${b.title ?? b.name}` : ''}${b.mimeType ? ` (${b.mimeType})` : ''}${firstLine(b.description)}`); break;
      case 'resource': parts.push(formatResourceContents(b.resource, saver, name, true)); break;
      default: parts.push(`[${(b as { type?: string }).type ?? 'unknown'} content] ${JSON.stringify(b)}`);
    }
  });
  return joinBlocks(parts);
}

export function formatCallResult(result: CallToolResult, saver: BinarySaver, tool: string): string {
  if (!result.content.length && result.structuredContent !== undefined) return formatJson(result.structuredContent);
  return formatContent(result.content, saver, tool);
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
  const bytes = Buffer.byteLength(base64, 'base64');
  const file = saver.save(base, mimeType, base64);
  return `[${kind} ${mimeType ?? 'application/octet-stream'}, ${bytes} bytes${file ? ` → ${file}` : ''}]`;
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

function baseOfUri(uri: string, i: number): string {
  const last = uri.replace(/[?#].*$/, '').split('/').filter(Boolean).pop();
  return last && !last.endsWith(':') ? last : `resource-${i + 1}`;
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
