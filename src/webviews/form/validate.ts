// Validation for a form, with the validator the core uses: problems by JSON pointer, in
// sentences a person reads. The validator reports a chain (a property failed, because its
// item failed, because ...): only the most specific link is kept, a missing property is
// reported at its own pointer, and of a `oneOf`/`anyOf` only the alternative the value is
// taken to be (the one the form shows) speaks.

import { resolveLocalRef } from '../../protocol/schemaRefs.ts';
import { choicesOf, choiceLabel, resolve, variantsOf } from './schema.ts';
import { pickVariant } from './select.ts';
import { isPlainObject, pathOf, pointerOf, type Schema } from './types.ts';
import { compile, plainJson, WRAPPERS, type Compiled } from './validator.ts';
import { getAt } from './edit.ts';
import type { OutputUnit } from '@cfworker/json-schema';

export interface Problems { byPointer: Map<string, string[]>; count: number }

interface Unit extends OutputUnit { pointer: string; message?: string }

/** cfworker's `#/a%20b/0` as an RFC 6901 pointer (`/a b/0`). */
function pointerFromLocation(location: string): string {
  return location.replace(/^#/, '').split('/').map(s => { try { return decodeURIComponent(s); } catch { return s; } }).join('/');
}

const childPointer = (pointer: string, key: string) => pointer + pointerOf([key]);

export function validate(root: Schema, value: unknown): Problems {
  const byPointer = new Map<string, string[]>();
  let count = 0;
  const add = (pointer: string, message: string) => {
    const list = byPointer.get(pointer) ?? [];
    if (list.includes(message)) return;
    list.push(message);
    byPointer.set(pointer, list);
    count++;
  };
  if (value === undefined) {
    add('', 'Required.');
    return { byPointer, count };
  }
  let c: Compiled;
  let errors: OutputUnit[];
  const json = plainJson(value);
  try {
    c = compile(root);
    const r = c.validate(json);
    if (r.valid) return { byPointer, count };
    errors = r.errors;
  } catch (err) {
    add('', `The arguments could not be checked against the schema: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return { byPointer, count };
  }
  const units: Unit[] = errors.map(e => ({ ...e, pointer: pointerFromLocation(e.instanceLocation) }));
  placeFalseSchemas(c.schema, units);
  const kept = prune(c.schema, units, json);
  for (const u of kept) {
    const p = describe(c.schema, u);
    if (p) add(p.pointer, p.message);
  }
  return { byPointer, count };
}

/** The messages at `pointer` and below it (for a control that edits a whole list, say). */
export function problemsWithin(problems: Problems, pointer: string): string[] {
  const out: string[] = [];
  for (const [p, messages] of problems.byPointer) {
    if (p === pointer || p.startsWith(pointer + '/')) out.push(...messages);
  }
  return out;
}

const within = (u: Unit, keywordLocation: string, instanceLocation: string) =>
  (u.keywordLocation === keywordLocation || u.keywordLocation.startsWith(keywordLocation + '/'))
  && (u.instanceLocation === instanceLocation || u.instanceLocation.startsWith(instanceLocation + '/'));

const NO_MORE_PROPERTIES = new Set(['additionalProperties', 'unevaluatedProperties']);
const NO_MORE_ITEMS = new Set(['items', 'prefixItems', 'additionalItems', 'unevaluatedItems']);

/**
 * A `false` schema's error carries its instance location where its keyword location should
 * be; cfworker pushes it right after the wrapper it failed under (additionalProperties: false,
 * items: false), which tells where it comes from and what it means.
 */
function placeFalseSchemas(schema: Schema, units: Unit[]): void {
  units.forEach((u, i) => {
    const wrapper = units[i - 1];
    if (u.keyword !== 'false' || !wrapper) return;
    if (u.instanceLocation.slice(0, u.instanceLocation.lastIndexOf('/')) !== wrapper.instanceLocation) return;
    const last = u.instanceLocation.slice(u.instanceLocation.lastIndexOf('/') + 1);
    if (NO_MORE_PROPERTIES.has(wrapper.keyword)) {
      u.keywordLocation = wrapper.keywordLocation;
      u.message = 'Not an allowed property.';
    } else if (NO_MORE_ITEMS.has(wrapper.keyword)) {
      const list = walkKeyword(schema, wrapper.keywordLocation);
      u.keywordLocation = Array.isArray(list) ? `${wrapper.keywordLocation}/${last}` : wrapper.keywordLocation;
      u.message = 'No item is allowed here.';
    }
  });
}

/** Errors that explain others away: alternatives reduced to one, and what `contains`/`propertyNames` tried. */
function prune(schema: Schema, units: Unit[], value: unknown): Unit[] {
  const dropped = new Set<Unit>();
  for (const u of units) {
    if (u.keyword !== 'contains' && u.keyword !== 'propertyNames') continue;
    for (const other of units) if (other !== u && within(other, u.keywordLocation, u.instanceLocation)) dropped.add(other);
  }
  const alternatives = units.filter(u => u.keyword === 'anyOf' || u.keyword === 'oneOf')
    .sort((a, b) => a.keywordLocation.length - b.keywordLocation.length);
  for (const alt of alternatives) {
    if (dropped.has(alt)) continue;
    const branchOf = (u: Unit): number | undefined => {
      if (u === alt || !within(u, alt.keywordLocation, alt.instanceLocation)) return undefined;
      return Number(u.keywordLocation.slice(alt.keywordLocation.length + 1).split('/')[0]);
    };
    const dropBranches = (keep?: number) => { for (const u of units) { const b = branchOf(u); if (b !== undefined && b !== keep) dropped.add(u); } };
    const holder = schemaAtKeyword(schema, alt.keywordLocation.slice(0, alt.keywordLocation.lastIndexOf('/')));
    if (!holder) continue;
    const several = /\((\d+) matches\)/.exec(alt.error);
    if (alt.keyword === 'oneOf' && several && Number(several[1]) > 1) {
      alt.message = 'Matches more than one of the options.';
      dropBranches();
      continue;
    }
    const which = alt.keyword as 'oneOf' | 'anyOf';
    if (choicesOf(schema, { [which]: holder[which] })) {
      alt.message = 'Choose one of the options.';
      dropBranches();
      continue;
    }
    const variants = variantsOf(schema, holder, which);
    const pick = variants.length === 1 ? 0 : pickVariant(schema, variants, getAt(value, pathOf(alt.pointer)));
    if (pick < 0) {
      alt.message = 'Does not match any of the options.';
      dropBranches();
      continue;
    }
    const keep = variants[pick]!.index;
    if (!units.some(u => branchOf(u) === keep && !dropped.has(u))) {
      alt.message = 'Does not match any of the options.';
      dropBranches();
      continue;
    }
    dropBranches(keep);
    dropped.add(alt);
  }
  return units.filter(u => !dropped.has(u));
}

const keywordMemo = new WeakMap<Schema, Map<string, Schema | undefined>>();

/** The schema a cfworker keyword location points at, `$ref`s followed as the validator did. */
function schemaAtKeyword(schema: Schema, location: string): Schema | undefined {
  let table = keywordMemo.get(schema);
  if (!table) keywordMemo.set(schema, table = new Map());
  if (!table.has(location)) {
    const at = walkKeyword(schema, location);
    table.set(location, isPlainObject(at) ? at : undefined);
  }
  return table.get(location);
}

function walkKeyword(schema: Schema, location: string): unknown {
  let at: unknown = schema;
  for (const seg of location.replace(/^#/, '').split('/').filter(Boolean)) {
    if (!isPlainObject(at) && !Array.isArray(at)) return undefined;
    if (seg === '$ref' && isPlainObject(at) && typeof at.$ref === 'string') {
      const target = resolveLocalRef(schema, { $ref: at.$ref });
      if (typeof target.$ref === 'string') return undefined;
      at = target;
    } else if (seg === '$recursiveRef') {
      at = schema;
    } else {
      let key = seg;
      try { key = decodeURIComponent(seg); } catch { /* as it is */ }
      key = key.replace(/~1/g, '/').replace(/~0/g, '~');
      at = (at as Record<string, unknown>)[key];
    }
  }
  return at;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text', number: 'a number', integer: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list', null: 'null',
};

const FORMAT_WORDS: Record<string, string> = {
  email: 'Must be an e-mail address.',
  'idn-email': 'Must be an e-mail address.',
  uri: 'Must be an absolute URI, e.g. https://example.com.',
  iri: 'Must be an absolute URI, e.g. https://example.com.',
  url: 'Must be a URL, e.g. https://example.com.',
  'uri-reference': 'Must be a URI reference.',
  'uri-template': 'Must be a URI template.',
  date: 'Must be a date (YYYY-MM-DD).',
  'date-time': 'Must be a date and time with a time zone (YYYY-MM-DDThh:mm:ssZ).',
  time: 'Must be a time with a time zone (hh:mm:ssZ).',
  duration: 'Must be a duration, e.g. P3DT4H.',
  uuid: 'Must be a UUID.',
  hostname: 'Must be a host name.',
  ipv4: 'Must be an IPv4 address.',
  ipv6: 'Must be an IPv6 address.',
  regex: 'Must be a regular expression.',
  'json-pointer': 'Must be a JSON pointer.',
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What a validator error means, and where. Undefined for the links of a chain that only say "something inside failed". */
function describe(schema: Schema, u: Unit): { pointer: string; message: string } | undefined {
  if (u.message) return { pointer: u.pointer, message: u.message };
  if (WRAPPERS.has(u.keyword)) return undefined;
  const at = (message: string) => ({ pointer: u.pointer, message });
  const holder = () => schemaAtKeyword(schema, u.keywordLocation.slice(0, u.keywordLocation.lastIndexOf('/'))) ?? {};
  const n = (k: string) => { const v = holder()[k]; return typeof v === 'number' ? v : Number(/(-?\d+(\.\d+)?(e[+-]?\d+)?)\)?\.?$/i.exec(u.error)?.[1]); };
  switch (u.keyword) {
    case 'required': {
      const key = /required property "(.*)"\.$/s.exec(u.error)?.[1];
      return key === undefined ? at('Required.') : { pointer: childPointer(u.pointer, key), message: 'Required.' };
    }
    case 'dependentRequired':
    case 'dependencies': {
      const m = /^Instance has "(.*)" but does not have "(.*)"\.$/s.exec(u.error);
      if (!m) return undefined; // the schema form: its own errors follow
      return { pointer: childPointer(u.pointer, m[2]!), message: `Required when ${m[1]} is set.` };
    }
    case 'type': {
      const t = holder().type;
      const types = (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === 'string');
      return at(`Must be ${types.map(x => TYPE_WORDS[x] ?? x).join(' or ') || 'of another type'}.`);
    }
    case 'const': return at(`Must be ${choiceLabel(holder().const)}.`);
    case 'enum': return at('Choose one of the options.');
    case 'anyOf': case 'oneOf': return at('Does not match any of the options.');
    case 'minLength': return at(`At least ${plural(n('minLength'), 'character', 'characters')}.`);
    case 'maxLength': return at(`At most ${plural(n('maxLength'), 'character', 'characters')}.`);
    case 'pattern': {
      // A pattern that only spells out a format (zod's e-mail regex) reads as that format.
      const f = holder().format;
      if (typeof f === 'string' && FORMAT_WORDS[f]) return at(FORMAT_WORDS[f]);
      return at(`Must match ${String(holder().pattern ?? 'the pattern')}.`);
    }
    case 'format': {
      const f = String(holder().format ?? /format "(.*)"/.exec(u.error)?.[1] ?? '');
      return at(FORMAT_WORDS[f] ?? `Must be a valid ${f}.`);
    }
    case 'minimum': return at(holder().exclusiveMinimum === true ? `More than ${n('minimum')}.` : `At least ${n('minimum')}.`);
    case 'maximum': return at(holder().exclusiveMaximum === true ? `Less than ${n('maximum')}.` : `At most ${n('maximum')}.`);
    case 'exclusiveMinimum': return at(`More than ${n('exclusiveMinimum')}.`);
    case 'exclusiveMaximum': return at(`Less than ${n('exclusiveMaximum')}.`);
    case 'multipleOf': return at(`Must be a multiple of ${n('multipleOf')}.`);
    case 'minItems': case 'maxItems': {
      const h = holder();
      const count = n(u.keyword);
      const choosing = isPlainObject(h.items) && choicesOf(schema, resolve(schema, h.items).schema) !== undefined;
      const word = u.keyword === 'minItems' ? 'At least' : 'At most';
      return at(choosing ? `Choose ${word.toLowerCase()} ${count}.` : `${word} ${plural(count, 'item', 'items')}.`);
    }
    case 'uniqueItems': return at('The items must all be different.');
    case 'minProperties': return at(`At least ${plural(n('minProperties'), 'entry', 'entries')}.`);
    case 'maxProperties': return at(`At most ${plural(n('maxProperties'), 'entry', 'entries')}.`);
    case 'propertyNames': {
      const key = /^Property name "(.*)" does not match schema\.$/s.exec(u.error)?.[1];
      return key === undefined ? at('A name is not allowed.') : { pointer: childPointer(u.pointer, key), message: 'This name is not allowed.' };
    }
    case 'contains': return at('Must contain a matching item.');
    case 'minContains': return at(`Must contain at least ${n('minContains')} matching items.`);
    case 'maxContains': return at(`Must contain at most ${n('maxContains')} matching items.`);
    case 'not': return at('This value is not allowed.');
    case 'false': return at('Not allowed.');
    default: return at('Not valid.');
  }
}
