// The gateway's commands and its registration with VS Code's own MCP support (issue 13). The
// gateway and the commands' work are dist/gateway.js, loaded on the first command
// (gateway/gatewayHost.ts); what stays here is small: forwarders, the server definition
// VS Code's chat sees while the gateway runs (none while it does not), and the Servers view's
// Gateway node while the bundle is not loaded ("stopped"; the bundle draws the rest).

import * as vscode from 'vscode';
import type { GatewayEndpoint, GatewayHost } from './gateway/gatewayHost.ts';
import { lazyModule } from './lazyModule.ts';
import type { SectionNode } from './serversView.ts';
import type { HostServices } from './services.ts';

const loadModule = lazyModule<typeof import('./gateway/gatewayHost.ts')>('gateway', './gateway/gatewayHost.ts');
const COMMANDS = ['startGateway', 'stopGateway', 'copyGatewayConfiguration', 'rotateGatewayToken'] as const;

const NODE: SectionNode = { kind: 'section', id: 'gateway' };

function stopped(): vscode.TreeItem {
  const item = new vscode.TreeItem('Gateway');
  item.id = NODE.id;
  item.description = 'stopped';
  item.tooltip = "The gateway is stopped. Start Gateway to let VS Code's chat, Claude Code, Cursor or a script use these servers through one MCP server on 127.0.0.1.";
  item.iconPath = new vscode.ThemeIcon('debug-disconnect');
  item.contextValue = 'mcpGateway.stopped';
  return item;
}

export function registerGateway(services: HostServices, context: vscode.ExtensionContext): vscode.Disposable[] {
  let host: Promise<GatewayHost> | undefined;
  let loaded: GatewayHost | undefined;
  let endpoint: GatewayEndpoint | undefined;
  const changed = new vscode.EventEmitter<void>();
  const get = () => host ??= loadModule().then(m => loaded = m.createGatewayHost(services, context, e => {
    endpoint = e;
    changed.fire();
    services.tree.refreshNode();
    void vscode.commands.executeCommand('setContext', 'mcpHost.gatewayRunning', !!e);
  }, NODE));
  // Shown with at least one server (with none, the view's welcome text is what helps) or while running.
  services.tree.attach({
    roots: () => endpoint || services.manager.servers.length ? [NODE] : [],
    children: n => loaded?.treeChildren(n) ?? [],
    item: n => loaded?.treeItem(n) ?? stopped(),
    parent: n => n === NODE ? undefined : NODE,
  });
  const out: vscode.Disposable[] = [changed, { dispose: () => void host?.then(h => h.dispose()) }];
  if (typeof vscode.lm?.registerMcpServerDefinitionProvider === 'function') {
    out.push(vscode.lm.registerMcpServerDefinitionProvider('mcpHost.gateway', {
      onDidChangeMcpServerDefinitions: changed.event,
      provideMcpServerDefinitions: () => {
        services.log.debug(`gateway: VS Code asked for MCP server definitions (${endpoint ? endpoint.url : 'none'})`);
        return endpoint ? [new vscode.McpHttpServerDefinition('MCP Host', vscode.Uri.parse(endpoint.url), { Authorization: `Bearer ${endpoint.token}`, 'X-MCP-Host-View': 'vscode' }, endpoint.version)] : [];
      },
    }));
  }
  const run = (c: typeof COMMANDS[number]) => get().then(h => h.run(c));
  out.push(
    vscode.commands.registerCommand('mcpHost.startGateway', () => run('startGateway')),
    vscode.commands.registerCommand('mcpHost.stopGateway', () => run('stopGateway')),
    vscode.commands.registerCommand('mcpHost.copyGatewayConfiguration', () => run('copyGatewayConfiguration')),
    vscode.commands.registerCommand('mcpHost.rotateGatewayToken', () => run('rotateGatewayToken')),
    vscode.commands.registerCommand('mcpHost.endGatewaySession', (n?: SectionNode) => loaded?.endSession(n)),
  );
  if (vscode.workspace.getConfiguration('mcpHost').get<boolean>('gateway.autoStart', false)) void run('startGateway');
  return out;
}
