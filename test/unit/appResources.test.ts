// MCP Apps over real servers: the extension advertises the ui extension (the CLI's default does
// not), and AppResources reads a ui:// resource once per running server, forgetting it when told.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { AppResources } from '../../src/host/apps/resources.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { uiClientCapability } from '../../src/protocol/apps.ts';
import { fixture, repo, stdioDef, waitForState } from './helpers.ts';

const MONITOR = path.join(repo, 'node_modules/@modelcontextprotocol/server-system-monitor/dist/index.js');

async function withServer<T>(opts: ConstructorParameters<typeof ServerManager>[0], name: string, args: string[], fn: (s: ReturnType<ServerManager['get']> & object) => Promise<T>): Promise<T> {
  const manager = new ServerManager(opts);
  manager.setDefinitions([stdioDef(name, process.execPath, args)], { autoStart: true });
  const s = manager.get(name)!;
  try {
    await waitForState(s, 'running');
    return await fn(s);
  } finally {
    await manager.dispose();
  }
}

const declared = async (s: { callTool: ServerManager['servers'][number]['callTool'] }) => {
  const r = await s.callTool('client-capabilities', {});
  return JSON.parse((r.content[0] as { text: string }).text) as { extensions?: Record<string, unknown> };
};

test('with the capabilities option the initialize request carries the MCP Apps extension; without it, none', async () => {
  const caps = await withServer({ capabilities: { extensions: uiClientCapability() } }, 'bad', [fixture('bad-app.mjs')], declared);
  assert.deepEqual(caps.extensions, { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } });
  const plain = await withServer({}, 'bad', [fixture('bad-app.mjs')], declared);
  assert.equal(plain.extensions, undefined);
});

test("the fixture app's resource: the CSP comes from its content item; one read serves every load until forgotten", async () => {
  await withServer({}, 'bad', [fixture('bad-app.mjs')], async s => {
    let reads = 0;
    const counting = Object.create(s, { readResource: { value: (uri: string) => { reads++; return s.readResource(uri); } } });
    const resources = new AppResources();
    try {
      const [a, b] = await Promise.all([resources.load(counting, 'ui://bad-app/app.html'), resources.load(counting, 'ui://bad-app/app.html')]);
      assert.equal(a, b);
      assert.equal(reads, 1, 'concurrent loads share one read');
      assert.equal(a.isAppMimeType, true);
      assert.deepEqual(a.meta.csp.connectDomains, ['https://declared.example']);
      assert.match(a.html ?? '', /Bad App/);
      await resources.load(counting, 'ui://bad-app/app.html');
      assert.equal(reads, 1, 'cached');
      resources.forget(counting, 'ui://bad-app/app.html');
      await resources.load(counting, 'ui://bad-app/app.html');
      assert.equal(reads, 2, 'read again after forget');
      await assert.rejects(resources.load(counting, 'ui://bad-app/missing.html'));
      assert.equal(resources.has(counting, 'ui://bad-app/missing.html'), false, 'a failed read is not kept');
      await s.restart();
      await waitForState(s, 'running');
      assert.equal(resources.has(counting, 'ui://bad-app/app.html'), false, 'a restart forgets what the old process served');
    } finally {
      resources.dispose();
    }
  });
});

test('server-system-monitor (npm): its app is ~430 KB of HTML with no _meta, so the default policy applies', async () => {
  await withServer({ capabilities: { extensions: uiClientCapability() } }, 'monitor', [MONITOR, '--stdio'], async s => {
    const resources = new AppResources();
    try {
      const app = await resources.load(s, 'ui://system-monitor/mcp-app.html');
      assert.equal(app.isAppMimeType, true);
      assert.ok((app.html?.length ?? 0) > 100_000, `HTML of ${app.html?.length} characters`);
      assert.deepEqual(app.meta, { csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }, permissions: [] });
      assert.deepEqual(app.warnings, []);
    } finally {
      resources.dispose();
    }
  });
});
