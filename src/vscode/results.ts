// How tool results, resource contents and prompt messages become documents: text and
// JSON in one editor tab, each image, audio clip or binary blob in a tab of its own.

import type * as vscode from 'vscode';
import type { CallToolResult, ContentBlock, GetPromptResult, ReadResourceResult, ResourceContents } from '../protocol/types.ts';
import { decodeBase64, fileNameFor, openDocument, type DocumentStore } from './documents.ts';

/** JSON with sorted keys, to tell whether a text block merely repeats structuredContent. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function parseJsonContainer(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try { return JSON.parse(t); } catch { return undefined; }
}

function looksLikeMarkdown(text: string): boolean {
  return /^#{1,6} |^```|\*\*[^*]+\*\*|^\s*[-*] \S|\[[^\]]+\]\([^)]+\)/m.test(text);
}

function lastSegment(uri: string): string {
  try {
    const path = new URL(uri).pathname;
    const seg = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
    if (seg) return seg;
  } catch { /* not a URL: fall through */ }
  return uri.slice(uri.lastIndexOf('/') + 1) || 'resource';
}

/** A fence longer than any backtick run in `text`, so embedded code cannot end it. */
function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

/** Collects the separate tabs a result needs, opened after its main document. */
export class MediaTabs {
  private readonly pending: vscode.Uri[] = [];
  private readonly docs: DocumentStore;
  private readonly base: string;
  private count = 0;
  constructor(docs: DocumentStore, base: string) { this.docs = docs; this.base = base; }

  add(kind: string, data: string, mimeType: string | undefined, name?: string): string {
    const n = ++this.count;
    const file = fileNameFor(name ?? `${this.base} ${kind} ${n}`, mimeType, '.bin');
    this.pending.push(this.docs.add(file, decodeBase64(data)));
    return `[${kind} ${n}${mimeType ? ` (${mimeType})` : ''} opened in its own tab: ${file}]`;
  }

  get size(): number { return this.pending.length; }

  async open(preserveFocus: boolean): Promise<vscode.Uri[]> {
    for (const uri of this.pending) await openDocument(uri, { preserveFocus });
    return this.pending;
  }
}

function renderBlock(block: ContentBlock, media: MediaTabs): string {
  switch (block.type) {
    case 'text': return block.text;
    case 'image': return media.add('image', block.data, block.mimeType);
    case 'audio': return media.add('audio', block.data, block.mimeType);
    case 'resource_link': {
      const label = block.title ?? block.name;
      return `Resource link: ${label}${block.mimeType ? ` (${block.mimeType})` : ''}\n${block.uri}${block.description ? `\n${block.description}` : ''}`;
    }
    case 'resource': {
      const r = block.resource;
      if ('text' in r) return `--- ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''} ---\n${r.text}`;
      return media.add('resource', r.blob, r.mimeType, fileNameFor(lastSegment(r.uri), r.mimeType, '.bin'));
    }
    default: {
      // A content type from a newer spec revision: show it rather than drop it.
      return JSON.stringify(block, null, 2);
    }
  }
}

export interface RenderedToolResult {
  /** The main document (file name, tab title, text), or undefined when the result is only media. */
  main?: { name: string; label: string; text: string };
  media: MediaTabs;
}

