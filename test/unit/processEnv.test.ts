import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { McpClient } from '../../src/protocol/client.ts';
import { LocalError } from '../../src/protocol/errors.ts';
import { curatedEnv, findExecutable, parseEnvFile, quoteForCmd } from '../../src/transports/processEnv.ts';
import { StdioTransport } from '../../src/transports/stdio.ts';
import { mergePath } from '../../src/host/shellPath.ts';

test('the environment is curated: only the listed variables, plus the server\'s own', () => {
  const base = { HOME: '/h', PATH: '/bin', SECRET_TOKEN: 'x', AWS_KEY: 'y', LANG: 'C', ELECTRON_RUN_AS_NODE: '1' };
  assert.deepEqual(curatedEnv(base, { MINE: '1', LANG: null }, { platform: 'linux' }), { HOME: '/h', PATH: '/bin', MINE: '1' });
  assert.equal(curatedEnv(base, {}, { platform: 'linux', pathOverride: '/login/bin:/bin' }).PATH, '/login/bin:/bin');
  const win = curatedEnv({ Path: 'C:\\bin', USERPROFILE: 'C:\\u', SystemRoot: 'C:\\Windows', GITHUB_TOKEN: 'z' }, { path: 'D:\\x' }, { platform: 'win32' });
  assert.deepEqual(win, { Path: 'D:\\x', USERPROFILE: 'C:\\u', SystemRoot: 'C:\\Windows' });
});

test('proxy and CA variables pass, in both cases; on Windows whatever their spelling', () => {
  const net = {
    HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://p:2', NO_PROXY: 'localhost', http_proxy: 'http://q:1', https_proxy: 'http://q:2', no_proxy: '.lan',
    NODE_EXTRA_CA_CERTS: '/ca.pem', SSL_CERT_FILE: '/cert.pem', SSL_CERT_DIR: '/certs',
  };
  assert.deepEqual(curatedEnv({ ...net, PATH: '/bin', ALL_SECRETS: 'x' }, {}, { platform: 'linux' }), { PATH: '/bin', ...net });
  const win = curatedEnv({ Path: 'C:\\bin', https_proxy: 'http://w:1', Node_Extra_CA_Certs: 'C:\\ca.pem', GITHUB_TOKEN: 'z' }, {}, { platform: 'win32' });
  assert.deepEqual(win, { Path: 'C:\\bin', https_proxy: 'http://w:1', Node_Extra_CA_Certs: 'C:\\ca.pem' });
});

test('a command that cannot run says why: not executable (EACCES), a directory, missing at its path, or missing on PATH', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcph-eacces-'));
  try {
    const plain = path.join(dir, 'plain');
    writeFileSync(plain, '#!/bin/sh\n');
    chmodSync(plain, 0o644);
    mkdirSync(path.join(dir, 'adir'));
    const fail = async (opts: Partial<ConstructorParameters<typeof StdioTransport>[0]> & { command: string }) => {
      const t = new StdioTransport({ args: [], env: {}, baseEnv: { PATH: dir }, ...opts });
      try { await t.start(); } catch (e) { return (e as LocalError).message; } finally { await t.close(); }
      throw new Error('started');
    };
    assert.equal(await fail({ command: plain }), `spawn ${plain} EACCES — ${plain} is not executable: make it executable (chmod +x) or run it with its interpreter (e.g. "node ${plain}")`);
    assert.match(await fail({ command: 'plain' }), new RegExp(`^spawn plain EACCES — ${plain} \\(found on PATH\\) is not executable`));
    assert.equal(await fail({ command: path.join(dir, 'adir') }), `spawn ${path.join(dir, 'adir')} EACCES — ${path.join(dir, 'adir')} is a directory, not a program`);
    const orphan = path.join(dir, 'orphan');
    writeFileSync(orphan, '#!/nonexistent/interpreter\n');
    chmodSync(orphan, 0o755);
    assert.equal(await fail({ command: orphan }), `spawn ${orphan} ENOENT — ${orphan} exists, but the interpreter on its "#!" line was not found`);
    assert.equal(await fail({ command: '/nonexistent/server' }), 'spawn /nonexistent/server ENOENT — /nonexistent/server does not exist');
    assert.equal(await fail({ command: 'bin/server', cwd: dir }), `spawn bin/server ENOENT — ${dir}/bin/server does not exist (bin/server taken relative to ${dir})`);
    // A bare name: where it was written decides the advice.
    assert.match(await fail({ command: 'missing-srv' }), /not found on PATH \(.*\)\. Use an absolute path in "command", or add its directory to the PATH VS Code starts with\.$/);
    assert.match(await fail({ command: 'missing-srv', hostName: 'mcp-host', commandOrigin: '--stdio' }), /not found on PATH \(.*\)\. Give its full path in --stdio, or add its directory to PATH\.$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('executables are found on PATH; a miss names the command and the PATH searched', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcph-bin-'));
  try {
    const exe = path.join(dir, 'my-server');
    writeFileSync(exe, '#!/bin/sh\n');
    chmodSync(exe, 0o755);
    writeFileSync(path.join(dir, 'not-exec'), '');
    assert.equal(findExecutable('my-server', { PATH: `/nonexistent:${dir}` }, undefined, 'linux'), exe);
    assert.equal(findExecutable('not-exec', { PATH: dir }, undefined, 'linux'), undefined);
    const t = new StdioTransport({ command: 'npx-does-not-exist', args: [], env: {}, baseEnv: { PATH: `/nope:${dir}` } });
    await assert.rejects(McpClient.create(t, { name: 'missing', clientInfo: { name: 't', version: '1' }, capabilities: {} }), (e: Error) => {
      assert.match(e.message, /^missing › initialize: spawn npx-does-not-exist ENOENT/);
      assert.match(e.message, new RegExp(`not found on PATH \\(/nope:${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
      return true;
    });
    const npx = new StdioTransport({ command: 'npx', args: [], env: {}, baseEnv: { PATH: '/nope' } });
    await assert.rejects(npx.start(), (e: LocalError) => e.code === 'spawn' && /spawn npx ENOENT — is Node on PATH for VS Code\?/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dotenv files, cmd quoting and PATH merging', () => {
  assert.deepEqual(parseEnvFile('# c\nA=1\nexport B="two words"\nC=\'x y\'\nD=plain # comment\n\nbad line\n'), { A: '1', B: 'two words', C: 'x y', D: 'plain' });
  // Single escaping (a program), then the double escaping a .cmd shim needs.
  assert.equal(quoteForCmd('simple', false), '^"simple^"');
  assert.equal(quoteForCmd('has space', false), '^"has^ space^"');
  assert.equal(quoteForCmd('https://h/mcp?a=1&b=2', false), '^"https://h/mcp^?a=1^&b=2^"');
  // A quote inside cannot close the quoting: it is argv-escaped, then caret-escaped.
  assert.equal(quoteForCmd('x" & calc & "', false), '^"x\\^"^ ^&^ calc^ ^&^ \\^"^"');
  assert.equal(quoteForCmd('C:\\dir\\', false), '^"C:\\dir\\\\^"');
  assert.equal(quoteForCmd('a&b'), '^^^"a^^^&b^^^"');
  assert.equal(mergePath('/a:/b', '/b:/c'), '/a:/b:/c');
});
