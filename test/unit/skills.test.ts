// Skills (SEP-2640) against an in-test skills server: nothing is fetched before it is
// asked for; every file is verified against its entry (size, digest, frontmatter), an
// unlisted file is never read, entries that break the rules are refused before any read;
// a skill is saved only whole and only verified, and a refusal writes nothing.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { McpClient } from '../../src/protocol/client.ts';
import { SKILL_LIMITS, checkEntry, listSkills, offersSkills, skillLayout, type SkillEntry } from '../../src/protocol/skills.ts';
import { SkillVerificationError, frontmatterDifferences, readSkillFile } from '../../src/protocol/skillVerify.ts';
import { SkillRefusedError, fetchVerifiedSkill, findSkill, openSkillManifest, saveSkill } from '../../src/host/skills.ts';
import { StreamableHttpTransport } from '../../src/transports/http.ts';
import { SkillsServer, digestOf, skill, skillMd, type SkillsServerOptions } from './skillsServer.ts';

const temps: string[] = [];
after(() => { for (const t of temps) rmSync(t, { recursive: true, force: true }); });
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'mcp-host-skills-'));
  temps.push(d);
  return d;
}

const PDF = () => skill('pdf-processing', 'Extract, fill, and assemble PDF documents', {
  'references/FORMS.md': 'How to fill forms.\n',
  'scripts/fill.py': 'print("fill")\n',
});

async function connect(opts: SkillsServerOptions) {
  const server = await SkillsServer.start(opts);
  const client = await McpClient.create(new StreamableHttpTransport({ url: server.url, mode: 'streamable' }), {
    name: 'skills-test', clientInfo: { name: 'test', version: '1' }, requestTimeoutMs: 20_000,
  });
  return {
    server, client,
    async [Symbol.asyncDispose]() { await client.close(); await server.close(); },
  };
}

test('connecting and listing fetch no skill file; a file is read only when asked for', async () => {
  await using s = await connect({ skills: [PDF(), skill('notes', 'Take notes')] });
  assert.ok(offersSkills(s.client.capabilities));
  assert.ok(!s.server.methods.includes('skills/list'), 'connecting does not list skills');
  const listing = await listSkills(s.client);
  assert.deepEqual(listing.skills.map(e => e.frontmatter.name), ['pdf-processing', 'notes']);
  assert.deepEqual(listing.refused, []);
  assert.equal(s.server.reads.length, 0, 'listing reads no file');
  // Opening reads exactly SKILL.md.
  const manifest = await openSkillManifest(s.client, listing.skills[0]!);
  assert.deepEqual(s.server.reads, ['skill://pdf-processing/SKILL.md']);
  assert.equal(manifest.frontmatter.name, 'pdf-processing');
  assert.equal(manifest.verified, true);
  assert.match(manifest.body, /Use this skill well/);
});

test('skills/list is followed over every page', async () => {
  const defs = Array.from({ length: 7 }, (_, i) => skill(`skill-${i}`, `Skill ${i}`));
  await using s = await connect({ skills: defs, pageSize: 3 });
  const listing = await listSkills(s.client);
  assert.equal(listing.skills.length, 7);
  assert.equal(s.server.methods.filter(m => m === 'skills/list').length, 3);
});

test('a server without the extension has no skills to list', async () => {
  await using s = await connect({ skills: [PDF()], declare: false });
  assert.equal(offersSkills(s.client.capabilities), false);
  await assert.rejects(listSkills(s.client), /does not offer skills/);
  assert.ok(!s.server.methods.includes('skills/list'));
});

/** The refusal of saving the pdf skill when the server serves `tamper(uri)` instead; nothing must be written. */
async function refusedSave(opts: Partial<SkillsServerOptions>) {
  const s = await connect({ skills: [PDF()], ...opts });
  const parent = path.join(tempDir(), 'skills');
  try {
    const listing = await listSkills(s.client);
    const entry = await findSkill(s.client, listing, 'pdf-processing');
    const err = await saveSkill(s.client, entry, parent).then(() => assert.fail('the save should have been refused'), e => e as SkillRefusedError);
    assert.ok(err instanceof SkillRefusedError, String(err));
    assert.ok(!existsSync(parent), 'nothing is written: not even the parent folder');
    return { err, reads: [...s.server.reads] };
  } finally {
    await s.client.close();
    await s.server.close();
  }
}

