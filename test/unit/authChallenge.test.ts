import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseWwwAuthenticate, readAuthChallenge, scopeSet, widens } from '../../src/auth/challenge.ts';

describe('WWW-Authenticate', () => {
  test('a Bearer challenge with quoted params (RFC 9728 §5.1)', () => {
    assert.deepEqual(parseWwwAuthenticate('Bearer resource_metadata="https://x.example/.well-known/oauth-protected-resource/mcp", scope="a b"'), [
      { scheme: 'bearer', params: { resource_metadata: 'https://x.example/.well-known/oauth-protected-resource/mcp', scope: 'a b' } },
    ]);
  });

  test('escapes in quoted strings, tokens unquoted, names and schemes case-insensitive', () => {
    const [c] = parseWwwAuthenticate('BEARER Error=insufficient_scope, Scope="mcp:write", error_description="needs \\"write\\", sorry"');
    assert.deepEqual(c, { scheme: 'bearer', params: { error: 'insufficient_scope', scope: 'mcp:write', error_description: 'needs "write", sorry' } });
  });

  test('several challenges in one header, token68 among them, and several headers', () => {
    const all = parseWwwAuthenticate(['Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"', 'Basic dXNlcg==, Bearer']);
    assert.deepEqual(all.map(c => c.scheme), ['newauth', 'basic', 'basic', 'bearer']);
    assert.equal(all[0]!.params.title, 'Login to "apps"');
    assert.equal(all[2]!.token68, 'dXNlcg==');
    assert.deepEqual(all[3]!.params, {});
  });

  test('malformed input yields what parsed before it, never throws', () => {
    assert.deepEqual(parseWwwAuthenticate('Bearer scope="unterminated'), [{ scheme: 'bearer', params: {} }]);
    assert.deepEqual(parseWwwAuthenticate(''), []);
    assert.deepEqual(parseWwwAuthenticate(undefined), []);
    assert.deepEqual(parseWwwAuthenticate(', ,'), []);
  });

  test('MCP reads the Bearer challenge first, else DPoP; resource_metadata from either', () => {
    assert.deepEqual(readAuthChallenge('DPoP algs="ES256 PS256", error="use_dpop_nonce", resource_metadata="https://r.example/prm"'), {
      scheme: 'dpop', resourceMetadata: 'https://r.example/prm', error: 'use_dpop_nonce', dpopAlgs: ['ES256', 'PS256'],
    });
    const both = readAuthChallenge('DPoP algs="ES256", Bearer error="insufficient_scope", scope="b"');
    assert.equal(both.scheme, 'bearer');
    assert.equal(both.scope, 'b');
    assert.deepEqual(both.dpopAlgs, ['ES256']);
    assert.deepEqual(readAuthChallenge('Basic realm="x"'), { scheme: undefined });
  });

  test('scope sets: union in first-seen order; widening', () => {
    assert.deepEqual(scopeSet('a b', undefined, ' b  c ', ''), ['a', 'b', 'c']);
    assert.equal(widens(['a', 'c'], ['a', 'b']), true);
    assert.equal(widens(['a'], ['a', 'b']), false);
    assert.equal(widens([], []), false);
  });
});
