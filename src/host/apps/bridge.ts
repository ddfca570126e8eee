// The host side of an MCP App (ext-apps spec 2026-01-26, with the SDK 2.0.x additions): our
// JSON-RPC connection over a relay to the app's frame. vscode-free: the panel gives it a way
// to post to the page (`send`) and an embedder for what needs the person or the editor (a link
// to open, a chat message, the display mode); everything else is decided here.
//
// Policy, each refusal a sentence naming the server, the method and the cause, answered to the
// app as a JSON-RPC error and shown in the panel's log:
// - tools/call only for a tool of this app's own server whose _meta.ui.visibility includes "app";
// - ui/open-link only for http, https and mailto URLs, after the embedder's consent;
// - at most MAX_APP_REQUESTS requests of the app at once (the connection answers the rest);
// - nothing is sent to the app before it said ui/notifications/initialized (spec rule 6):
//   tool-input, tool-result and context changes wait in order until then.
// Why our own and not the SDK's AppBridge: docs/decisions.md ("MCP Apps").

import { DisposableStore, Emitter, type Disposable, type Event } from '../../base/event.ts';
import { appCallRefusal, isAppVisible } from '../../protocol/apps.ts';
import { JsonRpcConnection } from '../../protocol/connection.ts';
import { ErrorCode, WireError, errorMessage } from '../../protocol/errors.ts';
import type { JsonRpcMessage } from '../../protocol/jsonrpc.ts';
import type { CallToolResult, ContentBlock, Implementation, JsonObject, ProgressToken } from '../../protocol/types.ts';
import type { ManagedServer } from '../types.ts';
import { RelayTransport } from './relay.ts';

export const APPS_PROTOCOL_VERSION = '2026-01-26';
/** Requests of one app handled at once; more are answered with an error at once. */
export const MAX_APP_REQUESTS = 16;
/** Largest model context an app may set (its JSON); larger ones are refused. */
export const MAX_MODEL_CONTEXT_BYTES = 256 * 1024;
/** How long the app has to answer ui/resource-teardown before its frame goes anyway. */
export const TEARDOWN_TIMEOUT_MS = 3_000;
/** The error code ext-apps uses for a host's refusal (open-link denied, message refused). */
export const APP_REFUSED = -32000;

export type DisplayMode = 'inline' | 'fullscreen';
export const HOST_DISPLAY_MODES: readonly DisplayMode[] = ['inline', 'fullscreen'];

/** McpUiHostContext, as far as we fill it (the app merges partial updates). */
export interface HostContext {
  toolInfo?: { id?: string | number; tool: JsonObject };
  theme?: 'light' | 'dark';
  styles?: { variables?: Record<string, string>; css?: { fonts?: string } };
  displayMode?: DisplayMode;
  availableDisplayModes?: DisplayMode[];
  containerDimensions?: { width?: number; height?: number; maxWidth?: number; maxHeight?: number };
  locale?: string;
  timeZone?: string;
  userAgent?: string;
  platform?: 'web' | 'desktop' | 'mobile';
  deviceCapabilities?: { touch?: boolean; hover?: boolean };
}

export type AppLogKind = 'refused' | 'call' | 'app-log' | 'info' | 'warning';
export interface AppLogEntry { kind: AppLogKind; text: string }

/** What needs the person or the editor. Every method may be slow (a consent dialog). */
export interface AppEmbedder {
  /** Asks the person (showing the URL) and opens it; false when they declined. */
  openLink(url: string): Promise<boolean>;
  /** A message the app wants sent in the chat (the person still sends it). */
  message(content: ContentBlock[]): Promise<void>;
  /** The app's latest model context (each call replaces the last). */
  modelContext(context: { content?: ContentBlock[]; structuredContent?: JsonObject }): void;
  /** Puts the app in `mode` (already checked as one the app and host both offer); resolves with the mode in effect. */
  displayMode(mode: DisplayMode): Promise<DisplayMode> | DisplayMode;
  sizeChanged?(size: { width?: number; height?: number }): void;
  /** The app asked to be closed (ui/notifications/request-teardown). */
  requestTeardown?(): void;
  log(entry: AppLogEntry): void;
}

export type AppServer = Pick<ManagedServer, 'tools' | 'resources' | 'resourceTemplates' | 'prompts' | 'callTool' | 'readResource' | 'onDidChangeLists'> & {
  readonly definition: { readonly name: string };
};

