// The gateway benchmark's measuring side (gateway.mjs runs the section): one measurement per
// process, printed as one JSON line, and the gateway process it measures.
//   node test/bench/gateway-worker.mjs worker '{"client":"ours","path":"gateway","scenario":"seq","n":500,"warmup":300}'
//     client: ours | sdk1 | raw; path: stdio | http | gateway; scenario: seq | tput | big | load (see gateway.mjs)
//   node --expose-gc test/bench/gateway-worker.mjs host '{"bundle":…}' (forked by a worker, driven over IPC)

import { fork, spawn, spawnSync } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const FLOOR = path.join(here, 'floor-server.mjs');
const SELF = fileURLToPath(import.meta.url);
const ECHO_FAST = path.join(repo, 'test/fixtures/servers/echo-fast.mjs');
const ECHO = 'floor__echo', BIG = 'floor__big';
const SDK_SERVER = path.join(here, 'sdk-server.mjs');

/** A free loopback port (the SDK server's http mode takes one). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}
const sleep = ms => new Promise(r => setTimeout(r, ms));
const cpuMicros = () => { const u = process.cpuUsage(); return u.user + u.system; };
const peakRssMb = () => { const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8')); return m ? Number(m[1]) / 1024 : NaN; };
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const MB = 1048576;

/** The gateway in its own bundle, with the lazily required modules beside it (as in dist/). */
export async function buildBundle() {
  const esbuild = await import('esbuild');
  const dir = mkdtempSync(path.join(tmpdir(), 'mcph-gwbench-'));
  await esbuild.build({
    stdin: { contents: "export { Gateway } from './src/gateway/gateway.ts'; export { HttpGatewayServer } from './src/gateway/http.ts'; export { ServerManager } from './src/host/manager.ts';", resolveDir: repo, loader: 'ts', sourcefile: 'gateway-bench.ts' },
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: path.join(dir, 'gateway-bench.js'), logLevel: 'warning',
    mainFields: ['module', 'main'], define: { __MCPH_BUNDLED__: 'true', 'import.meta.url': '__mcphImportMetaUrl' },
    banner: { js: 'var __mcphImportMetaUrl = require("url").pathToFileURL(__filename).href;' },
  });
  for (const f of ['jsonschema.js', 'auth.js']) copyFileSync(path.join(repo, 'dist', f), path.join(dir, f));
  return { dir, file: path.join(dir, 'gateway-bench.js') };
}

// ---------------------------------------------------------------- the gateway process

