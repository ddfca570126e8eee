import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandTemplate, templateVariables } from '../../src/protocol/uriTemplate.ts';

test('variables of resource templates', () => {
  assert.deepEqual(templateVariables('demo://resource/dynamic/text/{resourceId}'), [{ name: 'resourceId', optional: false }]);
  assert.deepEqual(templateVariables('file:///{+path}{?rev,mode}').map(v => `${v.name}:${v.optional}`), ['path:false', 'rev:true', 'mode:true']);
});

test('RFC 6570 expansion: simple, reserved, query, path, prefix', () => {
  assert.equal(expandTemplate('demo://r/{id}', { id: 'a b/c' }), 'demo://r/a%20b%2Fc');
  assert.equal(expandTemplate('file:///{+path}', { path: 'src/a b.ts' }), 'file:///src/a%20b.ts');
  assert.equal(expandTemplate('x://s{?q,lang}', { q: 'mcp', lang: undefined }), 'x://s?q=mcp');
  assert.equal(expandTemplate('x://{/seg}', { seg: 'one' }), 'x:///one');
  assert.equal(expandTemplate('x://{id:3}', { id: 'abcdef' }), 'x://abc');
  assert.equal(expandTemplate('greeting://{name}', { name: 'Zoë' }), 'greeting://Zo%C3%AB');
});
