// No secret in any log, trace, error or tooltip (issue 8, item 5): the patterns, and a
// run of real servers with unique secrets planted everywhere a definition and a call can
// carry one, traced at the most verbose level, grepped for every secret.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMcpConfig, resolveServers } from '../../src/host/config.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { MASK, Redactor, redactPatterns, redactUrl, secretArgumentValues } from '../../src/host/redaction.ts';
import type { LogEntry, ManagedServer } from '../../src/host/types.ts';
import { fixture, startEverythingHttp, waitForState } from './helpers.ts';

test('credential-looking text is masked by pattern, and the rest is left alone', () => {
  const cases: Array<[string, string]> = [
    ['Authorization: Bearer abcdefghijkl', `Authorization: Bearer ${MASK}`],
    ['proxy-authorization: Basic dXNlcjpwYXNz', `proxy-authorization: Basic ${MASK}`],
    ['Authorization: DPoP eyJhbGciOiJFUzI1NiJ9.abc', `Authorization: DPoP ${MASK}`],
    ['DPoP: eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJodG0iOiJQT1NUIn0.sig', `DPoP: ${MASK}`],
    ['{"authorization":"Bearer abc.def","x":1}', `{"authorization":"Bearer ${MASK}","x":1}`],
    ['Cookie: sid=abc; theme=dark', `Cookie: ${MASK}`],
    ['X-Api-Key: k3y', `X-Api-Key: ${MASK}`],
    ['{"apiKey":"sek","progressToken":5,"client_secret":"cs"}', `{"apiKey":"${MASK}","progressToken":5,"client_secret":"${MASK}"}`],
    ['GET /x?access_token=abc&page=2', `GET /x?access_token=${MASK}&page=2`],
    ['see http://user:pw@host/x', `see http://${MASK}@host/x`],
    ['node srv.js --token=abc -password xyz --api-key=k x-token=t', `node srv.js --token=${MASK} -password xyz --api-key=${MASK} x-token=t`],
    ['progressToken: 5, tokens used: 12', 'progressToken: 5, tokens used: 12'],
    ['"properties":{"password":{"type":"string","format":"password"}}', '"properties":{"password":{"type":"string","format":"password"}}'],
  ];
  for (const [input, expected] of cases) assert.equal(redactPatterns(input), expected, input);
  assert.equal(redactUrl('https://u:p@example.com:8443/mcp?token=t&team=x#frag'), `https://${MASK}@example.com:8443/mcp?token=${MASK}&team=${MASK}#…`);
});

test('known secrets are masked whatever their length; short ones only as whole words', () => {
  const r = new Redactor();
  r.addSecret('hunter22');
  r.addSecret('q7');
  assert.equal(r.redact('pw hunter22, again "hunter22"; q7 but not aq7b'), `pw ${MASK}, again "${MASK}"; ${MASK} but not aq7b`);
  // JSON-escaped and URL-encoded forms of a secret are masked too.
  r.addSecret('a"b\\c d');
  assert.equal(r.redact(JSON.stringify({ v: 'a"b\\c d' })), `{"v":"${MASK}"}`);
  assert.equal(r.redact(`x=${encodeURIComponent('a"b\\c d')}`), `x=${MASK}`);
});

test('secret arguments are found through nested objects, arrays and variants', () => {
  const schema = {
    type: 'object',
    properties: {
      user: { type: 'string' },
      password: { type: 'string', format: 'password' },
      nested: { type: 'object', properties: { token: { type: 'string', writeOnly: true } } },
      many: { type: 'array', items: { anyOf: [{ type: 'string', format: 'password' }] } },
    },
  };
  const values = secretArgumentValues(schema, { user: 'ann', password: 'p1', nested: { token: 't1' }, many: ['m1', 'm2'] });
  assert.deepEqual(values.sort(), ['m1', 'm2', 'p1', 't1']);
});

/** Every line a server logged, its state, and its error texts, as one string. */
function recorder(server: ManagedServer): { text(): string; lines: string[] } {
  const lines: string[] = [];
  server.onDidLog((l: LogEntry) => lines.push(`${l.level} ${l.source} ${l.message}`));
  server.onDidChangeState(s => lines.push(`state ${JSON.stringify(s)}`));
  return { lines, text: () => lines.join('\n') };
}

