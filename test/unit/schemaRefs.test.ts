// Local $refs of 2020-12 tool schemas are read for forms; remote ones are never followed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveLocalRef } from '../../src/protocol/schemaRefs.ts';

test('a property pointing into $defs reads as what it points to; its own keywords win; anchors work', () => {
  const root = {
    type: 'object',
    $defs: { unit: { type: 'string', enum: ['metric', 'imperial'], description: 'from defs' }, point: { $anchor: 'pt', type: 'object', properties: { x: { type: 'number' } } } },
    properties: { unit: { $ref: '#/$defs/unit', description: 'own' }, at: { $ref: '#pt' }, chain: { $ref: '#/properties/unit' } },
  };
  assert.deepEqual(resolveLocalRef(root, root.properties.unit), { type: 'string', enum: ['metric', 'imperial'], description: 'own' });
  assert.equal(resolveLocalRef(root, root.properties.at).type, 'object');
  assert.deepEqual(resolveLocalRef(root, root.properties.chain).enum, ['metric', 'imperial']);
});

test('a reference outside the document is left alone (never fetched); a loop ends', () => {
  const remote = { $ref: 'https://example.com/schema.json' };
  assert.equal(resolveLocalRef({}, remote), remote);
  const root: Record<string, unknown> = { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } } };
  assert.ok(resolveLocalRef(root, { $ref: '#/$defs/a' }));
});
