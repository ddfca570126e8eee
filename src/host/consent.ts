// The start gate: a server that the workspace defines, or that uses the workspace (its
// command, arguments, working directory, envFile or environment reach into a workspace
// folder), starts only in a trusted workspace and only after the user allowed exactly
// what will run. Consent is kept per launch fingerprint (launchTrust.ts), so an edited
// definition, envFile or workspace executable asks again. The embedding supplies where
// consent is stored and how the question is asked (a modal in VS Code, a terminal in the
// CLI); no `vscode` here.

import type { ServerDefinition } from './types.ts';
import { describeForConsent, inspectLaunch, type LaunchInspection } from './launchTrust.ts';

export const NOT_TRUSTED = 'workspace not trusted';
export const NO_CONSENT = 'consent not given';
/** The definition changed (or the server was stopped) while the question was open. */
export const SUPERSEDED = 'superseded by a newer definition';

export interface ConsentStore {
  isAllowed(fingerprint: string): boolean | Promise<boolean>;
  allow(fingerprint: string): Promise<void>;
}

export interface ConsentQuestion {
  definition: ServerDefinition;
  inspection: LaunchInspection;
  /** What will run, for the dialog (already redacted). */
  detail: string;
  /** Aborted when the answer no longer matters (stop, new definition). */
  signal: AbortSignal;
}

export interface ConsentGateOptions {
  store: ConsentStore;
  /** Asks the user; true when allowed. Called one question at a time. */
  ask(question: ConsentQuestion): Promise<boolean>;
  isTrusted(): boolean;
  /** Absolute paths of the workspace folders. */
  folders(): readonly string[];
  /** The login shell's PATH, when stdio servers are started with it. */
  pathOverride?(): Promise<string | undefined>;
  baseEnv?: NodeJS.ProcessEnv;
  redact?(text: string): string;
  log?(message: string): void;
}

export class ConsentGate {
  private readonly opts: ConsentGateOptions;
  /** Refusals last for the session: background (re)starts must not nag; Start asks again. */
  private readonly refused = new Map<string, string>(); // definition id → refused fingerprint
  private readonly preApproved = new Set<string>();
  private readonly asking = new Map<string, Promise<boolean>>();
  private dialogs: Promise<unknown> = Promise.resolve();

  constructor(opts: ConsentGateOptions) {
    this.opts = opts;
  }

  /** The server manager's `gate`. */
  readonly gate = async (def: ServerDefinition, signal?: AbortSignal): Promise<true | string> => {
    const inspection = await this.inspect(def);
    if (!inspection.needsConsent) return true;
    if (!this.opts.isTrusted()) return NOT_TRUSTED;
    const fp = inspection.fingerprint;
    if (await this.opts.store.isAllowed(fp)) return true;
    if (this.preApproved.delete(preApprovalKey(def))) {
      await this.opts.store.allow(fp);
      return true;
    }
    if (this.refused.get(def.id) === fp) return NO_CONSENT;
    const sig = signal ?? new AbortController().signal;
    let pending = this.asking.get(fp);
    if (!pending) {
      pending = this.ask(def, inspection, sig).finally(() => this.asking.delete(fp));
      this.asking.set(fp, pending);
    }
    const allowed = await pending;
    // An answer about a definition that was replaced (or a start that was stopped) while
    // the question was open approves nothing: the new definition is asked about itself.
    if (sig.aborted) return SUPERSEDED;
    if (!allowed) return NO_CONSENT;
    return true;
  };

  /** What a start of `def` would run (for tooltips and the CLI). */
  inspect(def: ServerDefinition): Promise<LaunchInspection> {
    return (async () => inspectLaunch(def, {
      folders: this.opts.folders(),
      baseEnv: this.opts.baseEnv,
      pathOverride: await this.opts.pathOverride?.().catch(() => undefined),
    }))();
  }

  /** An explicit Start asks again even after a refusal in this session. */
  forgetRefusal(def: ServerDefinition): void {
    this.refused.delete(def.id);
  }

  /**
   * A server the user has just typed in (an interactive Add Server) needs no second
   * confirmation. Never for a definition that arrived from elsewhere (a command argument).
   */
  preApprove(def: { name: string; folder: string | undefined }): void {
    this.preApproved.add(`${def.folder ?? ''}\u0000${def.name}`);
  }

  private ask(def: ServerDefinition, inspection: LaunchInspection, signal: AbortSignal): Promise<boolean> {
    // One question at a time, in the order servers asked.
    const result = this.dialogs.then(async () => {
      if (await this.opts.store.isAllowed(inspection.fingerprint)) return true;
      if (signal.aborted) return false;
      const redact = this.opts.redact ?? ((t: string) => t);
      const allowed = await this.opts.ask({ definition: def, inspection, detail: redact(describeForConsent(def, inspection)), signal });
      if (signal.aborted) {
        this.opts.log?.(`The answer about server "${def.name}" was discarded: its definition changed or it was stopped meanwhile.`);
        return allowed;
      }
      if (allowed) {
        await this.opts.store.allow(inspection.fingerprint);
        this.opts.log?.(`Allowed server "${def.name}" to start.`);
      } else {
        this.refused.set(def.id, inspection.fingerprint);
        this.opts.log?.(`Server "${def.name}" was not allowed to start.`);
      }
      return allowed;
    });
    this.dialogs = result.catch(() => undefined);
    return result;
  }
}

function preApprovalKey(def: ServerDefinition): string {
  return `${def.source.folder ?? ''}\u0000${def.name}`;
}
