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
// - In the Servers view: its state and one item per client session (gatewayTreeItems.ts).

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import * as vscode from 'vscode';
import { Gateway, type ServerRequestPolicy } from '../../gateway/gateway.ts';
import { HttpGatewayServer, bearerToken, type HttpGatewayOptions } from '../../gateway/http.ts';
import { loadJwt } from '../../gateway/jwtLoader.ts';
import type { Disposable } from '../../base/event.ts';
import type { ManagedServer, ServerRef } from '../../host/types.ts';
import type { SectionNode } from '../serversView.ts';
import type { HostServices } from '../services.ts';
import { vscodeRunsItself, type GatewayState } from './gatewayTree.ts';
import { GatewayTreeItems } from './gatewayTreeItems.ts';

const TOKEN_KEY = 'mcpHost.gateway.token';
/** JWT problems named by their settings (mcpHost.gateway.jwt.*). */
const JWT_SETTING_NAMES = {
  issuer: 'mcpHost.gateway.jwt.issuer', audience: 'mcpHost.gateway.jwt.audience', jwksUrl: 'mcpHost.gateway.jwt.jwksUrl', key: 'mcpHost.gateway.jwt.keyFile',
  algorithms: 'mcpHost.gateway.jwt.algorithms', requiredScopes: 'mcpHost.gateway.jwt.requiredScopes', clockToleranceSec: 'mcpHost.gateway.jwt.clockToleranceSec', maxTokenBytes: 'mcpHost.gateway.jwt.maxTokenBytes',
};
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
  /** The running gateway's listeners (its sessions, its catalogue), gone with it. */
  private live: Disposable[] = [];
  /** Why the last start failed, until the next start or stop. */
  private failure: string | undefined;
  private readonly tree: GatewayTreeItems;

  constructor(services: HostServices, context: vscode.ExtensionContext, onEndpoint: (e: GatewayEndpoint | undefined) => void, node: SectionNode) {
    this.services = services;
    this.context = context;
    this.onEndpoint = onEndpoint;
    this.tree = new GatewayTreeItems(node, () => this.treeState(), n => services.tree.refreshNode(n));
    this.subscriptions.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.gateway?.catalog.rebuild()),
      vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('mcpHost.gateway.expose')) this.gateway?.catalog.rebuild(); }),
    );
  }

  /** The gateway's, its HTTP server's and JWT validation's messages, in the extension's log. */
  private readonly log = (level: 'info' | 'warning' | 'error', message: string): void => this.services.log[level === 'warning' ? 'warn' : level](`gateway: ${message}`);

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

  /** A start under way: a second click (or autoStart beside a click) waits for it instead of starting another. */
  private starting: Promise<GatewayEndpoint> | undefined;

  start(): Promise<GatewayEndpoint> {
    if (this.endpoint) return Promise.resolve(this.endpoint);
    return this.starting ??= this.listen().catch(err => {
      this.failure = err instanceof Error ? err.message : String(err);
      this.tree.changed();
      throw err;
    }).finally(() => { this.starting = undefined; });
  }

  /** Per server: "client" (the gateway client whose call caused a request answers it, when it can) or "host" (MCP Host's dialogs). */
  private policy(server: ServerRef): ServerRequestPolicy {
    const map = vscode.workspace.getConfiguration('mcpHost').get<Record<string, string>>('gateway.serverRequests', {});
    const p = map[server.name] ?? map['*'];
    return p === 'host' ? 'host' : 'client';
  }

  /**
   * VS Code's own MCP support reads .vscode/mcp.json itself and starts those servers for its chat
   * when it needs them. Its session through the gateway (its definition sends X-MCP-Host-View:
   * vscode) does not see them, so chat has each server once and the gateway starts nothing twice;
   * it sees the servers only MCP Host has (mcpHost.servers). "all": every exposed server.
   */
  private hideFromVsCode(req: IncomingMessage): ((s: ManagedServer) => boolean) | undefined {
    if (req.headers['x-mcp-host-view'] !== 'vscode') return undefined;
    if (vscode.workspace.getConfiguration('mcpHost').get<string>('gateway.vscodeChat', 'ownServers') === 'all') return undefined;
    const hidden = (s: ManagedServer) => vscodeRunsItself(s.definition.source.file);
    const names = this.services.manager.servers.filter(s => hidden(s) && this.exposed(s)).map(s => s.definition.name);
    if (names.length) this.services.log.info(`gateway: VS Code's chat gets ${names.join(', ')} from .vscode/mcp.json itself; its gateway session leaves them out, so they do not run twice`);
    return hidden;
  }

  /** The HTTPS certificate and key (mcpHost.gateway.tlsCertFile / tlsKeyFile), when both are set. */
  private async tls(): Promise<{ cert: Buffer; key: Buffer } | undefined> {
    const c = vscode.workspace.getConfiguration('mcpHost');
    const certFile = c.get<string>('gateway.tlsCertFile', ''), keyFile = c.get<string>('gateway.tlsKeyFile', '');
    if (!certFile && !keyFile) return undefined;
    if (!certFile || !keyFile) throw new Error('HTTPS needs both mcpHost.gateway.tlsCertFile and mcpHost.gateway.tlsKeyFile');
    try {
      return { cert: await readFile(certFile), key: await readFile(keyFile) };
    } catch (err) {
      throw new Error(`the TLS certificate or key cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The token check, and JWT validation beside it when mcpHost.gateway.jwt is set (VS Code's own definition keeps the token). */
  private async authenticate(token: string): Promise<HttpGatewayOptions['authenticate']> {
    const byToken = bearerToken(token);
    const jwt = vscode.workspace.getConfiguration('mcpHost').get<Record<string, unknown>>('gateway.jwt', {});
    if (!jwt || !Object.keys(jwt).length) return byToken;
    const { jwtAuthenticator, validateJwtOptions } = await loadJwt();
    const keyFile = typeof jwt.keyFile === 'string' && jwt.keyFile ? { path: jwt.keyFile, text: await readFile(jwt.keyFile, 'utf8') } : undefined;
    const byJwt = jwtAuthenticator({ ...validateJwtOptions({ ...jwt, keyFile }, JWT_SETTING_NAMES), log: this.log });
    return header => byToken(header) ?? byJwt(header);
  }

  private async listen(): Promise<GatewayEndpoint> {
    const token = await this.token();
    const [tls, authenticate] = [await this.tls(), await this.authenticate(token)];
    const gateway = new Gateway({
      source: this.services.manager,
      exposed: s => this.exposed(s),
      fallback: this.services.serverRequests.host,
      serverRequests: s => this.policy(s),
      serverInfo: { name: 'mcp-host-gateway', version: String(this.context.extension.packageJSON.version ?? '0.0.0'), title: 'MCP Host' },
      log: this.log,
    });
    const configured = vscode.workspace.getConfiguration('mcpHost').get<number>('gateway.port', 0);
    const remembered = this.context.globalState.get<number>(PORT_KEY);
    const ports = configured ? [configured] : remembered ? [remembered, 0] : [0];
    let server: HttpGatewayServer | undefined;
    let lastError: unknown;
    for (const port of ports) {
      const candidate = new HttpGatewayServer({
        gateway, port, authenticate, ...(tls ? { tls } : {}),
        hideFor: req => this.hideFromVsCode(req),
        log: this.log,
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
    this.services.serverRequests.gateway = gateway;
    this.failure = undefined;
    this.live = [gateway.onDidChangeSessions(() => this.tree.changed()), gateway.catalog.onDidChange(() => this.tree.changed())];
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
    this.failure = undefined;
    for (const d of this.live.splice(0)) d.dispose();
    if (this.services.serverRequests.gateway === this.gateway) this.services.serverRequests.gateway = undefined;
    this.tree.changed();
    this.onEndpoint(undefined);
    await server?.close();
    this.gateway?.dispose();
    this.gateway = undefined;
  }

  /** The gateway's node in the Servers view: undefined while simply stopped (gatewayCommands.ts draws that). */
  treeItem(node: SectionNode): vscode.TreeItem | undefined { return this.tree.item(node); }
  treeChildren(node: SectionNode): SectionNode[] { return this.tree.children(node); }

  /** End Session on a session's row: the client is disconnected (over HTTP it starts a new session if it comes back). */
  endSession(node: SectionNode | undefined): void {
    const info = node && this.tree.session(node);
    if (!info || !this.gateway?.endSession(info.label)) {
      void vscode.window.showInformationMessage('MCP Host: that gateway session has already ended.');
      return;
    }
    this.tree.changed();
    void vscode.window.showInformationMessage(`MCP Host: ended the gateway session of ${info.client ? `${info.client.name} ${info.client.version}` : info.label}.`);
  }

  private treeState(): GatewayState | undefined {
    const { gateway, endpoint } = this;
    if (gateway && endpoint) {
      const { catalog } = gateway;
      return { kind: 'running', url: endpoint.url, sessions: gateway.sessionInfos(), servers: catalog.servers.map(s => s.server.definition.name), tools: catalog.tools.length };
    }
    return this.failure ? { kind: 'failed', error: this.failure } : undefined;
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
    this.tree.dispose();
    void this.stop();
  }
}

export function createGatewayHost(services: HostServices, context: vscode.ExtensionContext, onEndpoint: (e: GatewayEndpoint | undefined) => void, node: SectionNode): GatewayHost {
  return new GatewayHost(services, context, onEndpoint, node);
}
