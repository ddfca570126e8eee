#!/usr/bin/env node
// Runs the SERVER scenarios of the official MCP conformance suite
// (@modelcontextprotocol/conformance, each installed version: 0.1.16 and 0.2.0-alpha.12)
// against three targets, one after the other: server-everything served directly over
// Streamable HTTP, and the mcp-host gateway (`mcp-host gateway --http`, from source) fronting
// the same server-everything over stdio, (a) as a pass-through proxy (`--expose everything
// --no-prefix`: the server's own names) and (b) namespaced (`--expose everything`:
// everything__<name>, mcp-gateway:// URIs). The verdict, for the scenarios that pass directly:
// every one passes through (a); every one passes through (b) except those in FIXED_NAMES
// below, which must fail there for the reason given (nothing else may). Scenarios that fail
// directly are expected failures and not counted. A table, then "N passed, N failed"; the
// exit code is 1 on any failure.
//
//   node test/conformance/gateway.mjs [--suite active|all|pending|draft] [--isolated] [SCENARIO…]
//
// --suite       the suite's own selection (default: its default, "active")
// --isolated    a fresh gateway for each scenario (diagnosis: one scenario's leftovers cannot
//               fail the next ones); slower
// SCENARIO…     only these (each then runs alone, against the same gateway)
//
// The suite has no option to send a header, yet the gateway wants a bearer token on every
// request. The conformance process gets the token the way a real client holds one: a
// preload (written below) installs an undici dispatcher that adds `Authorization: Bearer …`
// to requests for the gateway's origin only (the suite's fetch and undici.request both go
// through the global dispatcher). The gateway itself runs unchanged, with its token check;
// the script checks first that it answers 401 without the token and with a wrong one.
// Everything listens on 127.0.0.1 (server-everything binds all interfaces by itself:
// test/fixtures/loopback.cjs pins its listen() to 127.0.0.1). Every process started here is in
// its own process group and is killed when its part ends, and on any exit of this script.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const everything = path.join(repo, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const cli = path.join(repo, 'src/cli/bin.ts');
const loopback = path.join(repo, 'test/fixtures/loopback.cjs');
const SUITES = [
  { pkg: 'conformance-0.1.16', timeoutFlag: false },
  { pkg: '@modelcontextprotocol/conformance', timeoutFlag: true },
];
const SERVER = 'everything';
const TOTAL_MS = 12 * 60_000; // the whole script, a safety net (it takes well under 3 min)
const SUITE_RUN_MS = 4 * 60_000; // one conformance process over a whole suite
const SCENARIO_RUN_MS = 90_000; // one conformance process over one scenario
const READY_MS = 60_000; // a server or the gateway to be up
const STOP_MS = 10_000; // a process to end after SIGTERM, before SIGKILL

// ---- processes: each in its own group, all killed on the way out -----------------------

