// The tool-call history (src/webviews/result/history.ts): bounds, trimming, a store with
// garbage in it, persistence through a Memento-like store, redaction of secret arguments.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallToolResult, ContentBlock } from '../../src/protocol/types.ts';
import { HISTORY_KEY, REDACTED, ToolHistory, hasRedacted, redactArgs, withoutRedacted, withoutSecrets, type HistoryEntry, type HistoryStore } from '../../src/webviews/result/history.ts';
import { describeResult } from '../../src/webviews/result/model.ts';
import { TRIMMED_META, trimArgs, trimResult, type TrimInfo } from '../../src/webviews/result/trim.ts';

/** Like vscode.Memento: the value is visible at once, persisted as JSON, the promise settles later. */
class FakeMemento implements HistoryStore {
  readonly data = new Map<string, string>();
  writes = 0;
  failNext: Error | undefined;
  get<T>(key: string): T | undefined {
    const v = this.data.get(key);
    return v === undefined ? undefined : JSON.parse(v) as T;
  }
  update(key: string, value: unknown): Promise<void> {
    this.writes++;
    const fail = this.failNext;
    this.failNext = undefined;
    if (!fail) this.data.set(key, JSON.stringify(value));
    return new Promise((resolve, reject) => setImmediate(() => (fail ? reject(fail) : resolve())));
  }
  raw(): unknown { return this.get(HISTORY_KEY); }
  set(value: unknown): void { this.data.set(HISTORY_KEY, JSON.stringify(value)); }
}

let clock = 1_700_000_000_000;
const call = (tool: string, over: Partial<Omit<HistoryEntry, 'id'>> = {}): Omit<HistoryEntry, 'id'> => ({
  serverId: 'everything', serverName: 'Everything', tool, at: clock++, durationMs: 12, args: { n: clock }, outcome: 'ok',
  result: { content: [{ type: 'text', text: `result of ${tool}` }] }, ...over,
});

