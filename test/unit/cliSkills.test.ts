// `mcp-host skills` and `mcp-host skill` against the in-test skills server (in-process,
// through main()) and against the official SDK's SkillsExtension (a real process, both
// protocol revisions): listing reads nothing, showing reads SKILL.md only, --save writes
// the verified files and a refused skill exits 5 with nothing written.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { cli, run, show } from './cliHarness.ts';
import { repo } from './helpers.ts';
import { SkillsServer, skill, type SkillsServerOptions } from './skillsServer.ts';

const temps: string[] = [];
after(() => { for (const t of temps) rmSync(t, { recursive: true, force: true }); });
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'mcp-host-cli-skills-'));
  temps.push(d);
  return d;
}

const PDF = () => skill('pdf-processing', 'Extract, fill, and assemble PDF documents', { 'references/FORMS.md': 'Forms.\n' });

async function serve(opts: Partial<SkillsServerOptions> = {}) {
  const server = await SkillsServer.start({ skills: [PDF(), skill('notes', 'Take notes\nover two lines')], ...opts });
  return Object.assign(server, { async [Symbol.asyncDispose]() { await server.close(); } });
}

test('skills lists name, files, URI and description, and reads no file', async () => {
  await using s = await serve();
  const r = await run(['skills', '--url', s.url]);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, [
    'NAME            FILES  URI                              DESCRIPTION',
    'pdf-processing  2      skill://pdf-processing/SKILL.md  Extract, fill, and assemble PDF documents',
    'notes           1      skill://notes/SKILL.md           Take notes over two lines',
    '',
  ].join('\n'));
  assert.deepEqual(s.reads, []);
  const json = await run(['skills', '--json', '--url', s.url]);
  const parsed = JSON.parse(json.stdout);
  assert.deepEqual(parsed.skills.map((e: { uri: string }) => e.uri), ['skill://pdf-processing/SKILL.md', 'skill://notes/SKILL.md']);
  assert.deepEqual(parsed.refused, []);
  assert.deepEqual(s.reads, []);
});

test('skills reports refused entries on stderr; a server without skills is not an error', async () => {
  await using s = await serve({ extra: [{ uri: 'skill://Bad/SKILL.md', frontmatter: { name: 'Bad', description: 'd' }, resources: [] }] });
  const r = await run(['skills', '--url', s.url]);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stderr, /mcp-host: 127\.0\.0\.1:\d+\/mcp › skills\/list: refused entry #2 \(skill:\/\/Bad\/SKILL\.md\): its name "Bad" is not 1-64 lowercase letters/);
  await using none = await serve({ declare: false });
  const n = await run(['skills', '--url', none.url]);
  assert.equal(n.code, 0, show(n));
  assert.match(n.stderr, /does not offer skills\./);
  const one = await run(['skill', 'pdf-processing', '--url', none.url]);
  assert.equal(one.code, 2, show(one));
  assert.match(one.stderr, /does not offer skills \(it does not declare the io\.modelcontextprotocol\/skills extension\)/);
});

test('skill NAME prints SKILL.md verified, having read only SKILL.md', async () => {
  await using s = await serve();
  const r = await run(['skill', 'pdf-processing', '--url', s.url]);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, PDF().files['SKILL.md']);
  assert.match(r.stderr, /skill "pdf-processing": SKILL\.md verified \(size, sha-256 digest, frontmatter\); 2 files listed/);
  assert.deepEqual(s.reads, ['skill://pdf-processing/SKILL.md']);
  // By URI, too; a misspelt name is a usage error that lists the skills.
  const byUri = await run(['skill', 'skill://notes/SKILL.md', '--json', '--url', s.url]);
  assert.equal(byUri.code, 0, show(byUri));
  assert.equal(JSON.parse(byUri.stdout).verified, true);
  const miss = await run(['skill', 'pdf', '--url', s.url]);
  assert.equal(miss.code, 2, show(miss));
  assert.match(miss.stderr, /has no skill named "pdf" \(its skills: pdf-processing, notes\)/);
});

test('skill NAME --save DIR writes DIR/<name>/ with every verified file', async () => {
  await using s = await serve();
  const dir = path.join(tempDir(), 'skills');
  const r = await run(['skill', 'pdf-processing', '--save', dir, '--url', s.url]);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stderr, /skill "pdf-processing": 2 files verified and saved to .*skills[/\\]pdf-processing/);
  assert.equal(readFileSync(path.join(dir, 'pdf-processing', 'references', 'FORMS.md'), 'utf8'), 'Forms.\n');
  assert.deepEqual(s.reads, ['skill://pdf-processing/SKILL.md', 'skill://pdf-processing/references/FORMS.md']);
  // Again: the folder is there; kept without --force (exit 2), replaced with it.
  const again = await run(['skill', 'pdf-processing', '--save', dir, '--url', s.url]);
  assert.equal(again.code, 2, show(again));
  assert.match(again.stderr, /already exists \(replace it with --force, or choose another folder\)/);
  const forced = await run(['skill', 'pdf-processing', '--save', dir, '--force', '--url', s.url]);
  assert.equal(forced.code, 0, show(forced));
  assert.match(forced.stderr, /replacing the folder that was there/);
});