const children = new Set();
const killGroup = (pid, signal) => { try { process.kill(-pid, signal); } catch { /* gone */ } };
const groupAlive = pid => { try { process.kill(-pid, 0); return true; } catch { return false; } };
process.on('exit', () => { for (const c of children) killGroup(c.pid, 'SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { console.log(`gateway conformance: ${sig}, stopping`); cleanup(); process.exit(130); });
const watchdog = setTimeout(() => { console.log(`gateway conformance: not done after ${TOTAL_MS / 60_000} min, stopping`); cleanup(); finish(0, 1); }, TOTAL_MS);

/** Starts `file args` in a new process group; its output is kept (and watched by `waitFor`). */
function start(name, file, args, opts = {}) {
  const child = spawn(file, args, { cwd: opts.cwd ?? repo, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const p = { name, pid: child.pid, child, stdout: '', stderr: '', code: undefined, watchers: new Set() };
  if (p.pid === undefined) throw new Error(`${name} could not be started (${file})`);
  children.add(p);
  const seen = () => { for (const w of [...p.watchers]) w(); };
  child.stdout.on('data', c => { p.stdout += c; seen(); });
  child.stderr.on('data', c => { p.stderr += c; seen(); });
  p.exited = new Promise(resolve => {
    child.on('error', err => { p.stderr += `\n${err.message}`; });
    child.on('close', (code, signal) => { p.code = code ?? signal ?? -1; seen(); resolve(p.code); });
  });
  return p;
}

/** Resolves with the match of `re` in the process's stderr (or stdout), rejects on exit or after `ms`. */
function waitFor(p, re, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { done(); reject(new Error(`${p.name}: no ${what} within ${ms / 1000} s`)); }, ms);
    const check = () => {
      const m = re.exec(p.stderr) ?? re.exec(p.stdout);
      if (m) { done(); resolve(m); } else if (p.code !== undefined) { done(); reject(new Error(`${p.name} ended (${p.code}) before ${what}`)); }
    };
    const done = () => { clearTimeout(timer); p.watchers.delete(check); };
    p.watchers.add(check);
    check();
  });
}

/** SIGTERM to the process (it may stop its own children), then SIGKILL to its whole group; its output to `log`. */
async function stop(p, log) {
  if (p.code === undefined) {
    try { process.kill(p.pid, 'SIGTERM'); } catch { /* gone */ }
    let timer;
    const ended = await Promise.race([p.exited.then(() => true), new Promise(r => { timer = setTimeout(() => r(false), STOP_MS); })]);
    clearTimeout(timer);
    if (!ended) console.log(`gateway conformance: ${p.name} did not end within ${STOP_MS / 1000} s of SIGTERM; killed`);
    else if (groupAlive(p.pid)) console.log(`gateway conformance: ${p.name} ended on SIGTERM but left processes of its group running; killed`);
  }
  killGroup(p.pid, 'SIGKILL');
  children.delete(p);
  if (log) { mkdirSync(path.dirname(log), { recursive: true }); writeFileSync(log, p.stderr + p.stdout); }
}

function cleanup() { for (const c of children) killGroup(c.pid, 'SIGKILL'); children.clear(); }

/** Runs a command to its end, at most `ms`; its output. */
async function run(name, file, args, env, ms) {
  const p = start(name, file, args, { env });
  let timer;
  const timedOut = await Promise.race([p.exited.then(() => false), new Promise(r => { timer = setTimeout(() => r(true), ms); })]);
  clearTimeout(timer);
  if (timedOut) await stop(p); else { killGroup(p.pid, 'SIGKILL'); children.delete(p); }
  return { code: p.code, timedOut, output: p.stdout + p.stderr };
}

// ---- the setup ---------------------------------------------------------------------------

function finish(passed, failed, message) {
  if (message) console.log(message);
  console.log(`${passed} passed, ${failed} failed`);
  cleanup();
  process.exit(failed ? 1 : 0);
}

let argv;
try {
  argv = parseArgs({ allowPositionals: true, options: { suite: { type: 'string' }, isolated: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
} catch (err) { finish(0, 1, `gateway conformance: ${err.message}`); }
if (argv.values.help) { console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 19).map(l => l.replace(/^\/\/ ?/, '')).join('\n')); process.exit(0); }
const only = argv.positionals;
const isolated = !!argv.values.isolated;

if (Number(process.versions.node.split('.')[0]) < 22) finish(0, 1, `gateway conformance: the suite needs Node >= 22 (this is ${process.version})`);
if (!existsSync(everything)) finish(0, 1, `gateway conformance: server-everything is not installed (${everything})`);
if (!existsSync(loopback)) finish(0, 1, `gateway conformance: ${loopback} is missing`);

function conformance(name) {
  try {
    const pkgFile = createRequire(path.join(repo, 'package.json')).resolve(`${name}/package.json`);
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.conformance;
    return { bin: path.join(path.dirname(pkgFile), bin), version: pkg.version, pkgFile };
  } catch {
    return undefined;
  }
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mcp-host-gateway-conformance-'));
const tokenFile = path.join(tmp, 'gateway-token');
writeFileSync(tokenFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
const token = readFileSync(tokenFile, 'utf8').trim();
const workspace = path.join(tmp, 'workspace');
mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
writeFileSync(path.join(workspace, '.vscode', 'mcp.json'), JSON.stringify({ servers: { [SERVER]: { type: 'stdio', command: process.execPath, args: [everything, 'stdio'] } } }, null, 2));
process.on('exit', () => { rmSync(tokenFile, { force: true }); rmSync(workspace, { recursive: true, force: true }); });

// The token, the way a client holds one: added to the requests for the gateway's origin.
const auth = path.join(tmp, 'auth.mjs');
writeFileSync(auth, `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const origin = process.env.CONFORMANCE_GATEWAY_ORIGIN;
const value = 'Bearer ' + readFileSync(process.env.CONFORMANCE_GATEWAY_TOKEN_FILE, 'utf8').trim();
const { Agent, setGlobalDispatcher } = createRequire(process.env.CONFORMANCE_UNDICI_FROM)('undici');
const isAuth = k => String(k).toLowerCase() === 'authorization';
function withAuth(h) {
  if (!h) return { authorization: value };
  if (Array.isArray(h)) return h.some((k, i) => i % 2 === 0 && isAuth(k)) ? h : [...h, 'authorization', value];
  const o = typeof h[Symbol.iterator] === 'function' ? Object.fromEntries(h) : { ...h };
  return Object.keys(o).some(isAuth) ? o : { ...o, authorization: value };
}
setGlobalDispatcher(new Agent().compose(dispatch => (opts, handler) => {
  const o = typeof opts.origin === 'string' ? opts.origin.replace(/\\/$/, '') : opts.origin?.origin;
  return dispatch(o === origin ? { ...opts, headers: withAuth(opts.headers) } : opts, handler);
}));
`);

// ---- the targets -------------------------------------------------------------------------

/** The gateway's two ways of naming, each a target beside server-everything directly. */
const MODES = [
  { key: 'a', title: '(a) pass-through', args: ['--expose', SERVER, '--no-prefix'], prefixed: false },
  { key: 'b', title: '(b) namespaced', args: ['--expose', SERVER], prefixed: true },
];

// The scenarios that do not take a name from the lists but call a fixed one (the suite's
// src/scenarios/server/{tools,resources}.ts): through the namespaced gateway (b) that name is
// none of its names (they are everything__<name>, mcp-gateway://everything/…), so the gateway
// answers that it does not know it, as the spec asks for an unknown tool (-32602) or resource
// (-32002). They must fail through (b) for that reason and no other. Directly and through (a)
// they pass only vacuously: server-everything has none of these either; it answers the unknown
// tool with an isError result, which the scenario accepts, and subscribes to any URI.
const FIXED_NAMES = new Map([
  ['tools-call-simple-text', 'test_simple_text'],
  ['tools-call-error', 'test_error_handling'],
  ['resources-subscribe', 'test://watched-resource'],
  ['resources-unsubscribe', 'test://watched-resource'],
]);
const fixedNameReason = (scenario, fixed) => `${scenario} calls the fixed ${fixed.includes('://') ? 'URI' : 'tool name'} "${fixed}"; the namespaced gateway's names are ${fixed.includes('://') ? `mcp-gateway://${SERVER}/<encoded URI>` : `${SERVER}__<name>`}, so it answers that it does not know "${fixed}"`;
/** Whether a failure through (b) is the one FIXED_NAMES allows: every failing check says the gateway does not know the fixed name. */
const failsForFixedName = (r, fixed) => !r.missing && r.failures.length > 0 && r.failures.every(f => { const t = String(f.errorMessage ?? ''); return t.includes(`"${fixed}"`) && /unknown tool|not found/i.test(t); });

// Scenarios server-everything must pass directly, else the comparison tests nothing (a broken
// direct run would turn every scenario into an "expected failure").
const BASELINE = ['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list'];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** server-everything over Streamable HTTP, pinned to 127.0.0.1 (it listens on every interface by itself). */
async function startDirect() {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(); // it takes no port 0: a free one, taken again at once (retried if lost meanwhile)
    const p = start('server-everything (streamableHttp)', process.execPath, ['--require', loopback, everything, 'streamableHttp'], { env: { ...process.env, PORT: String(port) } });
    try {
      await waitFor(p, new RegExp(`listening on port ${port}\\b`), READY_MS, 'listening line');
      return { proc: p, url: `http://127.0.0.1:${port}/mcp` };
    } catch (err) {
      await stop(p);
      if (attempt >= 3 || !/already in use/.test(p.stderr)) throw err;
    }
  }
}

/** A JSON-RPC request over the gateway's HTTP; the answer's `result` (or throws). */
async function rpc(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  if (body.id === undefined) return { res };
  const messages = (res.headers.get('content-type') ?? '').includes('text/event-stream')
    ? text.split('\n').filter(l => l.startsWith('data:')).map(l => JSON.parse(l.slice(5)))
    : [JSON.parse(text)];
  const answer = messages.find(m => m.id === body.id);
  if (!answer || answer.error) throw new Error(`${body.method}: HTTP ${res.status}, ${answer?.error?.message ?? text.slice(0, 200)}`);
  return { res, result: answer.result };
}

/** What the gateway offers once it is up: its lists, through its own HTTP (the session then ended with DELETE). */
async function probe(url) {
  const init = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'gateway-conformance-probe', version: '1' } } });
  const sid = init.res.headers.get('mcp-session-id');
  const h = { 'mcp-session-id': sid, 'mcp-protocol-version': init.result.protocolVersion };
  try {
    await rpc(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, h);
    const tools = (await rpc(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, h)).result.tools;
    const prompts = (await rpc(url, { jsonrpc: '2.0', id: 3, method: 'prompts/list' }, h)).result.prompts;
    const resources = (await rpc(url, { jsonrpc: '2.0', id: 4, method: 'resources/list' }, h)).result.resources;
    return { tools: tools.length, prompts: prompts.length, resources: resources.length, sample: tools[0]?.name, names: [...tools, ...prompts].map(x => x.name), uris: resources.map(r => r.uri) };
  } finally {
    await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, ...h }, signal: AbortSignal.timeout(15_000) }).catch(() => {});
  }
}

