// The JSON Schema validator the core uses (@cfworker/json-schema), compiled once per schema.
// It is given a copy: it marks the schema objects it walks, and the tool's schema is not ours
// to touch. OpenAPI's `nullable: true` becomes a `null` alternative on the copy, so a form
// that offers "null" for such a field does not then call null wrong.

import { Validator, type OutputUnit, type SchemaDraft } from '@cfworker/json-schema';
import { isPlainObject, type Schema } from './types.ts';

/** The draft `$schema` names; 2020-12 when it names none (the MCP default). */
export function draftOf(root: Schema): SchemaDraft {
  const id = typeof root.$schema === 'string' ? root.$schema : '';
  if (/draft-0?4\b/.test(id)) return '4';
  if (/draft-0?[67]\b/.test(id)) return '7';
  if (id.includes('2019-09')) return '2019-09';
  return '2020-12';
}

const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMAS = ['items', 'additionalItems', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'not', 'if', 'then', 'else', 'contains', 'propertyNames'];

/** In place, on a copy: `nullable: true` (OpenAPI 3.0) as JSON Schema says it. */
function openApiNullable(s: unknown, depth = 0): void {
  if (!isPlainObject(s) || depth > 256) return;
  if (s.nullable === true) {
    if (typeof s.type === 'string' && s.type !== 'null') s.type = [s.type, 'null'];
    else if (Array.isArray(s.type) && !s.type.includes('null')) s.type = [...s.type, 'null'];
    if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null];
  }
  for (const k of SUBSCHEMA_MAPS) if (isPlainObject(s[k])) for (const v of Object.values(s[k] as object)) openApiNullable(v, depth + 1);
  for (const k of SUBSCHEMA_LISTS) if (Array.isArray(s[k])) for (const v of s[k] as unknown[]) openApiNullable(v, depth + 1);
  for (const k of SUBSCHEMAS) openApiNullable(s[k], depth + 1);
  if (Array.isArray(s.items)) for (const v of s.items) openApiNullable(v, depth + 1);
}

export interface Compiled {
  /** The copy the validator walks (keyword locations point into it). */
  schema: Schema;
  validate(value: unknown): { valid: boolean; errors: OutputUnit[] };
}

const compiled = new WeakMap<Schema, WeakMap<Schema, Compiled | Error>>();

/**
 * A validator of `schema` (the root itself, or a part of it whose `$ref`s point into the
 * root's `$defs`/`definitions`). Throws if the validator cannot read the schema.
 */
export function compile(root: Schema, schema: Schema = root): Compiled {
  let table = compiled.get(root);
  if (!table) compiled.set(root, table = new WeakMap());
  let c = table.get(schema);
  if (!c) {
    try {
      const copy = structuredClone(schema === root ? root : { ...schema, $schema: root.$schema, $defs: schema.$defs ?? root.$defs, definitions: schema.definitions ?? root.definitions }) as Schema;
      for (const k of ['$schema', '$defs', 'definitions']) if (copy[k] === undefined) delete copy[k];
      if (JSON.stringify(copy).includes('"nullable":true')) openApiNullable(copy);
      const v = new Validator(copy as object, draftOf(root), false);
      c = { schema: copy, validate: value => v.validate(value) };
    } catch (err) {
      c = err instanceof Error ? err : new Error(String(err));
    }
    table.set(schema, c);
  }
  if (c instanceof Error) throw c;
  return c;
}

/** JSON as the validator sees it: no `undefined` anywhere (it cannot walk one). */
export function plainJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value)) as unknown;
}

/** Whether `value` satisfies `schema` (a part of `root`); false when it cannot be checked. */
export function satisfies(root: Schema, schema: Schema, value: unknown): boolean {
  return errorCount(root, schema, value) === 0;
}

/** Leaf errors of `value` against `schema` (wrappers that only say "a part failed" not counted). */
export function errorCount(root: Schema, schema: Schema, value: unknown): number {
  if (value === undefined) return Infinity;
  try {
    const r = compile(root, schema).validate(plainJson(value));
    return r.valid ? 0 : r.errors.filter(e => !WRAPPERS.has(e.keyword)).length || 1;
  } catch {
    return Infinity;
  }
}

/** Keywords whose error only says that something inside failed. */
export const WRAPPERS = new Set(['properties', 'items', 'prefixItems', 'additionalItems', 'patternProperties', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', '$ref', '$recursiveRef', 'allOf', 'dependentSchemas', 'then', 'else']);
