// The 2026-07-28 HTTP headers derived from a request (Mcp-Method, Mcp-Name, Mcp-Param-*),
// with the spec's own examples, and the rules that make a tool's declarations invalid.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeHeaderValue, paramHeaders, scanHeaderDeclarations, standardHeaders } from '../../src/protocol/mcpHeaders.ts';

test('values are plain when safe and =?base64?…?= otherwise (the spec\'s examples)', () => {
  assert.equal(encodeHeaderValue('us-west1'), 'us-west1');
  assert.equal(encodeHeaderValue('Hello, 世界'), '=?base64?SGVsbG8sIOS4lueVjA==?=');
  assert.equal(encodeHeaderValue(' padded '), '=?base64?IHBhZGRlZCA=?=');
  assert.equal(encodeHeaderValue('line1\nline2'), '=?base64?bGluZTEKbGluZTI=?=');
  assert.equal(encodeHeaderValue('=?base64?literal?='), '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=');
  assert.equal(encodeHeaderValue('us west 1'), 'us west 1', 'inner spaces are fine');
  assert.equal(encodeHeaderValue('\tindented'), '=?base64?CWluZGVudGVk?=');
  assert.equal(encodeHeaderValue(''), '=?base64??=');
});

test('Mcp-Name for the methods that name something; Mcp-Method always', () => {
  assert.deepEqual(standardHeaders('2026-07-28', 'tools/call', { name: 'echo' }), { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' });
  assert.deepEqual(standardHeaders('2026-07-28', 'resources/read', { uri: 'file:///a b' }), { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'resources/read', 'mcp-name': 'file:///a b' });
  assert.deepEqual(standardHeaders('2026-07-28', 'tools/list', undefined), { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' });
  assert.equal(standardHeaders('2026-07-28', 'prompts/get', { name: 'café' })['mcp-name'], '=?base64?Y2Fmw6k=?=');
});

test('Mcp-Param-* from declared arguments: strings, integers, booleans; null or absent gives none', () => {
  const scan = scanHeaderDeclarations({
    type: 'object',
    properties: {
      region: { type: 'string', 'x-mcp-header': 'Region' },
      priority: { type: 'integer', 'x-mcp-header': 'Priority' },
      verbose: { type: 'boolean', 'x-mcp-header': 'Verbose' },
      nested: { type: 'object', properties: { id: { type: 'string', 'x-mcp-header': 'Id' } } },
      other: { type: 'number' },
    },
  });
  assert.ok(scan.ok);
  assert.deepEqual(paramHeaders(scan.params, { region: 'Zürich', priority: 42, verbose: null, nested: { id: 'a1' }, other: 1.5 }), {
    'mcp-param-region': '=?base64?WsO8cmljaA==?=', 'mcp-param-priority': '42', 'mcp-param-id': 'a1',
  });
});

test('invalid declarations: empty, not a token, duplicate in any case, not a primitive, not statically reachable', () => {
  const bad = (properties: Record<string, unknown>) => { const s = scanHeaderDeclarations({ type: 'object', properties }); return s.ok ? 'ok' : s.reason; };
  assert.match(bad({ a: { type: 'string', 'x-mcp-header': '' } }), /is empty/);
  for (const name of ['My Region', 'Region:Primary', 'Région', 'Region\t1']) assert.match(bad({ a: { type: 'string', 'x-mcp-header': name } }), /not a valid header name/, name);
  assert.match(bad({ a: { type: 'string', 'x-mcp-header': 'MyField' }, b: { type: 'string', 'x-mcp-header': 'myfield' } }), /declared twice/);
  for (const type of ['number', 'object', 'array', 'null']) assert.match(bad({ a: { type, 'x-mcp-header': 'A' } }), /only string, integer and boolean/, type);
  assert.match(bad({ a: { type: 'array', items: { type: 'string', 'x-mcp-header': 'A' } } }), /not reachable through properties alone/);
  assert.match(bad({ a: { anyOf: [{ type: 'string', 'x-mcp-header': 'A' }] } }), /not reachable/);
  assert.equal(bad({ a: { type: 'string', 'x-mcp-header': 'Region' } }), 'ok');
});
