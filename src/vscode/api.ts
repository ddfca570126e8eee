// What `activate()` returns: the extension's public surface, used by the integration
// suite (and by other extensions). Plain data, no live objects that could be misused.

import type { CallToolResult, GetPromptResult, ReadResourceResult } from '../protocol/types.ts';
import type { ServerState } from '../host/types.ts';

export interface ServerSnapshot {
  id: string;
  name: string;
  scope: 'user' | 'workspace';
  state: ServerState;
  /** The text the Servers view shows beside the name, e.g. `running · 12 tools`. */
  description: string;
  tools: Array<{ name: string; title?: string; description?: string }>;
  resources: Array<{ uri: string; name: string }>;
  resourceTemplates: Array<{ uriTemplate: string; name: string }>;
  prompts: Array<{ name: string; description?: string }>;
}

export interface TreeNodeSnapshot {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  collapsible: boolean;
}

export interface McpHostApi {
  readonly apiVersion: 1;
  servers(): ServerSnapshot[];
  /** Resolves when the server reaches the state kind, rejects after timeoutMs. */
  waitForState(nameOrId: string, kind: ServerState['kind'], timeoutMs?: number): Promise<ServerSnapshot>;
  /** Children of a node of the Servers view (root when undefined), as the view shows them. */
  treeChildren(parentId?: string): Promise<TreeNodeSnapshot[]>;
  callTool(server: string, tool: string, args: Record<string, unknown>): Promise<CallToolResult>;
  readResource(server: string, uri: string): Promise<ReadResourceResult>;
  getPrompt(server: string, name: string, args: Record<string, string>): Promise<GetPromptResult>;
  /** Name of the server's log output channel. */
  outputChannelName(server: string): string;
  /** The lines logged for the server so far (what its output channel shows). */
  logLines(server: string): string[];
}
