// The field tree of (schema, value). Built anew after every edit; it holds no state of its own.
// Building always ends: an absent value is not expanded past the depth limit or into a
// `$ref` already being expanded above it, and a present value deeper than the limit is
// shown as JSON.

import { childSchema, resolve, shapeOf, variantsOf, type Resolved } from './schema.ts';
import { pickVariant } from './select.ts';
import {
  isPlainObject, pointerOf, type BuildOptions, type Field, type JsonField, type NumberField, type Path, type Schema, type StringField,
} from './types.ts';

interface Context {
  root: Schema;
  maxDepth: number;
  rootLabel: string;
  hints?: ReadonlyMap<string, number>;
}

interface At {
  path: Path;
  raw: unknown;
  value: unknown;
  present: boolean;
  required: boolean;
  name?: string;
  index?: number;
  depth: number;
  /** `$ref`s expanded by the absent objects above (a recursive schema stops at the first repeat). */
  absentRefs: readonly string[];
}

export function buildForm(root: Schema, value: unknown, options: BuildOptions = {}): Field {
  const ctx: Context = { root, maxDepth: options.maxDepth ?? 12, rootLabel: options.rootLabel ?? 'Value', hints: options.variantHints };
  return build(ctx, { path: [], raw: root, value, present: value !== undefined, required: false, depth: 0, absentRefs: [] });
}

const str = (v: unknown): string | undefined => typeof v === 'string' && v !== '' ? v : undefined;
const num = (v: unknown): number | undefined => typeof v === 'number' && Number.isFinite(v) ? v : undefined;

function base(ctx: Context, at: At, r: Resolved) {
  const s = r.schema;
  const label = str(s.title) ?? at.name ?? (at.index !== undefined ? `Item ${at.index + 1}` : at.path.length === 0 ? ctx.rootLabel : String(at.path.at(-1)));
  return {
    path: at.path,
    pointer: pointerOf(at.path),
    ...(at.name !== undefined ? { name: at.name } : {}),
    label,
    ...(str(s.description) ? { description: s.description as string } : {}),
    required: at.required,
    nullable: r.nullable,
    isNull: at.present && at.value === null,
    present: at.present,
    readOnly: s.readOnly === true,
    deprecated: s.deprecated === true,
    ...(s.default !== undefined ? { defaultValue: s.default } : {}),
    schema: s,
  };
}

/** A present, non-null value of the JSON type the field edits (otherwise it is shown as JSON). */
function fits(kind: string, v: unknown): boolean {
  switch (kind) {
    case 'string': return typeof v === 'string';
    case 'number': case 'integer': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'object': return isPlainObject(v);
    case 'array': case 'multiEnum': return Array.isArray(v);
    default: return true;
  }
}

function build(ctx: Context, at: At): Field {
  const r = resolve(ctx.root, at.raw);
  const s = r.schema;
  const b = base(ctx, at, r);
  const json = (reason: string): JsonField => ({ ...b, kind: 'json', ...(at.present ? { value: at.value } : {}), reason });
  if (at.present && at.depth > ctx.maxDepth) return json('recursion depth');
  const shape = shapeOf(ctx.root, r);
  const isNull = at.present && at.value === null;
  // A null the schema does not allow: shown as it is (there is no null toggle to undo it).
  const takesNull = shape.kind === 'json' || (shape.kind === 'const' && shape.value === null) || (shape.kind === 'enum' && shape.choices.some(c => c.value === null));
  if (isNull && !r.nullable && !takesNull) return json('value does not fit the schema');
  const has = at.present && !isNull;
  if (has && !fits(shape.kind, at.value)) return json('value does not fit the schema');
  const v = has ? at.value : undefined;
  switch (shape.kind) {
    case 'json': return json(shape.reason);
    case 'const': return { ...b, kind: 'const', value: shape.value };
    case 'boolean': return { ...b, kind: 'boolean', ...(v !== undefined ? { value: v as boolean } : {}) };
    case 'enum': return { ...b, kind: 'enum', ...(v !== undefined ? { value: v } : {}), choices: shape.choices };
    case 'string': return stringField(b, s, v as string | undefined);
    case 'number': case 'integer': return numberField(b, s, shape.kind, v as number | undefined);
    case 'multiEnum':
      return {
        ...b, kind: 'multiEnum', value: (v as unknown[] | undefined) ?? [], choices: shape.choices,
        ...(num(s.minItems) !== undefined ? { minItems: s.minItems as number } : {}),
        ...(num(s.maxItems) !== undefined ? { maxItems: s.maxItems as number } : {}),
      };
    case 'object': return objectField(ctx, at, r, b, v as Record<string, unknown> | undefined);
    case 'array': return arrayField(ctx, at, b, s, v as unknown[] | undefined);
    case 'variant': {
      const variants = variantsOf(ctx.root, s);
      const selected = has ? pickVariant(ctx.root, variants, at.value, ctx.hints?.get(b.pointer)) : -1;
      const chosen = selected >= 0 ? variants[selected] : undefined;
      const field = chosen && build(ctx, { ...at, raw: chosen.schema, depth: at.depth + 1 });
      return { ...b, kind: 'variant', variants: variants.map(x => ({ label: x.label, schema: x.schema })), selected, ...(field ? { field } : {}) };
    }
  }
}