describe('ToolHistory', () => {
  test('add and list (newest first); the same entries after a reload through the store', async () => {
    const store = new FakeMemento();
    const h = new ToolHistory(store);
    const a = await h.add(call('echo'));
    const b = await h.add(call('echo', { outcome: 'failed', error: 'The server "Everything" failed tools/call: boom.', result: undefined }));
    await h.add(call('get-sum'));
    assert.deepEqual(h.list('everything', 'echo').map(e => e.id), [b.id, a.id]);
    assert.deepEqual(h.list('other', 'echo'), []);
    assert.ok(Array.isArray(store.raw()));
    const again = new ToolHistory(store);
    assert.deepEqual(again.list('everything', 'echo'), h.list('everything', 'echo'));
    assert.deepEqual(again.get(b.id)!.error, 'The server "Everything" failed tools/call: boom.');
  });

  test('ids are unique, also for a thousand calls in the same millisecond and after a reload', async () => {
    const store = new FakeMemento();
    const h = new ToolHistory(store, { maxTotal: 5000, maxPerTool: 5000 });
    const ids = new Set<string>();
    await Promise.all(Array.from({ length: 1000 }, () => h.add(call('echo', { at: 1 }))).map(p => p.then(e => ids.add(e.id))));
    const h2 = new ToolHistory(store, { maxTotal: 5000, maxPerTool: 5000 });
    for (let i = 0; i < 10; i++) ids.add((await h2.add(call('echo'))).id);
    assert.equal(ids.size, 1010);
    assert.equal(h2.list('everything', 'echo').length, 1010);
  });

  test('per tool: the oldest of that tool go first; other tools keep theirs', async () => {
    const h = new ToolHistory(new FakeMemento(), { maxPerTool: 3 });
    const echo = [];
    for (let i = 0; i < 5; i++) echo.push(await h.add(call('echo')));
    const sums = [await h.add(call('get-sum')), await h.add(call('get-sum'))];
    assert.deepEqual(h.list('everything', 'echo').map(e => e.id), [echo[4]!.id, echo[3]!.id, echo[2]!.id]);
    assert.deepEqual(h.list('everything', 'get-sum').map(e => e.id), [sums[1]!.id, sums[0]!.id]);
    // Another server's tool of the same name is another tool.
    await h.add(call('echo', { serverId: 'second' }));
    assert.equal(h.list('everything', 'echo').length, 3);
  });

  test('in total: the oldest overall go first, never the entry just added (even when it started earliest)', async () => {
    const store = new FakeMemento();
    const h = new ToolHistory(store, { maxTotal: 4 });
    const first = await h.add(call('a'));
    await h.add(call('b'));
    await h.add(call('c'));
    await h.add(call('d'));
    const e = await h.add(call('e'));
    assert.equal(h.get(first.id), undefined);
    assert.equal((store.raw() as unknown[]).length, 4);
    const late = await h.add(call('f', { at: 0 }));
    assert.deepEqual(h.list('everything', 'f').map(x => x.id), [late.id]);
    assert.ok(h.get(e.id));
    assert.equal((store.raw() as HistoryEntry[])[0]!.id, late.id, 'kept in order of start time');
  });

  test('in bytes: the store stays under maxStoreBytes', async () => {
    const store = new FakeMemento();
    const h = new ToolHistory(store, { maxStoreBytes: 64 * 1024, maxResultBytes: 8 * 1024 });
    for (let i = 0; i < 40; i++) await h.add(call(`t${i % 3}`, { result: { content: [{ type: 'text', text: 'x'.repeat(6000) }] } }));
    const size = store.data.get(HISTORY_KEY)!.length;
    assert.ok(size <= 64 * 1024, `${size}`);
    assert.ok((store.raw() as unknown[]).length >= 9);
  });

  test('a 5 MB image result is trimmed to the entry budget, saying what was dropped; the caller\'s result is untouched', async () => {
    const store = new FakeMemento();
    const h = new ToolHistory(store);
    const image = Buffer.alloc(5 * 1024 * 1024, 1).toString('base64');
    const result: CallToolResult = {
      content: [{ type: 'text', text: 'Here is the image you requested:' }, { type: 'image', data: image, mimeType: 'image/png' }],
      structuredContent: { width: 2048, height: 2048 },
    };
    const entry = await h.add(call('get-tiny-image', { result }));
    assert.equal(entry.trimmed, true);
    assert.equal((result.content[1] as { data: string }).data, image);
    const stored = h.list('everything', 'get-tiny-image')[0]!;
    assert.ok(JSON.stringify(stored).length < 64 * 1024 + 2048, `${JSON.stringify(stored).length}`);
    assert.deepEqual(stored.result!.content[0], { type: 'text', text: 'Here is the image you requested:' });
    assert.deepEqual(stored.result!.content[1], { type: 'text', text: '[image (image/png, 5.0 MiB) dropped from the history]', _meta: { [TRIMMED_META]: { type: 'image', mimeType: 'image/png', size: '5.0 MiB' } } });
    assert.deepEqual(stored.result!.structuredContent, { width: 2048, height: 2048 });
    const info = stored.result!._meta![TRIMMED_META] as unknown as TrimInfo;
    assert.deepEqual(info.dropped, ['image (image/png, 5.0 MiB)']);
    assert.ok(info.originalBytes > (5 * 1024 * 1024 * 4) / 3, `${info.originalBytes}`);
    const view = describeResult(stored.result!);
    assert.deepEqual(view.trimmed, info);
    assert.ok(store.data.get(HISTORY_KEY)!.length < 70 * 1024);
  });

  test('a small image stays; a long text is cut at its end; many blocks are cut to the first that fit', () => {
    const small: CallToolResult = { content: [{ type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' }, { type: 'text', text: 'y'.repeat(200_000) }] };
    const t = trimResult(small, 64 * 1024);
    assert.equal(t.trimmed, true);
    assert.deepEqual(t.result.content[0], small.content[0]);
    const text = (t.result.content[1] as { text: string }).text;
    assert.ok(text.length < 64 * 1024 && text.startsWith('yyyy'));
    assert.match(text, /\n… \[\d+ more characters dropped from the history\]$/);
    const many: CallToolResult = { content: Array.from({ length: 5000 }, (_, i): ContentBlock => ({ type: 'text', text: `line ${i} `.repeat(5) })) };
    const m = trimResult(many, 64 * 1024);
    assert.ok(JSON.stringify(m.result).length < 64 * 1024);
    assert.match((m.result.content.at(-1) as { text: string }).text, /^\[\d+ more content blocks dropped from the history\]$/);
    const fits: CallToolResult = { content: [{ type: 'text', text: 'ok' }] };
    assert.equal(trimResult(fits, 64 * 1024).result, fits);
  });

  test('large arguments are cut and marked: re-running them is not the same call', async () => {
    const args = { path: '/tmp/a.txt', content: 'z'.repeat(100_000), nested: { list: ['w'.repeat(50_000)] } };
    const cut = trimArgs(args, 32 * 1024);
    assert.ok(JSON.stringify(cut.args).length <= 32 * 1024);
    assert.equal((cut.args as typeof args).path, '/tmp/a.txt');
    assert.equal(args.content.length, 100_000, 'the caller\'s arguments are untouched');
    const h = new ToolHistory(new FakeMemento());
    const e = await h.add(call('write_file', { args }));
    assert.deepEqual([e.trimmed, e.argsTrimmed], [true, true]);
    const plain = await h.add(call('write_file', { args: { path: '/x' } }));
    assert.deepEqual([plain.trimmed, plain.argsTrimmed, plain.args], [undefined, undefined, { path: '/x' }]);
  });

  test('garbage in the store reads as an empty history (or the good entries of it), never a throw', async () => {
    const good = { id: 'g1', serverId: 's', serverName: 'S', tool: 't', at: 5, args: {}, outcome: 'ok' };
    for (const raw of ['x', 42, null, true, { entries: [good] }, { version: 2 }]) {
      const store = new FakeMemento();
      store.set(raw);
      const h = new ToolHistory(store);
      assert.deepEqual(h.list('s', 't'), [], JSON.stringify(raw));
      await h.add(call('t', { serverId: 's' }));
      assert.equal(h.list('s', 't').length, 1);
    }
    const store = new FakeMemento();
    store.set([1, null, 'x', { id: 3 }, { ...good, outcome: 'exploded' }, { ...good, id: 'g0', at: 'yesterday' }, { ...good, result: { content: 'no' } }, good, { ...good, at: 9 }]);
    assert.deepEqual(new ToolHistory(store).list('s', 't'), [good], 'a repeated id is dropped');
    const throwing: HistoryStore = { get() { throw new Error('corrupt state'); }, update: () => Promise.resolve() };
    assert.deepEqual(new ToolHistory(throwing).list('s', 't'), []);
  });

  test('bounds lowered since the store was written apply on the next read', async () => {
    const store = new FakeMemento();
    const h = new ToolHistory(store);
    for (let i = 0; i < 10; i++) await h.add(call('echo'));
    const newest = h.list('everything', 'echo').slice(0, 4).map(e => e.id);
    assert.deepEqual(new ToolHistory(store, { maxPerTool: 4 }).list('everything', 'echo').map(e => e.id), newest);
  });

  test('remove and clear: one entry, one tool, one server, everything', async () => {
    const h = new ToolHistory(new FakeMemento());
    const a = await h.add(call('echo'));
    await h.add(call('echo'));
    await h.add(call('sum'));
    await h.add(call('echo', { serverId: 'fs' }));
    await h.remove(a.id);
    await h.remove('no-such-id');
    assert.equal(h.list('everything', 'echo').length, 1);
    await h.clear('everything', 'echo');
    assert.deepEqual([h.list('everything', 'echo').length, h.list('everything', 'sum').length, h.list('fs', 'echo').length], [0, 1, 1]);
    await h.clear('everything');
    assert.deepEqual([h.list('everything', 'sum').length, h.list('fs', 'echo').length], [0, 1]);
    await h.clear();
    assert.equal(h.list('fs', 'echo').length, 0);
  });

  test('writes happen in order with the latest state; a failed write rejects with a sentence and later writes go on', async () => {
    const store = new FakeMemento();
    const h = new ToolHistory(store);
    await Promise.all([h.add(call('a')), h.add(call('b')), h.add(call('c'))]);
    assert.deepEqual((store.raw() as HistoryEntry[]).map(e => e.tool), ['a', 'b', 'c']);
    store.failNext = new Error('disk full');
    await assert.rejects(h.add(call('d')), /^Error: The tool history could not be saved: disk full$/);
    await h.add(call('e'));
    assert.deepEqual((store.raw() as HistoryEntry[]).map(e => e.tool), ['a', 'b', 'c', 'd', 'e']);
  });
});

describe('secrets out of forms and page state', () => {
  const schema = {
    type: 'object',
    properties: {
      user: { type: 'string' },
      password: { type: 'string', format: 'password' },
      nested: { type: 'object', properties: { token: { type: 'string', writeOnly: true }, keep: { type: 'number' } } },
      keys: { type: 'array', items: { type: 'string', format: 'password' } },
    },
  };
  test('withoutSecrets drops the secret values (never masks them: a mask would be sent as the password)', () => {
    const args = { user: 'ada', password: 'hunter2', nested: { token: 't0k', keep: 1 }, keys: ['a', 'b'] };
    assert.deepEqual(withoutSecrets(schema, args), { user: 'ada', nested: { keep: 1 }, keys: [] });
    assert.equal(args.password, 'hunter2', 'the arguments themselves are untouched');
    assert.doesNotMatch(JSON.stringify(withoutSecrets(schema, args)), /hunter2|t0k|••••/);
  });
  test('withoutRedacted takes the masks out of arguments kept in the history', () => {
    const kept = redactArgs(schema, { user: 'ada', password: 'hunter2' });
    assert.equal(hasRedacted(kept), true);
    const form = withoutRedacted(kept);
    assert.deepEqual(form, { user: 'ada' });
    assert.equal(hasRedacted(form), false);
  });
});

describe('redactArgs', () => {
  test('format password and writeOnly, at the top and nested; others untouched; the arguments not changed', () => {
    const schema = {
      type: 'object',
      properties: {
        user: { type: 'string' },
        password: { type: 'string', format: 'password' },
        token: { type: 'string', writeOnly: true },
        db: { type: 'object', properties: { host: { type: 'string' }, secret: { type: 'string', format: 'password' } } },
        keys: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, value: { type: 'string', writeOnly: true } } } },
        none: { type: ['string', 'null'], format: 'password' },
      },
    };
    const args = { user: 'ann', password: 'hunter2', token: 't0k', db: { host: 'h', secret: 's3' }, keys: [{ id: 'a', value: 'v1' }, { id: 'b' }], none: null, extra: 'kept' };
    const before = structuredClone(args);
    assert.deepEqual(redactArgs(schema, args), {
      user: 'ann', password: REDACTED, token: REDACTED, db: { host: 'h', secret: REDACTED }, keys: [{ id: 'a', value: REDACTED }, { id: 'b' }], none: null, extra: 'kept',
    });
    assert.deepEqual(args, before);
    const clean = { user: 'x', db: { host: 'h' } };
    assert.equal(redactArgs(schema, clean), clean, 'nothing secret: the same object');
  });

  test('through local $refs (2020-12 $defs, draft-07 definitions), recursive ones, anyOf branches, pattern and additional properties, tuples', () => {
    const schema = {
      type: 'object',
      $defs: {
        credentials: { type: 'object', properties: { username: { type: 'string' }, password: { $ref: '#/$defs/secret' } } },
        secret: { type: 'string', format: 'password' },
        node: { type: 'object', properties: { key: { $ref: '#/$defs/secret' }, child: { $ref: '#/$defs/node' } } },
      },
      definitions: { pin: { type: 'string', writeOnly: true } },
      properties: {
        login: { $ref: '#/$defs/credentials' },
        tree: { $ref: '#/$defs/node' },
        auth: { anyOf: [{ type: 'object', properties: { apiKey: { type: 'string', writeOnly: true } } }, { type: 'object', properties: { basic: { $ref: '#/$defs/credentials' } } }] },
        headers: { type: 'object', patternProperties: { '^x-secret-': { type: 'string', writeOnly: true } }, additionalProperties: { type: 'string' } },
        env: { type: 'object', additionalProperties: { $ref: '#/definitions/pin' } },
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { $ref: '#/$defs/secret' }] },
      },
    };
    const args = {
      login: { username: 'ann', password: 'p' },
      tree: { key: 'k1', child: { key: 'k2', child: { key: 'k3' } } },
      auth: { apiKey: 'abc', basic: { username: 'u', password: 'pw' } },
      headers: { 'x-secret-token': 's', accept: 'json' },
      env: { A: '1', B: '2' },
      pair: ['name', 'hidden'],
    };
    const r = redactArgs(schema, args) as typeof args;
    assert.deepEqual(r, {
      login: { username: 'ann', password: REDACTED },
      tree: { key: REDACTED, child: { key: REDACTED, child: { key: REDACTED } } },
      auth: { apiKey: REDACTED, basic: { username: 'u', password: REDACTED } },
      headers: { 'x-secret-token': REDACTED, accept: 'json' },
      env: { A: REDACTED, B: REDACTED },
      pair: ['name', REDACTED],
    });
    assert.equal(hasRedacted(r), true);
    assert.equal(hasRedacted(args), false);
  });

  test('a schema that refers to itself without end, a missing schema, a "__proto__" key: no throw, no prototype change', () => {
    const loop = { $defs: { a: { allOf: [{ $ref: '#/$defs/a' }] } }, type: 'object', properties: { x: { $ref: '#/$defs/a' } } };
    assert.deepEqual(redactArgs(loop, { x: 1 }), { x: 1 });
    assert.deepEqual(redactArgs(undefined, { x: 1 }), { x: 1 });
    const args = JSON.parse('{"__proto__": "s3cret"}') as Record<string, unknown>;
    const r = redactArgs({ type: 'object', properties: { ['__proto__']: { type: 'string', format: 'password' } } }, args);
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(r, '__proto__')?.value, REDACTED);
  });
});