const described = new Set();
async function startGateway(mode) {
  const env = { ...process.env, MCP_HOST_SETTINGS: '', MCP_HOST_CONSENT_FILE: '' };
  delete env.MCP_HOST_GATEWAY_TOKEN;
  const p = start(`the gateway ${mode.title} (mcp-host gateway --http ${mode.args.join(' ')})`, process.execPath, [cli, 'gateway', '--http', '--token-file', tokenFile, ...mode.args, '--trust-workspace', '--verbose'], { cwd: workspace, env });
  try {
    const [, url] = await waitFor(p, /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/, READY_MS, '"listening on URL" line');
    await waitFor(p, new RegExp(`${SERVER} is running`), READY_MS, `"${SERVER} is running" line`);
    // The product is not weakened for the suite: no token, or a wrong one, is refused.
    for (const [label, h] of [['no token', {}], ['a wrong token', { authorization: `Bearer ${'0'.repeat(64)}` }]]) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...h }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}', signal: AbortSignal.timeout(15_000) });
      await res.text();
      if (res.status !== 401) throw new Error(`the gateway answered ${label} with HTTP ${res.status}, not 401`);
    }
    // The lists come once the server's are fetched: wait (bounded) until they are there.
    let offer;
    for (const t0 = Date.now(); ;) {
      offer = await probe(url);
      if ((offer.tools && offer.prompts && offer.resources) || Date.now() - t0 > READY_MS) break;
      await new Promise(r => setTimeout(r, 250));
    }
    if (!(offer.tools && offer.prompts && offer.resources)) throw new Error(`the gateway ${mode.title} offers ${offer.tools} tools, ${offer.prompts} prompts and ${offer.resources} resources after ${READY_MS / 1000} s`);
    // The mode is the one asked for: the server's own names, or all of them namespaced.
    const foreign = mode.prefixed
      ? [...offer.names.filter(n => !n.startsWith(`${SERVER}__`)), ...offer.uris.filter(u => !u.startsWith(`mcp-gateway://${SERVER}/`))]
      : [...offer.names.filter(n => n.includes('__')), ...offer.uris.filter(u => u.startsWith('mcp-gateway://'))];
    if (foreign.length) throw new Error(`the gateway ${mode.title} offers ${mode.prefixed ? 'names that are not namespaced' : 'namespaced names'}: ${foreign.slice(0, 5).join(', ')}`);
    if (!described.has(mode.key)) {
      described.add(mode.key);
      console.log(`gateway ${mode.title}: 401 without a token and with a wrong one; offers ${offer.tools} tools (e.g. ${offer.sample}), ${offer.prompts} prompts, ${offer.resources} resources (e.g. ${offer.uris[0]})`);
    }
    return { proc: p, url };
  } catch (err) {
    await stop(p);
    err.message += `\n${p.stderr.trim().split('\n').slice(-15).map(l => `    ${l}`).join('\n')}`;
    throw err;
  }
}

