// The Servers view's Gateway node and its session items say what the gateway's state and
// GatewaySessionInfo hold (src/vscode/gateway/gatewayTree.ts; no `vscode` needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GatewaySessionInfo } from '../../src/gateway/gateway.ts';
import { duration, gatewayText, sessionLabel, sessionText, vscodeRunsItself } from '../../src/vscode/gateway/gatewayTree.ts';

const T0 = Date.UTC(2026, 0, 15, 9, 30);
const MIN = 60_000;

function info(over: Partial<GatewaySessionInfo> = {}): GatewaySessionInfo {
  return { label: 'session 3f2a1b9c…', startedAt: T0, lastActivity: T0, requests: 0, callsInFlight: 0, ...over };
}

test('durations are whole minutes, then hours, then days', () => {
  assert.equal(duration(0), '< 1 min');
  assert.equal(duration(59_999), '< 1 min');
  assert.equal(duration(-5_000), '< 1 min', 'a clock step back is not a negative time');
  assert.equal(duration(3 * MIN), '3 min');
  assert.equal(duration(60 * MIN), '1 h');
  assert.equal(duration(125 * MIN), '2 h 5 min');
  assert.equal(duration(24 * 60 * MIN), '1 day');
  assert.equal(duration(3 * 24 * 60 * MIN + 7 * MIN), '3 days');
});

test('a session is labelled by its client once it initialized, by its own label before', () => {
  assert.equal(sessionLabel(info()), 'session 3f2a1b9c…');
  assert.equal(sessionLabel(info({ client: { name: 'Visual Studio Code', version: '1.139.1' } })), 'Visual Studio Code 1.139.1');
  assert.equal(sessionLabel(info({ client: { name: 'script', version: '' } })), 'script', 'no trailing space without a version');
});

test('a session says its calls in flight, else how long it has been idle', () => {
  assert.equal(sessionText(info({ callsInFlight: 1 }), T0).description, '1 call in flight');
  assert.equal(sessionText(info({ callsInFlight: 3 }), T0).description, '3 calls in flight');
  assert.equal(sessionText(info({ lastActivity: T0 }), T0 + 3 * MIN + 10_000).description, 'idle 3 min');
  assert.equal(sessionText(info(), T0 + 20_000).description, 'idle < 1 min');
  assert.equal(sessionText(info({ callsInFlight: 2 }), T0).icon, 'sync~spin');
  assert.equal(sessionText(info(), T0).icon, 'plug');
});

test("a session's tooltip: protocol version, when it connected, requests served", () => {
  const s = info({ client: { name: 'claude-code', version: '2.1.0' }, protocolVersion: '2025-11-25', requests: 42, lastActivity: T0 + MIN });
  const lines = sessionText(s, T0 + 90 * MIN).tooltip.split('\n');
  assert.equal(lines[0], 'claude-code 2.1.0 (session 3f2a1b9c…)');
  assert.equal(lines[1], 'Protocol version: 2025-11-25');
  assert.match(lines[2]!, /^Connected at .+ \(1 h 30 min ago\)$/);
  assert.ok(lines[2]!.includes(new Date(T0).toLocaleTimeString()), lines[2]);
  assert.equal(lines[3], '42 requests served');
  const fresh = sessionText(info({ requests: 1, callsInFlight: 1 }), T0).tooltip.split('\n');
  assert.equal(fresh[0], 'session 3f2a1b9c…: not initialized yet');
  assert.equal(fresh[1], 'Protocol version: not negotiated yet');
  assert.equal(fresh[3], '1 request served, 1 in flight');
});

test('the running gateway: its URL and session count, the servers it exposes, how to connect', () => {
  const url = 'http://127.0.0.1:39113/mcp';
  const none = gatewayText({ kind: 'running', url, sessions: [], servers: [], tools: 0 });
  assert.equal(none.label, 'Gateway');
  assert.equal(none.description, `${url} · no sessions`);
  assert.match(none.tooltip, /Exposes no running server yet/);
  assert.match(none.tooltip, /No client connected/);
  assert.match(none.tooltip, /Copy Gateway Configuration/);
  const one = gatewayText({ kind: 'running', url, sessions: [info()], servers: ['everything'], tools: 13 });
  assert.equal(one.description, `${url} · 1 session`);
  assert.match(one.tooltip, /^Listening on http:\/\/127\.0\.0\.1:39113\/mcp\n/);
  assert.match(one.tooltip, /Exposes 1 running server \(13 tools\): everything\n1 client connected/);
  const two = gatewayText({ kind: 'running', url, sessions: [info(), info({ label: 'session 0badf00d…' })], servers: ['everything', 'memory'], tools: 22 });
  assert.equal(two.description, `${url} · 2 sessions`);
  assert.match(two.tooltip, /Exposes 2 running servers \(22 tools\): everything, memory\n2 clients connected/);
  assert.equal(two.icon, 'radio-tower');
});

test('a gateway that could not start says why, and that Start Gateway tries again', () => {
  const t = gatewayText({ kind: 'failed', error: 'the gateway cannot listen on 127.0.0.1:4000: listen EADDRINUSE' });
  assert.equal(t.description, 'stopped: could not start');
  assert.match(t.tooltip, /^Could not start: the gateway cannot listen on 127\.0\.0\.1:4000: listen EADDRINUSE\n\nStart Gateway tries again\.$/);
  assert.equal(t.icon, 'error');
});

test('VS Code runs a .vscode/mcp.json server itself (its chat does not get it through the gateway); settings and other files it does not', () => {
  assert.equal(vscodeRunsItself('/home/me/project/.vscode/mcp.json'), true);
  assert.equal(vscodeRunsItself('C:\\work\\app\\.vscode\\mcp.json'), true);
  assert.equal(vscodeRunsItself('settings'), false);
  assert.equal(vscodeRunsItself('/home/me/.config/Code/User/settings.json'), false);
  assert.equal(vscodeRunsItself('/home/me/project/.vscode/mcp.json.bak'), false);
  assert.equal(vscodeRunsItself('/home/me/project/mcp.json'), false);
});