for (const [mode, serveFile, message] of [
  ['digest', (t: string) => t.replace('Use this skill well.', 'Use this skill EVIL.'), /SKILL\.md has digest sha256:[0-9a-f]{64}, but its entry says sha256:/],
  ['size', (t: string) => `${t}more\n`, /SKILL\.md is \d+ bytes, but its entry says \d+/],
] as const) {
  test(`skill --save of a skill whose SKILL.md fails the ${mode} check exits 5, reads nothing more and writes nothing`, async () => {
    await using s = await serve({ serve: uri => uri === 'skill://pdf-processing/SKILL.md' ? { text: serveFile(PDF().files['SKILL.md'] as string) } : undefined });
    const dir = tempDir();
    const r = await run(['skill', 'pdf-processing', '--save', dir, '--url', s.url]);
    assert.equal(r.code, 5, show(r));
    assert.match(r.stderr, /mcp-host: 127\.0\.0\.1:\d+\/mcp › skill "pdf-processing" failed verification: /);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /; nothing was saved\n/);
    assert.deepEqual(s.reads, ['skill://pdf-processing/SKILL.md']);
    assert.deepEqual(readdirSync(dir), []);
  });
}

test('skill (without --save) of a tampered SKILL.md prints nothing of it and exits 5', async () => {
  await using s = await serve({ serve: uri => uri === 'skill://pdf-processing/SKILL.md' ? { text: '---\nname: pdf-processing\ndescription: Exfiltrate credentials\n---\n' } : undefined });
  const r = await run(['skill', 'pdf-processing', '--url', s.url]);
  assert.equal(r.code, 5, show(r));
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /failed verification: /);
});

test('--save, --force and the subject are checked as for the other commands', async () => {
  const noName = await run(['skill', '--url', 'http://127.0.0.1:9/mcp']);
  assert.equal(noName.code, 2);
  assert.match(noName.stderr, /skill needs a NAME_OR_URI/);
  const saveOnList = await run(['skills', '--save', 'x', '--url', 'http://127.0.0.1:9/mcp']);
  assert.equal(saveOnList.code, 2);
  assert.match(saveOnList.stderr, /--save is only for call, read, prompt and skill/);
  const help = await run(['skill', '--help']);
  assert.match(help.stdout, /--save DIR {4}read and verify every file of the skill, SKILL\.md first/);
  assert.match((await run(['--help'])).stdout, /mcp-host skill NAME_OR_URI \[--save DIR \[--force\]\] TARGET/);
});

test('with the official SDK\'s skills server (a real process), in both revisions: list, show, save byte for byte', async () => {
  const root = tempDir();
  const skillDir = path.join(root, 'pdf-processing');
  mkdirSync(path.join(skillDir, 'references'), { recursive: true });
  const md = '---\nname: pdf-processing\ndescription: Extract, fill, and assemble PDF documents\nmetadata:\n  author: someone\n---\n\n# PDF\n\nSee [forms](references/FORMS.md).\n';
  writeFileSync(path.join(skillDir, 'SKILL.md'), md);
  writeFileSync(path.join(skillDir, 'references', 'FORMS.md'), 'Forms.\n');
  const server = ['--', process.execPath, path.join(repo, 'test/fixtures/servers/skills-sdk.mjs'), root];
  for (const version of [[], ['--protocol-version', '2025-11-25']]) {
    const listed = await cli(['skills', ...version, '--verbose', ...server]);
    assert.equal(listed.code, 0, show(listed));
    assert.match(listed.stdout, /^pdf-processing {2}2 {6}skill:\/\/pdf-processing\/SKILL\.md {2}Extract/m);
    assert.match(listed.stderr, version.length ? /protocol 2025-11-25, stateful/ : /protocol 2026-07-28, stateless/);
    const shown = await cli(['skill', 'pdf-processing', ...version, ...server]);
    assert.equal(shown.code, 0, show(shown));
    assert.equal(shown.stdout, md);
    const out = path.join(tempDir(), 'saved');
    const saved = await cli(['skill', 'pdf-processing', '--save', out, ...version, ...server]);
    assert.equal(saved.code, 0, show(saved));
    assert.equal(readFileSync(path.join(out, 'pdf-processing', 'SKILL.md'), 'utf8'), md);
    assert.equal(readFileSync(path.join(out, 'pdf-processing', 'references', 'FORMS.md'), 'utf8'), 'Forms.\n');
    assert.ok(!existsSync(path.join(out, '.pdf-processing')));
  }
});
