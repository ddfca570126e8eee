// Call Tool…, Read Resource…, Get Prompt…: pick, fill in a form, run under a cancellable
// progress notification, open the result. With every argument given (the integration
// suite, other extensions) no input is shown, only the progress.

import * as vscode from 'vscode';
import type { CallToolResult, GetPromptResult, ReadResourceResult, ResourceTemplate } from '../protocol/types.ts';
import type { CallOptions, ManagedServer } from '../host/types.ts';
import { loadForms } from './formsLoader.ts';
import { pickOne } from './quickInput.ts';
import { showPrompt, showResource, showToolResult } from './results.ts';
import { resolveServer } from './serverPicker.ts';
import { isTreeNode } from './serversView.ts';
import type { HostServices } from './services.ts';
import { toolUi } from '../protocol/apps.ts';
import { expandTemplate } from '../protocol/uriTemplate.ts';
import { failureMessage, isCancellation, truncate } from './util.ts';
import { usePanels } from './workbenchLoader.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !isTreeNode(v);
}

const running = (s: ManagedServer) => s.state.kind === 'running';

/** Runs `call` under a cancellable notification; undefined when the user cancelled. */
async function withCallProgress<T>(title: string, call: (options: CallOptions) => Promise<T>): Promise<{ value: T } | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    let reported = 0;
    try {
      const value = await call({
        signal: ac.signal,
        onProgress: p => {
          let increment: number | undefined;
          if (p.total && p.total > 0) {
            const pct = Math.min(100, (p.progress / p.total) * 100);
            if (pct > reported) { increment = pct - reported; reported = pct; }
          }
          progress.report({ message: p.message, increment });
        },
      });
      return { value };
    } catch (err) {
      // Whatever the call failed with after the user cancelled, it was the cancel.
      if (ac.signal.aborted) return undefined;
      throw err;
    } finally {
      sub.dispose();
    }
  });
}

/**
 * Reports a failure naming server, what failed and why; offers to start a stopped server.
 * Not awaited: a notification stays pending until dismissed, and a programmatic caller
 * must get its answer now.
 */
function reportFailure(services: HostServices, server: ManagedServer, what: string, err: unknown): void {
  const message = failureMessage(server.definition.name, what, err);
  services.sessions.log(server.definition.id, 'error', message);
  const actions = server.state.kind === 'running' ? ['Show Output'] : ['Start Server', 'Show Output'];
  void vscode.window.showErrorMessage(message, ...actions).then(choice => {
    if (choice === 'Start Server') void vscode.commands.executeCommand('mcpHost.startServer', server.definition.id);
    if (choice === 'Show Output') services.sessions.output(server.definition.id)?.channel.show(true);
  });
}

function notRunning(server: ManagedServer): Error {
  const state = server.state;
  const why = state.kind === 'stopped' ? (state.reason ? `server is stopped (${state.reason})` : 'server is stopped')
    : state.kind === 'error' ? `server failed: ${state.message}` : 'server is still starting';
  return new Error(why);
}

/**
 * The second step of Call Tool and Get Prompt: one of the server's named items, picked by
 * the user; undefined when there is nothing to pick (said why) or the pick was dismissed.
 */
async function pickNamed(
  services: HostServices, server: ManagedServer,
  what: { method: string; command: string; noun: string; items: Array<{ label: string; description?: string; detail?: string; value: string }> },
): Promise<string | undefined> {
  if (!running(server)) { reportFailure(services, server, what.method, notRunning(server)); return undefined; }
  if (!what.items.length) { void vscode.window.showInformationMessage(`MCP Host: ${server.definition.name} has no ${what.noun}s.`); return undefined; }
  const picked = await pickOne({
    title: `MCP Host: ${what.command} — ${server.definition.name}`,
    placeholder: `Pick a ${what.noun}`,
    ignoreFocusOut: false,
    matchOnDescription: true,
    matchOnDetail: true,
    items: what.items,
  });
  return picked?.value;
}

export async function callToolCommand(services: HostServices, arg?: unknown, toolArg?: unknown, argsArg?: unknown): Promise<CallToolResult | undefined> {
  const server = await resolveServer(services.manager, arg, {
    title: 'MCP Host: Call Tool — pick a server', filter: running, skipSingle: true, none: 'MCP Host: no MCP server is running.',
  });
  if (!server) return undefined;
  let name = isTreeNode(arg) && arg.kind === 'tool' ? arg.name : typeof toolArg === 'string' ? toolArg : undefined;
  name ??= await pickNamed(services, server, {
    method: 'tools/list', command: 'Call Tool', noun: 'tool',
    items: server.tools.map(t => ({ label: t.name, description: t.title ?? t.annotations?.title, detail: t.description, value: t.name })),
  });
  if (!name) return undefined;
  const tool = server.tools.find(t => t.name === name);
  // A person gets the tool panel (unless they chose quick inputs); a caller that passes
  // the arguments (the API, the integration suite) gets the result.
  if (!isPlainObject(argsArg) && tool && usePanels()) {
    (await services.workbench()).openTool(server, tool.name);
    return undefined;
  }
  let args: Record<string, unknown> | undefined;
  if (isPlainObject(argsArg)) args = argsArg;
  else if (tool) args = await (await loadForms()).askToolArguments(tool);
  else args = {};
  if (!args) return undefined;

  const toolName = name;
  // A person's call of a tool with an MCP App opens the app beside (callers with arguments get only the result).
  const app = !isPlainObject(argsArg) && tool && toolUi(tool).resourceUri && running(server) ? (await services.workbench()).appCall(server, toolName, args) : undefined;
  try {
    if (!running(server)) throw notRunning(server);
    const outcome = await withCallProgress(`${server.definition.name} › ${toolName}`, options => server.callTool(toolName, args, options));
    if (!outcome) { app?.cancelled('cancelled by the user'); return undefined; }
    const result = outcome.value;
    app?.result(result);
    await showToolResult(services.docs, toolName, result);
    if (result.isError) {
      const text = result.content?.find(b => b.type === 'text')?.text?.trim().split('\n')[0] ?? 'the tool reported an error';
      void vscode.window.showErrorMessage(`${server.definition.name} › ${toolName} failed: ${truncate(text, 300)}`);
    }
    return result;
  } catch (err) {
    app?.cancelled(isCancellation(err) ? 'cancelled by the user' : 'the call failed');
    if (isCancellation(err)) return undefined;
    reportFailure(services, server, toolName, err);
    return undefined;
  }
}

