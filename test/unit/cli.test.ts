// The mcp-host CLI against real servers: run as a user runs it (`node src/cli/bin.ts …`,
// a real process) for each behaviour at least once, and through main() in-process for
// the variations (the same code and exit codes, without a Node start per case) and
// where a terminal is simulated. Exit codes: 0 ok, 1 isError, 2 usage, 3 connection,
// 4 timeout, 130 cancelled.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main.ts';
import { EVERYTHING, fixture, repo, startEverythingHttp } from './helpers.ts';

const BIN = path.join(repo, 'src/cli/bin.ts');
const node = process.execPath;
const basic = `${node} ${fixture('basic.mjs')}`;
const everything = `${node} ${EVERYTHING} stdio`;

/** The environment a user would have, minus anything of ours that could leak in. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('MCP_HOST_') && !k.startsWith('NODE_TEST')) env[k] = v;
  return { ...env, MCP_HOST_SETTINGS: '', MCP_HOST_CONSENT_FILE: '', MCP_HOST_PROTOCOL_FILE: '', ...extra };
}

interface Ran { code: number | null; stdout: string; stderr: string }

function cli(args: string[], opts: { cwd?: string; env?: Record<string, string>; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [BIN, ...args], { cwd: opts.cwd ?? repo, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', c => { stdout += c; });
    child.stderr.on('data', c => { stderr += c; opts.onStderr?.(stderr, child); });
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
}

/** main() in-process, with captured output and an optional simulated terminal. */
async function run(args: string[], opts: { input?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write(chunk, _e, done) { add(String(chunk)); done(); } });
  const stdin = new PassThrough();
  if (opts.input !== undefined) stdin.write(opts.input);
  const code = await main(args, {
    stdin, stdout: sink(s => { stdout += s; }), stderr: sink(s => { stderr += s; }),
    env: cleanEnv(opts.env), cwd: opts.cwd ?? repo,
    interactive: opts.input !== undefined, stderrIsTTY: false, signals: undefined,
  });
  stdin.destroy();
  return { code, stdout, stderr };
}

