// The gateway's benchmark (issue 13), the `gateway` section of `npm run bench` (run.mjs calls
// gatewayBench). The same floor server (floor-server.mjs) three ways, side by side in one run:
//   direct over stdio; direct over HTTP (its own --http mode: one JSON body per POST);
//   through the gateway: Streamable HTTP to a gateway process (ServerManager + Gateway +
//   HttpGatewayServer, bundled from src/ into a temporary directory) fronting it over stdio.
// Clients: MCP Host's McpClient (the target is judged on it: it is lean, so what the gateway
// adds is most of what it sees), the official SDK 1.x client (the peer other hosts are built
// on) and a raw node:http client (no protocol layer: the floor of what any client pays).
// Then a 20 MB result, and a load of sessions × calls with random session drops, the caps and
// the gateway's memory after GC. Each measurement is a worker (gateway-worker.mjs) in a process
// group of its own, killed whole at the end.
//   BENCH_QUICK=1 BENCH_ONLY=gateway node test/bench/run.mjs (the section alone; gateway-worker.mjs for one measurement)

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from './gateway-worker.mjs';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gateway-worker.mjs');

/** One worker in a process group of its own; the whole group is killed when it ends or times out. */
function runWorker(cfg, pin, timeoutMs) {
  return new Promise(resolve => {
    const args = [WORKER, 'worker', JSON.stringify(cfg)];
    const child = pin ? spawn('taskset', ['-c', '0', process.execPath, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', d => { out += d; });
    child.stderr.on('data', d => { err = (err + d).slice(-2000); });
    const killGroup = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
    const timer = setTimeout(() => { err += `\n(killed after ${timeoutMs} ms)`; killGroup(); }, timeoutMs);
    child.once('close', () => {
      clearTimeout(timer);
      killGroup(); // anything the worker left behind
      try { resolve(JSON.parse(out.trim().split('\n').pop())); } catch { resolve({ error: `worker failed: ${err.slice(-300)}` }); }
    });
  });
}

export async function gatewayBench({ QUICK, REPEATS, hasTaskset, stat, cell, fmt }) {
  const started = Date.now();
  const bundle = await buildBundle();
  const sections = [], ratios = [];
  try {
    const N = QUICK ? { seq: 300, tput: 600, calls: 100, big: 1 } : { seq: 1500, tput: 3000, calls: 1000, big: 3 };
    const base = { bundle: bundle.file };
    /** Each config REPEATS times; the order reverses every other repeat, so drift hits every config alike. */
    async function measure(label, configs, extra, pin, repeats = REPEATS, timeoutMs = 180_000) {
      process.stderr.write(`[bench] ${label} `);
      const out = configs.map(() => []);
      for (let r = 0; r < repeats; r++) {
        const order = configs.map((_, i) => i);
        if (r % 2) order.reverse();
        for (const i of order) { out[i].push(await runWorker({ ...base, ...extra, ...configs[i] }, pin && hasTaskset, timeoutMs)); process.stderr.write('.'); }
      }
      process.stderr.write('\n');
      return out;
    }
    const name = { raw: 'raw node:http', ours: '**MCP Host**', sdk1: 'SDK 1.x client' };
    const where = { stdio: 'direct, stdio', http: 'direct, HTTP (floor `--http`)', gateway: '**gateway** (HTTP → stdio)' };

    // 1. Round trips and 64 in flight.
    const configs = [];
    for (const client of ['ours', 'sdk1', 'raw']) for (const p of ['stdio', 'http', 'gateway']) if (!(client === 'raw' && p === 'stdio')) configs.push({ client, path: p });
    // The same echo from a server on the official SDK 1.x: direct over its own Streamable HTTP, and through the gateway (which runs it over stdio).
    for (const client of ['ours', 'sdk1']) for (const p of ['http', 'gateway']) configs.push({ client, path: p, upstream: 'sdk' });
    const seq = await measure('gateway seq', configs, { scenario: 'seq', n: N.seq, warmup: 300 }, true);
    const tput = await measure('gateway 64-in-flight', configs, { scenario: 'tput', n: N.tput, warmup: 500 }, false);
    const at = (res, c, p, key, up) => stat(res[configs.findIndex(x => x.client === c && x.path === p && x.upstream === up)], key);
    const sdkWhere = { http: 'direct, HTTP (SDK 1.x server\'s own)', gateway: '**gateway** (HTTP → stdio SDK 1.x server)' };
    const rows = configs.map(({ client, path: p, upstream }, i) => {
      const lat = stat(seq[i], 'medianUs'), p99 = stat(seq[i], 'p99Us'), cpu = stat(seq[i], 'cpuUsPerCall'), gw = stat(seq[i], 'serverCpuUsPerCall'), tp = stat(tput[i], 'callsPerSec');
      const d = { lat: at(seq, client, 'http', 'medianUs', upstream).median, cpu: at(seq, client, 'http', 'cpuUsPerCall', upstream).median, tp: at(tput, client, 'http', 'callsPerSec', upstream).median };
      return `| ${name[client]} | ${upstream ? sdkWhere[p] : where[p]} | ${cell(lat)} | ${cell(p99, 0)} | ${cell(cpu)} | ${gw.failed || p === 'stdio' ? '—' : cell(gw, 0)} | ${cell(tp, 0)} | ${fmt(lat.median / d.lat, 2)}× | ${fmt(cpu.median / d.cpu, 2)}× | ${fmt(tp.median / d.tp, 2)}× |`;
    });
    for (const client of ['ours', 'sdk1', 'raw']) {
      const lat = at(seq, client, 'gateway', 'medianUs').median / at(seq, client, 'http', 'medianUs').median;
      ratios.push(client === 'ours' ? { label: 'gateway latency ÷ direct HTTP, floor server (MCP Host client)', value: lat, target: 1.3, better: 'lower' }
        : { label: `gateway latency ÷ direct HTTP, floor server (${client === 'raw' ? 'raw node:http' : 'SDK 1.x'} client)`, value: lat, info: true });
    }
    for (const client of ['ours', 'sdk1']) {
      const lat = at(seq, client, 'gateway', 'medianUs', 'sdk').median / at(seq, client, 'http', 'medianUs', 'sdk').median;
      ratios.push(client === 'ours' ? { label: 'gateway latency ÷ direct HTTP, SDK 1.x server (MCP Host client)', value: lat, target: 1.3, better: 'lower' }
        : { label: 'gateway latency ÷ direct HTTP, SDK 1.x server (SDK 1.x client)', value: lat, info: true });
    }
    // What the gateway costs beyond the two hops it is made of: its latency minus direct HTTP's minus direct stdio's (floor, MCP Host client).
    ratios.push({ label: 'gateway latency − direct HTTP − direct stdio, µs (floor, MCP Host client)', value: at(seq, 'ours', 'gateway', 'medianUs').median - at(seq, 'ours', 'http', 'medianUs').median - at(seq, 'ours', 'stdio', 'medianUs').median, info: true });
    ratios.push({ label: 'gateway throughput ÷ direct HTTP, 64 in flight, floor server (MCP Host client)', value: at(tput, 'ours', 'gateway', 'callsPerSec').median / at(tput, 'ours', 'http', 'callsPerSec').median, info: true });
    sections.push(`### The gateway

The floor server three ways, in one run: direct over stdio, direct over HTTP (its own \`--http\` mode, one JSON
body per POST), and through the gateway (Streamable HTTP to a gateway process, \`ServerManager\` + \`Gateway\` +
\`HttpGatewayServer\` bundled from \`src/\`, fronting the floor server over stdio; a POST's one answer goes as a JSON
body when it comes within 50 ms, else the POST becomes an event stream). Then the same echo from a server on the
official SDK 1.x (test/bench/sdk-server.mjs): direct over its own Streamable HTTP (stateless, JSON answers), and
through the gateway, which runs it over stdio. The floor is the strict baseline: the gateway is two hops (HTTP in,
stdio out) where direct HTTP to the floor is one, so its ratio cannot go below (HTTP + stdio) ÷ HTTP ≈ 1.2; the SDK
server is the kind of server people run. Clients: MCP Host's \`McpClient\` (the target
is judged on it: a lean client, so the gateway's share of the round trip is visible), the SDK 1.x client (the peer
other hosts are built on; its own ~1 ms per HTTP call dilutes any ratio) and a raw node:http keep-alive client (no
protocol layer). ${N.seq.toLocaleString('en')} sequential calls after 300 pinned to one CPU (client, gateway and server
alike), ${N.tput.toLocaleString('en')} at 64 in flight after 500, unpinned; ${REPEATS} repeats, order reversed every other one.
Client CPU is the client process's; server-side CPU is, over the same calls, the gateway process's own
\`process.cpuUsage()\` (the floor server behind it not included) or, direct over HTTP, the floor server's (\`/proc\`, 10 ms ticks).

| client | path | pinned latency median µs (min–max) | p99 µs | client CPU µs/call | server-side CPU µs/call | calls/s, 64 in flight | latency ÷ direct HTTP | client CPU ÷ direct HTTP | throughput ÷ direct HTTP |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`);

    // 2. A 20 MB result.
    const bigConfigs = [];
    for (const kind of ['text', 'blob']) for (const [client, p] of [['ours', 'stdio'], ['ours', 'http'], ['ours', 'gateway'], ['sdk1', 'http'], ['sdk1', 'gateway']]) bigConfigs.push({ client, path: p, kind });
    const big = await measure('gateway 20 MB', bigConfigs, { scenario: 'big', mb: 20 }, false, N.big);
    const bigRows = bigConfigs.map(({ client, path: p, kind }, i) => {
      const t = stat(big[i], 'ms'), rss = stat(big[i], 'peakRssMb');
      const d = stat(big[bigConfigs.findIndex(x => x.client === client && x.kind === kind && x.path === 'http')], 'ms').median;
      const g = p === 'gateway' && !t.failed;
      const gpeak = stat(big[i], 'gatewayPeakRssMb'), gbase = stat(big[i], 'gatewayRssBeforeMb'), held = stat(big[i], 'gatewayHeldMb'), after = stat(big[i], 'gatewayHeldAfterEndMb');
      if (g && client === 'ours' && kind === 'text') {
        ratios.push({ label: '20 MB text through the gateway ÷ direct HTTP, time (MCP Host client)', value: t.median / d, info: true });
        ratios.push({ label: '20 MB text: gateway peak RSS growth ÷ payload', value: (gpeak.median - gbase.median) / 20, info: true });
      }
      return `| 20 MB ${kind} | ${name[client]} | ${where[p]} | ${cell(t, 0)} | ${t.failed ? '—' : `${fmt(rss.median, 0)} MB`} | ${g ? `${fmt(gbase.median, 0)} → ${fmt(gpeak.median, 0)} MB (+${fmt((gpeak.median - gbase.median) / 20, 2)}× payload)` : '—'} | ${g ? `${fmt(held.median, 1)} / ${fmt(after.median, 1)} MB` : '—'} | ${t.failed ? '—' : `${fmt(t.median / d, 2)}×`} |`;
    });
    sections.push(`A 20 MB result (\`floor__big {mb: 20}\`; one call per process, ${N.big} repeat${N.big > 1 ? 's' : ''}). The gateway's peak RSS is its
VmHWM, from its RSS before the call; "heap held" is its \`heapUsed\` after GC minus before the call, first with the
session still open, then after it ended (DELETE):

| payload | client | path | ms median (min–max) | client peak RSS | gateway RSS before → peak | gateway heap held after GC: session open / ended | time ÷ direct HTTP |
|---|---|---|---|---|---|---|---|
${bigRows.join('\n')}
`);

    // 3. The load, the caps and the memory.
    const loadCfg = { scenario: 'load', sessions: 50, calls: N.calls, lanes: 4, principals: 10, maxDrops: 2, idleMs: 2000, idleCheckMs: 5000, warmup: 2000, seed: 13, maxMs: QUICK ? 60_000 : 240_000 };
    process.stderr.write('[bench] gateway load ');
    const L = await runWorker({ ...base, ...loadCfg }, false, loadCfg.maxMs + 120_000);
    process.stderr.write('.\n');
    sections.push(loadSection(L, loadCfg, fmt, ratios));
  } finally {
    rmSync(bundle.dir, { recursive: true, force: true });
    process.stderr.write(`[bench] gateway section: ${((Date.now() - started) / 60000).toFixed(1)} min\n`);
  }
  return { sections, ratios };
}

/** The stated bound (MB): heapUsed, and external + array buffers, each within ± HEAP of its baseline after the load. */
const HEAP_BOUND_MB = 4;

function loadSection(L, c, fmt, ratios) {
  if (!L || L.error) {
    ratios.push({ label: 'load: calls not settled exactly once', value: NaN, target: 0, better: 'lower' });
    return `The load (${c.sessions} sessions × ${c.calls} calls) failed: ${String(L?.error ?? 'no result').replace(/\|/g, '/').slice(0, 300)}\n`;
  }
  const o = L.outcomes;
  const rc = L.rssControl && !L.rssControl.error ? L.rssControl : undefined;
  const notOnce = L.never + L.twice;
  const dHeap = L.after.heapUsedMb - L.base.heapUsedMb, dRss = L.after.rssMb - L.base.rssMb, idle = L.idle?.at(-1);
  ratios.push({ label: 'load: calls not settled exactly once', value: notOnce, target: 0, better: 'lower' });
  ratios.push({ label: 'load: answers duplicated or misrouted', value: L.duplicates + L.misrouted, target: 0, better: 'lower' });
  ratios.push({ label: `load: gateway heapUsed after GC − baseline, MB (bound ${HEAP_BOUND_MB})`, value: Math.abs(dHeap), target: HEAP_BOUND_MB, better: 'lower' });
  const dExt = (L.after.externalMb + L.after.arrayBuffersMb) - (L.base.externalMb + L.base.arrayBuffersMb);
  ratios.push({ label: `load: gateway external + array buffers after GC − baseline, MB (bound ${HEAP_BOUND_MB})`, value: Math.abs(dExt), target: HEAP_BOUND_MB, better: 'lower' });
  // RSS is reported, not judged: V8 keeps the heap pages it grew to mapped (see below); it was once judged against 48 MB and missed.
  ratios.push({ label: 'load: gateway RSS after GC − baseline, MB (V8 keeps its grown heap mapped)', value: dRss, info: true });
  ratios.push({ label: 'caps: refusals not as expected', value: L.caps.unexpected, target: 0, better: 'lower' });
  const capRows = L.caps.attempts.map(a => `| ${a.server.toUpperCase()} | ${a.principal} | ${a.what} | ${a.expect} | ${a.status} | ${a.ok ? 'as expected' : '**not as expected**'} | ${a.after} | ${String(a.message ?? '').replace(/\|/g, '/').slice(0, 140)} |`);
  return `The load: ${c.sessions} sessions (${c.principals} principals, ${c.sessions / c.principals} each) × ${c.calls.toLocaleString('en')} \`tools/call\` each, ${c.lanes} in flight per
session, raw node:http clients in one process (seeded drops, seed ${c.seed}): each session is dropped 0–${c.maxDrops} times at random
calls, alternately by DELETE and by destroying its sockets (abrupt), and reconnects (a refused reconnect retries every
250 ms, at most 120 times). The gateway's idle timeout is ${c.idleMs / 1000} s for the run (the default is 30 min), so the abruptly
left sessions are reclaimed before the memory is measured. Memory: \`heapUsed\` and RSS after \`gc()\` (node --expose-gc)
three times, after a ${c.warmup.toLocaleString('en')}-call warm-up session (baseline) and after every session ended, then again after
${c.idleCheckMs / 1000} s idle. Bounds: heapUsed, and external + array buffers (Buffers, sockets' memory), each within ±${HEAP_BOUND_MB} MB
of its baseline: what the gateway's objects hold. RSS is shown, not judged (see below).

| what | figure |
|---|---|
| calls issued | ${L.issued.toLocaleString('en')} of ${(c.sessions * c.calls).toLocaleString('en')}${L.slotFailures ? ` (${L.slotFailures} session(s) gave up: ${String(L.slotFailure).slice(0, 100)})` : ''} |
| settled exactly once / never / more than once | ${(L.issued - notOnce).toLocaleString('en')} / ${L.never} / ${L.twice} |
| answered with the right result / with an error | ${o.ok.toLocaleString('en')} / ${o.errorAnswer}${L.errorSample ? ` (e.g. "${String(L.errorSample).slice(0, 100)}")` : ''} |
| ended by a drop: stream ended with no answer / connection lost / session already gone (404) / other HTTP / timed out | ${o.noAnswer} / ${o.lost} / ${o.gone} / ${o.httpError} / ${o.timeout} |
| answers duplicated / misrouted (another call's id or text) | ${L.duplicates} / ${L.misrouted} |
| drops: DELETE / abrupt; reconnects | ${L.deletes} / ${L.aborts}; ${L.reconnects} |
| reconnects refused by a cap meanwhile (retried) | ${L.refusedAtReconnect}${L.refusedSample ? ` ("${String(L.refusedSample).slice(0, 120)}")` : ''} |
| wall time; calls/s overall | ${fmt(L.wallMs / 1000, 1)} s; ${fmt(L.issued / (L.wallMs / 1000), 0)} |
| gateway: peak sessions (with the abandoned ones); peak RSS | ${L.peakSessions}; ${fmt(L.peakRssMb, 0)} MB |
| abandoned sessions reclaimed (idle sweep) after the last call | ${fmt(L.reclaimMs / 1000, 1)} s; sessions left: ${L.sessionsLeft} |
| gateway heapUsed after GC: baseline → after | ${fmt(L.base.heapUsedMb, 1)} → ${fmt(L.after.heapUsedMb, 1)} MB (${dHeap >= 0 ? '+' : ''}${fmt(dHeap, 1)} MB) |
| gateway external + array buffers after GC: baseline → after | ${fmt(L.base.externalMb + L.base.arrayBuffersMb, 1)} → ${fmt(L.after.externalMb + L.after.arrayBuffersMb, 1)} MB |
| gateway RSS after GC: baseline → after | ${fmt(L.base.rssMb, 0)} → ${fmt(L.after.rssMb, 0)} MB (${dRss >= 0 ? '+' : ''}${fmt(dRss, 0)} MB) |
| gateway heapTotal after GC: baseline → after → ${c.idleCheckMs / 1000} s idle later (RSS then) | ${fmt(L.base.heapTotalMb, 0)} → ${fmt(L.after.heapTotalMb, 0)} → ${idle ? `${fmt(idle.heapTotalMb, 0)} MB (${fmt(idle.rssMb, 0)} MB)` : '—'} |
| the managed server after the load | ${L.afterCall} |
| control: a plain Node process whose RSS grew as far (to ${rc ? `${fmt(rc.peakRssMb, 0)} MB` : '—'}) with short-lived objects: RSS after GC: baseline → after → ${c.idleCheckMs / 1000} s idle later | ${rc ? `${fmt(rc.base.rssMb, 0)} → ${fmt(rc.after.rssMb, 0)} → ${fmt(rc.idle, 0)} MB (+${fmt(rc.after.rssMb - rc.base.rssMb, 0)} MB; heapUsed ${fmt(rc.base.heapUsedMb, 1)} → ${fmt(rc.after.heapUsedMb, 1)} MB)` : `— (${String(L.rssControl?.error ?? 'not run').slice(0, 100)})`} |

heapUsed is the figure for a leak. RSS after GC stays near the run's peak: what it holds beyond the baseline is V8's
256 KB heap pages that V8 no longer counts (heapTotal falls back within seconds) but keeps mapped (seen in
\`/proc/<pid>/smaps\`: ~700 such pages, no LazyFree), not live objects. The control shows the same in a Node process
with no gateway in it: grown as far by objects that die, its RSS stays up by about as much after GC.

The caps, on gateways with lowered limits in the same process (raw HTTP \`initialize\`): A is an \`HttpGatewayServer\`
with maxSessions 5 and maxSessionsPerPrincipal 3; B a second \`Gateway\` with maxSessions 2 behind one with the defaults.
At an HTTP cap the least recently used idle session is ended to make room; a session is kept busy by a call left
unanswered (\`slow__echo {delayMs: 15000}\`, test/fixtures/servers/echo-fast.mjs, a second managed server). Sessions left
at the end: ${L.caps.left}.

| server | principal | what | expected | status | | sessions on it after | error message |
|---|---|---|---|---|---|---|---|
${capRows.join('\n')}
`;
}
