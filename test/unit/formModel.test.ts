// The schema-to-form model of the workbench (src/webviews/form): every schema shape a tool or
// an elicitation may use, the pure edits, text inputs, and validation messages. No DOM.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addItem, buildForm, chooseVariant, fieldText, fromJsonText, initialValue, moveItem, parseText, pointerOf, removeAt, setAt, setNull,
  toJsonText, validate, type Field, type Schema,
} from '../../src/webviews/form/index.ts';

type Kind<K extends Field['kind']> = Field extends infer F ? F extends { kind: infer X } ? K extends X ? F & { kind: K } : never : never : never;
function as<K extends Field['kind']>(f: Field | undefined, kind: K): Kind<K> {
  assert.ok(f, `a ${kind} field`);
  assert.equal(f.kind, kind, `${f.pointer || '/'} is ${kind}: ${JSON.stringify(f.kind === 'json' ? f.reason : f.kind)}`);
  return f as Kind<K>;
}
const obj = (s: Schema, v: unknown = initialValue(s)) => as(buildForm(s, v), 'object');
const field = (s: Schema, v: unknown, name: string) => obj(s, v).fields.find(f => f.name === name);
const problems = (s: Schema, v: unknown) => Object.fromEntries(validate(s, v).byPointer);
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') { Object.freeze(v); for (const x of Object.values(v)) deepFreeze(x); }
  return v;
}

/** server-everything 2026.8.31, trigger-elicitation-request: its requestedSchema, as sent. */
const ELICITATION: Schema = {
  type: 'object',
  properties: {
    name: { title: 'String', type: 'string', description: 'Your full, legal name' },
    check: { title: 'Boolean', type: 'boolean', description: 'Agree to the terms and conditions' },
    firstLine: { title: 'String with default', type: 'string', description: 'Favorite first line of a story', default: 'It was a dark and stormy night.' },
    email: { title: 'String with email format', type: 'string', format: 'email', description: 'Your email address (will be verified, and never shared with anyone else)' },
    homepage: { type: 'string', format: 'uri', title: 'String with uri format', description: 'Portfolio / personal website' },
    birthdate: { title: 'String with date format', type: 'string', format: 'date', description: 'Your date of birth' },
    integer: { title: 'Integer', type: 'integer', description: 'Your favorite integer (do not give us your phone number, pin, or other sensitive info)', minimum: 1, maximum: 100, default: 42 },
    number: { title: 'Number in range 1-1000', type: 'number', description: 'Favorite number (there are no wrong answers)', minimum: 0, maximum: 1000, default: 3.14 },
    untitledSingleSelectEnum: { type: 'string', title: 'Untitled Single Select Enum', description: 'Choose your favorite friend', enum: ['Monica', 'Rachel', 'Joey', 'Chandler', 'Ross', 'Phoebe'], default: 'Monica' },
    untitledMultipleSelectEnum: { type: 'array', title: 'Untitled Multiple Select Enum', description: 'Choose your favorite instruments', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['Guitar', 'Piano', 'Violin', 'Drums', 'Bass'] }, default: ['Guitar'] },
    titledSingleSelectEnum: { type: 'string', title: 'Titled Single Select Enum', description: 'Choose your favorite hero', oneOf: [{ const: 'hero-1', title: 'Superman' }, { const: 'hero-2', title: 'Green Lantern' }, { const: 'hero-3', title: 'Wonder Woman' }], default: 'hero-1' },
    titledMultipleSelectEnum: { type: 'array', title: 'Titled Multiple Select Enum', description: 'Choose your favorite types of fish', minItems: 1, maxItems: 3, items: { anyOf: [{ const: 'fish-1', title: 'Tuna' }, { const: 'fish-2', title: 'Salmon' }, { const: 'fish-3', title: 'Trout' }] }, default: ['fish-1'] },
    legacyTitledEnum: { type: 'string', title: 'Legacy Titled Single Select Enum', description: 'Choose your favorite type of pet', enum: ['pet-1', 'pet-2', 'pet-3', 'pet-4', 'pet-5'], enumNames: ['Cats', 'Dogs', 'Birds', 'Fish', 'Reptiles'], default: 'pet-1' },
  },
  required: ['name'],
};

