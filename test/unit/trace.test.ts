// Issue 11, the protocol trace's core (src/host/trace.ts): nothing recorded (or even
// looked at) while no view holds it and trace logging is off; requests paired with their
// responses in both id spaces; the ring, the pending map and each entry bounded; batches,
// invalid messages, redaction; JSON Lines. Then a real managed server's traffic.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerManager } from '../../src/host/manager.ts';
import { MASK, Redactor } from '../../src/host/redaction.ts';
import { ProtocolTrace, type TraceEntry } from '../../src/host/trace.ts';
import { fixture, stdioDef, waitForState } from './helpers.ts';

const req = (id: string | number, method: string, params: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method, params });
const ok = (id: string | number, result: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, result });
const note = (method: string, params: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', method, params });
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const textBytes = (t: ProtocolTrace) => t.entries.reduce((n, e) => n + utf8(e.text), 0);

test('nothing is recorded, or even looked at, while no view holds the trace and trace logging is off', () => {
  const t = new ProtocolTrace();
  let stringified = 0;
  let touched = 0;
  const message = new Proxy({ jsonrpc: '2.0', method: 'notifications/progress', toJSON() { stringified++; return {}; } }, {
    get(target, key, receiver) { touched++; return Reflect.get(target, key, receiver); },
    has(target, key) { touched++; return Reflect.has(target, key); },
  });
  const recorded: TraceEntry[] = [];
  t.onDidRecord(e => recorded.push(e));
  assert.equal(t.recording, false);
  assert.equal(t.record('receive', message), undefined);
  assert.equal(t.record('send', [message, message]), undefined);
  assert.equal(stringified, 0, 'no stringify');
  assert.equal(touched, 0, 'the message was not even read');
  assert.deepEqual(t.entries, []);
  assert.deepEqual(recorded, []);
  // The same message is recorded (and stringified) once something records.
  const view = t.retain();
  assert.ok(t.record('receive', message));
  assert.equal(stringified, 1);
  view.dispose();
});

test('retain is counted: recording until the last view closes; a second dispose of one view counts once; alwaysOn records alone', () => {
  const t = new ProtocolTrace();
  const a = t.retain();
  const b = t.retain();
  assert.equal(t.recording, true);
  a.dispose();
  a.dispose();
  assert.equal(t.recording, true, 'b still holds it');
  assert.ok(t.record('send', note('notifications/initialized')));
  b.dispose();
  assert.equal(t.recording, false);
  assert.equal(t.record('send', note('notifications/initialized')), undefined);
  t.alwaysOn = true;
  assert.equal(t.recording, true);
  assert.ok(t.record('send', note('notifications/initialized')));
  const c = t.retain();
  t.alwaysOn = false;
  assert.equal(t.recording, true, 'the view still holds it');
  c.dispose();
  assert.equal(t.recording, false);
  assert.equal(t.entries.length, 2, 'what was recorded stays when recording stops');
  t.dispose();
  assert.equal(t.recording, false);
  assert.equal(t.retain().dispose(), undefined, 'a disposed trace hands out a no-op');
  assert.equal(t.recording, false);
});

test('requests pair with their responses in both directions, with durations, and the two id spaces stay apart', () => {
  const t = new ProtocolTrace();
  t.retain();
  t.newSession();
  const updated: TraceEntry[] = [];
  const pairedWhenRecorded: Array<number | undefined> = [];
  t.onDidUpdate(e => updated.push(e));
  t.onDidRecord(e => { if (e.pairedSeq !== undefined) pairedWhenRecorded.push(t.find(e.pairedSeq)?.pairedSeq); });
  const ours = t.record('send', req(1, 'tools/call', { name: 'echo' }), 1000)!;
  const theirs = t.record('receive', req(1, 'elicitation/create', { message: 'who?' }), 1010)!;
  const oursString = t.record('send', req('1', 'resources/read', { uri: 'a://b' }), 1020)!;
  const answer = t.record('send', ok(1, { action: 'decline' }), 1050)!;
  const result = t.record('receive', ok(1, { content: [{ type: 'text', text: 'x' }], isError: true }), 1100)!;
  const stringResult = t.record('receive', { jsonrpc: '2.0', id: '1', error: { code: -32002, message: 'not found' } }, 1300)!;

  assert.deepEqual([ours.kind, ours.method, ours.id, ours.direction], ['request', 'tools/call', 1, 'send']);
  assert.deepEqual([answer.kind, answer.method, answer.pairedSeq, answer.durationMs], ['response', 'elicitation/create', theirs.seq, 40]);
  assert.equal(theirs.pairedSeq, answer.seq);
  assert.deepEqual([result.kind, result.method, result.pairedSeq, result.durationMs, result.isError], ['response', 'tools/call', ours.seq, 100, true]);
  assert.equal(ours.pairedSeq, result.seq);
  assert.deepEqual([stringResult.kind, stringResult.method, stringResult.id, stringResult.pairedSeq, stringResult.durationMs, stringResult.isError], ['error', 'resources/read', '1', oursString.seq, 280, true]);
  assert.equal(oursString.pairedSeq, stringResult.seq);
  assert.equal(answer.isError, undefined);
  assert.deepEqual(updated.map(e => e.seq), [theirs.seq, ours.seq, oursString.seq], 'each request is announced as updated');
  assert.deepEqual(pairedWhenRecorded, [answer.seq, result.seq, stringResult.seq], 'the request is paired before the response is announced');
  // A second answer to the same id finds nothing waiting.
  const again = t.record('receive', ok(1), 1400)!;
  assert.equal(again.pairedSeq, undefined);
  assert.equal(again.method, undefined);
  assert.deepEqual(t.entries.map(e => e.seq), [1, 2, 3, 4, 5, 6, 7]);
  assert.ok(t.entries.every(e => e.session === 1));
});

test('the ring is bounded by count and by bytes: the oldest go first, and configure trims at once', () => {
  const t = new ProtocolTrace({ maxEntries: 5 });
  t.retain();
  for (let i = 1; i <= 12; i++) t.record('receive', note('notifications/message', { i }));
  assert.deepEqual(t.entries.map(e => e.seq), [8, 9, 10, 11, 12]);
  assert.equal(t.find(7), undefined);
  assert.equal(t.find(8)?.seq, 8);
  assert.equal(t.find(13), undefined);

  const b = new ProtocolTrace({ maxBytes: 2000 });
  b.retain();
  const one = utf8(JSON.stringify(note('notifications/message', { data: 'x'.repeat(150), i: 100 })));
  for (let i = 100; i < 400; i++) b.record('receive', note('notifications/message', { data: 'x'.repeat(150), i }));
  const kept = b.entries;
  assert.ok(textBytes(b) <= 2000, `${textBytes(b)} bytes kept`);
  assert.equal(kept.length, Math.floor(2000 / one), 'as many as fit');
  assert.equal(kept.at(-1)!.seq, 300, 'the newest is kept');
  assert.equal(kept[0]!.seq, 300 - kept.length + 1, 'the oldest went');
  // Thousands more (the ring's head moves and compacts): still exact.
  for (let i = 0; i < 5000; i++) b.record('receive', note('notifications/message', { data: 'x'.repeat(150), i: 100 + (i % 300) }));
  assert.equal(b.entries.length, kept.length);
  assert.deepEqual(b.entries.map(e => e.seq), Array.from({ length: kept.length }, (_, k) => 5300 - kept.length + 1 + k));
  assert.equal(b.find(5300)?.seq, 5300);

  b.configure({ maxEntries: 3 });
  assert.deepEqual(b.entries.map(e => e.seq), [5298, 5299, 5300]);
  b.configure({ maxBytes: one + 1 });
  assert.deepEqual(b.entries.map(e => e.seq), [5300]);
});

test('a long message is cut at maxEntryBytes (never inside a character) with a marker; its size is the whole', () => {
  const t = new ProtocolTrace({ maxEntryBytes: 1000 });
  t.retain();
  const big = ok(7, { content: [{ type: 'text', text: 'é🌍'.repeat(2000) }] });
  const e = t.record('receive', big)!;
  assert.equal(e.truncated, true);
  assert.equal(e.size, utf8(JSON.stringify(big)));
  assert.ok(utf8(e.text) <= 1000, `${utf8(e.text)} bytes`);
  assert.ok(utf8(e.text) > 900, 'cut near the bound, not far before it');
  assert.match(e.text, new RegExp(`…\\(cut: ${e.size} bytes in all\\)$`));
  assert.ok(!e.text.includes('\uFFFD') && !/\p{Cs}/u.test(e.text), 'no broken character');
  assert.ok(e.text.startsWith('{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"é🌍'));
  const small = t.record('receive', ok(8))!;
  assert.equal(small.truncated, undefined);
  assert.equal(small.text, '{"jsonrpc":"2.0","id":8,"result":{}}');
  assert.equal(small.size, utf8(small.text));
});

test('a secret that straddles the cut of a huge message is masked, not half shown', () => {
  const redactor = new Redactor();
  const secret = 'planted-secret-ZZ9-plural-z-alpha';
  redactor.addSecret(secret);
  const t = new ProtocolTrace({ maxEntryBytes: 4096, redact: redactor.redact });
  t.retain();
  const prefix = '{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"';
  const data = `${'a'.repeat(4096 - prefix.length - 40)}${secret}${'b'.repeat(1_000_000)}`;
  const e = t.record('receive', note('notifications/message', { data }))!;
  assert.equal(e.truncated, true);
  assert.ok(!e.text.includes(secret.slice(0, 8)), 'no part of the secret');
  assert.ok(e.text.includes(MASK.slice(0, 1)), 'masked where it was');
});

test('the pending map is bounded: a server that never answers cannot grow it', () => {
  const t = new ProtocolTrace({ maxPending: 3 });
  t.retain();
  for (let id = 1; id <= 10; id++) t.record('send', req(id, 'tools/call'));
  const answers = Array.from({ length: 10 }, (_, k) => t.record('receive', ok(k + 1))!);
  assert.deepEqual(answers.map(a => a.method), [...Array(7).fill(undefined), 'tools/call', 'tools/call', 'tools/call']);
  // Both maps: the server's requests too.
  for (let id = 1; id <= 10; id++) t.record('receive', req(id, 'roots/list'));
  const ours = Array.from({ length: 10 }, (_, k) => t.record('send', ok(k + 1, { roots: [] }))!);
  assert.deepEqual(ours.map(a => a.method), [...Array(7).fill(undefined), 'roots/list', 'roots/list', 'roots/list']);
});

test('pending requests are forgotten when recording stops and at a new session (ids start again)', () => {
  const t = new ProtocolTrace();
  const view = t.retain();
  t.record('send', req(1, 'tools/call'));
  view.dispose();
  const again = t.retain();
  assert.equal(t.record('receive', ok(1))!.method, undefined, 'the answer to a request sent before the pause is not paired');
  t.record('send', req(2, 'tools/call'));
  t.newSession();
  assert.equal(t.record('receive', ok(2))!.method, undefined, 'a new connection: id 2 is not the old one');
  again.dispose();
});

test('a batch is one entry per element; anything that is not a JSON-RPC object is invalid', () => {
  const t = new ProtocolTrace();
  t.retain();
  const last = t.record('receive', [req(5, 'ping'), note('notifications/tools/list_changed')])!;
  assert.deepEqual(t.entries.map(e => [e.kind, e.method, e.id]), [['request', 'ping', 5], ['notification', 'notifications/tools/list_changed', undefined]]);
  assert.equal(last.seq, 2);
  t.clear();
  for (const m of ['garbage', 42, null, [], { foo: 1 }, { jsonrpc: '1.0', id: 1, method: 'x' }, { jsonrpc: '2.0', id: 2, error: 'no' }]) t.record('receive', m);
  assert.deepEqual(t.entries.map(e => e.kind), Array(7).fill('invalid'));
  assert.deepEqual(t.entries.map(e => e.text), ['"garbage"', '42', 'null', '[]', '{"foo":1}', '{"jsonrpc":"1.0","id":1,"method":"x"}', '{"jsonrpc":"2.0","id":2,"error":"no"}']);
  assert.equal(t.entries[5]!.method, 'x');
  // An unreadable answer to one of ours still names the request it answers.
  t.record('send', req(3, 'tools/call'), 10);
  const bad = t.record('receive', { jsonrpc: '2.0', id: 3, error: { code: 'x' } }, 15)!;
  assert.deepEqual([bad.kind, bad.method, bad.durationMs], ['invalid', 'tools/call', 5]);
  // A message that cannot be serialized is said, never thrown.
  const cyclic: Record<string, unknown> = { jsonrpc: '2.0', method: 'notifications/message' };
  cyclic.self = cyclic;
  const c = t.record('receive', cyclic)!;
  assert.equal(c.kind, 'notification');
  assert.match(c.text, /^\(a message that cannot be shown: .*circular/i);
});

test('secrets are masked: elicitation answers, the redactor\'s secrets, credential-looking fields', () => {
  const redactor = new Redactor();
  redactor.addSecret('hunter2-registered-secret');
  const t = new ProtocolTrace({ redact: redactor.redact });
  t.retain();
  t.record('receive', req(9, 'elicitation/create', { message: 'Your password?', requestedSchema: { type: 'object', properties: { pw: { type: 'string' } } } }));
  const answer = t.record('send', ok(9, { action: 'accept', content: { pw: 'typed-by-the-person', user: 'ann' } }))!;
  assert.ok(!answer.text.includes('typed-by-the-person'));
  assert.ok(!answer.text.includes('ann'));
  assert.match(answer.text, /"content":"\[2 field\(s\) redacted\]"/);
  assert.equal(answer.method, 'elicitation/create');
  const call = t.record('send', req(10, 'tools/call', { name: 'login', arguments: { key: 'hunter2-registered-secret', headers: { Authorization: 'Bearer abcdef0123456789' } } }))!;
  assert.ok(!call.text.includes('hunter2-registered-secret'), call.text);
  assert.ok(!call.text.includes('abcdef0123456789'), call.text);
  assert.match(call.text, new RegExp(`"Authorization":"Bearer ${MASK}"`));
  assert.ok(call.text.includes(MASK));
});

test('toJsonLines: one JSON object per line, the message parsed back (a cut one as its text)', () => {
  const t = new ProtocolTrace({ maxEntryBytes: 300 });
  t.retain();
  t.newSession();
  t.record('send', req(1, 'tools/list'), 100);
  t.record('receive', ok(1, { tools: [] }), 130);
  t.record('receive', note('notifications/message', { data: 'z'.repeat(1000) }), 140);
  const text = t.toJsonLines();
  assert.ok(text.endsWith('\n'));
  const lines = text.trimEnd().split('\n').map(l => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.deepEqual(lines[0], { seq: 1, time: 100, session: 1, direction: 'send', kind: 'request', method: 'tools/list', id: 1, size: utf8(JSON.stringify(req(1, 'tools/list'))), pairedSeq: 2, message: req(1, 'tools/list') });
  assert.deepEqual(lines[1], { seq: 2, time: 130, session: 1, direction: 'receive', kind: 'response', method: 'tools/list', id: 1, size: utf8(JSON.stringify(ok(1, { tools: [] }))), pairedSeq: 1, durationMs: 30, message: ok(1, { tools: [] }) });
  assert.equal(lines[2].truncated, true);
  assert.equal(typeof lines[2].message, 'string');
  assert.equal(new ProtocolTrace().toJsonLines(), '');
});

test('clear empties the trace and says so; seq keeps counting', () => {
  const t = new ProtocolTrace();
  t.retain();
  let cleared = 0;
  t.onDidClear(() => cleared++);
  t.record('send', note('a'));
  t.record('send', note('b'));
  t.clear();
  assert.equal(cleared, 1);
  assert.deepEqual(t.entries, []);
  assert.equal(t.find(1), undefined);
  assert.equal(t.record('send', note('c'))!.seq, 3);
  assert.equal(t.find(3)?.method, 'c');
});

test('a managed server: a tools/call pair with the method on the response, sessions across a restart, nothing while not retained', async () => {
  const redactor = new Redactor();
  const m = new ServerManager({ redactor, trace: { maxEntries: 500 } });
  const def = stdioDef('trace-basic', process.execPath, [fixture('basic.mjs')]);
  try {
    m.setDefinitions([def], { autoStart: false });
    const s = m.get(def.id)!;
    const view = s.trace.retain();
    await s.start();
    await waitForState(s, 'running');
    redactor.addSecret('planted-in-the-call-42');
    await s.callTool('echo', { message: 'hello planted-in-the-call-42' });
    const entries = s.trace.entries;
    assert.equal(entries[0]!.session, 1);
    assert.match(entries[0]!.method ?? '', /^(initialize|server\/discover)$/, 'the handshake is traced from its first message');
    const call = entries.find(e => e.direction === 'send' && e.kind === 'request' && e.method === 'tools/call')!;
    assert.ok(call, entries.map(e => `${e.direction} ${e.kind} ${e.method}`).join('\n'));
    const response = s.trace.find(call.pairedSeq!)!;
    assert.deepEqual([response.direction, response.kind, response.method, response.id, response.pairedSeq], ['receive', 'response', 'tools/call', call.id, call.seq]);
    assert.ok(response.durationMs! >= 0);
    assert.ok(!call.text.includes('planted-in-the-call-42') && !response.text.includes('planted-in-the-call-42'), 'the redactor of the manager masks the trace');
    assert.ok(entries.some(e => e.kind === 'notification' && e.method === 'notifications/message'), 'the server\'s log message is traced');

    await s.restart();
    await waitForState(s, 'running');
    const afterRestart = s.trace.entries.filter(e => e.session === 2);
    assert.ok(afterRestart.length > 0, 'the second launch is session 2');
    assert.ok(afterRestart[0]!.seq > call.seq);

    view.dispose();
    const before = s.trace.entries.length;
    await s.callTool('echo', { message: 'unseen' });
    assert.equal(s.trace.entries.length, before, 'nothing recorded while not retained');
    s.traceTraffic = true;
    assert.equal(s.trace.alwaysOn, true);
    await s.callTool('echo', { message: 'logged' });
    assert.ok(s.trace.entries.some(e => e.method === 'tools/call' && e.text.includes('logged')), 'trace logging on: recorded');
    s.traceTraffic = false;
    assert.equal(s.trace.recording, false);

    m.configureTrace({ maxEntries: 2 });
    assert.equal(s.trace.entries.length, 2, 'the manager applies new bounds at once');
  } finally {
    await m.dispose();
  }
});
