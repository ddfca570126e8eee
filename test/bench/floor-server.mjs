// The floor server: newline-delimited JSON-RPC with no validation — the physical limit
// of pipe + JSON. Answers just enough MCP for every client to talk to it.
//   node floor-server.mjs [--tools N]
// Tools: echo {message} → text; big {mb, kind: "text"|"blob"} → a text of mb MiB or an
// embedded base64 resource of mb MiB of bytes.
const toolCount = Number(process.argv[process.argv.indexOf('--tools') + 1]) || 1;
const tools = [{ name: 'echo', description: 'Echo', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } },
  { name: 'big', description: 'Big result', inputSchema: { type: 'object', properties: { mb: { type: 'number' }, kind: { type: 'string' } } } }];
for (let i = tools.length; i < toolCount; i++) {
  tools.push({ name: `tool_${i}`, title: `Tool ${i}`, description: `Does thing number ${i} with its inputs and returns a short text.`,
    inputSchema: { type: 'object', properties: { path: { type: 'string', description: 'A path' }, count: { type: 'integer', minimum: 0 }, mode: { type: 'string', enum: ['a', 'b', 'c'] } }, required: ['path'] } });
}
const out = process.stdout;
let pending = [];
let size = 0;
process.stdin.on('data', chunk => {
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
process.stdin.on('end', () => process.exit(0));
function reply(id, result) { out.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${JSON.stringify(result)}}\n`); }
function handle(m) {
  if (m.id === undefined) return;
  switch (m.method) {
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
