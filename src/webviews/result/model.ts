// A tool's result as the panel shows it: each content block classified (Markdown, plain
// text, JSON, inline media or why not, links, embedded resources), structuredContent
// checked against the tool's outputSchema. Pure: no DOM, no `vscode`; the extension
// builds the view and posts it, the browser bundle draws it.
//
// Large payloads are not copied: base64 sizes come from their length, a data URL is one
// concatenation per block, JSON text is parsed once.

import type { Annotations, CallToolResult, JsonObject, Tool } from '../../protocol/types.ts';
import { base64Size, inlineMedia, mediaKindOf } from './media.ts';
import { checkAgainstSchema, type SchemaIssue } from './schemaCheck.ts';
import { classifyText, utf8Length, type TextKind } from './text.ts';
import { TRIMMED_META, type TrimInfo } from './trim.ts';

/** What every block may carry, passed through as the server sent it. */
export interface BlockExtras {
  annotations?: Annotations;
  _meta?: JsonObject;
}

export type ResultBlock = BlockExtras & (
  | { kind: 'markdown'; text: string }
  | { kind: 'text'; text: string }
  /** Text that parses as a JSON object or array. `sameAsStructured`: it only repeats structuredContent. */
  | { kind: 'json'; text: string; value: unknown; sameAsStructured?: boolean }
  /** `dataUrl` only for types shown inline (never SVG); without it, `notInline` says why. `size` is in decoded bytes (-1: not base64). */
  | { kind: 'image'; mimeType: string; data: string; size: number; dataUrl?: string; notInline?: string }
  | { kind: 'audio'; mimeType: string; data: string; size: number; dataUrl?: string; notInline?: string }
  | { kind: 'resourceLink'; uri: string; name?: string; title?: string; description?: string; mimeType?: string; size?: number }
  /**
   * An embedded resource: its text (`textKind` says how to show it; `value` when JSON), or
   * a blob (`blobSize` decoded bytes; `dataUrl` when it is an image or audio shown inline).
   */
  | { kind: 'resource'; uri: string; mimeType?: string; text?: string; textKind?: TextKind; value?: unknown; blobSize?: number; dataUrl?: string; notInline?: string }
  /** A block type this host does not know (a newer revision), or a known type in a shape it cannot read. */
  | { kind: 'unknown'; type: string; value: unknown }
);

/** The block of one kind: `BlockOf<'image'>`. */
export type BlockOf<K extends ResultBlock['kind']> = Extract<ResultBlock, { kind: K }>;

export interface StructuredView {
  value: unknown;
  /** Against tool.outputSchema: short sentences naming the JSON pointer. Empty: checked and valid; absent: not checked. */
  schemaProblems?: string[];
  /** The same problems with their pointers, to mark nodes of the tree. */
  schemaIssues?: SchemaIssue[];
  /** The tool declares an outputSchema but the (successful) result has no structuredContent. */
  missingWhileSchema?: boolean;
}

export interface ResultView {
  isError: boolean;
  blocks: ResultBlock[];
  structured?: StructuredView;
  /** The task this result belongs to (2025-11-25 `io.modelcontextprotocol/related-task` in `_meta`). */
  task?: { taskId: string };
  /** Payload size: UTF-8 bytes of texts, decoded bytes of base64 data, structuredContent as JSON. */
  sizeBytes: number;
  /** Set when the result comes from the history and was cut to fit there: what was dropped. */
  trimmed?: TrimInfo;
}

/** Same value as RELATED_TASK_META in src/protocol/tasks.ts (not imported: that module is not for the browser bundle). */
const RELATED_TASK_META = 'io.modelcontextprotocol/related-task';

export function describeResult(result: CallToolResult, tool?: Pick<Tool, 'outputSchema'>): ResultView {
  const isError = result.isError === true;
  const content: unknown[] = Array.isArray(result.content) ? result.content : [];
  const trimmed = trimInfoOf(result);
  let sizeBytes = 0;

  let structured: StructuredView | undefined;
  let structuredJson: string | undefined;
  if (result.structuredContent !== undefined) {
    try { structuredJson = JSON.stringify(result.structuredContent); } catch { /* too deep to print: no size, no duplicate check */ }
    sizeBytes += structuredJson ? utf8Length(structuredJson) : 0;
    structured = { value: result.structuredContent };
    // Error results need not match: the spec's schema is for what a successful call returns.
    if (tool?.outputSchema && !isError) {
      const issues = checkAgainstSchema(tool.outputSchema, result.structuredContent);
      structured.schemaIssues = issues;
      structured.schemaProblems = issues.map(i => i.message);
    }
  } else if (tool?.outputSchema && !isError && !trimmed?.droppedStructuredContent) {
    structured = { value: undefined, missingWhileSchema: true };
  }

  const blocks: ResultBlock[] = [];
  for (const raw of content) {
    const { block, size } = describeBlock(raw, structuredJson);
    blocks.push(block);
    sizeBytes += size;
  }

  const view: ResultView = { isError, blocks, sizeBytes };
  if (structured) view.structured = structured;
  const related = result._meta?.[RELATED_TASK_META];
  if (related && typeof related === 'object' && typeof (related as { taskId?: unknown }).taskId === 'string') {
    view.task = { taskId: (related as { taskId: string }).taskId };
  }
  if (trimmed) view.trimmed = trimmed;
  return view;
}

