// Elicitation in a terminal: a form is asked field by field from the requested schema
// (enums as numbered choices, booleans y/n, defaults shown and taken on Enter, each
// answer validated); a URL request shows the full URL and asks whether it was completed.
// Without a terminal, --elicit decides (accept-defaults | decline | cancel), else decline.

import { ErrorCode, WireError, errorMessage, parseMessage, type ElicitFormParams, type ElicitRequestParams, type ElicitResult, type PrimitiveSchema } from '../core.ts';
import type { ElicitMode } from './args.ts';
import { terminalSafe } from './format.ts';
import type { LineReader } from './terminal.ts';

export interface ElicitationContext {
  server: string;
  mode: ElicitMode | undefined;
  /** The terminal, or undefined when there is none. */
  reader: (() => LineReader) | undefined;
  /** Writes to stderr. */
  write: (text: string) => void;
  verbose: boolean;
}

type Content = NonNullable<ElicitResult['content']>;
type Value = Content[string];

export function createElicitationHandler(ctx: ElicitationContext): (params: Record<string, unknown>, signal: AbortSignal) => Promise<ElicitResult> {
  // One form at a time on the terminal; a second request waits for the first.
  let queue: Promise<unknown> = Promise.resolve();
  return (raw, signal) => {
    const params = checkParams(raw);
    const run = () => answer(ctx, params, signal);
    const next = queue.then(run, run);
    queue = next.catch(() => {});
    return next;
  };
}

async function answer(ctx: ElicitationContext, params: ElicitRequestParams, signal: AbortSignal): Promise<ElicitResult> {
  const mode = ctx.mode ?? (ctx.reader ? 'ask' : 'decline');
  const note = (action: string, why?: string) => ctx.write(`mcp-host: ${action} an elicitation request from "${ctx.server}" (${JSON.stringify(params.message)})${why ? `: ${why}` : ''}\n`);
  if (mode === 'decline' || mode === 'cancel') {
    if (!ctx.mode) note('declined', 'there is no terminal to ask on (--elicit accept-defaults|decline|cancel decides)');
    else if (ctx.verbose) note(mode === 'decline' ? 'declined' : 'cancelled');
    return { action: mode };
  }
  if (mode === 'accept-defaults') {
    if (params.mode === 'url') {
      note('declined', 'a URL elicitation needs a person at a browser; --elicit accept-defaults only fills forms');
      return { action: 'decline' };
    }
    const d = defaultsOf(params.requestedSchema);
    if (d.missing.length) {
      note('declined', `required field${d.missing.length > 1 ? 's' : ''} ${d.missing.map(m => `"${m}"`).join(', ')} ${d.missing.length > 1 ? 'have' : 'has'} no default`);
      return { action: 'decline' };
    }
    if (ctx.verbose) note('accepted', `with the defaults ${JSON.stringify(d.content)}`);
    return { action: 'accept', content: d.content };
  }
  const reader = ctx.reader!();
  return params.mode === 'url' ? askUrl(ctx, reader, params, signal) : askForm(ctx, reader, params, signal);
}

async function askUrl(ctx: ElicitationContext, reader: LineReader, params: Extract<ElicitRequestParams, { mode: 'url' }>, signal: AbortSignal): Promise<ElicitResult> {
  ctx.write(`\nServer "${ctx.server}" asks you to open a URL:\n  ${params.message}\n  ${params.url}\n  (host: ${hostOf(params.url)})\n`);
  for (;;) {
    const a = (await reader.question('Open it in your browser and finish there. Done? [y]es / [n]o, decline / [c]ancel: ', { signal }))?.trim().toLowerCase();
    if (a === undefined || a === 'c' || a === 'cancel') return { action: 'cancel' };
    if (a === 'y' || a === 'yes') return { action: 'accept' };
    if (a === 'n' || a === 'no') return { action: 'decline' };
  }
}

