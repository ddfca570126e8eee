// The form model's shapes: a JSON Schema, a path into the value, and the field tree a
// renderer draws. The tree is derived from (schema, value) each time; the value is the state.

export type Schema = Record<string, unknown>;
export type Path = readonly (string | number)[];

export interface Choice { value: unknown; label: string; description?: string }

interface FieldBase {
  path: Path;
  pointer: string;
  /** The property name (undefined for the root and for array items). */
  name?: string;
  /** The schema's title, else the property name, else `Item n`. */
  label: string;
  /** The schema's description (Markdown). */
  description?: string;
  /** Listed in the parent's `required`. */
  required: boolean;
  /** The value may be null: `type: [X, 'null']`, `anyOf: [X, {type: 'null'}]`, `nullable: true`. */
  nullable: boolean;
  /** The value is null right now. */
  isNull: boolean;
  /** The value exists in its parent (an optional field may be absent). */
  present: boolean;
  readOnly: boolean;
  deprecated: boolean;
  /** The schema's default. */
  defaultValue?: unknown;
  /** The resolved schema: local `$ref`s followed, `allOf` merged, the null alternative taken out. */
  schema: Schema;
}

export type StringField = FieldBase & {
  kind: 'string';
  value?: string;
  format?: string;
  multiline: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  inputType: 'text' | 'url' | 'email' | 'date' | 'datetime-local' | 'time' | 'password';
};
export type NumberField = FieldBase & {
  kind: 'number' | 'integer';
  value?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  step?: number;
};
export type BooleanField = FieldBase & { kind: 'boolean'; value?: boolean };
export type EnumField = FieldBase & { kind: 'enum'; value?: unknown; choices: Choice[] };
export type MultiEnumField = FieldBase & { kind: 'multiEnum'; value: unknown[]; choices: Choice[]; minItems?: number; maxItems?: number };
export type ConstField = FieldBase & { kind: 'const'; value: unknown };
export type ObjectField = FieldBase & {
  kind: 'object';
  fields: Field[];
  /** Keys present in the value that `properties` does not name, as 'json' fields: kept, never dropped. */
  extra: Field[];
  /** `additionalProperties` (and `unevaluatedProperties`) is not false. */
  allowsExtra: boolean;
  /** The schema of extra keys, when `additionalProperties` is a schema (a map of strings, say). */
  extraSchema?: Schema;
};
export type ArrayField = FieldBase & {
  kind: 'array';
  items: Field[];
  minItems?: number;
  maxItems?: number;
  canAdd: boolean;
  canRemove: boolean;
  uniqueItems: boolean;
  /** `prefixItems` (or a draft-07 `items` array): each position has its own schema. */
  tuple: boolean;
};
export interface Variant { label: string; schema: Schema }
export type VariantField = FieldBase & {
  kind: 'variant';
  variants: Variant[];
  /** -1 when none fits. */
  selected: number;
  /** The selected variant's field at the same path. */
  field?: Field;
};
export type JsonField = FieldBase & { kind: 'json'; value?: unknown; reason: string };

export type Field =
  | StringField | NumberField | BooleanField | EnumField | MultiEnumField | ConstField
  | ObjectField | ArrayField | VariantField | JsonField;

export interface BuildOptions {
  /** Nesting levels built from the value (default 12); deeper present values become 'json' fields. */
  maxDepth?: number;
  /** The root's label when its schema has no title (default 'Value'). */
  rootLabel?: string;
  /**
   * The variant the user last chose, by pointer. Used when the value does not decide
   * (no discriminating const) and still fits that variant's type: two variants whose
   * initial values look alike would otherwise flip back to the first.
   */
  variantHints?: ReadonlyMap<string, number>;
}

/** JSON pointer (RFC 6901) of a path; '' for the root. */
export function pointerOf(path: Path): string {
  let out = '';
  for (const p of path) out += '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1');
  return out;
}

/** The path of a JSON pointer; numeric segments stay strings (the value decides what they index). */
export function pathOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values (enum membership, const comparison). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object), kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every(k => Object.hasOwn(b as object, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
