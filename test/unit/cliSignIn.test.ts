// Signing in from the CLI against the fixture authorization server (test/fixtures/servers/
// oauth.mjs), which checks what a real one does: the registered redirect, PKCE, the
// resource. $BROWSER is a stand-in for the person (test/fixtures/consent-browser.mjs),
// answering the same page the e2e suite clicks in Chromium.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cli, run, show } from './cliHarness.ts';
import { repo } from './helpers.ts';

const BROWSER = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(repo, 'test/fixtures/consent-browser.mjs'))}`;

/** The fixture authorization server (its flags: --no-pkce, --wrong-state, --manual-client, --other-resource). */
async function fixture(...flags: string[]): Promise<{ url: string; stop(): void; state(): Promise<{ events: Array<{ event: string; grant?: string }> }> }> {
  const child = spawn(process.execPath, [path.join(repo, 'test/fixtures/servers/oauth.mjs'), ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', d => { seen += d; const m = /listening on (\S+)/.exec(seen); if (m) resolve(m[1]!); });
    child.once('exit', c => reject(new Error(`oauth fixture exited ${c}`)));
  });
  return { url, stop: () => child.kill(), state: async () => (await fetch(new URL('/state', url))).json() as never };
}

describe('mcp-host signs in to an OAuth-protected server', () => {
  let server: Awaited<ReturnType<typeof fixture>>;
  let url: string;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcph-signin-'));
    server = await fixture();
    url = server.url;
  });
  after(() => { server.stop(); rmSync(dir, { recursive: true, force: true }); });
  const state = () => server.state();

  test('the first 401 signs in through the browser; the call runs with the token, which no log shows', async () => {
    const r = await cli(['call', 'whoami', '--url', url, '--verbose'], { env: { BROWSER } });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /signed in as client-\S+ with scope mcp:tools/);
    assert.match(r.stderr, /to sign in, open http:\/\/127\.0\.0\.1:\d+\/authorize\?/);
    assert.doesNotMatch(r.stdout + r.stderr, /fixture-(at|rt)-/, 'no token in the output');
  });

  test('a person who takes longer than --timeout to decide is waited for', async () => {
    const r = await cli(['call', 'whoami', '--url', url, '--timeout', '1000'], { env: { BROWSER, CONSENT_DELAY_MS: '2500' } });
    assert.equal(r.code, 0, show(r));
  });

  test('Deny at the authorization page: exit 6, the server named with what it said', async () => {
    const r = await cli(['call', 'whoami', '--url', url], { env: { BROWSER, CONSENT: 'deny' } });
    assert.equal(r.code, 6, show(r));
    assert.match(r.stderr, /127\.0\.0\.1:\d+\/mcp.*access_denied/);
  });

  test('--store keeps the sign-in in a file only its owner reads; the next run needs no browser', async () => {
    const file = path.join(dir, 'cred', 'credentials.json');
    const first = await cli(['tools', '--url', url, '--store'], { env: { BROWSER, MCP_HOST_CREDENTIALS_FILE: file } });
    assert.equal(first.code, 0, show(first));
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
    const kept = readFileSync(file, 'utf8');
    assert.match(kept, /fixture-at-/);
    const before = (await state()).events.filter(e => e.event === 'authorized').length;
    // A browser that fails: only the kept token can make this work.
    const second = await cli(['call', 'whoami', '--url', url, '--store'], { env: { BROWSER: 'false', MCP_HOST_CREDENTIALS_FILE: file } });
    assert.equal(second.code, 0, show(second));
    assert.equal((await state()).events.filter(e => e.event === 'authorized').length, before, 'no second authorization');
  });

  test('login keeps the sign-in, logout revokes and forgets it', async () => {
    const file = path.join(dir, 'login', 'credentials.json');
    const env = { BROWSER, MCP_HOST_CREDENTIALS_FILE: file };
    const login = await cli(['login', '--url', url], { env });
    assert.equal(login.code, 0, show(login));
    assert.match(login.stderr, /signed in to 127\.0\.0\.1:\d+\/mcp; kept in /);
    assert.match(readFileSync(file, 'utf8'), /fixture-at-/);
    const again = await cli(['login', '--url', url], { env: { ...env, BROWSER: 'false' } });
    assert.equal(again.code, 0, show(again));
    const revokedBefore = (await state()).events.filter(e => e.event === 'revoked').length;
    const logout = await cli(['logout', '--url', url], { env });
    assert.equal(logout.code, 0, show(logout));
    assert.match(logout.stderr, /signed out of 127\.0\.0\.1:\d+\/mcp/);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /fixture-(at|rt)-/, 'the tokens are gone from the file');
    assert.equal((await state()).events.filter(e => e.event === 'revoked').length - revokedBefore, 2, 'both tokens revoked');
    const none = await cli(['logout', '--url', url], { env });
    assert.match(none.stderr, /had no kept sign-in/);
    const usage = await cli(['login', '--no-store', '--url', url], { env });
    assert.equal(usage.code, 2, show(usage));
  });

  test('on a terminal, without --store or --no-store, the sign-in is kept only if the person says so', async () => {
    for (const [answer, kept] of [['y', true], ['n', false]] as const) {
      const file = path.join(dir, `ask-${answer}`, 'credentials.json');
      const r = await run(['call', 'whoami', '--url', url], { input: `${answer}\n`, env: { BROWSER, MCP_HOST_CREDENTIALS_FILE: file } });
      assert.equal(r.code, 0, show(r));
      assert.match(r.stderr, /Keep the sign-in to 127\.0\.0\.1:\d+\/mcp in .*credentials\.json \(readable by you alone\) for later runs\? \[y\/N\]/);
      let text = '';
      try { text = readFileSync(file, 'utf8'); } catch { /* not written */ }
      assert.equal(/fixture-at-/.test(text), kept, `answer ${answer}: kept in the file ${kept}`);
    }
  });

  test('without --store nothing is written', async () => {
    const file = path.join(dir, 'none', 'credentials.json');
    const r = await cli(['call', 'whoami', '--url', url], { env: { BROWSER, MCP_HOST_CREDENTIALS_FILE: file } });
    assert.equal(r.code, 0, show(r));
    assert.throws(() => statSync(file), /ENOENT/);
  });
});

describe('mcp-host refuses to sign in where a check fails', () => {
  test('an authorization server without PKCE S256: no browser, exit 6 saying so', async () => {
    const f = await fixture('--no-pkce');
    try {
      const r = await cli(['tools', '--url', f.url], { env: { BROWSER } });
      assert.equal(r.code, 6, show(r));
      assert.match(r.stderr, /127\.0\.0\.1:\d+\/mcp.*does not offer PKCE with S256/);
      assert.doesNotMatch(r.stderr, /to sign in, open/, 'the browser was never sent there');
    } finally { f.stop(); }
  });

  test('a token minted for another resource: refused by the server, no second sign-in, exit 6', async () => {
    const f = await fixture('--other-resource');
    try {
      const r = await cli(['tools', '--url', f.url], { env: { BROWSER } });
      assert.equal(r.code, 6, show(r));
      assert.match(r.stderr, /127\.0\.0\.1:\d+\/mcp still refuses the credentials after signing in/);
      const events = (await f.state()).events.map(e => e.event);
      assert.equal(events.filter(e => e === 'authorized').length, 1, `one authorization, no loop: ${events.join(', ')}`);
    } finally { f.stop(); }
  });

  test('a server that registers no clients: the person is asked for one on a terminal, else told to configure one', async () => {
    const f = await fixture('--manual-client', 'by-hand');
    try {
      const asked = await run(['tools', '--url', f.url], { input: 'by-hand\n\n', env: { BROWSER, MCP_HOST_CREDENTIALS_FILE: '' } });
      assert.equal(asked.code, 0, show(asked));
      assert.match(asked.stderr, /does not register clients by itself\. Register one there with the redirect URI http:\/\/127\.0\.0\.1:\d+\/callback/);
      const told = await cli(['tools', '--url', f.url], { env: { BROWSER } });
      assert.equal(told.code, 6, show(told));
      assert.match(told.stderr, /configure a client \(oauth\.clientId, or --client-id\)/);
      const byFlag = await cli(['tools', '--url', f.url, '--client-id', 'by-hand'], { env: { BROWSER } });
      assert.equal(byFlag.code, 0, show(byFlag));
    } finally { f.stop(); }
  });

  test('a redirect with another state: the code is not exchanged, exit 6 naming the check', async () => {
    const f = await fixture('--wrong-state');
    try {
      const r = await cli(['tools', '--url', f.url], { env: { BROWSER } });
      assert.equal(r.code, 6, show(r));
      assert.match(r.stderr, /127\.0\.0\.1:\d+\/mcp.*state/);
      const events = (await f.state()).events.map(e => e.event);
      assert.ok(events.includes('authorized'), `the person did allow: ${events.join(', ')}`);
      assert.ok(!events.includes('token'), `no token was asked for with that code: ${events.join(', ')}`);
    } finally { f.stop(); }
  });
});