// ---- one conformance run and its results -------------------------------------------------

/** Runs the suite (or one scenario) against `url`; per scenario: { pass, checks, failures } or { missing }. */
async function runSuite(suite, url, outDir, scenario, viaGateway) {
  const args = [suite.bin, 'server', '--url', url, '-o', outDir];
  if (scenario) args.push('--scenario', scenario);
  if (argv.values.suite && !scenario) args.push('--suite', argv.values.suite);
  if (suite.timeoutFlag) args.push('--timeout', '30000');
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  if (viaGateway) {
    args.unshift('--import', auth);
    Object.assign(env, { CONFORMANCE_GATEWAY_ORIGIN: new URL(url).origin, CONFORMANCE_GATEWAY_TOKEN_FILE: tokenFile, CONFORMANCE_UNDICI_FROM: suite.pkgFile });
  }
  mkdirSync(outDir, { recursive: true });
  const r = await run(`conformance ${suite.version}`, process.execPath, args, env, scenario ? SCENARIO_RUN_MS : SUITE_RUN_MS);
  writeFileSync(path.join(outDir, 'conformance-output.txt'), r.output);
  const ran = [...r.output.matchAll(/=== Running scenario: (\S+) ===/g)].map(m => m[1]);
  if (scenario && !ran.includes(scenario)) ran.push(scenario);
  const dirs = readdirSync(outDir);
  const results = new Map();
  if (!ran.length) throw new Error(`conformance ${suite.version} ran no scenario against ${url} (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.output.trim().split('\n').slice(-5).join(' | ')}`);
  for (const s of ran) {
    const dir = dirs.find(d => d.startsWith(`server-${s}-`) && /^\d{4}-\d\d-\d\dT/.test(d.slice(`server-${s}-`.length)));
    if (!dir) {
      const why = r.timedOut ? `the suite did not end within ${(scenario ? SCENARIO_RUN_MS : SUITE_RUN_MS) / 1000} s` : `the suite wrote no results (exit ${r.code}): ${r.output.trim().split('\n').slice(-3).join(' | ')}`;
      results.set(s, { pass: false, missing: why });
      continue;
    }
    let checks;
    try {
      checks = JSON.parse(readFileSync(path.join(outDir, dir, 'checks.json'), 'utf8'));
    } catch (err) {
      results.set(s, { pass: false, missing: err.code === 'ENOENT' ? 'no checks.json: the scenario threw (its error is in conformance-output.txt)' : `${dir}/checks.json cannot be read: ${err.message}` });
      continue;
    }
    const failures = checks.filter(c => c.status === 'FAILURE');
    results.set(s, { pass: failures.length === 0, checks: checks.length, failures, all: checks });
  }
  return results;
}

