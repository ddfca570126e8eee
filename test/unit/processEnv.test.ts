import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