export async function askForm(ctx: ElicitationContext, reader: LineReader, params: ElicitFormParams, signal: AbortSignal): Promise<ElicitResult> {
  const schema = params.requestedSchema;
  const required = new Set(schema.required ?? []);
  ctx.write(`\nServer "${ctx.server}" asks: ${params.message}\n`);
  const start = (await reader.question('Answer? [Y]es / [n]o, decline / [c]ancel: ', { signal }))?.trim().toLowerCase();
  if (start === undefined || start === 'c' || start === 'cancel') return { action: 'cancel' };
  if (start === 'n' || start === 'no') return { action: 'decline' };
  ctx.write('  (Enter takes the [default] or skips an optional field)\n');
  const content: Content = {};
  for (const [name, field] of Object.entries(schema.properties)) {
    const value = await askField(ctx, reader, name, field, required.has(name), signal);
    if (value === END) return { action: 'cancel' };
    if (value !== undefined) content[name] = value;
  }
  return { action: 'accept', content };
}

const END = Symbol('end of input');

async function askField(ctx: ElicitationContext, reader: LineReader, name: string, field: PrimitiveSchema, required: boolean, signal: AbortSignal): Promise<Value | undefined | typeof END> {
  const title = field.title ?? name;
  if (field.description && field.description !== title) ctx.write(`  ${field.description}\n`);
  const choices = choicesOf(field);
  const multi = field.type === 'array';
  if (choices) ctx.write(choices.map((c, i) => `    ${i + 1}) ${c.label}${c.label !== c.value ? ` (${c.value})` : ''}`).join('\n') + '\n');
  const def = field.default;
  const shownDefault = def === undefined ? ''
    : field.type === 'boolean' ? ''
    : choices && !multi ? ` [${(choices.findIndex(c => c.value === def) + 1) || String(def)}]`
    : choices && multi && Array.isArray(def) ? ` [${def.map(v => choices.findIndex(c => c.value === v) + 1 || v).join(',')}]`
    : ` [${String(def)}]`;
  const kind = field.type === 'boolean' ? (def === true ? ' [Y/n]' : def === false ? ' [y/N]' : ' [y/n]')
    : choices ? (multi ? ` (numbers separated by commas${rangeOf(field.minItems, field.maxItems, 'choice')})` : ` (1-${choices.length})`)
    : describeConstraints(field);
  for (;;) {
    const raw = await reader.question(terminalSafe(`${title}${required ? ' (required)' : ''}${kind}${shownDefault}: `), { signal });
    if (raw === undefined) return END;
    const text = raw.trim();
    if (text === '') {
      if (def !== undefined) return def as Value;
      if (!required) return undefined;
      ctx.write('  This field is required.\n');
      continue;
    }
    const parsed = parseAnswer(field, choices, text);
    if ('error' in parsed) { ctx.write(`  ${parsed.error}\n`); continue; }
    return parsed.value;
  }
}

interface Choice { value: string; label: string }

function choicesOf(field: PrimitiveSchema): Choice[] | undefined {
  if (field.type === 'string') {
    if (field.oneOf?.length) return field.oneOf.map(o => ({ value: o.const, label: o.title ?? o.const }));
    if (field.enum?.length) return field.enum.map((v, i) => ({ value: v, label: field.enumNames?.[i] ?? v }));
  }
  if (field.type === 'array') {
    const items = field.items as (PrimitiveSchema['items'] & { oneOf?: Array<{ const: string; title?: string }> }) | undefined;
    const titled = items?.anyOf ?? items?.oneOf;
    if (titled?.length) return titled.map(o => ({ value: o.const, label: o.title ?? o.const }));
    if (items?.enum?.length) return items.enum.map(v => ({ value: v, label: v }));
    return [];
  }
  return undefined;
}

