// Signing in from the CLI against the fixture authorization server (test/fixtures/servers/
// oauth.mjs), which checks what a real one does: the registered redirect, PKCE, the
// resource. $BROWSER is a stand-in for the person (test/fixtures/consent-browser.mjs),
// answering the same page the e2e suite clicks in Chromium.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cli, show } from './cliHarness.ts';
import { repo } from './helpers.ts';

const BROWSER = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(repo, 'test/fixtures/consent-browser.mjs'))}`;

describe('mcp-host signs in to an OAuth-protected server', () => {
  let child: ChildProcess;
  let url: string;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcph-signin-'));
    child = spawn(process.execPath, [path.join(repo, 'test/fixtures/servers/oauth.mjs')], { stdio: ['ignore', 'ignore', 'pipe'] });
    url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stderr!.on('data', d => { seen += d; const m = /listening on (\S+)/.exec(seen); if (m) resolve(m[1]!); });
      child.once('exit', c => reject(new Error(`oauth fixture exited ${c}`)));
    });
  });
  after(() => { child.kill(); rmSync(dir, { recursive: true, force: true }); });
  const state = async () => (await fetch(new URL('/state', url))).json() as Promise<{ events: Array<{ event: string; grant?: string }> }>;

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

  test('without --store nothing is written', async () => {
    const file = path.join(dir, 'none', 'credentials.json');
    const r = await cli(['call', 'whoami', '--url', url], { env: { BROWSER, MCP_HOST_CREDENTIALS_FILE: file } });
    assert.equal(r.code, 0, show(r));
    assert.throws(() => statSync(file), /ENOENT/);
  });
});
