// Reading a JSON Schema for a form: local `$ref`s followed (resolveLocalRef, the schema
// itself is never changed), `allOf` merged, the null alternative taken out as a flag, and
// the shape a field takes decided (string, enum, object, variant, ...).

import { resolveLocalRef } from '../../protocol/schemaRefs.ts';
import { isPlainObject, type Choice, type Schema } from './types.ts';

export interface Resolved {
  /** Dereferenced, merged, null-stripped. Shared (memoized): never mutate it. */
  schema: Schema;
  nullable: boolean;
  /** The `$ref`s followed to get here: a recursive schema shows itself by repeating one. */
  refs: readonly string[];
  /** A `$ref` that points outside the document (never fetched). */
  unresolved?: string;
}

export type Shape =
  | { kind: 'json'; reason: string }
  | { kind: 'const'; value: unknown }
  | { kind: 'enum'; choices: Choice[] }
  | { kind: 'variant' }
  | { kind: 'multiEnum'; choices: Choice[] }
  | { kind: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' };

export interface VariantInfo {
  label: string;
  schema: Schema;
  /** Its index in the schema's `oneOf`/`anyOf` (-1 for a variant of a `type` list). */
  index: number;
}

/** Memo tables keyed by the root schema, then by a schema object inside it. */
function memoTable<V>(): (root: Schema, key: Schema, make: () => V) => V {
  const roots = new WeakMap<Schema, WeakMap<Schema, V>>();
  return (root, key, make) => {
    let table = roots.get(root);
    if (!table) roots.set(root, table = new WeakMap());
    if (table.has(key)) return table.get(key)!;
    const v = make();
    table.set(key, v);
    return v;
  };
}

/** `true`, an absent schema, anything not an object → `{}`; `false` → `{not: {}}`. */
export function asSchema(s: unknown): Schema {
  if (s === false) return { not: {} };
  return isPlainObject(s) ? s : {};
}

const resolveMemo = memoTable<Resolved>();

/** The schema as a form reads it. */
export function resolve(root: Schema, raw: unknown): Resolved {
  const s = asSchema(raw);
  if (raw === false || !isPlainObject(raw)) return resolveUncached(root, s, 0);
  return resolveMemo(root, s, () => resolveUncached(root, s, 0));
}

function resolveUncached(root: Schema, raw: Schema, depth: number): Resolved {
  let s = raw;
  const refs: string[] = [];
  if (typeof s.$ref === 'string') {
    refs.push(s.$ref);
    s = resolveLocalRef(root, s);
    if (typeof s.$ref === 'string') return { schema: s, nullable: false, refs, unresolved: s.$ref };
  }
  let allNullable: boolean | undefined;
  if (Array.isArray(s.allOf) && s.allOf.length && depth < 32) {
    const { allOf, ...base } = s;
    let merged: Schema = base;
    allNullable = true;
    for (const member of allOf as unknown[]) {
      const m = resolveUncached(root, asSchema(member), depth + 1);
      if (m.unresolved) return { schema: s, nullable: false, refs: [...refs, ...m.refs], unresolved: m.unresolved };
      refs.push(...m.refs);
      allNullable &&= m.nullable;
      merged = mergeSchemas(merged, m.schema);
    }
    s = merged;
  }
  const stripped = stripNull(root, s, depth);
  // Null passes an allOf only if every member lets it through.
  const nullable = allNullable === undefined ? stripped.nullable : allNullable && (stripped.nullable || s.type === undefined);
  return { schema: stripped.schema, nullable, refs: [...refs, ...stripped.refs] };
}

function isNullSchema(root: Schema, b: unknown): boolean {
  const s = isPlainObject(b) && typeof b.$ref === 'string' ? resolveLocalRef(root, b) : asSchema(b);
  return s.type === 'null' || (Object.hasOwn(s, 'const') && s.const === null) || (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null);
}

function stripNull(root: Schema, input: Schema, depth: number): { schema: Schema; nullable: boolean; refs: string[] } {
  let s = input;
  let nullable = false;
  const refs: string[] = [];
  const edit = () => { if (s === input) s = { ...input }; return s; };
  if (s.nullable === true) { nullable = true; delete edit().nullable; }
  if (Array.isArray(s.type) && s.type.includes('null')) {
    nullable = true;
    const rest = (s.type as unknown[]).filter(t => t !== 'null');
    edit().type = rest.length === 0 ? 'null' : rest.length === 1 ? rest[0] : rest;
  }
  if (Array.isArray(s.enum) && s.enum.includes(null) && s.enum.some(v => v !== null)) {
    nullable = true;
    edit().enum = (s.enum as unknown[]).filter(v => v !== null);
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = s[key];
    if (!Array.isArray(list) || !list.some(b => isNullSchema(root, b))) continue;
    nullable = true;
    const rest = list.filter(b => !isNullSchema(root, b));
    if (rest.length === 0) {
      const { [key]: _gone, ...base } = s;
      s = { ...base, type: 'null' };
    } else if (rest.length === 1 && depth < 32) {
      // `anyOf: [X, {type: 'null'}]` is X that may be null: read X, with the outer keywords winning.
      const { [key]: _gone, ...base } = s;
      const inner = resolveUncached(root, asSchema(rest[0]), depth + 1);
      refs.push(...inner.refs);
      s = mergeSchemas(base, inner.schema);
      nullable = true;
    }
    // Several non-null alternatives stay a variant; the null ones are skipped there.
  }
  return { schema: s, nullable, refs };
}

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];

