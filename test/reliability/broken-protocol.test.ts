// Servers that misbehave in what they say — answers to ids we never sent (and one id
// twice), requests for capabilities we did not declare, results that violate the schema.
// Each runs through the host core (ServerManager). For each: the host stays up, every
// pending call settles exactly once with an error naming the server, the method and the
// cause, the server's log says what happened, and no process is left behind.
// (The other misbehaving servers: broken-lifecycle.test.ts, broken-streams.test.ts.)

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Emitter } from '../../src/base/event.ts';
import {
  Settlements, assertNamedError, assertNoProcessesLeft, connectionOf, logText, managed, text, waitForState,
} from './helpers.ts';

after(() => assertNoProcessesLeft());

describe('answers unknown ids and one id twice', () => {
  test('stray answers are logged and ignored; the call settles once, with the first answer', async () => {
    const h = managed('ids', 'unknown-ids.mjs');
    try {
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      calls.track('dup', h.server.callTool('dup', { message: 'm' }));
      await calls.settled(30_000);
      assert.equal(text(calls.values[0]), 'first: m');
      assert.equal(text(await h.server.callTool('echo', { message: 'after' })), 'after'); // the duplicate has been read by now
      const log = logText(h.log);
      assert.match(log, /ignored a response to unknown request id 987654/);
      assert.match(log, /ignored a response to unknown request id "\d+"/);
      assert.match(log, /ignored a response to unknown request id null/);
      const id = /unknown request id "(\d+)"/.exec(log)![1];
      assert.match(log, new RegExp(`ignored a response to unknown request id ${id}\\b`), 'the second answer to the same id');
      assert.equal(h.server.state.kind, 'running');
      assert.equal(connectionOf(h.server)!.connection.pendingCount, 0);
    } finally {
      await h.done();
    }
  });
});

describe('asks for capabilities we did not declare', () => {
  test('sampling, elicitation and roots requests get -32601 and the server stays up', async () => {
    const h = managed('asker', 'undeclared-requests.mjs');
    try {
      await waitForState(h.server, 'running');
      const answers = JSON.parse(text(await h.server.callTool('probe', {}))) as Record<string, { error?: { code: number; message: string } }>;
      for (const method of ['sampling/createMessage', 'elicitation/create', 'roots/list', 'x/unknown']) {
        assert.equal(answers[method]?.error?.code, -32601, `${method}: ${JSON.stringify(answers[method])}`);
        assert.equal(answers[method]!.error!.message, `Method not found: ${method}`);
      }
      assert.equal(h.server.state.kind, 'running');
      assert.equal(text(await h.server.callTool('echo', { message: 'up' })), 'up');
    } finally {
      await h.done();
    }
  });

  test('with only roots declared, roots are answered and the others still get -32601', async () => {
    const roots = { roots: () => [{ uri: 'file:///w', name: 'w' }], onDidChangeRoots: new Emitter<void>().event };
    const h = managed('asker', 'undeclared-requests.mjs', [], { roots });
    try {
      await waitForState(h.server, 'running');
      const answers = JSON.parse(text(await h.server.callTool('probe', {}))) as Record<string, { result?: unknown; error?: { code: number } }>;
      assert.deepEqual(answers['roots/list']?.result, { roots: [{ uri: 'file:///w', name: 'w' }] });
      assert.equal(answers['sampling/createMessage']?.error?.code, -32601);
      assert.equal(answers['elicitation/create']?.error?.code, -32601);
    } finally {
      await h.done();
    }
  });
});

describe('results that violate the schema', () => {
  test('an invalid tool in tools/list: the server runs, the log names the list, the path and the cause', async () => {
    const h = managed('sv', 'schema-violations.mjs', ['--bad-list']);
    try {
      await waitForState(h.server, 'running');
      assert.match(logText(h.log), /\[warning\/host\] could not list tools: sv › tools\/list: invalid result: .*tools\[\d+\]\.inputSchema/);
      assert.equal(h.server.state.kind, 'running');
    } finally {
      await h.done();
    }
  });

  test('invalid results fail their call naming server, method and what is wrong; the server stays up', async () => {
    const h = managed('sv', 'schema-violations.mjs');
    try {
      await waitForState(h.server, 'running');
      const expect: Record<string, RegExp> = {
        'unknown-content': /invalid result: .*content\[0\]\.type/,
        'content-not-array': /invalid result: .*at content\b/,
        'structured-mismatch': /structuredContent of "structured-mismatch" does not match its output schema: #\/sum/,
        'structured-missing': /tool "structured-missing" declares an output schema but returned no structuredContent/,
      };
      const calls = new Settlements();
      for (const name of Object.keys(expect)) calls.track(name, h.server.callTool(name, {}));
      await calls.settled(30_000);
      calls.all.forEach((e, i) => assertNamedError(e.value, 'sv', 'tools/call', Object.values(expect)[i]!));
      assert.equal(text(await h.server.callTool('ok', {})), 'fine');
      assert.equal(h.server.state.kind, 'running');
    } finally {
      await h.done();
    }
  });

  test('a result that is not an object, or a malformed error, fails its call at once and is not answered', async () => {
    const h = managed('sv', 'schema-violations.mjs', [], { requestTimeoutMs: 5000 });
    try {
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      calls.track('result-not-object', h.server.callTool('result-not-object', {}));
      calls.track('error-malformed', h.server.callTool('error-malformed', {}));
      await calls.settled(30_000);
      // "At once": failed by what the server sent, not by the request timeout.
      assert.ok(!assertNamedError(calls.failures[0], 'sv', 'tools/call', /result is not an object/).isTimeout);
      assert.ok(!assertNamedError(calls.failures[1], 'sv', 'tools/call', /malformed error/).isTimeout);
      const stats = JSON.parse(text(await h.server.callTool('stats', {}))) as Record<string, number>;
      assert.equal(stats['<response>'], undefined, 'we answered the server\'s responses with error responses');
    } finally {
      await h.done();
    }
  });

  test('a structuredContent the validator cannot walk fails the call with a named error', async () => {
    const h = managed('sv', 'schema-violations.mjs');
    try {
      await waitForState(h.server, 'running');
      const calls = new Settlements();
      calls.track('structured-deep', h.server.callTool('structured-deep', {}));
      await calls.settled(30_000);
      assertNamedError(calls.failures[0], 'sv', 'tools/call', /structuredContent of "structured-deep"/);
      assert.equal(h.server.state.kind, 'running');
    } finally {
      await h.done();
    }
  });

  test('tracing traffic survives a message nested 20,000 levels deep', async () => {
    const h = managed('sv', 'schema-violations.mjs');
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    try {
      await waitForState(h.server, 'running');
      (h.server as unknown as { traceTraffic: boolean }).traceTraffic = true;
      process.on('uncaughtException', onUncaught);
      await h.server.callTool('structured-deep', {}).catch(() => {});
      await new Promise(r => setImmediate(r)); // listener errors are rethrown in a microtask
      assert.deepEqual(uncaught.map(e => (e as Error).message), [], 'an exception escaped the host');
      assert.match(logText(h.log), /\[trace\/traffic\] ← /);
    } finally {
      process.off('uncaughtException', onUncaught);
      await h.done();
    }
  });
});
