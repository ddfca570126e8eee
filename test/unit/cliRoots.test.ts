// Issue 8 item 13: roots from the CLI. --root DIR (repeatable), --no-roots, the current
// directory by default; and a one-shot call does not race a server that asks for roots
// right after `initialized` and applies them asynchronously (server-filesystem).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cli, node, run, show, writeRawServer } from './cliHarness.ts';
import { FILESYSTEM, descendants, fixture } from './helpers.ts';

const filesystem = `${JSON.stringify(node)} ${JSON.stringify(FILESYSTEM)}`;
const basic = `${JSON.stringify(node)} ${JSON.stringify(fixture('basic.mjs'))}`;
const allowed = (stdout: string) => stdout.split('\n').slice(1).filter(Boolean);

describe('mcp-host roots', () => {
  let tmp: string;
  let a: string;
  let b: string;
  before(() => {
    tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcp-host-roots-')));
    a = path.join(tmp, 'first root');
    b = path.join(tmp, 'second');
    mkdirSync(a);
    mkdirSync(b);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('server-filesystem with no arguments: list_allowed_directories is exactly the roots, 20 runs of 20', async () => {
    // Four at a time: the machine is busy, as it is when the race shows.
    const results: string[][] = [];
    for (let batch = 0; batch < 5; batch++) {
      const runs = await Promise.all(Array.from({ length: 4 }, () =>
        run(['call', 'list_allowed_directories', '--root', a, '--root', b, '--stdio', filesystem])));
      for (const r of runs) {
        assert.equal(r.code, 0, show(r));
        results.push(allowed(r.stdout));
      }
    }
    assert.equal(results.length, 20);
    for (const got of results) assert.deepEqual(got, [a, b]);
    assert.deepEqual(descendants(), []);
  });

  test('the default root is the current directory (through the real executable); relative --root is taken from it', async () => {
    const r = await cli(['call', 'list_allowed_directories', '--verbose', '--stdio', filesystem], { cwd: a });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(allowed(r.stdout), [a]);
    // The wait is visible in --verbose: what showed the roots were applied.
    assert.match(r.stderr, /roots: asked for at start; applied after \d+ ms \(stderr: Updated allowed directories from MCP roots: 1 valid directories\)/);
    const rel = await run(['call', 'roots', '--root', 'second', '--root', '.', '--stdio', basic], { cwd: tmp });
    assert.equal(rel.code, 0, show(rel));
    assert.deepEqual(JSON.parse(rel.stdout), [{ uri: pathToFileURL(b).href, name: 'second' }, { uri: pathToFileURL(tmp).href, name: path.basename(tmp) }]);
  });

  test('--no-roots declares no roots capability; --root must name a directory', async () => {
    // The server's roots/list finds no handler: the tool reports that as its error.
    const r = await run(['call', 'roots', '--no-roots', '--stdio', basic]);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /Method not found: roots\/list/);
    const missing = await run(['call', 'roots', '--root', path.join(tmp, 'nope'), '--stdio', basic]);
    assert.equal(missing.code, 2, show(missing));
    assert.match(missing.stderr, /--root .*nope: .*nope is not an existing directory/);
    const both = await run(['tools', '--root', a, '--no-roots', '--stdio', basic]);
    assert.equal(both.code, 2, show(both));
    assert.match(both.stderr, /choose --root DIR or --no-roots, not both/);
    const help = await run(['call', '--help']);
    assert.match(help.stdout, /--root DIR +a root the server may use \(repeatable; default: the current\n +directory\)/);
    assert.match(help.stdout, /--no-roots/);
  });

  test('a server that does not ask for roots at start is not waited for; one that asks and stays silent is, boundedly', async () => {
    const quiet = await run(['call', 'echo', '--args', '{"message":"x"}', '--verbose', '--stdio', basic]);
    assert.equal(quiet.code, 0, show(quiet));
    assert.doesNotMatch(quiet.stderr, /roots: asked for at start/);
    // Asks for roots in answer to initialized, applies them without a word.
    const silent = writeRawServer(path.join(tmp, 'silent.cjs'), `
      let roots = [];
      on('notifications/initialized', () => send({ jsonrpc: '2.0', id: 'r1', method: 'roots/list' }));
      on('response', m => { if (m.id === 'r1') setTimeout(() => { roots = m.result.roots; }, 5); });
      on('tools/call', m => send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: JSON.stringify(roots.map(r => r.name)) }] } }));`);
    const r = await run(['call', 'echo', '--root', a, '--verbose', '--stdio', `${JSON.stringify(node)} ${JSON.stringify(silent)}`]);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, '["first root"]\n');
    assert.match(r.stderr, /roots: asked for at start; applied after \d+ ms \(nothing within 1000 ms\)/);
  });
});