describe('fields by schema shape', () => {
  test('pointers are RFC 6901, "" for the root', () => {
    assert.equal(pointerOf([]), '');
    assert.equal(pointerOf(['a', 0, 'b/c', 'd~e']), '/a/0/b~1c/d~0e');
  });

  test('strings: format hints pick the input type; bounds and pattern are carried', () => {
    const s: Schema = { type: 'object', properties: {
      u: { type: 'string', format: 'uri' }, e: { type: 'string', format: 'email' }, d: { type: 'string', format: 'date' },
      dt: { type: 'string', format: 'date-time' }, t: { type: 'string', format: 'time' }, p: { type: 'string', format: 'password' },
      w: { type: 'string', writeOnly: true }, plain: { type: 'string', minLength: 2, maxLength: 5, pattern: '^a+$' },
      long: { type: 'string', maxLength: 5000 }, lines: { type: 'string', default: 'one\ntwo' },
    } };
    const f = obj(s, {});
    const types = Object.fromEntries(f.fields.map(x => [x.name, as(x, 'string').inputType]));
    assert.deepEqual(types, { u: 'url', e: 'email', d: 'date', dt: 'datetime-local', t: 'time', p: 'password', w: 'password', plain: 'text', long: 'text', lines: 'text' });
    const plain = as(field(s, { plain: 'aa' }, 'plain'), 'string');
    assert.deepEqual([plain.value, plain.minLength, plain.maxLength, plain.pattern, plain.multiline, plain.present], ['aa', 2, 5, '^a+$', false, true]);
    assert.equal(as(field(s, {}, 'long'), 'string').multiline, true);
    assert.equal(as(field(s, {}, 'lines'), 'string').multiline, true);
    assert.equal(as(field(s, {}, 'u'), 'string').format, 'uri');
  });

  test('numbers and integers: bounds, multipleOf as the step, draft-04 exclusive booleans', () => {
    const s: Schema = { type: 'object', properties: {
      n: { type: 'number', minimum: 0, maximum: 10, multipleOf: 0.5 }, i: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 9 },
      old: { type: 'number', minimum: 1, exclusiveMinimum: true, maximum: 2, exclusiveMaximum: true },
    } };
    const n = as(field(s, { n: 2.5 }, 'n'), 'number');
    assert.deepEqual([n.value, n.minimum, n.maximum, n.step], [2.5, 0, 10, 0.5]);
    const i = as(field(s, {}, 'i'), 'integer');
    assert.deepEqual([i.exclusiveMinimum, i.exclusiveMaximum, i.step, i.value], [0, 9, 1, undefined]);
    const old = as(field(s, {}, 'old'), 'number');
    assert.deepEqual([old.minimum, old.exclusiveMinimum, old.maximum, old.exclusiveMaximum], [undefined, 1, undefined, 2]);
  });

  test('booleans, enums with enumNames, oneOf/anyOf of titled consts (SEP-1330 single select)', () => {
    const s: Schema = { type: 'object', properties: {
      b: { type: 'boolean' }, e: { type: 'string', enum: ['a', 'b'], enumNames: ['Alpha', 'Beta'] },
      o: { type: 'string', oneOf: [{ const: 'x', title: 'Ex', description: 'the x' }, { const: 'y' }] }, a: { anyOf: [{ const: 1, title: 'One' }, { const: 2, title: 'Two' }] },
    } };
    assert.equal(as(field(s, { b: true }, 'b'), 'boolean').value, true);
    assert.deepEqual(as(field(s, {}, 'e'), 'enum').choices, [{ value: 'a', label: 'Alpha' }, { value: 'b', label: 'Beta' }]);
    assert.deepEqual(as(field(s, { o: 'y' }, 'o'), 'enum').choices, [{ value: 'x', label: 'Ex', description: 'the x' }, { value: 'y', label: 'y' }]);
    const a = as(field(s, { a: 2 }, 'a'), 'enum');
    assert.deepEqual([a.value, a.choices.map(c => c.label)], [2, ['One', 'Two']]);
  });

  test('multi-select enums: items.enum and items.anyOf of consts (SEP-1330 multi)', () => {
    const s: Schema = { type: 'object', properties: {
      m: { type: 'array', items: { type: 'string', enum: ['r', 'g'] }, minItems: 1, maxItems: 2 },
      t: { type: 'array', items: { anyOf: [{ const: 'f1', title: 'Tuna' }, { const: 'f2', title: 'Salmon' }] } },
    } };
    const m = as(field(s, { m: ['g'] }, 'm'), 'multiEnum');
    assert.deepEqual([m.value, m.choices.map(c => c.value), m.minItems, m.maxItems], [['g'], ['r', 'g'], 1, 2]);
    const t = as(field(s, {}, 't'), 'multiEnum');
    assert.deepEqual([t.value, t.present, t.choices.map(c => c.label)], [[], false, ['Tuna', 'Salmon']]);
  });

  test('nested objects: labels, descriptions, required, present; missing type with properties is an object', () => {
    const s: Schema = { type: 'object', required: ['inner'], properties: {
      inner: { title: 'Inner', description: '**md**', properties: { x: { type: 'string' }, y: { type: 'number' } }, required: ['x'] },
    } };
    const inner = as(field(s, { inner: { x: 'v' } }, 'inner'), 'object');
    assert.deepEqual([inner.label, inner.description, inner.required, inner.present, inner.pointer], ['Inner', '**md**', true, true, '/inner']);
    const [x, y] = inner.fields;
    assert.deepEqual([x!.label, x!.required, x!.present, y!.required, y!.present, y!.pointer], ['x', true, true, false, false, '/inner/y']);
  });

  test('{} and true are JSON fields; false and `not` say why; a tool schema without properties is an empty form', () => {
    const s: Schema = { type: 'object', properties: { any: {}, t: true, f: false, n: { not: { type: 'string' } } } };
    assert.deepEqual(obj(s, {}).fields.map(f => as(f, 'json').reason), ['no schema', 'no schema', 'nothing allowed', 'not']);
    assert.equal(as(buildForm(true as unknown as Schema, 5), 'json').value, 5);
    for (const tool of [{ type: 'object' }, { type: 'object', properties: {} }]) {
      const f = obj(tool);
      assert.deepEqual([f.fields, f.extra, f.present, f.label], [[], [], true, 'Value']);
    }
  });

  test('allOf of objects is merged', () => {
    const s: Schema = { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'integer', minimum: 3 } }, required: ['b'] }] };
    const f = obj(s, {});
    assert.deepEqual(f.fields.map(x => [x.name, x.kind, x.required]), [['a', 'string', true], ['b', 'integer', true]]);
    assert.deepEqual(problems(s, { b: 1 }), { '/a': ['Required.'], '/b': ['At least 3.'] });
  });

  test('additionalProperties: extra keys are kept and shown as JSON fields, never dropped', () => {
    const open: Schema = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } };
    const f = obj(open, { a: 'x', extra: 'kept' });
    assert.deepEqual(f.extra.map(x => [x.name, x.kind, as(x, 'json').value, x.pointer]), [['extra', 'json', 'kept', '/extra']]);
    assert.equal(f.allowsExtra, true);
    assert.deepEqual(f.extraSchema, { type: 'string' });
    assert.deepEqual(setAt({ a: 'x', extra: 'kept' }, ['a'], 'y'), { a: 'y', extra: 'kept' });
    const closed: Schema = { ...open, additionalProperties: false };
    assert.equal(obj(closed, {}).allowsExtra, false);
    assert.deepEqual(problems(closed, { a: 'x', extra: 1 }), { '/extra': ['Not an allowed property.'] });
  });
});

