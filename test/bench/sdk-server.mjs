// A server built on the official SDK 1.x, over stdio or Streamable HTTP (JSON answers).
//   node sdk-server.mjs stdio
//   node sdk-server.mjs http PORT
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer } from 'node:http';
import { z } from 'zod';

function build() {
  const server = new McpServer({ name: 'sdk-bench', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo', inputSchema: { message: z.string() } }, async ({ message }) => ({ content: [{ type: 'text', text: message }] }));
  server.registerTool('big', { description: 'Big', inputSchema: { mb: z.number(), kind: z.string().optional() } }, async ({ mb, kind }) => {
    const bytes = Math.round(mb * 1024 * 1024);
    if (kind === 'blob') return { content: [{ type: 'resource', resource: { uri: 'big://blob', mimeType: 'application/octet-stream', blob: Buffer.alloc(Math.floor(bytes / 4) * 3, 7).toString('base64') } }] };
    return { content: [{ type: 'text', text: 'x'.repeat(bytes) }] };
  });
  return server;
}

const mode = process.argv[2];
if (mode === 'stdio') {
  await build().connect(new StdioServerTransport());
} else {
  const port = Number(process.argv[3]);
  // Stateless: a fresh server and transport per request, the SDK's documented pattern.
  const http = createServer(async (req, res) => {
    if (req.method !== 'POST') { res.writeHead(405).end(); return; }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = JSON.parse(Buffer.concat(chunks).toString());
    const server = build();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => { void transport.close(); void server.close(); });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  http.keepAliveTimeout = 60_000;
  http.listen(port, '127.0.0.1', () => process.stderr.write(`listening ${port}\n`));
}