type ResourcePick = { uri: string } | { template: ResourceTemplate };

export async function readResourceCommand(services: HostServices, arg?: unknown, uriArg?: unknown, varsArg?: unknown): Promise<ReadResourceResult | undefined> {
  const server = await resolveServer(services.manager, arg, {
    title: 'MCP Host: Read Resource — pick a server', filter: running, skipSingle: true, none: 'MCP Host: no MCP server is running.',
  });
  if (!server) return undefined;

  let pick: ResourcePick | undefined;
  if (isTreeNode(arg) && arg.kind === 'resource') pick = { uri: arg.uri };
  else if (isTreeNode(arg) && arg.kind === 'template') {
    const template = server.resourceTemplates.find(t => t.uriTemplate === arg.uriTemplate);
    pick = template ? { template } : { uri: arg.uriTemplate };
  } else if (typeof uriArg === 'string') {
    const template = server.resourceTemplates.find(t => t.uriTemplate === uriArg);
    pick = template ? { template } : { uri: uriArg };
  } else {
    if (!running(server)) { reportFailure(services, server, 'resources/list', notRunning(server)); return undefined; }
    if (!server.resources.length && !server.resourceTemplates.length) {
      void vscode.window.showInformationMessage(`MCP Host: ${server.definition.name} has no resources.`);
      return undefined;
    }
    const picked = await pickOne<ResourcePick>({
      title: `MCP Host: Read Resource — ${server.definition.name}`,
      placeholder: 'Pick a resource or a template',
      ignoreFocusOut: false,
      matchOnDescription: true,
      matchOnDetail: true,
      items: [
        ...server.resources.map(r => ({ label: r.name, description: r.uri, detail: r.description, value: { uri: r.uri } })),
        ...server.resourceTemplates.map(t => ({ label: `$(symbol-variable) ${t.name}`, description: t.uriTemplate, detail: t.description, value: { template: t } })),
      ],
    });
    if (!picked) return undefined;
    pick = picked.value;
  }

  let uri: string | undefined;
  if ('uri' in pick) uri = pick.uri;
  else if (isPlainObject(varsArg)) uri = expandTemplate(pick.template.uriTemplate, Object.fromEntries(Object.entries(varsArg).map(([k, v]) => [k, v === undefined ? undefined : String(v)])));
  else uri = await (await loadForms()).askTemplateUri(server, pick.template);
  if (uri === undefined) return undefined;

  const target = uri;
  try {
    if (!running(server)) throw notRunning(server);
    const outcome = await withCallProgress(`${server.definition.name} › ${target}`, options => server.readResource(target, options));
    if (!outcome) return undefined;
    const opened = await showResource(services.docs, outcome.value);
    for (const o of opened) services.watches.watch(server, o.resourceUri, [o.doc]);
    return outcome.value;
  } catch (err) {
    if (isCancellation(err)) return undefined;
    reportFailure(services, server, `resources/read ${target}`, err);
    return undefined;
  }
}

export async function getPromptCommand(services: HostServices, arg?: unknown, nameArg?: unknown, argsArg?: unknown): Promise<GetPromptResult | undefined> {
  const server = await resolveServer(services.manager, arg, {
    title: 'MCP Host: Get Prompt — pick a server', filter: running, skipSingle: true, none: 'MCP Host: no MCP server is running.',
  });
  if (!server) return undefined;
  let name = isTreeNode(arg) && arg.kind === 'prompt' ? arg.name : typeof nameArg === 'string' ? nameArg : undefined;
  name ??= await pickNamed(services, server, {
    method: 'prompts/list', command: 'Get Prompt', noun: 'prompt',
    items: server.prompts.map(p => ({ label: p.name, description: p.title, detail: p.description, value: p.name })),
  });
  if (!name) return undefined;
  const prompt = server.prompts.find(p => p.name === name);
  let args: Record<string, string> | undefined;
  if (isPlainObject(argsArg)) args = Object.fromEntries(Object.entries(argsArg).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  else if (prompt) args = await (await loadForms()).askPromptArguments(server, prompt);
  else args = {};
  if (!args) return undefined;

  const promptName = name;
  try {
    if (!running(server)) throw notRunning(server);
    const outcome = await withCallProgress(`${server.definition.name} › ${promptName}`, options => server.getPrompt(promptName, args, options));
    if (!outcome) return undefined;
    await showPrompt(services.docs, promptName, outcome.value);
    return outcome.value;
  } catch (err) {
    if (isCancellation(err)) return undefined;
    reportFailure(services, server, `prompts/get ${promptName}`, err);
    return undefined;
  }
}
