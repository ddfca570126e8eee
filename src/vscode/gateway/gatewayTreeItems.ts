// The gateway's node in the Servers view once dist/gateway.js is loaded (issue 13): its state
// and, under it, one item per client session (gatewayTree.ts has the wording). Stopped and never
// started, gatewayCommands.ts draws the node itself, so the view never loads this bundle.
//
// Redraws: the gateway reports every connect, initialize, disconnect and call start and end;
// they are gathered into one redraw of the gateway's node at most every 250 ms, and while
// sessions exist one a minute keeps "idle N min" true. A redraw names the node, so VS Code
// asks only for it (and its children when expanded); a view never shown ignores it.

import * as vscode from 'vscode';
import type { GatewaySessionInfo } from '../../gateway/gateway.ts';
import type { SectionNode } from '../serversView.ts';
import { gatewayText, sessionText, type GatewayState, type ItemText } from './gatewayTree.ts';

const REDRAW_DELAY_MS = 250;
const IDLE_TICK_MS = 60_000;

function fill(item: vscode.TreeItem, text: ItemText): vscode.TreeItem {
  item.description = text.description;
  item.tooltip = text.tooltip;
  item.iconPath = new vscode.ThemeIcon(text.icon, text.color ? new vscode.ThemeColor(text.color) : undefined);
  return item;
}

export class GatewayTreeItems implements vscode.Disposable {
  private readonly root: SectionNode;
  private readonly state: () => GatewayState | undefined;
  private readonly redraw: (node: SectionNode) => void;
  /** The sessions as the last children() listed them, by node id (their items are asked for next). */
  private sessions = new Map<string, GatewaySessionInfo>();
  private pending: ReturnType<typeof setTimeout> | undefined;
  private tick: ReturnType<typeof setInterval> | undefined;
  private disposed = false;

  constructor(root: SectionNode, state: () => GatewayState | undefined, redraw: (node: SectionNode) => void) {
    this.root = root;
    this.state = state;
    this.redraw = redraw;
  }

  /** The gateway or its sessions changed: one redraw within REDRAW_DELAY_MS for any number of changes. */
  changed(): void {
    if (this.disposed) return;
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      const s = this.state();
      const live = s?.kind === 'running' && s.sessions.length > 0;
      if (live && !this.tick) this.tick = setInterval(() => this.redraw(this.root), IDLE_TICK_MS);
      else if (!live && this.tick) { clearInterval(this.tick); this.tick = undefined; }
      this.redraw(this.root);
    }, REDRAW_DELAY_MS);
  }

  /** The node's item; undefined when the gateway is simply stopped (the main bundle draws that). */
  item(node: SectionNode): vscode.TreeItem | undefined {
    const s = this.state();
    if (node.id === this.root.id) {
      if (!s) return undefined;
      const item = fill(new vscode.TreeItem('Gateway'), gatewayText(s));
      item.id = node.id;
      item.contextValue = 'mcpGateway.stopped';
      if (s.kind === 'running') {
        item.contextValue = 'mcpGateway.running';
        if (s.sessions.length) item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
      }
      return item;
    }
    const info = this.sessions.get(node.id);
    if (!info) return Object.assign(new vscode.TreeItem('(ended)'), { id: node.id });
    const text = sessionText(info, Date.now());
    const item = fill(new vscode.TreeItem(text.label), text);
    item.id = node.id;
    item.contextValue = 'mcpGatewaySession';
    return item;
  }

  /** The session a node of children() stands for (its label names it to the gateway). */
  session(node: SectionNode): GatewaySessionInfo | undefined { return this.sessions.get(node.id); }

  children(node: SectionNode): SectionNode[] {
    const s = this.state();
    if (node.id !== this.root.id || s?.kind !== 'running') return [];
    this.sessions = new Map(s.sessions.map(i => [`${this.root.id}/${i.label}`, i]));
    return [...this.sessions.keys()].map(id => ({ kind: 'section', id }));
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.pending);
    clearInterval(this.tick);
    this.pending = this.tick = undefined;
  }
}
