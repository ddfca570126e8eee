// STUB — signatures only; implementation in progress (owner: core).
import type { ServerDefinition, ServerScope } from './types.ts';

export interface ConfigInput {
  id: string;
  type: 'promptString' | 'pickString';
  description?: string;
  password?: boolean;
  default?: string;
  options?: string[];
}
export interface ConfigProblem {
  message: string;
  /** Character offset and length in the file's text. */
  offset: number;
  length: number;
  severity: 'error' | 'warning';
  server?: string;
}
export interface RawServerEntry {
  name: string;
  /** The entry as written (variables unresolved). */
  value: Record<string, unknown>;
  offset: number;
  length: number;
}
export interface ParsedConfig {
  servers: RawServerEntry[];
  inputs: ConfigInput[];
  problems: ConfigProblem[];
}

/** Parses `.vscode/mcp.json` text (JSONC). Never throws: problems carry offsets. */
export function parseMcpConfig(_text: string): ParsedConfig { throw new Error('not implemented'); }

/** Parses the `mcpHost.servers` / `mcpHost.inputs` setting values. */
export function parseSettingsConfig(_servers: unknown, _inputs: unknown): ParsedConfig { throw new Error('not implemented'); }

export interface VariableContext {
  /** Absolute path of the folder that defines the servers (workspace scope). */
  workspaceFolder?: string;
  env: Record<string, string | undefined>;
  /** Asks for `${input:ID}` (once per id; the embedding caches and keeps secrets). */
  resolveInput(id: string, input: ConfigInput | undefined): Promise<string>;
}

export interface ResolvedConfig {
  definitions: ServerDefinition[];
  problems: ConfigProblem[];
}

/** Resolves variables and validates each entry; a bad entry becomes a problem, the rest still load. */
export async function resolveServers(_parsed: ParsedConfig, _scope: ServerScope, _source: { file: string; folder?: string }, _ctx: VariableContext): Promise<ResolvedConfig> { throw new Error('not implemented'); }

/** 0-based line and character of an offset, for diagnostics. */
export function offsetToPosition(text: string, offset: number): { line: number; character: number } {
  let line = 0, last = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; last = i + 1; }
  return { line, character: offset - last };
}