async function host(cfg) {
  const { Gateway, HttpGatewayServer, ServerManager } = createRequire(import.meta.url)(cfg.bundle);
  const manager = new ServerManager({});
  const def = (name, args) => ({ id: `user::${name}`, name, scope: 'user', source: { file: 'bench' }, fingerprint: name, launch: { type: 'stdio', command: process.execPath, args, env: {} } });
  // `slow` (the load's caps check): echo {message, delayMs}, so a session can be kept busy.
  // `upstream: "sdk"`: the same tools from a server on the official SDK 1.x (named "floor" too, so the names stay floor__…).
  const upstream = cfg.upstream === 'sdk' ? [SDK_SERVER, 'stdio'] : [FLOOR, '--tools', '2'];
  manager.setDefinitions([def('floor', upstream), ...(cfg.slow ? [def('slow', [ECHO_FAST])] : [])], { autoStart: true });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the floor server did not start in 30 s')), 30_000);
    const check = () => { if (manager.servers.every(s => s.state.kind === 'running')) { sub.dispose(); clearTimeout(t); resolve(); } };
    const sub = manager.onDidChangeServer(check);
    check();
  });
  const warnings = [];
  const log = (level, m) => { if (level !== 'info') warnings.push(m); };
  const serverInfo = { name: 'mcp-host-gateway', version: 'bench' };
  const gateway = new Gateway({ source: manager, exposed: () => true, serverInfo, log });
  const authenticate = h => { const m = /^Bearer bench-([a-z0-9]+)$/.exec(h ?? ''); return m ? { principal: m[1] } : undefined; };
  const main = new HttpGatewayServer({ gateway, authenticate, log, ...(cfg.idleMs ? { idleTimeoutMs: cfg.idleMs } : {}) });
  const url = await main.listen();
  let caps;
  const ops = {
    async mem() {
      for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise(r => setImmediate(r)); }
      const m = process.memoryUsage();
      return { heapUsedMb: m.heapUsed / MB, heapTotalMb: m.heapTotal / MB, rssMb: m.rss / MB, externalMb: m.external / MB, arrayBuffersMb: m.arrayBuffers / MB, peakRssMb: peakRssMb() };
    },
    cpu: () => ({ us: cpuMicros() }),
    stats: () => ({ http: main.sessionCount, gateway: gateway.sessionCount, rssMb: process.memoryUsage().rss / MB, warnings: warnings.length, lastWarning: warnings.at(-1) }),
    async caps() {
      const a = new HttpGatewayServer({ gateway, authenticate, maxSessions: 5, maxSessionsPerPrincipal: 3 });
      const g2 = new Gateway({ source: manager, exposed: () => true, serverInfo, maxSessions: 2 });
      const b = new HttpGatewayServer({ gateway: g2, authenticate });
      caps = { a, b, g2 };
      return { a: await a.listen(), b: await b.listen() };
    },
    capsCount: () => ({ a: caps.a.sessionCount, b: caps.b.sessionCount }),
    async capsClose() { await caps.a.close(200); await caps.b.close(200); caps.g2.dispose(); return {}; },
    async quit() {
      await main.close(200);
      gateway.dispose();
      await manager.dispose();
      setImmediate(() => process.exit(0));
      return {};
    },
  };
  process.on('message', async m => {
    try { process.send({ id: m.id, ...(await ops[m.op](m)) }); } catch (e) { process.send({ id: m.id, error: String(e?.stack ?? e) }); }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true, url });
}

/** The gateway process (with --expose-gc), and a way to ask it things over IPC. */
async function startHost(cfg, extra = {}) {
  // `hostExecArgv` (by hand only): e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/gw"] to see where the gateway's time goes.
  const child = fork(SELF, ['host', JSON.stringify({ bundle: cfg.bundle, ...(cfg.upstream ? { upstream: cfg.upstream } : {}), ...extra })], { execArgv: ['--expose-gc', ...(cfg.hostExecArgv ?? [])], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const waiting = new Map();
  let next = 1;
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the gateway process did not start in 60 s')), 60_000);
    child.on('message', m => {
      if (m.ready) { clearTimeout(t); resolve(m.url); return; }
      const w = waiting.get(m.id);
      if (w) { waiting.delete(m.id); m.error ? w.reject(new Error(m.error)) : w.resolve(m); }
    });
    child.once('exit', code => { clearTimeout(t); reject(new Error(`the gateway process exited (${code})`)); for (const w of waiting.values()) w.reject(new Error('the gateway process exited')); });
  });
  const ask = (op, args = {}) => new Promise((resolve, reject) => { const id = next++; waiting.set(id, { resolve, reject }); child.send({ id, op, ...args }); });
  return {
    url, ask,
    async stop() {
      const gone = new Promise(r => child.exitCode !== null ? r() : child.once('exit', r));
      await Promise.race([ask('quit').catch(() => {}), sleep(3000)]);
      await Promise.race([gone, sleep(3000)]);
      child.kill('SIGKILL');
    },
  };
}

// ---------------------------------------------------------------- clients (worker side)

/**
 * A Streamable HTTP session by hand: POST with `Accept: application/json, text/event-stream`, the body read
 * whole and parsed as JSON or as events. Every request has a timeout; `destroy` closes the sockets abruptly.
 */