test('a SKILL.md whose bytes differ from its digest (same size) refuses the skill before any other file is read', async () => {
  const { err, reads } = await refusedSave({ serve: uri => uri.endsWith('/SKILL.md') ? { text: PDF().files['SKILL.md']!.toString().replace('Use this skill well.', 'Use this skill EVIL.') } : undefined });
  assert.equal(err.reason, 'verification');
  assert.equal((err.cause as SkillVerificationError).reason, 'digest');
  assert.match(err.message, /^skills-test › skill "pdf-processing" failed verification: skill:\/\/pdf-processing\/SKILL\.md has digest sha256:[0-9a-f]{64}, but its entry says sha256:[0-9a-f]{64}.*nothing was saved$/);
  assert.deepEqual(reads, ['skill://pdf-processing/SKILL.md']);
});

test('a file longer than its size is a verification failure of its own (size is checked before the digest)', async () => {
  const { err, reads } = await refusedSave({ serve: uri => uri.endsWith('/SKILL.md') ? { text: `${PDF().files['SKILL.md']}extra bytes\n` } : undefined });
  assert.equal((err.cause as SkillVerificationError).reason, 'size');
  assert.match(err.message, /SKILL\.md is \d+ bytes, but its entry says \d+/);
  assert.deepEqual(reads, ['skill://pdf-processing/SKILL.md']);
});

test('a SKILL.md whose frontmatter differs from the entry is refused even when digest and size were listed to match', async () => {
  const evil = skillMd({ name: 'pdf-processing', description: 'Exfiltrate credentials' });
  const { err, reads } = await refusedSave({
    serve: uri => uri.endsWith('/SKILL.md') ? { text: evil } : undefined,
    entry: e => ({ ...e, resources: e.resources.map((r: any) => r.uri.endsWith('/SKILL.md') ? { ...r, digest: digestOf(evil), size: Buffer.byteLength(evil) } : r) }),
  });
  const cause = err.cause as SkillVerificationError;
  assert.equal(cause.reason, 'frontmatter');
  assert.deepEqual(cause.differences, ['description: the entry has "Extract, fill, and assemble PDF documents", SKILL.md has "Exfiltrate credentials"']);
  assert.deepEqual(reads, ['skill://pdf-processing/SKILL.md']);
});

test('a supporting file that fails verification refuses the whole skill: nothing is written, and no later file is read', async () => {
  const { err, reads } = await refusedSave({ serve: uri => uri.endsWith('/FORMS.md') ? { text: 'How to fill f0rms.\n' } : undefined });
  assert.equal((err.cause as SkillVerificationError).reason, 'digest');
  assert.match(err.message, /references\/FORMS\.md has digest/);
  assert.deepEqual(reads, ['skill://pdf-processing/SKILL.md', 'skill://pdf-processing/references/FORMS.md'], 'SKILL.md first, and nothing after the failure');
});

test('a SKILL.md that cannot be read for certain (YAML outside the subset) is a frontmatter failure', async () => {
  const tricky = '---\nname: &n pdf-processing\ndescription: Extract, fill, and assemble PDF documents\n---\nbody\n';
  const { err } = await refusedSave({
    serve: uri => uri.endsWith('/SKILL.md') ? { text: tricky } : undefined,
    entry: e => ({ ...e, resources: e.resources.map((r: any) => r.uri.endsWith('/SKILL.md') ? { ...r, digest: digestOf(tricky), size: Buffer.byteLength(tricky) } : r) }),
  });
  assert.equal((err.cause as SkillVerificationError).reason, 'frontmatter');
  assert.match(err.message, /cannot be read for certain \(line 2: anchors, aliases and tags are not supported\)/);
});

