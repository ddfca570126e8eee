// Forms built from JSON Schema: tool arguments, prompt arguments (with completion),
// resource template variables, and the fields of an elicitation. One input per field;
// Escape anywhere cancels the whole form.

import type { CompletionReference, Prompt, ResourceTemplate, Tool } from '../protocol/types.ts';
import type { ManagedServer } from '../host/types.ts';
import { askText, askTextWithSuggestions, pickMany, pickOne, type PickItem } from './quickInput.ts';
import { resolveLocalRef } from '../protocol/schemaRefs.ts';
import { expandTemplate, templateVariables } from '../protocol/uriTemplate.ts';

type Schema = Record<string, unknown>;

/** A field's answer: a value, left out (optional and empty), or undefined for cancel. */
export type FieldAnswer = { value: unknown } | 'omit' | undefined;

export interface FieldRequest {
  name: string;
  schema: Schema;
  required: boolean;
  /** The input's title, e.g. `<tool>: <arg> (i/n)`. */
  title: string;
  signal?: AbortSignal;
  /** Completion for string fields. */
  suggest?: (value: string, signal: AbortSignal) => Promise<readonly string[]>;
}

interface Choice { value: unknown; title?: string }

function schemaType(schema: Schema): string | undefined {
  const t = schema['type'];
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  if (Array.isArray(schema['enum'])) {
    const kinds = new Set((schema['enum'] as unknown[]).map(v => typeof v));
    return kinds.size === 1 ? [...kinds][0] : undefined;
  }
  if (schema['properties']) return 'object';
  return undefined;
}

function constList(list: unknown): Choice[] | undefined {
  if (!Array.isArray(list) || !list.length) return undefined;
  const out: Choice[] = [];
  for (const entry of list) {
    if (!entry || typeof entry !== 'object' || !('const' in entry)) return undefined;
    const e = entry as { const: unknown; title?: unknown };
    out.push({ value: e.const, title: typeof e.title === 'string' ? e.title : undefined });
  }
  return out;
}

/** Single-select choices: `enum` (with legacy `enumNames`) or `oneOf`/`anyOf` of consts. */
function choicesOf(schema: Schema): Choice[] | undefined {
  const values = schema['enum'];
  if (Array.isArray(values) && values.length) {
    const names = Array.isArray(schema['enumNames']) ? schema['enumNames'] as unknown[] : [];
    return values.map((value, i) => ({ value, title: typeof names[i] === 'string' ? names[i] as string : undefined }));
  }
  return constList(schema['oneOf']) ?? constList(schema['anyOf']);
}

const SKIP: unique symbol = Symbol('skip');

function describeConstraints(schema: Schema, type: string | undefined, required: boolean): string {
  const bits: string[] = [type ?? 'JSON value'];
  const num = (k: string) => typeof schema[k] === 'number' ? schema[k] as number : undefined;
  if (num('minimum') !== undefined) bits.push(`≥ ${num('minimum')}`);
  if (num('exclusiveMinimum') !== undefined) bits.push(`> ${num('exclusiveMinimum')}`);
  if (num('maximum') !== undefined) bits.push(`≤ ${num('maximum')}`);
  if (num('exclusiveMaximum') !== undefined) bits.push(`< ${num('exclusiveMaximum')}`);
  if (typeof schema['format'] === 'string') bits.push(schema['format']);
  return `${bits.join(' ')}, ${required ? 'required' : 'optional — leave empty to omit'}`;
}

function validateString(v: string, schema: Schema): string | undefined {
  const len = [...v].length;
  if (typeof schema['minLength'] === 'number' && len < schema['minLength']) return `At least ${schema['minLength']} characters.`;
  if (typeof schema['maxLength'] === 'number' && len > schema['maxLength']) return `At most ${schema['maxLength']} characters.`;
  if (typeof schema['pattern'] === 'string') {
    let re: RegExp | undefined;
    try { re = new RegExp(schema['pattern'], 'u'); } catch { re = undefined; }
    if (re && !re.test(v)) return `Must match the pattern ${schema['pattern']}.`;
  }
  switch (schema['format']) {
    case 'email': return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? undefined : 'Enter an e-mail address.';
    case 'uri': try { new URL(v); return undefined; } catch { return 'Enter an absolute URI, e.g. https://example.com.'; }
    case 'date': return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : 'Enter a date as YYYY-MM-DD.';
    case 'date-time': return /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : 'Enter a date and time as YYYY-MM-DDThh:mm:ssZ.';
  }
  return undefined;
}