/** Two schemas a value must both satisfy, as one (for a form: `a`'s words win, properties are united). */
export function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...b, ...a };
  const pa = isPlainObject(a.properties) ? a.properties : undefined;
  const pb = isPlainObject(b.properties) ? b.properties : undefined;
  if (pa && pb) {
    const props: Record<string, unknown> = { ...pa };
    for (const [k, v] of Object.entries(pb)) props[k] = Object.hasOwn(pa, k) ? { allOf: [pa[k], v] } : v;
    out.properties = props;
  }
  if (Array.isArray(a.required) && Array.isArray(b.required)) out.required = [...new Set([...a.required, ...b.required])];
  if (a.type !== undefined && b.type !== undefined && a.type !== b.type) {
    const ta = Array.isArray(a.type) ? a.type : [a.type];
    const tb = Array.isArray(b.type) ? b.type : [b.type];
    const both = new Set<unknown>();
    for (const t of ta) {
      if (tb.includes(t)) both.add(t);
      else if ((t === 'integer' && tb.includes('number')) || (t === 'number' && tb.includes('integer'))) both.add('integer');
    }
    const list = [...both];
    out.type = list.length === 1 ? list[0] : list.length ? list : a.type;
  }
  if (Array.isArray(a.enum) && Array.isArray(b.enum)) out.enum = a.enum.filter(v => (b.enum as unknown[]).includes(v));
  for (const k of LOWER_BOUNDS) if (typeof a[k] === 'number' && typeof b[k] === 'number') out[k] = Math.max(a[k] as number, b[k] as number);
  for (const k of UPPER_BOUNDS) if (typeof a[k] === 'number' && typeof b[k] === 'number') out[k] = Math.min(a[k] as number, b[k] as number);
  if (a.additionalProperties === false || b.additionalProperties === false) out.additionalProperties = false;
  return out;
}

const OBJECT_WORDS = ['properties', 'additionalProperties', 'patternProperties', 'required', 'minProperties', 'maxProperties', 'propertyNames'];
const ARRAY_WORDS = ['items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'contains', 'additionalItems'];
const STRING_WORDS = ['minLength', 'maxLength', 'pattern', 'format', 'contentMediaType'];
const NUMBER_WORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];

/** The one JSON type a schema asks for (declared, or told by its keywords). */
export function typeOf(s: Schema): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) return s.type.length === 1 && typeof s.type[0] === 'string' ? s.type[0] : undefined;
  const has = (words: string[]) => words.some(w => s[w] !== undefined);
  if (has(OBJECT_WORDS)) return 'object';
  if (has(ARRAY_WORDS)) return 'array';
  if (has(STRING_WORDS)) return 'string';
  if (has(NUMBER_WORDS)) return 'number';
  return undefined;
}

const TYPE_LABELS: Record<string, string> = { string: 'Text', number: 'Number', integer: 'Integer', boolean: 'True / false', object: 'Object', array: 'List', null: 'Null' };
export const typeLabel = (t: string): string => TYPE_LABELS[t] ?? t;

function str(v: unknown): string | undefined { return typeof v === 'string' && v !== '' ? v : undefined; }

export function choiceLabel(v: unknown): string { return typeof v === 'string' ? v : JSON.stringify(v); }

/** `enum` (with `enumNames`, the legacy titles) or `oneOf`/`anyOf` of titled consts (SEP-1330). */
export function choicesOf(root: Schema, s: Schema): Choice[] | undefined {
  if (Array.isArray(s.enum) && s.enum.length) {
    const names = Array.isArray(s.enumNames) ? s.enumNames : Array.isArray(s['x-enumNames']) ? s['x-enumNames'] as unknown[] : [];
    const descriptions = Array.isArray(s.enumDescriptions) ? s.enumDescriptions : [];
    return (s.enum as unknown[]).map((value, i) => withDescription({ value, label: str(names[i]) ?? choiceLabel(value) }, descriptions[i]));
  }
  for (const key of ['oneOf', 'anyOf']) {
    const list = s[key];
    if (!Array.isArray(list) || !list.length) continue;
    const branches = list.filter(b => !isNullSchema(root, b)).map(b => isPlainObject(b) && typeof b.$ref === 'string' ? resolveLocalRef(root, b) : asSchema(b));
    if (!branches.length || !branches.every(b => Object.hasOwn(b, 'const'))) continue;
    return branches.map(b => withDescription({ value: b.const, label: str(b.title) ?? choiceLabel(b.const) }, b.description));
  }
  return undefined;
}

function withDescription(c: Choice, d: unknown): Choice {
  if (typeof d === 'string' && d) c.description = d;
  return c;
}

