// The Servers view: servers with their state, and under a running one its tools,
// resources (with templates) and prompts. Nodes carry ids, never live objects, so a
// command run from a node always acts on the server as it is now.

import * as vscode from 'vscode';
import { toolUi } from '../protocol/apps.ts';
import type { ManagedServer } from '../host/types.ts';
import type { ServerManager } from '../host/manager.ts';
import type { TreeNodeSnapshot } from './api.ts';
import { describeTaskGroup, fillTaskItem, type TaskNode } from './tasks.ts';
import { fillSkillsGroupItem, isSkillNode, type SkillNode, type SkillsModel } from './skills.ts';
import { describeLaunch, describeProtocol, describeServer, describeStateInFull } from './util.ts';

export type GroupKind = 'tools' | 'resources' | 'prompts' | 'tasks' | 'skills';

export type TreeNode =
  | { kind: 'server'; id: string; serverId: string }
  | { kind: 'group'; id: string; serverId: string; group: GroupKind }
  | { kind: 'tool'; id: string; serverId: string; name: string }
  | { kind: 'resource'; id: string; serverId: string; uri: string }
  | { kind: 'template'; id: string; serverId: string; uriTemplate: string }
  | { kind: 'prompt'; id: string; serverId: string; name: string }
  | TaskNode
  | SkillNode;

/**
 * A node another part of the extension owns, at the root after the servers: the gateway's
 * (gatewayCommands.ts draws it stopped; dist/gateway.js, once loaded, draws the rest). It has
 * no serverId, so isTreeNode() is false for it and no server command takes it for a server.
 */
export interface SectionNode { kind: 'section'; id: string }
export interface TreeSection {
  roots(): SectionNode[];
  children(node: SectionNode): SectionNode[];
  item(node: SectionNode): vscode.TreeItem;
  parent(node: SectionNode): SectionNode | undefined;
}
type ViewNode = TreeNode | SectionNode;

export function isTreeNode(v: unknown): v is TreeNode {
  return !!v && typeof v === 'object' && typeof (v as TreeNode).kind === 'string' && typeof (v as TreeNode).serverId === 'string' && typeof (v as TreeNode).id === 'string';
}

const STATE_ICONS: Record<ManagedServer['state']['kind'], [string, string | undefined]> = {
  running: ['pass-filled', 'testing.iconPassed'],
  starting: ['loading~spin', undefined],
  stopped: ['circle-large-outline', undefined],
  error: ['error', 'errorForeground'],
  'needs-sign-in': ['account', 'list.warningForeground'],
};

/** Whether Sign Out applies: the last part of a server's context value. */
type SignInMark = 'signedIn' | 'signedOut';
function signInMark(server: ManagedServer): SignInMark { return server.signedIn ? 'signedIn' : 'signedOut'; }

