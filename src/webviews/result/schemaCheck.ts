// structuredContent against a tool's outputSchema, with the validator the core uses
// (@cfworker/json-schema), reported as short sentences that name the JSON pointer of the
// value at fault. The draft is the schema's `$schema` where it names one the validator
// knows, 2020-12 otherwise (MCP's default for schemas without `$schema`).

import { Validator, type OutputUnit, type SchemaDraft } from '@cfworker/json-schema';

export interface SchemaIssue {
  /** RFC 6901 pointer into the checked value ('' is the value itself). */
  pointer: string;
  message: string;
}

/** At most this many issues are reported; the last one then says how many more there were. */
export const MAX_SCHEMA_ISSUES = 20;

// Keywords whose error only says that something below failed: the errors below say what.
const WRAPPERS = new Set([
  'properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties', 'dependentSchemas', 'propertyNames',
  'items', 'prefixItems', 'additionalItems', 'unevaluatedItems', 'contains',
  '$ref', '$recursiveRef', '$dynamicRef', 'allOf', 'if', 'then', 'else',
]);
// Keywords whose own error says it all: the errors of their branches are alternatives, not faults.
const ALTERNATIVES = new Set(['anyOf', 'oneOf', 'not']);

const validators = new WeakMap<object, Validator>();

function draftOf(schema: Record<string, unknown>): SchemaDraft {
  const s = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (/draft-0?4\b/.test(s)) return '4';
  if (/draft-0?[67]\b/.test(s)) return '7';
  if (s.includes('2019-09')) return '2019-09';
  return '2020-12';
}

/** The issues of `value` against `schema`; empty when it matches. Never throws. */
export function checkAgainstSchema(schema: Record<string, unknown>, value: unknown): SchemaIssue[] {
  let errors: OutputUnit[];
  try {
    let v = validators.get(schema);
    if (!v) {
      v = new Validator(schema as object, draftOf(schema), false);
      validators.set(schema, v);
    }
    const r = v.validate(value);
    if (r.valid) return [];
    errors = r.errors;
  } catch (err) {
    // A schema the validator cannot compile (a bad pattern) or a value it cannot walk.
    return [{ pointer: '', message: `The output schema could not be applied: ${err instanceof Error ? err.message : String(err)}` }];
  }
  return summarize(errors);
}

function summarize(errors: OutputUnit[]): SchemaIssue[] {
  const alternatives = errors.filter(e => ALTERNATIVES.has(e.keyword)).map(e => e.keywordLocation + '/');
  let kept = errors.filter(e => !alternatives.some(prefix => e.keywordLocation.startsWith(prefix)));
  const leaves = kept.filter(e => !WRAPPERS.has(e.keyword));
  if (leaves.length) kept = leaves;
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const e of kept) {
    const pointer = plainPointer(e.instanceLocation);
    const text = e.keyword === 'false' ? 'This value is not allowed by the schema.' : e.error;
    const message = `At ${pointer === '' ? 'the top level' : pointer}: ${text}`;
    if (seen.has(message)) continue;
    seen.add(message);
    issues.push({ pointer, message });
  }
  if (issues.length > MAX_SCHEMA_ISSUES) {
    const more = issues.length - (MAX_SCHEMA_ISSUES - 1);
    issues.length = MAX_SCHEMA_ISSUES - 1;
    issues.push({ pointer: '', message: `And ${more} more problems.` });
  }
  return issues;
}

/** The validator's URI-fragment pointer (`#/a%20b~1c`) as a plain JSON pointer (`/a b~1c`). */
function plainPointer(location: string): string {
  const frag = location.startsWith('#') ? location.slice(1) : location;
  try {
    return decodeURIComponent(frag);
  } catch {
    return frag;
  }
}
