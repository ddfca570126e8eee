// Elicitation: a server asks the user for structured input (form mode) or to visit a
// URL (URL mode). Nothing is sent or opened without the user choosing to.

import * as vscode from 'vscode';
import type { ElicitFormParams, ElicitRequestParams, ElicitResult, ElicitUrlParams } from '../protocol/types.ts';
import type { ElicitationHandler, LogLevel, ServerRef } from '../host/types.ts';
import { loadForms } from './formsLoader.ts';
import { exclusive } from './quickInput.ts';
import { usePanels, type Workbench } from './workbenchLoader.ts';

export type ElicitationLog = (server: ServerRef, level: LogLevel, message: string) => void;

export class VsCodeElicitationHandler implements ElicitationHandler {
  private readonly log: ElicitationLog;
  private readonly workbench: (() => Promise<Workbench>) | undefined;

  constructor(log: ElicitationLog, workbench?: () => Promise<Workbench>) {
    this.log = log;
    this.workbench = workbench;
  }

  elicit(server: ServerRef, params: ElicitRequestParams, signal: AbortSignal): Promise<ElicitResult> {
    // A form panel is a tab of its own: it hides nothing and waits for nothing.
    if (params.mode !== 'url' && this.workbench && usePanels()) {
      return signal.aborted ? Promise.resolve({ action: 'cancel' }) : this.panel(this.workbench, server, params, signal);
    }
    // One flow of quick inputs or dialogs at a time: a second would hide the first one's inputs.
    return exclusive(() => {
      if (signal.aborted) return Promise.resolve<ElicitResult>({ action: 'cancel' });
      return params.mode === 'url' ? this.url(server, params, signal) : this.form(server, params, signal);
    });
  }

  /** All fields at once in a panel (src/vscode/panels/elicitationPanel.ts). */
  private async panel(workbench: () => Promise<Workbench>, server: ServerRef, params: ElicitFormParams, signal: AbortSignal): Promise<ElicitResult> {
    const result = await (await workbench()).elicit(server, params, signal);
    // Field values are not logged: a form may carry personal data.
    this.log(server, 'info', result.action === 'accept' ? `Elicitation answered (${Object.keys(result.content ?? {}).length} fields).` : `Elicitation ${result.action === 'decline' ? 'declined' : 'cancelled'} by the user.`);
    return result;
  }

  private async form(server: ServerRef, params: ElicitFormParams, signal: AbortSignal): Promise<ElicitResult> {
    // The detail says what will be asked, so a user can decline before typing anything
    // (and a modal with a detail keeps the question in its bold title).
    const props = Object.entries(params.requestedSchema?.properties ?? {});
    const required = new Set(params.requestedSchema?.required ?? []);
    const fields = props.map(([name, p]) => `${p.title ?? name}${required.has(name) ? ' (required)' : ''}`);
    const choice = await vscode.window.showInformationMessage(
      `MCP server "${server.name}" asks: ${params.message}`,
      { modal: true, detail: fields.length ? `It asks for: ${fields.join(', ')}.` : 'It asks for a confirmation only.' },
      'Respond', 'Decline',
    );
    // A modal cannot be closed from here; a request the server cancelled meanwhile ends.
    if (signal.aborted || choice === undefined) return { action: 'cancel' };
    if (choice === 'Decline') return { action: 'decline' };

    const schema = params.requestedSchema ?? { type: 'object', properties: {} };
    const content = await (await loadForms()).askObject(schema, {
      signal,
      requiredFirst: false,
      title: (name, fieldTitle, i, n) => `${server.name}: ${fieldTitle ?? name} (${i}/${n})`,
    });
    if (!content || signal.aborted) return { action: 'cancel' };
    // Field values are not logged: a form may carry personal data.
    this.log(server, 'info', `Elicitation answered (${Object.keys(content).length} fields).`);
    return { action: 'accept', content: content as ElicitResult['content'] };
  }

  private async url(server: ServerRef, params: ElicitUrlParams, signal: AbortSignal): Promise<ElicitResult> {
    let target: URL;
    try {
      target = new URL(params.url);
    } catch {
      this.log(server, 'warning', 'Declined a URL elicitation with an invalid URL.');
      return { action: 'decline' };
    }
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      this.log(server, 'warning', `Declined a URL elicitation with scheme ${target.protocol}`);
      return { action: 'decline' };
    }
    // `hostname` is punycode for international names, so look-alike domains show as such.
    const choice = await vscode.window.showWarningMessage(
      `MCP server "${server.name}" asks you to open ${target.hostname}`,
      { modal: true, detail: `${params.url}\n\n${params.message}` },
      'Open', 'Decline',
    );
    if (signal.aborted || choice === undefined) return { action: 'cancel' };
    if (choice === 'Decline') return { action: 'decline' };
    const opened = await vscode.env.openExternal(vscode.Uri.parse(target.href, true));
    this.log(server, 'info', `Opened ${target.origin} for a URL elicitation.`);
    return opened ? { action: 'accept' } : { action: 'cancel' };
  }
}
