// The manager's start gate: a server defined by the workspace starts only in a trusted
// workspace and only after the user allowed its exact command line. Consent is kept per
// definition fingerprint, so an edited definition asks again.

import * as vscode from 'vscode';
import type { ServerDefinition } from '../host/types.ts';
import { describeLaunchInFull } from './util.ts';

const CONSENT_KEY = 'mcpHost.consent';
/** Fingerprints kept at most; the oldest consent is forgotten first. */
const MAX_CONSENTS = 500;

export const NOT_TRUSTED = 'workspace not trusted';
export const NO_CONSENT = 'consent not given';

export class StartConsent {
  private readonly state: vscode.Memento;
  private readonly redact: (text: string) => string;
  private readonly log: vscode.LogOutputChannel;
  /** Refusals last for the session: background (re)starts must not nag, Start asks again. */
  private readonly refused = new Set<string>();
  private readonly preApproved = new Set<string>();
  private dialogs: Promise<unknown> = Promise.resolve();
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(state: vscode.Memento, redact: (text: string) => string, log: vscode.LogOutputChannel) {
    this.state = state;
    this.redact = redact;
    this.log = log;
  }

  /** The manager's `gate`. */
  readonly gate = async (def: ServerDefinition): Promise<true | string> => {
    if (def.scope !== 'workspace') return true;
    if (!vscode.workspace.isTrusted) return NOT_TRUSTED;
    if (this.isAllowed(def.fingerprint)) return true;
    const key = preApprovalKey(def.source.folder, def.name);
    if (this.preApproved.delete(key)) {
      await this.allow(def);
      return true;
    }
    if (this.refused.has(def.fingerprint)) return NO_CONSENT;
    let pending = this.asking.get(def.fingerprint);
    if (!pending) {
      pending = this.ask(def).finally(() => this.asking.delete(def.fingerprint));
      this.asking.set(def.fingerprint, pending);
    }
    return (await pending) ? true : NO_CONSENT;
  };

  /** An explicit Start asks again even after a refusal in this session. */
  forgetRefusal(def: ServerDefinition): void {
    this.refused.delete(def.fingerprint);
  }

  /** A server the user just added through "Add Server…" needs no second confirmation. */
  preApprove(folder: string | undefined, name: string): void {
    this.preApproved.add(preApprovalKey(folder, name));
  }

  private isAllowed(fingerprint: string): boolean {
    return this.state.get<string[]>(CONSENT_KEY, []).includes(fingerprint);
  }

  private async allow(def: ServerDefinition): Promise<void> {
    const list = this.state.get<string[]>(CONSENT_KEY, []).filter(f => f !== def.fingerprint);
    list.push(def.fingerprint);
    await this.state.update(CONSENT_KEY, list.slice(-MAX_CONSENTS));
  }

  private ask(def: ServerDefinition): Promise<boolean> {
    // One modal at a time, in the order servers asked.
    const result = this.dialogs.then(async () => {
      if (this.isAllowed(def.fingerprint)) return true;
      const choice = await vscode.window.showWarningMessage(
        `Start MCP server "${def.name}" defined by this workspace?`,
        { modal: true, detail: this.redact(describeLaunchInFull(def.launch)) },
        'Allow', 'Don\'t Allow',
      );
      if (choice === 'Allow') {
        await this.allow(def);
        this.log.info(`Allowed workspace server "${def.name}" to start.`);
        return true;
      }
      this.refused.add(def.fingerprint);
      this.log.info(`Workspace server "${def.name}" was not allowed to start.`);
      return false;
    });
    this.dialogs = result.catch(() => undefined);
    return result;
  }
}

function preApprovalKey(folder: string | undefined, name: string): string {
  return `${folder ?? ''}\u0000${name}`;
}
