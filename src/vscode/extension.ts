// Activation: wires the host core to VS Code. It only reads configuration on the way;
// servers load and start in the background. Two lifetimes of cleanup: the extension's
// (context.subscriptions, deactivate) and each server's (ServerSessions).

import * as vscode from 'vscode';
import { createServerAuth, signInCommand, signOutCommand, watchSignIns } from './auth.ts';
import { setUnexpectedErrorHandler } from '../base/event.ts';
import { ServerManager } from '../host/manager.ts';
import { Redactor } from '../host/redaction.ts';
import { resolveLoginShellPath } from '../host/shellPath.ts';
import type { LogLevel, RootsProvider, ServerDefinition, VersionMemory } from '../host/types.ts';
import type { McpHostApi } from './api.ts';
import { lazyModule } from './lazyModule.ts';
import { ConfigLoader } from './configLoader.ts';
import { DocumentStore, SCHEME } from './documents.ts';
import { VsCodeElicitationHandler } from './elicitation.ts';
import { callToolCommand, getPromptCommand, readResourceCommand } from './featureCommands.ts';
import { uiClientCapability } from '../protocol/apps.ts';
import { createApi } from './hostApi.ts';
import { InputResolver } from './inputs.ts';
import { ResourceWatches } from './resourceWatch.ts';
import { ApprovingSamplingHandler, LanguageModelProvider } from './sampling.ts';
import {
  clearInputsCommand, refreshCommand, restartServerCommand, showOutputCommand, startServerCommand, stopServerCommand,
} from './serverCommands.ts';
import { SamplingLog } from './samplingLog.ts';
import { ServersTreeProvider, isTreeNode } from './serversView.ts';
import { registerGateway } from './gatewayCommands.ts';
import { resolveServer } from './serverPicker.ts';
import { pickOne } from './quickInput.ts';
import { SkillsModel, registerSkills } from './skills.ts';
import { cancelTaskCommand, openTaskResultCommand } from './tasks.ts';
import type { HostServices, ServerRequests } from './services.ts';
import { ServerSessions } from './sessions.ts';
import { ServersStatus } from './statusBar.ts';
import { NOT_TRUSTED, StartConsent } from './trust.ts';
import { errorCause } from './util.ts';
import { showTraceCommand } from './traceCommand.ts';
import { usePanels, WorkbenchLoader } from './workbenchLoader.ts';

const DEFAULT_MAX_MESSAGE_MB = 128;

/** Add Server and Open Configuration (with jsonc-parser's editing) are dist/config.js, loaded on first use. */
const configCommands = lazyModule<typeof import('./configCommands.ts')>('config', './configCommands.ts');

/** The manager outlives context.subscriptions' synchronous disposal: deactivate awaits it. */
let activeManager: ServerManager | undefined;

function workspaceRoots(): RootsProvider {
  return {
    roots: () => (vscode.workspace.workspaceFolders ?? []).map(f => ({ uri: f.uri.toString(), name: f.name })),
    onDidChangeRoots: listener => vscode.workspace.onDidChangeWorkspaceFolders(() => listener()),
  };
}

export function activate(context: vscode.ExtensionContext): McpHostApi {
  try {
    return activateHost(context);
  } catch (err) {
    // VS Code only logs activation failures; the user should see them.
    void vscode.window.showErrorMessage(`MCP Host failed to start: ${errorCause(err)}`);
    void deactivate();
    throw err;
  }
}