const show = (r: Ran) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('mcp-host CLI', { concurrency: 4 }, () => {
  let tmp: string;
  before(() => { tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcp-host-cli-'))); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('tools: human listing with arguments, and --json', async () => {
    const human = await cli(['tools', '--stdio', basic]);
    assert.equal(human.code, 0, show(human));
    assert.match(human.stdout, /^echo — Echoes the message back/m);
    assert.match(human.stdout, /^ {4}message: string$/m);
    assert.match(human.stdout, /^ {4}steps\?: integer = 5$/m);
    const json = await run(['tools', '--json', '--stdio', everything]);
    assert.equal(json.code, 0, show(json));
    const names = (JSON.parse(json.stdout) as { tools: Array<{ name: string }> }).tools.map(t => t.name);
    // server-everything registers these only for a client that declares roots, sampling and elicitation (form and URL).
    for (const n of ['echo', 'get-roots-list', 'trigger-sampling-request', 'trigger-elicitation-request', 'trigger-url-elicitation']) assert.ok(names.includes(n), `${n} in ${names}`);
  });

  test('call: text, --args, structured content in --json, images saved with --save', async () => {
    const echo = await cli(['call', 'echo', '--args', '{"message":"hello from the CLI"}', '--stdio', everything]);
    assert.equal(echo.code, 0, show(echo));
    assert.equal(echo.stdout, 'Echo: hello from the CLI\n');
    const add = await run(['call', 'add', '--args', '{"a":2,"b":5}', '--json', '--stdio', basic]);
    assert.equal(add.code, 0, show(add));
    assert.deepEqual(JSON.parse(add.stdout).structuredContent, { sum: 7 });
    const dir = path.join(tmp, 'saved');
    const image = await run(['call', 'image', '--save', dir, '--stdio', basic]);
    assert.equal(image.code, 0, show(image));
    assert.match(image.stdout, /^\[image image\/png, 77 bytes → .*image\.png\]$/m);
    assert.equal(statSync(path.join(dir, 'image.png')).size, 77);
    const plain = await run(['call', 'image', '--stdio', basic]);
    assert.equal(plain.stdout, '[image image/png, 77 bytes]\n');
  });

  test('read and prompt', async () => {
    const read = await run(['read', 'fixture://greeting/bob', '--stdio', basic]);
    assert.equal(read.code, 0, show(read));
    assert.equal(read.stdout, 'Hello, bob!\n');
    const prompt = await run(['prompt', 'greet', '--args', '{"name":"Ann"}', '--stdio', basic]);
    assert.equal(prompt.code, 0, show(prompt));
    assert.equal(prompt.stdout, '[user]\nPlease greet Ann.\n');
    const missing = await run(['read', 'demo://resource/dynamic/text/0', '--stdio', everything]);
    assert.equal(missing.code, 3, show(missing));
    assert.match(missing.stderr, /› resources\/read demo:\/\/resource\/dynamic\/text\/0: Unknown resource: demo:\/\/resource\/dynamic\/text\/0 \(JSON-RPC error -32603\)\n$/);
    // The code once, not also in an "MCP error -32603:" prefix.
    assert.equal(missing.stderr.match(/-32603/g)?.length, 1, show(missing));
  });

  test('a tool error (isError) exits 1 and goes to stderr', async () => {
    const r = await cli(['call', 'fail', '--stdio', basic]);
    assert.equal(r.code, 1, show(r));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /basic\.mjs › tools\/call fail: the tool reported an error:\nfixture failure: this tool always fails/);
    const json = await run(['call', 'fail', '--json', '--stdio', basic]);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).isError, true);
  });

  test('usage errors exit 2 with a hint; --help documents the exit codes', async () => {
    for (const [args, message] of [
      [['tools'], /tools needs a target: --server NAME, --url URL or --stdio/],
      [['call', '--stdio', basic], /call needs a TOOL/],
      [['call', 'echo', '--args', '{nope', '--stdio', basic], /--args is not valid JSON/],
      [['call', 'echo', '--args', '[1]', '--stdio', basic], /--args must be a JSON object/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['tools', '--stdio', basic, '--bogus'], /Unknown option '--bogus'/],
      [['tools', '--stdio', basic, '--url', 'http://x'], /choose one target: --url or --stdio/],
      [['tools', '--timeout', 'soon', '--stdio', basic], /--timeout must be a positive number/],
      [['call', 'x', '--elicit', 'maybe', '--stdio', basic], /--elicit must be accept-defaults, decline or cancel/],
      [['tools', '--stdio', '"unterminated'], /unterminated " quote/],
    ] as const) {
      const r = await run([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${show(r)}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /--help/);
    }
    const unknownTool = await run(['call', 'nope', '--stdio', basic]);
    assert.equal(unknownTool.code, 2, show(unknownTool));
    assert.match(unknownTool.stderr, /has no tool named "nope"\nIts tools: echo, add, slow/);

    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes:\n {2}0 {4}success\n {2}1 {4}the tool reported an error/);
    for (const command of ['servers', 'tools', 'describe', 'resources', 'templates', 'prompts', 'call', 'read', 'prompt']) {
      const page = await run([command, '--help']);
      assert.equal(page.code, 0);
      assert.match(page.stdout, new RegExp(`^Usage: mcp-host ${command}`));
      assert.match(page.stdout, /130 +cancelled/);
    }
  });

  test('a missing command exits 3 naming the command and the PATH searched', async () => {
    const r = await cli(['tools', '--stdio', 'mcp-host-no-such-server --flag']);
    assert.equal(r.code, 3, show(r));
    assert.match(r.stderr, /spawn mcp-host-no-such-server ENOENT/);
    assert.match(r.stderr, /"mcp-host-no-such-server" was not found on PATH \(.*\/usr\/bin/);
  });

  test('a server that dies exits 3 and shows the tail of its stderr', async () => {
    const init = await cli(['tools', '--stdio', `${node} ${fixture('exit-during-initialize.mjs')}`]);
    assert.equal(init.code, 3, show(init));
    assert.match(init.stderr, /exit-during-initialize\.mjs › initialize: the server process exited with code 7/);
    assert.match(init.stderr, /the server's last stderr lines:\n {2}│ fatal: missing API key/);
    const mid = await run(['call', 'crash', '--stdio', `${node} ${fixture('crash-mid-call.mjs')}`]);
    assert.equal(mid.code, 3, show(mid));
    assert.match(mid.stderr, /› tools\/call crash: the server process exited with code 3/);
    assert.match(mid.stderr, /│ about to crash/);
  });

  test('--timeout: a request that outlives it exits 4', async () => {
    // Long enough for the handshake on a busy machine (it is a request too), short for the tool.
    const r = await cli(['call', 'slow', '--args', '{"steps":2,"delayMs":20000}', '--timeout', '2500', '--stdio', basic]);
    assert.equal(r.code, 4, show(r));
    assert.match(r.stderr, /basic\.mjs › tools\/call slow: the tool did not answer within 2500 ms, so the call was cancelled \(raise --timeout to wait longer; progress from the server extends it\)\.\n/);
    // Exit 4 with that sentence is the timeout (the tool itself would have answered after 40 s,
    // with exit 0): no wall-clock bound, which a busy machine can exceed.
    const hang = await run(['tools', '--timeout', '300', '--stdio', `${node} ${fixture('hang-initialize.mjs')}`]);
    assert.equal(hang.code, 4, show(hang));
    assert.match(hang.stderr, /› initialize: the server did not complete the handshake within 300 ms \(raise --timeout to wait longer\)\./);
  });

  test('Ctrl-C cancels the request (the server hears notifications/cancelled) and exits 130', async () => {
    let sent = false;
    // Through sh, so the server tells its pid (exec keeps it) and we can check that it is gone.
    const viaShell = `sh -c 'echo pid=$$ >&2; exec ${node} ${fixture('basic.mjs')}'`;
    const r = await cli(['call', 'slow', '--args', '{"steps":100,"delayMs":100}', '--progress', '--verbose', '--name', 'basic.mjs', '--stdio', viaShell], {
      onStderr: (text, child) => {
        // Interrupt once the tool is demonstrably running.
        if (!sent && /progress basic\.mjs: 1\/100 step 1\/100/.test(text)) { sent = true; child.kill('SIGINT'); }
      },
    });
    assert.ok(sent, show(r));
    assert.equal(r.code, 130, show(r));
    assert.match(r.stderr, /basic\.mjs › tools\/call slow: the call was cancelled by the user \(Ctrl-C\)\./);
    assert.match(r.stderr, /\[basic\.mjs stderr\] CANCELLED slow/);
    const pid = Number(/\[basic\.mjs stderr\] pid=(\d+)/.exec(r.stderr)?.[1]);
    assert.ok(pid > 0, show(r));
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the server does not outlive the CLI');
  });

  test('elicitation without a terminal: --elicit decides, decline by default', async () => {
    const none = await cli(['call', 'elicit', '--stdio', basic]);
    assert.equal(none.code, 0, show(none));
    assert.equal(none.stdout, '{"action":"decline"}\n');
    assert.match(none.stderr, /declined an elicitation request from "basic\.mjs" \("Tell us about yourself"\): there is no terminal/);
    const decline = await run(['call', 'elicit', '--elicit', 'decline', '--stdio', basic]);
    assert.equal(decline.stdout, '{"action":"decline"}\n');
    assert.equal(decline.stderr, '');
    const cancel = await run(['call', 'elicit', '--elicit', 'cancel', '--stdio', basic]);
    assert.equal(cancel.stdout, '{"action":"cancel"}\n');
    // "name" is required and has no default: accepting with defaults is impossible.
    const defaults = await run(['call', 'elicit', '--elicit', 'accept-defaults', '--stdio', basic]);
    assert.equal(defaults.stdout, '{"action":"decline"}\n');
    assert.match(defaults.stderr, /required field "name" has no default/);
    // server-everything's form: only "name" is required; an accepted form reaches it.
    const url = await run(['call', 'trigger-url-elicitation', '--args', '{"url":"https://example.com/x"}', '--elicit', 'accept-defaults', '--stdio', everything]);
    assert.match(url.stderr, /a URL elicitation needs a person at a browser/);
  });

  test('elicitation on a terminal: field by field, with choices, defaults and validation', async () => {
    // Answer, name, age (-1 is refused, then 30), colour (Enter takes the default "green"), subscribe.
    const r = await run(['call', 'elicit', '--stdio', basic], { input: 'y\nAnn\n-1\n30\n\ny\n' });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(JSON.parse(r.stdout), { action: 'accept', content: { name: 'Ann', age: 30, color: 'green', subscribe: true } });
    assert.match(r.stderr, /Server "basic\.mjs" asks: Tell us about yourself/);
    assert.match(r.stderr, /Name \(required\): /);
    assert.match(r.stderr, /Age \(whole number, ≥ 0\): \n {2}The minimum is 0\./);
    assert.match(r.stderr, / {4}1\) red\n {4}2\) green\n {4}3\) blue\nFavourite colour \(1-3\) \[2\]: /);
    assert.match(r.stderr, /Subscribe to newsletter \[y\/n\]: /);
    const declined = await run(['call', 'elicit', '--stdio', basic], { input: 'n\n' });
    assert.equal(declined.stdout, '{"action":"decline"}\n');
    const choice = await run(['call', 'elicit', '--stdio', basic], { input: 'y\nBo\n\n3\nno\n' });
    assert.deepEqual(JSON.parse(choice.stdout), { action: 'accept', content: { name: 'Bo', color: 'blue', subscribe: false } });
  });

  test('roots are the current directory', async () => {
    const dir = path.join(tmp, 'roots dir');
    mkdirSync(dir, { recursive: true });
    const r = await cli(['call', 'roots', '--stdio', basic], { cwd: dir });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(JSON.parse(r.stdout), [{ uri: pathToFileURL(dir).href, name: 'roots dir' }]);
  });

  test('sampling is declined without a provider and answered by --sampling-command', async () => {
    const declined = await run(['call', 'sample', '--args', '{"prompt":"hi"}', '--stdio', basic]);
    assert.equal(declined.code, 1, show(declined));
    assert.match(declined.stderr, /declined a sampling request from "basic\.mjs" \(no model provider/);
    const model = path.join(tmp, 'model.mjs');
    writeFileSync(model, `let s = ''; process.stdin.on('data', c => s += c).on('end', () => {
      const p = JSON.parse(s);
      process.stdout.write(JSON.stringify({ role: 'assistant', model: 'echo-model', content: { type: 'text', text: p.systemPrompt + ': ' + p.messages[0].content.text } }));
    });`);
    const answered = await run(['call', 'sample', '--args', '{"prompt":"hi"}', '--sampling-command', `${node} ${model}`, '--stdio', basic]);
    assert.equal(answered.code, 0, show(answered));
    assert.equal(answered.stdout, 'be brief: hi\n');
  });

  test('--server NAME: .vscode/mcp.json found upward from the current directory, inputs from the environment', async () => {
    const ws = path.join(tmp, 'workspace');
    const sub = path.join(ws, 'src', 'deep');
    mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(ws, '.vscode', 'mcp.json'), `{
      // JSONC: comments and trailing commas
      "inputs": [{ "type": "promptString", "id": "api-key", "description": "API key", "password": true }],
      "servers": {
        "basic": { "type": "stdio", "command": ${JSON.stringify(node)}, "args": [${JSON.stringify(fixture('basic.mjs'))}], "env": { "API_KEY": "\${input:api-key}" } },
        "remote": { "type": "http", "url": "http://127.0.0.1:9/mcp", "headers": { "Authorization": "Bearer \${env:SECRET_TOKEN}" } },
      },
    }`);
    const settings = path.join(tmp, 'settings.json');
    writeFileSync(settings, `{ "editor.fontSize": 13, // user settings
      "mcpHost.servers": { "user-echo": { "command": "node", "args": ["server.js", "\${workspaceFolder}"] } } }`);

    const list = await cli(['servers'], { cwd: sub, env: { MCP_HOST_SETTINGS: settings, SECRET_TOKEN: 'do-not-print' } });
    assert.equal(list.code, 0, show(list));
    assert.match(list.stdout, /^NAME +SCOPE +TYPE +COMMAND \/ URL$/m);
    assert.match(list.stdout, /^basic +workspace +stdio +.*basic\.mjs {2}\(in .*workspace\)$/m);
    assert.match(list.stdout, /^remote +workspace +http +HTTP http:\/\/127\.0\.0\.1:9\/mcp$/m);
    // A user server runs in the home directory unless it says otherwise.
    assert.match(list.stdout, new RegExp(`^user-echo +user +stdio +node server\\.js ${ws.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(  \\(in [^)]+\\))?$`, 'm'));
    const json = await run(['servers', '--json'], { cwd: sub, env: { MCP_HOST_SETTINGS: settings, SECRET_TOKEN: 'do-not-print' } });
    const servers = JSON.parse(json.stdout).servers as Array<{ name: string; scope: string; file: string }>;
    assert.deepEqual(servers.map(s => `${s.name}:${s.scope}`), ['basic:workspace', 'remote:workspace', 'user-echo:user']);
    assert.ok(!json.stdout.includes('do-not-print'), 'no secret in the listing');

    const call = await cli(['call', 'roots', '--trust-workspace', '--server', 'basic'], { cwd: sub, env: { MCP_HOST_INPUT_API_KEY: 'k' } });
    assert.equal(call.code, 0, show(call));
    assert.deepEqual(JSON.parse(call.stdout), [{ uri: pathToFileURL(sub).href, name: 'deep' }]);

    const noInput = await run(['tools', '--trust-workspace', '--server', 'basic'], { cwd: sub });
    assert.equal(noInput.code, 2, show(noInput));
    assert.match(noInput.stderr, /\$\{input:api-key\} needs a value: set MCP_HOST_INPUT_API_KEY or run mcp-host on a terminal/);
    const asked = await run(['call', 'echo', '--args', '{"message":"ok"}', '--trust-workspace', '--server', 'basic'], { cwd: sub, input: 'secret\n' });
    assert.equal(asked.code, 0, show(asked));
    assert.match(asked.stderr, /Server "basic" needs the input API key \(api-key\)\.\nAPI key \(api-key\): \n/);
    assert.ok(!asked.stderr.includes('secret'), 'a password input is not echoed');

    const unknown = await run(['tools', '--server', 'nope'], { cwd: sub });
    assert.equal(unknown.code, 2, show(unknown));
    assert.match(unknown.stderr, /no server named "nope" is configured\nConfigured servers: basic, remote\./);
    const empty = await run(['servers'], { cwd: tmp });
    assert.equal(empty.code, 0);
    assert.match(empty.stderr, /No servers are configured \(looked for \.vscode\/mcp\.json in /);
  });

  test('--url: Streamable HTTP and legacy SSE', async () => {
    const http = await startEverythingHttp('streamableHttp');
    const sse = await startEverythingHttp('sse');
    try {
      const r = await cli(['call', 'echo', '--args', '{"message":"over http"}', '--verbose', '--url', `${http.base}/mcp`]);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, 'Echo: over http\n');
      assert.match(r.stderr, /connected to mcp-servers\/everything .*Streamable HTTP\)/);
      const legacy = await run(['call', 'echo', '--args', '{"message":"over sse"}', '--transport', 'sse', '--verbose', '--url', `${sse.base}/sse`]);
      assert.equal(legacy.code, 0, show(legacy));
      assert.equal(legacy.stdout, 'Echo: over sse\n');
      assert.match(legacy.stderr, /legacy HTTP\+SSE\)/);
      const refused = await run(['tools', '--url', 'http://127.0.0.1:9/mcp']);
      assert.equal(refused.code, 3, show(refused));
      assert.match(refused.stderr, /127\.0\.0\.1:9\/mcp › initialize: /);
    } finally {
      await Promise.all([http.stop(), sse.stop()]);
    }
  });
});

