// Issue 11, "copy as CLI command" (src/host/cliCommand.ts): the command a person pastes
// must mean what was sent. Each generated line is split by a real POSIX shell (dash and
// bash), its words go through the CLI's own parser (src/cli/args.ts), and one runs for
// real against a fixture server configured in a workspace's .vscode/mcp.json.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCommandLine, type CliArgs } from '../../src/cli/args.ts';
import { cliCommandFor, shellQuote } from '../../src/host/cliCommand.ts';
import { BIN, cleanEnv, node, writeRawServer } from './cliHarness.ts';

const SHELLS = ['/bin/sh', '/bin/bash'];

/**
 * The words a shell makes of each line (`mcp-host` a function that prints its arguments,
 * NUL after each word and \x01 after each line; dash wants a plainer function name).
 */
function shellWords(shell: string, lines: readonly string[]): string[][] {
  const calls = lines.map(line => `mcp_host ${line.slice('mcp-host '.length)}\nprintf '\\001'`);
  const script = `mcp_host() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${calls.join('\n')}`;
  // On stdin: the script is too long for one argument.
  const r = spawnSync(shell, ['-s'], { input: script, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `${shell} failed: ${r.error ?? r.stderr}`);
  assert.equal(r.stderr, '', `${shell} complained`);
  const out = r.stdout.split('\x01').slice(0, -1).map(rec => rec.split('\0').slice(0, -1));
  assert.equal(out.length, lines.length);
  return out;
}

/** What the CLI understands from each line, as every shell splits it (and they agree). */
function parsedAll(lines: readonly string[]): CliArgs[] {
  for (const line of lines) assert.match(line, /^mcp-host /);
  const byShell = SHELLS.map(sh => shellWords(sh, lines));
  return lines.map((line, i) => {
    const words = byShell[0]![i]!;
    for (const other of byShell.slice(1)) assert.deepEqual(other[i], words, `the shells split ${line} alike`);
    const p = parseCommandLine(words);
    assert.equal(p.kind, 'run', line);
    return (p as Extract<typeof p, { kind: 'run' }>).args;
  });
}
const parsed = (line: string): CliArgs => parsedAll([line])[0]!;

const TRICKY_STRINGS = [
  `it's`, `"double" and 'single'`, `line one\nline two`, `tab\there`, `héllo wörld 🌍 日本語`, '$(touch /tmp/pwned) `id` $HOME ${x}',
  '*', '~', '!history', '\\back\\slash\\', 'trailing space ', ' ', '', `'`, `''''`, '-x', '--server', '#comment', 'a;b|c&d>e<f',
];

describe('cliCommandFor', () => {
  test('tools/call: the tool, its arguments and the server survive any content', () => {
    const cases: Array<{ server: string; tool: string; args: Record<string, unknown> }> = [];
    for (const s of TRICKY_STRINGS) {
      const args = { q: s, nested: { list: [s, 1, true, null] }, [s || 'empty']: s };
      for (const server of ['everything', 'my server', `o'neil`, '-dash', '-dash with space', 'ünï côdé']) {
        for (const tool of ['echo', '-x', '-', 'a tool', `it's`, 'tool\nname', '--args', s || 'empty']) cases.push({ server, tool, args });
      }
    }
    const lines = cases.map(c => cliCommandFor({ name: c.server }, 'tools/call', { name: c.tool, arguments: c.args })!);
    const all = parsedAll(lines);
    cases.forEach((c, i) => {
      const a = all[i]!;
      assert.equal(a.command, 'call', lines[i]);
      assert.equal(a.subject, c.tool, lines[i]);
      assert.deepEqual(a.args, c.args, lines[i]);
      assert.deepEqual(a.target, { kind: 'server', name: c.server }, lines[i]);
    });
  });

  test('the exact shape: --args omitted when empty, plain words unquoted, "--" only for a leading "-"', () => {
    assert.equal(cliCommandFor({ name: 'everything' }, 'tools/call', { name: 'echo', arguments: { message: 'hi' } }),
      `mcp-host call echo --args '{"message":"hi"}' --server everything`);
    assert.equal(cliCommandFor({ name: 'everything', scope: 'user' }, 'tools/call', { name: 'echo', arguments: {} }), 'mcp-host call echo --server everything');
    assert.equal(cliCommandFor({ name: 'everything' }, 'tools/call', { name: 'echo' }), 'mcp-host call echo --server everything');
    assert.equal(cliCommandFor({ name: 'my server' }, 'tools/call', { name: '-x', arguments: { a: "it's" } }),
      `mcp-host call --args '{"a":"it'\\''s"}' --server 'my server' -- -x`);
    assert.equal(cliCommandFor({ name: '-s' }, 'tools/list', {}), 'mcp-host tools --server=-s');
    assert.equal(cliCommandFor({ name: 'fs' }, 'resources/read', { uri: 'file:///tmp/a b.txt' }), `mcp-host read 'file:///tmp/a b.txt' --server fs`);
    assert.equal(cliCommandFor({ name: 'fs' }, 'prompts/get', { name: 'greet', arguments: { name: 'ann' } }), `mcp-host prompt greet --args '{"name":"ann"}' --server fs`);
    assert.equal(shellQuote(''), `''`);
    assert.equal(shellQuote(`'`), `''\\'''`);
  });

  test('resources/read, prompts/get and the lists parse back to what was asked', () => {
    const strings = TRICKY_STRINGS.filter(Boolean);
    const reads = parsedAll(strings.map(s => cliCommandFor({ name: 'srv' }, 'resources/read', { uri: s })!));
    const prompts = parsedAll(strings.map(s => cliCommandFor({ name: 'srv' }, 'prompts/get', { name: s, arguments: { a: s } })!));
    strings.forEach((s, i) => {
      assert.deepEqual([reads[i]!.command, reads[i]!.subject], ['read', s]);
      assert.deepEqual([prompts[i]!.command, prompts[i]!.subject, prompts[i]!.args], ['prompt', s, { a: s }]);
    });
    for (const [method, command] of [['tools/list', 'tools'], ['resources/list', 'resources'], ['prompts/list', 'prompts'], ['resources/templates/list', 'templates']] as const) {
      const a = parsed(cliCommandFor({ name: 'a server' }, method, { cursor: 'abc' })!);
      assert.deepEqual([a.command, a.subject, a.target], [command, undefined, { kind: 'server', name: 'a server' }]);
    }
  });

  test('undefined for what the CLI cannot say', () => {
    assert.equal(cliCommandFor({ name: 's' }, 'initialize', {}), undefined);
    assert.equal(cliCommandFor({ name: 's' }, 'completion/complete', {}), undefined);
    assert.equal(cliCommandFor({ name: 's' }, 'notifications/initialized', undefined), undefined);
    assert.equal(cliCommandFor({ name: 's' }, 'tools/call', {}), undefined, 'no tool name');
    assert.equal(cliCommandFor({ name: 's' }, 'tools/call', { name: 'x', arguments: [1] }), undefined, 'arguments not an object');
    assert.equal(cliCommandFor({ name: 's' }, 'resources/read', { uri: 5 }), undefined);
    assert.equal(cliCommandFor({ name: 's' }, 'tools/call', { name: 'a\0b' }), undefined, 'NUL cannot be in an argv');
    assert.equal(cliCommandFor({ name: 's' }, 'tools/call', { name: 'a\uD800b' }), undefined, 'a lone surrogate would arrive changed');
    assert.equal(cliCommandFor({ name: '' }, 'tools/list', {}), undefined);
    // In the arguments, JSON escapes both.
    assert.deepEqual(parsed(cliCommandFor({ name: 's' }, 'tools/call', { name: 'x', arguments: { a: 'a\0b\uD800' } })!).args, { a: 'a\0b\uD800' });
  });
});

describe('cliCommandFor, end to end', () => {
  let tmp: string;
  before(() => { tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcph-clicmd-'))); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('the generated line, pasted into bash, calls the tool with the same arguments', () => {
    const server = writeRawServer(path.join(tmp, 'raw.cjs'), `
      on('tools/list', m => send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: '-x', inputSchema: { type: 'object' } }] } }));
      on('tools/call', m => send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: 'called ' + m.params.name + ' with ' + JSON.stringify(m.params.arguments) }] } }));
    `);
    mkdirSync(path.join(tmp, '.vscode'));
    writeFileSync(path.join(tmp, '.vscode', 'mcp.json'), JSON.stringify({ servers: { "it's my server": { type: 'stdio', command: node, args: [server] } } }));
    const args = { q: `it's "quoted"\nand $HOME 🌍`, n: [1, { deep: true }] };
    const line = cliCommandFor({ name: "it's my server", scope: 'workspace' }, 'tools/call', { name: '-x', arguments: args })!;
    // mcp-host on the PATH, as installed; --trust-workspace is the test's consent to start
    // the workspace's server. The line itself is pasted as generated.
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'mcp-host'), `#!/bin/sh\nexec ${shellQuote(node)} ${shellQuote(BIN)} --trust-workspace "$@"\n`, { mode: 0o755 });
    const env = cleanEnv();
    const r = spawnSync('/bin/bash', ['-c', line], { cwd: tmp, encoding: 'utf8', env: { ...env, PATH: `${bin}:${env.PATH ?? ''}` }, timeout: 60_000 });
    assert.equal(r.status, 0, `${line}\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.stdout, `called -x with ${JSON.stringify(args)}\n`);
  });
});
