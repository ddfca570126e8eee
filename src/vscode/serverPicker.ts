// Which server a command acts on: the tree node it was run from, a server name or id
// passed programmatically, or the user's pick.

import * as vscode from 'vscode';
import type { ManagedServer } from '../host/types.ts';
import type { ServerManager } from '../host/manager.ts';
import { pickOne } from './quickInput.ts';
import { isTreeNode } from './serversView.ts';
import { describeServer } from './util.ts';

export interface PickServerOptions {
  title: string;
  /** Servers the command makes sense for; others are not offered. */
  filter?: (s: ManagedServer) => boolean;
  /** What to say when no server qualifies. */
  none: string;
  /** Skip the pick when exactly one server qualifies. */
  skipSingle?: boolean;
}

export function serverFromArg(manager: ServerManager, arg: unknown): ManagedServer | undefined {
  if (isTreeNode(arg)) return manager.get(arg.serverId);
  if (typeof arg === 'string') return manager.get(arg);
  return undefined;
}

/**
 * The server named by `arg`, or the user's pick; undefined when cancelled. A name that
 * matches no server is reported, not silently replaced by a pick.
 */
export async function resolveServer(manager: ServerManager, arg: unknown, o: PickServerOptions): Promise<ManagedServer | undefined> {
  if (arg !== undefined && (isTreeNode(arg) || typeof arg === 'string')) {
    const server = serverFromArg(manager, arg);
    if (!server) void vscode.window.showErrorMessage(`MCP Host: no server named "${isTreeNode(arg) ? arg.serverId : arg}".`);
    return server;
  }
  const candidates = manager.servers.filter(o.filter ?? (() => true));
  if (!candidates.length) {
    void vscode.window.showInformationMessage(o.none);
    return undefined;
  }
  if (candidates.length === 1 && o.skipSingle) return candidates[0];
  const picked = await pickOne({
    title: o.title,
    placeholder: 'Pick a server',
    ignoreFocusOut: false,
    matchOnDescription: true,
    items: candidates.map(s => ({
      label: s.definition.name,
      description: describeServer(s),
      detail: s.definition.scope === 'workspace' ? s.definition.source.folder : 'user settings',
      value: s,
    })),
  });
  return picked?.value;
}