function validateNumber(v: string, schema: Schema, integer: boolean): string | undefined {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n)) return 'Enter a number.';
  if (integer && !Number.isInteger(n)) return 'Enter a whole number.';
  const bound = (k: string) => typeof schema[k] === 'number' ? schema[k] as number : undefined;
  const min = bound('minimum'), max = bound('maximum'), xmin = bound('exclusiveMinimum'), xmax = bound('exclusiveMaximum');
  if (min !== undefined && n < min) return `At least ${min}.`;
  if (max !== undefined && n > max) return `At most ${max}.`;
  if (xmin !== undefined && n <= xmin) return `Greater than ${xmin}.`;
  if (xmax !== undefined && n >= xmax) return `Less than ${xmax}.`;
  return undefined;
}

function validateJson(v: string, type: string | undefined): string | undefined {
  let parsed: unknown;
  try { parsed = JSON.parse(v); } catch (err) { return `Not valid JSON: ${(err as Error).message}`; }
  if (type === 'object' && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) return 'Enter a JSON object, e.g. {"key": "value"}.';
  if (type === 'array' && !Array.isArray(parsed)) return 'Enter a JSON array, e.g. ["a", "b"].';
  return undefined;
}

async function askChoice(req: FieldRequest, choices: Choice[], prompt: string | undefined): Promise<FieldAnswer> {
  const items: PickItem<unknown>[] = choices.map(c => ({
    label: c.title ?? String(c.value),
    description: c.title !== undefined && c.title !== String(c.value) ? String(c.value) : undefined,
    value: c.value,
  }));
  if (!req.required) items.push({ label: '$(circle-slash) Leave empty', description: 'omit this value', value: SKIP });
  const def = req.schema['default'];
  const active = items.find(i => i.value === def);
  const picked = await pickOne({ title: req.title, placeholder: prompt ?? describeConstraints(req.schema, schemaType(req.schema), req.required), items, selected: active ? [active] : undefined, signal: req.signal });
  if (!picked) return undefined;
  return picked.value === SKIP ? 'omit' : { value: picked.value };
}

async function askMultiChoice(req: FieldRequest, choices: Choice[], prompt: string | undefined): Promise<FieldAnswer> {
  const items: PickItem<unknown>[] = choices.map(c => ({ label: c.title ?? String(c.value), description: c.title !== undefined ? String(c.value) : undefined, value: c.value }));
  const def = Array.isArray(req.schema['default']) ? req.schema['default'] as unknown[] : [];
  const minItems = typeof req.schema['minItems'] === 'number' ? req.schema['minItems'] : 0;
  const maxItems = typeof req.schema['maxItems'] === 'number' ? req.schema['maxItems'] : Infinity;
  const picked = await pickMany({
    title: req.title,
    placeholder: prompt ?? 'Select any number of values',
    items,
    selected: items.filter(i => def.includes(i.value)),
    signal: req.signal,
    validate: p => p.length < minItems ? `Select at least ${minItems}.` : p.length > maxItems ? `Select at most ${maxItems}.` : undefined,
  });
  if (!picked) return undefined;
  if (!picked.length && !req.required) return 'omit';
  return { value: picked.map(p => p.value) };
}

/** Asks one field with the input its schema calls for. */
export async function askField(req: FieldRequest): Promise<FieldAnswer> {
  const { schema, required } = req;
  const type = schemaType(schema);
  const prompt = typeof schema['description'] === 'string' && schema['description'] ? schema['description'] : undefined;
  const placeholder = describeConstraints(schema, type, required);

  const choices = choicesOf(schema);
  if (choices) return askChoice(req, choices, prompt);
  if (type === 'boolean') return askChoice(req, [{ value: true }, { value: false }], prompt);
  if (type === 'array') {
    const items = (schema['items'] ?? {}) as Schema;
    const itemChoices = choicesOf(items);
    if (itemChoices) return askMultiChoice(req, itemChoices, prompt);
  }

  const def = schema['default'];
  const empty = (v: string) => v === '' && required ? 'A value is required.' : undefined;
  let validate: (v: string) => string | undefined;
  let convert: (v: string) => unknown;
  let value: string | undefined;
  if (type === 'string') {
    validate = v => empty(v) ?? (v === '' ? undefined : validateString(v, schema));
    convert = v => v;
    value = typeof def === 'string' ? def : undefined;
  } else if (type === 'number' || type === 'integer') {
    validate = v => empty(v) ?? (v === '' ? undefined : validateNumber(v, schema, type === 'integer'));
    convert = v => Number(v.trim());
    value = typeof def === 'number' ? String(def) : undefined;
  } else {
    // Objects, arrays and untyped values are typed as raw JSON; an untyped value that
    // is not JSON is taken as a string.
    const strict = type === 'object' || type === 'array' || type === 'null';
    validate = v => empty(v) ?? (v === '' || !strict ? undefined : validateJson(v, type));
    convert = v => { try { return JSON.parse(v); } catch { return v; } };
    value = def !== undefined ? JSON.stringify(def) : undefined;
  }

  const password = schema['format'] === 'password' || schema['writeOnly'] === true;
  const text = req.suggest && type === 'string' && !password
    ? await askTextWithSuggestions({ title: req.title, prompt, placeholder, value, validate, signal: req.signal, suggest: req.suggest })
    : await askText({ title: req.title, prompt, placeholder, value, validate, password, signal: req.signal });
  if (text === undefined) return undefined;
  if (text === '' && !required) return 'omit';
  return { value: convert(text) };
}

