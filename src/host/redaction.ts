// The one redaction function (conventions.md §11): everything that can carry a secret
// passes through `Redactor.redact` before it reaches a log, a trace, a tooltip, an error
// or the API. It masks the values it was told are secret (password inputs, secret form
// fields, credential headers, secret-looking environment values) and, by pattern, what
// looks like a credential in any text (Authorization, Cookie and API-key headers and
// fields, Bearer tokens, passwords in URLs).

import type { JsonSchema } from '../protocol/types.ts';
import type { ServerDefinition, ServerLaunch } from './types.ts';

export const MASK = '••••••';

/** Header and field names whose values are credentials. */
const SECRET_NAME = /^(?:proxy-)?authorization$|^dpop$|^(?:set-)?cookie$|api[-_]?key|auth[-_]?token|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|secret|passw(?:or)?d|private[-_]?key|credential|session[-_]?(?:id|token)|^x-.*-(?:key|token)$|^token$/i;
/** Environment variable names whose values are credentials. */
const SECRET_ENV = /TOKEN|SECRET|PASSW(?:OR)?D|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}
export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV.test(name);
}

// `name: value`, `"name": "value"`, `name=value` for credential-like names ("secrets:"
// and "tokens used:" are words, not names: the keyword ends the name or a `-`/`_` part
// follows it). The value
// runs to the end of the quoted string, or to whitespace/`,}&;` when unquoted; an
// `Authorization` value keeps its scheme ("Bearer ••••••").
const FIELD = /(?<![\w-])(--?)?(["']?)((?:proxy-)?authorization|dpop|[\w-]*(?:api[-_]?key|auth[-_]?token|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|secret|passw(?:or)?d|private[-_]?key|credential)(?:[-_][\w-]*)?|token)\2(\s*[:=]\s*)(?:(["'])((?:\\.|(?!\5).)*)\5|((?:bearer|basic|dpop|token|digest)\s+)?([^\s"',}&;{[]+))/gi;
// A cookie header's value is every cookie on the line.
const COOKIE = /(?<![\w-])(["']?)((?:set-)?cookie)\1(\s*:\s*)(["']?)[^\r\n"']+/gi;
const BEARER = /\b(Bearer|Basic|DPoP)(\s+)[A-Za-z0-9._~+/=-]{6,}/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@?#]+@/gi;

/** Masks what looks like a credential in free text (a log line, a trace, an error). */
export function redactPatterns(text: string): string {
  if (!text) return text;
  let out = text;
  if (/[:=]/.test(out)) {
    out = out.replace(COOKIE, (_m, q: string, name: string, sep: string, vq: string) => `${q}${name}${q}${sep}${vq}${MASK}`);
    out = out.replace(FIELD, (m, dash: string | undefined, q: string, name: string, sep: string, vq: string | undefined, quoted: string | undefined, scheme: string | undefined, bare: string | undefined) => {
      const lead = `${dash ?? ''}${q}${name}${q}${sep}`;
      if (quoted !== undefined) {
        if (!quoted) return m;
        const sch = /^(bearer|basic|dpop|token|digest)\s+/i.exec(quoted)?.[0] ?? '';
        return `${lead}${vq}${sch}${MASK}${vq}`;
      }
      if (!bare) return m;
      return `${lead}${scheme ?? ''}${MASK}`;
    });
  }
  out = out.replace(BEARER, `$1$2${MASK}`);
  if (out.includes('@')) out = out.replace(URL_USERINFO, `$1${MASK}@`);
  return out;
}

/** A URL for display: no user info, and every query value masked (tokens often travel there). */
export function redactUrl(url: string): string {
  let u: URL;
  try { u = new URL(url); } catch { return redactPatterns(url); }
  const userinfo = u.username || u.password ? `${MASK}@` : '';
  let query = '';
  if (u.search) {
    const parts: string[] = [];
    for (const [k] of u.searchParams) parts.push(`${encodeURIComponent(k)}=${MASK}`);
    query = `?${parts.join('&')}`;
  }
  return `${u.protocol}//${userinfo}${u.host}${u.pathname}${query}${u.hash ? '#…' : ''}`;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Redactor {
  /** Values masked wherever they occur. */
  private readonly values = new Set<string>();
  /** Short values (under 4 characters), masked only as whole tokens: as substrings they would mangle every line. */
  private readonly shortValues = new Set<string>();
  private shortRe: RegExp | undefined;

  /** Masks `value` from now on, wherever it occurs, whatever its length. */
  addSecret(value: string | undefined | null): void {
    if (!value) return;
    if (value.length >= 4) this.values.add(value);
    else if (!this.shortValues.has(value)) {
      this.shortValues.add(value);
      this.shortRe = new RegExp(`(?<![A-Za-z0-9])(?:${[...this.shortValues].map(escapeRe).join('|')})(?![A-Za-z0-9])`, 'g');
    }
    // A secret shows up JSON-escaped in traces, and URL-encoded in URLs.
    const json = JSON.stringify(value).slice(1, -1);
    if (json !== value && json.length >= 4) this.values.add(json);
    const enc = encodeURIComponent(value);
    if (enc !== value && enc.length >= 4) this.values.add(enc);
  }

  /** The credentials a definition carries: secret headers, secret-looking env values, the URL's user info. */
  addDefinition(def: ServerDefinition): void {
    for (const v of definitionSecrets(def.launch)) this.addSecret(v);
  }

  /** The values a form or caller passed for fields the schema marks as secret. */
  addArguments(schema: JsonSchema | undefined, args: Record<string, unknown> | undefined): void {
    for (const v of secretArgumentValues(schema, args)) this.addSecret(v);
  }

  get size(): number { return this.values.size + this.shortValues.size; }

  /** `text` with every known secret and every credential-looking pattern masked. */
  readonly redact = (text: string): string => {
    if (!text) return text;
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    if (this.values.size) {
      for (const s of [...this.values].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join(MASK);
    }
    if (this.shortRe) out = out.replace(this.shortRe, MASK);
    return redactPatterns(out);
  };
}

/** Credentials in a launch: secret-named headers, secret-looking env values, URL user info and query values. */
export function definitionSecrets(launch: ServerLaunch): string[] {
  const out: string[] = [];
  if (launch.type === 'stdio') {
    for (const [k, v] of Object.entries(launch.env)) if (v && isSecretEnvName(k)) out.push(v);
    return out;
  }
  for (const [k, v] of Object.entries(launch.headers)) {
    if (!v || !isSecretName(k)) continue;
    out.push(v);
    // "Bearer abc": the token alone may be logged too.
    const token = /^\S+\s+(.+)$/.exec(v)?.[1];
    if (token) out.push(token);
  }
  try {
    const u = new URL(launch.url);
    if (u.password) { out.push(decodeURIComponent(u.password)); out.push(u.password); }
    for (const [k, v] of u.searchParams) if (v && (isSecretName(k) || v.length >= 16)) out.push(v);
  } catch { /* not a URL: nothing to take */ }
  return out;
}

/**
 * Values of `args` whose schema marks them secret (`format: "password"` or `writeOnly`),
 * looked up through nested objects and arrays.
 */
export function secretArgumentValues(schema: JsonSchema | undefined, args: unknown, depth = 0): string[] {
  if (!schema || typeof schema !== 'object' || args === undefined || args === null || depth > 16) return [];
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  if (s.writeOnly === true || s.format === 'password') {
    if (typeof args === 'string') out.push(args);
    else if (typeof args === 'number') out.push(String(args));
    else out.push(...allStrings(args));
    return out;
  }
  const props = s.properties as Record<string, JsonSchema> | undefined;
  if (props && typeof args === 'object' && !Array.isArray(args)) {
    for (const [k, sub] of Object.entries(props) as Array<[string, JsonSchema]>) out.push(...secretArgumentValues(sub, (args as Record<string, unknown>)[k], depth + 1));
  }
  const items = s.items as JsonSchema | undefined;
  if (items && Array.isArray(args)) for (const a of args) out.push(...secretArgumentValues(items, a, depth + 1));
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const list = s[key];
    if (Array.isArray(list)) for (const sub of list) out.push(...secretArgumentValues(sub as JsonSchema, args, depth + 1));
  }
  return out;
}

function allStrings(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 16) return out;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out, depth + 1);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) allStrings(x, out, depth + 1);
  return out;
}
