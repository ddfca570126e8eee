// Arguments on their way into the history (or a copied command line) lose the values
// their tool's input schema calls secret: `format: "password"` or `writeOnly: true`, at any
// depth — through nested objects and arrays, `$ref`s within the schema, and
// `allOf`/`anyOf`/`oneOf`/`if`-`then`-`else` (a property one branch calls secret is
// secret). The arguments themselves are never changed: changed parts are copied.

import { resolveLocalRef } from '../../protocol/schemaRefs.ts';

export const REDACTED = '••••';

type Schema = Record<string, unknown>;

/** Subschemas looked at for one value, at most (a schema that refers to itself ends here). */
const MAX_SCHEMAS_PER_VALUE = 64;
/** Values deeper than this are left as they are (no tool schema nests that far). */
const MAX_DEPTH = 64;

const isSchema = (s: unknown): s is Schema => !!s && typeof s === 'object' && !Array.isArray(s);

/** `schema` and every subschema that applies to the same value, references resolved. */
function applicable(root: Schema, schemas: unknown[]): Schema[] {
  const out: Schema[] = [];
  const queue = schemas.slice();
  while (queue.length && out.length < MAX_SCHEMAS_PER_VALUE) {
    const next = queue.shift();
    if (!isSchema(next)) continue;
    const s = resolveLocalRef(root, next);
    out.push(s);
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(s[k])) queue.push(...(s[k] as unknown[]));
    if (s.then !== undefined) queue.push(s.then);
    if (s.else !== undefined) queue.push(s.else);
  }
  return out;
}

const isSecret = (s: Schema): boolean => s.writeOnly === true || s.format === 'password';

function propertySchemas(schemas: Schema[], key: string): unknown[] {
  const out: unknown[] = [];
  for (const s of schemas) {
    let matched = false;
    const props = s.properties;
    if (isSchema(props) && Object.hasOwn(props, key)) { out.push(props[key]); matched = true; }
    if (isSchema(s.patternProperties)) {
      for (const [pattern, sub] of Object.entries(s.patternProperties)) {
        let re: RegExp;
        try { re = new RegExp(pattern, 'u'); } catch { continue; }
        if (re.test(key)) { out.push(sub); matched = true; }
      }
    }
    if (!matched && isSchema(s.additionalProperties)) out.push(s.additionalProperties);
  }
  return out;
}

function itemSchemas(schemas: Schema[], index: number): unknown[] {
  const out: unknown[] = [];
  for (const s of schemas) {
    // 2020-12: prefixItems + items; draft-07: items as an array + additionalItems.
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
    if (prefix && index < prefix.length) out.push(prefix[index]);
    else if (prefix && !Array.isArray(s.prefixItems)) out.push(s.additionalItems);
    else if (isSchema(s.items)) out.push(s.items);
  }
  return out;
}

function redact(root: Schema, value: unknown, schemaList: unknown[], depth: number): unknown {
  if (value === undefined || value === null || depth > MAX_DEPTH) return value;
  const schemas = applicable(root, schemaList);
  if (!schemas.length) return value;
  if (schemas.some(isSecret)) return REDACTED;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const sub = itemSchemas(schemas, i);
      if (!sub.length) continue;
      const r = redact(root, value[i], sub, depth + 1);
      if (r !== value[i]) (copy ??= value.slice())[i] = r;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const sub = propertySchemas(schemas, key);
    if (!sub.length) continue;
    const r = redact(root, obj[key], sub, depth + 1);
    // defineProperty: a key "__proto__" (JSON.parse makes it an own property) must stay a key.
    if (r !== obj[key]) Object.defineProperty(copy ??= { ...obj }, key, { value: r, writable: true, enumerable: true, configurable: true });
  }
  return copy ?? value;
}

/** `args` with the values of secret properties (per `inputSchema`) replaced by REDACTED. */
export function redactArgs(inputSchema: Record<string, unknown> | undefined, args: Record<string, unknown>): Record<string, unknown> {
  if (!isSchema(inputSchema) || !args || typeof args !== 'object') return args;
  const r = redact(inputSchema, args, [inputSchema], 0);
  return r && typeof r === 'object' ? r as Record<string, unknown> : {};
}

/** Whether `args` (from the history) hold a redacted value: re-running them needs the secret again. */
export function hasRedacted(args: unknown): boolean {
  const stack: unknown[] = [args];
  while (stack.length) {
    const v = stack.pop();
    if (v === REDACTED) return true;
    if (v && typeof v === 'object') stack.push(...(Array.isArray(v) ? v : Object.values(v)));
  }
  return false;
}

/**
 * `args` with every REDACTED value taken out (an object's key deleted, an array's item
 * dropped): what a form may be filled with from the history — the secret field shows empty
 * (and required, if it is), never the mask, which would be sent as the password.
 */
export function withoutRedacted<T>(args: T): T {
  const strip = (v: unknown, depth: number): unknown => {
    if (!v || typeof v !== 'object' || depth > MAX_DEPTH) return v;
    if (Array.isArray(v)) return v.filter(x => x !== REDACTED).map(x => strip(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === REDACTED) continue;
      Object.defineProperty(out, k, { value: strip(x, depth + 1), writable: true, enumerable: true, configurable: true });
    }
    return out;
  };
  return strip(args, 0) as T;
}

/** `args` without the values of secret properties: for state that is written to disk (a webview's). */
export function withoutSecrets(inputSchema: Record<string, unknown> | undefined, args: Record<string, unknown>): Record<string, unknown> {
  return withoutRedacted(redactArgs(inputSchema, args));
}
