// server-filesystem started with no directory arguments takes its allowed directories
// from our roots: the real test of roots, including a change of workspace folders.

import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { Emitter, Event } from '../../src/base/event.ts';
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
    await waitForState(server, 'running');
    // The server asks roots/list right after initialized and logs what it accepted.
    const allowed = async (expected: string) => {
      for (let i = 0; i < 50; i++) {
        const r = await server.callTool('list_allowed_directories', {});
        const text = (r.content[0] as { text: string }).text;
        const got = text.split('\n').slice(1).filter(Boolean);
        if (got.length === 1 && got[0] === expected) return got;
        await Event.toPromise(server.onDidLog, () => true, AbortSignal.timeout(100)).catch(() => {});
      }
      throw new Error(`allowed directories never became [${expected}]`);
    };
    assert.deepEqual(await allowed(a), [a]);
    roots = [{ uri: pathToFileURL(b).href, name: 'b' }];
    changed.fire();
    assert.deepEqual(await allowed(b), [b]);
  } finally {
    await manager.dispose();
  }
  assert.deepEqual(descendants(), []);
});
