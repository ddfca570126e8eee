// Signing in from VS Code: tokens and registrations in SecretStorage, the authorization
// page in the user's browser (vscode.env.openExternal), the redirect to a loopback
// listener. A server never opens the browser by itself: its first 401 at a start shows
// it as `needs sign-in` with a notification, and MCP Host: Sign In to Server (or the
// notification's button, or the inline action) runs the flow, with progress and Cancel.

import * as vscode from 'vscode';
import { OAuthSession } from '../auth/session.ts';
import type { AuthHost, RedirectReceiver, TokenStore } from '../auth/types.ts';
import type { Redactor } from '../host/redaction.ts';
import type { ManagedServer, RemoteLaunch, ServerDefinition } from '../host/types.ts';
import { resolveServer } from './serverPicker.ts';
import type { HostServices } from './services.ts';
import { failureMessage, isCancellation } from './util.ts';

const PREFIX = 'mcpHost.oauth:';

class SecretTokenStore implements TokenStore {
  private readonly secrets: vscode.SecretStorage;
  constructor(secrets: vscode.SecretStorage) { this.secrets = secrets; }
  async get(key: string) { return this.secrets.get(PREFIX + key); }
  async set(key: string, value: string) { await this.secrets.store(PREFIX + key, value); }
  async delete(key: string) { await this.secrets.delete(PREFIX + key); }
}

/**
 * Where the UI runs elsewhere (a remote window), the browser cannot reach a listener of
 * the extension host's: the redirect
 * goes to the extension's URI handler, through the address vscode.env.asExternalUri gives.
 * One sign-in waits at a time (a second replaces the first, which then fails as cancelled).
 */
class UriHandlerRedirects implements vscode.UriHandler {
  private waiting: { deliver(q: URLSearchParams): void } | undefined;
  private readonly extensionId: string;
  constructor(extensionId: string) { this.extensionId = extensionId; }

  handleUri(uri: vscode.Uri): void {
    if (uri.path !== '/oauth/callback') return;
    const w = this.waiting;
    this.waiting = undefined;
    w?.deliver(new URLSearchParams(uri.query));
  }

  async receiver(): Promise<RedirectReceiver> {
    const internal = vscode.Uri.parse(`${vscode.env.uriScheme}://${this.extensionId}/oauth/callback`);
    const external = await vscode.env.asExternalUri(internal);
    let entry: { deliver(q: URLSearchParams): void } | undefined;
    // From the parts, unencoded: code-server's answer carries its query inside the path
    // (".../callback?vscode-reqid=…"), which Uri.toString() would escape into "%3F".
    const redirectUri = `${external.scheme}://${external.authority}${external.path}${external.query ? `?${external.query}` : ''}`;
    return {
      redirectUri,
      wait: signal => new Promise((resolve, reject) => {
        const onAbort = () => { if (this.waiting === entry) this.waiting = undefined; reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled')); };
        if (signal.aborted) { onAbort(); return; }
        signal.addEventListener('abort', onAbort, { once: true });
        entry = { deliver: q => { signal.removeEventListener('abort', onAbort); resolve(q); } };
        this.waiting = entry;
      }),
      dispose: () => { if (this.waiting === entry) this.waiting = undefined; },
    };
  }
}

/** Whether the browser may not reach this machine's 127.0.0.1 (setting mcpHost.oauth.redirect). */
function useUriHandler(): boolean {
  const how = vscode.workspace.getConfiguration('mcpHost').get<string>('oauth.redirect', 'auto');
  if (how === 'loopback') return false;
  if (how === 'uriHandler') return true;
  // A desktop VS Code's remote window (SSH, WSL, a container, a tunnel): the browser is on another machine.
  // VS Code in a browser (code-server) keeps the loopback listener: its browser is usually
  // on the server's machine, and its port proxy rewrites a loopback authorization URL in a
  // way that breaks a redirect_uri with a query of its own (seen in the e2e).
  return vscode.env.remoteName !== undefined && vscode.env.uiKind === vscode.UIKind.Desktop;
}

/** The manager's `auth` hook: one OAuthSession per remote server, its secrets masked everywhere. */
export function createServerAuth(context: vscode.ExtensionContext, redactor: Redactor) {
  const store = new SecretTokenStore(context.secrets);
  const redirects = new UriHandlerRedirects(context.extension.id);
  context.subscriptions.push(vscode.window.registerUriHandler(redirects));
  const host = (def: ServerDefinition): AuthHost => ({
    store,
    ...(useUriHandler() ? { redirectReceiver: () => redirects.receiver() } : {}),
    async askClient(issuer, redirectUri) {
      const clientId = await vscode.window.showInputBox({
        title: `MCP Host: ${def.name} — a client for ${issuer}`,
        prompt: `${issuer} does not register clients by itself. Register one there with the redirect URI ${redirectUri} and enter its client ID (Escape: cancel).`,
        ignoreFocusOut: true,
      });
      if (!clientId) return undefined;
      const clientSecret = await vscode.window.showInputBox({
        title: `MCP Host: ${def.name} — the client's secret`, prompt: 'Its client secret, if it has one (leave empty for none).', password: true, ignoreFocusOut: true,
      });
      if (clientSecret) redactor.addSecret(clientSecret);
      return { clientId, ...(clientSecret ? { clientSecret } : {}) };
    },
    clientName: 'MCP Host for VS Code',
    ...(clientMetadataUrl() ? { clientMetadataUrl: clientMetadataUrl()! } : {}),
    async openUrl(url) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`will not open ${url.protocol} URLs`);
      // The URL as a string: VS Code opens a string exactly as given, while a Uri is
      // re-encoded on the way (a redirect_uri that has a query of its own, as the URI
      // handler's does, would reach the browser decoded or encoded twice).
      const opened = await vscode.env.openExternal(url.href as unknown as vscode.Uri);
      if (!opened) throw new Error(`the browser did not open the sign-in page for ${def.name}`);
    },
  });
  return (def: ServerDefinition, launch: RemoteLaunch) => {
    for (const s of [launch.oauth?.clientSecret, launch.oauth?.assertion, launch.oauth?.privateKey]) if (s) redactor.addSecret(s);
    return new OAuthSession({
      serverName: def.name,
      serverUrl: new URL(launch.url.replace(/^ws(s?):/i, 'http$1:')),
      config: launch.oauth ?? {},
      host: host(def),
      // Only the Sign In command opens the browser (signInNow); a start never does.
      mayPrompt: () => false,
      onSecret: v => redactor.addSecret(v),
    });
  };
}

