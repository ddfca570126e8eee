// Process helpers for the e2e harness and the demo: free ports, process groups, and a
// cleanup that kills a whole tree (by pid, never by name) and reports what survived.
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (or `preferred` when it is free). */
export async function freePort(preferred) {
  const tryPort = (port) =>
    new Promise((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, '127.0.0.1', () => {
        const p = srv.address().port;
        srv.close(() => resolve(p));
      });
    });
  if (preferred) {
    const p = await tryPort(preferred);
    if (p) return p;
  }
  return tryPort(0);
}

/** Parses /proc into Map<pid, {ppid, pgid, state}>. */
export function processTable() {
  const table = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), { state: rest[0], ppid: Number(rest[1]), pgid: Number(rest[2]) });
    } catch {
      /* exited meanwhile */
    }
  }
  return table;
}

/** `pid`, all its descendants, and every member of the process groups `pgids`. */
export function treeOf(pid, pgids = []) {
  const table = processTable();
  const out = new Set();
  if (table.has(pid)) out.add(pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, info] of table) {
      if (!out.has(p) && (out.has(info.ppid) || pgids.includes(info.pgid))) {
        out.add(p);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * Pids of the processes whose environment has `name=value` (readable for our own user).
 * Tag a run by setting a unique value in process.env before starting anything: every
 * descendant inherits it, even the ones that detach (Chromium's crashpad handler double-
 * forks away from the tree) - unless a process replaces its environment.
 */
export function processesWithEnv(name, value) {
  const needle = `${name}=${value}`;
  const out = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle)) out.push(Number(entry));
    } catch {
      /* gone or not ours */
    }
  }
  return out.filter(isAlive);
}

/** Waits up to timeoutMs for the pids to exit by themselves; resolves to those still alive. */
export async function waitExit(pids, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && pids.some(isAlive)) await sleep(100);
  return pids.filter(isAlive);
}

/** True when the process exists and is not a zombie. */
export function isAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export function describe(pids) {
  if (pids.length === 0) return '';
  try {
    return execFileSync('ps', ['-o', 'pid,ppid,pgid,stat,args', '-p', pids.join(',')], { encoding: 'utf8' });
  } catch {
    return pids.join(' ');
  }
}

/**
 * Starts a command as the leader of a new process group, its output appended to logFile.
 * Returns the ChildProcess (with `.pgid`).
 */
export function spawnGroup(cmd, args, { env, cwd, logFile } = {}) {
  const fd = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
  if (typeof fd === 'number') fs.closeSync(fd);
  child.pgid = child.pid;
  spawnedGroups.add(child);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/** Every group leader spawnGroup() started in this process (for a last-resort cleanup). */
export const spawnedGroups = new Set();

/** Kills every group spawnGroup() started (and their trees); resolves to survivors. */
export async function killSpawnedGroups() {
  const left = [];
  for (const child of [...spawnedGroups]) {
    spawnedGroups.delete(child);
    const members = [...processTable().entries()].filter(([, i]) => i.pgid === child.pgid).map(([p]) => p);
    if (members.length === 0) continue;
    left.push(...(await killTree(child.pid, { pgid: child.pgid, graceMs: 3000, extraPids: members })));
  }
  return left;
}

/**
 * Kills a process tree: remembers every descendant and group member, sends SIGTERM to the
 * group and to each remembered pid, waits up to graceMs, then SIGKILLs what is left.
 * `extraPids` are more processes that belong to the tree (e.g. a snapshot taken earlier).
 * Resolves to the pids that are still alive afterwards (should be []).
 */
export async function killTree(pid, { pgid = pid, graceMs = 5000, extraPids = [] } = {}) {
  if (!pid) return [];
  const members = new Set([...treeOf(pid, [pgid]), ...extraPids]);
  const signal = (sig) => {
    // Signal the group only while it has members (a pgid cannot be reused until then).
    if ([...processTable().values()].some((i) => i.pgid === pgid && i.state !== 'Z')) {
      try {
        process.kill(-pgid, sig);
      } catch {
        /* group gone */
      }
    }
    for (const p of members) {
      try {
        if (isAlive(p)) process.kill(p, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && [...members].some(isAlive)) {
    // Children may have spawned in between: keep adding them.
    for (const p of [...members]) if (isAlive(p)) for (const q of treeOf(p)) members.add(q);
    await sleep(100);
  }
  if ([...members].some(isAlive)) {
    signal('SIGKILL');
    await sleep(500);
  }
  return [...members].filter(isAlive);
}

/** SIGTERM, then SIGKILL after graceMs, for each listed pid; resolves to the survivors. */
export async function killPids(pids, { graceMs = 3000 } = {}) {
  const live = () => pids.filter(isAlive);
  for (const p of live()) {
    try { process.kill(p, 'SIGTERM'); } catch { /* gone */ }
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && live().length) await sleep(100);
  for (const p of live()) {
    try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  }
  if (live().length) await sleep(500);
  return live();
}

/** Polls fn() until it returns a truthy value or timeoutMs passes (then throws `what`). */
export async function waitFor(fn, { timeoutMs = 30000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${lastError.message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}
