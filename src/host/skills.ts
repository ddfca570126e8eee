// A server's skills, for the extension and the CLI: listed when asked (never on connect),
// a skill's SKILL.md read and verified when the user opens it, and a skill saved to disk
// only whole and only verified: SKILL.md is read and verified first, then each other
// file; only when every one has passed is anything written, into a fresh folder renamed
// into place at the end. Any mismatch refuses the skill with a sentence naming the
// server, the skill and the reason, and leaves the disk as it was.

import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { McpClient } from '../protocol/client.ts';
import { errorMessage } from '../protocol/errors.ts';
import { getSkill, skillLayout, skillRoot, type SkillEntry, type SkillListing } from '../protocol/skills.ts';
import { SkillVerificationError, readSkillFile, type VerifiedManifest } from '../protocol/skillVerify.ts';
import type { RequestOptions } from '../protocol/types.ts';

/** The folder, relative to the workspace, that skills are saved under by default (VS Code's agent reads it). */
export { DEFAULT_SKILLS_FOLDER } from '../protocol/skillEntries.ts';

/** A skill that cannot be opened or saved; the message says which server, which skill, and why. */
export class SkillRefusedError extends Error {
  readonly server: string;
  readonly skill: string;
  readonly reason: 'verification' | 'entry' | 'exists' | 'write' | 'not-found';
  constructor(server: string, skill: string, reason: SkillRefusedError['reason'], message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SkillRefusedError';
    this.server = server;
    this.skill = skill;
    this.reason = reason;
  }
}

/**
 * The entry a user means by `nameOrUri`: a listed skill by name or SKILL.md URI, else
 * (for a URI) the server's `skills/get`. A name two listed skills share is ambiguous; a
 * refused entry is refused again with its reason.
 */
export async function findSkill(client: McpClient, listing: SkillListing, nameOrUri: string, options?: RequestOptions): Promise<SkillEntry> {
  const isUri = /^[a-z][a-z0-9+.-]*:/i.test(nameOrUri);
  const matches = listing.skills.filter(s => isUri ? skillRoot(s.uri) === skillRoot(nameOrUri) && skillRoot(s.uri) !== undefined : s.frontmatter.name === nameOrUri);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new SkillRefusedError(client.name, nameOrUri, 'not-found', `${client.name} lists ${matches.length} skills named "${nameOrUri}" (${matches.map(s => s.uri).join(', ')}); name the one you mean by its URI`);
  }
  const refused = listing.refused.find(r => isUri ? r.uri !== undefined && (skillRoot(r.uri) ?? r.uri) === (skillRoot(nameOrUri) ?? nameOrUri) : r.name === nameOrUri);
  if (refused) throw new SkillRefusedError(client.name, nameOrUri, 'entry', `${client.name} › skill "${nameOrUri}" was refused: its entry breaks SEP-2640 (${refused.reason}), so none of its files is read`);
  if (isUri) {
    try {
      return await getSkill(client, nameOrUri, options);
    } catch (err) {
      throw new SkillRefusedError(client.name, nameOrUri, 'not-found', errorMessage(err), err);
    }
  }
  const names = listing.skills.map(s => s.frontmatter.name);
  throw new SkillRefusedError(client.name, nameOrUri, 'not-found', `${client.name} has no skill named "${nameOrUri}"${names.length ? ` (its skills: ${names.join(', ')})` : ' (it lists none)'}`);
}

/** Reads and verifies only the skill's SKILL.md (opening it; nothing else is fetched). */
export async function openSkillManifest(client: McpClient, entry: SkillEntry, options?: RequestOptions): Promise<VerifiedManifest> {
  try {
    return await readSkillFile(client, entry, entry.uri, options) as VerifiedManifest;
  } catch (err) {
    throw refusal(client, entry, err, '');
  }
}

export interface FetchedSkill {
  entry: SkillEntry;
  manifest: VerifiedManifest;
  /** Every file, SKILL.md first, with its place below the skill's folder. */
  files: Array<{ uri: string; path: string[]; bytes: Uint8Array }>;
}

export interface SkillProgress {
  /** Files read and verified so far, of `total`. */
  done: number;
  total: number;
  uri: string;
}

/**
 * Reads every file of the skill and verifies it, SKILL.md first; the first failure ends
 * it (no further file is read). Nothing is written.
 */
