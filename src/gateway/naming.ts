// How the gateway names what it re-exposes (issue 13): every tool and prompt of every exposed
// server as one flat list, resources under one URI space. Pure and deterministic: the same
// servers and lists give the same names, so a client's cached names stay valid across
// restarts of the gateway.
//
// Tools and prompts: `<server>__<name>`.
// - `<server>` is the server's name made safe: characters outside [A-Za-z0-9-] become '-',
//   runs of '-' collapse, at most 24 characters; two servers with the same safe name get
//   `-2`, `-3`… in the order of their ids. It never contains "__", so the first "__" of a
//   gateway name always ends the server part.
// - `<name>` is kept when it is made of [A-Za-z0-9_.-]; other characters become '_'.
// - The whole name is at most 64 characters and matches ^[A-Za-z0-9_.-]{1,64}$ (MCP allows
//   128, but Claude, VS Code's chat and OpenAI-style function calling take 64): a longer one
//   keeps its start and ends in `_` + 8 hex digits of the original's sha-256.
// - Two names of one server that come out the same (after the replacement or the cut) both
//   get the hash ending, so neither silently shadows the other.
// The map back (gateway name → server id and original name) is kept beside the list: names
// are looked up, never parsed, so nothing depends on the scheme being invertible by hand.
//
// Resources: `mcp-gateway://<server>/<encoded original URI>` for each listed resource and
// template (the original URI percent-encoded as one path segment), so a read, a subscribe
// and an update notification map both ways exactly; templates keep their variables usable by
// the client: `mcp-gateway://<server>/{+uri}`-style wrapping would lose the template, so a
// template's URI template is prefixed instead: `mcp-gateway://<server>/~/` + the template.
//
// Pass-through (`prefix: false` in the catalogue; `mcp-host gateway --expose X --no-prefix`):
// for a gateway that fronts exactly one server, as a plain authenticated proxy. Names, URIs and
// templates are the server's own, unchanged (no `__`, no `mcp-gateway://`, no 64-character
// cut: what the server accepts is what it listed), and a name or URI the lists do not have is
// passed to that server as it is: the server decides, as it would if called directly. Two
// servers' names could collide, so only one server is passed through at a time: the one
// already passed through keeps its place while it runs (`passThroughServer`); any other
// exposed server that runs meanwhile is left out (and the catalogue says so). The CLI makes
// that case impossible: `--no-prefix` takes exactly one server name and exposes no other.

import { createHash } from 'node:crypto';

export const MAX_NAME = 64;
const SERVER_MAX = 24;
export const SEPARATOR = '__';
const NAME_OK = /^[A-Za-z0-9_.-]+$/;

export interface ServerSlot { id: string; name: string }

/** The safe, unique server part of each exposed server (in id order for ties). */
export function serverSlugs(servers: readonly ServerSlot[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const s of [...servers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const base = s.name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, SERVER_MAX).replace(/-$/, '') || 'server';
    let slug = base;
    for (let n = 2; taken.has(slug.toLowerCase()); n++) slug = `${base.slice(0, SERVER_MAX - String(n).length - 1)}-${n}`;
    taken.add(slug.toLowerCase());
    out.set(s.id, slug);
  }
  return out;
}

const hash8 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);

function withHash(prefix: string, original: string): string {
  const tail = `_${hash8(original)}`;
  return prefix.slice(0, MAX_NAME - tail.length) + tail;
}

/**
 * The gateway names of one server's tools (or prompts), in their order. `names` must be
 * distinct (a server's own list); the result is distinct and each name is valid.
 */
export function namespacedNames(slug: string, names: readonly string[]): string[] {
  const plain = names.map(n => `${slug}${SEPARATOR}${NAME_OK.test(n) ? n : n.replace(/[^A-Za-z0-9_.-]/g, '_') || '_'}`);
  const count = new Map<string, number>();
  for (const p of plain) count.set(p, (count.get(p) ?? 0) + 1);
  // Too long, or the same as a sibling's: the hash of the original name tells them apart.
  return plain.map((p, i) => (p.length <= MAX_NAME && count.get(p) === 1 ? p : withHash(p, names[i]!)));
}

/** One exposed item: which server, and its own name there. */
export interface Origin { serverId: string; name: string }

/** Names of every server's items, and the map back. Servers in `order`; their items in their order. */
export function buildNameTable(entries: readonly { serverId: string; slug: string; names: readonly string[] }[]): { names: { serverId: string; original: string; exposed: string }[]; origin: Map<string, Origin> } {
  const names: { serverId: string; original: string; exposed: string }[] = [];
  const origin = new Map<string, Origin>();
  for (const e of entries) {
    const exposed = namespacedNames(e.slug, e.names);
    e.names.forEach((original, i) => {
      const name = exposed[i]!;
      // Distinct slugs and the separator make names of two servers distinct; guard anyway.
      if (origin.has(name)) return;
      origin.set(name, { serverId: e.serverId, name: original });
      names.push({ serverId: e.serverId, original, exposed: name });
    });
  }
  return { names, origin };
}

// ---- resources -------------------------------------------------------------------------------

export const RESOURCE_SCHEME = 'mcp-gateway';

/** A server's resource URI as the gateway shows it. */
export function exposedUri(slug: string, uri: string): string {
  return `${RESOURCE_SCHEME}://${slug}/${encodeURIComponent(uri)}`;
}

/** A server's URI template as the gateway shows it (the template's variables still work). */
export function exposedTemplate(slug: string, template: string): string {
  return `${RESOURCE_SCHEME}://${slug}/~/${template}`;
}

/** The server part and the server's own URI of a gateway URI; undefined when it is not one. */
export function originalUri(uri: string): { slug: string; uri: string } | undefined {
  const m = /^mcp-gateway:\/\/([A-Za-z0-9-]+)\/(.*)$/s.exec(uri);
  if (!m) return undefined;
  const [, slug, rest] = m as unknown as [string, string, string];
  if (rest.startsWith('~/')) return { slug, uri: rest.slice(2) };
  try { return { slug, uri: decodeURIComponent(rest) }; } catch { return undefined; }
}

// ---- pass-through ----------------------------------------------------------------------------

/**
 * Which one of the exposed running servers (ids) pass-through naming serves: `pinned` (the one
 * it served so far) while it is among them, else the first in id order; the rest are left out.
 */
export function passThroughServer(ids: readonly string[], pinned: string | undefined): { chosen: string | undefined; leftOut: string[] } {
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const chosen = pinned !== undefined && sorted.includes(pinned) ? pinned : sorted[0];
  return { chosen, leftOut: sorted.filter(id => id !== chosen) };
}
