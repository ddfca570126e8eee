// RFC 6570 expansion for resource templates, string values only (levels 1–3 plus the
// `:n` prefix modifier): enough for every template MCP servers publish in practice.

interface Operator { first: string; sep: string; named: boolean; ifEmpty: string; reserved: boolean }

const OPERATORS: Record<string, Operator> = {
  '': { first: '', sep: ',', named: false, ifEmpty: '', reserved: false },
  '+': { first: '', sep: ',', named: false, ifEmpty: '', reserved: true },
  '#': { first: '#', sep: ',', named: false, ifEmpty: '', reserved: true },
  '.': { first: '.', sep: '.', named: false, ifEmpty: '', reserved: false },
  '/': { first: '/', sep: '/', named: false, ifEmpty: '', reserved: false },
  ';': { first: ';', sep: ';', named: true, ifEmpty: '', reserved: false },
  '?': { first: '?', sep: '&', named: true, ifEmpty: '=', reserved: false },
  '&': { first: '&', sep: '&', named: true, ifEmpty: '=', reserved: false },
};

const EXPRESSION = /\{([+#./;?&]?)([^}]*)\}/g;

export interface TemplateVariable {
  name: string;
  /** Query-style variables (`{?x}`, `{&x}`, `{;x}`) may be left out. */
  optional: boolean;
}

function parseSpec(spec: string): { name: string; prefix?: number } {
  const m = /^([^:*]+)(?::(\d+)|\*)?$/.exec(spec.trim());
  if (!m) return { name: spec.trim() };
  return m[2] ? { name: m[1]!, prefix: Number(m[2]) } : { name: m[1]! };
}

/** The template's variables, each once, in order of appearance. */
export function templateVariables(template: string): TemplateVariable[] {
  const seen = new Map<string, TemplateVariable>();
  for (const m of template.matchAll(EXPRESSION)) {
    const op = m[1] ?? '';
    for (const spec of (m[2] ?? '').split(',')) {
      const { name } = parseSpec(spec);
      if (name && !seen.has(name)) seen.set(name, { name, optional: op === '?' || op === '&' || op === ';' });
    }
  }
  return [...seen.values()];
}

function encode(value: string, reserved: boolean): string {
  // Percent-encode as RFC 3986 requires; the reserved form keeps reserved characters
  // and existing percent-escapes as they are.
  let out = '';
  for (const ch of value) {
    if (/[A-Za-z0-9\-._~]/.test(ch)) out += ch;
    else if (reserved && /[:/?#[\]@!$&'()*+,;=]/.test(ch)) out += ch;
    else out += [...new TextEncoder().encode(ch)].map(b => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
  }
  if (reserved) out = out.replace(/%25([0-9A-Fa-f]{2})/g, '%$1');
  return out;
}

/** Expands `template` with `values`; undefined or missing variables are left out. */
export function expandTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(EXPRESSION, (_all, opChar: string, list: string) => {
    const op = OPERATORS[opChar] ?? OPERATORS['']!;
    const parts: string[] = [];
    for (const spec of list.split(',')) {
      const { name, prefix } = parseSpec(spec);
      const raw = values[name];
      if (raw === undefined) continue;
      const value = encode(prefix !== undefined ? [...raw].slice(0, prefix).join('') : raw, op.reserved);
      if (!op.named) parts.push(value);
      else parts.push(value === '' ? name + op.ifEmpty : `${name}=${value}`);
    }
    return parts.length ? op.first + parts.join(op.sep) : '';
  });
}
