// Trust and consent (issue 8, items 1, 2, 4 and 9): what a launch reaches into, what the
// fingerprint covers, and the start gate with a real server manager and real processes.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { ConsentGate, NO_CONSENT, NOT_TRUSTED, SUPERSEDED, type ConsentQuestion } from '../../src/host/consent.ts';
import { parseMcpConfig, resolveServers } from '../../src/host/config.ts';
import { describeForConsent, inspectLaunch, workspaceReach } from '../../src/host/launchTrust.ts';
import { ServerManager } from '../../src/host/manager.ts';
import type { ServerDefinition } from '../../src/host/types.ts';
import { descendants, fixture, waitForState } from './helpers.ts';

const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'mcph-trust-')));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A fresh workspace folder and a place outside it for markers. */
function workspace(): { ws: string; out: string } {
  const root = path.join(tmp, `case${++n}`);
  const ws = path.join(root, 'repo');
  const out = path.join(root, 'markers');
  mkdirSync(ws, { recursive: true });
  mkdirSync(out, { recursive: true });
  return { ws, out };
}

/** Resolves user-level definitions the way the extension and the CLI do. */
async function userDefs(servers: Record<string, unknown>, ws: string | undefined): Promise<ServerDefinition[]> {
  const parsed = parseMcpConfig(JSON.stringify({ servers }));
  const r = await resolveServers(parsed, 'user', { file: 'settings' }, { workspaceFolder: ws, env: process.env, resolveInput: async () => '' });
  assert.deepEqual(r.problems, []);
  return r.definitions;
}

function executable(file: string, body: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  chmodSync(file, 0o755);
  return file;
}

describe('what a launch reaches into (item 1)', () => {
  test('a user server whose command, argument, cwd, envFile or environment lies in the workspace reaches it', async () => {
    const { ws } = workspace();
    const defs = await userDefs({
      venv: { command: '${workspaceFolder}/.venv/bin/python', args: ['-m', 'srv'] },
      script: { command: 'node', args: ['${workspaceFolder}/server.js'] },
      flag: { command: 'node', args: ['--require=${workspaceFolder}/hook.js', 'x'] },
      cwd: { command: 'node', args: ['x.js'], cwd: '${workspaceFolder}/tools' },
      envFile: { command: 'node', args: ['x.js'], envFile: '${workspaceFolder}/.env' },
      env: { command: 'node', args: ['x.js'], env: { NODE_OPTIONS: '--require ${workspaceFolder}/evil.js' } },
      path: { command: 'npx', args: ['x'], env: { PATH: '${workspaceFolder}/bin:/usr/bin' } },
      plain: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] },
      other: { command: 'node', args: [`${ws}-other/server.js`] },
    }, ws);
    const reach = Object.fromEntries(defs.map(d => [d.name, workspaceReach(d, [ws]).map(r => r.role)]));
    assert.deepEqual(reach, {
      venv: ['command'], script: ['argument'], flag: ['argument'], cwd: ['cwd'], envFile: ['envFile'],
      env: ['environment'], path: ['PATH'], plain: [], other: [],
    });
  });

  test('the home directory (or a folder holding it) opened as a workspace does not make every user server "use" it', async () => {
    const [def] = await userDefs({ s: { command: '/usr/bin/env', args: ['node', 'x.js'] } }, os.homedir());
    assert.deepEqual(workspaceReach(def!, [os.homedir()]), []);
    assert.deepEqual(workspaceReach(def!, ['/']), []);
    assert.equal((await inspectLaunch(def!, { folders: [os.homedir(), '/'] })).needsConsent, false);
  });

  test('a user server runs in the home directory unless it says otherwise, and relative paths resolve there', async () => {
    const { ws } = workspace();
    const [def] = await userDefs({ rel: { command: 'node', args: ['x.js'], cwd: 'sub', envFile: '.env' } }, ws);
    assert.ok(def!.launch.type === 'stdio');
    assert.equal(def!.launch.cwd, path.join(os.homedir(), 'sub'));
    assert.equal(def!.launch.envFile, path.join(os.homedir(), '.env'));
    assert.deepEqual(workspaceReach(def!, [ws]), []);
  });
});

