// The YAML frontmatter of a skill's SKILL.md (SEP-2640), read by a reader of our own.
// It reads the subset real skills use — block mappings and sequences, plain, quoted and
// block scalars, one-line flow collections, comments — with YAML 1.2 core-schema typing,
// and refuses everything else (anchors, aliases, tags, multi-line quoted values, complex
// keys, …) with a FrontmatterError rather than reading it differently from a full YAML
// parser: a skill whose frontmatter we cannot read for certain is not verified. No YAML
// library is a dependency (the `yaml` package alone would be ~100 KB of the bundle for
// the few dozen lines a frontmatter has); the unit tests compare this reader with it.

import type { JsonValue } from './types.ts';

export class FrontmatterError extends Error {
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'FrontmatterError';
    this.line = line;
  }
}

export type Frontmatter = { [key: string]: JsonValue };

const MAX_DEPTH = 32;

/** SKILL.md split into its frontmatter (YAML text, first line number) and its Markdown body. */
export function splitSkillMarkdown(markdown: string): { yaml: string; firstLine: number; body: string } {
  let text = markdown.replace(/\r\n/g, '\n');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const open = /^---[ \t]*\n/.exec(text);
  if (!open) throw new FrontmatterError('SKILL.md must begin with a "---" line', 1);
  const rest = text.slice(open[0].length);
  const close = /^---[ \t]*$/m.exec(rest);
  if (!close) throw new FrontmatterError('the frontmatter has no closing "---" line');
  let body = rest.slice(close.index + close[0].length);
  if (body.startsWith('\n')) body = body.slice(1);
  return { yaml: rest.slice(0, close.index), firstLine: 2, body };
}

/** Reads SKILL.md: its frontmatter as JSON and its body. Line numbers in errors count from the file's first line. */
export function readSkillMarkdown(markdown: string): { frontmatter: Frontmatter; body: string } {
  const { yaml, firstLine, body } = splitSkillMarkdown(markdown);
  return { frontmatter: parseFrontmatter(yaml, firstLine), body };
}

interface Line { no: number; indent: number; text: string; raw: string }

/** Parses frontmatter YAML (a mapping) into JSON. `firstLine` numbers the first line in errors. */
export function parseFrontmatter(yaml: string, firstLine = 1): Frontmatter {
  const raws = yaml.split('\n');
  // A frontmatter always ends with a line break (the closing "---" starts a line).
  if (raws[raws.length - 1] === '') raws.pop();
  const lines = raws.map((raw, i): Line => {
    if (/^(---|\.\.\.)([ \t]|$)/.test(raw)) throw new FrontmatterError('a document marker ("---" or "...") cannot appear inside the frontmatter', firstLine + i);
    if (/^[ \t]*\t[ \t]*$/.test(raw)) throw new FrontmatterError('a blank line holds a tab; YAML does not allow tabs as indentation', firstLine + i);
    const indent = /^ */.exec(raw)![0].length;
    return { no: firstLine + i, indent, text: raw.slice(indent).replace(/^[ \t]+/, ''), raw };
  });
  return new Reader(lines).document();
}

const blankOrComment = (l: Line) => l.text === '' || l.text.startsWith('#');
const isItem = (text: string) => text === '-' || text.startsWith('- ') || text.startsWith('-\t');

class Reader {
  private i = 0;
  private readonly lines: Line[];
  constructor(lines: Line[]) { this.lines = lines; }

  document(): Frontmatter {
    const first = this.peek();
    if (!first) return {};
    if (isItem(first.text) || keyOf(first.text, first.no) === undefined) throw new FrontmatterError('the frontmatter must be a mapping of keys to values', first.no);
    const map = this.mapping(first.indent, 0);
    const extra = this.peek();
    if (extra) throw new FrontmatterError('unexpected content (check the indentation)', extra.no);
    return map;
  }

