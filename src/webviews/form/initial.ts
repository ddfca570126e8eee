// The value a new form starts from: defaults prefilled (SEP-1034 for elicitation), consts
// set, required nested objects created; an optional field without a default is left out,
// and so is a required one the user has to choose (a string, a number, an enum, a list).

import { asSchema, resolve, shapeOf, variantsOf, type Resolved } from './schema.ts';
import { isPlainObject, type Schema } from './types.ts';

const MAX_DEPTH = 32;

export function initialValue(schema: Schema, root: Schema = schema): unknown {
  return initial(root, resolve(root, schema), [], 0, true);
}

/** The value to start from once a nullable field is switched from null back to a value. */
export function initialNonNull(schema: Schema, root: Schema): unknown {
  const r = resolve(root, schema);
  return initial(root, r, [], 0, false);
}

const clone = <T>(v: T): T => v === undefined ? v : structuredClone(v);

function initial(root: Schema, r: Resolved, stack: readonly string[], depth: number, useNullDefault: boolean): unknown {
  const s = r.schema;
  if (s.default !== undefined && (s.default !== null || useNullDefault)) return clone(s.default);
  const shape = shapeOf(root, r);
  switch (shape.kind) {
    case 'const': return clone(shape.value);
    case 'enum': return clone(shape.choices[0]?.value);
    case 'string': return '';
    case 'boolean': return false;
    case 'number': case 'integer': return lowest(s, shape.kind === 'integer');
    case 'multiEnum': case 'array': return [];
    case 'json': return undefined;
    case 'variant': {
      const first = variantsOf(root, s)[0];
      return first && depth < MAX_DEPTH ? initial(root, resolve(root, first.schema), stack, depth + 1, true) : undefined;
    }
    case 'object': return initialObject(root, s, [...stack, ...r.refs], depth);
  }
}

function lowest(s: Schema, integer: boolean): number {
  const step = typeof s.multipleOf === 'number' && s.multipleOf > 0 ? s.multipleOf : integer ? 1 : undefined;
  let n: number;
  if (typeof s.minimum === 'number') n = s.exclusiveMinimum === true ? s.minimum + (step ?? 1) : s.minimum;
  else if (typeof s.exclusiveMinimum === 'number') n = s.exclusiveMinimum + (step ?? 1);
  else n = 0;
  if (integer) n = Math.ceil(n);
  if (step && n % step !== 0) n = Math.ceil(n / step) * step;
  if (typeof s.maximum === 'number' && n > s.maximum) n = s.maximum;
  return n;
}

/** A required property worth creating without asking: an object, or a choice between objects. */
function createsItself(root: Schema, r: Resolved): boolean {
  const shape = shapeOf(root, r);
  if (shape.kind === 'object') return true;
  if (shape.kind !== 'variant') return false;
  const variants = variantsOf(root, r.schema);
  return variants.length > 0 && variants.every(v => shapeOf(root, resolve(root, v.schema)).kind === 'object');
}

function initialObject(root: Schema, s: Schema, stack: readonly string[], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = isPlainObject(s.properties) ? s.properties : {};
  const required = Array.isArray(s.required) ? s.required : [];
  for (const [name, raw] of Object.entries(props)) {
    const r = resolve(root, asSchema(raw));
    let v: unknown;
    if (r.schema.default !== undefined) v = clone(r.schema.default);
    else if (Object.hasOwn(r.schema, 'const')) v = clone(r.schema.const);
    else if (required.includes(name) && depth < MAX_DEPTH && !r.refs.some(ref => stack.includes(ref)) && createsItself(root, r)) {
      v = initial(root, r, stack, depth + 1, true);
    }
    if (v !== undefined) Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
