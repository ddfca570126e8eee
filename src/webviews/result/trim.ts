// Cutting a tool call down to what the history keeps. A result over the budget loses its
// largest base64 payloads first (each replaced by a text block saying what it was), then
// the tail of its longest texts, then structuredContent, then whole blocks; what was
// dropped is written into the result's `_meta` so the panel can say so. Sizes are
// characters of JSON, which is what the store serializes.

import type { CallToolResult, ContentBlock, JsonObject } from '../../protocol/types.ts';

/** `_meta` key of a result (or a placeholder block) the history cut. */
export const TRIMMED_META = 'mcpHost/trimmed';

export interface TrimInfo {
  /** Approximate size of the result before it was cut (characters of JSON). */
  originalBytes: number;
  /** What was dropped, as short phrases ("image (image/png, 5.0 MiB)", "300.0 KiB of text"). */
  dropped: string[];
  droppedStructuredContent?: boolean;
}

/** A cut text keeps at least this much. */
const MIN_TEXT_KEEP = 1024;
/** Base64 payloads up to this size go only after the texts were cut (an icon is worth keeping). */
const SMALL_BASE64 = 4096;
/** Room for the note at the end of a cut text. */
const NOTE_CHARS = 64;
/** Room kept for the placeholders and the marker. */
const RESERVE = 512;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

function jsonLength(v: unknown): number {
  try { return JSON.stringify(v)?.length ?? 0; } catch { return Number.MAX_SAFE_INTEGER; }
}

type Piece = { index: number; cost: number; group: 'base64' | 'text' | 'other'; base64?: number; done?: boolean };

function measure(block: ContentBlock, index: number): Piece {
  const b = block as ContentBlock & { data?: unknown };
  if ((b.type === 'image' || b.type === 'audio') && typeof b.data === 'string') return { index, cost: b.data.length + 64, group: 'base64', base64: b.data.length };
  if (b.type === 'text' && typeof b.text === 'string') return { index, cost: b.text.length + jsonLength(b._meta) + jsonLength(b.annotations) + 32, group: 'text' };
  if (b.type === 'resource' && b.resource && typeof b.resource === 'object') {
    const r = b.resource as { uri?: string; blob?: unknown; text?: unknown };
    const extra = (r.uri?.length ?? 0) + 96;
    if (typeof r.blob === 'string') return { index, cost: r.blob.length + extra, group: 'base64', base64: r.blob.length };
    if (typeof r.text === 'string') return { index, cost: r.text.length + extra, group: 'text' };
  }
  return { index, cost: jsonLength(block), group: 'other' };
}

function placeholder(text: string, what: JsonObject): ContentBlock {
  return { type: 'text', text, _meta: { [TRIMMED_META]: what } };
}

function describeDropped(block: ContentBlock, cost: number, base64 = 0): { phrase: string; what: JsonObject } {
  const size = formatBytes(Math.floor((base64 * 3) / 4)); // decoded bytes, about
  if (block.type === 'image' || block.type === 'audio') {
    return { phrase: `${block.type} (${block.mimeType || 'no MIME type'}, ${size})`, what: { type: block.type, mimeType: block.mimeType ?? null, size } };
  }
  if (block.type === 'resource') {
    const r = block.resource;
    return { phrase: `blob of ${r.uri} (${r.mimeType ? `${r.mimeType}, ` : ''}${size})`, what: { type: 'resource', uri: r.uri, mimeType: r.mimeType ?? null, size } };
  }
  const type = typeof (block as { type?: unknown }).type === 'string' ? (block as { type: string }).type : 'unknown';
  return { phrase: `${type} block (${formatBytes(cost)})`, what: { type, size: formatBytes(cost) } };
}

