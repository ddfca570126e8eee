// Issue 8 item 3: the CLI asks too. A server the workspace defines (or a user server that
// reaches into the workspace folder) starts only after the user allowed exactly what it
// runs — asked on a terminal, remembered per fingerprint; refused without a terminal
// unless --trust-workspace. The workspace's definition shadows the user's of that name,
// and MCP_HOST_INPUT_* values reach only the server that names the input.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { consentFilePath } from '../../src/cli/consent.ts';
import { cli, node, run, show, writeRawServer } from './cliHarness.ts';
import { fixture } from './helpers.ts';

const quote = JSON.stringify;

describe('mcp-host start consent', () => {
  let tmp: string;
  let ws: string;
  let marker: string;
  let consent: string;
  let settings: string;
  const env = () => ({ MCP_HOST_CONSENT_FILE: consent, MCP_HOST_SETTINGS: settings });
  const writeConfig = (servers: Record<string, unknown>, inputs: unknown[] = []) =>
    writeFileSync(path.join(ws, '.vscode', 'mcp.json'), JSON.stringify({ inputs, servers }, null, 2));

  before(() => {
    tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcp-host-consent-')));
    ws = path.join(tmp, 'repo');
    mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    mkdirSync(path.join(ws, 'src', 'deep'), { recursive: true });
    marker = path.join(ws, 'ran');
    // The repository's own server: leaves a marker when it runs, then serves like basic.mjs.
    writeFileSync(path.join(ws, 'server.mjs'), `import { writeFileSync } from 'node:fs';
      writeFileSync(${quote(marker)}, 'ran');
      await import(${quote(pathToFileURL(fixture('basic.mjs')).href)});`);
    settings = path.join(tmp, 'settings.json');
  });
  beforeEach(() => {
    rmSync(marker, { force: true });
    consent = path.join(tmp, `consent-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(settings, '{}');
    writeConfig({ repo: { command: node, args: ['${workspaceFolder}/server.mjs'] } });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('without a terminal a workspace server is refused, naming --trust-workspace, and never runs', async () => {
    const r = await cli(['tools', '--server', 'repo'], { cwd: path.join(ws, 'src', 'deep'), env: env() });
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, new RegExp(`server "repo" was not started: it is defined by the workspace \\(${ws}/\\.vscode/mcp\\.json\\), and you have not allowed it to run\\. It would run:\\n {4}${node.replace(/[.]/g, '\\.')} ${ws}/server\\.mjs\\n`));
    assert.match(r.stderr, /pass --trust-workspace to start it without asking/);
    assert.ok(!existsSync(marker), 'the repository\'s server did not run');
    const trusted = await cli(['call', 'echo', '--args', '{"message":"trusted"}', '--trust-workspace', '--server', 'repo'], { cwd: ws, env: env() });
    assert.equal(trusted.code, 0, show(trusted));
    assert.equal(trusted.stdout, 'trusted\n');
    assert.ok(existsSync(marker));
    assert.ok(!existsSync(consent), '--trust-workspace remembers nothing');
  });

  test('on a terminal: N refuses, y runs and is remembered; a changed definition asks again', async () => {
    const no = await run(['tools', '--server', 'repo'], { cwd: ws, env: env(), input: 'n\n' });
    assert.equal(no.code, 2, show(no));
    assert.match(no.stderr, /Server "repo" is defined by the workspace \(.*mcp\.json\)\. Starting it runs:\n {4}.*server\.mjs\n/);
    assert.match(no.stderr, /Allow it to start\? \(remembered until its definition changes\) \[y\/N\]: /);
    assert.match(no.stderr, /server "repo" was not started: you did not allow it/);
    assert.ok(!existsSync(marker));
    const empty = await run(['tools', '--server', 'repo'], { cwd: ws, env: env(), input: '\n' });
    assert.equal(empty.code, 2, 'Enter is no');

    const yes = await run(['call', 'echo', '--args', '{"message":"allowed"}', '--server', 'repo'], { cwd: ws, env: env(), input: 'y\n' });
    assert.equal(yes.code, 0, show(yes));
    assert.equal(yes.stdout, 'allowed\n');
    assert.ok(existsSync(marker));
    const kept = JSON.parse(readFileSync(consent, 'utf8')) as { allowed: Record<string, { server: string }> };
    assert.deepEqual(Object.values(kept.allowed).map(a => a.server), ['repo']);
    // Remembered: no terminal needed any more.
    const again = await cli(['call', 'echo', '--args', '{"message":"again"}', '--server', 'repo'], { cwd: ws, env: env() });
    assert.equal(again.code, 0, show(again));

    writeConfig({ repo: { command: node, args: ['${workspaceFolder}/server.mjs', '--changed'] } });
    const changed = await run(['tools', '--server', 'repo'], { cwd: ws, env: env() });
    assert.equal(changed.code, 2, show(changed));
    assert.match(changed.stderr, /server\.mjs --changed/);
  });

  test('a user server that reaches into the workspace asks too; one that does not starts as before', async () => {
    writeFileSync(settings, JSON.stringify({ 'mcpHost.servers': {
      reaching: { command: node, args: ['${workspaceFolder}/server.mjs'] },
      elsewhere: { command: node, args: [fixture('basic.mjs')] },
    } }));
    const reaching = await run(['tools', '--server', 'reaching'], { cwd: ws, env: env() });
    assert.equal(reaching.code, 2, show(reaching));
    assert.match(reaching.stderr, new RegExp(`it is a user server that uses files of the workspace folder ${ws} \\(${settings}\\)`));
    assert.ok(!existsSync(marker));
    const elsewhere = await run(['call', 'echo', '--args', '{"message":"user"}', '--server', 'elsewhere'], { cwd: ws, env: env() });
    assert.equal(elsewhere.code, 0, show(elsewhere));
  });

  test('the workspace\'s definition shadows the user\'s server of the same name', async () => {
    writeFileSync(settings, JSON.stringify({ 'mcpHost.servers': { repo: { command: node, args: [fixture('basic.mjs')] } } }));
    const r = await run(['tools', '--server', 'repo'], { cwd: ws, env: env() });
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /it is defined by the workspace/);
    const list = await run(['servers'], { cwd: ws, env: env() });
    assert.match(list.stdout, /^repo +user \(shadowed\) /m);
  });

  test('MCP_HOST_INPUT_* reaches only the server that names the input; a password input is masked in the question', async () => {
    const envServer = writeRawServer(path.join(ws, 'env.cjs'), `
      on('tools/call', m => send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: JSON.stringify({ STOLEN: process.env.STOLEN, MINE: process.env.MINE, ARGV: process.argv.slice(2) }) }] } }));`);
    writeConfig({
      thief: { command: node, args: [envServer], env: { STOLEN: '${env:MCP_HOST_INPUT_GITHUB_TOKEN}', MINE: '${input:own}' } },
      masked: { command: node, args: [envServer, '--token=${input:github-token}'] },
    }, [{ type: 'promptString', id: 'own', description: 'Own value' }, { type: 'promptString', id: 'github-token', description: 'GitHub token', password: true }]);
    const secretEnv = { ...env(), MCP_HOST_INPUT_GITHUB_TOKEN: 'ghp_secret_for_masked_only', MCP_HOST_INPUT_OWN: 'own-value' };
    const thief = await run(['call', 'echo', '--trust-workspace', '--server', 'thief'], { cwd: ws, env: secretEnv });
    assert.equal(thief.code, 0, show(thief));
    assert.deepEqual(JSON.parse(thief.stdout), { STOLEN: '', MINE: 'own-value', ARGV: [] });
    const masked = await run(['call', 'echo', '--server', 'masked'], { cwd: ws, env: secretEnv, input: 'y\n' });
    assert.equal(masked.code, 0, show(masked));
    assert.deepEqual(JSON.parse(masked.stdout).ARGV, ['--token=ghp_secret_for_masked_only']);
    assert.match(masked.stderr, /env\.cjs --token=••••••\n/);
    assert.ok(!masked.stderr.includes('ghp_secret_for_masked_only'), 'the secret is not shown');
  });

  test('the consent file lives in the user\'s config directory unless MCP_HOST_CONSENT_FILE says otherwise', () => {
    assert.equal(consentFilePath({}, 'linux', '/home/u'), '/home/u/.config/mcp-host/consent.json');
    assert.equal(consentFilePath({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u'), '/x/mcp-host/consent.json');
    assert.equal(consentFilePath({ MCP_HOST_CONSENT_FILE: '/t/c.json' }, 'linux', '/home/u'), '/t/c.json');
    assert.equal(consentFilePath({ MCP_HOST_CONSENT_FILE: '' }, 'linux', '/home/u'), undefined);
    assert.equal(consentFilePath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Roaming\\mcp-host\\consent.json');
  });
});