  /** The next line with content; a tab in its indentation is refused. */
  private peek(): Line | undefined {
    while (this.i < this.lines.length && blankOrComment(this.lines[this.i]!)) this.i++;
    const line = this.lines[this.i];
    if (line && line.raw[line.indent] === '\t') throw new FrontmatterError('tabs cannot indent YAML', line.no);
    return line;
  }

  private mapping(indent: number, depth: number): Frontmatter {
    if (depth > MAX_DEPTH) throw new FrontmatterError(`nesting deeper than ${MAX_DEPTH} levels is not supported`, this.lines[this.i]?.no);
    const map: Frontmatter = {};
    for (let line = this.peek(); line && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent) throw new FrontmatterError('unexpected indentation', line.no);
      if (isItem(line.text)) break;
      const key = keyOf(line.text, line.no);
      if (!key) throw new FrontmatterError('expected "key: value"', line.no);
      if (Object.hasOwn(map, key.key)) throw new FrontmatterError(`the key "${key.key}" appears twice`, line.no);
      this.i++;
      map[key.key] = this.value(key.rest, line, indent, depth + 1, true);
    }
    return map;
  }

  private sequence(indent: number, depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) throw new FrontmatterError(`nesting deeper than ${MAX_DEPTH} levels is not supported`, this.lines[this.i]?.no);
    const items: JsonValue[] = [];
    for (let line = this.peek(); line && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent) throw new FrontmatterError('unexpected indentation', line.no);
      if (!isItem(line.text)) break;
      const after = line.text.slice(1);
      if (/^ *\t/.test(after) && after.trim() !== '') throw new FrontmatterError('tabs cannot indent YAML', line.no);
      const rest = after.replace(/^ +/, '');
      if (rest !== '' && !rest.startsWith('#') && (isItem(rest) || keyOf(rest, line.no))) {
        // "- key: value" or "- - x": a collection that starts on the item's line, at its column.
        const column = line.indent + 1 + (after.length - rest.length);
        this.lines[this.i] = { ...line, indent: column, text: rest };
        items.push(isItem(rest) ? this.sequence(column, depth + 1) : this.mapping(column, depth + 1));
        continue;
      }
      this.i++;
      items.push(this.value(rest, line, indent, depth + 1, false));
    }
    return items;
  }

  /** The value after "key:" or "-": on the line (`rest`) or on the lines below, indented more than `parent`. */
  private value(rest: string, line: Line, parent: number, depth: number, compactSequence: boolean): JsonValue {
    if (rest === '' || rest.startsWith('#')) {
      const next = this.peek();
      if (next && next.indent > parent) {
        if (isItem(next.text)) return this.sequence(next.indent, depth);
        if (keyOf(next.text, next.no)) return this.mapping(next.indent, depth);
        this.i++;
        return this.value(next.text, next, parent, depth, false);
      }
      // "key:" followed by "- item" lines at the key's own indentation.
      if (compactSequence && next && next.indent === parent && isItem(next.text)) return this.sequence(parent, depth);
      return null;
    }
    const c = rest[0]!;
    if (c === '|' || c === '>') return this.blockScalar(rest, line, parent);
    if (c === '"' || c === "'") {
      const q = readQuoted(rest, 0, line.no);
      onlyComment(rest.slice(q.end), line.no);
      return q.value;
    }
    if (c === '[' || c === '{') {
      const f = readFlow(rest, 0, line.no, depth);
      onlyComment(rest.slice(f.end), line.no);
      return f.value;
    }
    if ('&*!'.includes(c)) throw new FrontmatterError('anchors, aliases and tags are not supported', line.no);
    if ('%@`,]}'.includes(c)) throw new FrontmatterError(`a plain value cannot start with "${c}"; quote it`, line.no);
    if (isItem(rest) || /^\?(\s|$)/.test(rest)) throw new FrontmatterError('a nested collection must start on its own line', line.no);
    return this.plain(rest, line, parent);
  }

  /** A plain scalar, folded over the more-indented lines that follow it. */
  private plain(first: string, line: Line, parent: number): JsonValue {
    let value = stripComment(first);
    checkPlain(value, line.no);
    let commented = COMMENT.test(first);
    let blanks = 0;
    while (this.i < this.lines.length) {
      const next = this.lines[this.i]!;
      if (next.text === '') { blanks++; this.i++; continue; }
      if (next.indent <= parent || next.text.startsWith('#')) break;
      if (next.raw[next.indent] === '\t') throw new FrontmatterError('tabs cannot indent YAML', next.no);
      if (commented) throw new FrontmatterError('a comment ends a plain value; quote a value that goes on past it', next.no);
      const part = stripComment(next.text);
      checkPlain(part, next.no);
      commented = COMMENT.test(next.text);
      value += blanks ? '\n'.repeat(blanks) : ' ';
      value += part;
      blanks = 0;
      this.i++;
    }
    return resolvePlain(value, line.no);
  }

  private blockScalar(header: string, line: Line, parent: number): string {
    const m = /^([|>])([+-]?)(?:[ \t]+#.*)?[ \t]*$/.exec(header);
    if (!m) throw new FrontmatterError(/^[|>][+-]?\d|^[|>]\d/.test(header) ? 'block scalar indentation indicators are not supported' : 'invalid block scalar header', line.no);
    const folded = m[1] === '>';
    const chomp = m[2] ?? '';
    const content: string[] = [];
    let contentIndent = -1;
    let leading = 0;
    while (this.i < this.lines.length) {
      const next = this.lines[this.i]!;
      const spacesOnly = /^ *$/.test(next.raw);
      if (contentIndent < 0 && !spacesOnly && next.indent > parent) {
        contentIndent = next.indent;
        if (leading > contentIndent) throw new FrontmatterError('a leading blank line is indented more than the block scalar\'s content', next.no);
      }
      if (contentIndent >= 0 && next.indent >= contentIndent) content.push(next.raw.slice(contentIndent));
      else if (spacesOnly) { if (contentIndent < 0) leading = Math.max(leading, next.raw.length); content.push(''); }
      else if (next.raw[next.indent] === '\t' && next.indent >= parent) throw new FrontmatterError('tabs cannot indent YAML', next.no);
      else if (next.indent > parent) throw new FrontmatterError('a block scalar line is indented less than its first line', next.no);
      else break;
      this.i++;
    }
    return foldBlock(content, folded, chomp, line.no);
  }
}

