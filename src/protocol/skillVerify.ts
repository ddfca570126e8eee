// Reading one file of a skill, verified (SEP-2640). A file is checked in this order,
// cheapest first: it is listed in the entry; its byte length is the entry's size; the
// SHA-256 of its raw bytes is the entry's digest; and for SKILL.md, its YAML frontmatter
// equals the entry's frontmatter field by field. A file that fails any check is never
// handed on. The YAML reader: skillFrontmatter.ts.

import { createHash } from 'node:crypto';
import type { McpClient } from './client.ts';
import { cacheKey } from './resultCache.ts';
import { readSkillMarkdown, type Frontmatter } from './skillFrontmatter.ts';
import { fileKey, skillRoot, type SkillEntry, type SkillFile } from './skillEntries.ts';
import type { JsonValue, RequestOptions } from './types.ts';

export { FrontmatterError, readSkillMarkdown, parseFrontmatter, splitSkillMarkdown } from './skillFrontmatter.ts';

export type SkillVerificationReason = 'unlisted' | 'size' | 'digest' | 'frontmatter' | 'content';

/**
 * A file of a skill failed verification against the skill's entry: the skill is not to be
 * used. The message is a sentence naming the server, the skill and what did not match.
 */
export class SkillVerificationError extends Error {
  readonly server: string;
  readonly skill: string;
  readonly uri: string;
  readonly reason: SkillVerificationReason;
  /** For `frontmatter`: one line per field that differs. */
  readonly differences: readonly string[];
  constructor(server: string, skill: string, uri: string, reason: SkillVerificationReason, detail: string, differences: readonly string[] = []) {
    super(`${server} › skill "${skill}" failed verification: ${detail}`);
    this.name = 'SkillVerificationError';
    this.server = server;
    this.skill = skill;
    this.uri = uri;
    this.reason = reason;
    this.differences = differences;
  }
}

export interface VerifiedFile {
  uri: string;
  bytes: Uint8Array;
  mimeType?: string;
  /** Whether size and digest were checked (false only for a "dynamic" skill's SKILL.md). */
  verified: boolean;
}
export interface VerifiedManifest extends VerifiedFile {
  text: string;
  frontmatter: Frontmatter;
  body: string;
}

/**
 * Reads one file of `entry` and verifies it (for SKILL.md, the frontmatter too). `uri`
 * defaults to the skill's SKILL.md; a file the entry does not list is refused before any
 * request. A copy served from the client's cache that fails is fetched once more.
 */
export async function readSkillFile(client: McpClient, entry: SkillEntry, uri: string = entry.uri, options?: RequestOptions): Promise<VerifiedFile | VerifiedManifest> {
  const root = skillRoot(entry.uri);
  const name = entry.frontmatter.name;
  if (!root) throw new TypeError(`${entry.uri} is not a SKILL.md URI`);
  const key = fileKey(root, uri);
  const manifest = key === fileKey(root, entry.uri);
  let listed: SkillFile | undefined;
  if (entry.resources !== 'dynamic') {
    listed = entry.resources.find(f => fileKey(root, f.uri) === key);
    if (!listed) throw new SkillVerificationError(client.name, name, uri, 'unlisted', `${uri} is not one of the files its entry lists, so it is not read`);
  } else if (!manifest) {
    throw new SkillVerificationError(client.name, name, uri, 'unlisted', `the server publishes its files as "dynamic", so ${uri} cannot be verified and is not read`);
  }
  const target = listed?.uri ?? entry.uri;
  const cached = client.cache.fresh(cacheKey('resources/read', { uri: target })) !== undefined;
  try {
    return verify(client, entry, root, key, listed, manifest, await client.readResource(target, options));
  } catch (err) {
    if (!(err instanceof SkillVerificationError) || !cached) throw err;
    client.cache.invalidate('resources/read', target);
    return verify(client, entry, root, key, listed, manifest, await client.readResource(target, options));
  }
}

function verify(
  client: McpClient, entry: SkillEntry, root: string, key: string, listed: SkillFile | undefined, manifest: boolean,
  result: Awaited<ReturnType<McpClient['readResource']>>,
): VerifiedFile | VerifiedManifest {
  const uri = listed?.uri ?? entry.uri;
  const fail = (reason: SkillVerificationReason, detail: string, differences?: string[]) => new SkillVerificationError(client.name, entry.frontmatter.name, uri, reason, detail, differences);
  const content = result.contents.find(c => fileKey(root, c.uri) === key);
  if (!content) throw fail('content', `resources/read of ${uri} returned no contents for that URI`);
  let bytes: Uint8Array;
  if ('text' in content) bytes = Buffer.from(content.text, 'utf8');
  else {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content.blob) || content.blob.length % 4 !== 0) throw fail('content', `resources/read of ${uri} returned a blob that is not valid base64`);
    bytes = Buffer.from(content.blob, 'base64');
  }
  if (listed) {
    if (bytes.byteLength !== listed.size) throw fail('size', `${uri} is ${bytes.byteLength} bytes, but its entry says ${listed.size}`);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (digest !== listed.digest) throw fail('digest', `${uri} has digest ${digest}, but its entry says ${listed.digest} (the file is not what the server listed)`);
  }
  const file: VerifiedFile = { uri, bytes, ...(content.mimeType !== undefined ? { mimeType: content.mimeType } : {}), verified: listed !== undefined };
  if (!manifest) return file;
  let text: string;
  try {
    text = 'text' in content ? content.text : new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw fail('frontmatter', `${uri} is not valid UTF-8`);
  }
  let read: ReturnType<typeof readSkillMarkdown>;
  try {
    read = readSkillMarkdown(text);
  } catch (err) {
    throw fail('frontmatter', `the frontmatter of ${uri} cannot be read for certain (${(err as Error).message})`);
  }
  const differences = frontmatterDifferences(entry.frontmatter, read.frontmatter);
  if (differences.length) throw fail('frontmatter', `the frontmatter of ${uri} differs from its entry: ${differences.join('; ')}`, differences);
  return { ...file, text, frontmatter: read.frontmatter, body: read.body };
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown) => v === undefined ? 'nothing' : JSON.stringify(v);

/**
 * How the entry's frontmatter and SKILL.md's differ: every key both ways, objects in any
 * key order, arrays in order, numbers by value, no type coercion ("1" is not 1).
 */
export function frontmatterDifferences(entry: unknown, parsed: unknown, path = ''): string[] {
  const label = path || '(frontmatter)';
  if (Array.isArray(entry) && Array.isArray(parsed)) {
    if (entry.length !== parsed.length) return [`${label}: the entry has ${entry.length} items, SKILL.md has ${parsed.length}`];
    return entry.flatMap((item, i) => frontmatterDifferences(item, parsed[i], `${path}[${i}]`));
  }
  if (isObject(entry) && isObject(parsed)) {
    const keys = [...new Set([...Object.keys(entry), ...Object.keys(parsed)])].sort();
    return keys.flatMap(k => frontmatterDifferences(Object.hasOwn(entry, k) ? entry[k] : undefined, Object.hasOwn(parsed, k) ? parsed[k] : undefined, path ? `${path}.${k}` : k));
  }
  return entry === parsed ? [] : [`${label}: the entry has ${show(entry)}, SKILL.md has ${show(parsed as JsonValue)}`];
}