function clientMetadataUrl(): string | undefined {
  const v = vscode.workspace.getConfiguration('mcpHost').get<string>('oauth.clientMetadataUrl');
  return v && /^https:\/\/[^/]+\/.+/.test(v) ? v : undefined;
}

/** MCP Host: Sign In to Server. */
export async function signInCommand(services: HostServices, arg?: unknown): Promise<void> {
  const server = await resolveServer(services.manager, arg, {
    title: 'MCP Host: Sign In to Server — pick a server',
    filter: s => s.definition.launch.type !== 'stdio',
    none: 'MCP Host: no server is reached over HTTP, so there is none to sign in to.',
  });
  if (!server) return;
  await signIn(services, server);
}

async function signIn(services: HostServices, server: ManagedServer): Promise<void> {
  const name = server.definition.name;
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MCP Host: signing in to ${name}`, cancellable: true }, async (progress, token) => {
      const ctrl = new AbortController();
      const sub = token.onCancellationRequested(() => ctrl.abort());
      progress.report({ message: 'finish signing in in your browser…' });
      try { await server.signIn(ctrl.signal); } finally { sub.dispose(); }
    });
    if (server.state.kind === 'running') void vscode.window.showInformationMessage(`MCP Host: signed in to ${name}.`);
  } catch (err) {
    if (isCancellation(err)) return;
    const message = failureMessage(name, 'sign in', err);
    services.sessions.log(server.definition.id, 'error', message);
    void vscode.window.showErrorMessage(message, 'Show Output').then(choice => {
      if (choice) services.sessions.output(server.definition.id)?.channel.show(true);
    });
  }
}

/** MCP Host: Sign Out of Server. */
export async function signOutCommand(services: HostServices, arg?: unknown): Promise<void> {
  const server = await resolveServer(services.manager, arg, {
    title: 'MCP Host: Sign Out of Server — pick a server', filter: s => s.signedIn, none: 'MCP Host: no server is signed in.',
  });
  if (!server) return;
  try {
    await server.signOut();
    void vscode.window.showInformationMessage(`MCP Host: signed out of ${server.definition.name}.`);
  } catch (err) {
    void vscode.window.showErrorMessage(failureMessage(server.definition.name, 'sign out', err));
  }
}

/** Says so once each time a server comes to need a sign-in, with the way to do it. */
export function watchSignIns(services: HostServices): vscode.Disposable {
  const shown = new Set<string>();
  return services.manager.onDidChangeServer(server => {
    const id = server.definition.id;
    if (server.state.kind !== 'needs-sign-in') { shown.delete(id); return; }
    if (shown.has(id)) return;
    shown.add(id);
    void vscode.window.showWarningMessage(`MCP Host: ${server.definition.name} needs you to sign in.`, 'Sign In', 'Not Now')
      .then(choice => { if (choice === 'Sign In') void signIn(services, server); });
  });
}