describe('mcp-host CLI pieces', () => {
  test('command lines split like a shell', async () => {
    const { splitCommandLine } = await import('../../src/cli/words.ts');
    assert.deepEqual(splitCommandLine(`npx -y "@scope/pkg" --root 'My Files' a\\ b "q\\"x" ''`), ['npx', '-y', '@scope/pkg', '--root', 'My Files', 'a b', 'q"x', '']);
  });

  test('a stdio command after "--", and options anywhere', async () => {
    const { parseCommandLine } = await import('../../src/cli/args.ts');
    const p = parseCommandLine(['call', '--json', 'echo', '-a', '{"message":"x"}', '-t', '500', '--', 'npx', '-y', 'server', '--port', '1']);
    assert.equal(p.kind, 'run');
    if (p.kind !== 'run') return;
    assert.equal(p.args.subject, 'echo');
    assert.deepEqual(p.args.target, { kind: 'stdio', command: 'npx', args: ['-y', 'server', '--port', '1'], env: {}, given: '--' });
    assert.deepEqual(p.args.args, { message: 'x' });
    assert.equal(p.args.timeoutMs, 500);
    assert.equal(p.args.json, true);
    const url = parseCommandLine(['tools', '--url', 'wss://h/mcp', '-H', 'Authorization: Bearer t']);
    assert.deepEqual(url.kind === 'run' && url.args.target, { kind: 'url', url: 'wss://h/mcp', transport: 'ws', headers: { Authorization: 'Bearer t' } });
  });

  test('accept-defaults fills every default (SEP-1034)', async () => {
    const { createElicitationHandler } = await import('../../src/cli/elicit.ts');
    const handler = createElicitationHandler({ server: 's', mode: 'accept-defaults', reader: undefined, write: () => {}, verbose: false });
    const result = await handler({
      message: 'm',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', default: 'John Doe' }, age: { type: 'integer', default: 30 }, score: { type: 'number', default: 95.5 },
          status: { type: 'string', enum: ['active', 'inactive'], default: 'active' }, verified: { type: 'boolean', default: true },
          tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, default: ['b'] }, note: { type: 'string' },
        },
      },
    }, new AbortController().signal);
    assert.deepEqual(result, { action: 'accept', content: { name: 'John Doe', age: 30, score: 95.5, status: 'active', verified: true, tags: ['b'] } });
    await assert.rejects(Promise.resolve().then(() => handler({ message: 'm', requestedSchema: { type: 'object', properties: { x: { type: 'object' } } } }, new AbortController().signal)), /invalid elicitation\/create params: .*requestedSchema\.properties\.x\.type/);
  });

  test('answers are validated against the field schema', async () => {
    const { parseAnswer } = await import('../../src/cli/elicit.ts');
    assert.deepEqual(parseAnswer({ type: 'string', format: 'email' }, undefined, 'a@b.co'), { value: 'a@b.co' });
    assert.ok('error' in parseAnswer({ type: 'string', format: 'email' }, undefined, 'nope'));
    assert.ok('error' in parseAnswer({ type: 'string', format: 'date' }, undefined, '2024-13-45'));
    assert.ok('error' in parseAnswer({ type: 'string', format: 'date' }, undefined, '2023-02-29'));
    assert.deepEqual(parseAnswer({ type: 'string', format: 'date' }, undefined, '2024-02-29'), { value: '2024-02-29' });
    assert.ok('error' in parseAnswer({ type: 'string', format: 'date-time' }, undefined, '2024-02-29'));
    assert.ok('error' in parseAnswer({ type: 'string', minLength: 3 }, undefined, 'ab'));
    assert.ok('error' in parseAnswer({ type: 'integer', maximum: 10 }, undefined, '11'));
    assert.ok('error' in parseAnswer({ type: 'integer' }, undefined, '1.5'));
    const choices = [{ value: 'fish-1', label: 'Tuna' }, { value: 'fish-2', label: 'Salmon' }];
    assert.deepEqual(parseAnswer({ type: 'array', minItems: 1, maxItems: 2 }, choices, '2, tuna'), { value: ['fish-2', 'fish-1'] });
    assert.ok('error' in parseAnswer({ type: 'array', minItems: 1 }, choices, '3'));
  });

  test('user settings path per platform, overridable', async () => {
    const { userSettingsPath } = await import('../../src/cli/config.ts');
    assert.equal(userSettingsPath({ cwd: '/', env: {}, platform: 'linux', home: '/home/u' }), '/home/u/.config/Code/User/settings.json');
    assert.equal(userSettingsPath({ cwd: '/', env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux', home: '/home/u' }), '/x/Code/User/settings.json');
    assert.equal(userSettingsPath({ cwd: '/', env: {}, platform: 'darwin', home: '/Users/u' }), '/Users/u/Library/Application Support/Code/User/settings.json');
    assert.equal(userSettingsPath({ cwd: '/', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\u' }), 'C:\\Users\\u\\AppData\\Roaming\\Code\\User\\settings.json');
    assert.equal(userSettingsPath({ cwd: '/', env: { MCP_HOST_SETTINGS: '' } }), undefined);
  });
});



test('server text cannot drive the terminal: escape sequences are shown, not obeyed', async () => {
  const { terminalSafe } = await import('../../src/cli/format.ts');
  assert.equal(terminalSafe('ok\n\tline'), 'ok\n\tline');
  assert.equal(terminalSafe('\x1b[2K\rhttps://evil.example'), '\\x1b[2K\\x0dhttps://evil.example');
  assert.equal(terminalSafe('bell\x07 c1\x9b'), 'bell\\x07 c1\\x9b');
});