test('planted secrets never reach a log, a trace or an error state (stdio and HTTP, tracing on)', async () => {
  const tag = `${process.pid}${Date.now()}`;
  const S = {
    inputLong: `INPUT-${tag}-long`,
    inputShort: 'Zq7',
    env: `ENVTOKEN${tag}`,
    envVar: `ENVVAR${tag}`,
    argPassword: `ARGPW${tag}`,
    argKey: `ARGKEY${tag}`,
    bearer: `BEARER${tag}`,
    cookie: `COOKIE${tag}`,
    apiKey: `APIKEY${tag}`,
    urlPass: `URLPASS${tag}`,
    query: `QUERY${tag}`,
  };
  const http = await startEverythingHttp('streamableHttp');
  const redactor = new Redactor();
  const config = {
    inputs: [{ id: 'pw', type: 'promptString', password: true }, { id: 'short', type: 'promptString', password: true }],
    servers: {
      secrets: {
        command: process.execPath,
        args: [fixture('secrets.mjs'), '--password', '${input:pw}', '--pin', '${input:short}', '${env:MCPH_TEST_API_TOKEN}'],
        env: { API_TOKEN: S.env },
      },
      remote: {
        type: 'http',
        url: `${http.base.replace('http://', `http://user:${S.urlPass}@`)}/mcp?token=${S.query}`,
        headers: { Authorization: `Bearer ${S.bearer}`, Cookie: `sid=${S.cookie}`, 'X-Api-Key': S.apiKey },
      },
      unreachable: { type: 'http', url: `http://user:${S.urlPass}@127.0.0.1:9/mcp?token=${S.query}`, headers: { Authorization: `Bearer ${S.bearer}` } },
    },
  };
  const resolved = await resolveServers(parseMcpConfig(JSON.stringify(config)), 'user', { file: 'settings' }, {
    env: { MCPH_TEST_API_TOKEN: S.envVar },
    resolveInput: async id => id === 'pw' ? S.inputLong : S.inputShort,
    onSecret: v => redactor.addSecret(v),
  });
  const m = new ServerManager({ redactor, restart: { maxTries: 0, initialDelayMs: 10, maxDelayMs: 10 } });
  try {
    m.setDefinitions(resolved.definitions, { autoStart: false });
    const logs = m.servers.map(s => { s.traceTraffic = true; return recorder(s); });
    await Promise.all(m.servers.map(s => s.start()));
    const secrets = m.get('secrets')!;
    const remote = m.get('remote')!;
    await waitForState(secrets, 'running');
    await waitForState(remote, 'running');
    assert.equal(m.get('unreachable')!.state.kind, 'error');

    const login = await secrets.callTool('login', { user: 'ann', password: S.argPassword, key: S.argKey });
    // The result itself is the caller's; what is logged about it is not.
    assert.match(JSON.stringify(login), new RegExp(S.argPassword));
    await remote.callTool('echo', { message: 'hello' });
    await remote.readResource('demo://resource/static/document/features.md');

    const all = logs.map(l => l.text()).join('\n') + JSON.stringify(m.servers.map(s => s.state));
    // The run logged what it should (so a silent log cannot pass), with masks where secrets were.
    assert.match(all, /→ .*"method":"tools\/call"/, 'the traffic was traced');
    assert.match(all, /secrets: started with argv/, 'the server\'s stderr was logged');
    assert.match(all, /login user ann password ••••••/, 'the server\'s log message was logged, masked');
    for (const [where, secret] of Object.entries(S)) {
      if (where === 'inputShort') {
        assert.ok(!new RegExp(`(?<![A-Za-z0-9])${secret}(?![A-Za-z0-9])`).test(all), `the short password input ${secret} was logged`);
      } else {
        assert.ok(!all.includes(secret), `the secret planted in ${where} was logged:\n${all.split('\n').filter(l => l.includes(secret)).join('\n')}`);
      }
    }
  } finally {
    await m.dispose();
    await http.stop();
  }
});