function rawSession(url, token, sockets = 4, accept = 'application/json, text/event-stream') {
  const u = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  let sid;
  const headers = body => ({ authorization: `Bearer ${token}`, accept, 'mcp-protocol-version': '2025-11-25',
    ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}), ...(sid ? { 'mcp-session-id': sid } : {}) });
  const send = (method, message, timeoutMs = 30_000) => new Promise((resolve, reject) => {
    const body = message === undefined ? undefined : JSON.stringify(message);
    const req = http.request(u, { method, agent, headers: headers(body) }, res => {
      const parts = [];
      res.on('data', d => parts.push(d));
      res.on('error', reject);
      res.on('close', () => { if (!res.complete) reject(Object.assign(new Error('the connection was lost'), { lost: true })); });
      res.on('end', () => {
        const text = Buffer.concat(parts).toString();
        let messages = [];
        try {
          if (String(res.headers['content-type']).startsWith('text/event-stream')) {
            for (const ev of text.split('\n\n')) { const data = ev.split('\n').filter(l => l.startsWith('data: ')).map(l => l.slice(6)).join('\n'); if (data) messages.push(JSON.parse(data)); }
          } else if (text) { const j = JSON.parse(text); messages = Array.isArray(j) ? j : [j]; }
        } catch { /* kept as text */ }
        resolve({ status: res.statusCode, headers: res.headers, messages, text });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { timeout: true })));
    req.on('error', reject);
    req.end(body);
  });
  let nextId = 1;
  return {
    get id() { return sid; },
    /** initialize + initialized; returns the HTTP status and, when refused, the error's message. */
    async init() {
      const r = await send('POST', { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
      if (r.status !== 200) return { status: r.status, message: r.messages[0]?.error?.message ?? r.text };
      sid = r.headers['mcp-session-id'];
      await send('POST', { jsonrpc: '2.0', method: 'notifications/initialized' });
      return { status: 200 };
    },
    post: (message, timeoutMs) => send('POST', message, timeoutMs),
    async call(name, args) {
      const id = nextId++;
      const r = await send('POST', { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }, 600_000);
      const a = r.messages.find(m => m.id === id);
      if (!a) throw new Error(`HTTP ${r.status} without an answer: ${r.text.slice(0, 200)}`);
      if (a.error) throw new Error(a.error.message);
      return a.result;
    },
    /** A request left unanswered for now: resolves once the gateway has taken it (its event stream has begun). */
    hold: message => new Promise((resolve, reject) => {
      const body = JSON.stringify(message);
      const req = http.request(u, { method: 'POST', agent, headers: headers(body) }, res => { res.resume(); res.on('error', () => {}); resolve(res.statusCode); });
      req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
      req.on('error', reject);
      req.end(body);
    }),
    delete: () => send('DELETE', undefined, 10_000),
    destroy: () => agent.destroy(),
  };
}

async function connect(client, p, url, token, jsonOnly = false) {
  const headers = { authorization: `Bearer ${token}` };
  const tool = n => p === 'gateway' ? n : n.replace('floor__', ''); // the gateway's names are namespaced
  if (client === 'raw') {
    // `jsonOnly` (by hand only): Accept application/json alone, which the gateway answers with a JSON body.
    const s = rawSession(url, token, 64, jsonOnly ? 'application/json' : undefined);
    const r = await s.init();
    if (r.status !== 200) throw new Error(`initialize: HTTP ${r.status} ${r.message}`);
    return { call: (n, a) => s.call(tool(n), a), close: async () => { await s.delete().catch(() => {}); s.destroy(); } };
  }
  if (client === 'ours') {
    const core = createRequire(import.meta.url)(path.join(repo, 'dist/core.js'));
    const transport = p === 'stdio' ? new core.StdioTransport({ command: process.execPath, args: [FLOOR, '--tools', '2'], env: {}, shutdownGraceMs: 500 })
      : new core.StreamableHttpTransport({ url, headers });
    const c = await core.McpClient.create(transport, { name: 'bench', clientInfo: { name: 'ours', version: '1' }, capabilities: {}, requestTimeoutMs: 600_000 });
    return { call: (n, a) => c.callTool(tool(n), a), close: () => c.close() };
  }
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const c = new Client({ name: 'sdk1', version: '1' });
  let transport;
  if (p === 'stdio') {
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    transport = new StdioClientTransport({ command: process.execPath, args: [FLOOR, '--tools', '2'] });
  } else {
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  }
  await c.connect(transport);
  return {
    call: (n, a) => c.callTool({ name: tool(n), arguments: a }, undefined, { timeout: 600_000 }),
    close: async () => { if (p !== 'stdio') await transport.terminateSession().catch(() => {}); await c.close(); },
  };
}

async function startFloorHttp(upstream) {
  const port = upstream === 'sdk' ? await freePort() : 0;
  const child = upstream === 'sdk' ? spawn(process.execPath, [SDK_SERVER, 'http', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, [FLOOR, '--tools', '2', '--http'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', d => {
      seen += d;
      const m = /listening on (\S+)/.exec(seen);
      if (m) resolve(m[1]);
      else if (/listening \d+/.test(seen)) resolve(`http://127.0.0.1:${port}/mcp`);
    });
    child.once('exit', c => reject(new Error(`the floor server exited ${c}`)));
  });
  return { url, pid: child.pid, stop: async () => child.kill('SIGKILL') };
}

/** A process's CPU time so far, in µs, from /proc (clock ticks: 10 ms steps, so only over many calls). */
function procCpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000; // utime + stime, at 100 ticks/s
}

