// Where a worker's client CPU goes: runs one worker config under `node --cpu-prof` per
// client given, and prints self time per call by source file and by function (dist/core.js
// is bundled unminified; its `// src/…` comments map a line back to its source file),
// side by side, largest difference first. For finding what a code path adds, not a figure
// for the report.
//   node test/bench/profile.mjs '{"server":"stateless","scenario":"seq","n":20000}' stateful stateless
//   PROFILE_INTERVAL_US=25 (default) PROFILE_TOP=40 (default) PROFILE_KEEP=1 (keep the .cpuprofile files)
//   PROFILE_PIN=1 (pin to one CPU with the server, as the latency runs are; off by default:
//   the profiler's samples are wall time, so a client preempted by its server on the same
//   CPU gets the server's time charged to whatever frame it was in, mostly the pipe write)

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const [cfgText, ...clients] = process.argv.slice(2);
if (!cfgText || !clients.length) {
  console.error("usage: node test/bench/profile.mjs '<worker config JSON>' CLIENT [CLIENT…]");
  process.exit(2);
}
const cfg = JSON.parse(cfgText);
const interval = Number(process.env.PROFILE_INTERVAL_US ?? 25);
const top = Number(process.env.PROFILE_TOP ?? 40);
const pin = !!process.env.PROFILE_PIN && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

execFileSync(process.execPath, ['esbuild.mjs', '--no-types'], { cwd: repo, stdio: 'ignore' });
const bundle = path.join(repo, 'dist/core.js');
// Line → source file, from esbuild's section comments.
const sections = [];
readFileSync(bundle, 'utf8').split('\n').forEach((line, i) => { const m = /^\/\/ (src\/\S+|node_modules\/\S+)$/.exec(line); if (m) sections.push([i, m[1]]); });
const sourceOf = line => { let s = 'dist/core.js'; for (const [at, file] of sections) { if (at > line) break; s = file; } return s; };

function where(frame) {
  const url = frame.url ?? '';
  if (url.endsWith('/dist/core.js')) return sourceOf(frame.lineNumber);
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const nm = url.indexOf('node_modules/');
  return nm >= 0 ? url.slice(nm) : path.relative(repo, fileURLToPath(url));
}

/** Self time (µs) per call by file and by function, and the calls the worker made. */
function profile(client) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcph-prof-'));
  const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${interval}`, path.join(here, 'worker.mjs'), JSON.stringify({ ...cfg, client })];
  const r = pin ? spawnSync('taskset', ['-c', '0', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const result = JSON.parse(r.stdout.trim().split('\n').pop());
  if (result.error) throw new Error(`${client}: ${result.error}`);
  const file = readdirSync(dir).find(f => f.endsWith('.cpuprofile'));
  const prof = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  if (!process.env.PROFILE_KEEP) rmSync(dir, { recursive: true, force: true });
  else console.error(`${client}: ${path.join(dir, file)}`);
  const byId = new Map(prof.nodes.map(n => [n.id, n]));
  const ticks = new Map();
  for (let i = 0; i < prof.samples.length; i++) ticks.set(prof.samples[i], (ticks.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const calls = (cfg.warmup ?? 2000) + (cfg.n ?? 3000);
  const files = new Map(), fns = new Map();
  for (const [id, us] of ticks) {
    const f = byId.get(id).callFrame;
    if (f.functionName === '(idle)') continue;
    const w = where(f);
    files.set(w, (files.get(w) ?? 0) + us / calls);
    const key = `${f.functionName || '(anonymous)'}  ${w}${f.url.endsWith('/dist/core.js') ? `:${f.lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us / calls);
  }
  return { result, files, fns, total: [...files.values()].reduce((a, b) => a + b, 0) };
}

const runs = clients.map(c => [c, profile(c)]);
const table = (title, pick) => {
  const keys = new Set(runs.flatMap(([, p]) => [...pick(p).keys()]));
  const rows = [...keys].map(k => [k, runs.map(([, p]) => pick(p).get(k) ?? 0)]);
  const spread = vs => Math.max(...vs) - Math.min(...vs);
  rows.sort((a, b) => runs.length > 1 ? spread(b[1]) - spread(a[1]) : b[1][0] - a[1][0]);
  console.log(`\n${title} (self µs per call${runs.length > 1 ? ', largest difference first' : ''})`);
  console.log(`${clients.map(c => c.padStart(11)).join('')}${runs.length > 1 ? '       diff' : ''}  `);
  for (const [k, vs] of rows.slice(0, top)) console.log(`${vs.map(v => v.toFixed(2).padStart(11)).join('')}${runs.length > 1 ? (vs[vs.length - 1] - vs[0]).toFixed(2).padStart(11) : ''}  ${k}`);
};
for (const [c, p] of runs) console.log(`${c}: ${JSON.stringify(p.result)}; profiled ${p.total.toFixed(1)} µs/call (calls include the warm-up)`);
table('By source file', p => p.files);
table('By function', p => p.fns);
