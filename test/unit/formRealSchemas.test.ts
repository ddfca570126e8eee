// The form model over the tool schemas of real servers, fetched over stdio with our own core:
// server-everything, server-filesystem, server-memory and playwright-mcp. Every tool gives an
// object form with labels and no JSON fallback; validation of the initial value reports
// exactly the required fields without a default; a generic filler that only uses the model
// makes every form valid. And server-everything's elicitation is answered through the model.

import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { McpClient } from '../../src/protocol/client.ts';
import type { InputBroker, InputRequest } from '../../src/protocol/inputBroker.ts';
import type { Tool } from '../../src/protocol/types.ts';
import { StdioTransport } from '../../src/transports/stdio.ts';
import {
  addItem, buildForm, chooseVariant, fromJsonText, initialValue, setAt, toJsonText, validate, type Field, type Schema,
} from '../../src/webviews/form/index.ts';
import { EVERYTHING, FILESYSTEM, descendants, repo } from './helpers.ts';

const MEMORY = path.join(repo, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');
const PLAYWRIGHT = path.join(repo, 'node_modules/@playwright/mcp/cli.js');

/** Every field of a tree, the root first. */
function fieldsOf(f: Field, out: Field[] = []): Field[] {
  out.push(f);
  if (f.kind === 'object') for (const c of [...f.fields, ...f.extra]) fieldsOf(c, out);
  if (f.kind === 'array') for (const c of f.items) fieldsOf(c, out);
  if (f.kind === 'variant' && f.field) fieldsOf(f.field, out);
  return out;
}

/** Pointers of the required properties without a default or const, read from the schema itself (not the model). */
function requiredWithoutDefault(s: Schema, at = ''): string[] {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const out: string[] = [];
  for (const name of (s.required ?? []) as string[]) {
    const p = props[name] ?? {};
    if (p.default !== undefined || 'const' in p) continue;
    if (p.type === 'object') out.push(...requiredWithoutDefault(p, `${at}/${name}`));
    else out.push(`${at}/${name}`);
  }
  return out;
}

const SAMPLE_STRINGS: Record<string, string> = {
  email: 'ada@example.com', uri: 'https://example.com/', url: 'https://example.com/', date: '2024-01-02', 'date-time': '2024-01-02T03:04:05Z', time: '03:04:05Z',
};

/** A plausible value for a field, chosen from what the model says about it. */
function plausible(root: Schema, value: unknown, f: Field): unknown {
  switch (f.kind) {
    case 'enum': return setAt(value, f.path, f.choices[0]!.value);
    case 'multiEnum': return setAt(value, f.path, f.choices.slice(0, Math.max(1, f.minItems ?? 1)).map(c => c.value));
    case 'string': return setAt(value, f.path, SAMPLE_STRINGS[f.format ?? ''] ?? 'x'.repeat(Math.max(1, f.minLength ?? 1)));
    case 'number': case 'integer': return setAt(value, f.path, f.minimum ?? (f.exclusiveMinimum !== undefined ? f.exclusiveMinimum + 1 : 1));
    case 'boolean': return setAt(value, f.path, true);
    case 'const': return setAt(value, f.path, f.value);
    case 'object': return setAt(value, f.path, initialValue(f.schema, root));
    case 'array': {
      let v = setAt(value, f.path, []);
      for (let i = 0; i < Math.max(1, f.minItems ?? 1); i++) v = addItem(root, v, f.path);
      return v;
    }
    case 'variant': return chooseVariant(root, value, f.path, 0);
    case 'json': return setAt(value, f.path, {});
  }
}

/** Fills required fields (and lists shorter than their minimum) until nothing is missing. */
function fill(root: Schema, start: unknown): unknown {
  let value = start;
  for (let round = 0; round < 10; round++) {
    const missing = fieldsOf(buildForm(root, value)).filter(f => (f.required && !f.present) || (f.kind === 'array' && f.present && f.items.length < (f.minItems ?? 0)));
    if (!missing.length) return value;
    for (const f of missing) value = plausible(root, value, f);
  }
  return value;
}

interface Coverage { tools: number; fields: number; filledFields: number; json: string[] }

/** The checks every tool schema must pass; what is covered, for the report. */
function checkTool(tool: Tool, coverage: Coverage): void {
  const schema = tool.inputSchema as Schema;
  const start = initialValue(schema);
  const form = buildForm(schema, start);
  assert.equal(form.kind, 'object', `${tool.name}: an object form`);
  const all = fieldsOf(form);
  for (const f of all) assert.ok(typeof f.label === 'string' && f.label.length > 0, `${tool.name} ${f.pointer}: a label`);
  coverage.tools++;
  coverage.fields += all.length - 1;
  coverage.json.push(...all.filter(f => f.kind === 'json').map(f => `${tool.name}${f.pointer}`));
  const problems = validate(schema, start);
  assert.deepEqual([...problems.byPointer.keys()].sort(), requiredWithoutDefault(schema).sort(), `${tool.name}: the initial value misses exactly the required fields without a default`);
  for (const messages of problems.byPointer.values()) assert.deepEqual(messages, ['Required.']);
  const filled = fill(schema, start);
  const after = validate(schema, filled);
  assert.equal(after.count, 0, `${tool.name}: filled, it is valid: ${JSON.stringify([...after.byPointer])} for ${JSON.stringify(filled)}`);
  assert.deepEqual(fromJsonText(toJsonText(filled), 'object'), { value: filled }, `${tool.name}: the JSON view round-trips`);
  const again = fieldsOf(buildForm(schema, filled));
  coverage.filledFields += again.length - 1;
  assert.deepEqual(again.filter(f => f.kind === 'json').map(f => f.pointer), [], `${tool.name}: the filled form has no JSON fallback`);
}

describe('the form model over real servers\' tool schemas', () => {
  const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcph-forms-')));
  const clients = new Map<string, McpClient>();
  const tools = new Map<string, Tool[]>();
  const elicitations: InputRequest[] = [];
  const elicitationAnswers: unknown[] = [];

  /** Answers server-everything's elicitation with the model: the form's initial value, filled. */
  const broker: InputBroker = {
    capabilities: { roots: {}, sampling: {}, elicitation: { form: {}, url: {} } },
    async answer(request) {
      if (request.method === 'roots/list') return { roots: [] };
      if (request.method !== 'elicitation/create') throw Object.assign(new Error('not answered in this test'), { code: -32601 });
      elicitations.push(request);
      const schema = request.params?.requestedSchema as Schema;
      const content = fill(schema, initialValue(schema));
      elicitationAnswers.push(content);
      return { action: 'accept', content: content as Record<string, unknown> };
    },
  };

  async function connect(name: string, args: string[], env: Record<string, string> = {}, withBroker = false): Promise<McpClient> {
    let changed: () => void = () => {};
    const client = await McpClient.create(new StdioTransport({ command: process.execPath, args, env, cwd: tmp, shutdownGraceMs: 1000 }), {
      name, clientInfo: { name: 'form-model-test', version: '1' }, requestTimeoutMs: 120_000,
      ...(withBroker ? { broker, capabilities: { tasks: { requests: { elicitation: { create: {} }, sampling: { createMessage: {} } } } } } : {}),
      onConnection: conn => conn.onNotification('notifications/tools/list_changed', () => changed()),
    });
    clients.set(name, client);
    let list = await client.listTools();
    // server-everything adds the tools that depend on our capabilities once initialized.
    if (withBroker && !list.some(t => t.name === 'trigger-elicitation-request')) {
      await new Promise<void>((resolve, reject) => {
        changed = resolve;
        setTimeout(() => reject(new Error(`${name}: no tools/list_changed within 60 s`)), 60_000).unref();
      });
      list = await client.listTools();
    }
    tools.set(name, list);
    return client;
  }

  before(async () => {
    await Promise.all([
      connect('everything', [EVERYTHING, 'stdio'], {}, true),
      connect('filesystem', [FILESYSTEM, tmp]),
      connect('memory', [MEMORY], { MEMORY_FILE_PATH: path.join(tmp, 'memory.jsonl') }),
      // tools/list needs no browser; --isolated keeps any profile in memory, nothing is downloaded.
      connect('playwright', [PLAYWRIGHT, '--headless', '--isolated'], { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' }),
    ]);
  });

  after(async () => {
    await Promise.all([...clients.values()].map(c => c.close()));
    rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(descendants(), [], 'every server is stopped');
  });

  for (const [server, minimum] of [['everything', 19], ['filesystem', 14], ['memory', 9], ['playwright', 20]] as const) {
    test(`${server}: every tool's schema makes a valid form`, t => {
      const list = tools.get(server)!;
      assert.ok(list.length >= minimum, `${server} lists its tools (${list.length})`);
      const coverage: Coverage = { tools: 0, fields: 0, filledFields: 0, json: [] };
      for (const tool of list) checkTool(tool, coverage);
      // Not one of these schemas needs a raw JSON field: a map (playwright's browser_drop `data`,
      // additionalProperties: {type: string}) is an object field whose entries are extra keys.
      assert.deepEqual(coverage.json, [], `${server}: JSON fallbacks`);
      t.diagnostic(`${server}: ${coverage.tools} tools, ${coverage.fields} fields (${coverage.filledFields} once filled), ${coverage.json.length} JSON fallbacks`);
    });
  }

  test('playwright\'s shapes: nullable enums (anyOf with null), a multi-select, a map, an integer with bounds', () => {
    const byName = (n: string) => (tools.get('playwright')!.find(t => t.name === n)?.inputSchema ?? {}) as Schema;
    const media = buildForm(byName('browser_emulate_media'), {});
    assert.ok(media.kind === 'object');
    const scheme = media.fields.find(f => f.name === 'colorScheme')!;
    assert.deepEqual([scheme.kind, scheme.nullable, scheme.kind === 'enum' && scheme.choices.map(c => c.value)], ['enum', true, ['light', 'dark']]);
    assert.equal(validate(byName('browser_emulate_media'), { colorScheme: null }).count, 0);
    const click = buildForm(byName('browser_click'), {});
    assert.equal(click.kind === 'object' && click.fields.find(f => f.name === 'modifiers')?.kind, 'multiEnum');
    const drop = buildForm(byName('browser_drop'), { target: 'e1', data: { 'text/plain': 'hi' } });
    const data = drop.kind === 'object' ? drop.fields.find(f => f.name === 'data') : undefined;
    assert.ok(data?.kind === 'object' && data.allowsExtra && data.extra.length === 1 && data.extraSchema?.type === 'string');
    const request = buildForm(byName('browser_network_request'), {});
    const index = request.kind === 'object' ? request.fields.find(f => f.name === 'index') : undefined;
    assert.deepEqual(index?.kind === 'integer' && [index.minimum, index.step, index.required], [1, 1, true]);
  });

  test('server-everything\'s elicitation form, answered with the model, is accepted by the server', async () => {
    const everything = clients.get('everything')!;
    const result = await everything.callTool('trigger-elicitation-request', {});
    assert.equal(elicitations.length, 1);
    const schema = elicitations[0]!.params!.requestedSchema as Schema;
    const form = buildForm(schema, initialValue(schema));
    assert.ok(form.kind === 'object');
    assert.deepEqual(form.fields.map(f => f.kind), ['string', 'boolean', 'string', 'string', 'string', 'string', 'integer', 'number', 'enum', 'multiEnum', 'enum', 'multiEnum', 'enum']);
    assert.deepEqual([...validate(schema, initialValue(schema)).byPointer], [['/name', ['Required.']]]);
    assert.equal(validate(schema, elicitationAnswers[0]).count, 0);
    const text = result.content.map(c => c.type === 'text' ? c.text : '').join('\n');
    assert.match(text, /User provided the requested information/);
    assert.match(text, /- Name: x/);
  });
});
