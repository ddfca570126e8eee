import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { describeLaunch, offsetToPosition, parseMcpConfig, parseSettingsConfig, resolveServers, type ConfigInput, addServerToConfigText, configServerNames } from '../../src/host/config.ts';

const folder = path.resolve('/work/ws');
function ctx(inputs: Record<string, string> = {}) {
  const asked: string[] = [];
  return {
    asked,
    ctx: {
      workspaceFolder: folder,
      env: { API_KEY: 'k-123', HOME: '/home/u' },
      async resolveInput(id: string, input: ConfigInput | undefined) { asked.push(`${id}:${input?.password ? 'secret' : 'plain'}`); return inputs[id] ?? ''; },
    },
  };
}

test('JSONC with comments and trailing commas; VS Code shapes; variables and inputs', async () => {
  const text = `{
    // servers of this workspace
    "inputs": [{ "type": "promptString", "id": "token", "description": "API token", "password": true }],
    "servers": {
      "everything": { "type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"], },
      "fs": { "command": "node", "args": ["\${workspaceFolder}/server.js", "\${userHome}"], "env": { "KEY": "\${env:API_KEY}", "TOKEN": "\${input:token}", "DROP": null }, "envFile": ".env", "cwd": "sub" },
      "remote": { "type": "http", "url": "https://example.com/mcp", "headers": { "Authorization": "Bearer \${input:token}" } },
    },
  }`;
  const parsed = parseMcpConfig(text);
  assert.deepEqual(parsed.problems, []);
  const { ctx: c, asked } = ctx({ token: 's3cret' });
  const { definitions, problems } = await resolveServers(parsed, 'workspace', { file: `${folder}/.vscode/mcp.json`, folder }, c);
  assert.deepEqual(problems, []);
  assert.deepEqual(definitions.map(d => d.name), ['everything', 'fs', 'remote']);
  const fs = definitions[1]!.launch;
  assert.ok(fs.type === 'stdio');
  assert.deepEqual(fs.args, [`${folder}/server.js`, os.homedir()]);
  assert.deepEqual(fs.env, { KEY: 'k-123', TOKEN: 's3cret', DROP: null });
  assert.equal(fs.cwd, path.join(folder, 'sub'));
  assert.equal(fs.envFile, path.join(folder, '.env'));
  assert.equal(definitions[0]!.launch.type === 'stdio' && definitions[0]!.launch.cwd, folder, 'cwd defaults to the folder');
  const remote = definitions[2]!.launch;
  assert.ok(remote.type === 'http' && remote.headers.Authorization === 'Bearer s3cret');
  assert.deepEqual(asked, ['token:secret', 'token:secret']);
  assert.equal(definitions[0]!.id, `workspace:${folder}:everything`);
  assert.equal(describeLaunch(definitions[0]!.launch), `npx -y @modelcontextprotocol/server-everything  (in ${folder})`);
});

test('fingerprints change with the definition, not with resolved secrets', async () => {
  const a = parseMcpConfig('{"servers":{"s":{"command":"x","env":{"T":"${input:t}"}}}}');
  const b = parseMcpConfig('{"servers":{"s":{"command":"y","env":{"T":"${input:t}"}}}}');
  const r1 = await resolveServers(a, 'workspace', { file: 'f', folder }, ctx({ t: '1' }).ctx);
  const r2 = await resolveServers(a, 'workspace', { file: 'f', folder }, ctx({ t: '2' }).ctx);
  const r3 = await resolveServers(b, 'workspace', { file: 'f', folder }, ctx({ t: '1' }).ctx);
  assert.equal(r1.definitions[0]!.fingerprint, r2.definitions[0]!.fingerprint);
  assert.notEqual(r1.definitions[0]!.fingerprint, r3.definitions[0]!.fingerprint);
});

test('a malformed file reports problems at the right place and keeps the good servers', async () => {
  const text = '{\n  "servers": {\n    "good": { "command": "node" },\n    "bad": { "type": "stdio" },\n    "weird": { "type": "carrier-pigeon" },\n    "nourl": { "type": "http", "url": "not a url" }\n  }\n  oops\n}';
  const parsed = parseMcpConfig(text);
  assert.ok(parsed.problems.length >= 1);
  const pos = offsetToPosition(text, parsed.problems[0]!.offset);
  assert.equal(pos.line, 7, 'the syntax error is on the line of "oops"');
  const { definitions, problems } = await resolveServers(parsed, 'workspace', { file: 'f', folder }, ctx().ctx);
  assert.deepEqual(definitions.map(d => d.name), ['good']);
  assert.deepEqual(problems.map(p => p.server), ['bad', 'weird', 'nourl']);
  assert.match(problems[0]!.message, /Server "bad": "command" is required/);
  assert.equal(offsetToPosition(text, problems[0]!.offset).line, 3);
});

test('Claude Desktop format and the settings shape', async () => {
  const claude = parseMcpConfig('{"mcpServers":{"memory":{"command":"npx","args":["-y","@modelcontextprotocol/server-memory"]}}}');
  assert.deepEqual(claude.servers.map(s => s.name), ['memory']);
  const settings = parseSettingsConfig({ a: { command: 'x' }, b: 42 }, [{ id: 'k', type: 'promptString' }]);
  assert.deepEqual(settings.servers.map(s => s.name), ['a']);
  assert.equal(settings.problems.length, 1);
  assert.equal(settings.inputs[0]!.id, 'k');
  const { definitions } = await resolveServers(settings, 'user', { file: 'settings' }, { ...ctx().ctx, workspaceFolder: undefined });
  // A user server never runs in a repository by default (issue 8, item 1): its working
  // directory is the home directory, whatever folder is open.
  assert.equal(definitions[0]!.launch.type === 'stdio' && definitions[0]!.launch.cwd, os.homedir(), 'user servers run in the home directory');
  const inWorkspace = await resolveServers(settings, 'user', { file: 'settings' }, { ...ctx().ctx, workspaceFolder: '/some/repo' });
  assert.equal(inWorkspace.definitions[0]!.launch.type === 'stdio' && inWorkspace.definitions[0]!.launch.cwd, os.homedir(), 'not the open folder');
});

test('empty and non-object files', () => {
  assert.deepEqual(parseMcpConfig('').problems, []);
  assert.equal(parseMcpConfig('[1,2]').problems.length, 1);
  assert.equal(parseMcpConfig('{"servers": []}').problems.length, 1);
});

test('Add Server writes into the key the file uses and keeps the servers there (issue 8, item 12)', () => {
  const claude = '{\n  // from Claude Desktop\n  "mcpServers": {\n    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] }\n  }\n}\n';
  const out = addServerToConfigText(claude, 'everything', { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] });
  assert.match(out, /\/\/ from Claude Desktop/, 'comments kept');
  const parsed = parseMcpConfig(out);
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.servers.map(s => s.name), ['memory', 'everything']);
  assert.ok(!/"servers"/.test(out), 'no second key that would hide mcpServers');
  assert.deepEqual(configServerNames(out), ['memory', 'everything']);
  // VS Code's own shape stays VS Code's.
  const vs = addServerToConfigText('{\n\t"servers": {\n\t\t"a": {"command": "x"}\n\t}\n}\n', 'b', { command: 'y' });
  assert.deepEqual(parseMcpConfig(vs).servers.map(s => s.name), ['a', 'b']);
  assert.match(vs, /\n\t\t"b"/, 'the file\'s indentation');
  // Both keys: `servers` is what the loader reads.
  assert.deepEqual(configServerNames('{"servers": {"a": {}}, "mcpServers": {"b": {}}}'), ['a']);
});
