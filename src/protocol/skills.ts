// Skills (SEP-2640, the `io.modelcontextprotocol/skills` extension) over an McpClient:
// `skills/list` and `skills/get`. Reading a skill's files, with their verification, is in
// skillVerify.ts (loaded only when a skill is opened or saved). Entries and paths:
// skillEntries.ts.

import type { McpClient } from './client.ts';
import { LocalError, RequestError } from './errors.ts';
import { cacheKey } from './resultCache.ts';
import { parser } from './schemas.ts';
import {
  GetSkillResultSchema, SKILLS_EXTENSION_ID, SkillsPageSchema, checkEntry, partitionEntries, skillRoot,
  type RefusedSkill, type SkillEntry,
} from './skillEntries.ts';
import type { RequestOptions, ServerCapabilities } from './types.ts';

export * from './skillEntries.ts';

const MAX_PAGES = 1000;
const parsePage = parser<{ skills: unknown[]; nextCursor?: string }>(SkillsPageSchema);
const parseGet = parser<{ skill: unknown }>(GetSkillResultSchema);

/** Whether the server declared the skills extension. */
export function offersSkills(capabilities: ServerCapabilities | undefined): boolean {
  const declared = capabilities?.extensions?.[SKILLS_EXTENSION_ID];
  return !!declared && typeof declared === 'object' && !Array.isArray(declared);
}

function requireSkills(client: McpClient, method: string): void {
  if (!offersSkills(client.capabilities)) {
    throw new RequestError(client.name, method, new LocalError('unsupported', `the server does not offer skills (it does not declare the ${SKILLS_EXTENSION_ID} extension)`));
  }
}

export interface SkillListing {
  skills: SkillEntry[];
  /** Entries that break SEP-2640's rules, with the reasons; none of their files is ever read. */
  refused: RefusedSkill[];
}

/** Every page of `skills/list`. Reads nothing of any skill: listing is not loading. */
export async function listSkills(client: McpClient, options?: RequestOptions): Promise<SkillListing> {
  requireSkills(client, 'skills/list');
  const values: unknown[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = cursor === undefined ? {} : { cursor };
    const res = await listPage(client, params, options);
    values.push(...res.skills);
    cursor = res.nextCursor;
    if (cursor === undefined) return partitionEntries(values);
    if (seen.has(cursor)) throw new RequestError(client.name, 'skills/list', new LocalError('invalid-message', `the server repeated cursor ${JSON.stringify(cursor)}; stopping pagination`));
    seen.add(cursor);
  }
  throw new RequestError(client.name, 'skills/list', new LocalError('invalid-message', `more than ${MAX_PAGES} pages`));
}

/** One page, from the client's cache while the server said it stays fresh (2026-07-28 `ttlMs`). */
async function listPage(client: McpClient, params: { cursor?: string }, options?: RequestOptions): Promise<{ skills: unknown[]; nextCursor?: string }> {
  const key = cacheKey('skills/list', params);
  const hit = client.cache.fresh<{ skills: unknown[]; nextCursor?: string }>(key);
  if (hit) return hit.value;
  const generation = client.cache.generation('skills/list');
  const res = await client.requestRaw('skills/list', params, { ...options, parse: parsePage });
  client.cache.store('skills/list', key, res, res as { ttlMs?: unknown; cacheScope?: unknown }, generation);
  return res;
}

/** One skill by its SKILL.md URI, listed or not (`skills/get`); an invalid entry or another skill is an error. */
export async function getSkill(client: McpClient, uri: string, options?: RequestOptions): Promise<SkillEntry> {
  requireSkills(client, 'skills/get');
  const res = await client.requestRaw('skills/get', { uri }, { ...options, parse: parseGet });
  const { entry, problems } = checkEntry(res.skill);
  const invalid = (why: string) => new RequestError(client.name, 'skills/get', new LocalError('invalid-message', why));
  if (!entry || problems.length) throw invalid(`the server's entry for ${uri} breaks SEP-2640: ${problems.join('; ')}`);
  if (skillRoot(entry.uri) !== skillRoot(uri)) throw invalid(`asked for ${uri}, the server answered with ${entry.uri}`);
  return entry;
}