// ---------------------------------------------------------------- measurements (worker side)

async function worker(cfg) {
  if (cfg.scenario === 'load') return load(cfg);
  const target = cfg.path === 'gateway' ? await startHost(cfg) : cfg.path === 'http' ? await startFloorHttp(cfg.upstream) : undefined;
  // The server side's CPU: the gateway process's own (the floor server behind it not included), or the floor's over HTTP.
  const gwCpu = async () => (cfg.path === 'gateway' ? (await target.ask('cpu')).us : cfg.path === 'http' ? procCpuMicros(target.pid) : 0);
  const echo = { message: 'hello, benchmark' };
  let client, out;
  try {
    if (cfg.scenario === 'big') {
      const before = target?.ask ? await target.ask('mem') : undefined;
      client = await connect(cfg.client, cfg.path, target?.url, 'bench-p0');
      const t = process.hrtime.bigint();
      let r;
      try { r = await client.call(BIG, { mb: cfg.mb, kind: cfg.kind }); } catch (err) { return { failed: String(err?.message ?? err).slice(0, 120) }; }
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      const c = r.content[0];
      const length = c.text?.length ?? c.resource?.blob?.length;
      out = { ms, peakRssMb: peakRssMb(), length };
      if (before) {
        const held = await target.ask('mem');
        await client.close();
        client = undefined;
        for (let i = 0; i < 100 && (await target.ask('stats')).http > 0; i++) await sleep(50);
        const ended = await target.ask('mem');
        Object.assign(out, { gatewayRssBeforeMb: before.rssMb, gatewayPeakRssMb: held.peakRssMb, gatewayHeldMb: held.heapUsedMb - before.heapUsedMb, gatewayHeldAfterEndMb: ended.heapUsedMb - before.heapUsedMb });
      }
      return out;
    }
    client = await connect(cfg.client, cfg.path, target?.url, 'bench-p0', cfg.jsonOnly);
    if (cfg.scenario === 'seq') {
      for (let i = 0; i < cfg.warmup; i++) await client.call(ECHO, echo);
      const lat = new Float64Array(cfg.n);
      const g0 = await gwCpu(), cpu0 = cpuMicros();
      for (let i = 0; i < cfg.n; i++) {
        const t = process.hrtime.bigint();
        await client.call(ECHO, echo);
        lat[i] = Number(process.hrtime.bigint() - t) / 1000;
      }
      const cpu = (cpuMicros() - cpu0) / cfg.n, gw = (await gwCpu() - g0) / cfg.n;
      const sorted = Array.from(lat).sort((a, b) => a - b);
      out = { medianUs: percentile(sorted, 0.5), p99Us: percentile(sorted, 0.99), cpuUsPerCall: cpu, ...(cfg.path !== 'stdio' ? { serverCpuUsPerCall: gw } : {}) };
    } else if (cfg.scenario === 'tput') {
      for (let i = 0; i < cfg.warmup; i++) await client.call(ECHO, echo);
      let issued = 0;
      const g0 = await gwCpu(), cpu0 = cpuMicros(), t0 = process.hrtime.bigint();
      await Promise.all(Array.from({ length: 64 }, async () => { while (issued++ < cfg.n) await client.call(ECHO, echo); }));
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      out = { callsPerSec: cfg.n / secs, cpuUsPerCall: (cpuMicros() - cpu0) / cfg.n, ...(cfg.path !== 'stdio' ? { serverCpuUsPerCall: (await gwCpu() - g0) / cfg.n } : {}) };
    }
  } finally {
    await client?.close().catch(() => {});
    await target?.stop();
  }
  return out;
}