test('a file the entry does not list is refused without a request', async () => {
  await using s = await connect({ skills: [PDF()] });
  const [entry] = (await listSkills(s.client)).skills;
  const err = await readSkillFile(s.client, entry!, 'skill://pdf-processing/secrets.txt').catch(e => e);
  assert.ok(err instanceof SkillVerificationError);
  assert.equal(err.reason, 'unlisted');
  assert.match(err.message, /skill:\/\/pdf-processing\/secrets\.txt is not one of the files its entry lists, so it is not read/);
  // Spelled differently, a listed file is the same file.
  await readSkillFile(s.client, entry!, 'skill://pdf-processing/references/%46ORMS.md');
  assert.deepEqual(s.server.reads, ['skill://pdf-processing/references/FORMS.md'], 'read by the URI the entry lists');
});

test('resources/read that answers for another URI is not taken as the file', async () => {
  const { err } = await refusedSave({ serve: uri => uri.endsWith('/SKILL.md') ? { text: PDF().files['SKILL.md'] as string, uri: 'skill://other/SKILL.md' } : undefined });
  assert.equal((err.cause as SkillVerificationError).reason, 'content');
  assert.match(err.message, /returned no contents for that URI/);
});

test('binary files are verified over their decoded bytes and saved byte for byte', async () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
  await using s = await connect({ skills: [skill('pdf-processing', 'PDFs', { 'assets/logo.png': png })] });
  const entry = await findSkill(s.client, await listSkills(s.client), 'pdf-processing');
  const parent = tempDir();
  const saved = await saveSkill(s.client, entry, parent);
  assert.deepEqual(saved.files, ['SKILL.md', 'assets/logo.png']);
  assert.deepEqual(new Uint8Array(readFileSync(path.join(parent, 'pdf-processing/assets/logo.png'))), png);
});

test('save: SKILL.md first, then every file, all written under <folder>/<name>/ only after all verified', async () => {
  await using s = await connect({ skills: [PDF()] });
  const entry = await findSkill(s.client, await listSkills(s.client), 'pdf-processing');
  const parent = path.join(tempDir(), '.github', 'skills');
  const seenOnDisk: boolean[] = [];
  // While files are being read, nothing may be on disk yet.
  s.server.events.on('read', () => seenOnDisk.push(existsSync(parent)));
  const progress: string[] = [];
  const saved = await saveSkill(s.client, entry, parent, { onFile: p => progress.push(`${p.done}/${p.total}`) });
  assert.deepEqual(seenOnDisk, [false, false, false]);
  assert.deepEqual(progress, ['1/3', '2/3', '3/3']);
  assert.equal(s.server.reads[0], 'skill://pdf-processing/SKILL.md');
  assert.equal(saved.directory, path.join(parent, 'pdf-processing'));
  assert.equal(readFileSync(path.join(saved.directory, 'references/FORMS.md'), 'utf8'), 'How to fill forms.\n');
  assert.equal(readFileSync(path.join(saved.directory, 'SKILL.md'), 'utf8'), PDF().files['SKILL.md']);
  assert.deepEqual(readdirSync(parent), ['pdf-processing'], 'no staging folder is left behind');
});

test('save: an existing folder is kept unless forced, checked before anything is read; forced, it is replaced whole', async () => {
  await using s = await connect({ skills: [PDF()] });
  const entry = await findSkill(s.client, await listSkills(s.client), 'pdf-processing');
  const parent = tempDir();
  mkdirSync(path.join(parent, 'pdf-processing'));
  writeFileSync(path.join(parent, 'pdf-processing', 'old.txt'), 'old');
  const err = await saveSkill(s.client, entry, parent).catch(e => e);
  assert.ok(err instanceof SkillRefusedError);
  assert.equal(err.reason, 'exists');
  assert.match(err.message, /skills-test › skill "pdf-processing" was not saved: .*pdf-processing already exists/);
  assert.equal(s.server.reads.length, 0, 'refused before any read');
  const saved = await saveSkill(s.client, entry, parent, { force: true });
  assert.equal(saved.replaced, true);
  assert.deepEqual(readdirSync(saved.directory).sort(), ['SKILL.md', 'references', 'scripts']);
  assert.deepEqual(readdirSync(parent), ['pdf-processing']);
});

