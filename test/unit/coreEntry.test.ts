// The library entry: dist/core.js (CommonJS, what the CLI, the gateway and the
// benchmarks use) exports the client, the transports and the manager, and its
// declarations type-check for a consumer.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { EVERYTHING, repo } from './helpers.ts';

test('dist/core.js works as a library and its declarations type-check', async () => {
  if (!existsSync(path.join(repo, 'dist/core.js')) || !existsSync(path.join(repo, 'dist/types/core.d.ts'))) {
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: repo, stdio: 'ignore' });
  }
  const core = createRequire(import.meta.url)(path.join(repo, 'dist/core.js'));
  for (const name of ['McpClient', 'StdioTransport', 'InMemoryTransport', 'ServerManager', 'JsonRpcConnection', 'parseMcpConfig', 'WireError', 'RequestError']) {
    assert.equal(typeof core[name], 'function', `exports ${name}`);
  }
  const client = await core.McpClient.create(
    new core.StdioTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], env: {}, shutdownGraceMs: 200 }),
    { name: 'everything', clientInfo: { name: 'lib-test', version: '1' }, capabilities: {} });
  try {
    assert.ok((await client.listTools()).some((t: { name: string }) => t.name === 'echo'));
  } finally {
    await client.close();
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcph-consumer-'));
  try {
    writeFileSync(path.join(dir, 'use.ts'), `import { McpClient, StdioTransport, type Tool } from ${JSON.stringify(path.join(repo, 'dist/types/core.js'))};
export async function names(): Promise<string[]> {
  const c = await McpClient.create(new StdioTransport({ command: 'x', args: [], env: {} }), { name: 'n', clientInfo: { name: 'a', version: '1' }, capabilities: {} });
  const tools: Tool[] = await c.listTools();
  return tools.map(t => t.name);
}
`);
    execFileSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(repo, 'node_modules/@types'), path.join(dir, 'use.ts')], { cwd: repo, stdio: 'pipe' });
  } catch (err) {
    assert.fail(`consumer type-check failed: ${(err as { stdout?: Buffer }).stdout?.toString() ?? err}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