describe('arrays', () => {
  const s: Schema = { type: 'object', properties: { list: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'object', properties: { n: { type: 'integer', default: 7 } } } } } };

  test('items, add, remove, reorder; minItems/maxItems decide canAdd/canRemove', () => {
    let v: unknown = {};
    let list = as(field(s, v, 'list'), 'array');
    assert.deepEqual([list.present, list.items.length, list.canAdd, list.canRemove], [false, 0, true, false]);
    v = addItem(s, v, ['list']);
    v = addItem(s, v, ['list']);
    assert.deepEqual(v, { list: [{ n: 7 }, { n: 7 }] });
    v = setAt(v, ['list', 1, 'n'], 9);
    v = addItem(s, v, ['list']);
    list = as(field(s, v, 'list'), 'array');
    assert.deepEqual([list.items.map(i => i.label), list.items[1]!.pointer, list.canAdd, list.canRemove], [['Item 1', 'Item 2', 'Item 3'], '/list/1', false, true]);
    assert.deepEqual(as(as(list.items[1], 'object').fields[0], 'integer').value, 9);
    v = moveItem(v, ['list'], 1, 0);
    assert.deepEqual(v, { list: [{ n: 9 }, { n: 7 }, { n: 7 }] });
    v = removeAt(removeAt(v, ['list', 0]), ['list', 0]);
    assert.deepEqual(v, { list: [{ n: 7 }] });
    assert.equal(as(field(s, v, 'list'), 'array').canRemove, false);
  });

  test('tuples: prefixItems (2020-12) and an items array (draft-07) give each position its schema', () => {
    const t: Schema = { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false };
    const f = as(buildForm(t, ['a', 1]), 'array');
    assert.deepEqual([f.tuple, f.items.map(i => i.kind), f.canAdd], [true, ['string', 'number'], false]);
    assert.deepEqual(addItem(t, ['a'], []), ['a', 0]);
    const d7: Schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'array', items: [{ type: 'boolean' }], additionalItems: { type: 'string' } };
    const g = as(buildForm(d7, [true, 'x']), 'array');
    assert.deepEqual([g.tuple, g.items.map(i => i.kind), g.canAdd], [true, ['boolean', 'string'], true]);
    assert.deepEqual(problems(d7, ['no', 'x']), { '/0': ['Must be true or false.'] });
  });

  test('arrays of anything: of arrays, of enums of objects, of untyped values', () => {
    const m: Schema = { type: 'array', items: { type: 'array', items: { type: 'string' } } };
    assert.deepEqual(addItem(m, addItem(m, [], []), [0]), [['']]);
    assert.deepEqual(addItem({ type: 'array', items: {} }, [], []), [null]);
    assert.equal(as(buildForm(m, [['a']]), 'array').items[0]!.kind, 'array');
  });
});

