// The host layer's public shapes: what the extension, the CLI and the gateway see of
// servers, their definitions and state, and the hooks through which they answer the
// servers' requests (roots, sampling, elicitation). No `vscode` here.

import type { OAuthConfig } from '../auth/types.ts';
import type { Event } from '../base/event.ts';
import type { McpClient } from '../protocol/client.ts';
import type { RequestAuth } from '../transports/requestAuth.ts';
import type { Redactor } from './redaction.ts';
import type { TaskList } from './tasks.ts';
import type { ProtocolTrace } from './trace.ts';
import type {
  CallToolResult, ClientCapabilities, CompleteResult, CompletionReference, CreateMessageRequestParams, CreateMessageResult,
  ElicitRequestParams, ElicitResult, GetPromptResult, Implementation, LoggingLevel, Prompt, ReadResourceResult,
  RequestOptions, Resource, ResourceTemplate, Root, ServerCapabilities, Tool,
} from '../protocol/types.ts';

// ---- definitions (from .vscode/mcp.json and the mcpHost.servers setting) ----

export type ServerScope = 'user' | 'workspace';

export interface StdioLaunch {
  type: 'stdio';
  command: string;
  args: string[];
  /** The server's own variables; `null` removes an inherited one. */
  env: Record<string, string | null>;
  envFile?: string;
  /** Absolute. Defaults to the workspace folder that defines the server. */
  cwd?: string;
}
export interface RemoteLaunch {
  type: 'http' | 'sse' | 'ws';
  url: string;
  headers: Record<string, string>;
  /** Sign-in settings (a client registered in advance, a grant without a browser…). */
  oauth?: OAuthConfig;
}
export type ServerLaunch = StdioLaunch | RemoteLaunch;

export interface ServerSource {
  /** Path of the file that defines it, or 'settings' for the user setting. */
  file: string;
  /** Workspace folder path for workspace servers. */
  folder?: string;
  /** Offset of the server's entry in the file, for diagnostics and "reveal". */
  offset?: number;
}

export interface ServerDefinition {
  /** Stable across restarts: scope + folder + name. */
  id: string;
  name: string;
  scope: ServerScope;
  source: ServerSource;
  /** Launch with variables resolved. */
  launch: ServerLaunch;
  /** A hash of the unresolved definition: consent is remembered per hash. */
  fingerprint: string;
  /** `protocolVersion` of the definition: speak exactly this revision, no negotiation. */
  protocolVersion?: string;
}

/**
 * Whether two definitions start the same thing. A reload makes new objects for unchanged
 * entries (and may move their offset in the file): identity says nothing.
 */
export function sameLaunch(a: ServerDefinition, b: ServerDefinition): boolean {
  return a === b || (a.fingerprint === b.fingerprint && JSON.stringify(a.launch) === JSON.stringify(b.launch));
}

// ---- state ----

export type ServerState =
  | { kind: 'stopped'; reason?: string }
  | { kind: 'starting' }
  /**
   * `notice`: running, but degraded in a way the user should see (the server→client
   * stream is down and notifications are being lost); it goes away when that recovers.
   */
  | { kind: 'running'; notice?: string }
  | { kind: 'error'; message: string; exitCode?: number | null; stderrTail?: string; willRetryInMs?: number }
  /** The server wants a sign-in the host may not start by itself (ManagedServer.signIn does). */
  | { kind: 'needs-sign-in'; message: string };

export const ServerState = {
  Stopped: { kind: 'stopped' } as ServerState,
  Starting: { kind: 'starting' } as ServerState,
  Running: { kind: 'running' } as ServerState,
  isActive(s: ServerState): boolean { return s.kind === 'starting' || s.kind === 'running'; },
  describe(s: ServerState): string {
    switch (s.kind) {
      case 'stopped': return s.reason ? `stopped · ${s.reason}` : 'stopped';
      case 'starting': return 'starting…';
      case 'running': return s.notice ? `running · ${s.notice}` : 'running';
      case 'error': return `error · ${s.message}`;
      case 'needs-sign-in': return 'needs sign-in';
    }
  },
};

