// Signing in from VS Code: tokens and registrations in SecretStorage, the authorization
// page in the user's browser (vscode.env.openExternal), the redirect to a loopback
// listener. A server never opens the browser by itself: its first 401 at a start shows
// it as `needs sign-in` with a notification, and MCP Host: Sign In to Server (or the
// notification's button, or the inline action) runs the flow, with progress and Cancel.

import * as vscode from 'vscode';
import { OAuthSession } from '../auth/session.ts';
import type { AuthHost, TokenStore } from '../auth/types.ts';
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

/** The manager's `auth` hook: one OAuthSession per remote server, its secrets masked everywhere. */
export function createServerAuth(context: vscode.ExtensionContext, redactor: Redactor) {
  const store = new SecretTokenStore(context.secrets);
  const host = (def: ServerDefinition): AuthHost => ({
    store,
    clientName: 'MCP Host for VS Code',
    ...(clientMetadataUrl() ? { clientMetadataUrl: clientMetadataUrl()! } : {}),
    async openUrl(url) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`will not open ${url.protocol} URLs`);
      const opened = await vscode.env.openExternal(vscode.Uri.parse(url.href, true));
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