describe('variants (anyOf/oneOf of objects)', () => {
  const shape: Schema = { type: 'object', required: ['shape'], properties: { shape: { oneOf: [
    { title: 'Circle', type: 'object', properties: { kind: { const: 'circle' }, r: { type: 'number' }, color: { type: 'string' } }, required: ['kind', 'r'] },
    { title: 'Square', type: 'object', properties: { kind: { const: 'square' }, side: { type: 'number' }, color: { type: 'string' } }, required: ['kind', 'side'] },
  ] } } };

  test('a discriminating const picks the variant; choosing another keeps the shared properties', () => {
    let v = initialValue(shape);
    assert.deepEqual(v, { shape: { kind: 'circle' } });
    const f = as(field(shape, { shape: { kind: 'square', side: 2 } }, 'shape'), 'variant');
    assert.deepEqual([f.selected, f.variants.map(x => x.label), as(f.field, 'object').fields.map(x => x.name)], [1, ['Circle', 'Square'], ['kind', 'side', 'color']]);
    v = setAt(v, ['shape', 'color'], 'red');
    v = chooseVariant(shape, v, ['shape'], 1);
    assert.deepEqual(v, { shape: { kind: 'square', color: 'red' } });
    assert.deepEqual(problems(shape, v), { '/shape/side': ['Required.'] });
    const loose: Schema = { anyOf: [{ type: 'object', title: 'Anything' }, { type: 'object', properties: { kind: { const: 'b' }, x: { type: 'string' } }, required: ['kind', 'x'] }] };
    assert.equal(as(buildForm(loose, { kind: 'b' }), 'variant').selected, 1, 'the const decides before validation does');
  });

  test('without a discriminator: the variant the value validates against, else the closest, else -1', () => {
    const s: Schema = { anyOf: [
      { type: 'object', properties: { url: { type: 'string', format: 'uri' } }, required: ['url'], additionalProperties: false },
      { type: 'object', properties: { path: { type: 'string' } }, required: ['path'], additionalProperties: false },
      { type: 'string' },
    ] };
    const pick = (v: unknown) => as(buildForm(s, v), 'variant').selected;
    assert.equal(pick({ path: '/x' }), 1);
    assert.equal(pick({ url: 'https://a.example' }), 0);
    assert.equal(pick('text'), 2);
    assert.equal(pick(42), -1);
    assert.equal(pick({ path: 3 }), 1, 'half-filled: the closest variant, so the form does not jump');
    assert.equal(as(buildForm(s, undefined), 'variant').selected, -1);
    assert.deepEqual(problems(s, { path: 3 }), { '/path': ['Must be text.'] }, 'only the chosen alternative speaks');
    assert.deepEqual(problems(s, 42), { '': ['Does not match any of the options.'] });
    assert.equal(as(buildForm(s, {}, { variantHints: new Map([['', 1]]) }), 'variant').selected, 1);
  });

  test('a type list is a variant of types', () => {
    const s: Schema = { type: ['string', 'number'] };
    const f = as(buildForm(s, 3), 'variant');
    assert.deepEqual([f.variants.map(x => x.label), f.selected, f.field?.kind], [['Text', 'Number'], 1, 'number']);
    assert.equal(chooseVariant(s, 3, [], 0), '');
  });
});