function foldBlock(lines: string[], folded: boolean, chomp: string, no: number): string {
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  const trailing = lines.length - end;
  let out = '';
  let started = false;
  let blanks = 0;
  for (const l of lines.slice(0, end)) {
    if (l === '') { blanks++; continue; }
    if (folded && /^[ \t]/.test(l)) throw new FrontmatterError('more-indented lines in a folded (">") block scalar are not supported; use "|"', no);
    if (!started) out += '\n'.repeat(blanks);
    else if (folded) out += blanks ? '\n'.repeat(blanks) : ' ';
    else out += '\n'.repeat(blanks + 1);
    out += l;
    started = true;
    blanks = 0;
  }
  if (!started) return chomp === '+' ? '\n'.repeat(lines.length) : '';
  if (chomp === '-') return out;
  if (chomp === '+') return out + '\n'.repeat(1 + trailing);
  return out + '\n';
}

/** `key: rest` or `key:` at the start of `text`; undefined when the line is no key. */
function keyOf(text: string, no: number): { key: string; rest: string } | undefined {
  const c = text[0];
  if (c === '"' || c === "'") {
    const q = readQuoted(text, 0, no);
    const after = text.slice(q.end);
    if (after === ':' || /^:[ \t]/.test(after)) return { key: checkKey(q.value, no), rest: after.slice(1).replace(/^[ \t]+/, '') };
    return undefined;
  }
  if (c === '?') throw new FrontmatterError('complex keys ("?") are not supported', no);
  if (c === undefined || '[]{}&*!|>%@`#,'.includes(c) || isItem(text)) return undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '#' && (text[i - 1] === ' ' || text[i - 1] === '\t')) return undefined;
    if (ch === ':' && (i + 1 === text.length || text[i + 1] === ' ' || text[i + 1] === '\t')) {
      const raw = text.slice(0, i).replace(/[ \t]+$/, '');
      if (!raw) return undefined;
      if (typeof resolvePlain(raw, no) !== 'string') throw new FrontmatterError(`the key "${raw}" is not a string; quote it`, no);
      return { key: checkKey(raw, no), rest: text.slice(i + 1).replace(/^[ \t]+/, '') };
    }
  }
  return undefined;
}

