// The floor server: newline-delimited JSON-RPC with no validation — the physical limit
// of pipe + JSON. Answers just enough MCP for every client to talk to it, in both
// revisions: a request whose `_meta` names 2026-07-28 gets a 2026-07-28 result
// (`resultType` and the serverInfo `_meta`), and `server/discover` is answered.
//   node floor-server.mjs [--tools N] [--http]
// Tools: echo {message} → text; big {mb, kind: "text"|"blob"} → a text of mb MiB or an
// embedded base64 resource of mb MiB of bytes.
const toolCount = Number(process.argv[process.argv.indexOf('--tools') + 1]) || 1;
const tools = [{ name: 'echo', description: 'Echo', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } },
  { name: 'big', description: 'Big result', inputSchema: { type: 'object', properties: { mb: { type: 'number' }, kind: { type: 'string' } } } }];
for (let i = tools.length; i < toolCount; i++) {
  tools.push({ name: `tool_${i}`, title: `Tool ${i}`, description: `Does thing number ${i} with its inputs and returns a short text.`,
    inputSchema: { type: 'object', properties: { path: { type: 'string', description: 'A path' }, count: { type: 'integer', minimum: 0 }, mode: { type: 'string', enum: ['a', 'b', 'c'] } }, required: ['path'] } });
}
// --http: the same answers over HTTP (JSON bodies; a session id on a 2025-11-25
// initialize), on 127.0.0.1, printing `listening on URL` to stderr.
if (process.argv.includes('--http')) {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') { res.writeHead(405).end(); return; }
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const m = JSON.parse(Buffer.concat(chunks).toString());
      if (m.id === undefined) { res.writeHead(202).end(); return; }
      let body = '';
      out = { write: s => { body += s; } };
      handle(m);
      res.writeHead(200, { 'content-type': 'application/json', ...(m.method === 'initialize' ? { 'mcp-session-id': 'floor-session' } : {}) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stderr.write(`listening on http://127.0.0.1:${server.address().port}/mcp\n`));
}
let out = process.stdout;
let pending = [];
let size = 0;
if (!process.argv.includes('--http')) process.stdin.on('data', chunk => {
  let start = 0;
  for (;;) {
    const nl = chunk.indexOf(10, start);
    if (nl === -1) { if (start < chunk.length) { pending.push(chunk.subarray(start)); size += chunk.length - start; } break; }
    let line = chunk.subarray(start, nl);
    if (pending.length) { pending.push(line); line = Buffer.concat(pending, size + line.length); pending = []; size = 0; }
    start = nl + 1;
    if (line.length) handle(JSON.parse(line.toString()));
  }
});
if (!process.argv.includes('--http')) process.stdin.on('end', () => process.exit(0));
const MODERN = '2026-07-28';
const DELAY = BigInt(process.argv.includes('--delay-us') ? Number(process.argv[process.argv.indexOf('--delay-us') + 1]) * 1000 : 0);
const SERVER_META = { 'io.modelcontextprotocol/serverInfo': { name: 'floor', version: '1' } };
let modern = false;
function reply(id, result) {
  if (modern) result = { ...result, resultType: 'complete', _meta: SERVER_META };
  out.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${JSON.stringify(result)}}\n`);
}
function handle(m) {
  if (m.id === undefined) return;
  if (DELAY) { const end = process.hrtime.bigint() + DELAY; while (process.hrtime.bigint() < end); }
  modern = m.params?._meta?.['io.modelcontextprotocol/protocolVersion'] === MODERN;
  switch (m.method) {
    case 'server/discover': return reply(m.id, { supportedVersions: [MODERN], capabilities: { tools: {} } });
    case 'initialize': return reply(m.id, { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'floor', version: '1' } });
    case 'tools/list': return reply(m.id, { tools });
    case 'tools/call': {
      const a = m.params.arguments ?? {};
      if (m.params.name === 'big') return big(m.id, a.mb ?? 1, a.kind ?? 'text');
      return reply(m.id, { content: [{ type: 'text', text: a.message }] });
    }
    case 'ping': return reply(m.id, {});
    default: out.write(`{"jsonrpc":"2.0","id":${JSON.stringify(m.id)},"error":{"code":-32601,"message":"nope"}}\n`);
  }
}
function big(id, mb, kind) {
  const bytes = Math.round(mb * 1024 * 1024);
  if (kind === 'blob') {
    const raw = Buffer.alloc(Math.floor(bytes / 4) * 3, 7);
    const blob = raw.toString('base64');
    out.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[{"type":"resource","resource":{"uri":"big://blob","mimeType":"application/octet-stream","blob":"${blob}"}}]}}\n`);
  } else {
    out.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[{"type":"text","text":"${'x'.repeat(bytes)}"}]}}\n`);
  }
}
