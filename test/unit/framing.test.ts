import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { markConstant, serializeMessage } from '../../src/protocol/jsonrpc.ts';
import { LineDecoder, parseJsonLine, TailBuffer } from '../../src/transports/framing.ts';

function decode(chunks: Buffer[], max = 1 << 20) {
  const values: unknown[] = [];
  const bad: string[] = [];
  const oversize: number[] = [];
  const d = new LineDecoder({
    maxLineBytes: max,
    onLine: l => { const p = parseJsonLine(l); if (p?.ok) values.push(p.value); else if (p) bad.push(p.preview); },
    onOversize: n => oversize.push(n),
  });
  for (const c of chunks) d.push(c);
  return { values, bad, oversize };
}

test('messages split at every byte position, including inside multi-byte characters', () => {
  const msgs = [{ jsonrpc: '2.0', id: 1, result: { text: 'héllo wörld ✓ 🎉' } }, { jsonrpc: '2.0', method: 'x' }];
  const bytes = Buffer.from(msgs.map(m => JSON.stringify(m)).join('\n') + '\n');
  for (let cut = 0; cut <= bytes.length; cut++) {
    const { values } = decode([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(values, msgs, `cut at ${cut}`);
  }
  // One byte at a time.
  const { values } = decode([...bytes].map(b => Buffer.from([b])));
  assert.deepEqual(values, msgs);
});

test('CRLF, blank lines and non-JSON lines', () => {
  const { values, bad } = decode([Buffer.from('Server starting...\r\n{"a":1}\r\n\r\n\x1b[32mready\x1b[0m\n  \n{"b":2}\n')]);
  assert.deepEqual(values, [{ a: 1 }, { b: 2 }]);
  assert.equal(bad.length, 2);
  assert.match(bad[1]!, /\\x1b\[32mready/); // control characters escaped for the log
});

test('a line over the cap is dropped and reported, the next one still parses', () => {
  const big = 'x'.repeat(5000);
  const { values, oversize } = decode([Buffer.from(`{"a":"${big}`), Buffer.from(`${big}"}\n{"ok":true}\n`)], 4096);
  assert.deepEqual(values, [{ ok: true }]);
  assert.equal(oversize.length, 1);
});

test('invalid UTF-8 is replaced, not fatal', () => {
  const { values } = decode([Buffer.concat([Buffer.from('{"t":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}\n')])]);
  assert.deepEqual(values, [{ t: 'a\ufffd\ufffdb' }]);
});

test('a large message arrives whole from many chunks', () => {
  const payload = 'y'.repeat(8 * 1024 * 1024);
  const line = Buffer.from(JSON.stringify({ p: payload }) + '\n');
  const chunks: Buffer[] = [];
  for (let i = 0; i < line.length; i += 65536) chunks.push(line.subarray(i, i + 65536));
  const { values } = decode(chunks, 64 << 20);
  assert.equal((values[0] as { p: string }).p.length, payload.length);
});

test('stderr tail keeps the last lines within budget', () => {
  const t = new TailBuffer(3, 100);
  for (let i = 0; i < 10; i++) t.push(`line ${i}`);
  assert.equal(t.toString(), 'line 7\nline 8\nline 9');
});

describe('serializeMessage', () => {
  const envelope = () => ({ 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' } });

  test('a marked _meta is spliced in: the text is what JSON.stringify gives', () => {
    const meta = markConstant(envelope());
    for (const params of [{ name: 'echo', arguments: { message: 'hi "there"\n', n: 1 } }, {}, { cursor: 'x' }]) {
      const m = { jsonrpc: '2.0' as const, id: 7, method: 'tools/call', params: { ...params, _meta: meta } };
      assert.equal(serializeMessage(m), JSON.stringify(m));
    }
    assert.ok(Object.isFrozen(meta));
  });

  test('an argument that looks like the placeholder stays the argument', () => {
    const meta = markConstant(envelope());
    const slot = '\u0000mcp-host:_meta\u0000';
    const m = { jsonrpc: '2.0' as const, id: 1, method: 'tools/call', params: { name: 'x', arguments: { a: slot, _meta: slot }, _meta: meta } };
    assert.equal(serializeMessage(m), JSON.stringify(m));
  });

  test('an unmarked _meta, a _meta not last, or a response is serialized as it is', () => {
    const meta = markConstant(envelope());
    const notLast = { jsonrpc: '2.0' as const, id: 1, method: 'm', params: { _meta: meta, name: 'after' } };
    assert.equal(serializeMessage(notLast), JSON.stringify(notLast));
    const copy = { jsonrpc: '2.0' as const, id: 2, method: 'm', params: { _meta: { ...meta, progressToken: 2 } } };
    assert.equal(serializeMessage(copy), JSON.stringify(copy));
    const response = { jsonrpc: '2.0' as const, id: 3, result: { _meta: meta } };
    assert.equal(serializeMessage(response), JSON.stringify(response));
  });
});