export async function fetchVerifiedSkill(client: McpClient, entry: SkillEntry, options: RequestOptions & { onFile?: (p: SkillProgress) => void } = {}): Promise<FetchedSkill> {
  const layout = skillLayout(entry);
  if ('problem' in layout) throw new SkillRefusedError(client.name, entry.frontmatter.name, 'entry', `${client.name} › skill "${entry.frontmatter.name}" was refused: ${layout.problem}; nothing was saved`);
  const files: FetchedSkill['files'] = [];
  let manifest: VerifiedManifest | undefined;
  const total = layout.files.length;
  for (const f of layout.files) {
    let read;
    try {
      read = await readSkillFile(client, entry, f.uri, options);
    } catch (err) {
      throw refusal(client, entry, err, '; nothing was saved');
    }
    if (f.manifest) manifest = read as VerifiedManifest;
    files.push({ uri: f.uri, path: f.path, bytes: read.bytes });
    options.onFile?.({ done: files.length, total, uri: f.uri });
  }
  return { entry, manifest: manifest!, files };
}

function refusal(client: McpClient, entry: SkillEntry, err: unknown, tail: string): Error {
  if (err instanceof SkillVerificationError) return new SkillRefusedError(client.name, entry.frontmatter.name, 'verification', `${err.message}${tail}`, err);
  return err instanceof Error ? err : new Error(String(err));
}

export interface SaveOptions extends RequestOptions {
  /** Replace a folder of the skill's name that is already there. */
  force?: boolean;
  onFile?: (p: SkillProgress) => void;
}

export interface SavedSkill {
  /** The skill's folder: `<parent>/<name>`. */
  directory: string;
  /** What was written, relative to `directory`. */
  files: string[];
  replaced: boolean;
}

/**
 * Saves the skill as `<parent>/<name>/…`. Checks first that the folder may be written
 * (it does not exist, or `force`), then reads and verifies every file, and only then
 * writes: into a hidden sibling folder, renamed to its name at the end (an existing one
 * is moved aside first and removed after). On any failure nothing is left behind.
 */
export async function saveSkill(client: McpClient, entry: SkillEntry, parent: string, options: SaveOptions = {}): Promise<SavedSkill> {
  const name = entry.frontmatter.name;
  const directory = path.join(parent, name);
  const exists = await stat(directory).then(() => true, () => false);
  if (exists && !options.force) {
    throw new SkillRefusedError(client.name, name, 'exists', `${client.name} › skill "${name}" was not saved: ${directory} already exists (replace it with --force, or choose another folder)`);
  }
  const skill = await fetchVerifiedSkill(client, entry, options);
  options.signal?.throwIfAborted();
  try {
    const replaced = await writeAtomically(parent, name, skill.files, options.force ?? false);
    return { directory, files: skill.files.map(f => f.path.join('/')), replaced };
  } catch (err) {
    throw new SkillRefusedError(client.name, name, 'write', `${client.name} › skill "${name}" was verified but could not be saved to ${directory}: ${errorMessage(err)}`, err);
  }
}

/** Writes the files into `<parent>/.<name>.<random>.tmp`, then renames it to `<parent>/<name>`; true when one was replaced. */
async function writeAtomically(parent: string, name: string, files: FetchedSkill['files'], force: boolean): Promise<boolean> {
  const tag = randomBytes(6).toString('hex');
  const staging = path.join(parent, `.${name}.${tag}.tmp`);
  const target = path.join(parent, name);
  const resolvedStaging = path.resolve(staging);
  await mkdir(parent, { recursive: true });
  await mkdir(staging);
  let aside: string | undefined;
  try {
    for (const f of files) {
      const file = path.resolve(staging, ...f.path);
      // The segments were checked to be plain names; this is the last line of defence.
      if (!file.startsWith(resolvedStaging + path.sep)) throw new Error(`${f.uri} would be written outside the skill's folder`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, f.bytes, { flag: 'wx' });
    }
    if (await stat(target).then(() => true, () => false)) {
      if (!force) throw new Error(`${target} appeared while the skill was being fetched`);
      aside = path.join(parent, `.${name}.${tag}.old`);
      await rename(target, aside);
    }
    try {
      await rename(staging, target);
    } catch (err) {
      if (aside) await rename(aside, target).catch(() => {});
      aside = undefined;
      throw err;
    }
  } catch (err) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  if (aside) await rm(aside, { recursive: true, force: true }).catch(() => {});
  return aside !== undefined;
}
