// Credentials in a server URL (http://user:pass@host/mcp) are sent as Basic auth, and the
// URL handed to node:http carries none: VS Code's extension host patches http.request and
// logs every URL its proxy resolver sees (found by the e2e secrets check, issue 8 item 5).

import assert from 'node:assert/strict';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import { StreamableHttpTransport } from '../../src/transports/http.ts';
import { McpClient } from '../../src/protocol/client.ts';

test('user info in the URL becomes an Authorization header and never reaches http.request', async () => {
  const seenAuth: string[] = [];
  const server = http.createServer((req, res) => {
    seenAuth.push(String(req.headers.authorization));
    let body = '';
    req.on('data', c => { body += c; });
    req.on('end', () => {
      if (req.method !== 'POST') { res.writeHead(405).end(); return; }
      const msg = JSON.parse(body);
      if (msg.id === undefined) { res.writeHead(202).end(); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 's', version: '1' } } }));
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  // What VS Code does: wrap http.request and look at the URL.
  const original = http.request;
  const urls: string[] = [];
  (http as { request: unknown }).request = (...args: unknown[]) => {
    const first = args[0];
    // VS Code rebuilds the URL from the URL and the options (their `auth` included).
    urls.push(`${first instanceof URL ? first.href : typeof first === 'string' ? first : ''} ${JSON.stringify({ ...(args[1] as object), agent: undefined, signal: undefined })}`);
    return (original as (...a: unknown[]) => http.ClientRequest)(...args);
  };
  syncBuiltinESMExports();
  try {
    const t = new StreamableHttpTransport({ url: `http://ann:s%40cret@127.0.0.1:${port}/mcp`, mode: 'streamable' });
    const client = await McpClient.create(t, { name: 'u', clientInfo: { name: 't', version: '1' }, capabilities: {} });
    await client.close();
  } finally {
    (http as { request: unknown }).request = original;
    syncBuiltinESMExports();
    await new Promise(r => server.close(r));
  }
  assert.ok(urls.length > 0, 'the wrapper saw the requests');
  for (const u of urls) assert.ok(!u.includes('ann') && !u.includes('cret'), `http.request was given ${u}`);
  assert.equal(seenAuth[0], `Basic ${Buffer.from('ann:s@cret').toString('base64')}`);
});