const failureText = r => (r.missing ?? r.failures.map(f => `${f.id}: ${String(f.errorMessage ?? f.description ?? '').replace(/\s+/g, ' ').slice(0, 240)}`).join('; '));
/** A cell of the table: ✓, ✓* (passes only vacuously: a FIXED_NAMES scenario), ✗, — (not run). */
const cell = (r, scenario) => (!r ? '—' : r.missing ? '✗ (no result)' : r.pass ? (r.checks ? (FIXED_NAMES.has(scenario) ? '✓*' : '✓') : '✓ (0 checks)') : '✗');

// ---- the comparison ----------------------------------------------------------------------

/** The suite (or the SCENARIOs) against one URL; a run that cannot be made throws. */
async function runAll(suite, url, outDir, viaGateway) {
  if (!only.length) return runSuite(suite, url, outDir, undefined, viaGateway);
  const results = new Map();
  for (const sc of only) for (const [k, v] of await runSuite(suite, url, outDir, sc, viaGateway)) results.set(k, v);
  return results;
}

/** The suite through a fresh gateway in `mode` (a fresh one per suite version and mode; per scenario with --isolated). */
async function throughGateway(suite, mode, base, scenarios) {
  const dir = path.join(base, mode.key === 'a' ? 'a-pass-through' : 'b-namespaced');
  if (!isolated) {
    const g = await startGateway(mode);
    try { return await runAll(suite, g.url, dir, true); } finally { await stop(g.proc, path.join(dir, 'gateway.log')); }
  }
  const results = new Map();
  for (const sc of scenarios) {
    const g = await startGateway(mode);
    try { for (const [k, v] of await runSuite(suite, g.url, path.join(dir, sc), sc, true)) results.set(k, v); } finally { await stop(g.proc, path.join(dir, sc, 'gateway.log')); }
  }
  return results;
}