function checkKey(key: string, no: number): string {
  if (key === '__proto__') throw new FrontmatterError('the key "__proto__" is not supported', no);
  return key;
}

function checkPlain(text: string, no: number): void {
  if (/:([ \t]|$)/.test(text)) throw new FrontmatterError('a plain value cannot contain ": "; quote the value', no);
}

const COMMENT = /[ \t]#/;
function stripComment(text: string): string {
  const m = COMMENT.exec(text);
  return (m ? text.slice(0, m.index) : text).replace(/[ \t]+$/, '');
}

function onlyComment(after: string, no: number): void {
  if (after.trim() === '' || /^[ \t]+#/.test(after)) return;
  throw new FrontmatterError('unexpected text after the value', no);
}

/** YAML 1.2 core schema: null, booleans, integers (decimal, 0o, 0x) and floats; anything else is a string. */
function resolvePlain(text: string, no: number): JsonValue {
  if (text === '' || /^(~|null|Null|NULL)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  let n: number | undefined;
  if (/^[-+]?\d+$/.test(text) || /^[-+]?(\.\d+|\d+(\.\d*)?)([eE][-+]?\d+)?$/.test(text)) n = Number(text);
  else if (/^0o[0-7]+$/.test(text)) n = parseInt(text.slice(2), 8);
  else if (/^0x[\da-fA-F]+$/.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/.test(text)) n = NaN;
  if (n === undefined) return text;
  if (!Number.isFinite(n)) throw new FrontmatterError(`"${text}" has no JSON value; quote it`, no);
  return n;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_WIDTH: Record<string, number> = { x: 2, u: 4, U: 8 };
const UNCLOSED = 'a quoted value must end on its line (multi-line quoted values are not supported)';

function readQuoted(text: string, start: number, no: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") {
        if (text[i + 1] === "'") { value += "'"; i += 2; continue; }
        return { value, end: i + 1 };
      }
      value += c; i++;
      continue;
    }
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\') {
      const code = text[i + 1];
      if (code === undefined) throw new FrontmatterError(UNCLOSED, no);
      const simple = ESCAPES[code];
      if (simple !== undefined) { value += simple; i += 2; continue; }
      const width = HEX_WIDTH[code];
      const hex = width ? text.slice(i + 2, i + 2 + width) : '';
      if (!width || hex.length !== width || !/^[\da-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new FrontmatterError(`invalid escape "\\${code}${hex}"`, no);
      value += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + width;
      continue;
    }
    value += c; i++;
  }
  throw new FrontmatterError(UNCLOSED, no);
}

const UNCLOSED_FLOW = 'a flow collection ("[…]", "{…}") must end on its line';
const skip = (text: string, i: number) => { while (text[i] === ' ' || text[i] === '\t') i++; return i; };

function readFlow(text: string, start: number, no: number, depth: number): { value: JsonValue; end: number } {
  if (depth > MAX_DEPTH) throw new FrontmatterError(`nesting deeper than ${MAX_DEPTH} levels is not supported`, no);
  const isList = text[start] === '[';
  const close = isList ? ']' : '}';
  const list: JsonValue[] = [];
  const map: Frontmatter = {};
  let i = skip(text, start + 1);
  if (text[i] === close) return { value: isList ? list : map, end: i + 1 };
  for (;;) {
    if (isList) {
      const item = flowValue(text, i, no, depth);
      list.push(item.value);
      i = skip(text, item.end);
    } else {
      const key = flowKey(text, i, no);
      if (Object.hasOwn(map, key.key)) throw new FrontmatterError(`the key "${key.key}" appears twice`, no);
      const item = flowValue(text, key.end + 1, no, depth);
      map[key.key] = item.value;
      i = skip(text, item.end);
    }
    const c = text[i];
    if (c === ',') {
      i = skip(text, i + 1);
      if (text[i] === close) return { value: isList ? list : map, end: i + 1 };
      continue;
    }
    if (c === close) return { value: isList ? list : map, end: i + 1 };
    if (c === undefined) throw new FrontmatterError(UNCLOSED_FLOW, no);
    throw new FrontmatterError(`unexpected "${c}" in a flow collection`, no);
  }
}

const FLOW_BREAK = ' \t,[]{}';

function flowPlainEnd(text: string, i: number, no: number): number {
  const c = text[i];
  if (c === undefined) throw new FrontmatterError(UNCLOSED_FLOW, no);
  if ('&*!'.includes(c)) throw new FrontmatterError('anchors, aliases and tags are not supported', no);
  if ('|>%@`#'.includes(c) || ('-?:'.includes(c) && FLOW_BREAK.includes(text[i + 1] ?? ' '))) throw new FrontmatterError(`a plain value in a flow collection cannot start with "${c}"; quote it`, no);
  let end = i;
  while (end < text.length) {
    const ch = text[end]!;
    if (',[]{}'.includes(ch)) break;
    if (ch === '#' && (text[end - 1] === ' ' || text[end - 1] === '\t')) break;
    if (ch === ':' && FLOW_BREAK.includes(text[end + 1] ?? ' ')) break;
    end++;
  }
  return end;
}

/** A key in a flow mapping; `end` is the index of its ":". */
function flowKey(text: string, start: number, no: number): { key: string; end: number } {
  const i = skip(text, start);
  const c = text[i];
  if (c === '"' || c === "'") {
    const q = readQuoted(text, i, no);
    const colon = skip(text, q.end);
    if (text[colon] !== ':') throw new FrontmatterError('expected ":" after a key in a flow mapping', no);
    return { key: checkKey(q.value, no), end: colon };
  }
  if (c === '[' || c === '{') throw new FrontmatterError('complex keys are not supported', no);
  const end = flowPlainEnd(text, i, no);
  const raw = text.slice(i, end).replace(/[ \t]+$/, '');
  const after = text[end + 1];
  if (!raw || text[end] !== ':' || (after !== ' ' && after !== '\t')) throw new FrontmatterError('expected "key: value" in a flow mapping', no);
  if (typeof resolvePlain(raw, no) !== 'string') throw new FrontmatterError(`the key "${raw}" is not a string; quote it`, no);
  return { key: checkKey(raw, no), end };
}

function flowValue(text: string, start: number, no: number, depth: number): { value: JsonValue; end: number } {
  const i = skip(text, start);
  const c = text[i];
  if (c === undefined) throw new FrontmatterError(UNCLOSED_FLOW, no);
  if (c === '[' || c === '{') return readFlow(text, i, no, depth + 1);
  if (c === '"' || c === "'") return readQuoted(text, i, no);
  const end = flowPlainEnd(text, i, no);
  if (text[end] === ':') throw new FrontmatterError('a mapping inside a flow sequence is not supported; quote the value', no);
  const raw = text.slice(i, end).replace(/[ \t]+$/, '');
  if (!raw) throw new FrontmatterError('an empty value in a flow collection', no);
  return { value: resolvePlain(raw, no), end };
}