test('a forced save that fails verification leaves the existing folder as it was', async () => {
  const s = await connect({ skills: [PDF()], serve: uri => uri.endsWith('/fill.py') ? { text: 'print("evil")\n' } : undefined });
  try {
    const entry = await findSkill(s.client, await listSkills(s.client), 'pdf-processing');
    const parent = tempDir();
    mkdirSync(path.join(parent, 'pdf-processing'));
    writeFileSync(path.join(parent, 'pdf-processing', 'old.txt'), 'old');
    await assert.rejects(saveSkill(s.client, entry, parent, { force: true }), /fill\.py has digest sha256:/);
    assert.deepEqual(readdirSync(parent), ['pdf-processing']);
    assert.deepEqual(readdirSync(path.join(parent, 'pdf-processing')), ['old.txt']);
  } finally {
    await s.client.close();
    await s.server.close();
  }
});

test('over the limits (512 files, 16 MiB) a skill is refused before any file is read', async () => {
  const many: Record<string, string> = {};
  for (let i = 0; i < SKILL_LIMITS.files; i++) many[`f/${i}.md`] = `${i}\n`;
  const { err: files, reads: r1 } = await refusedSave({ skills: [skill('pdf-processing', 'PDFs', many)] });
  assert.match(files.message, /skill "pdf-processing" was refused: it has 513 files, more than the 512 a skill may have; nothing was saved/);
  assert.deepEqual(r1, []);
  const { err: bytes, reads: r2 } = await refusedSave({
    entry: e => ({ ...e, resources: e.resources.map((r: any) => r.uri.endsWith('/fill.py') ? { ...r, size: SKILL_LIMITS.bytes } : r) }),
  });
  assert.match(bytes.message, /its files add up to \d+ bytes, more than the 16777216 \(16 MiB\) a skill may have/);
  assert.deepEqual(r2, []);
  // At the limits exactly, a skill is accepted (hosts MUST accept up to them).
  const limit: Record<string, string> = {};
  for (let i = 0; i < SKILL_LIMITS.files - 1; i++) limit[`f/${i}.md`] = `${i}\n`;
  await using s = await connect({ skills: [skill('pdf-processing', 'PDFs', limit)] });
  const saved = await saveSkill(s.client, await findSkill(s.client, await listSkills(s.client), 'pdf-processing'), tempDir());
  assert.equal(saved.files.length, SKILL_LIMITS.files);
});