function inputTypeOf(s: Schema): StringField['inputType'] {
  if (s.format === 'password' || s.writeOnly === true) return 'password';
  switch (s.format) {
    case 'uri': case 'url': case 'iri': return 'url';
    case 'email': case 'idn-email': return 'email';
    case 'date': return 'date';
    case 'date-time': return 'datetime-local';
    case 'time': return 'time';
    default: return 'text';
  }
}

const MULTILINE_FORMATS = new Set(['textarea', 'multiline', 'markdown']);

function stringField(b: ReturnType<typeof base>, s: Schema, value: string | undefined): StringField {
  const inputType = inputTypeOf(s);
  const maxLength = num(s.maxLength);
  const multiline = inputType === 'text' && (
    s.contentMediaType !== undefined || MULTILINE_FORMATS.has(String(s.format)) || s['x-multiline'] === true
    || (maxLength ?? 0) > 256 || !!value?.includes('\n') || (typeof s.default === 'string' && s.default.includes('\n')));
  return {
    ...b, kind: 'string', ...(value !== undefined ? { value } : {}),
    ...(str(s.format) ? { format: s.format as string } : {}),
    multiline, inputType,
    ...(num(s.minLength) !== undefined ? { minLength: s.minLength as number } : {}),
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(str(s.pattern) ? { pattern: s.pattern as string } : {}),
  };
}

function numberField(b: ReturnType<typeof base>, s: Schema, kind: 'number' | 'integer', value: number | undefined): NumberField {
  let minimum = num(s.minimum), maximum = num(s.maximum);
  let exclusiveMinimum = num(s.exclusiveMinimum), exclusiveMaximum = num(s.exclusiveMaximum);
  // Draft 4: a boolean that makes minimum/maximum exclusive.
  if (s.exclusiveMinimum === true && minimum !== undefined) { exclusiveMinimum = minimum; minimum = undefined; }
  if (s.exclusiveMaximum === true && maximum !== undefined) { exclusiveMaximum = maximum; maximum = undefined; }
  const step = num(s.multipleOf) ?? (kind === 'integer' ? 1 : undefined);
  return {
    ...b, kind, ...(value !== undefined ? { value } : {}),
    ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}),
    ...(exclusiveMinimum !== undefined ? { exclusiveMinimum } : {}), ...(exclusiveMaximum !== undefined ? { exclusiveMaximum } : {}),
    ...(step !== undefined ? { step } : {}),
  };
}

function objectField(ctx: Context, at: At, r: Resolved, b: ReturnType<typeof base>, obj: Record<string, unknown> | undefined): Field {
  const s = r.schema;
  const props = isPlainObject(s.properties) ? s.properties : {};
  const required = Array.isArray(s.required) ? s.required.filter((k): k is string => typeof k === 'string') : [];
  const names = [...Object.keys(props), ...required.filter(k => !Object.hasOwn(props, k))];
  const recursive = r.refs.some(ref => at.absentRefs.includes(ref));
  const expand = obj !== undefined || (!(at.present && at.value === null) && at.depth < ctx.maxDepth && !recursive);
  const absentRefs = obj === undefined ? [...at.absentRefs, ...r.refs] : at.absentRefs;
  const child = (name: string): At => ({
    path: [...at.path, name], raw: childSchema(s, name), value: obj?.[name], present: obj !== undefined && Object.hasOwn(obj, name),
    required: required.includes(name), name, depth: at.depth + 1, absentRefs,
  });
  const fields = expand ? names.map(n => build(ctx, child(n))) : [];
  const extra: Field[] = [];
  if (obj) {
    for (const key of Object.keys(obj)) {
      if (names.includes(key)) continue;
      const c = child(key);
      const cr = resolve(ctx.root, c.raw);
      extra.push({ ...base(ctx, c, cr), label: key, kind: 'json', value: obj[key], reason: 'additional property' });
    }
  }
  const extraSchema = isPlainObject(s.additionalProperties) ? resolve(ctx.root, s.additionalProperties).schema : undefined;
  return {
    ...b, kind: 'object', fields, extra,
    allowsExtra: s.additionalProperties !== false && s.unevaluatedProperties !== false,
    ...(extraSchema ? { extraSchema } : {}),
  };
}

function arrayField(ctx: Context, at: At, b: ReturnType<typeof base>, s: Schema, arr: unknown[] | undefined): Field {
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
  const rest = prefix ? (Array.isArray(s.prefixItems) ? s.items : s.additionalItems) : s.items;
  const items = (arr ?? []).map((value, i) => build(ctx, {
    path: [...at.path, i], raw: childSchema(s, i), value, present: true, required: false, index: i, depth: at.depth + 1, absentRefs: at.absentRefs,
  }));
  const len = arr?.length ?? 0;
  const minItems = num(s.minItems), maxItems = num(s.maxItems);
  return {
    ...b, kind: 'array', items,
    ...(minItems !== undefined ? { minItems } : {}), ...(maxItems !== undefined ? { maxItems } : {}),
    canAdd: (maxItems === undefined || len < maxItems) && (!prefix || len < prefix.length || rest !== false),
    canRemove: len > (minItems ?? 0),
    uniqueItems: s.uniqueItems === true,
    tuple: prefix !== undefined,
  };
}
