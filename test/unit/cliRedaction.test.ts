// No secret on the CLI's stderr (issue 8, item 5): --verbose shows the server's stderr and
// log messages, and errors name URLs; every secret planted in the target is masked.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, show } from './cliHarness.ts';
import { fixture, startEverythingHttp } from './helpers.ts';

test('mcp-host --verbose shows the server\'s stderr and log messages with every planted secret masked', async () => {
  const tag = `${process.pid}${Date.now()}`;
  const S = { arg: `CLIARG${tag}`, env: `CLIENV${tag}`, pw: `CLIPW${tag}`, key: `CLIKEY${tag}`, bearer: `CLIBEARER${tag}`, urlPass: `CLIURL${tag}`, query: `CLIQ${tag}` };
  // stdio: a secret-named env value, a secret tool argument; the server repeats them all.
  const stdio = await cli(['call', 'login', '--verbose', '--args', JSON.stringify({ user: 'ann', password: S.pw, key: S.key }),
    '-e', `API_TOKEN=${S.env}`, '--stdio', `${process.execPath} ${fixture('secrets.mjs')} --token=${S.arg}`]);
  assert.equal(stdio.code, 0, show(stdio));
  assert.match(stdio.stderr, /\[secrets\.mjs stderr\] secrets: login user ann password •••••• key ••••••/, `--verbose shows the server's stderr, masked:\n${show(stdio)}`);
  assert.match(stdio.stderr, /\[secrets\.mjs log info\] secrets: login user ann password ••••••/, 'and its log messages');
  // The result is what the user asked for, printed as is.
  assert.match(stdio.stdout, new RegExp(S.pw));
  // HTTP: credential headers and a URL with user info and a token.
  const http = await startEverythingHttp('streamableHttp');
  let remote;
  try {
    remote = await cli(['tools', '--verbose', '-H', `Authorization: Bearer ${S.bearer}`,
      '--url', `${http.base.replace('http://', `http://user:${S.urlPass}@`)}/mcp?token=${S.query}`]);
    assert.equal(remote.code, 0, show(remote));
  } finally {
    await http.stop();
  }
  const unreachable = await cli(['tools', '--verbose', '-H', `Authorization: Bearer ${S.bearer}`, '--url', `http://user:${S.urlPass}@127.0.0.1:9/mcp?token=${S.query}`]);
  assert.equal(unreachable.code, 3, show(unreachable));
  const stderr = [stdio.stderr, remote.stderr, unreachable.stderr].join('\n');
  for (const [where, secret] of Object.entries(S)) {
    assert.ok(!stderr.includes(secret), `the secret planted in ${where} reached stderr:\n${stderr.split('\n').filter(l => l.includes(secret)).join('\n')}`);
  }
});
