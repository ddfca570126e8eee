// The gateway inside VS Code (issue 13): MCP Host's running servers behind one Streamable HTTP
// server on 127.0.0.1, for VS Code's own chat (through the MCP server definition provider the
// extension registers), Claude Code, Cursor, Claude Desktop or a script. Its own bundle,
// dist/gateway.js, loaded on the first gateway command.
//
// - The token is generated once, kept in SecretStorage, shown only by Copy Gateway
//   Configuration and replaced by Rotate Gateway Token (which ends every session).
// - The port is `mcpHost.gateway.port`, else the one it had last time (globalState), so copied
//   configurations stay valid across restarts; else a free one.
// - Exposed: the servers named in `mcpHost.gateway.expose` (all when empty); a server the
//   workspace defines only while the workspace is trusted.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { Gateway } from '../../gateway/gateway.ts';
import { HttpGatewayServer, bearerToken } from '../../gateway/http.ts';
import type { ManagedServer } from '../../host/types.ts';
import type { HostServices } from '../services.ts';

const TOKEN_KEY = 'mcpHost.gateway.token';
const PORT_KEY = 'mcpHost.gateway.lastPort';

export interface GatewayEndpoint { url: string; token: string; version: string }

export class GatewayHost implements vscode.Disposable {
  private readonly services: HostServices;
  private readonly context: vscode.ExtensionContext;
  private readonly onEndpoint: (e: GatewayEndpoint | undefined) => void;
  private gateway: Gateway | undefined;
  private server: HttpGatewayServer | undefined;
  private endpoint: GatewayEndpoint | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(services: HostServices, context: vscode.ExtensionContext, onEndpoint: (e: GatewayEndpoint | undefined) => void) {
    this.services = services;
    this.context = context;
    this.onEndpoint = onEndpoint;
    this.subscriptions.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.gateway?.catalog.rebuild()),
      vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('mcpHost.gateway.expose')) this.gateway?.catalog.rebuild(); }),
    );
  }

  get running(): boolean { return this.server !== undefined; }
  get url(): string | undefined { return this.endpoint?.url; }
  get sessions(): number { return this.server?.sessionCount ?? 0; }

  private exposed(server: ManagedServer): boolean {
    const names = vscode.workspace.getConfiguration('mcpHost').get<string[]>('gateway.expose', []);
    if (names.length && !names.includes(server.definition.name)) return false;
    return server.definition.scope !== 'workspace' || vscode.workspace.isTrusted;
  }

  private async token(): Promise<string> {
    let token = await this.context.secrets.get(TOKEN_KEY);
    if (!token) {
      token = randomBytes(32).toString('base64url');
      await this.context.secrets.store(TOKEN_KEY, token);
    }
    return token;
  }

  async start(): Promise<GatewayEndpoint> {
    if (this.endpoint) return this.endpoint;
    const token = await this.token();
    const gateway = new Gateway({
      source: this.services.manager,
      exposed: s => this.exposed(s),
      serverInfo: { name: 'mcp-host-gateway', version: String(this.context.extension.packageJSON.version ?? '0.0.0'), title: 'MCP Host' },
      log: (level, message) => this.services.log[level === 'warning' ? 'warn' : level](`gateway: ${message}`),
    });
    const configured = vscode.workspace.getConfiguration('mcpHost').get<number>('gateway.port', 0);
    const remembered = this.context.globalState.get<number>(PORT_KEY);
    const ports = configured ? [configured] : remembered ? [remembered, 0] : [0];
    let server: HttpGatewayServer | undefined;
    let lastError: unknown;
    for (const port of ports) {
      const candidate = new HttpGatewayServer({
        gateway, port,
        authenticate: bearerToken(token),
        log: (level, message) => this.services.log[level === 'warning' ? 'warn' : level](`gateway: ${message}`),
      });
      try {
        await candidate.listen();
        server = candidate;
        break;
      } catch (err) {
        lastError = err;
      }
    }
    if (!server) {
      gateway.dispose();
      throw new Error(`the gateway cannot listen on 127.0.0.1:${ports[0]}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
    }
    this.gateway = gateway;
    this.server = server;
    await this.context.globalState.update(PORT_KEY, Number(new URL(server.url).port));
    this.endpoint = { url: server.url, token, version: String(Date.now()) };
    this.onEndpoint(this.endpoint);
    this.services.log.info(`gateway: listening on ${server.url}`);
    return this.endpoint;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.endpoint = undefined;
    this.onEndpoint(undefined);
    await server?.close();
    this.gateway?.dispose();
    this.gateway = undefined;
  }

  /** A new token: every session ends, copied configurations need the new one. */
  async rotate(): Promise<void> {
    await this.context.secrets.store(TOKEN_KEY, randomBytes(32).toString('base64url'));
    if (this.running) { await this.stop(); await this.start(); }
  }

  /** Ready-made entries for the hosts people use, with the URL and the token. */
  async configurations(): Promise<{ label: string; detail: string; text: string }[]> {
    const { url, token } = await this.start();
    const auth = `Bearer ${token}`;
    return [
      { label: 'Claude Code', detail: 'a command to run in a terminal', text: `claude mcp add --transport http mcp-host ${url} --header "Authorization: ${auth}"` },
      { label: 'Cursor', detail: '~/.cursor/mcp.json', text: JSON.stringify({ mcpServers: { 'mcp-host': { url, headers: { Authorization: auth } } } }, null, 2) },
      { label: 'Claude Desktop', detail: 'claude_desktop_config.json (through mcp-remote, which it launches)', text: JSON.stringify({ mcpServers: { 'mcp-host': { command: 'npx', args: ['-y', 'mcp-remote', url, '--header', `Authorization:${auth}`] } } }, null, 2) },
      { label: '.vscode/mcp.json', detail: 'another VS Code window or workspace', text: JSON.stringify({ servers: { 'mcp-host': { type: 'http', url, headers: { Authorization: auth } } } }, null, 2) },
    ];
  }

  /** One of the gateway commands (gatewayCommands.ts forwards them), with its messages. */
  async run(command: 'startGateway' | 'stopGateway' | 'copyGatewayConfiguration' | 'rotateGatewayToken'): Promise<string | undefined> {
    try {
      switch (command) {
        case 'startGateway': {
          const e = await this.start();
          void vscode.window.showInformationMessage(`MCP Host: the gateway is listening on ${e.url}.`);
          return e.url;
        }
        case 'stopGateway':
          if (!this.running) { void vscode.window.showInformationMessage('MCP Host: the gateway is not running.'); return undefined; }
          await this.stop();
          void vscode.window.showInformationMessage('MCP Host: the gateway stopped.');
          return undefined;
        case 'copyGatewayConfiguration': {
          const items = await this.configurations();
          const picked = await vscode.window.showQuickPick(items, { title: 'MCP Host: Copy Gateway Configuration', placeHolder: 'For which host?' });
          if (!picked) return undefined;
          await vscode.env.clipboard.writeText(picked.text);
          void vscode.window.showInformationMessage(`MCP Host: copied the ${picked.label} configuration (it holds the gateway's token).`);
          return picked.label;
        }
        case 'rotateGatewayToken': {
          const ok = await vscode.window.showWarningMessage('Replace the gateway token? Every client connected through the gateway is disconnected and needs the new configuration.', { modal: true }, 'Replace Token');
          if (ok === 'Replace Token') await this.rotate();
          return undefined;
        }
      }
    } catch (err) {
      const message = `MCP Host: the gateway: ${err instanceof Error ? err.message : String(err)}`;
      this.services.log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    void this.stop();
  }
}

export function createGatewayHost(services: HostServices, context: vscode.ExtensionContext, onEndpoint: (e: GatewayEndpoint | undefined) => void): GatewayHost {
  return new GatewayHost(services, context, onEndpoint);
}
