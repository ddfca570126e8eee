// Server lifecycle commands: start, stop, restart, show output, refresh.

import * as vscode from 'vscode';
import { ServerState, type ManagedServer } from '../host/types.ts';
import { resolveServer, serverFromArg } from './serverPicker.ts';
import type { HostServices } from './services.ts';
import { NO_CONSENT, NOT_TRUSTED } from './trust.ts';
import { failureMessage, isCancellation } from './util.ts';

function fail(services: HostServices, server: ManagedServer, what: string, err: unknown): void {
  if (isCancellation(err)) return;
  const message = failureMessage(server.definition.name, what, err);
  services.sessions.log(server.definition.id, 'error', message);
  void vscode.window.showErrorMessage(message, 'Show Output').then(choice => {
    if (choice) services.sessions.output(server.definition.id)?.channel.show(true);
  });
}

/** After an explicit start: say why a server did not start, when that needs the user. */
function explainNotRunning(services: HostServices, server: ManagedServer, what: string): void {
  const state = server.state;
  if (state.kind === 'error') {
    fail(services, server, what, new Error(state.message));
    return;
  }
  if (state.kind !== 'stopped' || !state.reason || state.reason === NO_CONSENT) return;
  if (state.reason === NOT_TRUSTED) {
    void vscode.window.showWarningMessage(`MCP Host: "${server.definition.name}" is defined by this workspace, which is not trusted.`, 'Manage Workspace Trust')
      .then(choice => { if (choice) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return;
  }
  void vscode.window.showWarningMessage(`MCP Host: "${server.definition.name}" did not start: ${state.reason}.`);
}

export async function startServerCommand(services: HostServices, arg?: unknown): Promise<void> {
  const server = await resolveServer(services.manager, arg, {
    title: 'MCP Host: Start Server — pick a server', filter: s => !ServerState.isActive(s.state), none: 'MCP Host: every server is already running.',
  });
  if (!server) return;
  // An explicit start asks for consent again even when it was refused earlier.
  services.consent.forgetRefusal(server.definition);
  try {
    await server.start();
    explainNotRunning(services, server, 'start');
  } catch (err) {
    fail(services, server, 'start', err);
  }
}

export async function stopServerCommand(services: HostServices, arg?: unknown): Promise<void> {
  const server = await resolveServer(services.manager, arg, {
    title: 'MCP Host: Stop Server — pick a server', filter: s => ServerState.isActive(s.state) || (s.state.kind === 'error' && s.state.willRetryInMs !== undefined), none: 'MCP Host: no server is running.',
  });
  if (!server) return;
  try {
    await server.stop();
  } catch (err) {
    fail(services, server, 'stop', err);
  }
}

export async function restartServerCommand(services: HostServices, arg?: unknown): Promise<void> {
  const server = await resolveServer(services.manager, arg, {
    title: 'MCP Host: Restart Server — pick a server', none: 'MCP Host: no server is configured.',
  });
  if (!server) return;
  services.consent.forgetRefusal(server.definition);
  try {
    await server.restart();
    explainNotRunning(services, server, 'restart');
  } catch (err) {
    fail(services, server, 'restart', err);
  }
}

export async function showOutputCommand(services: HostServices, arg?: unknown): Promise<void> {
  const server = arg !== undefined ? serverFromArg(services.manager, arg) : await resolveServer(services.manager, undefined, {
    title: 'MCP Host: Show Server Output — pick a server', skipSingle: true, none: 'MCP Host: no server is configured.',
  });
  const output = server && services.sessions.output(server.definition.id);
  if (output) output.channel.show(true);
  else services.log.show(true);
}

export async function refreshCommand(services: HostServices): Promise<void> {
  services.inputs.forgetDeclined();
  await services.loader.reload();
  services.tree.refresh();
}

export async function clearInputsCommand(services: HostServices): Promise<void> {
  await services.inputs.clear();
  void vscode.window.showInformationMessage('MCP Host: stored inputs were cleared.');
  await services.loader.reload();
}
