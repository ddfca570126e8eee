// `WWW-Authenticate` (RFC 9110 §11.6.1): one header may hold several challenges, each a
// scheme and either a token68 or comma-separated `name=value` params whose values may be
// quoted strings with `\` escapes; commas separate the params and the challenges alike.
// MCP reads `resource_metadata`, `scope` and `error` from the Bearer or DPoP challenge
// (RFC 6750 §3, RFC 9728 §5.1, RFC 9449 §7.1).

export interface Challenge {
  /** Lower-cased (schemes are case-insensitive). */
  scheme: string;
  /** Param names lower-cased; values unquoted. */
  params: Record<string, string>;
  token68?: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/** Every challenge in a `WWW-Authenticate` value (or several headers' values); malformed tails are dropped. */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (typeof header !== 'string') return header.flatMap(h => parseWwwAuthenticate(h));
  const out: Challenge[] = [];
  let s = header;
  const skip = (re: RegExp) => { const m = re.exec(s); if (m) s = s.slice(m[0].length); return m?.[0]; };
  const ws = () => skip(/^[ \t]*/);
  const commas = () => skip(/^[ \t]*(,[ \t]*)*/);
  commas();
  while (s.length) {
    const scheme = skip(TOKEN);
    if (!scheme) break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    if (!skip(/^[ \t]+/)) { commas(); continue; } // a scheme alone
    // token68 (`Basic dXNlcg==`): the whole of the challenge, up to a comma or the end.
    const t68 = TOKEN68.exec(s);
    if (t68 && /^[ \t]*(,|$)/.test(s.slice(t68[0].length))) {
      challenge.token68 = t68[0];
      s = s.slice(t68[0].length);
      commas();
      continue;
    }
    // auth-params until a token that is not followed by `=` (the next challenge's scheme).
    for (;;) {
      const save = s;
      const name = skip(TOKEN);
      if (!name) break;
      ws();
      if (!skip(/^=/)) { s = save; break; }
      ws();
      let value: string | undefined;
      if (s.startsWith('"')) {
        let i = 1, v = '';
        for (; i < s.length && s[i] !== '"'; i++) {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          v += s[i];
        }
        if (i >= s.length) return out; // unterminated quoted string
        value = v;
        s = s.slice(i + 1);
      } else {
        value = skip(TOKEN) ?? '';
      }
      const key = name.toLowerCase();
      if (!(key in challenge.params)) challenge.params[key] = value;
      const before = s;
      commas();
      if (before === s && s.length) return out; // junk after a value
    }
    commas();
  }
  return out;
}

/** What MCP authorization reads from a 401/403 (the Bearer challenge, else the DPoP one). */
export interface AuthChallenge {
  scheme: 'bearer' | 'dpop' | undefined;
  resourceMetadata?: string;
  scope?: string;
  error?: string;
  errorDescription?: string;
  /** The DPoP challenge's algorithms (`algs`, RFC 9449 §7.1). */
  dpopAlgs?: string[];
}

export function readAuthChallenge(header: string | readonly string[] | undefined): AuthChallenge {
  const all = parseWwwAuthenticate(header);
  const pick = all.find(c => c.scheme === 'bearer') ?? all.find(c => c.scheme === 'dpop');
  const dpop = all.find(c => c.scheme === 'dpop');
  const p = pick?.params ?? {};
  // resource_metadata may sit on either challenge when both are offered.
  const resourceMetadata = p.resource_metadata ?? all.find(c => c.params.resource_metadata)?.params.resource_metadata;
  return {
    scheme: pick ? pick.scheme as 'bearer' | 'dpop' : undefined,
    ...(resourceMetadata ? { resourceMetadata } : {}),
    ...(p.scope !== undefined ? { scope: p.scope } : {}),
    ...(p.error !== undefined ? { error: p.error } : {}),
    ...(p.error_description !== undefined ? { errorDescription: p.error_description } : {}),
    ...(dpop?.params.algs ? { dpopAlgs: dpop.params.algs.split(/\s+/).filter(Boolean) } : {}),
  };
}

/** Space-separated scope strings as a set, in first-seen order. */
export function scopeSet(...scopes: (string | undefined)[]): string[] {
  const seen = new Set<string>();
  for (const s of scopes) for (const x of (s ?? '').split(/\s+/)) if (x) seen.add(x);
  return [...seen];
}

/** True when `wanted` holds a scope `granted` lacks. */
export function widens(wanted: readonly string[], granted: readonly string[]): boolean {
  const have = new Set(granted);
  return wanted.some(s => !have.has(s));
}
