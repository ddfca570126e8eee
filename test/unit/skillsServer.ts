// An in-process MCP server over plain HTTP (JSON answers, no sessions, GET refused) that
// offers skills (SEP-2640): it lists entries built from files with honest digests and
// sizes, and can be told to lie — change an entry, or serve other bytes than it listed.
// It records every method and every resources/read, so tests can count what was fetched.

import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as http from 'node:http';

export const digestOf = (bytes: string | Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const sizeOf = (bytes: string | Uint8Array) => typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;

export interface SkillDef {
  /** The skill's path below `skill://`: `pdf-processing`, or `acme/pdf-processing`. */
  path: string;
  frontmatter: Record<string, unknown>;
  /** By path below the skill: `SKILL.md`, `references/FORMS.md`; text is served as `text`, bytes as `blob`. */
  files: Record<string, string | Uint8Array>;
  /** "dynamic" instead of the file list. */
  dynamic?: boolean;
}

export interface SkillsServerOptions {
  skills: SkillDef[];
  /** Changes (or replaces) an entry before it is listed or got. */
  entry?: (entry: any, def: SkillDef) => unknown;
  /** Entries listed as they are, after the built ones. */
  extra?: unknown[];
  /** What resources/read serves for a URI instead of the file (undefined: the file). */
  serve?: (uri: string) => { text?: string; blob?: string; uri?: string } | undefined;
  /** Entries per skills/list page (default: all on one). */
  pageSize?: number;
  /** Declare the skills extension (default true). */
  declare?: boolean;
}

export function skillMd(frontmatter: Record<string, unknown>, body = 'Use this skill well.\n'): string {
  // A JSON string is a YAML double-quoted string: anything that is not plain text goes that way.
  const yaml = Object.entries(frontmatter).map(([k, v]) => `${k}: ${typeof v === 'string' && /^[\w ,.-]+$/.test(v) ? v : JSON.stringify(v)}`).join('\n');
  return `---\n${yaml}\n---\n\n${body}`;
}

/** A skill with a SKILL.md written from its frontmatter, plus `files`. */
export function skill(path: string, description: string, files: Record<string, string | Uint8Array> = {}, extra: Record<string, unknown> = {}): SkillDef {
  const name = path.split('/').pop()!;
  const frontmatter = { name, description, ...extra };
  return { path, frontmatter, files: { 'SKILL.md': skillMd(frontmatter), ...files } };
}

export class SkillsServer {
  readonly server: http.Server;
  url = '';
  /** Every request's method, in order. */
  readonly methods: string[] = [];
  /** The URI of every resources/read, in order. */
  readonly reads: string[] = [];
  readonly events = new EventEmitter();
  private readonly opts: SkillsServerOptions;

  constructor(opts: SkillsServerOptions) {
    this.opts = opts;
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  static async start(opts: SkillsServerOptions): Promise<SkillsServer> {
    const s = new SkillsServer(opts);
    await new Promise<void>(resolve => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as { port: number }).port}/mcp`;
    return s;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise(resolve => this.server.close(() => resolve()));
  }

  entries(): unknown[] {
    const built = this.opts.skills.map(def => {
      const resources = def.dynamic ? 'dynamic' : Object.entries(def.files).map(([p, bytes]) => ({ uri: `skill://${def.path}/${p}`, digest: digestOf(bytes), size: sizeOf(bytes) }));
      const entry = { uri: `skill://${def.path}/SKILL.md`, frontmatter: def.frontmatter, resources };
      return this.opts.entry ? this.opts.entry(entry, def) : entry;
    });
    return [...built, ...(this.opts.extra ?? [])];
  }

  private file(uri: string): { text?: string; blob?: string; uri?: string } | undefined {
    const served = this.opts.serve?.(uri);
    if (served) return served;
    for (const def of this.opts.skills) {
      const prefix = `skill://${def.path}/`;
      if (!uri.startsWith(prefix)) continue;
      const bytes = def.files[decodeURIComponent(uri.slice(prefix.length))];
      if (bytes === undefined) return undefined;
      return typeof bytes === 'string' ? { text: bytes } : { blob: Buffer.from(bytes).toString('base64') };
    }
    return undefined;
  }

  private answer(method: string, params: any): { result?: unknown; error?: { code: number; message: string } } {
    switch (method) {
      case 'initialize':
        return { result: {
          protocolVersion: '2025-11-25', serverInfo: { name: 'skills-test', version: '1.0.0' },
          capabilities: { resources: {}, ...(this.opts.declare === false ? {} : { extensions: { 'io.modelcontextprotocol/skills': {} } }) },
        } };
      case 'ping': return { result: {} };
      case 'skills/list': {
        const all = this.entries();
        const size = this.opts.pageSize ?? (all.length || 1);
        const start = typeof params?.cursor === 'string' ? Number(params.cursor) : 0;
        const page = all.slice(start, start + size);
        return { result: { skills: page, ...(start + size < all.length ? { nextCursor: String(start + size) } : {}) } };
      }
      case 'skills/get': {
        const entry = this.entries().find(e => (e as { uri?: string }).uri === params?.uri);
        return entry ? { result: { skill: entry } } : { error: { code: -32602, message: `Unknown skill: ${params?.uri}` } };
      }
      case 'resources/read': {
        const uri = String(params?.uri);
        this.reads.push(uri);
        this.events.emit('read', uri);
        const f = this.file(uri);
        if (!f) return { error: { code: -32002, message: `Resource not found: ${uri}` } };
        return { result: { contents: [{ uri: f.uri ?? uri, mimeType: 'text/markdown', ...(f.text !== undefined ? { text: f.text } : { blob: f.blob }) }] } };
      }
      case 'resources/list': return { result: { resources: [] } };
      case 'resources/templates/list': return { result: { resourceTemplates: [] } };
      default: return { error: { code: -32601, message: `Method not found: ${method}` } };
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'POST') { res.writeHead(405).end(); return; }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', c => { body += c; });
    req.on('end', () => {
      let msg: any;
      try { msg = JSON.parse(body); } catch { res.writeHead(400).end(); return; }
      if (msg.id === undefined) { res.writeHead(202).end(); return; }
      // server/discover is answered -32601 (a 2025-11-25 server): clients fall back to initialize.
      this.methods.push(msg.method);
      const out = this.answer(msg.method, msg.params);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, ...out }));
    });
  }
}
