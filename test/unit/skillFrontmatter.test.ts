// The SKILL.md frontmatter reader: what it accepts it reads exactly as a full YAML 1.2
// parser (the `yaml` package, core schema) does, and what it cannot read for certain it
// refuses. Checked on hand-picked cases and on generated ones (fast-check): random token
// soup, and documents `yaml` itself wrote in every style it has.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import fc from 'fast-check';
import { FrontmatterError, parseFrontmatter, readSkillMarkdown, splitSkillMarkdown } from '../../src/protocol/skillFrontmatter.ts';

// `yaml` is here through the conformance suite (a pinned devDependency); only the tests use it.
const YAML = createRequire(import.meta.url)('yaml') as { parseDocument(s: string, o: object): { errors: unknown[]; toJSON(): unknown }; stringify(v: unknown, o: object): string };

/** What `yaml` reads, or undefined when it reports an error. */
function reference(text: string): unknown {
  try {
    const doc = YAML.parseDocument(text, { schema: 'core', uniqueKeys: true });
    return doc.errors.length ? undefined : doc.toJSON();
  } catch {
    return undefined;
  }
}

/** Ours agrees with `yaml`, or refuses with a FrontmatterError. */
function agrees(text: string): 'same' | 'refused' {
  let ours: unknown;
  try {
    ours = parseFrontmatter(text);
  } catch (err) {
    if (!(err instanceof FrontmatterError)) throw err;
    return 'refused';
  }
  const theirs = reference(text);
  assert.notEqual(theirs === undefined && Object.keys(ours as object).length > 0, true, `we read what yaml refuses: ${JSON.stringify(text)} → ${JSON.stringify(ours)}`);
  if (theirs === undefined || theirs === null) assert.deepEqual(ours, {}, JSON.stringify(text));
  else assert.deepEqual(ours, theirs, JSON.stringify(text));
  return 'same';
}

test('what real skills write is read as YAML reads it', () => {
  const cases = [
    'name: pdf-processing\ndescription: Extract, fill, and assemble PDF documents\n',
    'name: a\ndescription: >\n  Folded text\n  over lines.\n\n  A new paragraph.\n',
    'description: |\n  Literal\n    indented\n\n  text\n',
    'd: |-\n  strip\n\n',
    'd: |+\n  keep\n\n\n',
    'allowed-tools:\n- Read\n- Write\n',
    'allowed-tools:\n  - Read\n  - {tool: Bash, args: [ls, "-la"]}\n',
    'metadata:\n  author: someone\n  version: "1.0"\n',
    'nested:\n  list:\n    - key: value\n      other: 2\n    - - x\n      - y\n',
    'q: "tab\\there \\u00e9 \\x41"\n',
    "q: 'it''s'\n",
    'n: 0x1F\no: 0o17\nf: 1.5e3\ni: -12\nb: True\nz: ~\ne:\n',
    'plain: a value\n  over lines\n\n  and a paragraph\n',
    'c: value # a comment\n# a comment line\nd: "x" # another\n',
    '"quoted key": v\n',
    'url: https://example.com/a#b\ncolon: a:b\n',
    'empty: {}\nnone: []\n',
  ];
  for (const c of cases) assert.equal(agrees(c), 'same', c);
});

test('what it cannot read for certain is refused with the line, never guessed', () => {
  const refused: Array<[string, RegExp]> = [
    ['x: &a 1\ny: *a\n', /line 1: anchors, aliases and tags are not supported/],
    ['x: !!str 1\n', /tags/],
    ['x: "multi\n  line"\n', /line 1: a quoted value must end on its line/],
    ['a: 1\na: 2\n', /line 2: the key "a" appears twice/],
    ['a:\n\tb: 1\n', /line 2: tabs cannot indent YAML/],
    ['? complex\n: key\n', /complex keys/],
    ['x: |2\n  a\n', /block scalar indentation indicators are not supported/],
    ['- a\n- b\n', /must be a mapping/],
    ['__proto__: {}\n', /"__proto__" is not supported/],
    ['x: .inf\n', /has no JSON value/],
    ['a: b: c\n', /cannot contain ": "/],
    ['name: x\n---\nmore: 1\n', /document marker/],
  ];
  for (const [text, message] of refused) assert.throws(() => parseFrontmatter(text), (e: Error) => e instanceof FrontmatterError && message.test(e.message), text);
});

test('SKILL.md is split at its "---" lines; CRLF and a BOM are fine, a missing frontmatter is not', () => {
  assert.deepEqual(readSkillMarkdown('\ufeff---\r\nname: a\r\ndescription: b\r\n---\r\n\r\n# Body\r\n'), { frontmatter: { name: 'a', description: 'b' }, body: '\n# Body\n' });
  assert.equal(splitSkillMarkdown('---\nname: a\n---\nbody').body, 'body');
  assert.throws(() => readSkillMarkdown('# no frontmatter\n'), /must begin with a "---" line/);
  assert.throws(() => readSkillMarkdown('---\nname: a\n'), /no closing "---" line/);
  // Errors count lines from the top of SKILL.md.
  assert.throws(() => readSkillMarkdown('---\nname: a\nname: b\n---\n'), /^FrontmatterError: line 3: /);
});

test('generated token soup: accepted means read exactly as yaml reads it', () => {
  const token = fc.constantFrom('a', 'name', ':', ': ', ' ', '  ', '\n', '\n  ', '\n    ', '- ', '-', '#', ' #', '"', "'", '\\n', '|', '>', '|-', '>+',
    '[', ']', '{', '}', ',', '1', '0x1', '1.5', 'true', 'null', '~', '\t', 'é', '?', '&', '*', '!', '%', '@', '`', '...', '---', '\\', 'x y');
  // A frontmatter always ends with a line break (the closing "---" starts a line).
  const doc = fc.array(token, { maxLength: 30 }).map(t => { const s = t.join(''); return s === '' || s.endsWith('\n') ? s : `${s}\n`; });
  let same = 0;
  fc.assert(fc.property(doc, text => { if (agrees(text) === 'same') same++; }), { numRuns: 20_000 });
  assert.ok(same > 1000, `enough documents are accepted to mean something (${same})`);
});

test('documents yaml writes, in every style: read exactly, or refused', () => {
  const key = fc.string({ minLength: 1, maxLength: 8 }).filter(k => k !== '__proto__');
  const leaf = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
    fc.string({ unit: fc.constantFrom('a', ' ', '\n', ':', '#', '-', '"', "'", 'é', '\t', '{', '['), maxLength: 20 }));
  const { tree } = fc.letrec<{ tree: unknown }>(tie => ({ tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(key, tie('tree'), { maxKeys: 4 })) }));
  const options = fc.record({
    lineWidth: fc.constantFrom(0, 20, 80), blockQuote: fc.constantFrom(true, false, 'literal', 'folded'),
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
    collectionStyle: fc.constantFrom('any', 'block'), indentSeq: fc.boolean(),
  });
  let same = 0;
  fc.assert(fc.property(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 6 }), options, (value, opts) => {
    let text: string;
    try { text = YAML.stringify(value, opts); } catch { return; }
    if (reference(text) === undefined) return;
    if (agrees(text) === 'same') same++;
  }), { numRuns: 1_000 });
  assert.ok(same > 400, `most of what yaml writes is read (${same} of 1000)`);
});
