// server-filesystem started with no directory arguments takes its allowed directories
// from our roots: the real test of roots, including a change of workspace folders.

import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { Emitter } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import { FILESYSTEM, descendants, stdioDef, waitForState } from './helpers.ts';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test('list_allowed_directories returns exactly the roots we gave, and follows their changes', async () => {
  const a = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcph-root-a-')));
  const b = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcph-root-b-')));
  dirs.push(a, b);
  let roots = [{ uri: pathToFileURL(a).href, name: 'a' }];
  const changed = new Emitter<void>();
  const manager = new ServerManager({ roots: { roots: () => roots, onDidChangeRoots: changed.event } });
  try {
    manager.setDefinitions([stdioDef('filesystem', process.execPath, [FILESYSTEM])], { autoStart: true });
    const server = manager.get('filesystem')!;
    // The server takes its roots after initialized (and again on roots/list_changed), then
    // writes this line to stderr: the event to wait on. Subscribed in the tick that started it.
    const updates: string[] = [];
    const waiters: Array<{ n: number; resolve(): void }> = [];
    server.onDidLog(l => {
      if (!/Updated allowed directories from MCP roots|No valid root directories/.test(l.message)) return;
      updates.push(l.message);
      for (const w of waiters.filter(x => updates.length >= x.n)) w.resolve();
    });
    const update = (n: number) => new Promise<void>((resolve, reject) => {
      if (updates.length >= n) return resolve();
      const timer = setTimeout(() => reject(new Error(`server-filesystem did not take roots update ${n} in 30 s (log: ${updates.join(' | ')})`)), 30_000);
      waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
    });
    const allowed = async () => {
      const r = await server.callTool('list_allowed_directories', {});
      return (r.content[0] as { text: string }).text.split('\n').slice(1).filter(Boolean);
    };
    await waitForState(server, 'running');
    await update(1);
    assert.match(updates[0]!, /1 valid director/);
    assert.deepEqual(await allowed(), [a]);
    roots = [{ uri: pathToFileURL(b).href, name: 'b' }];
    changed.fire();
    await update(2);
    assert.match(updates[1]!, /1 valid director/);
    assert.deepEqual(await allowed(), [b]);
    assert.equal(updates.length, 2, `one update per roots change: ${updates.join(' | ')}`);
  } finally {
    await manager.dispose();
  }
  assert.deepEqual(descendants(), []);
});