/** The shape of the field a resolved schema gives. */
export function shapeOf(root: Schema, r: Resolved): Shape {
  const s = r.schema;
  if (r.unresolved) return { kind: 'json', reason: 'unresolved $ref' };
  if (Object.hasOwn(s, 'const')) return { kind: 'const', value: s.const };
  const choices = choicesOf(root, s);
  if (choices) return { kind: 'enum', choices };
  if (Array.isArray(s.type) && s.type.length > 1) return { kind: 'variant' };
  if ((Array.isArray(s.oneOf) && s.oneOf.length) || (Array.isArray(s.anyOf) && s.anyOf.length)) return { kind: 'variant' };
  const t = typeOf(s);
  switch (t) {
    case 'null': return { kind: 'const', value: null };
    case 'string': case 'number': case 'integer': case 'boolean': case 'object': return { kind: t };
    case 'array': {
      if (isPlainObject(s.items) && !Array.isArray(s.prefixItems)) {
        const items = resolve(root, s.items).schema;
        const itemChoices = choicesOf(root, items);
        if (itemChoices && itemChoices.every(c => c.value === null || typeof c.value !== 'object')) return { kind: 'multiEnum', choices: itemChoices };
      }
      return { kind: 'array' };
    }
  }
  if (isPlainObject(s.not)) return { kind: 'json', reason: Object.keys(s.not).length ? 'not' : 'nothing allowed' };
  if (s.if !== undefined) return { kind: 'json', reason: 'if/then/else' };
  return { kind: 'json', reason: 'no schema' };
}

const variantMemo = { auto: memoTable<VariantInfo[]>(), oneOf: memoTable<VariantInfo[]>(), anyOf: memoTable<VariantInfo[]>() };

/**
 * The alternatives of a variant field: a `type` list, or `oneOf`/`anyOf` (`which`, else
 * `oneOf` when there is one) merged with the keywords around them. Null alternatives are
 * left out (the field is nullable instead).
 */
export function variantsOf(root: Schema, s: Schema, which?: 'oneOf' | 'anyOf'): VariantInfo[] {
  return variantMemo[which ?? 'auto'](root, s, () => {
    if (!which && Array.isArray(s.type) && s.type.length > 1) {
      const { title: _t, description: _d, default: _v, ...base } = s;
      return (s.type as string[]).map(t => ({ label: typeLabel(t), schema: { ...base, type: t }, index: -1 }));
    }
    const key = which ?? (Array.isArray(s.oneOf) && s.oneOf.length ? 'oneOf' : 'anyOf');
    const list = Array.isArray(s[key]) ? s[key] as unknown[] : [];
    const { oneOf: _o, anyOf: _a, title: _t, description: _d, default: _v, ...base } = s;
    if (!which && key === 'anyOf' && Array.isArray(s.oneOf)) (base as Schema).oneOf = s.oneOf;
    const out: VariantInfo[] = [];
    list.forEach((branch, index) => {
      if (isNullSchema(root, branch)) return;
      const rb = resolve(root, branch);
      const schema = mergeSchemas(rb.schema, base);
      const discriminator = [...constProperties(root, schema).values()].find(v => typeof v === 'string');
      const t = typeOf(schema);
      out.push({ label: str(rb.schema.title) ?? (discriminator as string | undefined) ?? (t ? typeLabel(t) : `Option ${out.length + 1}`), schema, index });
    });
    const counts = new Map<string, number>();
    for (const v of out) counts.set(v.label, (counts.get(v.label) ?? 0) + 1);
    out.forEach((v, i) => { if (counts.get(v.label)! > 1) v.label = `${v.label} (${i + 1})`; });
    return out;
  });
}

/** Properties whose schema fixes their value (`const`, a one-value `enum`): what discriminates variants. */
export function constProperties(root: Schema, s: Schema): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isPlainObject(s.properties)) return out;
  for (const [k, p] of Object.entries(s.properties)) {
    const rp = resolve(root, p).schema;
    if (Object.hasOwn(rp, 'const')) out.set(k, rp.const);
    else if (Array.isArray(rp.enum) && rp.enum.length === 1) out.set(k, rp.enum[0]);
  }
  return out;
}

/** The schema of a child: a property (named, by pattern, or additional) or an array position. */
export function childSchema(s: Schema, key: string | number): unknown {
  if (typeof key === 'number' || /^\d+$/.test(String(key))) {
    const i = Number(key);
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
    if (prefix) {
      if (i < prefix.length) return prefix[i];
      return Array.isArray(s.prefixItems) ? s.items ?? true : s.additionalItems ?? true;
    }
    if (s.items !== undefined) return s.items;
  }
  const k = String(key);
  if (isPlainObject(s.properties) && Object.hasOwn(s.properties, k)) return s.properties[k];
  if (isPlainObject(s.patternProperties)) {
    for (const [pattern, sub] of Object.entries(s.patternProperties)) {
      try { if (new RegExp(pattern, 'u').test(k)) return sub; } catch { /* a pattern JavaScript cannot read */ }
    }
  }
  return s.additionalProperties ?? true;
}
