// A collapsible JSON tree, one level at a time: the renderer asks for the children of a
// node when it is expanded, a page at a time. Nothing walks the whole value, so a very
// large or very deep value costs only what is on screen.

export type JsonPath = (string | number)[];
export type NodeKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export interface TreeNode {
  path: JsonPath;
  /** RFC 6901 pointer of the node ('' for the root). */
  pointer: string;
  /** Property name or index; undefined for the root. */
  key: string | number | undefined;
  kind: NodeKind;
  /** `{3}`, `[12]`, `"abc…"`, `42`, `true`, `null`. */
  preview: string;
  childCount: number;
  expandable: boolean;
}

export const DEFAULT_PAGE = 200;
/** Strings are previewed up to this many characters. */
export const PREVIEW_CHARS = 80;

export function kindOf(value: unknown): NodeKind {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'object': return 'object';
    case 'string': return 'string';
    case 'number': case 'bigint': return 'number';
    case 'boolean': return 'boolean';
    default: return 'string'; // not JSON (a function, a symbol): shown as its text
  }
}

/** `s` as a quoted JSON string, cut at `max` characters (never inside a surrogate pair). */
export function previewString(s: string, max = PREVIEW_CHARS): string {
  if (s.length <= max) return JSON.stringify(s);
  let end = max;
  if ((s.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
  return `${JSON.stringify(s.slice(0, end)).slice(0, -1)}…"`;
}

function countOf(value: unknown, kind: NodeKind): number {
  if (kind === 'array') return (value as unknown[]).length;
  if (kind === 'object') return Object.keys(value as object).length;
  return 0;
}

export function previewOf(value: unknown): string {
  const kind = kindOf(value);
  switch (kind) {
    case 'object': return `{${countOf(value, kind)}}`;
    case 'array': return `[${countOf(value, kind)}]`;
    case 'string': return typeof value === 'string' ? previewString(value) : previewString(String(value));
    case 'null': return value === undefined ? 'undefined' : 'null';
    default: return String(value);
  }
}

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
export function pointerOf(path: JsonPath): string {
  let p = '';
  for (const seg of path) p += '/' + String(seg).replace(/~/g, '~0').replace(/\//g, '~1');
  return p;
}

/** The path of an RFC 6901 pointer; numeric segments stay strings (valueAt reads both). */
export function pathOf(pointer: string): JsonPath {
  if (pointer === '') return [];
  return pointer.slice(pointer.startsWith('/') ? 1 : 0).split('/').map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function nodeOf(value: unknown, path: JsonPath, key: string | number | undefined): TreeNode {
  const kind = kindOf(value);
  const childCount = countOf(value, kind);
  return { path, pointer: pointerOf(path), key, kind, preview: previewOf(value), childCount, expandable: childCount > 0 };
}

/** The node for a whole value (the root of a tree). */
export function rootNode(value: unknown): TreeNode {
  return nodeOf(value, [], undefined);
}

/**
 * The children of `value` (the node at `path`), `limit` of them from `offset` on; `more`
 * is how many follow. Object members come in their own order.
 */
export function children(value: unknown, path: JsonPath, options: { limit?: number; offset?: number } = {}): { nodes: TreeNode[]; more: number } {
  const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_PAGE));
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const nodes: TreeNode[] = [];
  const kind = kindOf(value);
  if (kind === 'array') {
    const arr = value as unknown[];
    const end = Math.min(arr.length, offset + limit);
    for (let i = offset; i < end; i++) nodes.push(nodeOf(arr[i], [...path, i], i));
    return { nodes, more: Math.max(0, arr.length - Math.max(end, offset)) };
  }
  if (kind === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    const end = Math.min(keys.length, offset + limit);
    for (let i = offset; i < end; i++) nodes.push(nodeOf(obj[keys[i]!], [...path, keys[i]!], keys[i]));
    return { nodes, more: Math.max(0, keys.length - Math.max(end, offset)) };
  }
  return { nodes, more: 0 };
}

/** The value at `path` in `root`, or undefined; only own members count (`constructor`, `__proto__` are keys like any other). */
export function valueAt(root: unknown, path: JsonPath): unknown {
  let at: unknown = root;
  for (const seg of path) {
    if (Array.isArray(at)) {
      const i = typeof seg === 'number' ? seg : /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : -1;
      if (!Number.isInteger(i) || i < 0 || i >= at.length) return undefined;
      at = at[i];
    } else if (at !== null && typeof at === 'object') {
      const k = String(seg);
      if (!Object.hasOwn(at, k)) return undefined;
      at = (at as Record<string, unknown>)[k];
    } else {
      return undefined;
    }
  }
  return at;
}