/** Property names in schema order with the required ones first. */
function orderFields(properties: Record<string, unknown>, required: readonly string[]): string[] {
  const names = Object.keys(properties);
  return [...names.filter(n => required.includes(n)), ...names.filter(n => !required.includes(n))];
}

export interface FormOptions {
  signal?: AbortSignal;
  /** The title of field i of n. */
  title: (field: string, fieldTitle: string | undefined, i: number, n: number) => string;
  suggest?: (field: string, value: string, answered: Record<string, string>, signal: AbortSignal) => Promise<readonly string[]>;
  /** Ask required fields first (tools, prompts) or in schema order (elicitation). */
  requiredFirst?: boolean;
}

/** Asks every property of an object schema; undefined when the user cancelled. */
export async function askObject(schema: { properties?: Record<string, unknown>; required?: readonly string[] }, o: FormOptions): Promise<Record<string, unknown> | undefined> {
  // A 2020-12 schema's properties may point into its `$defs`: the form asks the shape they point to.
  const root = schema as Schema;
  const properties = Object.fromEntries(Object.entries((schema.properties ?? {}) as Record<string, Schema>).map(([k, v]) => [k, v && typeof v === 'object' ? resolveLocalRef(root, v) : v])) as Record<string, Schema>;
  const required = Array.isArray(schema.required) ? schema.required : [];
  const names = o.requiredFirst === false ? Object.keys(properties) : orderFields(properties, required);
  const result: Record<string, unknown> = {};
  const answered: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    const prop = properties[name] ?? {};
    const fieldTitle = typeof prop['title'] === 'string' ? prop['title'] : undefined;
    const suggest = o.suggest;
    const answer = await askField({
      name,
      schema: prop,
      required: required.includes(name),
      title: o.title(name, fieldTitle, i + 1, names.length),
      signal: o.signal,
      suggest: suggest && ((value, signal) => suggest(name, value, { ...answered }, signal)),
    });
    if (answer === undefined || o.signal?.aborted) return undefined;
    if (answer !== 'omit') {
      result[name] = answer.value;
      if (typeof answer.value === 'string') answered[name] = answer.value;
    }
  }
  return result;
}

export function askToolArguments(tool: Tool, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
  return askObject(tool.inputSchema, { signal, title: (arg, _t, i, n) => `${tool.name}: ${arg} (${i}/${n})` });
}

function completer(server: ManagedServer, ref: CompletionReference) {
  if (!server.capabilities?.completions) return undefined;
  return async (name: string, value: string, answered: Record<string, string>, signal: AbortSignal) => {
    const result = await server.complete(ref, { name, value }, Object.keys(answered).length ? answered : undefined, { signal });
    return result.completion.values;
  };
}

export async function askPromptArguments(server: ManagedServer, prompt: Prompt, signal?: AbortSignal): Promise<Record<string, string> | undefined> {
  const args = prompt.arguments ?? [];
  if (!args.length) return {};
  const properties: Record<string, Schema> = {};
  for (const a of args) properties[a.name] = { type: 'string', title: a.title, description: a.description };
  const result = await askObject(
    { properties, required: args.filter(a => a.required).map(a => a.name) },
    { signal, title: (arg, _t, i, n) => `${prompt.name}: ${arg} (${i}/${n})`, suggest: completer(server, { type: 'ref/prompt', name: prompt.name }) },
  );
  return result as Record<string, string> | undefined;
}

/** Asks the template's variables and returns the expanded URI, or undefined on cancel. */
export async function askTemplateUri(server: ManagedServer, template: ResourceTemplate, signal?: AbortSignal): Promise<string | undefined> {
  const vars = templateVariables(template.uriTemplate);
  const properties: Record<string, Schema> = {};
  for (const v of vars) properties[v.name] = { type: 'string' };
  const values = await askObject(
    { properties, required: vars.filter(v => !v.optional).map(v => v.name) },
    { signal, requiredFirst: false, title: v => `${template.name}: ${v}`, suggest: completer(server, { type: 'ref/resource', uri: template.uriTemplate }) },
  );
  return values && expandTemplate(template.uriTemplate, values as Record<string, string>);
}
