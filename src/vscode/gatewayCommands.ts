// The gateway's commands and its registration with VS Code's own MCP support (issue 13). The
// gateway and the commands' work are dist/gateway.js, loaded on the first command
// (gateway/gatewayHost.ts); what stays here is small: forwarders, and the server definition
// VS Code's chat sees while the gateway runs (none while it does not).

import * as vscode from 'vscode';
import type { GatewayEndpoint, GatewayHost } from './gateway/gatewayHost.ts';
import { lazyModule } from './lazyModule.ts';
import type { HostServices } from './services.ts';

const loadModule = lazyModule<typeof import('./gateway/gatewayHost.ts')>('gateway', './gateway/gatewayHost.ts');
const COMMANDS = ['startGateway', 'stopGateway', 'copyGatewayConfiguration', 'rotateGatewayToken'] as const;

export function registerGateway(services: HostServices, context: vscode.ExtensionContext): vscode.Disposable[] {
  let host: Promise<GatewayHost> | undefined;
  let endpoint: GatewayEndpoint | undefined;
  const changed = new vscode.EventEmitter<void>();
  const get = () => host ??= loadModule().then(m => m.createGatewayHost(services, context, e => {
    endpoint = e;
    changed.fire();
    void vscode.commands.executeCommand('setContext', 'mcpHost.gatewayRunning', !!e);
  }));
  const out: vscode.Disposable[] = [changed, { dispose: () => void host?.then(h => h.dispose()) }];
  if (typeof vscode.lm?.registerMcpServerDefinitionProvider === 'function') {
    out.push(vscode.lm.registerMcpServerDefinitionProvider('mcpHost.gateway', {
      onDidChangeMcpServerDefinitions: changed.event,
      provideMcpServerDefinitions: () => {
        services.log.debug(`gateway: VS Code asked for MCP server definitions (${endpoint ? endpoint.url : 'none'})`);
        return endpoint ? [new vscode.McpHttpServerDefinition('MCP Host', vscode.Uri.parse(endpoint.url), { Authorization: `Bearer ${endpoint.token}` }, endpoint.version)] : [];
      },
    }));
  }
  const run = (c: typeof COMMANDS[number]) => get().then(h => h.run(c));
  out.push(
    vscode.commands.registerCommand('mcpHost.startGateway', () => run('startGateway')),
    vscode.commands.registerCommand('mcpHost.stopGateway', () => run('stopGateway')),
    vscode.commands.registerCommand('mcpHost.copyGatewayConfiguration', () => run('copyGatewayConfiguration')),
    vscode.commands.registerCommand('mcpHost.rotateGatewayToken', () => run('rotateGatewayToken')),
  );
  if (vscode.workspace.getConfiguration('mcpHost').get<boolean>('gateway.autoStart', false)) void run('startGateway');
  return out;
}
