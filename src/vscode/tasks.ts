// The Tasks node under a server (its running and finished tasks, from the host's task
// registry) and the two commands on its items: Cancel (tasks/cancel) and Open Result.
// A task outlives the Call Tool notification that started it: dismissing the
// notification leaves it running, and its result stays here.

import * as vscode from 'vscode';
import type { TaskRecord } from '../host/tasks.ts';
import type { ManagedServer } from '../host/types.ts';
import { describeTaskStatus } from '../protocol/tasks.ts';
import { pickOne } from './quickInput.ts';
import { showToolResult } from './results.ts';
import type { HostServices } from './services.ts';
import { failureMessage, isCancellation, truncate } from './util.ts';

/** A task item of the Servers view (serversView.ts builds the node; this fills its item). */
export interface TaskNode { kind: 'task'; id: string; serverId: string; taskId: string }

export function isTaskNode(v: unknown): v is TaskNode {
  return !!v && typeof v === 'object' && (v as TaskNode).kind === 'task' && typeof (v as TaskNode).taskId === 'string' && typeof (v as TaskNode).serverId === 'string';
}

/** The Tasks group's description: how many, and how many still run. */
export function describeTaskGroup(server: ManagedServer): string {
  const all = server.tasks.list();
  const running = all.filter(t => t.running).length;
  return running ? `${all.length} · ${running} running` : String(all.length);
}

const STATUS_ICONS: Record<TaskRecord['status'], [string, string | undefined]> = {
  working: ['loading~spin', undefined],
  input_required: ['question', 'editorWarning.foreground'],
  completed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'errorForeground'],
  cancelled: ['circle-slash', undefined],
};

export function fillTaskItem(item: vscode.TreeItem, node: TaskNode, record: TaskRecord | undefined): vscode.TreeItem {
  if (!record) { item.label = node.taskId; item.description = 'no longer listed'; return item; }
  item.label = record.tool ?? `task ${shortId(record.taskId)}`;
  const lost = !record.running && record.error && record.status !== 'cancelled' && !record.result;
  item.description = truncate(lost ? `${record.status} · stopped: ${record.error}` : describeTaskStatus(record), 120);
  const lines = [
    `Task ${record.taskId}${record.tool ? ` (${record.tool})` : ' (listed by the server)'}`,
    `Status: ${describeTaskStatus(record)}`,
  ];
  if (record.createdAt) lines.push(`Created: ${record.createdAt}`);
  if (record.lastUpdatedAt) lines.push(`Updated: ${record.lastUpdatedAt}`);
  if (record.ttlMs !== undefined) lines.push(`Kept by the server: ${record.ttlMs === null ? 'as long as it likes' : `${Math.round(record.ttlMs / 1000)} s after creation`}`);
  if (record.error) lines.push(`Error: ${record.error}`);
  if (record.result) lines.push(record.result.isError ? 'The tool reported an error (Open Result shows it).' : 'Result ready (Open Result).');
  item.tooltip = lines.join('\n');
  const [icon, color] = record.running ? STATUS_ICONS[record.status] ?? STATUS_ICONS.working : record.status === 'working' || record.status === 'input_required' ? ['warning', 'editorWarning.foreground'] : STATUS_ICONS[record.status];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  if (record.running) item.contextValue = 'mcpTask.running';
  else item.contextValue = 'mcpTask.finished';
  if (!record.running && record.result) item.command = { command: 'mcpHost.openTaskResult', title: 'Open Result', arguments: [node] };
  return item;
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** The task a command acts on: a tree node, (server, taskId), or the user's pick of `filter`'s tasks. */
async function resolveTask(services: HostServices, arg: unknown, taskArg: unknown, what: { title: string; none: string; filter: (t: TaskRecord) => boolean }): Promise<{ server: ManagedServer; record: TaskRecord } | undefined> {
  if (isTaskNode(arg)) {
    const server = services.manager.get(arg.serverId);
    const record = server?.tasks.get(arg.taskId);
    return server && record ? { server, record } : undefined;
  }
  if (typeof arg === 'string' && typeof taskArg === 'string') {
    const server = services.manager.get(arg);
    const record = server?.tasks.get(taskArg);
    return server && record ? { server, record } : undefined;
  }
  const items = services.manager.servers.flatMap(server => server.tasks.list().filter(what.filter).map(record => ({
    label: record.tool ?? `task ${shortId(record.taskId)}`,
    description: `${server.definition.name} · ${describeTaskStatus(record)}`,
    detail: record.taskId,
    value: { server, record },
  })));
  if (!items.length) { void vscode.window.showInformationMessage(what.none); return undefined; }
  const picked = await pickOne({ title: what.title, placeholder: 'Pick a task', ignoreFocusOut: false, matchOnDescription: true, matchOnDetail: true, items });
  return picked?.value;
}

export async function cancelTaskCommand(services: HostServices, arg?: unknown, taskArg?: unknown): Promise<void> {
  const found = await resolveTask(services, arg, taskArg, { title: 'MCP Host: Cancel Task — pick a running task', none: 'MCP Host: no task is running.', filter: t => t.running });
  if (!found) return;
  const { server, record } = found;
  if (!record.running) return;
  try {
    await server.tasks.cancel(record.taskId, 'cancelled by the user');
    const now = server.tasks.get(record.taskId);
    services.sessions.log(server.definition.id, 'info', `task ${record.taskId} (${record.tool ?? 'listed'}) cancel sent; the server says: ${now ? describeTaskStatus(now) : 'nothing'}`);
  } catch (err) {
    if (isCancellation(err)) return;
    const message = failureMessage(server.definition.name, `tasks/cancel ${record.taskId}`, err);
    services.sessions.log(server.definition.id, 'error', message);
    void vscode.window.showErrorMessage(message);
  }
}

export async function openTaskResultCommand(services: HostServices, arg?: unknown, taskArg?: unknown): Promise<void> {
  const found = await resolveTask(services, arg, taskArg, { title: 'MCP Host: Open Task Result — pick a task', none: 'MCP Host: no task has finished.', filter: t => !t.running });
  if (!found) return;
  const { server, record } = found;
  if (record.result) {
    await showToolResult(services.docs, record.tool ?? `task ${shortId(record.taskId)}`, record.result);
    return;
  }
  const why = record.running ? 'it is still running' : record.error ?? describeTaskStatus(record);
  void vscode.window.showInformationMessage(`MCP Host: ${server.definition.name} › task ${shortId(record.taskId)}${record.tool ? ` (${record.tool})` : ''} has no result: ${why}`);
}