export interface AppSessionOptions {
  server: AppServer;
  /** Who else has a tool of this name, for a clearer refusal (another running server's name). */
  ownerOf?: (tool: string) => string | undefined;
  hostInfo: Implementation;
  hostContext: HostContext;
  /** What the sandbox actually applied, told to the app in hostCapabilities.sandbox. */
  sandbox: { csp: JsonObject; permissions: JsonObject };
  /** Posts one message to the app (through the page). */
  send(message: JsonRpcMessage): void;
  embedder: AppEmbedder;
  teardownTimeoutMs?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a link may not be opened (a sentence), or undefined when it may be offered to the person. */
export function linkRefusal(url: unknown): string | undefined {
  if (typeof url !== 'string' || url === '') return 'the url is missing or not a string';
  if (url.length > 8192) return 'the url is longer than 8192 characters';
  let parsed: URL;
  try { parsed = new URL(url); } catch { return `${JSON.stringify(url.slice(0, 100))} is not a valid absolute URL`; }
  const scheme = parsed.protocol.slice(0, -1);
  if (!['http', 'https', 'mailto'].includes(scheme)) return `${scheme}: links are never opened for an app (only http, https and mailto)`;
  if (scheme !== 'mailto' && parsed.username) return 'the url carries user info, which could disguise where it leads';
  return undefined;
}

/** ui/message content: the SDK sends an array, the spec's prose one block; both become an array. */
function contentBlocks(raw: unknown): ContentBlock[] | string {
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (!list.length) return 'the message has no content';
  if (list.length > 64) return 'the message has more than 64 content blocks';
  for (const b of list) if (!isObject(b) || typeof b.type !== 'string') return 'a content block is not an object with a type';
  return list as ContentBlock[];
}

export class AppSession implements Disposable {
  private readonly opts: AppSessionOptions;
  private readonly relay: RelayTransport;
  private readonly conn: JsonRpcConnection;
  private readonly store = new DisposableStore();
  private readonly serverName: string;
  private context: HostContext;
  private _initialized = false;
  private inputSent = false;
  private queue: (() => void)[] = [];
  private appDisplayModes: DisplayMode[] = [];
  private closed = false;
  /** ui/initialize's appInfo, once it came. */
  appInfo: Implementation | undefined;

  private readonly _onDidInitialize = new Emitter<void>();
  /** The app said ui/notifications/initialized. */
  readonly onDidInitialize: Event<void> = this._onDidInitialize.event;

  constructor(opts: AppSessionOptions) {
    this.opts = opts;
    this.serverName = opts.server.definition.name;
    this.context = { ...opts.hostContext };
    this.relay = new RelayTransport(m => opts.send(m));
    this.conn = new JsonRpcConnection(this.relay, { name: `${this.serverName} app`, maxIncomingRequests: MAX_APP_REQUESTS });
    void this.relay.start();
    this.store.add(this.conn.onDidWarn(w => opts.embedder.log({ kind: 'warning', text: `The app of ${this.serverName}: ${w}.` })));
    this.register();
    this.store.add(opts.server.onDidChangeLists(() => {
      if (!this._initialized) return;
      this.conn.notify('notifications/tools/list_changed');
      this.conn.notify('notifications/resources/list_changed');
    }));
  }

  get initialized(): boolean { return this._initialized; }
  get hostContext(): HostContext { return this.context; }

  /** A message from the app (the page relayed it; only its shape is unchecked). */
  receive(message: unknown): void {
    if (!this.closed) this.relay.deliver(message);
  }

  private refuse(method: string, cause: string, code: number = APP_REFUSED): never {
    const text = `${this.serverName}: the app's ${method} was refused: ${cause}`;
    this.opts.embedder.log({ kind: 'refused', text });
    throw new WireError(code, text);
  }

