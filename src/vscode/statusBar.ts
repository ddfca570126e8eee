// The status bar item: how many servers run, a click away from the Servers view. It
// also keeps the context keys that gate commands in the palette up to date.

import * as vscode from 'vscode';
import type { ServerManager } from '../host/manager.ts';

export class ServersStatus implements vscode.Disposable {
  private readonly manager: ServerManager;
  private readonly item = vscode.window.createStatusBarItem('mcpHost.status', vscode.StatusBarAlignment.Left, 50);
  private readonly listeners: Array<{ dispose(): void }> = [];
  private hasServers: boolean | undefined;

  constructor(manager: ServerManager) {
    this.manager = manager;
    this.item.name = 'MCP Host';
    this.item.command = 'mcpHost.focusServers';
    this.listeners.push(manager.onDidChangeServers(() => this.update()), manager.onDidChangeServer(() => this.update()));
    this.update();
  }

  private update(): void {
    const servers = this.manager.servers;
    const running = servers.filter(s => s.state.kind === 'running').length;
    const total = servers.length;
    if (total === 0) {
      this.item.hide();
    } else {
      this.item.text = `$(server-process) MCP ${running}/${total}`;
      this.item.tooltip = `MCP Host: ${running} of ${total} servers running`;
      const failed = servers.some(s => s.state.kind === 'error');
      this.item.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      this.item.show();
    }
    if (this.hasServers !== total > 0) {
      this.hasServers = total > 0;
      void vscode.commands.executeCommand('setContext', 'mcpHost.hasServers', this.hasServers);
    }
  }

  dispose(): void {
    for (const l of this.listeners.splice(0)) l.dispose();
    this.item.dispose();
  }
}