describe('nullable, $ref and recursion', () => {
  test('type lists, anyOf with null and OpenAPI nullable are a null toggle', () => {
    const s: Schema = { type: 'object', properties: {
      a: { type: ['string', 'null'], minLength: 3 }, b: { anyOf: [{ type: 'integer', default: 5 }, { type: 'null' }], description: 'outer' }, c: { type: 'string', nullable: true },
      d: { type: 'string', enum: ['x', null] },
    } };
    const f = obj(s, { a: null, b: 1 });
    assert.deepEqual(f.fields.map(x => [x.name, x.kind, x.nullable, x.isNull]), [['a', 'string', true, true], ['b', 'integer', true, false], ['c', 'string', true, false], ['d', 'enum', true, false]]);
    assert.equal(f.fields[1]!.description, 'outer');
    assert.deepEqual(as(f.fields[3], 'enum').choices.map(c => c.value), ['x']);
    let v = setNull(s, {}, ['c'], true);
    assert.deepEqual(v, { c: null });
    assert.deepEqual(problems(s, v), {}, 'nullable: true lets null through');
    v = setNull(s, setNull(s, v, ['b'], true), ['b'], false);
    assert.deepEqual(v, { c: null, b: 5 });
    assert.deepEqual(problems(s, { a: 'ab' }), { '/a': ['At least 3 characters.'] });
    assert.deepEqual(problems(s, { b: 'x' }), { '/b': ['Must be a whole number.'] });
    const strict = obj({ type: 'object', properties: { s: { type: 'string' }, e: { enum: ['a'] }, n: { const: null } } }, { s: null, e: null, n: null, x: 1 });
    assert.deepEqual(strict.fields.map(f => [f.kind, f.kind === 'json' && f.reason]), [['json', 'value does not fit the schema'], ['json', 'value does not fit the schema'], ['const', false]]);
    assert.equal(as(strict.fields[0], 'json').value, null);
  });

  test('$ref into $defs and definitions, with the referring keywords winning', () => {
    const s: Schema = { type: 'object', $defs: { id: { type: 'integer', minimum: 1, title: 'Id' } }, definitions: { tag: { enum: ['a', 'b'] } },
      properties: { id: { $ref: '#/$defs/id', description: 'own' }, tag: { $ref: '#/definitions/tag' }, far: { $ref: 'https://example.com/x.json' } } };
    const f = obj(s, {});
    assert.deepEqual([f.fields[0]!.kind, f.fields[0]!.label, f.fields[0]!.description, f.fields[1]!.kind], ['integer', 'Id', 'own', 'enum']);
    assert.equal(as(f.fields[2], 'json').reason, 'unresolved $ref');
    assert.deepEqual(problems({ ...s, properties: { id: s.properties && (s.properties as Schema).id } }, { id: 0 }), { '/id': ['At least 1.'] });
  });

  test('recursive schemas: building ends; a value deeper than maxDepth is shown as JSON', () => {
    const tree: Schema = { $ref: '#/$defs/node', $defs: { node: { type: 'object', required: ['name'], properties: {
      name: { type: 'string' }, child: { $ref: '#/$defs/node' }, children: { type: 'array', items: { $ref: '#/$defs/node' } },
    } } } };
    const loop: Schema = { ...tree, $defs: { node: { ...(tree.$defs as { node: Schema }).node, required: ['name', 'child'] } } };
    assert.deepEqual(initialValue(loop), {}, 'a required recursive object is not created forever');
    const root = obj(tree, {});
    const child = as(root.fields[1], 'object');
    assert.deepEqual([child.present, child.fields.length, as(child.fields[1], 'object').fields], [false, 3, []], 'an absent recursive object is expanded once');
    let deep: unknown = { name: 'leaf' };
    for (let i = 0; i < 20; i++) deep = { name: `n${i}`, children: [deep] };
    let f: Field = buildForm(tree, deep, { maxDepth: 6 });
    while (f.kind !== 'json') f = f.kind === 'object' ? f.fields.find(x => x.name === 'children')! : as(f, 'array').items[0]!;
    assert.deepEqual([f.path.length, f.reason, f.value], [7, 'recursion depth', (f.value as unknown[]).length ? f.value : 'not empty']);
    assert.ok(JSON.stringify(buildForm(tree, deep)).length > 0, 'the default depth ends as well');
  });
});