function mulberry32(seed) {
  return () => { seed |= 0; seed = (seed + 0x6D2B79F5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** sessions × calls with random drops; every call's answers counted; then the memory and the caps. */
async function load(cfg) {
  const host = await startHost(cfg, { idleMs: cfg.idleMs, slow: true });
  try {
    const warm = rawSession(host.url, 'bench-p0');
    await warm.init();
    for (let i = 0; i < cfg.warmup; i++) await warm.call(ECHO, { message: 'warm' });
    await warm.delete(); warm.destroy();
    const base = await host.ask('mem');
    const total = cfg.sessions * cfg.calls;
    const settled = new Uint8Array(total + 1);
    const outcomes = { ok: 0, errorAnswer: 0, noAnswer: 0, lost: 0, gone: 0, httpError: 0, timeout: 0 };
    const L = { issued: 0, duplicates: 0, misrouted: 0, deletes: 0, aborts: 0, reconnects: 0, refusedAtReconnect: 0, refusedSample: undefined, errorSample: undefined, slotFailures: 0, slotFailure: undefined };
    let callSeq = 0, dropNo = 0, peakSessions = 0, peakRss = 0;
    const deadline = Date.now() + cfg.maxMs;
    const open = async principal => {
      for (let attempt = 0; attempt < 120; attempt++) {
        const s = rawSession(host.url, `bench-${principal}`, cfg.lanes);
        const r = await s.init().catch(e => ({ status: 0, message: e.message }));
        if (r.status === 200) return s;
        s.destroy();
        if (r.status !== 429 && r.status !== 503) throw new Error(`initialize: HTTP ${r.status} ${r.message}`);
        L.refusedAtReconnect++; L.refusedSample ??= r.message;
        await sleep(250);
      }
      throw new Error('every reconnect was refused for 30 s');
    };
    const oneCall = async (s, id) => {
      const message = `m${id}`;
      try {
        const r = await s.post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: ECHO, arguments: { message } } }, 30_000);
        if (r.status === 404) return 'gone';
        if (r.status !== 200) return 'httpError';
        let answers = 0;
        for (const m of r.messages) {
          if (m.method !== undefined || m.id === undefined) continue;
          if (m.id !== id) { L.misrouted++; continue; }
          answers++;
          if (m.result && m.result.content?.[0]?.text !== message) L.misrouted++;
        }
        if (answers > 1) L.duplicates += answers - 1;
        if (!answers) return 'noAnswer';
        const a = r.messages.find(m => m.id === id && m.method === undefined);
        if (a.error) { L.errorSample ??= a.error.message; return 'errorAnswer'; }
        return 'ok';
      } catch (e) {
        return e.timeout ? 'timeout' : 'lost';
      }
    };
    const sampler = setInterval(() => { host.ask('stats').then(s => { peakSessions = Math.max(peakSessions, s.http); peakRss = Math.max(peakRss, s.rssMb); }, () => {}); }, 250);
    const t0 = Date.now();
    const live = [];
    await Promise.all(Array.from({ length: cfg.sessions }, async (_, k) => {
      const principal = `p${k % cfg.principals}`;
      const rnd = mulberry32(cfg.seed * 1000 + k);
      const drops = new Set();
      const nd = Math.floor(rnd() * (cfg.maxDrops + 1));
      for (let i = 0; i < nd; i++) drops.add(1 + Math.floor(rnd() * (cfg.calls - 1)));
      let sessP = open(principal);
      let next = 0;
      try {
        await sessP;
        await Promise.all(Array.from({ length: cfg.lanes }, async () => {
          while (next < cfg.calls && Date.now() < deadline) {
            const n = next++;
            if (drops.delete(n)) {
              const old = await sessP;
              const abrupt = dropNo++ % 2 === 1;
              if (abrupt) { old.destroy(); L.aborts++; } else { L.deletes++; }
              sessP = (async () => {
                if (!abrupt) { await old.delete().catch(() => {}); setTimeout(() => old.destroy(), 5_000).unref(); }
                L.reconnects++;
                return open(principal);
              })();
            }
            const s = await sessP;
            const id = ++callSeq;
            L.issued++;
            const how = await oneCall(s, id);
            outcomes[how]++;
            settled[id]++;
          }
        }));
        live.push(await sessP);
      } catch (e) {
        L.slotFailures++; L.slotFailure ??= e.message;
      }
    }));
    const wallMs = Date.now() - t0;
    clearInterval(sampler);
    for (const s of live) { await s.delete().catch(() => {}); s.destroy(); }
    const t1 = Date.now();
    let st;
    for (let i = 0; i < 300; i++) { st = await host.ask('stats'); if (!st.http && !st.gateway) break; await sleep(100); }
    const reclaimMs = Date.now() - t1;
    const after = await host.ask('mem');
    // V8 keeps the heap it grew to committed after a gc(); its memory reducer gives pages back once the process idles.
    const idle = [];
    for (let t = 0; t < (cfg.idleCheckMs ?? 0); t += 5000) { await sleep(5000); idle.push({ s: (t + 5000) / 1000, ...(await host.ask('mem')) }); }
    let never = 0, twice = 0;
    for (let id = 1; id <= callSeq; id++) { if (settled[id] === 0) never++; else if (settled[id] > 1) twice++; }
    // The managed server still answers (no call of the dropped sessions is stuck in front of it).
    const check = rawSession(host.url, 'bench-p0');
    await check.init();
    const afterCall = await check.call(ECHO, { message: 'after' }).then(r => r.content[0].text === 'after' ? 'answers a call as before' : 'answers wrongly', e => `fails: ${e.message}`);
    await check.delete(); check.destroy();
    const caps = await capsCheck(host);
    const rssControl = rssControlRun(Math.max(peakRss, after.peakRssMb) - base.rssMb, cfg.idleCheckMs ?? 0);
    return { ...L, outcomes, never, twice, wallMs, reclaimMs, sessionsLeft: st.http + st.gateway, peakSessions, peakRssMb: Math.max(peakRss, after.peakRssMb), base, after, idle, afterCall, caps, warnings: st.warnings, rssControl };
  } finally {
    await host.stop();
  }
}

