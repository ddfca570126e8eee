// The messages between the extension and its webview panels. Both sides import this file
// (the extension's controllers in src/vscode/panels/, the browser bundle in
// src/webviews/browser/); nothing else crosses, and only through postMessage.

import type { CreateMessageRequestParams, CreateMessageResult, Tool } from '../protocol/types.ts';
import type { HistoryEntry } from './result/history.ts';
import type { ResultView } from './result/model.ts';

export type PanelKind = 'tool' | 'elicitation' | 'sampling' | 'trace';

/** Every webview says this first; the extension answers with the panel's `init`. */
export interface Ready { type: 'ready' }
/** Something for the clipboard (the webview has no clipboard permission of its own). */
export interface Copy { type: 'copy'; text: string; what: string }

// ---- the tool panel ----

export interface ToolProgress { progress: number; total?: number; message?: string }

/** A call's outcome as the panel shows it. */
export type CallOutcome =
  | { kind: 'result'; view: ResultView; durationMs: number; at: number; historyId?: string }
  | { kind: 'failed'; message: string; durationMs: number; at: number }
  | { kind: 'cancelled'; at: number };

/** A history entry without its result, for the list (the result comes on `showEntry`). */
export type HistorySummary = Pick<HistoryEntry, 'id' | 'at' | 'durationMs' | 'args' | 'outcome' | 'error'>;

export interface ToolInit {
  type: 'init';
  panel: 'tool';
  serverId: string;
  serverName: string;
  serverRunning: boolean;
  tool: Tool;
  /** The arguments to show: restored state, a history entry's, or the schema's defaults (undefined). */
  args?: Record<string, unknown>;
  history: HistorySummary[];
  /** A call under way when the panel was (re)opened. */
  running?: { callId: number; startedAt: number; progress?: ToolProgress };
  outcome?: CallOutcome;
}

export type ToolToWebview =
  | ToolInit
  | { type: 'server'; serverName: string; serverRunning: boolean; tool?: Tool }
  | { type: 'started'; callId: number; startedAt: number }
  | { type: 'progress'; callId: number; progress: ToolProgress }
  | { type: 'outcome'; callId: number; outcome: CallOutcome }
  | { type: 'history'; history: HistorySummary[] }
  | { type: 'setArgs'; args: Record<string, unknown> };

export type ToolFromWebview =
  | Ready
  | Copy
  | { type: 'run'; args: Record<string, unknown>; asTask?: boolean }
  | { type: 'cancel' }
  | { type: 'openAsDocument' }
  | { type: 'openResource'; uri: string }
  | { type: 'useEntry'; id: string; run: boolean }
  | { type: 'showEntry'; id: string }
  | { type: 'copyCommand'; args: Record<string, unknown> }
  | { type: 'removeEntry'; id: string }
  | { type: 'clearHistory' }
  /** The form changed: kept so a reload restores it (the serializer's state). */
  | { type: 'argsChanged'; args: Record<string, unknown> };

/** What the webview keeps with setState, and what the serializer gets back after a reload. */
export interface ToolPanelState { panel: 'tool'; serverId: string; tool: string; args?: Record<string, unknown>; jsonView?: boolean }

// ---- the elicitation form ----

export interface ElicitationInit {
  type: 'init';
  panel: 'elicitation';
  /** Tells this request from another when the page comes back after being hidden. */
  requestId: number;
  serverName: string;
  message: string;
  schema: Record<string, unknown>;
  /** Set when the server withdrew the request (the page shows why and sends nothing). */
  closed?: string;
}
export type ElicitationToWebview = ElicitationInit | { type: 'closed'; reason: string };
export type ElicitationFromWebview =
  | Ready
  | { type: 'answer'; action: 'accept'; content: Record<string, unknown> }
  | { type: 'answer'; action: 'decline' | 'cancel' };

// ---- the sampling review ----

export interface ModelChoice { id: string; name: string; vendor: string; family: string; maxInputTokens?: number }

export interface SamplingInit {
  type: 'init';
  panel: 'sampling';
  requestId: number;
  serverName: string;
  request: CreateMessageRequestParams;
  models: ModelChoice[];
  modelId?: string;
  /** The last completion, when the page comes back after being hidden. */
  completion?: { result: CreateMessageResult; inputTokens?: number; outputTokens?: number };
  /** A generation is under way / the last one failed / the server withdrew the request. */
  generating?: boolean;
  problem?: string;
  closed?: string;
  alwaysAllowed?: boolean;
}
export type SamplingToWebview =
  | SamplingInit
  | { type: 'generating' }
  | { type: 'completion'; result: CreateMessageResult; inputTokens?: number; outputTokens?: number }
  | { type: 'failed'; message: string }
  | { type: 'closed'; reason: string };
export type SamplingFromWebview =
  | Ready
  | { type: 'generate'; request: CreateMessageRequestParams; modelId: string }
  | { type: 'return'; result: CreateMessageResult }
  | { type: 'deny' }
  | { type: 'alwaysAllow'; value: boolean };

// ---- the protocol trace ----

/** One trace entry for the list: its text is cut (`showDetails` fetches the whole). */
export interface TraceRow {
  seq: number; time: number; session: number;
  direction: 'send' | 'receive';
  kind: 'request' | 'notification' | 'response' | 'error' | 'invalid';
  method?: string; id?: string | number; size: number;
  pairedSeq?: number; durationMs?: number; isError?: boolean;
  preview: string;
}
export interface TraceInit {
  type: 'init';
  panel: 'trace';
  servers: Array<{ id: string; name: string }>;
  serverId: string;
  rows: TraceRow[];
  limits: { maxEntries: number; maxBytes: number };
}
export type TraceToWebview =
  | TraceInit
  | { type: 'rows'; rows: TraceRow[] }
  | { type: 'updated'; rows: TraceRow[] }
  | { type: 'cleared' }
  | { type: 'details'; seq: number; text: string; truncated: boolean; cli?: string; replayable: boolean }
  | { type: 'replayed'; seq: number; ok: boolean; message: string }
  /** The messages whose whole text has the search's text (the page has only previews). */
  | { type: 'matches'; text: string; seqs: number[] };
export type TraceFromWebview =
  | Ready
  | Copy
  | { type: 'selectServer'; serverId: string }
  | { type: 'showDetails'; seq: number }
  | { type: 'replay'; seq: number }
  | { type: 'search'; text: string }
  | { type: 'export' }
  | { type: 'clear' };

export interface TracePanelState { panel: 'trace'; serverId: string; filter?: string; method?: string; direction?: string }

export type ToWebview = ToolToWebview | ElicitationToWebview | SamplingToWebview | TraceToWebview;
export type FromWebview = ToolFromWebview | ElicitationFromWebview | SamplingFromWebview | TraceFromWebview;
