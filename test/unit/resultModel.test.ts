// The result model of the tool panel (src/webviews/result/): content blocks → view blocks,
// structuredContent against outputSchema, the JSON tree. No DOM, no vscode.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { RELATED_TASK_META } from '../../src/protocol/tasks.ts';
import type { CallToolResult, ContentBlock, Tool } from '../../src/protocol/types.ts';
import { children, nodeOf, pathOf, pointerOf, rootNode, valueAt } from '../../src/webviews/result/jsonTree.ts';
import { base64Size } from '../../src/webviews/result/media.ts';
import { describeResult, forTransfer, mediaData, type BlockOf, type ResultBlock } from '../../src/webviews/result/model.ts';
import { classifyText, looksLikeMarkdown, parseJsonContainer } from '../../src/webviews/result/text.ts';
import { trimResult } from '../../src/webviews/result/trim.ts';
import { EVERYTHING } from './helpers.ts';

/** get-structured-content's outputSchema exactly as server-everything 2026.8.31 lists it (tools/list). */
const WEATHER_SCHEMA: NonNullable<Tool['outputSchema']> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    temperature: { type: 'number', description: 'Temperature in celsius' },
    conditions: { type: 'string', description: 'Weather conditions description' },
    humidity: { type: 'number', description: 'Humidity percentage' },
  },
  required: ['temperature', 'conditions', 'humidity'],
  additionalProperties: false,
};
const WEATHER = { temperature: 36, conditions: 'Light rain / drizzle', humidity: 82 };

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const PNG = b64(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
const one = (block: unknown): ResultBlock => describeResult({ content: [block as ContentBlock] }).blocks[0]!;
function as<K extends ResultBlock['kind']>(b: ResultBlock, kind: K): BlockOf<K> {
  assert.equal(b.kind, kind, `expected a ${kind} block, got ${JSON.stringify(b).slice(0, 200)}`);
  return b as BlockOf<K>;
}

describe('text: Markdown, plain, JSON', () => {
  const markdown = [
    '# Weather\nSunny all day.',
    'Intro\n\n```ts\nconst x = 1;\n```\n',
    'See [the docs](https://modelcontextprotocol.io/specification) for details.',
    '| city | temp |\n|------|-----:|\n| Oslo | 3 |',
    'Steps:\n- install\n- run',
    '1. first\n2. second',
    'This is **important** and uses `code`.',
    '> quoted words\nand *emphasis* after them',
  ];
  const plain = [
    'Operation completed successfully',
    '- just one dash line in a log',
    '2 * 3 * 4 = 24',
    'set my_var_name and other_var_name, then snake_case_too',
    'tagged #hashtag and issue #12',
    'call arr[i](x) then obj[key](y)',
    '[INFO] (main) server started on port 3000\n[WARN] (db) slow query',
    'int *p = *q;',
    'Run `npm install` first.',
    'a|b|c\n1|2|3',
    'C:\\Users\\me\\my_project_dir\\file_name.txt',
    'Here are 2 resource links to resources available in this server:',
  ];
  for (const t of markdown) test(`Markdown: ${JSON.stringify(t).slice(0, 50)}`, () => assert.equal(looksLikeMarkdown(t), true));
  for (const t of plain) test(`plain: ${JSON.stringify(t).slice(0, 50)}`, () => assert.equal(looksLikeMarkdown(t), false));

  test('JSON is an object or an array that parses, white space around allowed; anything else is not', () => {
    assert.deepEqual(parseJsonContainer('  {"a": [1, 2]}\n'), { a: [1, 2] });
    assert.deepEqual(parseJsonContainer('[{"x":null}]'), [{ x: null }]);
    for (const t of ['42', '"str"', 'null', 'true', '{broken', '[1,2] trailing', '{"a":1}}', '', '   ']) assert.equal(parseJsonContainer(t), undefined, t);
  });

  test('text blocks become markdown, text or json blocks', () => {
    assert.equal(as(one({ type: 'text', text: '## Result\nok' }), 'markdown').text, '## Result\nok');
    assert.equal(as(one({ type: 'text', text: 'Error: Operation failed' }), 'text').text, 'Error: Operation failed');
    const j = as(one({ type: 'text', text: '{"temperature": 33}' }), 'json');
    assert.deepEqual(j.value, { temperature: 33 });
    assert.equal(j.text, '{"temperature": 33}');
    assert.equal(j.sameAsStructured, undefined);
  });

  test('a JSON text that only repeats structuredContent says so; a different one does not', () => {
    const v = describeResult({ content: [{ type: 'text', text: JSON.stringify(WEATHER, null, 2) }, { type: 'text', text: '{"temperature":1}' }], structuredContent: WEATHER });
    assert.equal(as(v.blocks[0]!, 'json').sameAsStructured, true);
    assert.equal(as(v.blocks[1]!, 'json').sameAsStructured, undefined);
  });

  test('a declared MIME type wins over the content', () => {
    assert.equal(classifyText('# not a heading', 'text/plain').kind, 'text');
    assert.equal(classifyText('plain words', 'text/markdown').kind, 'markdown');
    assert.deepEqual(classifyText('{"a":1}', 'application/vnd.api+json'), { kind: 'json', value: { a: 1 } });
    assert.equal(classifyText('{not json', 'application/json').kind, 'text');
    assert.equal(classifyText('# x', 'text/html').kind, 'text');
    assert.equal(classifyText('[1]', 'text/plain; charset=utf-8').kind, 'json');
  });
});

describe('media', () => {
  test('a PNG is shown inline; its size comes from the base64 length and matches the decoded bytes', () => {
    const img = as(one({ type: 'image', data: PNG, mimeType: 'image/png' }), 'image');
    assert.equal(img.size, Buffer.from(PNG, 'base64').length);
    assert.equal(img.dataUrl, `data:image/png;base64,${PNG}`);
    assert.equal(img.notInline, undefined);
  });

  test('JPEG, GIF, WebP inline (MIME type case and parameters ignored); SVG refused because it is scriptable; TIFF refused', () => {
    for (const mime of ['image/jpeg', 'IMAGE/GIF', 'image/webp; q=1', 'image/jpg']) assert.ok(as(one({ type: 'image', data: PNG, mimeType: mime }), 'image').dataUrl, mime);
    const svg = as(one({ type: 'image', data: b64('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), mimeType: 'image/svg+xml' }), 'image');
    assert.equal(svg.dataUrl, undefined);
    assert.match(svg.notInline!, /SVG.*scripts/);
    const tiff = as(one({ type: 'image', data: PNG, mimeType: 'image/tiff' }), 'image');
    assert.equal(tiff.dataUrl, undefined);
    assert.match(tiff.notInline!, /image\/tiff cannot be shown inline/);
  });

  test('base64 sizes: padding, wrapped lines, garbage', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'x'.repeat(1000)]) assert.equal(base64Size(b64(s)), s.length, s);
    const wrapped = b64('y'.repeat(300)).replace(/(.{76})/g, '$1\r\n');
    assert.equal(base64Size(wrapped), 300);
    assert.equal(base64Size('not base64!'), -1);
    assert.equal(base64Size('ab=c'), -1);
    const bad = as(one({ type: 'image', data: '%%%', mimeType: 'image/png' }), 'image');
    assert.equal(bad.size, -1);
    assert.equal(bad.dataUrl, undefined);
    assert.match(bad.notInline!, /not valid base64/);
  });

  test('a 20 MB image: size from the length, the data URL built over the same data', () => {
    const data = 'A'.repeat(Math.ceil((20 * 1024 * 1024) / 3) * 4);
    const v = describeResult({ content: [{ type: 'image', data, mimeType: 'image/png' }] });
    const img = as(v.blocks[0]!, 'image');
    assert.equal(img.size, data.length / 4 * 3);
    assert.equal(img.dataUrl!.length, 'data:image/png;base64,'.length + data.length);
    assert.equal(v.sizeBytes, img.size);
    // Posted to the webview, the base64 crosses once (inside the data URL), not twice.
    const posted = forTransfer(v);
    assert.ok(JSON.stringify(posted).length < data.length + 1000);
    assert.equal(mediaData(posted.blocks[0] as BlockOf<'image'>), data);
    assert.equal(as(v.blocks[0]!, 'image').data, data, 'the view itself is not changed');
    const svg = describeResult({ content: [{ type: 'image', data: PNG, mimeType: 'image/svg+xml' }] });
    assert.equal(forTransfer(svg), svg, 'nothing shown inline: the same view, data kept');
  });

  test('audio: wav, mpeg, ogg, webm, mp4 play inline; other types say why not', () => {
    for (const mime of ['audio/wav', 'audio/x-wav', 'audio/mpeg', 'audio/ogg', 'audio/webm', 'audio/mp4']) {
      const a = as(one({ type: 'audio', data: PNG, mimeType: mime }), 'audio');
      assert.ok(a.dataUrl?.startsWith('data:audio/'), mime);
    }
    const flac = as(one({ type: 'audio', data: PNG, mimeType: 'audio/flac' }), 'audio');
    assert.equal(flac.dataUrl, undefined);
    assert.match(flac.notInline!, /audio\/flac cannot be played inline/);
  });
});

describe('resources and other blocks', () => {
  test('an embedded text resource: kind from its MIME type or its content; JSON parsed', () => {
    const md = as(one({ type: 'resource', resource: { uri: 'file:///r.md', mimeType: 'text/markdown', text: 'plain' } }), 'resource');
    assert.equal(md.textKind, 'markdown');
    const json = as(one({ type: 'resource', resource: { uri: 'file:///r.json', mimeType: 'application/json', text: '{"a":[1]}' } }), 'resource');
    assert.deepEqual([json.textKind, json.value], ['json', { a: [1] }]);
    const guessed = as(one({ type: 'resource', resource: { uri: 'demo://x', text: '# Title\nbody' } }), 'resource');
    assert.deepEqual([guessed.textKind, guessed.text, guessed.mimeType], ['markdown', '# Title\nbody', undefined]);
  });

  test('an embedded blob: its decoded size; an image blob inline, an SVG or PDF blob not', () => {
    const blob = as(one({ type: 'resource', resource: { uri: 'demo://b', mimeType: 'application/pdf', blob: b64('%PDF-1.7 xx') } }), 'resource');
    assert.deepEqual([blob.blobSize, blob.text, blob.dataUrl], [11, undefined, undefined]);
    assert.ok(as(one({ type: 'resource', resource: { uri: 'demo://p', mimeType: 'image/png', blob: PNG } }), 'resource').dataUrl);
    const svg = as(one({ type: 'resource', resource: { uri: 'demo://s', mimeType: 'image/svg+xml', blob: b64('<svg/>') } }), 'resource');
    assert.equal(svg.dataUrl, undefined);
    assert.match(svg.notInline!, /SVG/);
  });

  test('a resource link keeps what identifies it', () => {
    const link = as(one({ type: 'resource_link', uri: 'demo://resource/dynamic/text/2', name: 'Text Resource 2', title: 'Two', description: 'Resource 2: plaintext resource', mimeType: 'text/plain', size: 12 }), 'resourceLink');
    assert.deepEqual(link, { kind: 'resourceLink', uri: 'demo://resource/dynamic/text/2', name: 'Text Resource 2', title: 'Two', description: 'Resource 2: plaintext resource', mimeType: 'text/plain', size: 12 });
  });

  test('an unknown block type is kept whole; a known type in a shape it cannot have is unknown too', () => {
    const video = { type: 'video', uri: 'x', frames: 3 };
    assert.deepEqual(one(video), { kind: 'unknown', type: 'video', value: video });
    assert.deepEqual(one({ type: 'text', text: 5 }), { kind: 'unknown', type: 'text', value: { type: 'text', text: 5 } });
    assert.equal(as(one(null), 'unknown').type, 'object');
    assert.equal(as(one({ type: 'resource', resource: { uri: 'x' } }), 'unknown').type, 'resource');
  });

  test('annotations and _meta pass through on every kind', () => {
    const extra = { annotations: { audience: ['user'], priority: 0.7 }, _meta: { 'x/y': 1 } };
    const blocks = [
      { type: 'text', text: 'hi', ...extra },
      { type: 'image', data: PNG, mimeType: 'image/png', ...extra },
      { type: 'audio', data: PNG, mimeType: 'audio/wav', ...extra },
      { type: 'resource_link', uri: 'a:b', name: 'n', ...extra },
      { type: 'resource', resource: { uri: 'a:b', text: 't' }, ...extra },
    ];
    for (const b of describeResult({ content: blocks as ContentBlock[] }).blocks) {
      const x = b as ResultBlock & typeof extra;
      assert.deepEqual([x.annotations, x._meta], [extra.annotations, extra._meta], b.kind);
    }
  });

  test('isError, sizes, the task a result belongs to', () => {
    const v = describeResult({ content: [{ type: 'text', text: 'héllo' }, { type: 'image', data: PNG, mimeType: 'image/png' }], isError: true, _meta: { [RELATED_TASK_META]: { taskId: 't-1' } } });
    assert.equal(v.isError, true);
    assert.equal(v.sizeBytes, 6 + 11);
    assert.deepEqual(v.task, { taskId: 't-1' });
    assert.equal(describeResult({ content: [] }).isError, false);
    assert.equal(describeResult({ content: [] }).task, undefined);
    assert.deepEqual(describeResult({} as CallToolResult).blocks, []);
  });
});

describe('structuredContent against outputSchema', () => {
  const tool = { outputSchema: WEATHER_SCHEMA };

  test('valid: checked, no problems; without a tool: not checked', () => {
    const v = describeResult({ content: [{ type: 'text', text: JSON.stringify(WEATHER) }], structuredContent: WEATHER }, tool);
    assert.deepEqual(v.structured, { value: WEATHER, schemaIssues: [], schemaProblems: [] });
    assert.deepEqual(describeResult({ content: [], structuredContent: WEATHER }).structured, { value: WEATHER });
  });

  test('invalid: one sentence per fault, each naming the JSON pointer', () => {
    const v = describeResult({ content: [], structuredContent: { temperature: 'hot', conditions: 'Sunny', wind: 3 } }, tool);
    assert.deepEqual(v.structured!.schemaProblems, [
      'At the top level: Instance does not have required property "humidity".',
      'At /temperature: Instance type "string" is invalid. Expected "number".',
      'At /wind: This value is not allowed by the schema.',
    ]);
    assert.deepEqual(v.structured!.schemaIssues!.map(i => i.pointer), ['', '/temperature', '/wind']);
  });

  test('nested through $defs and arrays: the pointer reaches the item; alternatives reported once', () => {
    const schema = {
      type: 'object',
      $defs: { entity: { type: 'object', properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['name'] } },
      properties: { entities: { type: 'array', items: { $ref: '#/$defs/entity' } }, 'id/key': { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
    } as const;
    const v = describeResult({ content: [], structuredContent: { entities: [{ name: 'a' }, { name: 'b', tags: ['x', 2] }, {}], 'id/key': true } }, { outputSchema: schema as unknown as Tool['outputSchema'] });
    assert.deepEqual(v.structured!.schemaProblems, [
      'At /entities/1/tags/1: Instance type "number" is invalid. Expected "string".',
      'At /entities/2: Instance does not have required property "name".',
      'At /id~1key: Instance does not match any subschemas.',
    ]);
    assert.deepEqual(valueAt(v.structured!.value, pathOf(v.structured!.schemaIssues![0]!.pointer)), 2);
  });

  test('a schema the validator cannot apply is a problem, not a throw', () => {
    const v = describeResult({ content: [], structuredContent: { a: 'x' } }, { outputSchema: { type: 'object', properties: { a: { type: 'string', pattern: '(' } } } });
    assert.equal(v.structured!.schemaProblems!.length, 1);
    assert.match(v.structured!.schemaProblems![0]!, /^The output schema could not be applied: /);
  });

  test('outputSchema but no structuredContent: flagged; not for an error result, not for a history entry that dropped it', () => {
    assert.deepEqual(describeResult({ content: [{ type: 'text', text: '{}' }] }, tool).structured, { value: undefined, missingWhileSchema: true });
    assert.equal(describeResult({ content: [{ type: 'text', text: 'Error: no' }], isError: true }, tool).structured, undefined);
    const big = { ...WEATHER, conditions: 'x'.repeat(200_000) };
    const { result } = trimResult({ content: [], structuredContent: big }, 64 * 1024);
    const v = describeResult(result, tool);
    assert.equal(v.structured, undefined);
    assert.equal(v.trimmed!.droppedStructuredContent, true);
  });

  test('an error result with structuredContent is shown, not checked (the schema is for successful results)', () => {
    const v = describeResult({ content: [], structuredContent: { error: 'x' }, isError: true }, tool);
    assert.deepEqual(v.structured, { value: { error: 'x' } });
  });
});

describe('the JSON tree', () => {
  const value = { name: 'n', list: [1, 'two', null, true, { deep: [] }], empty: {}, 'a/b~c': 1 };

  test('children of an object and an array, with their kinds, previews and counts', () => {
    const { nodes, more } = children(value, []);
    assert.equal(more, 0);
    assert.deepEqual(nodes.map(n => [n.key, n.kind, n.preview, n.childCount, n.expandable, n.pointer]), [
      ['name', 'string', '"n"', 0, false, '/name'],
      ['list', 'array', '[5]', 5, true, '/list'],
      ['empty', 'object', '{0}', 0, false, '/empty'],
      ['a/b~c', 'number', '1', 0, false, '/a~1b~0c'],
    ]);
    const list = children(value.list, ['list']).nodes;
    assert.deepEqual(list.map(n => [n.key, n.kind, n.preview]), [[0, 'number', '1'], [1, 'string', '"two"'], [2, 'null', 'null'], [3, 'boolean', 'true'], [4, 'object', '{1}']]);
    assert.deepEqual(list[4]!.path, ['list', 4]);
    assert.deepEqual(rootNode(value), { path: [], pointer: '', key: undefined, kind: 'object', preview: '{4}', childCount: 4, expandable: true });
    assert.deepEqual(children('scalar', []), { nodes: [], more: 0 });
  });

  test('pages: 200 by default, limit and offset, how many more', () => {
    const big = Array.from({ length: 1000 }, (_, i) => i);
    const first = children(big, []);
    assert.deepEqual([first.nodes.length, first.nodes[0]!.key, first.more], [200, 0, 800]);
    const page = children(big, ['x'], { offset: 990, limit: 5 });
    assert.deepEqual([page.nodes.map(n => n.key), page.more], [[990, 991, 992, 993, 994], 5]);
    assert.deepEqual(page.nodes[0]!.path, ['x', 990]);
    assert.deepEqual(children(big, [], { offset: 2000 }), { nodes: [], more: 0 });
    const obj = Object.fromEntries(big.map(i => [`k${i}`, i]));
    const tail = children(obj, [], { offset: 998 });
    assert.deepEqual([tail.nodes.map(n => n.key), tail.more], [['k998', 'k999'], 0]);
  });

  test('string previews are cut at 80 characters, never inside a surrogate pair, escapes kept', () => {
    assert.equal(nodeOf('x'.repeat(80), [], undefined).preview, `"${'x'.repeat(80)}"`);
    assert.equal(nodeOf('x'.repeat(81), [], undefined).preview, `"${'x'.repeat(80)}…"`);
    assert.equal(nodeOf(`${'x'.repeat(79)}😀tail`, [], undefined).preview, `"${'x'.repeat(79)}…"`);
    assert.equal(nodeOf('a\n"b"', [], undefined).preview, '"a\\n\\"b\\""');
  });

  test('valueAt: own members only, indexes as numbers or strings; pointers round-trip', () => {
    assert.equal(valueAt(value, ['list', 1]), 'two');
    assert.equal(valueAt(value, ['list', '1']), 'two');
    assert.equal(valueAt(value, ['list', '01']), undefined);
    assert.equal(valueAt(value, ['list', 9]), undefined);
    assert.equal(valueAt(value, ['name', 'length']), undefined);
    assert.equal(valueAt(value, ['constructor']), undefined);
    assert.equal(valueAt(value, ['__proto__']), undefined);
    assert.deepEqual(valueAt(JSON.parse('{"__proto__":{"x":1}}'), ['__proto__', 'x']), 1);
    assert.deepEqual(valueAt(value, pathOf(pointerOf(['a/b~c']))), 1);
    assert.deepEqual(pathOf('/a~1b~0c/0'), ['a/b~c', '0']);
  });

  test('a value nested 100,000 deep: nodes and pages at any depth, nothing walks the whole', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const path: number[] = Array(99_999).fill(0);
    const inner = valueAt(deep, path);
    assert.deepEqual(children(inner, path).nodes.map(n => [n.kind, n.preview]), [['string', '"bottom"']]);
    assert.equal(nodeOf(deep, [], undefined).preview, '[1]');
  });
});

describe('real results of server-everything', () => {
  test('get-structured-content, get-tiny-image, get-resource-reference and get-resource-links, as the server returns them', async () => {
    const child = spawn(process.execPath, [EVERYTHING, 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
    const pending = new Map<number, (r: Record<string, unknown>) => void>();
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const m = JSON.parse(buf.slice(0, nl)) as { id?: number; result?: Record<string, unknown>; error?: unknown };
        buf = buf.slice(nl + 1);
        if (typeof m.id === 'number' && pending.has(m.id)) { pending.get(m.id)!(m.result ?? { error: m.error }); pending.delete(m.id); }
      }
    });
    let id = 0;
    const request = (method: string, params: object) => new Promise<Record<string, unknown>>(resolve => {
      pending.set(++id, resolve);
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
    const call = (name: string, args: object) => request('tools/call', { name, arguments: args }) as unknown as Promise<CallToolResult>;
    try {
      await request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'resultModel.test', version: '1' } });
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
      const { tools } = await request('tools/list', {}) as { tools: Tool[] };
      const weather = tools.find(t => t.name === 'get-structured-content')!;
      assert.deepEqual(weather.outputSchema, WEATHER_SCHEMA, 'server-everything changed its output schema: update WEATHER_SCHEMA');

      const sc = describeResult(await call('get-structured-content', { location: 'Chicago' }), weather);
      assert.deepEqual(sc.structured, { value: WEATHER, schemaIssues: [], schemaProblems: [] });
      assert.equal(as(sc.blocks[0]!, 'json').sameAsStructured, true);

      const img = describeResult(await call('get-tiny-image', {}));
      const image = img.blocks.find(b => b.kind === 'image') as BlockOf<'image'>;
      assert.equal(image.size, Buffer.from(image.data, 'base64').length);
      assert.ok(image.dataUrl?.startsWith('data:image/png;base64,iVBOR'));

      const text = describeResult(await call('get-resource-reference', { resourceType: 'Text', resourceId: 1 }));
      const res = text.blocks.find(b => b.kind === 'resource') as BlockOf<'resource'>;
      assert.deepEqual([res.uri, res.textKind], ['demo://resource/dynamic/text/1', 'text']);
      const blob = describeResult(await call('get-resource-reference', { resourceType: 'Blob', resourceId: 2 }));
      const br = blob.blocks.find(b => b.kind === 'resource') as BlockOf<'resource'>;
      assert.ok(br.blobSize! > 10 && br.text === undefined);

      const links = describeResult(await call('get-resource-links', { count: 2 }));
      assert.deepEqual(links.blocks.map(b => b.kind), ['text', 'resourceLink', 'resourceLink']);
      assert.equal((links.blocks[1] as BlockOf<'resourceLink'>).name, 'Blob Resource 1');
    } finally {
      child.kill();
      await exited;
    }
  });
});
