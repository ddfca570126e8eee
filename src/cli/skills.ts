// `mcp-host skills TARGET` lists a server's skills (nothing of them is read);
// `mcp-host skill NAME_OR_URI TARGET` reads the skill's SKILL.md, verifies it and prints
// it; with --save DIR it reads and verifies every file and only then writes them to
// DIR/<name>/. A skill that fails verification exits 5 and nothing is written.

import * as path from 'node:path';
import { SkillRefusedError, findSkill, openSkillManifest, saveSkill } from '../host/skills.ts';
import { listSkills, offersSkills, type SkillEntry, type SkillListing } from '../protocol/skills.ts';
import type { CommandContext } from './commands.ts';
import { ExitCode, UsageError } from './errors.ts';
import { formatJson } from './format.ts';

/** The exit code of a skill refused for failing verification (or breaking SEP-2640's rules). */
export const SKILL_REFUSED_EXIT = 5;

export async function runSkillsCommand(ctx: CommandContext): Promise<number> {
  const { client, args, out } = ctx;
  if (!offersSkills(client.capabilities)) {
    if (args.command === 'skill') throw new UsageError(`${client.name} does not offer skills (it does not declare the io.modelcontextprotocol/skills extension)`, 'List what it offers with "mcp-host tools" or "mcp-host resources".');
    if (args.json) out(formatJson({ skills: [], refused: [] }));
    else ctx.err(`${client.name} does not offer skills.\n`);
    return ExitCode.Ok;
  }
  const listing = await listSkills(client, ctx.request);
  if (args.command === 'skills') {
    if (args.json) out(formatJson(listing));
    else {
      if (listing.skills.length) out(formatSkills(listing.skills));
      else ctx.err(`${client.name} lists no skills.\n`);
      warnRefused(ctx, listing);
    }
    return ExitCode.Ok;
  }
  try {
    const entry = await findSkill(client, listing, args.subject!, ctx.request);
    if (args.save !== undefined) {
      // As for the other commands' --save: relative to the current directory.
      const parent = path.resolve(args.save);
      const saved = await saveSkill(client, entry, parent, {
        ...ctx.request, force: args.force,
        onFile: p => ctx.status?.(`${client.name}: skill ${entry.frontmatter.name} ${p.done}/${p.total} verified`),
      });
      if (args.json) out(formatJson({ skill: entry, directory: saved.directory, files: saved.files, replaced: saved.replaced }));
      else ctx.err(`mcp-host: ${client.name} › skill "${entry.frontmatter.name}": ${saved.files.length} file${saved.files.length === 1 ? '' : 's'} verified and saved to ${saved.directory}${saved.replaced ? ' (replacing the folder that was there)' : ''}\n`);
      return ExitCode.Ok;
    }
    const manifest = await openSkillManifest(client, entry, ctx.request);
    if (args.json) out(formatJson({ skill: entry, verified: manifest.verified, text: manifest.text }));
    else {
      out(manifest.text.endsWith('\n') ? manifest.text : `${manifest.text}\n`);
      ctx.err(manifest.verified
        ? `mcp-host: ${client.name} › skill "${entry.frontmatter.name}": SKILL.md verified (size, sha-256 digest, frontmatter); ${fileCount(entry)}\n`
        : `mcp-host: ${client.name} › skill "${entry.frontmatter.name}": the server publishes its files as "dynamic", so SKILL.md could not be verified against a digest (its frontmatter matches its entry); it cannot be saved\n`);
    }
    return ExitCode.Ok;
  } catch (err) {
    if (!(err instanceof SkillRefusedError)) throw err;
    if (err.reason === 'not-found') throw new UsageError(err.message, `List the skills with "mcp-host skills".`);
    if (err.reason === 'exists') throw new UsageError(err.message);
    ctx.err(`mcp-host: ${err.message}\n`);
    return err.reason === 'write' ? ExitCode.Connection : SKILL_REFUSED_EXIT;
  }
}

function fileCount(entry: SkillEntry): string {
  if (entry.resources === 'dynamic') return 'its files are dynamic';
  const n = entry.resources.length;
  return `${n} file${n === 1 ? '' : 's'} listed (only SKILL.md was read; --save DIR reads, verifies and saves them all)`;
}

export function formatSkills(skills: readonly SkillEntry[]): string {
  const rows = [['NAME', 'FILES', 'URI', 'DESCRIPTION'], ...skills.map(s => [
    s.frontmatter.name,
    s.resources === 'dynamic' ? 'dynamic' : String(s.resources.length),
    s.uri,
    oneLine(s.frontmatter.description, 80),
  ])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map(r => r[i]!.length)));
  return rows.map(r => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function warnRefused(ctx: CommandContext, listing: SkillListing): void {
  for (const r of listing.refused) {
    ctx.err(`mcp-host: ${ctx.client.name} › skills/list: refused entry #${r.index}${r.uri ? ` (${r.uri})` : ''}: ${r.reason}\n`);
  }
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