describe('initial values', () => {
  test('defaults prefilled, required nested objects created, consts set, optional fields omitted', () => {
    const s: Schema = { type: 'object', required: ['cfg', 'name', 'list'], properties: {
      name: { type: 'string' }, list: { type: 'array', items: { type: 'string' } }, opt: { type: 'string' }, n: { type: 'number', default: 0 },
      v: { const: 'fixed' }, cfg: { type: 'object', required: ['mode'], properties: { mode: { enum: ['a', 'b'], default: 'b' }, deep: { type: 'object', properties: {} } } },
    } };
    assert.deepEqual(initialValue(s), { n: 0, v: 'fixed', cfg: { mode: 'b' } });
    assert.deepEqual(problems(s, initialValue(s)), { '/name': ['Required.'], '/list': ['Required.'] });
    assert.deepEqual(initialValue({ type: 'integer', exclusiveMinimum: 2, maximum: 9 }), 3);
  });

  test('server-everything\'s elicitation form (13 fields): kinds, SEP-1034 defaults, SEP-1330 choices', () => {
    const v = initialValue(ELICITATION);
    assert.deepEqual(v, { firstLine: 'It was a dark and stormy night.', integer: 42, number: 3.14, untitledSingleSelectEnum: 'Monica', untitledMultipleSelectEnum: ['Guitar'], titledSingleSelectEnum: 'hero-1', titledMultipleSelectEnum: ['fish-1'], legacyTitledEnum: 'pet-1' });
    const f = obj(ELICITATION, v);
    assert.deepEqual(f.fields.map(x => [x.name, x.kind, x.label]), [
      ['name', 'string', 'String'], ['check', 'boolean', 'Boolean'], ['firstLine', 'string', 'String with default'], ['email', 'string', 'String with email format'],
      ['homepage', 'string', 'String with uri format'], ['birthdate', 'string', 'String with date format'], ['integer', 'integer', 'Integer'], ['number', 'number', 'Number in range 1-1000'],
      ['untitledSingleSelectEnum', 'enum', 'Untitled Single Select Enum'], ['untitledMultipleSelectEnum', 'multiEnum', 'Untitled Multiple Select Enum'],
      ['titledSingleSelectEnum', 'enum', 'Titled Single Select Enum'], ['titledMultipleSelectEnum', 'multiEnum', 'Titled Multiple Select Enum'], ['legacyTitledEnum', 'enum', 'Legacy Titled Single Select Enum'],
    ]);
    const byName = (n: string) => f.fields.find(x => x.name === n)!;
    assert.deepEqual(['email', 'homepage', 'birthdate'].map(n => as(byName(n), 'string').inputType), ['email', 'url', 'date']);
    assert.deepEqual(as(byName('titledSingleSelectEnum'), 'enum').choices.map(c => c.label), ['Superman', 'Green Lantern', 'Wonder Woman']);
    assert.deepEqual(as(byName('legacyTitledEnum'), 'enum').choices.map(c => c.label), ['Cats', 'Dogs', 'Birds', 'Fish', 'Reptiles']);
    const fish = as(byName('titledMultipleSelectEnum'), 'multiEnum');
    assert.deepEqual([fish.value, fish.choices.map(c => c.label), fish.minItems, fish.maxItems], [['fish-1'], ['Tuna', 'Salmon', 'Trout'], 1, 3]);
    assert.deepEqual([byName('name').required, byName('check').required], [true, false]);
    assert.deepEqual(problems(ELICITATION, v), { '/name': ['Required.'] });
    let filled = setAt(v, ['name'], 'Ada');
    assert.equal(validate(ELICITATION, filled).count, 0);
    filled = setAt(setAt(setAt(filled, ['email'], 'nope'), ['integer'], 101), ['titledMultipleSelectEnum'], []);
    assert.deepEqual(problems(ELICITATION, filled), { '/email': ['Must be an e-mail address.'], '/integer': ['At most 100.'], '/titledMultipleSelectEnum': ['Choose at least 1.'] });
  });
});

