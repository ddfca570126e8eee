// server-everything over Streamable HTTP and legacy SSE, through the same manager as
// stdio: lists, calls, progress, cancellation, sampling, elicitation, roots.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Emitter, Event } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { ManagedServer, ServerDefinition } from '../../src/host/types.ts';
import type { RequestError } from '../../src/protocol/errors.ts';
import { startEverythingHttp, waitForState } from './helpers.ts';

for (const mode of ['streamableHttp', 'sse'] as const) {
  describe(`server-everything over ${mode}`, () => {
    let srv: Awaited<ReturnType<typeof startEverythingHttp>>;
    let manager: ServerManager;
    let server: ManagedServer;
    const sampled: string[] = [];
    const rootsChanged = new Emitter<void>();

    before(async () => {
      srv = await startEverythingHttp(mode);
      manager = new ServerManager({
        roots: { roots: () => [{ uri: 'file:///tmp/http-root', name: 'http-root' }], onDidChangeRoots: rootsChanged.event },
        sampling: { async createMessage(_r, p) { sampled.push(p.systemPrompt ?? ''); return { role: 'assistant', content: { type: 'text', text: 'http model' }, model: 'm' }; } },
        elicitation: { async elicit() { return { action: 'accept', content: { name: 'Http' } }; } },
      });
      const def: ServerDefinition = {
        id: `user::${mode}`, name: mode, scope: 'user', source: { file: 'test' }, fingerprint: mode,
        launch: mode === 'sse' ? { type: 'sse', url: `${srv.base}/sse`, headers: {} } : { type: 'http', url: `${srv.base}/mcp`, headers: { 'x-test': '1' } },
      };
      manager.setDefinitions([def], { autoStart: true });
      server = manager.get(mode)!;
      await waitForState(server, 'running');
      if (!server.tools.some(t => t.name === 'trigger-sampling-request')) {
        await Event.toPromise(server.onDidChangeLists, () => server.tools.some(t => t.name === 'trigger-sampling-request'), AbortSignal.timeout(10_000));
      }
    });
    after(async () => { await manager?.dispose(); await srv?.stop(); });

    test('lists and calls', async () => {
      assert.ok(server.tools.length >= 15);
      assert.equal(server.resources.length, 7);
      assert.deepEqual((await server.callTool('echo', { message: 'over http' })).content, [{ type: 'text', text: 'Echo: over http' }]);
      const r = await server.readResource('demo://resource/dynamic/text/3');
      assert.match((r.contents[0] as { text: string }).text, /3/);
      const p = await server.getPrompt('args-prompt', { city: 'Oslo' });
      assert.match(JSON.stringify(p), /Oslo/);
    });

    test('progress, cancellation, and server-to-client requests on the response stream', async () => {
      const progress: number[] = [];
      await server.callTool('trigger-long-running-operation', { duration: 1, steps: 3 }, { onProgress: p => progress.push(p.progress) });
      assert.deepEqual(progress, [1, 2, 3]);
      const ctrl = new AbortController();
      await assert.rejects(server.callTool('trigger-long-running-operation', { duration: 20, steps: 20 }, { signal: ctrl.signal, onProgress: () => ctrl.abort() }), (e: RequestError) => e.isCancellation);
      assert.match(JSON.stringify(await server.callTool('trigger-sampling-request', { prompt: 'hi' })), /http model/);
      assert.match(JSON.stringify(await server.callTool('trigger-elicitation-request', {})), /Http/);
      assert.match(JSON.stringify(await server.callTool('get-roots-list', {})), /http-root/);
    });
  });
}