describe('the launch fingerprint and the consent text (item 2)', () => {
  test('the fingerprint changes with the envFile\'s contents and with a workspace executable\'s contents', async () => {
    const { ws } = workspace();
    writeFileSync(path.join(ws, '.env'), 'A=1\nB=2\n');
    const tool = executable(path.join(ws, 'bin', 'tool'), '#!/bin/sh\necho one\n');
    const [def] = await userDefs({ s: { command: tool, envFile: '${workspaceFolder}/.env' } }, ws);
    const first = await inspectLaunch(def!, { folders: [ws] });
    assert.equal(first.needsConsent, true);
    assert.deepEqual(first.envFileVariables, ['A', 'B']);
    assert.equal((await inspectLaunch(def!, { folders: [ws] })).fingerprint, first.fingerprint, 'stable when nothing changed');
    writeFileSync(path.join(ws, '.env'), 'A=1\nB=2\nNODE_OPTIONS=--require ./evil.js\n');
    const second = await inspectLaunch(def!, { folders: [ws] });
    assert.notEqual(second.fingerprint, first.fingerprint, 'a changed envFile asks again');
    assert.ok(second.reach.some(r => r.role === 'envFile'));
    writeFileSync(tool, '#!/bin/sh\necho two\n');
    const third = await inspectLaunch(def!, { folders: [ws] });
    assert.notEqual(third.fingerprint, second.fingerprint, 'a changed workspace executable asks again');
    const detail = describeForConsent(def!, third);
    assert.match(detail, /environment file: .*\.env \(sets A, B, NODE_OPTIONS\)/);
    assert.ok(!detail.includes('--require ./evil.js'), 'values are not shown, only names');
  });

  test('a new token does not ask again; a changed NODE_OPTIONS does', async () => {
    const { ws } = workspace();
    // The values come from the environment, as a token would (the entry itself is unchanged).
    const fp = async (vars: Record<string, string>) => {
      const parsed = parseMcpConfig(JSON.stringify({ servers: { s: { command: 'node', args: ['x.js'], cwd: '${workspaceFolder}', env: { GITHUB_TOKEN: '${env:T}', NODE_OPTIONS: '${env:O}' } } } }));
      const r = await resolveServers(parsed, 'user', { file: 'settings' }, { workspaceFolder: ws, env: vars, resolveInput: async () => '' });
      return (await inspectLaunch(r.definitions[0]!, { folders: [ws] })).fingerprint;
    };
    const base = await fp({ T: 'one', O: '--max-old-space-size=100' });
    assert.equal(await fp({ T: 'two', O: '--max-old-space-size=100' }), base);
    assert.notEqual(await fp({ T: 'one', O: '--require ./evil.js' }), base);
  });

  test('a PATH from the envFile that makes a workspace file the executable is said', async () => {
    const { ws } = workspace();
    executable(path.join(ws, 'bin', 'npx'), '#!/bin/sh\nexit 0\n');
    writeFileSync(path.join(ws, '.env'), `PATH=${path.join(ws, 'bin')}:/usr/bin:/bin\n`);
    const [def] = await userDefs({ s: { command: 'npx', args: ['-y', 'pkg'], envFile: '${workspaceFolder}/.env' } }, ws);
    const i = await inspectLaunch(def!, { folders: [ws], baseEnv: { PATH: '/usr/bin:/bin' } });
    assert.equal(i.resolvedCommand, path.join(ws, 'bin', 'npx'));
    assert.equal(i.commandViaWorkspacePath, path.join(ws, 'bin'));
    assert.match(describeForConsent(def!, i), /"npx" resolves to .*\/bin\/npx, a file of the workspace, because the server's PATH starts with/);
  });

  test('a relative PATH entry is looked up in the server\'s working directory, as the OS would', async () => {
    const { ws } = workspace();
    executable(path.join(ws, 'node_modules', '.bin', 'npx'), '#!/bin/sh\nexit 0\n');
    const defs = await resolveServers(parseMcpConfig(JSON.stringify({ servers: { s: { command: 'npx', env: { PATH: 'node_modules/.bin:/usr/bin' } } } })),
      'workspace', { file: 'mcp.json', folder: ws }, { workspaceFolder: ws, env: {}, resolveInput: async () => '' });
    const i = await inspectLaunch(defs.definitions[0]!, { folders: [ws], baseEnv: { PATH: '/usr/bin' } });
    assert.equal(i.resolvedCommand, path.join(ws, 'node_modules', '.bin', 'npx'));
    assert.equal(i.commandViaWorkspacePath, 'node_modules/.bin');
  });
});

/** A gate whose questions the test answers. */
function gateWith(opts: { trusted: boolean; folders: string[] }) {
  const allowed = new Set<string>();
  const questions: Array<ConsentQuestion & { answer(v: boolean): void }> = [];
  const asked = { waiters: [] as Array<() => void> };
  const gate = new ConsentGate({
    store: { isAllowed: fp => allowed.has(fp), allow: async fp => { allowed.add(fp); } },
    ask: q => new Promise<boolean>(resolve => {
      questions.push({ ...q, answer: resolve });
      for (const w of asked.waiters.splice(0)) w();
    }),
    isTrusted: () => opts.trusted,
    folders: () => opts.folders,
  });
  // A safety net, not a speed check: a question that never comes fails with its name.
  const nextQuestion = async (i: number) => {
    const give = AbortSignal.timeout(20_000);
    while (questions.length <= i) {
      await new Promise<void>((resolve, reject) => {
        asked.waiters.push(resolve);
        give.addEventListener('abort', () => reject(new Error(`question ${i + 1} was never asked (${questions.length} asked)`)), { once: true });
      });
    }
    return questions[i]!;
  };
  return { gate, allowed, questions, nextQuestion };
}

describe('the start gate with real servers (items 1 and 9)', () => {
  test('untrusted: user servers that use the workspace never run; one that does not, runs', async () => {
    const { ws, out } = workspace();
    const marker1 = path.join(out, 'venv-ran');
    const marker2 = path.join(out, 'envfile-ran');
    executable(path.join(ws, '.venv', 'bin', 'python'), `#!/bin/sh\necho ran > ${marker1}\nexec sleep 30\n`);
    writeFileSync(path.join(ws, 'evil.cjs'), `require('node:fs').writeFileSync(${JSON.stringify(marker2)}, 'ran');\n`);
    writeFileSync(path.join(ws, '.env'), `NODE_OPTIONS=--require ${path.join(ws, 'evil.cjs')}\n`);
    const defs = await userDefs({
      venv: { command: '${workspaceFolder}/.venv/bin/python', args: ['-m', 'server'] },
      envfile: { command: process.execPath, args: [fixture('scripted.mjs')], envFile: '${workspaceFolder}/.env' },
      innocent: { command: process.execPath, args: [fixture('scripted.mjs')] },
    }, ws);
    const { gate, questions } = gateWith({ trusted: false, folders: [ws] });
    const m = new ServerManager({ gate: gate.gate });
    try {
      m.setDefinitions(defs, { autoStart: false });
      await Promise.all(m.servers.map(s => s.start()));
      const states = Object.fromEntries(m.servers.map(s => [s.definition.name, s.state]));
      assert.deepEqual(states.venv, { kind: 'stopped', reason: NOT_TRUSTED });
      assert.deepEqual(states.envfile, { kind: 'stopped', reason: NOT_TRUSTED });
      assert.equal(states.innocent!.kind, 'running');
      assert.equal(questions.length, 0, 'nothing is asked in an untrusted workspace');
      assert.ok(!existsSync(marker1) && !existsSync(marker2), 'no workspace code ran');
    } finally {
      await m.dispose();
    }
    assert.deepEqual(descendants(), []);
  });

  test('trusted: a user server that uses the workspace asks first, showing what will run', async () => {
    const { ws } = workspace();
    writeFileSync(path.join(ws, '.env'), 'TOKEN_NAME=x\n');
    const defs = await userDefs({ s: { command: process.execPath, args: [fixture('scripted.mjs')], envFile: '${workspaceFolder}/.env' } }, ws);
    const { gate, nextQuestion, allowed } = gateWith({ trusted: true, folders: [ws] });
    const m = new ServerManager({ gate: gate.gate });
    try {
      m.setDefinitions(defs, { autoStart: true });
      const q = await nextQuestion(0);
      assert.match(q.detail, /scripted\.mjs/);
      assert.match(q.detail, /environment file: .*\.env \(sets TOKEN_NAME\)/);
      assert.match(q.detail, /uses the workspace folder/);
      q.answer(true);
      await waitForState(m.servers[0]!, 'running');
      assert.equal(allowed.size, 1);
    } finally {
      await m.dispose();
    }
  });

  test('a refusal holds for background starts; an explicit start asks again', async () => {
    const { ws } = workspace();
    const defs = await userDefs({ s: { command: process.execPath, args: [fixture('scripted.mjs')], cwd: '${workspaceFolder}' } }, ws);
    const { gate, nextQuestion } = gateWith({ trusted: true, folders: [ws] });
    const m = new ServerManager({ gate: gate.gate });
    try {
      m.setDefinitions(defs, { autoStart: false });
      const s = m.servers[0]!;
      const first = s.start();
      (await nextQuestion(0)).answer(false);
      await first;
      assert.deepEqual(s.state, { kind: 'stopped', reason: NO_CONSENT });
      await s.start();
      assert.deepEqual(s.state, { kind: 'stopped', reason: NO_CONSENT }, 'not asked again on its own');
      gate.forgetRefusal(s.definition);
      const again = s.start();
      (await nextQuestion(1)).answer(true);
      await again;
      assert.equal(s.state.kind, 'running');
    } finally {
      await m.dispose();
    }
  });

  test('editing a definition while its question is open: the old answer approves nothing; the new one is asked and started (item 9)', async () => {
    const { ws, out } = workspace();
    const counterOld = path.join(out, 'old');
    const counterNew = path.join(out, 'new');
    const folderDefs = (counter: string) => resolveServers(
      parseMcpConfig(JSON.stringify({ servers: { s: { command: process.execPath, args: [fixture('scripted.mjs')], env: { COUNTER: counter } } } })),
      'workspace', { file: path.join(ws, '.vscode', 'mcp.json'), folder: ws }, { workspaceFolder: ws, env: {}, resolveInput: async () => '' },
    ).then(r => r.definitions);
    const { gate, nextQuestion, allowed } = gateWith({ trusted: true, folders: [ws] });
    const m = new ServerManager({ gate: gate.gate });
    try {
      m.setDefinitions(await folderDefs(counterOld), { autoStart: true });
      const s = m.servers[0]!;
      const oldQ = await nextQuestion(0);
      assert.match(oldQ.detail, new RegExp(`COUNTER`));
      // The user edits mcp.json while the dialog is open.
      m.setDefinitions(await folderDefs(counterNew), { autoStart: true });
      assert.equal(oldQ.signal.aborted, true, 'the old question no longer matters');
      oldQ.answer(true);
      const newQ = await nextQuestion(1);
      assert.ok(newQ.definition.launch.type === 'stdio' && newQ.definition.launch.env.COUNTER === counterNew, 'the new definition is the one asked about');
      assert.equal(allowed.size, 0, 'the answer about the old definition approved nothing');
      newQ.answer(true);
      const running = await waitForState(s, 'running');
      assert.equal(running.kind, 'running');
      assert.ok(existsSync(counterNew), 'the new definition runs');
      assert.ok(!existsSync(counterOld), 'the old one never ran');
      assert.equal(allowed.size, 1);
    } finally {
      await m.dispose();
    }
    assert.deepEqual(descendants(), []);
  });

  test('a reload while the question is open (Add Server writes mcp.json) hands over an equal definition: the start goes on', async () => {
    const { ws } = workspace();
    const defs = () => resolveServers(
      parseMcpConfig(JSON.stringify({ servers: { s: { command: process.execPath, args: [fixture('scripted.mjs')] } } })),
      'workspace', { file: path.join(ws, '.vscode', 'mcp.json'), folder: ws }, { workspaceFolder: ws, env: {}, resolveInput: async () => '' },
    ).then(r => r.definitions);
    const { gate, nextQuestion } = gateWith({ trusted: true, folders: [ws] });
    const m = new ServerManager({ gate: gate.gate });
    try {
      m.setDefinitions(await defs(), { autoStart: true });
      const q = await nextQuestion(0);
      m.setDefinitions(await defs(), { autoStart: true }); // new objects, same launch
      assert.equal(q.signal.aborted, false, 'an equal definition is not a change');
      q.answer(true);
      await waitForState(m.servers[0]!, 'running');
    } finally {
      await m.dispose();
    }
  });

  test('a stop while the question is open discards the answer', async () => {
    const { ws } = workspace();
    const defs = await userDefs({ s: { command: process.execPath, args: [fixture('scripted.mjs')], cwd: '${workspaceFolder}' } }, ws);
    const { gate, nextQuestion, allowed } = gateWith({ trusted: true, folders: [ws] });
    const m = new ServerManager({ gate: gate.gate });
    try {
      m.setDefinitions(defs, { autoStart: false });
      const s = m.servers[0]!;
      const started = s.start();
      const q = await nextQuestion(0);
      await s.stop();
      q.answer(true);
      await started;
      assert.deepEqual(s.state, { kind: 'stopped' });
      assert.equal(allowed.size, 0);
      // Not a refusal either: the next start asks.
      const again = s.start();
      (await nextQuestion(1)).answer(true);
      await again;
      assert.equal(s.state.kind, 'running');
    } finally {
      await m.dispose();
    }
  });
});

test('SUPERSEDED is what an aborted question returns', async () => {
  const { ws } = workspace();
  const [def] = await userDefs({ s: { command: 'node', cwd: '${workspaceFolder}' } }, ws);
  const { gate, nextQuestion } = gateWith({ trusted: true, folders: [ws] });
  const ac = new AbortController();
  const result = gate.gate(def!, ac.signal);
  const q = await nextQuestion(0);
  ac.abort();
  q.answer(true);
  assert.equal(await result, SUPERSEDED);
});
