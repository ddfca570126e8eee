// The MCP App panels (issue 12): one per server and ui:// resource, and the resources they
// show, cached per server while it runs. Its own bundle, dist/apps.js, loaded by the
// workbench when the first app opens (the bridge and the CSP builders are not small).

import type * as vscode from 'vscode';
import { AppResources } from '../../host/apps/resources.ts';
import type { ManagedServer } from '../../host/types.ts';
import type { HostServices } from '../services.ts';
import { AppPanel } from './appPanel.ts';
import type { AppCallHandle } from './toolPanel.ts';

export { APP_VIEW_TYPE } from './appPanel.ts';

export class AppPanels implements vscode.Disposable {
  private readonly services: HostServices;
  private readonly extensionUri: vscode.Uri;
  private readonly hostVersion: string;
  private readonly panels = new Map<string, AppPanel>();
  private readonly resources = new AppResources();

  constructor(services: HostServices, extensionUri: vscode.Uri, hostVersion: string) {
    this.services = services;
    this.extensionUri = extensionUri;
    this.hostVersion = hostVersion;
  }

  /** The open panel of the app at `uri` of `server`, or a new one. */
  private panel(server: ManagedServer, uri: string, tool: string | undefined): { panel: AppPanel; created: boolean } {
    const key = `${server.definition.id}\u0000${uri}`;
    const open = this.panels.get(key);
    if (open) return { panel: open, created: false };
    const panel = new AppPanel({ services: this.services, extensionUri: this.extensionUri, resources: this.resources, hostVersion: this.hostVersion }, server, uri, tool);
    this.panels.set(key, panel);
    panel.onDidDispose(() => { if (this.panels.get(key) === panel) this.panels.delete(key); });
    return { panel, created: true };
  }

  /** Opens (or reveals) the app without a call (Open App). */
  open(server: ManagedServer, uri: string, tool?: string): AppPanel {
    const { panel, created } = this.panel(server, uri, tool);
    if (created) void panel.load(); else panel.reveal();
    return panel;
  }

  /** A call of `tool`, whose app is at `uri`, started: the app opens beside and follows it. */
  callStarted(server: ManagedServer, uri: string, tool: string, args: Record<string, unknown>): AppCallHandle {
    return this.panel(server, uri, tool).panel.callStarted(tool, args);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
    this.resources.dispose();
  }
}

export function createAppPanels(services: HostServices, extensionUri: vscode.Uri, hostVersion: string): AppPanels {
  return new AppPanels(services, extensionUri, hostVersion);
}