  private register(): void {
    const on = (method: string, h: Parameters<JsonRpcConnection['onRequest']>[1]) => this.store.add(this.conn.onRequest(method, h));
    const { server, embedder } = this.opts;

    on('ui/initialize', params => {
      if (isObject(params.appInfo) && typeof params.appInfo.name === 'string') this.appInfo = params.appInfo as unknown as Implementation;
      const caps = isObject(params.appCapabilities) ? params.appCapabilities : {};
      this.appDisplayModes = Array.isArray(caps.availableDisplayModes) ? caps.availableDisplayModes.filter((m): m is DisplayMode => (HOST_DISPLAY_MODES as unknown[]).includes(m)) : [];
      const asked = params.protocolVersion;
      if (asked !== APPS_PROTOCOL_VERSION) embedder.log({ kind: 'info', text: `The app asked for protocol ${JSON.stringify(asked)}; MCP Host speaks ${APPS_PROTOCOL_VERSION}.` });
      return {
        protocolVersion: APPS_PROTOCOL_VERSION,
        hostInfo: this.opts.hostInfo,
        hostCapabilities: {
          openLinks: {},
          serverTools: { listChanged: true },
          serverResources: { listChanged: true },
          logging: {},
          message: { text: {} },
          updateModelContext: { text: {}, image: {}, audio: {}, resource: {}, resourceLink: {}, structuredContent: {} },
          sandbox: this.opts.sandbox,
        },
        hostContext: this.context,
      };
    });

    on('tools/call', async (params, ctx) => {
      const name = params.name;
      const owner = typeof name === 'string' && !server.tools.some(t => t.name === name) ? this.opts.ownerOf?.(name) : undefined;
      const refusal = owner !== undefined
        ? `"${name}" is a tool of another server (${owner}); an app may call only tools of its own server`
        : appCallRefusal(server.tools, name, true);
      if (refusal) this.refuse('tools/call', refusal.replace(/[;,]? (?:so )?(?:it|the call|the app's call) is refused\.$/, ''), ErrorCode.InvalidParams);
      const args = params.arguments === undefined ? {} : params.arguments;
      if (!isObject(args)) this.refuse('tools/call', 'arguments is not an object', ErrorCode.InvalidParams);
      const token = isObject(params._meta) ? (params._meta.progressToken as ProgressToken | undefined) : undefined;
      embedder.log({ kind: 'call', text: `tools/call ${name as string}` });
      // The app's progress token is its own: the server sees ours, the app gets its progress back under its token.
      return server.callTool(name as string, args, {
        signal: ctx.signal,
        checkOutput: false,
        ...(typeof token === 'string' || typeof token === 'number'
          ? { onProgress: p => this.conn.notify('notifications/progress', { ...p, progressToken: token }) }
          : {}),
      });
    });

    on('tools/list', () => ({ tools: server.tools.filter(isAppVisible) }));
    on('resources/read', (params, ctx) => {
      if (typeof params.uri !== 'string' || params.uri === '') this.refuse('resources/read', 'uri is missing', ErrorCode.InvalidParams);
      return server.readResource(params.uri as string, { signal: ctx.signal });
    });
    on('resources/list', () => ({ resources: server.resources }));
    on('resources/templates/list', () => ({ resourceTemplates: server.resourceTemplates }));
    on('prompts/list', () => ({ prompts: server.prompts }));

    on('ui/open-link', async params => {
      const refusal = linkRefusal(params.url);
      if (refusal) this.refuse('ui/open-link', refusal, ErrorCode.InvalidParams);
      const opened = await embedder.openLink(params.url as string);
      if (!opened) this.refuse('ui/open-link', 'Link opening denied by user');
      embedder.log({ kind: 'info', text: `Opened ${params.url as string}.` });
      return {};
    });

    on('ui/message', async params => {
      if (params.role !== undefined && params.role !== 'user') this.refuse('ui/message', `role must be "user", not ${JSON.stringify(params.role)}`, ErrorCode.InvalidParams);
      const blocks = contentBlocks(params.content);
      if (typeof blocks === 'string') this.refuse('ui/message', blocks, ErrorCode.InvalidParams);
      await embedder.message(blocks);
      return {};
    });

    on('ui/update-model-context', params => {
      const ctx: { content?: ContentBlock[]; structuredContent?: JsonObject } = {};
      if (params.content !== undefined) {
        const blocks = contentBlocks(params.content);
        if (typeof blocks === 'string') this.refuse('ui/update-model-context', blocks, ErrorCode.InvalidParams);
        ctx.content = blocks;
      }
      if (params.structuredContent !== undefined) {
        if (!isObject(params.structuredContent)) this.refuse('ui/update-model-context', 'structuredContent is not an object', ErrorCode.InvalidParams);
        ctx.structuredContent = params.structuredContent as JsonObject;
      }
      const bytes = Buffer.byteLength(JSON.stringify(ctx));
      if (bytes > MAX_MODEL_CONTEXT_BYTES) this.refuse('ui/update-model-context', `the context is ${bytes} bytes, more than ${MAX_MODEL_CONTEXT_BYTES}`);
      embedder.modelContext(ctx);
      return {};
    });

    on('ui/request-display-mode', async params => {
      const mode = params.mode;
      const current = this.context.displayMode ?? 'inline';
      if (!(HOST_DISPLAY_MODES as unknown[]).includes(mode)) {
        embedder.log({ kind: 'refused', text: `${this.serverName}: the app asked for display mode ${JSON.stringify(mode)}, which MCP Host does not offer; it stays ${current}.` });
        return { mode: current };
      }
      if (this.appDisplayModes.length && !this.appDisplayModes.includes(mode as DisplayMode)) {
        embedder.log({ kind: 'refused', text: `${this.serverName}: the app asked for display mode ${mode as string}, which it did not declare in availableDisplayModes; it stays ${current}.` });
        return { mode: current };
      }
      const now = await embedder.displayMode(mode as DisplayMode);
      this.setHostContext({ displayMode: now });
      return { mode: now };
    });

    on('ui/download-file', () => this.refuse('ui/download-file', 'MCP Host does not offer file downloads to apps (hostCapabilities has no downloadFile)', ErrorCode.MethodNotFound));

    const onNote = (method: string, h: (p: Record<string, unknown>) => void) => this.store.add(this.conn.onNotification(method, h));
    onNote('ui/notifications/initialized', () => {
      if (this._initialized) return;
      this._initialized = true;
      const queued = this.queue;
      this.queue = [];
      for (const send of queued) send();
      this._onDidInitialize.fire();
    });
    onNote('ui/notifications/size-changed', p => {
      const size: { width?: number; height?: number } = {};
      if (typeof p.width === 'number' && Number.isFinite(p.width)) size.width = p.width;
      if (typeof p.height === 'number' && Number.isFinite(p.height)) size.height = p.height;
      embedder.sizeChanged?.(size);
    });
    onNote('ui/notifications/request-teardown', () => embedder.requestTeardown?.());
    onNote('notifications/message', p => {
      const data = typeof p.data === 'string' ? p.data : JSON.stringify(p.data) ?? '';
      const level = typeof p.level === 'string' ? p.level : 'info';
      embedder.log({ kind: 'app-log', text: `[${level}]${typeof p.logger === 'string' ? ` ${p.logger}:` : ''} ${data.length > 2000 ? data.slice(0, 2000) + '…' : data}` });
    });
  }

  /** Sends now when the app is initialized, else once it is (in order). */
  private whenInitialized(send: () => void): void {
    if (this.closed) return;
    if (this._initialized) send(); else this.queue.push(send);
  }

  /** The arguments of the call this app shows (sent at most once, before any result). */
  toolInput(args: Record<string, unknown>): void {
    if (this.inputSent) return;
    this.inputSent = true;
    this.whenInitialized(() => this.conn.notify('ui/notifications/tool-input', { arguments: args }));
  }

  toolResult(result: CallToolResult): void {
    if (!this.inputSent) this.toolInput({});
    this.whenInitialized(() => this.conn.notify('ui/notifications/tool-result', result as unknown as Record<string, unknown>));
  }

  toolCancelled(reason?: string): void {
    if (!this.inputSent) this.toolInput({});
    this.whenInitialized(() => this.conn.notify('ui/notifications/tool-cancelled', reason === undefined ? {} : { reason }));
  }

  /** Merges `change` into the host context and tells the app what differs. */
  setHostContext(change: Partial<HostContext>): void {
    const diff: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(change)) {
      if (JSON.stringify((this.context as Record<string, unknown>)[k]) !== JSON.stringify(v)) diff[k] = v;
    }
    if (!Object.keys(diff).length) return;
    this.context = { ...this.context, ...diff } as HostContext;
    // Before initialize the answer carries the whole context: nothing to send then.
    if (this._initialized && !this.closed) this.conn.notify('ui/notifications/host-context-changed', diff);
  }

  /**
   * Asks the app to tear down (ui/resource-teardown) and waits for its answer, at most the
   * teardown timeout; then the session ends. Resolves with how it went, for the log.
   */
  async teardown(reason?: string): Promise<'answered' | 'timeout' | 'not-initialized' | 'failed'> {
    if (this.closed) return 'failed';
    let outcome: 'answered' | 'timeout' | 'not-initialized' | 'failed' = 'not-initialized';
    if (this._initialized) {
      try {
        await this.conn.request('ui/resource-teardown', reason === undefined ? {} : { reason }, { timeoutMs: this.opts.teardownTimeoutMs ?? TEARDOWN_TIMEOUT_MS });
        outcome = 'answered';
      } catch (err) {
        outcome = /timed out/i.test(errorMessage(err)) ? 'timeout' : 'failed';
        this.opts.embedder.log({ kind: 'warning', text: `${this.serverName}: the app did not answer ui/resource-teardown (${errorMessage(err)}); it is closed anyway.` });
      }
    }
    this.dispose();
    return outcome;
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.conn.dispose();
    this.relay.dispose();
    this.store.dispose();
    this._onDidInitialize.dispose();
  }
}