/**
 * The view to post to a webview: media blocks shown inline carry their base64 once, in
 * `dataUrl` (`data` is emptied; `mediaData` gets it back). postMessage serializes every
 * string: with both, a 20 MB image would cross as 56 MB of JSON instead of 28 MB.
 */
export function forTransfer(view: ResultView): ResultView {
  let blocks: ResultBlock[] | undefined;
  view.blocks.forEach((b, i) => {
    if ((b.kind === 'image' || b.kind === 'audio') && b.dataUrl && b.data) (blocks ??= view.blocks.slice())[i] = { ...b, data: '' };
  });
  return blocks ? { ...view, blocks } : view;
}

/** The base64 data of a media block, from `data` or (after forTransfer) from its data URL. */
export function mediaData(block: BlockOf<'image'> | BlockOf<'audio'>): string {
  if (block.data || !block.dataUrl) return block.data;
  return block.dataUrl.slice(block.dataUrl.indexOf(',') + 1);
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function extras(raw: Raw): BlockExtras {
  const out: BlockExtras = {};
  if (raw.annotations && typeof raw.annotations === 'object') out.annotations = raw.annotations as Annotations;
  if (raw._meta && typeof raw._meta === 'object') out._meta = raw._meta as JsonObject;
  return out;
}

function unknownBlock(raw: unknown): { block: ResultBlock; size: number } {
  const type = raw && typeof raw === 'object' && typeof (raw as Raw).type === 'string' ? (raw as Raw).type as string : typeof raw;
  let size = 0;
  try { size = utf8Length(JSON.stringify(raw) ?? ''); } catch { /* unprintable: size unknown */ }
  return { block: { kind: 'unknown', type, value: raw }, size };
}

/** One content block and its payload size. `structuredJson` tells a text that only repeats structuredContent. */
export function describeBlock(raw: unknown, structuredJson?: string): { block: ResultBlock; size: number } {
  if (!raw || typeof raw !== 'object') return unknownBlock(raw);
  const b = raw as Raw;
  switch (b.type) {
    case 'text': {
      const text = str(b.text);
      if (text === undefined) break;
      const c = classifyText(text);
      const size = utf8Length(text);
      if (c.kind === 'json') {
        const block: BlockOf<'json'> = { kind: 'json', text, value: c.value, ...extras(b) };
        if (structuredJson !== undefined && text.length >= structuredJson.length && sameJson(c.value, structuredJson)) block.sameAsStructured = true;
        return { block, size };
      }
      return { block: { kind: c.kind, text, ...extras(b) }, size };
    }
    case 'image':
    case 'audio': {
      const data = str(b.data);
      if (data === undefined) break;
      const mimeType = str(b.mimeType) ?? '';
      const size = base64Size(data);
      const shown = inlineMedia(b.type, mimeType, data, size);
      return { block: { kind: b.type, mimeType, data, size, ...shown, ...extras(b) }, size: Math.max(size, 0) };
    }
    case 'resource_link': {
      const uri = str(b.uri);
      if (uri === undefined) break;
      const block: BlockOf<'resourceLink'> = { kind: 'resourceLink', uri, ...extras(b) };
      for (const k of ['name', 'title', 'description', 'mimeType'] as const) { const v = str(b[k]); if (v !== undefined) block[k] = v; }
      if (typeof b.size === 'number') block.size = b.size;
      return { block, size: 0 };
    }
    case 'resource': {
      const r = b.resource as Raw | undefined;
      const uri = r && typeof r === 'object' ? str(r.uri) : undefined;
      if (!r || uri === undefined) break;
      const mimeType = str(r.mimeType);
      const block: BlockOf<'resource'> = { kind: 'resource', uri, ...extras(b) };
      if (mimeType !== undefined) block.mimeType = mimeType;
      const text = str(r.text);
      if (text !== undefined) {
        const c = classifyText(text, mimeType);
        block.text = text;
        block.textKind = c.kind;
        if (c.value !== undefined) block.value = c.value;
        return { block, size: utf8Length(text) };
      }
      const blob = str(r.blob);
      if (blob === undefined) break;
      const size = base64Size(blob);
      block.blobSize = size;
      const media = mediaKindOf(mimeType);
      if (media) Object.assign(block, inlineMedia(media, mimeType!, blob, size));
      return { block, size: Math.max(size, 0) };
    }
  }
  return unknownBlock(raw);
}

/** Whether parsed JSON text equals structuredContent (same keys in the same order, as servers print it). */
function sameJson(value: unknown, structuredJson: string): boolean {
  try { return JSON.stringify(value) === structuredJson; } catch { return false; }
}

function trimInfoOf(result: CallToolResult): TrimInfo | undefined {
  const t = result._meta?.[TRIMMED_META];
  return t && typeof t === 'object' && !Array.isArray(t) ? t as TrimInfo : undefined;
}
