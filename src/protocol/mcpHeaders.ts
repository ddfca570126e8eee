// The HTTP headers 2026-07-28 derives from a request's body: `MCP-Protocol-Version` and
// `Mcp-Method` on every POST, `Mcp-Name` for the methods that name something, and one
// `Mcp-Param-<Name>` per tool argument the tool's input schema marks with `x-mcp-header`
// — encoded exactly as the spec says (plain when the value is a safe header value, else
// `=?base64?<UTF-8 bytes in base64>?=`; null or absent: no header). A tool whose
// declarations are invalid must not be offered (the spec's rules, checked at tools/list).

export const PROTOCOL_VERSION_HEADER = 'mcp-protocol-version';

/** Which param names a method's `Mcp-Name`. */
const NAME_SOURCE: Record<string, 'name' | 'uri' | 'taskId'> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

// RFC 9110 token: what a header field name may be made of.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PERMITTED_TYPES = new Set(['string', 'integer', 'boolean']);
/** Keywords a declaration must not sit under: it has to be reachable through `properties` alone. */
const NOT_STATIC = [
  'items', 'prefixItems', 'contains', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'propertyNames',
  'patternProperties', 'dependentSchemas', 'oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else', '$defs', 'definitions',
];

export interface HeaderParam {
  /** The header is `Mcp-Param-<header>`. */
  header: string;
  /** The property path from the arguments' root (`properties` keys only). */
  path: readonly string[];
  type: 'string' | 'integer' | 'boolean';
}

export type HeaderScan = { ok: true; params: HeaderParam[] } | { ok: false; reason: string };

/** The `x-mcp-header` declarations of a tool's input schema, or why they are invalid. */
export function scanHeaderDeclarations(inputSchema: unknown): HeaderScan {
  const params: HeaderParam[] = [];
  const seen = new Map<string, string>();
  let problem: string | undefined;
  const fail = (why: string) => { problem ??= why; };

  const visitStatic = (schema: unknown, path: string[]): void => {
    if (problem || !schema || typeof schema !== 'object') return;
    const s = schema as Record<string, unknown>;
    if ('x-mcp-header' in s) {
      if (path.length === 0) return fail('x-mcp-header on the input schema itself');
      const name = s['x-mcp-header'];
      const where = path.join('.');
      if (typeof name !== 'string' || name === '') return fail(`x-mcp-header of "${where}" is empty`);
      if (!TOKEN.test(name)) return fail(`x-mcp-header "${name}" of "${where}" is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only)`);
      if (typeof s.type !== 'string' || !PERMITTED_TYPES.has(s.type)) {
        return fail(`x-mcp-header "${name}" is on "${where}", of type ${JSON.stringify(s.type ?? 'unknown')}: only string, integer and boolean may be headers`);
      }
      const lower = name.toLowerCase();
      if (seen.has(lower)) return fail(`x-mcp-header "${name}" is declared twice ("${seen.get(lower)}" and "${where}")`);
      seen.set(lower, where);
      params.push({ header: name, path: [...path], type: s.type as HeaderParam['type'] });
    }
    const props = s.properties;
    if (props && typeof props === 'object') {
      for (const [k, sub] of Object.entries(props as Record<string, unknown>)) visitStatic(sub, [...path, k]);
    }
    for (const key of NOT_STATIC) if (key in s) visitDynamic(s[key], `${path.join('.') || '(root)'}/${key}`);
  };
  // Anywhere below a non-`properties` keyword, a declaration is invalid.
  const visitDynamic = (schema: unknown, where: string, depth = 0): void => {
    if (problem || !schema || typeof schema !== 'object' || depth > 64) return;
    if (Array.isArray(schema)) { schema.forEach((x, i) => visitDynamic(x, `${where}[${i}]`, depth + 1)); return; }
    const s = schema as Record<string, unknown>;
    if ('x-mcp-header' in s) return fail(`x-mcp-header under ${where} is not reachable through properties alone`);
    for (const [k, v] of Object.entries(s)) if (v && typeof v === 'object') visitDynamic(v, `${where}/${k}`, depth + 1);
  };

  visitStatic(inputSchema, []);
  return problem ? { ok: false, reason: problem } : { ok: true, params };
}

/** A header value as the spec encodes it: plain when safe, else the base64 sentinel. */
export function encodeHeaderValue(value: string): string {
  return needsBase64(value) ? `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=` : value;
}

function needsBase64(v: string): boolean {
  if (v === '') return true;
  if (/^[ \t]|[ \t]$/.test(v)) return true;
  if (v.startsWith('=?base64?') && v.endsWith('?=')) return true;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x09) continue; // an inner tab is a valid field value
    if (c < 0x20 || c > 0x7e) return true;
  }
  return false;
}

/** `Mcp-Param-*` for a call's arguments; values that are absent, null or not of the declared type give no header. */
export function paramHeaders(params: readonly HeaderParam[], args: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of params) {
    let v: unknown = args;
    for (const k of p.path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    let text: string | undefined;
    if (typeof v === 'string') text = v;
    else if (typeof v === 'boolean') text = v ? 'true' : 'false';
    else if (typeof v === 'number' && Number.isFinite(v) && (p.type !== 'integer' || Number.isSafeInteger(v))) text = String(v);
    if (text !== undefined) out[`mcp-param-${p.header.toLowerCase()}`] = encodeHeaderValue(text);
  }
  return out;
}

/** The standard headers of one request. */
export function standardHeaders(version: string, method: string, params: Record<string, unknown> | undefined): Record<string, string> {
  const h: Record<string, string> = { [PROTOCOL_VERSION_HEADER]: version, 'mcp-method': method };
  const source = NAME_SOURCE[method];
  const name = source ? params?.[source] : undefined;
  if (typeof name === 'string') h['mcp-name'] = encodeHeaderValue(name);
  return h;
}