export function parseAnswer(field: PrimitiveSchema, choices: Choice[] | undefined, text: string): { value: Value } | { error: string } {
  if (field.type === 'boolean') {
    if (/^(y|yes|true|1)$/i.test(text)) return { value: true };
    if (/^(n|no|false|0)$/i.test(text)) return { value: false };
    return { error: 'Please answer y or n.' };
  }
  if (field.type === 'array') {
    const picked: string[] = [];
    for (const part of text.split(',').map(s => s.trim()).filter(Boolean)) {
      const c = pick(choices ?? [], part);
      if (!c && choices?.length) return { error: `"${part}" is not one of the choices.` };
      const value = c?.value ?? part;
      if (!picked.includes(value)) picked.push(value);
    }
    if (field.minItems !== undefined && picked.length < field.minItems) return { error: `Choose at least ${field.minItems}.` };
    if (field.maxItems !== undefined && picked.length > field.maxItems) return { error: `Choose at most ${field.maxItems}.` };
    return { value: picked };
  }
  if (choices) {
    const c = pick(choices, text);
    return c ? { value: c.value } : { error: `Please enter a number from 1 to ${choices.length}.` };
  }
  if (field.type === 'number' || field.type === 'integer') {
    const n = Number(text);
    if (!Number.isFinite(n)) return { error: 'Please enter a number.' };
    if (field.type === 'integer' && !Number.isInteger(n)) return { error: 'Please enter a whole number.' };
    if (field.minimum !== undefined && n < field.minimum) return { error: `The minimum is ${field.minimum}.` };
    if (field.maximum !== undefined && n > field.maximum) return { error: `The maximum is ${field.maximum}.` };
    return { value: n };
  }
  if (field.minLength !== undefined && text.length < field.minLength) return { error: `At least ${field.minLength} characters, please.` };
  if (field.maxLength !== undefined && text.length > field.maxLength) return { error: `At most ${field.maxLength} characters, please.` };
  if (field.pattern !== undefined) {
    let re: RegExp | undefined;
    try { re = new RegExp(field.pattern, 'u'); } catch { re = undefined; }
    if (re && !re.test(text)) return { error: `This does not match the pattern ${field.pattern}.` };
  }
  const formatError = checkFormat(field.format, text);
  return formatError ? { error: formatError } : { value: text };
}

function pick(choices: Choice[], text: string): Choice | undefined {
  const n = Number(text);
  if (/^\d+$/.test(text) && n >= 1 && n <= choices.length) return choices[n - 1];
  return choices.find(c => c.value === text) ?? choices.find(c => c.label.toLowerCase() === text.toLowerCase());
}

function checkFormat(format: string | undefined, text: string): string | undefined {
  switch (format) {
    case 'email': return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? undefined : 'Please enter an email address.';
    case 'uri': try { new URL(text); return undefined; } catch { return 'Please enter a full URI, e.g. https://example.com/.'; }
    case 'date': return isCalendarDate(text) ? undefined : 'Please enter a date as YYYY-MM-DD.';
    case 'date-time': return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) && isCalendarDate(text.slice(0, 10)) && !Number.isNaN(Date.parse(text)) ? undefined : 'Please enter a date and time as YYYY-MM-DDTHH:MM:SSZ.';
    default: return undefined;
  }
}

/** YYYY-MM-DD naming a real day (Date.parse would take 2020-02-30 as March 1st). */
function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

function describeConstraints(field: PrimitiveSchema): string {
  const parts: string[] = [];
  if (field.type === 'integer') parts.push('whole number');
  else if (field.type === 'number') parts.push('number');
  if (field.minimum !== undefined && field.maximum !== undefined) parts.push(`${field.minimum}–${field.maximum}`);
  else if (field.minimum !== undefined) parts.push(`≥ ${field.minimum}`);
  else if (field.maximum !== undefined) parts.push(`≤ ${field.maximum}`);
  if (field.format) parts.push(field.format);
  const len = rangeOf(field.minLength, field.maxLength, 'character');
  if (len) parts.push(len.replace(/^, /, ''));
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function rangeOf(min: number | undefined, max: number | undefined, unit: string): string {
  if (min !== undefined && max !== undefined) return `, ${min}–${max} ${unit}s`;
  if (min !== undefined) return `, at least ${min} ${unit}${min === 1 ? '' : 's'}`;
  if (max !== undefined) return `, at most ${max} ${unit}${max === 1 ? '' : 's'}`;
  return '';
}

/** The content a form gets when every field takes its default (SEP-1034); required fields without one are missing. */
export function defaultsOf(schema: ElicitFormParams['requestedSchema']): { content: Content; missing: string[] } {
  const content: Content = {};
  const missing: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties)) {
    if (field.default !== undefined) content[name] = field.default as Value;
    else if (required.has(name)) missing.push(name);
  }
  return { content, missing };
}

function hostOf(url: string): string {
  try { return new URL(url).host || url; } catch { return 'not a valid URL'; }
}

/** Validates what the server sent (a trust boundary), with the core's schema, before anything is shown. */
export function checkParams(raw: Record<string, unknown>): ElicitRequestParams {
  try {
    return parseMessage.elicitParams(raw);
  } catch (err) {
    throw new WireError(ErrorCode.InvalidParams, `invalid elicitation/create params: ${errorMessage(err)}`);
  }
}