/** `s` cut to about `keep` characters (never inside a surrogate pair), saying how much went. */
export function cutText(s: string, keep: number): string {
  let end = Math.max(0, Math.min(keep, s.length));
  if (end > 0 && end < s.length && (s.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
  return `${s.slice(0, end)}\n… [${s.length - end} more characters dropped from the history]`;
}

/** `result` within about `maxBytes` characters of JSON; the same object when it already fits. */
export function trimResult(result: CallToolResult, maxBytes: number): { result: CallToolResult; trimmed: boolean } {
  const content: ContentBlock[] = Array.isArray(result.content) ? result.content : [];
  const pieces = content.map(measure);
  const structuredCost = result.structuredContent === undefined ? 0 : jsonLength(result.structuredContent);
  let metaCost = result._meta === undefined ? 0 : jsonLength(result._meta);
  const originalBytes = pieces.reduce((n, p) => n + p.cost, 0) + structuredCost + metaCost + 32;
  if (originalBytes <= maxBytes) return { result, trimmed: false };

  const budget = Math.max(0, maxBytes - RESERVE);
  const out = content.slice();
  const dropped: string[] = [];
  let total = originalBytes;
  let meta = result._meta;
  if (meta && metaCost > budget / 4) {
    dropped.push(`the result's _meta (${formatBytes(metaCost)})`);
    total -= metaCost;
    meta = undefined;
    metaCost = 0;
  }

  const replace = (p: Piece) => {
    const d = describeDropped(out[p.index]!, p.cost, p.base64);
    const block = placeholder(`[${d.phrase} dropped from the history]`, d.what);
    const cost = measure(block, p.index).cost;
    p.done = true;
    if (cost >= p.cost) return; // the note would be no smaller
    out[p.index] = block;
    total -= p.cost - cost;
    p.cost = cost;
    dropped.push(d.phrase);
  };

  // 1. Large base64 payloads, the largest first.
  for (const p of pieces.filter(p => p.group === 'base64' && p.cost > SMALL_BASE64).sort((a, b) => b.cost - a.cost)) {
    if (total <= budget) break;
    replace(p);
  }
  // 2. The tails of texts, the longest first, each down to what the budget needs.
  for (const p of pieces.filter(p => p.group === 'text').sort((a, b) => b.cost - a.cost)) {
    if (total <= budget) break;
    const block = out[p.index]!;
    const text = block.type === 'text' ? block.text : (block as { resource: { text: string } }).resource.text;
    const keep = Math.max(MIN_TEXT_KEEP, text.length - (total - budget) - NOTE_CHARS);
    if (keep >= text.length) continue;
    const cut = cutText(text, keep);
    out[p.index] = block.type === 'text' ? { ...block, text: cut } : { ...block, resource: { ...(block as { resource: object }).resource, text: cut } } as ContentBlock;
    total -= text.length - cut.length;
    p.cost -= text.length - cut.length;
    dropped.push(`${formatBytes(text.length - keep)} of text`);
  }
  // 3. structuredContent.
  let structuredContent = result.structuredContent;
  let droppedStructuredContent = false;
  if (total > budget && structuredContent !== undefined && structuredCost > MIN_TEXT_KEEP) {
    structuredContent = undefined;
    droppedStructuredContent = true;
    total -= structuredCost;
    dropped.push(`structuredContent (${formatBytes(structuredCost)})`);
  }
  // 4. Small base64 payloads, other large blocks (types from newer revisions, big links).
  for (const p of pieces.filter(p => !p.done && (p.group === 'base64' || (p.group === 'other' && p.cost > MIN_TEXT_KEEP))).sort((a, b) => b.cost - a.cost)) {
    if (total <= budget) break;
    replace(p);
  }
  // 5. Many small blocks: keep the first ones that fit.
  let kept = out;
  if (total > budget) {
    let used = structuredContent === undefined ? 0 : structuredCost;
    used += metaCost;
    let n = 0;
    while (n < out.length && used + pieces[n]!.cost <= budget) used += pieces[n++]!.cost;
    const rest = out.length - n;
    kept = out.slice(0, n);
    const plural = rest === 1 ? '' : 's';
    kept.push(placeholder(`[${rest} more content block${plural} dropped from the history]`, { blocks: rest }));
    dropped.push(`${rest} content block${plural}`);
  }

  const info: TrimInfo = { originalBytes, dropped };
  if (droppedStructuredContent) info.droppedStructuredContent = true;
  const trimmed: CallToolResult = { content: kept, _meta: { ...meta, [TRIMMED_META]: info as unknown as JsonObject } };
  if (structuredContent !== undefined) trimmed.structuredContent = structuredContent;
  if (result.isError !== undefined) trimmed.isError = result.isError;
  return { result: trimmed, trimmed: true };
}

/** Marks a value the history replaced in arguments. */
const ARG_DROPPED = (n: number) => `[${formatBytes(n)} dropped from the history]`;

/**
 * `args` within about `maxBytes` characters of JSON: the longest strings cut first, then
 * the largest top-level values replaced by a note. The same object when it already fits.
 */
export function trimArgs(args: Record<string, unknown>, maxBytes: number): { args: Record<string, unknown>; trimmed: boolean } {
  let total = jsonLength(args);
  if (total <= maxBytes) return { args, trimmed: false };
  let copy: Record<string, unknown>;
  try { copy = structuredClone(args); } catch { return { args: {}, trimmed: true }; }
  const budget = Math.max(0, maxBytes - RESERVE);
  // Every string in the value, found without recursion (arguments may nest deeply).
  const strings: Array<{ holder: Record<string | number, unknown>; key: string | number; length: number }> = [];
  const stack: unknown[] = [copy];
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== 'object') continue;
    const holder = v as Record<string | number, unknown>;
    for (const key of Array.isArray(v) ? v.keys() : Object.keys(v)) {
      const child = holder[key];
      if (typeof child === 'string') { if (child.length > MIN_TEXT_KEEP) strings.push({ holder, key, length: child.length }); }
      else if (child && typeof child === 'object') stack.push(child);
    }
  }
  for (const s of strings.sort((a, b) => b.length - a.length)) {
    if (total <= budget) break;
    const text = s.holder[s.key] as string;
    const cut = cutText(text, Math.max(MIN_TEXT_KEEP, text.length - (total - budget) - NOTE_CHARS));
    if (cut.length >= text.length) continue;
    s.holder[s.key] = cut;
    total -= text.length - cut.length;
  }
  if (total > budget) {
    const sizes = Object.keys(copy).map(k => ({ k, n: jsonLength(copy[k]) })).sort((a, b) => b.n - a.n);
    for (const { k, n } of sizes) {
      if (total <= budget) break;
      const note = ARG_DROPPED(n);
      copy[k] = note;
      total -= n - note.length - 2;
    }
  }
  return { args: copy, trimmed: true };
}
