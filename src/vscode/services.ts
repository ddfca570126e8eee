// What the commands work with: the extension's long-lived parts, created in activate().

import type * as vscode from 'vscode';
import type { ServerManager } from '../host/manager.ts';
import type { ElicitationHandler, RootsProvider, SamplingHandler } from '../host/types.ts';
import type { ConfigLoader } from './configLoader.ts';
import type { DocumentStore } from './documents.ts';
import type { InputResolver } from './inputs.ts';
import type { ResourceWatches } from './resourceWatch.ts';
import type { ServersTreeProvider } from './serversView.ts';
import type { ServerSessions } from './sessions.ts';
import type { StartConsent } from './trust.ts';
import type { Workbench } from './workbenchLoader.ts';

export interface HostServices {
  readonly manager: ServerManager;
  readonly docs: DocumentStore;
  readonly sessions: ServerSessions;
  readonly watches: ResourceWatches;
  readonly consent: StartConsent;
  readonly loader: ConfigLoader;
  readonly inputs: InputResolver;
  readonly tree: ServersTreeProvider;
  /** The extension's own log (configuration, activation). */
  readonly log: vscode.LogOutputChannel;
  /** The one redaction function (src/host/redaction.ts). */
  readonly redact: (text: string) => string;
  /** The panels, loaded on first use (workbenchLoader.ts). */
  readonly workbench: () => Promise<Workbench>;
  /** Who answers the servers' sampling, elicitation and roots: MCP Host, or the gateway while it runs. */
  readonly serverRequests: ServerRequests;
}

/**
 * MCP Host's own answers (dialogs, the language model, the workspace folders), and the gateway
 * while it runs: it gives a request to the gateway client whose call caused it, else to these.
 */
export interface ServerRequests {
  readonly host: { sampling: SamplingHandler; elicitation: ElicitationHandler; roots: RootsProvider };
  gateway?: SamplingHandler & ElicitationHandler & { rootsFor: NonNullable<RootsProvider['rootsFor']> };
}