describe('edits, text inputs and the JSON view', () => {
  test('edits never change the value they are given', () => {
    const v = deepFreeze({ a: { b: [1, 2, 3] }, c: 'x' });
    assert.deepEqual(setAt(v, ['a', 'b', 1], 9), { a: { b: [1, 9, 3] }, c: 'x' });
    assert.deepEqual(setAt(v, ['n', 0, 'k'], true), { a: { b: [1, 2, 3] }, c: 'x', n: [{ k: true }] });
    assert.deepEqual(removeAt(v, ['a', 'b', 0]), { a: { b: [2, 3] }, c: 'x' });
    assert.deepEqual(removeAt(v, ['c']), { a: { b: [1, 2, 3] } });
    assert.equal(removeAt(v, ['nothing', 'here']), v);
    assert.deepEqual(moveItem(v, ['a', 'b'], 0, 2), { a: { b: [2, 3, 1] }, c: 'x' });
    assert.deepEqual(setAt(v, ['c'], undefined), { a: { b: [1, 2, 3] } });
    const proto = setAt({}, ['__proto__'], { polluted: true }) as Record<string, unknown>;
    assert.deepEqual([Object.keys(proto), ({} as Record<string, unknown>).polluted], [['__proto__'], undefined]);
  });

  test('parseText and fieldText', () => {
    const s: Schema = { type: 'object', required: ['req', 'n'], properties: {
      req: { type: 'string' }, opt: { type: 'string' }, n: { type: 'number' }, i: { type: 'integer' }, e: { enum: ['a', 'b'], enumNames: ['Alpha', 'Beta'] },
      dt: { type: 'string', format: 'date-time' }, t: { type: 'string', format: 'time' }, j: {},
    } };
    const f = (name: string, v: unknown = {}) => field(s, v, name)!;
    assert.deepEqual([parseText(f('req'), ''), parseText(f('opt'), ''), parseText(f('opt'), ' x ')], [{ value: '' }, { omit: true }, { value: ' x ' }]);
    assert.deepEqual([parseText(f('n'), 'abc'), parseText(f('n'), ''), parseText(f('n'), ' -1.5e2 '), parseText(f('i'), '')], [{ error: 'Enter a number.' }, { error: 'Enter a number.' }, { value: -150 }, { omit: true }]);
    assert.deepEqual([parseText(f('i'), '1.5'), parseText(f('i'), '0x10'), parseText(f('i'), '12')], [{ error: 'Enter a whole number.' }, { error: 'Enter a number.' }, { value: 12 }]);
    assert.deepEqual([parseText(f('e'), 'Beta'), parseText(f('e'), 'a'), parseText(f('e'), 'z')], [{ value: 'b' }, { value: 'a' }, { error: 'Choose one of the options.' }]);
    assert.deepEqual([fieldText(f('e', { e: 'b' })), fieldText(f('n', { n: 2 })), fieldText(f('opt')), fieldText(f('j', { j: [1] }))], ['Beta', '2', '', '[\n  1\n]']);
    const dt = parseText(f('dt'), '2024-05-06T07:08') as { value: string };
    assert.match(dt.value, /Z$/);
    assert.equal(new Date(dt.value).getTime(), new Date('2024-05-06T07:08').getTime(), 'a datetime-local text is local time');
    assert.equal(fieldText(f('dt', { dt: dt.value })), '2024-05-06T07:08');
    assert.deepEqual(problems(s, { req: '', n: 1, dt: dt.value }), {});
    const t = parseText(f('t'), '14:30') as { value: string };
    assert.match(t.value, /^14:30:00(Z|[+-]\d\d:\d\d)$/);
    assert.equal(fieldText(f('t', { t: t.value })), '14:30');
    assert.deepEqual(problems(s, { req: '', n: 1, t: t.value }), {});
    assert.deepEqual(parseText(f('j'), '{"a":1}'), { value: { a: 1 } });
  });

  test('the JSON view: 2-space JSON, parse errors as sentences, an object when asked for', () => {
    assert.equal(toJsonText({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}');
    assert.deepEqual(fromJsonText('{"a": 1}', 'object'), { value: { a: 1 } });
    assert.deepEqual(fromJsonText('[1]', 'object'), { error: 'Enter a JSON object, e.g. {"key": "value"}.' });
    assert.match((fromJsonText('{"a": }') as { error: string }).error, /^Not valid JSON: .+\.$/);
    assert.deepEqual(fromJsonText('  ', 'object'), { value: {} });
  });
});

describe('validation messages', () => {
  const s: Schema = { type: 'object', required: ['name', 'items'], properties: {
    name: { type: 'string', minLength: 3, pattern: '^a+$' }, mail: { type: 'string', format: 'email' }, age: { type: 'integer', minimum: 3, multipleOf: 3 },
    color: { enum: ['red', 'green'] }, items: { type: 'array', uniqueItems: true, items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, at: { type: 'string', format: 'date' } } } },
  } };

  test('short sentences at the pointer of what is wrong; required at the missing child', () => {
    assert.deepEqual(problems(s, {}), { '/name': ['Required.'], '/items': ['Required.'] });
    const p = problems(s, { name: 'ab', mail: 'x', age: 2, color: 'blue', items: [{ at: 'soon' }, { id: 1 }] });
    assert.deepEqual(p, {
      '/name': ['At least 3 characters.', 'Must match ^a+$.'], '/mail': ['Must be an e-mail address.'], '/age': ['At least 3.', 'Must be a multiple of 3.'],
      '/color': ['Choose one of the options.'], '/items/0/id': ['Required.'], '/items/0/at': ['Must be a date (YYYY-MM-DD).'], '/items/1/id': ['Must be text.'],
    });
    const all = JSON.stringify([...validate(s, { name: 5, items: [1, 1] }).byPointer]);
    assert.doesNotMatch(all, /Instance|#\/|subschema|does not match schema/);
    assert.deepEqual(problems(s, { name: 'aaa', items: [{ id: 'x' }, { id: 'x' }] }), { '/items': ['The items must all be different.'] });
    assert.equal(validate(s, { name: 'aaa', items: [] }).count, 0);
  });

  test("a pattern that spells out a format reads as the format (zod's e-mail regex)", () => {
    // What zod 4 sends for z.string().email(): the format and a regex for it.
    const zodEmail = { type: 'object', properties: { email: { type: 'string', format: 'email', pattern: "^(?:[A-Za-z0-9_'+\\-]+\\.)*[A-Za-z0-9_'+\\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\\-]*\\.)+[A-Za-z]{2,}$" } } };
    assert.deepEqual(problems(zodEmail, { email: 'ada@example' }), { '/email': ['Must be an e-mail address.'] });
    assert.equal(validate(zodEmail, { email: 'ada@example.com' }).count, 0);
  });

  test('the draft comes from $schema (2020-12 when it names none)', () => {
    const sibling = { definitions: { s: { type: 'string' } }, $ref: '#/definitions/s', minLength: 5 };
    assert.deepEqual(problems(sibling, 'ab'), { '': ['At least 5 characters.'] }, '2020-12: keywords beside $ref apply');
    assert.deepEqual(problems({ ...sibling, $schema: 'http://json-schema.org/draft-07/schema#' }, 'ab'), {}, 'draft-07: keywords beside $ref are ignored');
    assert.deepEqual(problems({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'number', minimum: 1, exclusiveMinimum: true }, 1), { '': ['More than 1.'] });
  });
});
