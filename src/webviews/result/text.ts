// What a piece of text is: JSON (an object or an array), Markdown, or plain text. Markdown
// is a guess, so it errs towards plain text: a Markdown renderer joins single line breaks
// and eats `*` and `_`, which spoils log output and code that only happens to contain them.

/** Markdown is looked for in this much of a text (the rest only follows the same style). */
const SCAN_CHARS = 64 * 1024;

// Each of these alone makes a text Markdown.
const HEADING = /^ {0,3}#{1,6}[ \t]+\S/m;
const FENCE = /^ {0,3}(```|~~~)[^\n]*\n[\s\S]*?^ {0,3}\1/m;
// A link to somewhere that looks like a place (not `arr[i](x)` in code): not glued to a word before it.
const LINK = /(?:^|[^\w\]!])\[[^\]\n]+\]\((?:https?:\/\/|mailto:|#|\.{0,2}\/)[^)\s]*(?:\s+"[^"\n]*")?\)/m;
// A table: a header row with a pipe, then a delimiter row of dashes (with optional colons).
const TABLE = /^[^\n]*\|[^\n]*\n {0,3}\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$/m;

// These count only together: two kinds, or a list of at least two items.
const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+\S/gm;
const STRONG = /(?:^|[^\w*])\*\*[^\s*](?:[^*\n]*[^\s*])?\*\*(?![\w*])|(?:^|[^\w_])__[^\s_](?:[^_\n]*[^\s_])?__(?![\w_])/m;
const EMPHASIS = /(?:^|[^\w*])\*[^\s*](?:[^*\n]*[^\s*])?\*(?![\w*])|(?:^|[^\w_])_[^\s_](?:[^_\n]*[^\s_])?_(?![\w_])/m;
const INLINE_CODE = /`[^`\n]+`/;
const QUOTE = /^ {0,3}>[ \t]+\S/m;

/** Whether `text` reads as Markdown (headings, fences, links, tables; lists and emphasis in combination). */
export function looksLikeMarkdown(text: string): boolean {
  const t = text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text;
  if (HEADING.test(t) || FENCE.test(t) || LINK.test(t) || TABLE.test(t)) return true;
  let items = 0;
  for (const _ of t.matchAll(LIST_ITEM)) if (++items >= 2) break;
  if (items >= 2) return true;
  let kinds = items;
  for (const re of [STRONG, EMPHASIS, INLINE_CODE, QUOTE]) if (re.test(t)) kinds++;
  return kinds >= 2;
}

/** The value of `text` when it is a JSON object or array (surrounding white space allowed); else undefined. */
export function parseJsonContainer(text: string): object | undefined {
  let start = 0;
  let end = text.length - 1;
  while (start <= end && isSpace(text.charCodeAt(start))) start++;
  while (end >= start && isSpace(text.charCodeAt(end))) end--;
  const first = text[start];
  const last = text[end];
  if (!((first === '{' && last === '}') || (first === '[' && last === ']'))) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export type TextKind = 'markdown' | 'text' | 'json';

/**
 * How a text is best shown, the MIME type first: JSON types (`application/json`, `…+json`)
 * are JSON if they parse, `text/markdown` is Markdown, other declared text types plain;
 * without a type, the content decides.
 */
export function classifyText(text: string, mimeType?: string): { kind: TextKind; value?: object } {
  const mime = mimeType ? baseMime(mimeType) : undefined;
  if (mime && (mime === 'application/json' || mime.endsWith('+json'))) {
    const value = parseJsonContainer(text);
    return value !== undefined ? { kind: 'json', value } : { kind: 'text' };
  }
  if (mime === 'text/markdown' || mime === 'text/x-markdown') return { kind: 'markdown' };
  if (mime && mime !== 'text/plain') return { kind: 'text' };
  const value = parseJsonContainer(text);
  if (value !== undefined) return { kind: 'json', value };
  if (mime === 'text/plain') return { kind: 'text' };
  return { kind: looksLikeMarkdown(text) ? 'markdown' : 'text' };
}

/** `image/PNG; charset=x` → `image/png`. */
export function baseMime(mimeType: string): string {
  const semi = mimeType.indexOf(';');
  return (semi >= 0 ? mimeType.slice(0, semi) : mimeType).trim().toLowerCase();
}

const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-8 length of `s` without encoding it (no copy of a large text). */
export function utf8Length(s: string): number {
  if (!NON_ASCII.test(s)) return s.length; // native scan: most texts are ASCII
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 2; i++; } // a pair: 4 bytes for 2 units
    else n += 2;
  }
  return n;
}
