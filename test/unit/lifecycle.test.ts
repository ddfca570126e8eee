// The server lifecycle under stops, crashes and consent: each test is a bug that was
// found in review and reproduced before it was fixed.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Event } from '../../src/base/event.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { LogEntry, ManagedServer, ServerState } from '../../src/host/types.ts';
import { descendants, fixture, stdioDef, waitForState } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mcph-life-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function scripted(script: string) {
  const counter = path.join(dir, `c${++n}`);
  return { counter, def: stdioDef(`s${n}`, process.execPath, [fixture('scripted.mjs')], { env: { SCRIPT: script, COUNTER: counter } }) };
}
const launches = (counter: string) => Number(readFileSync(counter, 'utf8'));
function logsOf(s: ManagedServer): string[] {
  const out: string[] = [];
  s.onDidLog((l: LogEntry) => out.push(l.message));
  return out;
}

test('stop is graceful: the server sees stdin close and exits by itself (no SIGTERM, no kill)', async () => {
  const { def } = scripted('run');
  const m = new ServerManager({});
  m.setDefinitions([def], { autoStart: true });
  const s = m.get(def.id)!;
  const logs = logsOf(s);
  await waitForState(s, 'running');
  await s.stop();
  assert.ok(logs.includes('scripted: stdin closed'), logs.join('\n'));
  assert.ok(!logs.some(l => /SIGTERM|killing/.test(l)));
  await m.dispose();
  assert.deepEqual(descendants(), []);
});

test('a server that crashes before it is running gives up after its tries', async () => {
  const { def, counter } = scripted('run,fail-list');
  const m = new ServerManager({ restart: { maxTries: 3, initialDelayMs: 10, maxDelayMs: 20 } });
  m.setDefinitions([def], { autoStart: true });
  const s = m.get(def.id)!;
  await waitForState(s, 'running');
  await s.callTool('crash', {}).catch(() => {});
  const final = await Event.toPromise(s.onDidChangeState, (st: ServerState) => st.kind === 'error' && /gave up after 3 restarts/.test(st.message), AbortSignal.timeout(10_000));
  assert.ok(final.kind === 'error');
  assert.equal(launches(counter), 4, 'the first launch and three tries');
  await m.dispose();
});

test('a restart that fails keeps backing off until one succeeds', async () => {
  const { def, counter } = scripted('run,fail-init,fail-init,run');
  const m = new ServerManager({ restart: { maxTries: 5, initialDelayMs: 10, maxDelayMs: 40 } });
  m.setDefinitions([def], { autoStart: true });
  const s = m.get(def.id)!;
  await waitForState(s, 'running');
  await s.callTool('crash', {}).catch(() => {});
  await waitForState(s, 'error');
  await waitForState(s, 'running', 10_000);
  assert.equal(launches(counter), 4);
  assert.deepEqual((await s.callTool('echo', {})).content, [{ type: 'text', text: 'launch 4' }]);
  await m.dispose();
});

test('stop while the consent question is open: nothing starts when the user then allows', async () => {
  const { def, counter } = scripted('run');
  let asked!: () => void;
  const question = new Promise<void>(res => { asked = res; });
  let allow!: () => void;
  const answered = new Promise<true>(r => { allow = () => r(true); });
  const m = new ServerManager({ gate: () => { asked(); return answered; } });
  try {
    m.setDefinitions([def], { autoStart: false });
    const s = m.get(def.id)!;
    const kind = () => s.state.kind;
    const states: string[] = [];
    s.onDidChangeState(st => states.push(st.kind));
    const started = s.start();
    await question;
    assert.equal(kind(), 'starting');
    await s.stop();
    assert.equal(kind(), 'stopped');
    allow();
    // Both settled: the gate's answer, and start(), which settles once the launch has acted
    // on that answer (a launch that went on would settle only after spawning the process and
    // its handshake, or their failure — the next test shows it).
    await answered;
    await started;
    assert.equal(kind(), 'stopped');
    assert.deepEqual(states, ['starting', 'stopped'], 'no state change after the stop');
    assert.throws(() => readFileSync(counter), { code: 'ENOENT' }, 'the server was never launched (its counter file was never written)');
    assert.deepEqual(descendants(), []);
  } finally {
    await m.dispose();
  }
});

test('the check above can fail: when the user allows without a stop, start() settles with the server launched', async () => {
  const { def, counter } = scripted('run');
  let asked!: () => void;
  const question = new Promise<void>(res => { asked = res; });
  let allow!: () => void;
  const m = new ServerManager({ gate: () => { asked(); return new Promise<true>(r => { allow = () => r(true); }); } });
  try {
    m.setDefinitions([def], { autoStart: false });
    const s = m.get(def.id)!;
    const started = s.start();
    await question;
    allow();
    await started;
    assert.equal(s.state.kind, 'running');
    assert.equal(launches(counter), 1, 'the counter file records the launch');
  } finally {
    await m.dispose();
  }
});