test('entries that break the rules are refused with their reasons, and none of their files is read', async () => {
  const fm = (name: string) => ({ name, description: 'd' });
  const file = (uri: string) => ({ uri, digest: digestOf('x'), size: 1 });
  const self = (p: string) => file(`skill://${p}/SKILL.md`);
  const bad: Array<[unknown, RegExp]> = [
    [{ uri: 'skill://Bad-Name/SKILL.md', frontmatter: fm('Bad-Name'), resources: [self('Bad-Name')] }, /name "Bad-Name" is not 1-64 lowercase letters/],
    [{ uri: 'skill://a--b/SKILL.md', frontmatter: fm('a--b'), resources: [self('a--b')] }, /single hyphens/],
    [{ uri: 'skill://acme/one/SKILL.md', frontmatter: fm('two'), resources: [self('acme/one')] }, /name "two" is not the last segment of its directory \("one"\)/],
    [{ uri: 'skill://x/README.md', frontmatter: fm('x'), resources: [] }, /is not a SKILL\.md inside a named directory/],
    [{ uri: 'skill://esc/SKILL.md', frontmatter: fm('esc'), resources: [self('esc'), file('skill://other/x.md')] }, /is outside the skill's directory skill:\/\/esc/],
    [{ uri: 'skill://esc/SKILL.md', frontmatter: fm('esc'), resources: [self('esc'), file('skill://esc/..%2F..%2Fetc%2Fpasswd')] }, /a character that cannot be in a file name/],
    [{ uri: 'skill://esc/SKILL.md', frontmatter: fm('esc'), resources: [self('esc'), file('skill://esc/a%5C..%5Cb')] }, /a character that cannot be in a file name/],
    [{ uri: 'skill://esc/SKILL.md', frontmatter: fm('esc'), resources: [self('esc'), file('skill://esc/x?y=1')] }, /has a query or fragment/],
    [{ uri: 'skill://esc/SKILL.md', frontmatter: fm('esc'), resources: [self('esc'), file('skill://esc/CON.txt')] }, /not a valid file name on Windows/],
    [{ uri: 'skill://nos/SKILL.md', frontmatter: fm('nos'), resources: [file('skill://nos/a.md')] }, /its files do not include its own skill:\/\/nos\/SKILL\.md/],
    [{ uri: 'skill://dup/SKILL.md', frontmatter: fm('dup'), resources: [self('dup'), file('skill://dup/a.md'), file('skill://dup/%61.md')] }, /"skill:\/\/dup\/%61\.md" is listed more than once/],
    [{ uri: 'skill://dig/SKILL.md', frontmatter: fm('dig'), resources: [{ uri: 'skill://dig/SKILL.md', digest: 'sha256:ABC', size: 1 }] }, /resources\.0\.digest must be "sha256:" and 64 lowercase hex digits/],
    [{ uri: 'skill://neg/SKILL.md', frontmatter: fm('neg'), resources: [{ uri: 'skill://neg/SKILL.md', digest: digestOf('x'), size: -1 }] }, /size must be a non-negative integer/],
    [{ uri: 'skill://nosize/SKILL.md', frontmatter: fm('nosize'), resources: [{ uri: 'skill://nosize/SKILL.md', digest: digestOf('x') }] }, /resources\.0\.size is not what SEP-2640 says \(invalid type\)/],
    [{ uri: 'skill://nores/SKILL.md', frontmatter: fm('nores') }, /^resources is not what SEP-2640 says/],
    [{ uri: 'skill://long/SKILL.md', frontmatter: { name: 'long', description: 'x'.repeat(1025) }, resources: [self('long')] }, /description is not 1-1024 characters/],
    [{ uri: 'skill://meta/SKILL.md', frontmatter: { name: 'meta', description: 'd', metadata: { a: 1 } }, resources: [self('meta')] }, /metadata does not map strings to strings/],
    [{ uri: 'skill://comp/SKILL.md', frontmatter: { name: 'comp', description: 'd', compatibility: '' }, resources: [self('comp')] }, /compatibility is not a string of 1-500 characters/],
    [JSON.parse('{"uri":"skill://pro/SKILL.md","frontmatter":{"name":"pro","description":"d","__proto__":{"x":1}},"resources":[]}'), /"__proto__"/],
  ];
  await using s = await connect({ skills: [PDF()], extra: [...bad.map(b => b[0]), { uri: 'skill://twice/SKILL.md', frontmatter: fm('twice'), resources: [self('twice')] }, { uri: 'skill://twice/SKILL.md', frontmatter: fm('twice'), resources: [self('twice')] }] });
  const listing = await listSkills(s.client);
  assert.deepEqual(listing.skills.map(e => e.frontmatter.name), ['pdf-processing']);
  bad.forEach(([, reason], i) => assert.match(listing.refused[i]!.reason, reason, `entry ${i}: ${listing.refused[i]!.reason}`));
  const twice = listing.refused.filter(r => r.uri === 'skill://twice/SKILL.md');
  assert.equal(twice.length, 2, 'every copy of a repeated URI is refused');
  assert.match(twice[0]!.reason, /the server lists its uri more than once/);
  // Asking for a refused one says why, and reads nothing.
  await assert.rejects(findSkill(s.client, listing, 'meta'), (e: SkillRefusedError) => e.reason === 'entry' && /skill "meta" was refused: its entry breaks SEP-2640 \(its metadata/.test(e.message));
  assert.equal(s.server.reads.length, 0);
});

test('paths that would collide on disk are refused before any read', () => {
  const entry = (paths: string[]): SkillEntry => ({ uri: 'skill://c/SKILL.md', frontmatter: { name: 'c', description: 'd' }, resources: ['SKILL.md', ...paths].map(p => ({ uri: `skill://c/${p}`, digest: digestOf(p), size: 1 })) });
  assert.match((skillLayout(entry(['A.md', 'a.md'])) as { problem: string }).problem, /would be the same file on a case-insensitive disk/);
  assert.match((skillLayout(entry(['docs', 'docs/x.md'])) as { problem: string }).problem, /is in the way of the folder "docs"/);
  const ok = skillLayout(entry(['docs/x.md', 'docs/y.md']));
  assert.ok('files' in ok);
  assert.deepEqual(ok.files.map(f => f.path.join('/')), ['SKILL.md', 'docs/x.md', 'docs/y.md']);
  // The URL parser resolves dot segments: what stays inside the skill is a plain path.
  assert.deepEqual(checkEntry({ uri: 'skill://c/SKILL.md', frontmatter: { name: 'c', description: 'd' }, resources: [{ uri: 'skill://c/SKILL.md', digest: digestOf('x'), size: 1 }, { uri: 'skill://c/a/../../c/b.md', digest: digestOf('x'), size: 1 }] }).problems, []);
});

test('a "dynamic" skill: SKILL.md opens with its frontmatter checked but unverified, and it is never saved', async () => {
  await using s = await connect({ skills: [{ ...PDF(), dynamic: true }] });
  const entry = await findSkill(s.client, await listSkills(s.client), 'pdf-processing');
  const manifest = await openSkillManifest(s.client, entry);
  assert.equal(manifest.verified, false);
  await assert.rejects(fetchVerifiedSkill(s.client, entry), /publishes its files as "dynamic", so they have no digests to verify; nothing was saved/);
  await assert.rejects(readSkillFile(s.client, entry, 'skill://pdf-processing/references/FORMS.md'), /cannot be verified and is not read/);
  assert.deepEqual(s.server.reads, ['skill://pdf-processing/SKILL.md']);
});

test('an unlisted skill is found by its URI through skills/get; a misspelt name lists the skills', async () => {
  const hidden = skill('hidden', 'Not listed');
  await using s = await connect({ skills: [PDF(), hidden] });
  const listing = { skills: (await listSkills(s.client)).skills.filter(e => e.frontmatter.name !== 'hidden'), refused: [] };
  const got = await findSkill(s.client, listing, 'skill://hidden/SKILL.md');
  assert.equal(got.frontmatter.name, 'hidden');
  assert.ok(s.server.methods.includes('skills/get'));
  await assert.rejects(findSkill(s.client, listing, 'pdf'), (e: SkillRefusedError) => e.reason === 'not-found' && /has no skill named "pdf" \(its skills: pdf-processing\)/.test(e.message));
  await assert.rejects(findSkill(s.client, listing, 'skill://nope/SKILL.md'), /Unknown skill: skill:\/\/nope\/SKILL\.md/);
});

test('frontmatter comparison: every key both ways, any key order, arrays in order, no coercion', () => {
  assert.deepEqual(frontmatterDifferences({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }), []);
  assert.deepEqual(frontmatterDifferences({ a: 1 }, { a: '1' }), ['a: the entry has 1, SKILL.md has "1"']);
  assert.deepEqual(frontmatterDifferences({ a: 1 }, { a: 1, extra: true }), ['extra: the entry has nothing, SKILL.md has true']);
  assert.deepEqual(frontmatterDifferences({ l: [1, 2] }, { l: [2, 1] }), ['l[0]: the entry has 1, SKILL.md has 2', 'l[1]: the entry has 2, SKILL.md has 1']);
  assert.deepEqual(frontmatterDifferences({ l: [1] }, { l: [1, 2] }), ['l: the entry has 1 items, SKILL.md has 2']);
  assert.deepEqual(frontmatterDifferences({ n: null }, {}), ['n: the entry has null, SKILL.md has nothing']);
});