/**
 * The caps: at one, the least recently used idle session is ended to make room (its id is then
 * unknown); only when every session there is busy (a call unanswered: `slow__echo` for 15 s) is
 * the new one refused, with a status and a sentence that names the cap. Refusals leave no session.
 */
async function capsCheck(host) {
  const urls = await host.ask('caps');
  const attempts = [];
  const sessions = [];
  const busy = s => s.hold({ jsonrpc: '2.0', id: 99, method: 'tools/call', params: { name: 'slow__echo', arguments: { message: 'busy', delayMs: 15_000 } } });
  const record = async (server, principal, what, expect, status, message, pattern) => {
    const ok = status === expect && (pattern === undefined || pattern.test(message ?? ''));
    attempts.push({ server, principal, what, expect, status, message, ok, after: (await host.ask('capsCount'))[server] });
  };
  const open = async (server, principal, what, expect, pattern) => {
    const s = rawSession(urls[server], `bench-${principal}`);
    sessions.push(s);
    const r = await s.init().catch(e => ({ status: 0, message: e.message }));
    await record(server, principal, what, expect, r.status, r.message, pattern);
    return s;
  };
  const perClient = /the limit per client, all busy/, global = /its limit, all busy/;
  // A: maxSessions 5, 3 per principal.
  const idle = await open('a', 'c1', 'new; stays idle', 200);
  for (let i = 0; i < 2; i++) await busy(await open('a', 'c1', 'new; kept busy', 200));
  const fourth = await open('a', 'c1', 'new at the per-client cap, one idle', 200);
  const gone = await idle.post({ jsonrpc: '2.0', id: 1, method: 'ping' }).catch(e => ({ status: 0, messages: [{ error: { message: e.message } }] }));
  await record('a', 'c1', 'the idle one, evicted, then POSTs', 404, gone.status, gone.messages[0]?.error?.message, /Session not found/);
  await busy(fourth);
  await open('a', 'c1', 'new at the per-client cap, all busy', 429, perClient);
  const c2 = [];
  for (let i = 0; i < 2; i++) { c2.push(await open('a', 'c2', 'new; kept busy', 200)); await busy(c2.at(-1)); }
  await open('a', 'c2', 'new at the global cap, all busy', 503, global);
  const del = await c2[0].delete().catch(e => ({ status: 0, text: e.message }));
  await record('a', 'c2', 'DELETE of a busy one', 200, del.status);
  await open('a', 'c3', 'new after the DELETE', 200);
  // B: a Gateway with maxSessions 2 behind an HttpGatewayServer with the default caps.
  for (let i = 0; i < 2; i++) await open('b', 'c4', 'new; stays idle', 200);
  await open('b', 'c4', 'new past the Gateway cap', 503, /already serves 2 clients \(limit 2\)/);
  const counts = await host.ask('capsCount');
  const left = `A ${counts.a} (expected 5), B ${counts.b} (expected 2)`;
  for (const s of sessions) s.destroy();
  await host.ask('capsClose');
  return { attempts, left, unexpected: attempts.filter(a => !a.ok).length + (counts.a !== 5) + (counts.b !== 2) };
}

