import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { metadataUrls, resourceMatches } from '../../src/auth/discovery.ts';
import { FileTokenStore, credentialsFilePath } from '../../src/cli/auth.ts';
import { authArgsOf } from '../../src/cli/authArgs.ts';

describe('authorization discovery', () => {
  test('a protected resource names this server: same origin, a whole-segment prefix of its path', () => {
    const server = new URL('https://api.example.com/v1/mcp');
    for (const ok of ['https://api.example.com/v1/mcp', 'https://api.example.com/v1/mcp/', 'https://api.example.com', 'https://api.example.com/', 'https://api.example.com/v1']) {
      assert.equal(resourceMatches(ok, server), true, ok);
    }
    for (const bad of ['https://evil.example.com/v1/mcp', 'http://api.example.com/v1/mcp', 'https://api.example.com:444/v1/mcp', 'https://api.example.com/v1/mc', 'https://api.example.com/v2', 'not a url']) {
      assert.equal(resourceMatches(bad, server), false, bad);
    }
  });

  test('authorization-server metadata URLs in the spec order, with and without an issuer path', () => {
    assert.deepEqual(metadataUrls(new URL('https://auth.example.com')).map(String), [
      'https://auth.example.com/.well-known/oauth-authorization-server',
      'https://auth.example.com/.well-known/openid-configuration',
    ]);
    assert.deepEqual(metadataUrls(new URL('https://auth.example.com/tenant1/')).map(String), [
      'https://auth.example.com/.well-known/oauth-authorization-server/tenant1',
      'https://auth.example.com/.well-known/openid-configuration/tenant1',
      'https://auth.example.com/tenant1/.well-known/openid-configuration',
    ]);
  });
});

describe('CLI sign-in options and storage', () => {
  const fail = (m: string): never => { throw new Error(m); };

  test('flags become an OAuth configuration; secrets may come from files, stdin or the environment', () => {
    const a = authArgsOf({ 'client-id': 'c1', 'client-secret': '@secret.txt', 'client-auth': 'basic', scope: 'a  b', store: true }, {}, fail);
    assert.deepEqual(a.config, { clientId: 'c1', tokenEndpointAuthMethod: 'client_secret_basic', scopes: ['a', 'b'] });
    assert.equal(a.clientSecretFrom, 'secret.txt');
    assert.equal(a.store, true);
    assert.equal(authArgsOf({}, { MCP_HOST_CLIENT_SECRET: 's3' }, fail).config.clientSecret, 's3');
    assert.equal(authArgsOf({}, {}, fail).given, false);
  });

  test('inconsistent sign-in options are usage errors that say what to do', () => {
    assert.throws(() => authArgsOf({ grant: 'password' }, {}, fail), /--grant must be/);
    assert.throws(() => authArgsOf({ grant: 'jwt-bearer' }, {}, fail), /needs --assertion/);
    assert.throws(() => authArgsOf({ grant: 'id-jag', 'idp-client-id': 'x' }, {}, fail), /needs --idp-token-endpoint/);
    assert.throws(() => authArgsOf({ store: true, 'no-store': true }, {}, fail), /--store or --no-store/);
    assert.throws(() => authArgsOf({ 'client-metadata-url': 'http://x.example/m.json' }, {}, fail), /https URL with a path/);
    assert.throws(() => authArgsOf({ 'client-secret': '-', assertion: '-', grant: 'jwt-bearer' }, {}, fail), /only one of/);
  });

  test('the credentials file is readable by its owner alone, and writes are whole', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mcph-cred-'));
    try {
      const file = path.join(dir, 'sub', 'credentials.json');
      const store = new FileTokenStore(file);
      await Promise.all([store.set('a', '1'), store.set('b', '2'), store.set('c', '3')]);
      await store.delete('b');
      assert.equal(await store.get('a'), '1');
      assert.equal(await store.get('b'), undefined);
      assert.equal(await new FileTokenStore(file).get('c'), '3');
      if (process.platform !== 'win32') {
        assert.equal(statSync(file).mode & 0o777, 0o600);
        assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
      }
      assert.equal(credentialsFilePath({ MCP_HOST_CREDENTIALS_FILE: '' }), undefined);
      assert.equal(credentialsFilePath({ MCP_HOST_CREDENTIALS_FILE: '/x/c.json' }), '/x/c.json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
