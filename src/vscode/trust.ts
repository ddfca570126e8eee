// The manager's start gate in VS Code: the host's ConsentGate (src/host/consent.ts) with
// consent kept in the extension's global state, the question asked in a modal, and
// Workspace Trust deciding whether workspace-reaching servers may start at all.

import * as vscode from 'vscode';
import { ConsentGate, NO_CONSENT, NOT_TRUSTED, SUPERSEDED, type ConsentQuestion } from '../host/consent.ts';
import type { ServerDefinition } from '../host/types.ts';

export { NO_CONSENT, NOT_TRUSTED, SUPERSEDED };

const CONSENT_KEY = 'mcpHost.consent';
/** Fingerprints kept at most; the oldest consent is forgotten first. */
const MAX_CONSENTS = 500;

export class StartConsent {
  private readonly consent: ConsentGate;

  constructor(state: vscode.Memento, redact: (text: string) => string, log: vscode.LogOutputChannel, pathOverride: () => Promise<string | undefined>) {
    this.consent = new ConsentGate({
      store: {
        isAllowed: fp => state.get<string[]>(CONSENT_KEY, []).includes(fp),
        allow: async fp => {
          const list = state.get<string[]>(CONSENT_KEY, []).filter(f => f !== fp);
          list.push(fp);
          await state.update(CONSENT_KEY, list.slice(-MAX_CONSENTS));
        },
      },
      ask: q => ask(q),
      isTrusted: () => vscode.workspace.isTrusted,
      folders: () => (vscode.workspace.workspaceFolders ?? []).filter(f => f.uri.scheme === 'file').map(f => f.uri.fsPath),
      pathOverride,
      redact,
      log: m => log.info(m),
    });
  }

  /** The manager's `gate`. */
  readonly gate = (def: ServerDefinition, signal: AbortSignal): Promise<true | string> => this.consent.gate(def, signal);

  /** An explicit Start asks again even after a refusal in this session. */
  forgetRefusal(def: ServerDefinition): void {
    this.consent.forgetRefusal(def);
  }

  /** A server the user just typed into "Add Server…" needs no second confirmation. */
  preApprove(folder: string | undefined, name: string): void {
    this.consent.preApprove({ folder, name });
  }
}

async function ask(q: ConsentQuestion): Promise<boolean> {
  const def = q.definition;
  const question = def.scope === 'workspace'
    ? `Start MCP server "${def.name}" defined by this workspace?`
    : `Start MCP server "${def.name}"? It is defined in your user settings and uses files of this workspace.`;
  const choice = await vscode.window.showWarningMessage(
    question,
    { modal: true, detail: q.detail },
    'Allow', 'Don\'t Allow',
  );
  return choice === 'Allow';
}
