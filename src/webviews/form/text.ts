// Text inputs and the JSON view: what an input shows for a field's value, and what the
// text a person typed means for the value (a value, "leave it out", or a short error).

import { choiceLabel } from './schema.ts';
import { isPlainObject, jsonEqual, type Field } from './types.ts';

export type ParsedText = { value: unknown } | { omit: true } | { error: string };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/;
const LOCAL_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;
const ZONED_TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function parseText(field: Field, text: string): ParsedText {
  const empty = text.trim() === '';
  switch (field.kind) {
    case 'string':
      if (text === '') return field.required ? { value: '' } : { omit: true };
      if (field.inputType === 'datetime-local') return { value: fromLocalDateTime(text) };
      if (field.inputType === 'time') return { value: fromLocalTime(text) };
      return { value: text };
    case 'number':
    case 'integer': {
      const t = text.trim();
      if (t === '') return field.required ? { error: 'Enter a number.' } : { omit: true };
      const n = Number(t);
      if (!NUMBER.test(t) || !Number.isFinite(n)) return { error: 'Enter a number.' };
      if (field.kind === 'integer' && !Number.isInteger(n)) return { error: 'Enter a whole number.' };
      return { value: n };
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === '') return field.required ? { error: 'Enter true or false.' } : { omit: true };
      if (t === 'true' || t === 'yes') return { value: true };
      if (t === 'false' || t === 'no') return { value: false };
      return { error: 'Enter true or false.' };
    }
    case 'enum': {
      if (empty) return field.required ? { error: 'Choose one of the options.' } : { omit: true };
      const t = text.trim();
      const c = field.choices.find(x => x.label === t) ?? field.choices.find(x => choiceLabel(x.value) === t);
      return c ? { value: c.value } : { error: 'Choose one of the options.' };
    }
    case 'multiEnum': {
      if (empty) return field.required ? { value: [] } : { omit: true };
      const parts = text.split(',').map(p => p.trim()).filter(Boolean);
      const picked: unknown[] = [];
      for (const p of parts) {
        const c = field.choices.find(x => x.label === p) ?? field.choices.find(x => choiceLabel(x.value) === p);
        if (!c) return { error: `"${p}" is not one of the options.` };
        if (!picked.some(v => jsonEqual(v, c.value))) picked.push(c.value);
      }
      return { value: picked };
    }
    case 'const':
      return { value: field.value };
    case 'object':
    case 'array':
    case 'variant':
    case 'json': {
      if (empty) return field.required ? { error: 'Enter a JSON value.' } : { omit: true };
      const parsed = fromJsonText(text, field.kind === 'object' ? 'object' : undefined);
      if ('error' in parsed) return parsed;
      if (field.kind === 'array' && !Array.isArray(parsed.value)) return { error: 'Enter a JSON array, e.g. ["a", "b"].' };
      return parsed;
    }
  }
}

export function fieldText(field: Field): string {
  if (field.isNull) return '';
  switch (field.kind) {
    case 'string':
      if (field.value === undefined) return '';
      if (field.inputType === 'datetime-local') return toLocalDateTime(field.value);
      if (field.inputType === 'time') return toLocalTime(field.value);
      return field.value;
    case 'number':
    case 'integer':
    case 'boolean':
      return field.value === undefined ? '' : String(field.value);
    case 'enum': {
      if (field.value === undefined) return '';
      return field.choices.find(c => jsonEqual(c.value, field.value))?.label ?? choiceLabel(field.value);
    }
    case 'multiEnum':
      return field.value.map(v => field.choices.find(c => jsonEqual(c.value, v))?.label ?? choiceLabel(v)).join(', ');
    case 'const':
      return choiceLabel(field.value);
    case 'json':
      return field.value === undefined ? '' : toJsonText(field.value);
    default:
      return '';
  }
}

export function toJsonText(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

export function fromJsonText(text: string, expect?: 'object'): { value: unknown } | { error: string } {
  if (text.trim() === '') return expect === 'object' ? { value: {} } : { error: 'Enter a JSON value.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/\.$/, '') : String(err);
    return { error: `Not valid JSON: ${why}.` };
  }
  if (expect === 'object' && !isPlainObject(value)) return { error: 'Enter a JSON object, e.g. {"key": "value"}.' };
  return { value };
}

const two = (n: number) => String(n).padStart(2, '0');

/** An RFC 3339 date-time as a datetime-local input shows it: the same instant in local time. */
function toLocalDateTime(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/i.test(v)) return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const secs = d.getSeconds() || d.getMilliseconds() ? `:${two(d.getSeconds())}` : '';
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}${secs}`;
}

/** A datetime-local input's text (local time, no zone) as the RFC 3339 date-time a schema asks for. */
function fromLocalDateTime(text: string): string {
  if (!LOCAL_DATE_TIME.test(text)) return text;
  const d = new Date(text.replace(' ', 'T')); // no offset: local time
  if (Number.isNaN(d.getTime())) return text;
  return d.toISOString().replace('.000Z', 'Z');
}

function localOffsetMinutes(): number {
  return -new Date().getTimezoneOffset();
}

function zone(minutes: number): string {
  if (minutes === 0) return 'Z';
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${two(Math.floor(a / 60))}:${two(a % 60)}`;
}

/** A time input's local `hh:mm[:ss]` as an RFC 3339 full-time, with today's local offset. */
function fromLocalTime(text: string): string {
  const m = LOCAL_TIME.exec(text);
  if (!m) return text;
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}${m[4] ?? ''}${zone(localOffsetMinutes())}`;
}

/** An RFC 3339 full-time shown in local time (today's offset), as a time input takes it. */
function toLocalTime(v: string): string {
  const m = ZONED_TIME.exec(v);
  if (!m) return v;
  const z = m[5]!.toUpperCase();
  const offset = z === 'Z' ? 0 : (z.startsWith('-') ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6)));
  const minutes = ((Number(m[1]) * 60 + Number(m[2]) - offset + localOffsetMinutes()) % 1440 + 1440) % 1440;
  const secs = m[3] !== '00' || m[4] ? `:${m[3]}${m[4] ?? ''}` : '';
  return `${two(Math.floor(minutes / 60))}:${two(minutes % 60)}${secs}`;
}