export function renderToolResult(docs: DocumentStore, tool: string, result: CallToolResult): RenderedToolResult {
  const media = new MediaTabs(docs, tool);
  const name = `${tool} result`;
  const content = result.content ?? [];
  const structured = result.structuredContent;
  const texts = content.filter(b => b.type === 'text');

  if (!result.isError) {
    // Only JSON: a result that is just structuredContent (perhaps repeated as text), or
    // a single JSON text block.
    if (structured !== undefined && (content.length === 0 || (content.length === 1 && texts.length === 1 && canonical(parseJsonContainer(texts[0]!.text)) === canonical(structured)))) {
      return { main: { name: `${name}.json`, label: name, text: JSON.stringify(structured, null, 2) + '\n' }, media };
    }
    if (structured === undefined && content.length === 1 && texts.length === 1) {
      const parsed = parseJsonContainer(texts[0]!.text);
      if (parsed !== undefined) return { main: { name: `${name}.json`, label: name, text: JSON.stringify(parsed, null, 2) + '\n' }, media };
    }
  }

  const parts = content.map(b => renderBlock(b, media));
  const onlyMedia = content.length > 0 && content.every(b => b.type === 'image' || b.type === 'audio');
  if (structured !== undefined && !texts.some(t => canonical(parseJsonContainer(t.text)) === canonical(structured))) {
    parts.push(`Structured content:\n${JSON.stringify(structured, null, 2)}`);
  }
  if (onlyMedia && !result.isError && structured === undefined) return { media };
  if (!parts.length) parts.push('(The tool returned no content.)');
  if (result.isError) parts.unshift('Tool error:');
  const text = parts.join('\n\n') + '\n';
  return { main: { name: `${name}${looksLikeMarkdown(text) ? '.md' : '.txt'}`, label: name, text }, media };
}

/** Opens a tool result: media tabs first, the main document last so it has focus. */
export async function showToolResult(docs: DocumentStore, tool: string, result: CallToolResult): Promise<void> {
  const rendered = renderToolResult(docs, tool, result);
  await rendered.media.open(false);
  if (rendered.main) await openDocument(docs.add(rendered.main.name, rendered.main.text), { label: rendered.main.label });
}

/** The document one resource content item becomes. */
export function resourceDocument(content: ResourceContents): { name: string; data: Uint8Array | string } {
  const seg = lastSegment(content.uri);
  if ('text' in content) {
    const mime = content.mimeType ?? (parseJsonContainer(content.text) !== undefined ? 'application/json' : undefined);
    return { name: fileNameFor(seg, mime, '.txt'), data: content.text };
  }
  return { name: fileNameFor(seg, content.mimeType, '.bin'), data: decodeBase64(content.blob) };
}

/** Opens every content item of a read; returns each document with the URI it shows. */
export async function showResource(docs: DocumentStore, result: ReadResourceResult): Promise<Array<{ doc: vscode.Uri; resourceUri: string }>> {
  const opened: Array<{ doc: vscode.Uri; resourceUri: string }> = [];
  const contents = result.contents ?? [];
  if (!contents.length) {
    await openDocument(docs.add('empty resource.txt', '(The server returned no contents.)\n'));
    return opened;
  }
  for (const content of contents) {
    const { name, data } = resourceDocument(content);
    const doc = docs.add(name, data);
    await openDocument(doc);
    opened.push({ doc, resourceUri: content.uri });
  }
  return opened;
}

export function renderPrompt(docs: DocumentStore, prompt: string, result: GetPromptResult): { text: string; media: MediaTabs } {
  const media = new MediaTabs(docs, prompt);
  const lines: string[] = [`# ${prompt}`];
  if (result.description) lines.push('', result.description);
  for (const message of result.messages ?? []) {
    lines.push('', `## ${message.role}`, '');
    const block = message.content;
    if (block.type === 'text') lines.push(block.text);
    else if (block.type === 'resource' && 'text' in block.resource) {
      const r = block.resource;
      const ext = fileNameFor('x', r.mimeType, '.txt').slice(2);
      lines.push(`Resource ${r.uri}:`, '', fence(r.text, ext === 'txt' ? '' : ext));
    } else lines.push(renderBlock(block, media));
  }
  return { text: lines.join('\n') + '\n', media };
}

export async function showPrompt(docs: DocumentStore, prompt: string, result: GetPromptResult): Promise<void> {
  const { text, media } = renderPrompt(docs, prompt, result);
  await media.open(false);
  await openDocument(docs.add(`${prompt} prompt.md`, text), { label: `${prompt} prompt` });
}
