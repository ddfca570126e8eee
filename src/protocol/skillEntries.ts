// Skill entries (SEP-2640): the wire shapes, checked at the edge with zod/mini, and the
// rules an entry must meet before anything of it is read — the Agent Skills name rules,
// the URIs of its files (inside the skill's directory, no query or fragment, SKILL.md
// included, none twice), the per-skill limits, and where each file may be written on
// disk. Pure: no I/O. The reading and verifying is in skills.ts.

import { array, int, looseObject, minimum, optional, record, regex, string, unknown } from 'zod/mini';
import type { JsonObject, JsonValue } from './types.ts';

export const SKILLS_EXTENSION_ID = 'io.modelcontextprotocol/skills';
/** Hosts must accept skills up to these; servers should not publish beyond them (SEP-2640). */
export const SKILL_LIMITS = { files: 512, bytes: 16 * 1024 * 1024 } as const;
export const SKILL_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MANIFEST = 'SKILL.md';

export interface SkillFile { uri: string; digest: string; size: number }
export interface SkillFrontmatter { name: string; description: string; [key: string]: JsonValue }
export interface SkillEntry {
  /** The skill's SKILL.md. */
  uri: string;
  frontmatter: SkillFrontmatter;
  /** Every file of the skill with its digest and size, or "dynamic" (files the server makes up on demand, unverifiable). */
  resources: SkillFile[] | 'dynamic';
  _meta?: JsonObject;
}
/** A listed entry that breaks the rules: shown with its reason, never read. */
export interface RefusedSkill { index: number; uri?: string; name?: string; reason: string }

const fileSchema = looseObject({
  uri: string(),
  digest: string().check(regex(SKILL_DIGEST_PATTERN, 'must be "sha256:" and 64 lowercase hex digits')),
  size: int().check(minimum(0, 'must be a non-negative integer')),
});
// `resources` is checked on its own: a union would hide which file is wrong.
const entrySchema = looseObject({
  uri: string(),
  frontmatter: looseObject({ name: string(), description: string() }),
  resources: unknown(),
  _meta: optional(record(string(), unknown())),
});
const filesSchema = array(fileSchema);
export const SkillsPageSchema = looseObject({ skills: array(unknown()), nextCursor: optional(string()) });
export const GetSkillResultSchema = looseObject({ skill: unknown() });

// ---- URIs ----

function canonical(uri: string): string | undefined {
  try { return new URL(uri).href; } catch { return undefined; }
}

function decode(segment: string): string | undefined {
  try { return decodeURIComponent(segment); } catch { return undefined; }
}