export type LogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error';
export interface LogEntry {
  level: LogLevel;
  /** stderr of the process, a server `notifications/message`, JSON-RPC traffic, or the host itself. */
  source: 'stderr' | 'server' | 'traffic' | 'host';
  message: string;
  /** A server's `notifications/message`: the level it said (`level` folds MCP's eight into four). */
  mcpLevel?: LoggingLevel;
}

// ---- a managed server, as the UI sees it ----

export interface CallOptions extends RequestOptions {
  /** Run a tool whose taskSupport is "optional" as a task (a "required" one always is). */
  asTask?: boolean;
  /**
   * false: a result whose structuredContent breaks the tool's output schema is handed back
   * instead of refused (the tool panel shows what is wrong). Calls that run as tasks are
   * always checked.
   */
  checkOutput?: boolean;
}

export interface ManagedServer {
  readonly definition: ServerDefinition;
  readonly state: ServerState;
  readonly onDidChangeState: Event<ServerState>;
  /** Fired when tools, resources, templates or prompts were (re)listed. */
  readonly onDidChangeLists: Event<void>;
  readonly onDidLog: Event<LogEntry>;
  /** A subscribed resource changed (`notifications/resources/updated`). */
  readonly onDidUpdateResource: Event<string>;

  readonly serverInfo: Implementation | undefined;
  readonly capabilities: ServerCapabilities | undefined;
  readonly instructions: string | undefined;
  readonly protocolVersion: string | undefined;
  /** How the connection speaks: 'stateful' (2025-11-25 and earlier) or 'stateless' (2026-07-28). */
  readonly protocolGeneration: 'stateful' | 'stateless' | undefined;
  /** When a list was last fetched from the server (ms since epoch); older when served from its cache. */
  listAge(method: 'tools/list' | 'resources/list' | 'resources/templates/list' | 'prompts/list'): number | undefined;
  readonly tools: readonly Tool[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
  readonly prompts: readonly Prompt[];
  /** Its tasks: running and finished, with Cancel and their results (tasks.ts). */
  readonly tasks: TaskList;
  /** The live client while running: for what is fetched only when asked, like its skills (host/skills.ts). */
  readonly currentClient: McpClient | undefined;
  /** Log JSON-RPC traffic at trace level (a stringify per message, so off unless asked); on, the trace records too. */
  traceTraffic: boolean;
  /** Its JSON-RPC messages, for the trace view: recorded while retained or while traceTraffic is on (trace.ts). */
  readonly trace: ProtocolTrace;

  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Whether the server has a sign-in (a remote server the host signs in to). */
  readonly signedIn: boolean;
  /** Runs the sign-in now (the browser may open), then starts the server again. */
  signIn(signal?: AbortSignal): Promise<void>;
  /** Revokes what can be revoked, forgets the sign-in, and stops the server. */
  signOut(): Promise<void>;

  callTool(name: string, args: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;
  readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult>;
  getPrompt(name: string, args: Record<string, string>, options?: CallOptions): Promise<GetPromptResult>;
  complete(ref: CompletionReference, argument: { name: string; value: string }, context?: Record<string, string>, options?: CallOptions): Promise<CompleteResult>;
  subscribe(uri: string): Promise<void>;
  unsubscribe(uri: string): Promise<void>;
  /** Sets the server's log level (`logging/setLevel`) when it has the logging capability. */
  setLogLevel(level: LoggingLevel): Promise<void>;
}

// ---- hooks the embedding (extension, CLI) provides ----

/** Who is asking, for prompts and consent dialogs. */
export interface ServerRef { id: string; name: string; scope: ServerScope }

/**
 * Whom the calls a server's request may belong to were made for: the `origin` each call was
 * made with (CallOptions), once each, undefined for the host's own calls. One entry: the request
 * is for that call's caller; several: it cannot be told (stdio names no request); none: it
 * belongs to no call of ours. Absent: nobody asked.
 */
export type RequestOrigins = readonly unknown[];

export interface SamplingHandler {
  createMessage(server: ServerRef, params: CreateMessageRequestParams, signal: AbortSignal, origins?: RequestOrigins): Promise<CreateMessageResult>;
}
export interface ElicitationHandler {
  elicit(server: ServerRef, params: ElicitRequestParams, signal: AbortSignal, origins?: RequestOrigins): Promise<ElicitResult>;
}
export interface RootsProvider {
  roots(): Root[];
  readonly onDidChangeRoots: Event<void>;
  /**
   * Roots for one request of `server`, when someone else answers it (the gateway client whose
   * call the server is serving); undefined: `roots()`.
   */
  rootsFor?(server: ServerRef, signal: AbortSignal, origins?: RequestOrigins): Promise<Root[]> | undefined;
}

/** A model backend for sampling (vscode.lm, an HTTP API, a test double). */
export interface ModelProvider {
  readonly id: string;
  createMessage(params: CreateMessageRequestParams, signal: AbortSignal): Promise<CreateMessageResult>;
}

/**
 * Decides whether a server may start now; a string is the reason it may not. `signal` is
 * aborted when the answer no longer matters (the server was stopped, or its definition
 * replaced, while the user was being asked).
 */
export type StartGate = (def: ServerDefinition, signal: AbortSignal) => Promise<true | string>;

export interface ServerManagerOptions {
  roots?: RootsProvider;
  sampling?: SamplingHandler;
  elicitation?: ElicitationHandler;
  gate?: StartGate;
  requestTimeoutMs?: number;
  maxRequestTimeoutMs?: number;
  /** PATH to spawn with when the process's own lacks the user's login-shell PATH. */
  resolvePath?: () => Promise<string | undefined>;
  /** Largest single message accepted from a server (stdio, HTTP, WebSocket; default 512 MiB). */
  maxMessageBytes?: number;
  /** Restart policy for crashed servers. */
  restart?: { maxTries: number; initialDelayMs: number; maxDelayMs: number };
  /**
   * Backoff of HTTP event streams: resuming a broken response, reconnecting the GET stream
   * (after `maxRetries` failures in a row the running state carries a notice).
   */
  httpReconnect?: { initialDelayMs?: number; maxDelayMs?: number; maxRetries?: number };
  clientInfo?: Implementation;
  /** Masks secrets in everything the servers log and in their error states (redaction.ts). */
  redactor?: Redactor;
  /** Remembers which protocol generation each definition spoke, so a later start skips the probe. */
  versionMemory?: VersionMemory;
  /** The sign-in for a remote server (an OAuthSession), made once per server and URL. */
  auth?: (def: ServerDefinition, launch: RemoteLaunch) => ServerAuth | undefined;
  /** Capabilities the embedding adds to the client's own (the extension: the MCP Apps extension). */
  capabilities?: Pick<ClientCapabilities, 'extensions'>;
  /** Bounds of each server's protocol trace (defaults: 2000 messages, 16 MiB); ServerManager.configureTrace changes them. */
  trace?: { maxEntries?: number; maxBytes?: number };
}

/** A remote server's sign-in as the host uses it (src/auth/session.ts OAuthSession). */
export interface ServerAuth extends RequestAuth {
  readonly signedIn: boolean;
  readonly onDidChange: Event<'signed-in' | 'needs-sign-in' | 'signed-out'>;
  signInNow(signal?: AbortSignal): Promise<void>;
  /** Resolves with whether there was a sign-in to forget. */
  signOut(): Promise<boolean>;
}

export interface VersionMemory {
  get(def: ServerDefinition): 'stateless' | 'stateful' | undefined;
  set(def: ServerDefinition, generation: 'stateless' | 'stateful'): void | Promise<void>;
}
