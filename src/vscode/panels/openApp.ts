// Open App (issue 12): the MCP App of a tool (app-only ones too) or of a ui:// resource,
// without a call. In the lazy workbench bundle: the extension hands it its pickers, so this
// file imports none of the extension's modules (dist/extension.js has a budget).

import * as vscode from 'vscode';
import type { ManagedServer } from '../../host/types.ts';
import type { ServerManager } from '../../host/manager.ts';
import { isAppMimeType, toolUi } from '../../protocol/apps.ts';

const running = (s: ManagedServer) => s.state.kind === 'running';

/** What Open App needs of the extension: its server picker, quick pick and tree-node test. */
export interface OpenAppPickers {
  resolveServer(manager: ServerManager, arg: unknown, o: { title: string; filter: (s: ManagedServer) => boolean; skipSingle: boolean; none: string }): Promise<ManagedServer | undefined>;
  pickOne<T>(o: { title: string; placeholder: string; items: { label: string; description?: string; value: T }[] }): Promise<{ value: T } | undefined>;
  treeNode(arg: unknown): { kind: 'tool'; name: string } | { kind: 'resource'; uri: string } | undefined;
}

/**
 * Open App: the MCP App of a tool (app-only ones too) or of a `ui://` resource, without a call;
 * from the tree (a tool or resource) or the palette (pick a server, then an app).
 */
export async function openAppCommand(manager: ServerManager, pickers: OpenAppPickers, open: (server: ManagedServer, uri: string, tool?: string) => void, arg?: unknown, nameArg?: unknown): Promise<void> {
  const server = await pickers.resolveServer(manager, arg, {
    title: 'MCP Host: Open App — pick a server', filter: s => running(s) && appsOf(s).length > 0, skipSingle: true,
    none: 'MCP Host: no running MCP server offers an app (a tool with _meta.ui.resourceUri).',
  });
  if (!server) return;
  const apps = appsOf(server);
  const node = pickers.treeNode(arg);
  const named = node ? (node.kind === 'tool' ? node.name : node.uri) : typeof nameArg === 'string' ? nameArg : undefined;
  let picked = named === undefined ? undefined : apps.find(a => a.tool === named || a.uri === named);
  if (named !== undefined && !picked) {
    void vscode.window.showErrorMessage(`MCP Host: ${server.definition.name} has no app for ${named}.`);
    return;
  }
  picked ??= (await pickers.pickOne({
    title: `MCP Host: Open App — ${server.definition.name}`, placeholder: 'Pick an app',
    items: apps.map(a => ({ label: a.tool ?? a.uri, description: a.tool ? a.uri : 'resource', value: a })),
  }))?.value;
  if (!picked) return;
  open(server, picked.uri, picked.tool);
}

/** The apps a server offers: its tools' ui:// links, then UI resources no tool links. */
export function appsOf(server: ManagedServer): { tool?: string; uri: string }[] {
  const out: { tool?: string; uri: string }[] = [];
  for (const t of server.tools) {
    const uri = toolUi(t).resourceUri;
    if (uri) out.push({ tool: t.name, uri });
  }
  for (const r of server.resources) {
    if (r.uri.startsWith('ui://') && isAppMimeType(r.mimeType) && !out.some(a => a.uri === r.uri)) out.push({ uri: r.uri });
  }
  return out;
}