function activateHost(context: vscode.ExtensionContext): McpHostApi {
  const subscriptions = context.subscriptions;
  const config = vscode.workspace.getConfiguration('mcpHost');
  const log = vscode.window.createOutputChannel('MCP Host', { log: true });
  subscriptions.push(log);
  // A listener's bug is logged, never thrown into the extension host.
  const previousHandler = setUnexpectedErrorHandler(err => log.error(`Unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
  subscriptions.push({ dispose: () => { setUnexpectedErrorHandler(previousHandler); } });

  // The one redaction function (src/host/redaction.ts): logs, traces, tooltips, errors, the API.
  const redactor = new Redactor();
  const inputs = new InputResolver(context.secrets, v => redactor.addSecret(v));
  const redact = redactor.redact;
  const consent = new StartConsent(context.globalState, redact, log, () => resolveLoginShellPath());
  // Sessions exist once the manager does; the handlers only log through them later.
  let sessions: ServerSessions | undefined;
  const serverLog = (ref: { id: string }, level: LogLevel, message: string) => sessions?.log(ref.id, level, message);

  // The panels (src/vscode/panels/, dist/workbench.js) load the first time one opens.
  let servicesRef: HostServices | undefined;
  const workbench = new WorkbenchLoader(context, () => servicesRef!);
  const openWorkbench = () => workbench.get();
  let docsRef: DocumentStore | undefined;
  const samplingLog = new SamplingLog(() => docsRef!);
  subscriptions.push(workbench, samplingLog, ...workbench.registerSerializers());

  // While the gateway runs, a server's sampling, elicitation and roots go through it (to the
  // gateway client whose call caused them, by the per-server policy), else MCP Host answers.
  const serverRequests: ServerRequests = { host: {
    roots: workspaceRoots(),
    sampling: new ApprovingSamplingHandler(new LanguageModelProvider(), serverLog, samplingLog, { workbench: openWorkbench, enabled: usePanels }),
    elicitation: new VsCodeElicitationHandler(serverLog, openWorkbench),
  } };
  const host = serverRequests.host;
  const manager = new ServerManager({
    roots: { ...host.roots, rootsFor: (s, signal, origins) => serverRequests.gateway?.rootsFor(s, signal, origins) },
    sampling: { createMessage: (s, p, signal, origins) => (serverRequests.gateway ?? host.sampling).createMessage(s, p, signal, origins) },
    elicitation: { elicit: (s, p, signal, origins) => (serverRequests.gateway ?? host.elicitation).elicit(s, p, signal, origins) },
    gate: consent.gate,
    requestTimeoutMs: config.get<number>('requestTimeoutMs'),
    // A stated bound on one message in the shared extension host (the core's own default is
    // 512 MiB, for the CLI).
    maxMessageBytes: Math.round(Math.min(512, Math.max(1, config.get<number>('maxMessageSizeMB', DEFAULT_MAX_MESSAGE_MB))) * 1024 * 1024),
    maxRequestTimeoutMs: config.get<number>('maxRequestTimeoutMs'),
    resolvePath: () => resolveLoginShellPath(),
    clientInfo: { name: 'mcp-host-vscode', title: 'MCP Host for VS Code', version: String(context.extension.packageJSON.version ?? '0.0.0') },
    redactor,
    versionMemory: protocolMemory(context.globalState),
    auth: createServerAuth(context, redactor),
    trace: traceLimits(),
    // MCP Apps render here (issue 12), so servers may offer their ui:// apps; the CLI says nothing.
    capabilities: { extensions: uiClientCapability() },
  });
  subscriptions.push(vscode.workspace.onDidChangeConfiguration(e => {
    if (e.affectsConfiguration('mcpHost.trace')) manager.configureTrace(traceLimits());
  }));
  activeManager = manager;

  const docs = new DocumentStore();
  docsRef = docs;
  subscriptions.push(docs, vscode.workspace.registerFileSystemProvider(SCHEME, docs, { isReadonly: true, isCaseSensitive: true }), docs.closeStaleTabs());
  const watches = new ResourceWatches(manager, docs, (id, level, message) => sessions?.log(id, level, message));
  sessions = new ServerSessions(manager, redact, watches);
  subscriptions.push(watches, sessions);

  const skills = new SkillsModel();
  const tree = new ServersTreeProvider(manager, redact, skills);
  const view = vscode.window.createTreeView('mcpHost.servers', { treeDataProvider: tree, showCollapseAll: true });
  subscriptions.push(skills, tree, view, new ServersStatus(manager));

  const loader = new ConfigLoader(inputs, log, v => redactor.addSecret(v));
  subscriptions.push(loader, loader.onDidLoad(defs => {
    manager.setDefinitions(defs, { autoStart: vscode.workspace.getConfiguration('mcpHost').get<boolean>('autoStart', true) });
  }));

  const services: HostServices = { manager, docs, sessions, watches, consent, loader, inputs, tree, log, redact, workbench: openWorkbench, serverRequests };
  servicesRef = services;
  subscriptions.push(...registerSkills(services, skills, view));
  subscriptions.push(...registerGateway(services, context));
  subscriptions.push(
    vscode.commands.registerCommand('mcpHost.callTool', (server?: unknown, tool?: unknown, args?: unknown) => callToolCommand(services, server, tool, args)),
    vscode.commands.registerCommand('mcpHost.openApp', async (server?: unknown, name?: unknown) => (await openWorkbench()).openAppCommand({
      resolveServer, pickOne, treeNode: n => (isTreeNode(n) && (n.kind === 'tool' || n.kind === 'resource') ? n : undefined),
    }, server, name)),
    vscode.commands.registerCommand('mcpHost.readResource', (server?: unknown, uri?: unknown, vars?: unknown) => readResourceCommand(services, server, uri, vars)),
    vscode.commands.registerCommand('mcpHost.getPrompt', (server?: unknown, prompt?: unknown, args?: unknown) => getPromptCommand(services, server, prompt, args)),
    vscode.commands.registerCommand('mcpHost.startServer', (server?: unknown) => startServerCommand(services, server)),
    vscode.commands.registerCommand('mcpHost.stopServer', (server?: unknown) => stopServerCommand(services, server)),
    vscode.commands.registerCommand('mcpHost.restartServer', (server?: unknown) => restartServerCommand(services, server)),
    vscode.commands.registerCommand('mcpHost.showOutput', (server?: unknown) => showOutputCommand(services, server)),
    vscode.commands.registerCommand('mcpHost.addServer', (spec?: unknown) => configCommands().then(m => m.addServerCommand(services, spec))),
    vscode.commands.registerCommand('mcpHost.openConfiguration', (server?: unknown) => configCommands().then(m => m.openConfigurationCommand(services, server))),
    vscode.commands.registerCommand('mcpHost.refresh', () => refreshCommand(services)),
    vscode.commands.registerCommand('mcpHost.clearStoredInputs', () => clearInputsCommand(services)),
    vscode.commands.registerCommand('mcpHost.focusServers', () => vscode.commands.executeCommand('mcpHost.servers.focus')),
    vscode.commands.registerCommand('mcpHost.cancelTask', (node?: unknown, task?: unknown) => cancelTaskCommand(services, node, task)),
    vscode.commands.registerCommand('mcpHost.openTaskResult', (node?: unknown, task?: unknown) => openTaskResultCommand(services, node, task)),
    vscode.commands.registerCommand('mcpHost.signIn', (server?: unknown) => signInCommand(services, server)),
    vscode.commands.registerCommand('mcpHost.signOut', (server?: unknown) => signOutCommand(services, server)),
    vscode.commands.registerCommand('mcpHost.showProtocolTrace', (server?: unknown) => showTraceCommand(services, server)),
    vscode.commands.registerCommand('mcpHost.showSamplingLog', () => samplingLog.show()),
    watchSignIns(services),
  );

  // Workspace inputs are only asked with trust (see ConfigLoader), so load again first;
  // then start what the missing trust held back.
  subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(async () => {
    await loader.reload();
    for (const server of manager.servers) {
      if (server.state.kind !== 'stopped' || server.state.reason !== NOT_TRUSTED) continue;
      server.start().catch(err => sessions?.log(server.definition.id, 'error', `start failed: ${errorCause(err)}`));
    }
  }));

  loader.start();
  return createApi(manager, tree, sessions);
}

/** The protocol trace's bounds per server (settings mcpHost.trace.*). */
function traceLimits(): { maxEntries: number; maxBytes: number } {
  const c = vscode.workspace.getConfiguration('mcpHost');
  return { maxEntries: Math.max(100, c.get<number>('trace.maxMessages', 2000)), maxBytes: Math.round(Math.max(1, c.get<number>('trace.maxMegabytes', 16)) * 1024 * 1024) };
}

const PROTOCOL_KEY = 'mcpHost.protocolGenerations';
/** Definitions remembered at most; the oldest is forgotten first. */
const MAX_REMEMBERED = 500;

/** Which generation each definition spoke, so the next start skips the probe. */
function protocolMemory(state: vscode.Memento): VersionMemory {
  const key = (def: ServerDefinition) => `${def.id}\u0000${def.fingerprint}`;
  return {
    get: def => state.get<Record<string, 'stateless' | 'stateful'>>(PROTOCOL_KEY, {})[key(def)],
    set: async (def, generation) => {
      const all = { ...state.get<Record<string, 'stateless' | 'stateful'>>(PROTOCOL_KEY, {}) };
      if (all[key(def)] === generation) return;
      delete all[key(def)];
      all[key(def)] = generation;
      const entries = Object.entries(all);
      await state.update(PROTOCOL_KEY, Object.fromEntries(entries.slice(-MAX_REMEMBERED)));
    },
  };
}

export async function deactivate(): Promise<void> {
  const manager = activeManager;
  activeManager = undefined;
  // Awaited so that no server process outlives the extension host.
  await manager?.dispose();
}