const t0 = Date.now();
let passed = 0;
let failed = 0;
const tables = [];
const problems = [];
const expected = [];
const known = new Map();
for (const s of SUITES) {
  const found = conformance(s.pkg);
  if (!found) { failed++; problems.push(`${s.pkg} is not installed (npm install: it is a devDependency)`); continue; }
  const suite = { ...s, ...found };
  const label = suite.version;
  const base = path.join(tmp, label);
  let direct;
  try {
    const d = await startDirect();
    try { direct = await runAll(suite, d.url, path.join(base, 'direct'), false); } finally { await stop(d.proc, path.join(base, 'direct', 'server-everything.log')); }
  } catch (err) {
    if (argv.values.suite && /Unknown suite/.test(err.message)) { console.log(`- [${label}] has no suite "${argv.values.suite}": skipped`); continue; }
    failed++;
    problems.push(`[${label}] server-everything could not be run directly: ${err.message}`);
    continue;
  }
  const through = {};
  for (const mode of MODES) {
    try {
      through[mode.key] = await throughGateway(suite, mode, base, only.length ? only : [...direct.keys()]);
    } catch (err) {
      // Counted below: every scenario that passes directly then fails through this mode.
      through[mode.key] = new Map();
      problems.push(`[${label}] the run through the gateway ${mode.title} could not be made: ${err.message}`);
    }
  }
  const rows = [];
  if (!only.length && !argv.values.suite) {
    for (const b of BASELINE) if (!direct.has(b)) { failed++; problems.push(`${b} [${label}]: not run directly, yet it is one server-everything must pass (did the suite change its selection?)`); }
  }
  for (const name of [...new Set([...direct.keys(), ...through.a.keys(), ...through.b.keys()])]) {
    const d = direct.get(name);
    const a = through.a.get(name);
    const b = through.b.get(name);
    const row = [name, cell(d, name), cell(a, name), cell(b, name)];
    rows.push(row);
    if (!d?.pass) {
      if (BASELINE.includes(name)) {
        failed++;
        row.push('FAIL: must pass directly');
        problems.push(`${name} [${label}]: server-everything itself fails it, yet it is one it must pass (is the direct run broken?): ${d ? failureText(d) : 'not run directly'}`);
      } else {
        row.push('expected failure (fails directly)');
        expected.push(`${name} [${label}]: ${d ? failureText(d).slice(0, 200) : 'not run directly'}`);
      }
      continue;
    }
    const bad = [];
    if (a?.pass) passed++;
    else { failed++; bad.push('(a)'); problems.push(`${name} [${label}] passes directly, fails through (a) pass-through: ${a ? failureText(a) : 'not run'}`); }
    const fixed = FIXED_NAMES.get(name);
    let note = '';
    if (fixed === undefined) {
      if (b?.pass) passed++;
      else { failed++; bad.push('(b)'); problems.push(`${name} [${label}] passes directly, fails through (b) namespaced: ${b ? failureText(b) : 'not run'}`); }
    } else if (b && !b.pass && failsForFixedName(b, fixed)) {
      row[3] = '✗ fixed name';
      note = ' (b: fixed name, listed)';
      known.set(name, [...known.get(name) ?? [], label]);
    } else {
      failed++;
      bad.push('(b)');
      problems.push(b?.pass
        ? `${name} [${label}] passes through (b) namespaced, yet FIXED_NAMES says it fails there for its fixed name "${fixed}": the list is out of date (or the gateway no longer namespaces)`
        : `${name} [${label}] fails through (b) namespaced, but not (only) for its fixed name "${fixed}": ${b ? failureText(b) : 'not run'}`);
    }
    row.push(bad.length ? `FAIL: ${bad.join(', ')}` : `ok${note}`);
  }
  tables.push({ label, rows });
}
clearTimeout(watchdog);

const header = ['scenario', 'direct', '(a) pass-through', '(b) namespaced', 'verdict'];
for (const { label, rows } of tables) {
  const all = [[`${header[0]} [${label}]`, ...header.slice(1)], ...rows];
  const width = header.map((_, i) => Math.max(...all.map(r => [...r[i]].length)));
  const line = r => `| ${r.map((c, i) => c + ' '.repeat(width[i] - [...c].length)).join(' | ')} |`;
  console.log(`\n${line(all[0])}\n| ${width.map(w => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}
console.log('\n✓* passes only vacuously: server-everything has no such tool or resource either (see FIXED_NAMES in this script).');
for (const [name, labels] of known) console.log(`known difference through (b) [${labels.join(', ')}]: ${fixedNameReason(name, FIXED_NAMES.get(name))}`);
console.log(`expected failures (they fail against server-everything directly, not counted): ${expected.length}`);
for (const e of expected) console.log(`  - ${e}`);
for (const p of problems) console.log(`✗ ${p}`);
const took = `gateway conformance: ${((Date.now() - t0) / 1000).toFixed(1)} s`;
if (failed) console.log(`${took}; results (checks.json per scenario, conformance-output.txt, gateway.log) in ${tmp}`);
else { console.log(took); rmSync(tmp, { recursive: true, force: true }); }
finish(passed, failed);
