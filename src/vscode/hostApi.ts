// The object activate() returns (api.ts): snapshots of the manager and the view, and
// direct calls without UI.

import type { ManagedServer } from '../host/types.ts';
import type { ServerManager } from '../host/manager.ts';
import type { McpHostApi, ServerSnapshot } from './api.ts';
import { outputChannelName } from './output.ts';
import type { ServersTreeProvider } from './serversView.ts';
import type { ServerSessions } from './sessions.ts';
import { describeServer } from './util.ts';

function snapshot(s: ManagedServer): ServerSnapshot {
  return {
    id: s.definition.id,
    name: s.definition.name,
    scope: s.definition.scope,
    // A copy: callers must not be able to change what the manager holds.
    state: { ...s.state },
    description: describeServer(s),
    tools: s.tools.map(t => ({ name: t.name, title: t.title, description: t.description })),
    resources: s.resources.map(r => ({ uri: r.uri, name: r.name })),
    resourceTemplates: s.resourceTemplates.map(t => ({ uriTemplate: t.uriTemplate, name: t.name })),
    prompts: s.prompts.map(p => ({ name: p.name, description: p.description })),
  };
}

export function createApi(manager: ServerManager, tree: ServersTreeProvider, sessions: ServerSessions): McpHostApi {
  const server = (nameOrId: string): ManagedServer => {
    const s = manager.get(nameOrId);
    if (!s) throw new Error(`MCP Host: no server named "${nameOrId}"`);
    return s;
  };
  return {
    apiVersion: 1,
    servers: () => manager.servers.map(snapshot),
    waitForState(nameOrId, kind, timeoutMs = 60_000) {
      const reached = () => {
        const s = manager.get(nameOrId);
        return s && s.state.kind === kind ? s : undefined;
      };
      const now = reached();
      if (now) return Promise.resolve(snapshot(now));
      return new Promise<ServerSnapshot>((resolve, reject) => {
        const check = () => {
          const s = reached();
          if (!s) return;
          done();
          resolve(snapshot(s));
        };
        // The server may not exist yet: configuration loads in the background.
        const subs = [manager.onDidChangeServer(check), manager.onDidChangeServers(check)];
        const timer = setTimeout(() => {
          done();
          const s = manager.get(nameOrId);
          reject(new Error(`MCP Host: "${nameOrId}" did not reach "${kind}" within ${timeoutMs} ms (now: ${s ? describeServer(s) : 'not configured'})`));
        }, timeoutMs);
        function done() {
          clearTimeout(timer);
          for (const d of subs) d.dispose();
        }
      });
    },
    treeChildren: async parentId => tree.snapshot(parentId),
    callTool: (name, tool, args) => server(name).callTool(tool, args),
    readResource: (name, uri) => server(name).readResource(uri),
    getPrompt: (name, prompt, args) => server(name).getPrompt(prompt, args),
    outputChannelName: name => outputChannelName(manager.get(name)?.definition.name ?? name),
    logLines: name => {
      const s = manager.get(name);
      return s ? [...(sessions.output(s.definition.id)?.lines ?? [])] : [];
    },
  };
}