/**
 * The control for the load's RSS: a plain Node process (no gateway, no sockets) whose RSS
 * grows by `growthMb` (the gateway's peak over its baseline) with objects that live a while
 * and then die (as requests in flight do), measured as the gateway is: after gc() three
 * times, and `idleMs` later.
 */
function rssControlRun(growthMb, idleMs) {
  const r = spawnSync(process.execPath, ['--expose-gc', SELF, 'rss-control', JSON.stringify({ growthMb, idleMs })], { encoding: 'utf8', timeout: 120_000 });
  try { return JSON.parse(r.stdout.trim().split('\n').pop()); } catch { return { error: (r.stderr ?? '').slice(-300) }; }
}

async function rssControl(cfg) {
  const mem = async () => {
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise(r => setImmediate(r)); }
    const m = process.memoryUsage();
    return { heapUsedMb: m.heapUsed / MB, heapTotalMb: m.heapTotal / MB, rssMb: m.rss / MB };
  };
  const base = await mem();
  let live = [], peakRssMb = base.rssMb;
  // Bounded: at most 1,600 rounds of 5,000 objects.
  for (let round = 0; round < 1600 && peakRssMb - base.rssMb < cfg.growthMb; round++) {
    for (let i = 0; i < 5_000; i++) live.push({ id: i, text: `message ${round}:${i} `.repeat(3), parts: [i, { k: i }] });
    if (live.length > 200_000) live = live.slice(100_000);
    peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / MB);
    await new Promise(r => setImmediate(r));
  }
  live = undefined;
  const after = await mem();
  await sleep(cfg.idleMs);
  return { base, peakRssMb, after, idle: process.memoryUsage().rss / MB };
}

if (process.argv[1] === SELF) {
  const [mode, text] = process.argv.slice(2);
  const cfg = JSON.parse(text ?? '{}');
  if (mode === 'host') {
    host(cfg).catch(e => { process.stderr.write(`gateway process: ${e?.stack ?? e}\n`); process.exit(1); });
  } else if (mode === 'rss-control') {
    rssControl(cfg).then(r => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); });
  } else if (mode === 'worker') {
    if (!cfg.bundle) { const b = await buildBundle(); cfg.bundle = b.file; process.on('exit', () => rmSync(b.dir, { recursive: true, force: true })); }
    worker(cfg).then(r => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); },
      e => { process.stdout.write(JSON.stringify({ error: String(e?.stack ?? e).slice(0, 500) }) + '\n'); process.exit(0); });
  } else {
    process.stderr.write('usage: node test/bench/gateway-worker.mjs worker \'{"client":"ours","path":"gateway","scenario":"seq","n":500,"warmup":300}\'\n');
    process.exit(2);
  }
}
