// Issue 8 item 16, the commands: --args @FILE and --args -, describe TOOL, tools that
// require tasks marked, --save with the server's file names and no overwrite without --force,
// and `npm run cli` from a checkout.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cleanEnv, cli, node, run, show, writeRawServer } from './cliHarness.ts';
import { EVERYTHING, fixture, repo } from './helpers.ts';

const quote = JSON.stringify;
const basic = `${quote(node)} ${quote(fixture('basic.mjs'))}`;
const everything = `${quote(node)} ${quote(EVERYTHING)} stdio`;
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFElEQVR4nGP4z8DAAMIM/////w8AH+4F+7C4l8kAAAAASUVORK5CYII=';

describe('mcp-host commands', () => {
  let tmp: string;
  before(() => { tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcp-host-cmds-'))); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('--args @FILE and --args - (stdin)', async () => {
    const file = path.join(tmp, 'args.json');
    writeFileSync(file, '{ "message": "from a file" }\n');
    const fromFile = await run(['call', 'echo', '--args', '@args.json', '--stdio', basic], { cwd: tmp });
    assert.equal(fromFile.code, 0, show(fromFile));
    assert.equal(fromFile.stdout, 'from a file\n');
    const fromStdin = await cli(['call', 'echo', '--args', '-', '--stdio', basic], { stdin: '{"message":"from stdin"}' });
    assert.equal(fromStdin.code, 0, show(fromStdin));
    assert.equal(fromStdin.stdout, 'from stdin\n');
    const missing = await run(['call', 'echo', '--args', '@nope.json', '--stdio', basic], { cwd: tmp });
    assert.equal(missing.code, 2, show(missing));
    assert.match(missing.stderr, new RegExp(`--args @nope\\.json: cannot read ${tmp}/nope\\.json \\(no such file\\)`));
    writeFileSync(path.join(tmp, 'list.json'), '[1, 2]');
    const notObject = await run(['call', 'echo', '--args', '@list.json', '--stdio', basic], { cwd: tmp });
    assert.equal(notObject.code, 2, show(notObject));
    assert.match(notObject.stderr, /--args @list\.json \(.*list\.json\) must be a JSON object/);
    const badStdin = await run(['call', 'echo', '--args', '-', '--stdio', basic], { stdin: '{oops' });
    assert.equal(badStdin.code, 2, show(badStdin));
    assert.match(badStdin.stderr, /the JSON read from stdin \(--args -\) is not valid JSON/);
  });

  test('describe TOOL prints the whole description and both schemas; --json the tool itself', async () => {
    const r = await run(['describe', 'add', '--stdio', basic]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^add\n\nAdds two numbers\n\nInput schema:\n {2}\{\n {4}"type": "object",/);
    assert.match(r.stdout, /\nOutput schema:\n {2}\{\n {4}"type": "object",\n {4}"properties": \{\n {6}"sum": \{/);
    const long = await run(['describe', 'slow', '--stdio', basic]);
    assert.match(long.stdout, /Runs `steps` steps of `delayMs` each, reporting progress; honours cancellation\n\nInput schema:/);
    assert.match(long.stdout, /Output schema: none/);
    const json = await run(['describe', 'add', '--json', '--stdio', basic]);
    assert.deepEqual(JSON.parse(json.stdout).outputSchema.properties, { sum: { type: 'number' } });
    const unknown = await run(['describe', 'ad', '--stdio', basic]);
    assert.equal(unknown.code, 2, show(unknown));
    assert.match(unknown.stderr, /has no tool named "ad"\nIts tools: echo, add, slow/);
  });

  test('tools that require tasks are marked in the listing and in describe (calling one: cliTasks.test.ts)', async () => {
    const tools = await run(['tools', '--stdio', everything]);
    assert.equal(tools.code, 0, show(tools));
    assert.match(tools.stdout, /^simulate-research-query \(Simulate Research Query\) \[runs as a task\] — /m);
    assert.match(tools.stdout, /^echo \(Echo Tool\) — /m);
    const described = await run(['describe', 'simulate-research-query', '--stdio', everything]);
    assert.match(described.stdout, /Tasks: required — the tool runs only as a task: mcp-host call waits for it, and Ctrl-C cancels it/);
  });

  test('--save names files as the server does and never replaces one without --force', async () => {
    const server = writeRawServer(path.join(tmp, 'files.cjs'), `
      on('initialize', m => send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {}, resources: {} }, serverInfo: { name: 'files', version: '1' } } }));
      on('tools/list', m => send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'files', inputSchema: { type: 'object' } }] } }));
      on('tools/call', m => send({ jsonrpc: '2.0', id: m.id, result: { content: [
        { type: 'image', data: ${quote(PNG)}, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'test://files/report%20final.pdf', mimeType: 'application/pdf', blob: Buffer.from('%PDF-1').toString('base64') } },
        { type: 'resource_link', uri: 'test://files/n/1', name: 'notes.txt', mimeType: 'text/plain' },
        { type: 'resource_link', uri: 'test://files/../../escape', name: '../../escape' },
      ] } }));
      on('resources/read', m => send({ jsonrpc: '2.0', id: m.id, result: { contents: m.params.uri === 'test://files/n/1'
        ? [{ uri: m.params.uri, mimeType: 'text/plain', text: 'the notes' }]
        : m.params.uri === 'test://files/data.bin' ? [{ uri: m.params.uri, blob: Buffer.from([1, 2, 3]).toString('base64') }]
        : [{ uri: m.params.uri, text: 'not escaping' }] } }));`);
    const target = ['--stdio', `${quote(node)} ${quote(server)}`];
    const dir = path.join(tmp, 'out');
    const first = await run(['call', 'files', '--save', dir, ...target]);
    assert.equal(first.code, 0, show(first));
    assert.equal(readFileSync(path.join(dir, 'files-1.png')).length, 77);
    assert.equal(readFileSync(path.join(dir, 'report_final.pdf'), 'utf8'), '%PDF-1');
    assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'the notes');
    // A server's name cannot leave the directory.
    assert.equal(readFileSync(path.join(dir, 'escape.txt'), 'utf8'), 'not escaping');
    assert.ok(!existsSync(path.join(tmp, 'escape')) && !existsSync(path.join(tmp, 'escape.txt')));
    assert.match(first.stdout, /\[resource link\] test:\/\/files\/n\/1 {2}notes\.txt \(text\/plain\)\n {2}\[resource test:\/\/files\/n\/1 text\/plain, 9 bytes → .*\/out\/notes\.txt\]/);

    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const again = await run(['call', 'files', '--save', dir, ...target]);
    assert.equal(again.code, 2, show(again));
    assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'mine');
    assert.match(again.stdout, /not saved: .*\/out\/notes\.txt exists \(--force replaces it\)/);
    assert.match(again.stderr, /4 files already exist in .*\/out and were not replaced: .*\nPass --force to replace them, or choose another --save directory\./);
    const forced = await run(['call', 'files', '--save', dir, '--force', ...target]);
    assert.equal(forced.code, 0, show(forced));
    assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'the notes');

    const read = await run(['read', 'test://files/data.bin', '--save', dir, ...target]);
    assert.equal(read.code, 0, show(read));
    assert.deepEqual([...readFileSync(path.join(dir, 'data.bin'))], [1, 2, 3]);
    const readAgain = await run(['read', 'test://files/data.bin', '--save', dir, ...target]);
    assert.equal(readAgain.code, 2, show(readAgain));
    const force = await run(['tools', '--force', ...target]);
    assert.equal(force.code, 2, show(force));
    assert.match(force.stderr, /--force is only for --save/);
  });

  test('npm run cli works from a checkout, whichever node is first on PATH', async () => {
    // The system's node first (what a fresh shell has), not the Node 24 the tests run on.
    const systemPath = ['/usr/local/bin', '/usr/bin', '/bin'].join(':');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', 'cli', '--', 'tools', '--stdio', `${node} ${fixture('basic.mjs')}`], {
        cwd: repo, env: { ...cleanEnv(), PATH: systemPath }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', c => { stdout += c; });
      child.stderr.on('data', c => { stderr += c; });
      child.on('error', reject);
      child.on('close', code => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^echo — Echoes the message back/m);
  });
});
