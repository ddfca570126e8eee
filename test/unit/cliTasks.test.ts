// `mcp-host call` on a tool that runs as a task (2025-11-25 tasks): it waits for the
// task with its status as progress on stderr, answers the server's questions for the
// task as for any call, prints the result; Ctrl-C sends tasks/cancel and exits 130; a
// task that fails, and a server that lists a task-only tool without offering tasks, are
// reported naming the server, the method and the cause.

import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cli, node, run, show, writeRawServer } from './cliHarness.ts';
import { EVERYTHING } from './helpers.ts';

const quote = JSON.stringify;

describe('mcp-host call on a task', () => {
  let tmp: string;
  before(() => { tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcp-host-tasks-'))); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('simulate-research-query with ambiguous: true and --elicit accept-defaults exits 0 with the report', async () => {
    const r = await cli(['call', 'simulate-research-query', '--args', '{"topic":"python","ambiguous":true}', '--elicit', 'accept-defaults', '--progress',
      '--stdio', `node ${EVERYTHING} stdio`]);
    assert.equal(r.code, 0, show(r));
    // The field has no default, so accept-defaults declined it; the report says what the server made of that.
    assert.match(r.stdout, /^# Research Report: python \(User declined - using default interpretation\)\n/);
    assert.match(r.stderr, /progress index\.js: simulate-research-query \(task\) Gathering sources\.\.\.\n/);
    assert.match(r.stderr, /progress index\.js: simulate-research-query \(task\) the server is waiting for input: Found multiple interpretations for "python"\. Requesting clarification\.\.\.\n/);
    assert.match(r.stderr, /declined an elicitation request from "index\.js" .*required field "interpretation" has no default/);
    assert.match(r.stderr, /progress index\.js: simulate-research-query \(task\) completed/);
  });

  test('--json prints the task\'s result as the server sent it; without --progress nothing goes to stderr', async () => {
    const r = await run(['call', 'simulate-research-query', '--args', '{"topic":"go"}', '--json', '--stdio', `${quote(node)} ${quote(EVERYTHING)} stdio`]);
    assert.equal(r.code, 0, show(r));
    const result = JSON.parse(r.stdout) as { content: Array<{ text: string }>; _meta: Record<string, { taskId: string }> };
    assert.match(result.content[0]!.text, /^# Research Report: go\n/);
    assert.ok(result._meta['io.modelcontextprotocol/related-task']?.taskId);
    assert.equal(r.stderr, '');
  });

  test('Ctrl-C cancels the task with tasks/cancel, says what the server answered, and exits 130; the server is gone', async () => {
    let sent = false;
    const viaShell = `sh -c 'echo pid=$$ >&2; exec ${node} ${EVERYTHING} stdio'`;
    const r = await cli(['call', 'simulate-research-query', '--args', '{"topic":"x"}', '--progress', '--verbose', '--name', 'everything', '--stdio', viaShell], {
      onStderr: (text, child) => {
        // Interrupt once the task is demonstrably under way.
        if (!sent && /simulate-research-query \(task\) Analyzing content/.test(text)) { sent = true; child.kill('SIGINT'); }
      },
    });
    assert.ok(sent, show(r));
    assert.equal(r.code, 130, show(r));
    assert.match(r.stderr, /mcp-host: everything runs simulate-research-query as task (\w+)\n/);
    const id = /as task (\w+)/.exec(r.stderr)![1]!;
    assert.match(r.stderr, new RegExp(`mcp-host: everything: task ${id} of simulate-research-query was cancelled with tasks/cancel; the server says: cancelled: Client cancelled task execution\\.\\n`));
    assert.match(r.stderr, /everything › tools\/call simulate-research-query: the call was cancelled by the user \(Ctrl-C\)\./);
    const pid = Number(/\[everything stderr\] pid=(\d+)/.exec(r.stderr)?.[1]);
    assert.ok(pid > 0, show(r));
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the server does not outlive the CLI');
  });

  test('a task that fails: tasks/result answers the request\'s JSON-RPC error, reported for tools/call (exit 3)', async () => {
    const server = writeRawServer(path.join(tmp, 'failing-task.cjs'), `
      const caps = { tools: {}, tasks: { requests: { tools: { call: {} } } } };
      on('initialize', m => send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: caps, serverInfo: { name: 'failing', version: '1' } } }));
      on('tools/list', m => send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'doomed', inputSchema: { type: 'object' }, execution: { taskSupport: 'required' } }] } }));
      const task = { taskId: 'task-1', status: 'working', statusMessage: 'trying', ttl: null, pollInterval: 100, createdAt: '2026-01-01T00:00:00Z', lastUpdatedAt: '2026-01-01T00:00:00Z' };
      let result;
      on('tools/call', m => {
        if (!m.params.task) return send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'doomed needs a task' } });
        send({ jsonrpc: '2.0', id: m.id, result: { task } });
      });
      on('tasks/result', m => { result = m.id; });
      on('tasks/get', m => {
        task.status = 'failed'; task.statusMessage = 'it broke';
        send({ jsonrpc: '2.0', id: m.id, result: task });
        if (result !== undefined) send({ jsonrpc: '2.0', id: result, error: { code: -32603, message: 'the disk is full' } });
      });`);
    const r = await run(['call', 'doomed', '--stdio', `${quote(node)} ${quote(server)}`]);
    assert.equal(r.code, 3, show(r));
    assert.match(r.stderr, /failing-task\.cjs › tools\/call doomed: the disk is full \(JSON-RPC error -32603\)/);
  });

  test('a task-only tool on a server that does not offer tasks is refused without calling it (exit 3)', async () => {
    const server = writeRawServer(path.join(tmp, 'no-tasks.cjs'), `
      on('tools/list', m => send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'stuck', inputSchema: { type: 'object' }, execution: { taskSupport: 'required' } }] } }));
      on('tools/call', m => { process.stderr.write('CALLED\\n'); send({ jsonrpc: '2.0', id: m.id, result: { content: [] } }); });`);
    const r = await run(['call', 'stuck', '--verbose', '--stdio', `${quote(node)} ${quote(server)}`]);
    assert.equal(r.code, 3, show(r));
    assert.match(r.stderr, /no-tasks\.cjs › tools\/call stuck: the tool runs only as a task \(its execution\.taskSupport is "required"\), but the server does not offer tasks for tools\/call \(capabilities\.tasks\.requests\.tools\.call\)/);
    assert.doesNotMatch(r.stderr, /CALLED/);
  });
});
