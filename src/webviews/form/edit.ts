// Edits of the value by path. Pure: the value passed in is never changed; what is not on
// the path is shared with the result.

import { initialNonNull, initialValue } from './initial.ts';
import { asSchema, childSchema, constProperties, resolve, shapeOf, variantsOf } from './schema.ts';
import { pickVariant, typeFits } from './select.ts';
import { isPlainObject, type Path, type Schema } from './types.ts';

const isIndex = (k: string | number): boolean => typeof k === 'number' || /^(0|[1-9]\d*)$/.test(k);

export function getAt(value: unknown, path: Path): unknown {
  let at = value;
  for (const k of path) {
    if (Array.isArray(at) && isIndex(k)) at = at[Number(k)];
    else if (isPlainObject(at) && Object.hasOwn(at, String(k))) at = at[String(k)];
    else return undefined;
  }
  return at;
}

/** `value` with `v` at `path`; containers on the way are created (an array for a numeric key). `undefined` removes. */
export function setAt(value: unknown, path: Path, v: unknown): unknown {
  if (!path.length) return v;
  if (v === undefined) return removeAt(value, path);
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value) ? isIndex(head) : typeof head === 'number') {
    const arr = Array.isArray(value) ? [...value] : [];
    const i = Number(head);
    while (arr.length < i) arr.push(null);
    arr[i] = setAt(arr[i], rest, v);
    return arr;
  }
  const obj = isPlainObject(value) ? value : {};
  const k = String(head);
  // A computed key defines an own property, even for "__proto__".
  return { ...obj, [k]: setAt(obj[k], rest, v) };
}

/** Deletes an object key or splices an array element; a path that leads nowhere changes nothing. */
export function removeAt(value: unknown, path: Path): unknown {
  if (!path.length) return undefined;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    if (!isIndex(head)) return value;
    const i = Number(head);
    if (i >= value.length) return value;
    if (!rest.length) return value.filter((_, j) => j !== i);
    const arr = [...value];
    arr[i] = removeAt(arr[i], rest);
    return arr;
  }
  if (isPlainObject(value)) {
    const k = String(head);
    if (!Object.hasOwn(value, k)) return value;
    if (!rest.length) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) if (key !== k) Object.defineProperty(out, key, { value: value[key], enumerable: true, writable: true, configurable: true });
      return out;
    }
    return { ...value, [k]: removeAt(value[k], rest) };
  }
  return value;
}

/** The resolved schema at `path`, alternatives chosen by the value on the way (the first when the value does not say). */
export function schemaAt(root: Schema, value: unknown, path: Path): Schema {
  let raw: unknown = root;
  let at = value;
  for (const k of path) {
    raw = childSchema(chosen(root, raw, at), k);
    at = getAt(at, [k]);
  }
  return chosen(root, raw, at);
}

function chosen(root: Schema, raw: unknown, at: unknown): Schema {
  let s = resolve(root, raw).schema;
  for (let hops = 0; hops < 8; hops++) {
    if (shapeOf(root, resolve(root, s)).kind !== 'variant') break;
    const variants = variantsOf(root, s);
    if (!variants.length) break;
    s = resolve(root, variants[Math.max(0, pickVariant(root, variants, at))]!.schema).schema;
  }
  return s;
}

/** Appends the item schema's initial value. */
export function addItem(root: Schema, value: unknown, arrayPath: Path): unknown {
  const current = getAt(value, arrayPath);
  const arr = Array.isArray(current) ? current : [];
  const item = initialValue(asSchema(childSchema(schemaAt(root, value, arrayPath), arr.length)), root);
  return setAt(value, arrayPath, [...arr, item === undefined ? null : item]);
}

export function moveItem(value: unknown, arrayPath: Path, from: number, to: number): unknown {
  const current = getAt(value, arrayPath);
  if (!Array.isArray(current) || from < 0 || from >= current.length) return value;
  const target = Math.max(0, Math.min(current.length - 1, to));
  if (target === from) return value;
  const arr = [...current];
  const [moved] = arr.splice(from, 1);
  arr.splice(target, 0, moved);
  return setAt(value, arrayPath, arr);
}

/**
 * Replaces the value at `path` with variant `index`'s initial value, keeping the properties
 * of the old value that the new variant also has (and that are of a type it takes);
 * the new variant's consts win.
 */
export function chooseVariant(root: Schema, value: unknown, path: Path, index: number): unknown {
  const s = resolve(root, schemaAtRaw(root, value, path)).schema;
  if (shapeOf(root, resolve(root, s)).kind !== 'variant') return value;
  const variant = variantsOf(root, s)[index];
  if (!variant) return value;
  let fresh = initialValue(variant.schema, root);
  const old = getAt(value, path);
  if (isPlainObject(old) && isPlainObject(fresh) && isPlainObject(variant.schema.properties)) {
    const props = variant.schema.properties;
    const consts = constProperties(root, variant.schema);
    const kept: Record<string, unknown> = { ...fresh };
    for (const [k, v] of Object.entries(old)) {
      if (!Object.hasOwn(props, k) || consts.has(k)) continue;
      if (typeFits(resolve(root, props[k]).schema, v)) kept[k] = v;
    }
    fresh = kept;
  }
  return setAt(value, path, fresh === undefined ? null : fresh);
}

/** The schema at `path` before its own alternatives are chosen (a variant field's own schema). */
function schemaAtRaw(root: Schema, value: unknown, path: Path): unknown {
  if (!path.length) return root;
  const parent = schemaAt(root, value, path.slice(0, -1));
  return childSchema(parent, path.at(-1)!);
}

/** Null, or back from null to the field's initial value (its default unless that is null). */
export function setNull(root: Schema, value: unknown, path: Path, isNull: boolean): unknown {
  if (isNull) return setAt(value, path, null);
  const v = initialNonNull(resolve(root, schemaAtRaw(root, value, path)).schema, root);
  return v === undefined || v === null ? removeAt(value, path) : setAt(value, path, v);
}