/** The skill's directory (no trailing slash), or undefined when `uri` is no `…/<dir>/SKILL.md`. */
export function skillRoot(skillMdUri: string): string | undefined {
  const c = canonical(skillMdUri);
  if (!c || !c.endsWith(`/${MANIFEST}`) || /[?#]/.test(c)) return undefined;
  const root = c.slice(0, -(MANIFEST.length + 1));
  return root.endsWith('/') || root.endsWith(':') ? undefined : root;
}

/** The decoded last segment of the skill's directory: its path's, or the authority's when the path is empty. */
export function lastSegment(root: string): string {
  const url = new URL(root);
  const p = url.pathname;
  const seg = p === '' || p === '/' ? url.host : p.slice(p.lastIndexOf('/') + 1);
  return decode(seg) ?? seg;
}

// A name that is one file or folder on every system the workspace may be checked out on.
const UNSAFE_NAME = /[\\/:*?"<>|\u0000-\u001f\u007f]/;
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * The path of `uri` below the skill's directory, as decoded segments ("references",
 * "FORMS.md"), or a sentence saying why it has none: outside the directory, or a
 * segment that is empty, `.`, `..`, or holds a separator, a control character or
 * another character no file name can have everywhere.
 */
export function relativeSegments(root: string, uri: string): string[] | string {
  const c = canonical(uri);
  if (!c) return `"${uri}" is not a valid URI`;
  if (/[?#]/.test(c)) return `"${uri}" has a query or fragment`;
  if (!c.startsWith(`${root}/`)) return `"${uri}" is outside the skill's directory ${root}`;
  const segments: string[] = [];
  for (const raw of c.slice(root.length + 1).split('/')) {
    const s = decode(raw);
    if (s === undefined) return `"${uri}" has an invalid percent-encoding`;
    if (s === '' || s === '.' || s === '..') return `"${uri}" has an empty, "." or ".." path segment`;
    if (UNSAFE_NAME.test(s)) return `"${uri}" has a path segment ("${s}") with a character that cannot be in a file name`;
    if (RESERVED_NAME.test(s) || /[. ]$/.test(s)) return `"${uri}" has a path segment ("${s}") that is not a valid file name on Windows`;
    segments.push(s);
  }
  return segments;
}

/** One spelling for every way of writing a file's URI below the root (`Q&A.md`, `Q%26A.md`). */
export function fileKey(root: string, uri: string): string {
  const c = canonical(uri) ?? uri;
  if (!c.startsWith(`${root}/`)) return c;
  return `${root}/${c.slice(root.length + 1).split('/').map(s => encodeURIComponent(decode(s) ?? s)).join('/')}`;
}

// ---- entries ----

const codePoints = (s: string) => [...s].length;

/**
 * Reads one listed entry: its shape, then the rules. A problem anywhere refuses the
 * entry with every reason found; nothing of a refused entry is ever read.
 */
export function checkEntry(value: unknown): { entry?: SkillEntry; problems: string[] } {
  if (value && typeof value === 'object' && Object.hasOwn(value, 'frontmatter')) {
    const fm = (value as { frontmatter?: unknown }).frontmatter;
    if (fm && typeof fm === 'object' && Object.hasOwn(fm, '__proto__')) return { problems: ['its frontmatter has a "__proto__" field'] };
  }
  const parsed = entrySchema.safeParse(value);
  const resources = parsed.success && parsed.data.resources !== 'dynamic' ? filesSchema.safeParse(parsed.data.resources) : undefined;
  const issues = [...(parsed.success ? [] : parsed.error.issues), ...(resources && !resources.success ? resources.error.issues.map(i => ({ ...i, path: ['resources', ...i.path] })) : [])];
  if (issues.length) {
    return { problems: issues.map(i => `${i.path.length ? i.path.join('.') : 'the entry'} ${i.message === 'Invalid input' ? `is not what SEP-2640 says (${i.code.replace(/_/g, ' ')})` : i.message}`) };
  }
  const entry = { ...parsed.data, resources: resources ? resources.data : 'dynamic' } as SkillEntry;
  return { entry, problems: entryProblems(entry) };
}

function entryProblems(entry: SkillEntry): string[] {
  const problems: string[] = [];
  const root = skillRoot(entry.uri);
  if (!root) return [`its uri "${entry.uri}" is not a SKILL.md inside a named directory`];
  const fm = entry.frontmatter;
  if (!fm.name || fm.name.length > 64 || !NAME_PATTERN.test(fm.name)) problems.push(`its name "${fm.name}" is not 1-64 lowercase letters, digits and single hyphens`);
  else if (lastSegment(root) !== fm.name) problems.push(`its name "${fm.name}" is not the last segment of its directory ("${lastSegment(root)}")`);
  if (!fm.description || codePoints(fm.description) > 1024) problems.push('its description is not 1-1024 characters');
  const compat = fm.compatibility;
  if (compat !== undefined && (typeof compat !== 'string' || !compat || codePoints(compat) > 500)) problems.push('its compatibility is not a string of 1-500 characters');
  const meta = fm.metadata;
  if (meta !== undefined && (!meta || typeof meta !== 'object' || Array.isArray(meta) || Object.values(meta).some(v => typeof v !== 'string'))) problems.push('its metadata does not map strings to strings');
  if (entry.resources === 'dynamic') return problems;
  const self = fileKey(root, entry.uri);
  const seen = new Set<string>();
  let hasSelf = false;
  for (const file of entry.resources) {
    const where = relativeSegments(root, file.uri);
    if (typeof where === 'string') { problems.push(`file ${where}`); continue; }
    const key = fileKey(root, file.uri);
    if (seen.has(key)) problems.push(`file "${file.uri}" is listed more than once`);
    seen.add(key);
    if (key === self) hasSelf = true;
  }
  if (!hasSelf) problems.push(`its files do not include its own ${entry.uri}`);
  return problems;
}

/** Splits a listing into entries that may be read and refused ones. Every copy of a repeated URI is refused. */
export function partitionEntries(values: readonly unknown[]): { skills: SkillEntry[]; refused: RefusedSkill[] } {
  const checked = values.map(v => {
    const uri = typeof (v as { uri?: unknown } | null)?.uri === 'string' ? (v as { uri: string }).uri : undefined;
    const name = (v as { frontmatter?: { name?: unknown } } | null)?.frontmatter?.name;
    return { ...checkEntry(v), uri, name: typeof name === 'string' ? name : undefined };
  });
  const count = new Map<string, number>();
  const keyOf = (uri: string | undefined) => uri === undefined ? undefined : canonical(uri) ?? uri;
  for (const c of checked) { const k = keyOf(c.uri); if (k !== undefined) count.set(k, (count.get(k) ?? 0) + 1); }
  const skills: SkillEntry[] = [];
  const refused: RefusedSkill[] = [];
  checked.forEach((c, index) => {
    const k = keyOf(c.uri);
    const problems = k !== undefined && count.get(k)! > 1 ? [...c.problems, 'the server lists its uri more than once'] : c.problems;
    if (c.entry && !problems.length) skills.push(c.entry);
    else refused.push({ index, ...(c.uri !== undefined ? { uri: c.uri } : {}), ...(c.name !== undefined ? { name: c.name } : {}), reason: problems.join('; ') });
  });
  return { skills, refused };
}

/**
 * Where each file of a (listed) skill goes below a folder of its own, or why the skill
 * cannot be put on disk: over the limits, a file whose path is no file name, two files
 * that would be one on a case-insensitive disk, a file where another needs a folder.
 */
export function skillLayout(entry: SkillEntry): { files: Array<SkillFile & { path: string[]; manifest: boolean }> } | { problem: string } {
  if (entry.resources === 'dynamic') return { problem: 'the server publishes its files as "dynamic", so they have no digests to verify' };
  const root = skillRoot(entry.uri)!;
  const files = entry.resources;
  if (files.length > SKILL_LIMITS.files) return { problem: `it has ${files.length} files, more than the ${SKILL_LIMITS.files} a skill may have` };
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > SKILL_LIMITS.bytes) return { problem: `its files add up to ${total} bytes, more than the ${SKILL_LIMITS.bytes} (16 MiB) a skill may have` };
  const self = fileKey(root, entry.uri);
  const out: Array<SkillFile & { path: string[]; manifest: boolean }> = [];
  const taken = new Map<string, string>();
  for (const f of files) {
    const path = relativeSegments(root, f.uri);
    if (typeof path === 'string') return { problem: `file ${path}` };
    const lower = path.join('/').toLowerCase();
    if (taken.has(lower)) return { problem: `files "${taken.get(lower)}" and "${f.uri}" would be the same file on a case-insensitive disk` };
    taken.set(lower, f.uri);
    out.push({ ...f, path, manifest: fileKey(root, f.uri) === self });
  }
  for (const f of out) {
    for (let i = 1; i < f.path.length; i++) {
      const dir = f.path.slice(0, i).join('/').toLowerCase();
      const clash = taken.get(dir);
      if (clash) return { problem: `file "${clash}" is in the way of the folder "${f.path.slice(0, i).join('/')}" that "${f.uri}" needs` };
    }
  }
  // SKILL.md first: nothing else is read unless it verifies.
  out.sort((a, b) => Number(b.manifest) - Number(a.manifest));
  return { files: out };
}

/** Where Save Skill to Workspace writes, under the workspace folder (VS Code's agent reads it there). */
export const DEFAULT_SKILLS_FOLDER = '.github/skills';
