// Which alternative of a `oneOf`/`anyOf` (or of a `type` list) a value is: a discriminating
// const property first, then the variant the user chose (a hint) if the value still fits it,
// then the variant the value validates against, then the one it comes closest to; -1 when
// the value's type fits none. The same choice serves the form and its error messages.

import { constProperties, typeOf, type VariantInfo } from './schema.ts';
import { errorCount } from './validator.ts';
import { isPlainObject, jsonEqual, type Schema } from './types.ts';

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** The value is of a type the schema allows (and a value its const/enum allows). */
export function typeFits(s: Schema, value: unknown): boolean {
  if (Object.hasOwn(s, 'const')) return jsonEqual(s.const, value);
  if (Array.isArray(s.enum)) return s.enum.some(e => jsonEqual(e, value));
  const types = Array.isArray(s.type) ? s.type as string[] : [typeOf(s)].filter((t): t is string => t !== undefined);
  if (!types.length) return true;
  const actual = jsonType(value);
  return types.some(t => t === actual || (t === 'integer' && actual === 'number' && Number.isInteger(value)) || (t === 'number' && actual === 'number'));
}

/** How a variant's const properties compare with the value: matched and conflicting counts. */
function discriminate(root: Schema, s: Schema, value: unknown): { matched: number; conflicts: number } {
  let matched = 0, conflicts = 0;
  if (!isPlainObject(value)) return { matched, conflicts };
  for (const [k, c] of constProperties(root, s)) {
    if (!Object.hasOwn(value, k)) continue;
    if (jsonEqual(value[k], c)) matched++;
    else conflicts++;
  }
  return { matched, conflicts };
}

function overlap(s: Schema, value: unknown): number {
  if (!isPlainObject(value) || !isPlainObject(s.properties)) return 0;
  const props = s.properties;
  return Object.keys(value).filter(k => Object.hasOwn(props, k)).length;
}

export function pickVariant(root: Schema, variants: readonly VariantInfo[], value: unknown, hint?: number): number {
  if (value === undefined) return -1;
  const fits: number[] = [];
  for (const [i, v] of variants.entries()) {
    const d = discriminate(root, v.schema, value);
    if (d.matched > 0 && d.conflicts === 0) return i;
    if (d.conflicts === 0 && typeFits(v.schema, value)) fits.push(i);
  }
  if (hint !== undefined && fits.includes(hint)) return hint;
  if (!fits.length) return -1;
  const errors = fits.map(i => errorCount(root, variants[i]!.schema, value));
  let best = -1;
  for (const [n, i] of fits.entries()) {
    if (errors[n] !== 0) continue;
    if (best < 0 || overlap(variants[i]!.schema, value) > overlap(variants[best]!.schema, value)) best = i;
  }
  if (best >= 0) return best;
  // Nothing validates (a half-filled form): the closest, so the form does not jump while the user types.
  let fewest = 0;
  for (let n = 1; n < fits.length; n++) if (errors[n]! < errors[fewest]!) fewest = n;
  return fits[fewest]!;
}