function icon(id: string, color?: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export class ServersTreeProvider implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  private readonly manager: ServerManager;
  private readonly redact: (text: string) => string;
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  /** The same object per server, so refreshing one server's node reaches the view. */
  private readonly serverNodes = new Map<string, TreeNode & { kind: 'server' }>();
  private readonly listeners: Array<{ dispose(): void }> = [];

  /** The servers' skills, listed when their Skills node is expanded (skills.ts). */
  private readonly skills: SkillsModel | undefined;
  private section: TreeSection | undefined;

  constructor(manager: ServerManager, redact: (text: string) => string, skills?: SkillsModel) {
    this.manager = manager;
    this.redact = redact;
    this.skills = skills;
    this.listeners.push(
      manager.onDidChangeServers(() => this.refresh()),
      manager.onDidChangeServer(s => this.refresh(s)),
    );
    if (skills) this.listeners.push(skills.onDidChange(id => this.refresh(manager.get(id))));
  }

  refresh(server?: ManagedServer): void {
    const node = server && this.serverNodes.get(server.definition.id);
    this._onDidChangeTreeData.fire(node);
  }

  /** Shows `section`'s nodes after the servers (one section: the gateway's). */
  attach(section: TreeSection): void { this.section = section; this.refresh(); }

  /** Redraws one node (a section's, the same object it returned) and what is under it, or everything. */
  refreshNode(node?: SectionNode): void { this._onDidChangeTreeData.fire(node); }

  private serverNode(server: ManagedServer): TreeNode & { kind: 'server' } {
    const serverId = server.definition.id;
    let node = this.serverNodes.get(serverId);
    if (!node) {
      node = { kind: 'server', id: `server/${serverId}`, serverId };
      this.serverNodes.set(serverId, node);
    }
    return node;
  }

  getChildren(parent?: ViewNode): ViewNode[] {
    if (!parent) {
      const servers = this.manager.servers;
      const live = new Set(servers.map(s => s.definition.id));
      for (const id of this.serverNodes.keys()) if (!live.has(id)) this.serverNodes.delete(id);
      return [...servers.map(s => this.serverNode(s)), ...this.section?.roots() ?? []];
    }
    if (parent.kind === 'section') return this.section?.children(parent) ?? [];
    const server = this.manager.get(parent.serverId);
    if (!server || server.state.kind !== 'running') return [];
    const base = `server/${parent.serverId}`;
    if (parent.kind === 'server') {
      const groups: TreeNode[] = [];
      if (server.tools.length) groups.push({ kind: 'group', id: `${base}/tools`, serverId: parent.serverId, group: 'tools' });
      if (server.resources.length + server.resourceTemplates.length) groups.push({ kind: 'group', id: `${base}/resources`, serverId: parent.serverId, group: 'resources' });
      if (server.prompts.length) groups.push({ kind: 'group', id: `${base}/prompts`, serverId: parent.serverId, group: 'prompts' });
      if (server.tasks.list().length) groups.push({ kind: 'group', id: `${base}/tasks`, serverId: parent.serverId, group: 'tasks' });
      if (this.skills?.offers(server)) groups.push({ kind: 'group', id: `${base}/skills`, serverId: parent.serverId, group: 'skills' });
      return groups;
    }
    if (parent.kind !== 'group') return [];
    switch (parent.group) {
      case 'tools': return server.tools.map(t => ({ kind: 'tool', id: `${base}/tool/${t.name}`, serverId: parent.serverId, name: t.name }));
      case 'prompts': return server.prompts.map(p => ({ kind: 'prompt', id: `${base}/prompt/${p.name}`, serverId: parent.serverId, name: p.name }));
      case 'skills': return this.skills?.children(server) ?? [];
      case 'tasks': return server.tasks.list().map(t => ({ kind: 'task', id: `${base}/task/${t.taskId}`, serverId: parent.serverId, taskId: t.taskId }));
      case 'resources': return [
        ...server.resources.map((r): TreeNode => ({ kind: 'resource', id: `${base}/resource/${r.uri}`, serverId: parent.serverId, uri: r.uri })),
        ...server.resourceTemplates.map((t): TreeNode => ({ kind: 'template', id: `${base}/template/${t.uriTemplate}`, serverId: parent.serverId, uriTemplate: t.uriTemplate })),
      ];
    }
  }

  getParent(node: ViewNode): ViewNode | undefined {
    if (node.kind === 'section') return this.section?.parent(node);
    if (node.kind === 'server') return undefined;
    const server = this.manager.get(node.serverId);
    if (!server) return undefined;
    if (node.kind === 'group') return this.serverNode(server);
    const group: GroupKind = node.kind === 'tool' ? 'tools' : node.kind === 'prompt' ? 'prompts' : node.kind === 'task' ? 'tasks' : isSkillNode(node) ? 'skills' : 'resources';
    return { kind: 'group', id: `server/${node.serverId}/${group}`, serverId: node.serverId, group };
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    if (node.kind === 'section') return this.section!.item(node);
    const server = this.manager.get(node.serverId);
    const item = new vscode.TreeItem('', vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    if (!server) { item.label = node.serverId; return item; }
    switch (node.kind) {
      case 'server': {
        item.label = server.definition.name;
        item.description = describeServer(server);
        const launch = server.definition.launch;
        const where = launch.type === 'stdio' && launch.cwd ? `\n(in ${launch.cwd})` : '';
        const scope = server.definition.scope === 'workspace' ? `workspace (${server.definition.source.file})` : 'user settings';
        item.tooltip = this.redact(`${describeLaunch(launch)}${where}\nDefined in ${scope}\n\n${describeStateInFull(server.state)}${describeProtocol(server)}`);
        item.contextValue = `mcpServer.${server.state.kind}.${signInMark(server)}`;
        const [id, color] = server.state.kind === 'running' && server.state.notice ? ['warning', 'editorWarning.foreground'] : STATE_ICONS[server.state.kind];
        item.iconPath = icon(id, color);
        const hasChildren = server.state.kind === 'running' && server.tools.length + server.resources.length + server.resourceTemplates.length + server.prompts.length + server.tasks.list().length > 0 || !!this.skills?.offers(server);
        item.collapsibleState = hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None;
        return item;
      }
      case 'group': {
        if (node.group === 'skills') return fillSkillsGroupItem(item, this.skills, server);
        const count = node.group === 'tools' ? server.tools.length : node.group === 'prompts' ? server.prompts.length : server.resources.length + server.resourceTemplates.length;
        item.label = node.group === 'tools' ? 'Tools' : node.group === 'prompts' ? 'Prompts' : node.group === 'tasks' ? 'Tasks' : 'Resources';
        item.description = node.group === 'tasks' ? describeTaskGroup(server) : String(count);
        item.iconPath = icon(node.group === 'tools' ? 'tools' : node.group === 'prompts' ? 'comment-discussion' : node.group === 'tasks' ? 'tasklist' : 'files');
        item.contextValue = `mcpGroup.${node.group}`;
        item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
        return item;
      }
      case 'tool': {
        const tool = server.tools.find(t => t.name === node.name);
        item.label = node.name;
        const title = tool?.title ?? tool?.annotations?.title;
        // A tool that runs only as a task is marked: its call is followed under Tasks.
        const asTask = tool?.execution?.taskSupport === 'required';
        // MCP Apps: a tool with a ui:// app, and one only its server's apps may call.
        const ui = tool ? toolUi(tool) : undefined;
        const appOnly = !!ui && !ui.visibility.includes('model');
        const marks = [asTask ? 'task' : undefined, ui?.resourceUri ? 'app' : undefined, appOnly ? 'app only' : undefined];
        item.description = [title && title !== node.name ? title : undefined, ...marks].filter(Boolean).join(' · ') || undefined;
        const notes = [asTask ? 'Runs as a task: follow it under Tasks.' : undefined, ui?.resourceUri ? `Has an MCP App (${ui.resourceUri}): calling it opens the app beside.` : undefined,
          appOnly ? 'Meant for its apps: hidden from the model.' : undefined].filter(Boolean).join('\n');
        item.tooltip = notes ? `${tool?.description ?? ''}${tool?.description ? '\n\n' : ''}${notes}` : tool?.description;
        item.iconPath = icon(asTask ? 'tasklist' : ui?.resourceUri ? 'window' : 'symbol-method');
        item.contextValue = 'mcpTool';
        if (ui?.resourceUri) item.contextValue = 'mcpTool.app';
        item.command = { command: 'mcpHost.callTool', title: 'Call Tool…', arguments: [node] };
        return item;
      }
      case 'resource': {
        const resource = server.resources.find(r => r.uri === node.uri);
        item.label = resource?.name ?? node.uri;
        item.description = node.uri;
        item.tooltip = resource?.description;
        item.iconPath = icon(resource?.mimeType?.startsWith('image/') ? 'file-media' : 'file');
        item.contextValue = 'mcpResource';
        item.command = { command: 'mcpHost.readResource', title: 'Read Resource…', arguments: [node] };
        return item;
      }
      case 'template': {
        const template = server.resourceTemplates.find(t => t.uriTemplate === node.uriTemplate);
        item.label = template?.name ?? node.uriTemplate;
        item.description = node.uriTemplate;
        item.tooltip = template?.description;
        item.iconPath = icon('symbol-variable');
        item.contextValue = 'mcpResourceTemplate';
        item.command = { command: 'mcpHost.readResource', title: 'Read Resource…', arguments: [node] };
        return item;
      }
      case 'prompt': {
        const prompt = server.prompts.find(p => p.name === node.name);
        item.label = node.name;
        item.description = prompt?.title && prompt.title !== node.name ? prompt.title : undefined;
        item.tooltip = prompt?.description;
        item.iconPath = icon('comment');
        item.contextValue = 'mcpPrompt';
        item.command = { command: 'mcpHost.getPrompt', title: 'Get Prompt…', arguments: [node] };
        return item;
      }
      case 'task': return fillTaskItem(item, node, server.tasks.get(node.taskId));
      case 'skill': case 'skillRefused': case 'skillStatus': return this.skills?.fillItem(item, node, server) ?? item;
    }
  }

  /** The children of a node as the view shows them, for the API. */
  snapshot(parentId?: string): TreeNodeSnapshot[] {
    const parent = parentId === undefined ? undefined : this.find(parentId);
    if (parentId !== undefined && !parent) return [];
    return this.getChildren(parent).map(node => {
      const item = this.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
      const tooltip = typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value;
      return {
        id: node.id,
        label,
        description: typeof item.description === 'string' ? item.description : undefined,
        tooltip,
        contextValue: item.contextValue,
        collapsible: item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None,
      };
    });
  }

  /** The node with this id, searched from the root (the tree is small). */
  find(id: string): ViewNode | undefined {
    const walk = (nodes: ViewNode[]): ViewNode | undefined => {
      for (const n of nodes) {
        if (n.id === id) return n;
        if (id.startsWith(n.id + '/')) {
          const found = walk(this.getChildren(n));
          if (found) return found;
        }
      }
      return undefined;
    };
    return walk(this.getChildren());
  }

  dispose(): void {
    for (const l of this.listeners.splice(0)) l.dispose();
    this._onDidChangeTreeData.dispose();
  }
}
