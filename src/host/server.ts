// One managed server: its lifecycle (stopped → starting → running, error with backoff
// restarts), its lists, and the answers to its requests. Each launch owns a disposable
// store; a launch that finishes after it was stopped is closed at once.

import { DisposableStore, Emitter, type Event } from '../base/event.ts';
import { McpClient } from '../protocol/client.ts';
import { ErrorCode, LocalError, RequestError, WireError, errorMessage } from '../protocol/errors.ts';
import { parse } from '../protocol/schemas.ts';
import type {
  CallToolResult, ClientCapabilities, CompleteResult, CompletionReference, ElicitUrlParams, GetPromptResult, Implementation, LoggingLevel,
  Prompt, ReadResourceResult, Resource, ResourceTemplate, ServerCapabilities, Tool,
} from '../protocol/types.ts';
import { createTransport } from './transportFactory.ts';
import type { CallOptions, LogEntry, LogLevel, ManagedServer, ServerDefinition, ServerManagerOptions, ServerRef, ServerState } from './types.ts';

const DEFAULT_RESTART = { maxTries: 5, initialDelayMs: 1000, maxDelayMs: 30_000 };
/** A server that ran this long before crashing gets a fresh set of restart tries. */
const STABLE_MS = 60_000;

export class ManagedServerImpl implements ManagedServer {
  private def: ServerDefinition;
  private readonly opts: ServerManagerOptions;
  private _state: ServerState = { kind: 'stopped' };
  private client: McpClient | undefined;
  private launch: DisposableStore | undefined;
  private launchAbort: AbortController | undefined;
  private starting: Promise<void> | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private restartAttempts = 0;
  private runningSince = 0;
  private stopping: Promise<void> | undefined;
  private awaitingGate = false;
  private stoppingClient: McpClient | undefined;
  private disposed = false;
  /** Log JSON-RPC traffic at trace level (costs a stringify per message, so off by default). */
  traceTraffic = false;

  tools: Tool[] = [];
  resources: Resource[] = [];
  resourceTemplates: ResourceTemplate[] = [];
  prompts: Prompt[] = [];

  private readonly _onDidChangeState = new Emitter<ServerState>();
  readonly onDidChangeState: Event<ServerState> = this._onDidChangeState.event;
  private readonly _onDidChangeLists = new Emitter<void>();
  readonly onDidChangeLists: Event<void> = this._onDidChangeLists.event;
  private readonly _onDidLog = new Emitter<LogEntry>();
  readonly onDidLog: Event<LogEntry> = this._onDidLog.event;
  private readonly _onDidUpdateResource = new Emitter<string>();
  readonly onDidUpdateResource: Event<string> = this._onDidUpdateResource.event;

  constructor(def: ServerDefinition, opts: ServerManagerOptions) {
    this.def = def;
    this.opts = opts;
  }

  get definition(): ServerDefinition { return this.def; }
  get state(): ServerState { return this._state; }
  get serverInfo(): Implementation | undefined { return this.client?.serverInfo; }
  get capabilities(): ServerCapabilities | undefined { return this.client?.capabilities; }
  get instructions(): string | undefined { return this.client?.instructions; }
  get protocolVersion(): string | undefined { return this.client?.protocolVersion; }
  get ref(): ServerRef { return { id: this.def.id, name: this.def.name, scope: this.def.scope }; }
  /** The live client while running (for the manager's roots notifications, the gateway, tests). */
  get currentClient(): McpClient | undefined { return this._state.kind === 'running' ? this.client : undefined; }

  /** Replaces the definition; the caller restarts if it was running. */
  setDefinition(def: ServerDefinition): void { this.def = def; }

  /** A user's (or the config's) start: a fresh set of restart tries. */
  start(): Promise<void> {
    this.restartAttempts = 0;
    return this.startInternal();
  }

  private startInternal(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.starting) return this.starting;
    if (this._state.kind === 'running') return Promise.resolve();
    this.clearRestartTimer();
    this.starting = this.doStart().finally(() => { this.starting = undefined; });
    return this.starting;
  }

  /** Graceful stop; a second stop while the first still waits kills the process tree. */
  stop(reason?: string): Promise<void> {
    if (this.stopping) {
      void this.stoppingClient?.transport.kill?.();
      return this.stopping;
    }
    this.stopping = (async () => {
      this.clearRestartTimer();
      this.restartAttempts = 0;
      await this.teardown();
      this.setState(reason ? { kind: 'stopped', reason } : { kind: 'stopped' });
    })().finally(() => { this.stopping = undefined; this.stoppingClient = undefined; });
    return this.stopping;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
    this._onDidChangeState.dispose();
    this._onDidChangeLists.dispose();
    this._onDidLog.dispose();
    this._onDidUpdateResource.dispose();
  }

  // ---- features ----

  async callTool(name: string, args: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult> {
    try {
      return await this.running('tools/call').callTool(name, args, options);
    } catch (err) {
      // 2025-11-25: a server may answer -32042 with URL elicitations that must be
      // completed first; we ask the user through the same broker, then retry once.
      const pending = urlElicitationsOf(err);
      if (!pending || !this.opts.elicitation) throw err;
      for (const e of pending) {
        const r = await this.opts.elicitation.elicit(this.ref, e, options?.signal ?? new AbortController().signal);
        if (r.action !== 'accept') throw err;
      }
      return this.running('tools/call').callTool(name, args, options);
    }
  }
  // async: a server that is not running is a rejection, never a synchronous throw.
  async readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    return this.running('resources/read').readResource(uri, options);
  }
  async getPrompt(name: string, args: Record<string, string>, options?: CallOptions): Promise<GetPromptResult> {
    return this.running('prompts/get').getPrompt(name, args, options);
  }
  async complete(ref: CompletionReference, argument: { name: string; value: string }, context?: Record<string, string>, options?: CallOptions): Promise<CompleteResult> {
    return this.running('completion/complete').complete(ref, argument, context, options);
  }
  async subscribe(uri: string): Promise<void> { return this.running('resources/subscribe').subscribe(uri); }
  async unsubscribe(uri: string): Promise<void> { return this.running('resources/unsubscribe').unsubscribe(uri); }
  async setLogLevel(level: LoggingLevel): Promise<void> {
    const c = this.currentClient;
    if (!c?.has('logging')) return;
    await c.setLoggingLevel(level);
  }

  // ---- lifecycle internals ----

  private running(method: string): McpClient {
    const c = this.currentClient;
    if (!c) throw new RequestError(this.def.name, method, new LocalError('closed', `the server is not running (${this._state.kind})`));
    return c;
  }

  private async doStart(): Promise<void> {
    // The launch exists before the consent question, so a stop (or a new definition)
    // while the user decides cancels it, and what starts is exactly what was approved.
    const def = this.def;
    const store = new DisposableStore();
    const abort = new AbortController();
    this.launch = store;
    this.launchAbort = abort;
    this.setState({ kind: 'starting' });
    this.awaitingGate = true;
    const gate = this.opts.gate ? await this.opts.gate(def).catch(err => `could not check consent: ${errorMessage(err)}`).finally(() => { this.awaitingGate = false; }) : true;
    this.awaitingGate = false;
    if (store.isDisposed || this.disposed || this.def !== def) return;
    if (gate !== true) {
      this.launch = undefined;
      this.launchAbort = undefined;
      store.dispose();
      this.setState({ kind: 'stopped', reason: gate });
      return;
    }
    let client: McpClient;
    try {
      const transport = await createTransport(def.launch, { resolvePath: this.opts.resolvePath, maxMessageBytes: this.opts.maxMessageBytes });
      if (store.isDisposed) { await transport.close(); return; }
      store.add(transport.onDidLog(l => {
        if (l.source === 'stderr') this.log('info', 'stderr', l.message);
        else this.log(l.level, 'host', l.message);
      }));
      client = await McpClient.create(transport, {
        name: this.def.name,
        clientInfo: this.opts.clientInfo ?? { name: 'mcp-host', version: '0.1.0', title: 'MCP Host' },
        capabilities: this.clientCapabilities(),
        requestTimeoutMs: this.opts.requestTimeoutMs,
        maxRequestTimeoutMs: this.opts.maxRequestTimeoutMs,
        signal: abort.signal,
        onConnection: conn => {
          store.add(conn.onDidWarn(w => this.log('warning', 'host', w)));
          store.add(conn.onDidTrace(t => {
            if (this.traceTraffic) this.log('trace', 'traffic', `${t.direction === 'send' ? '→' : '←'} ${traceText(t.message, t.direction)}`);
          }));
          this.registerHandlers(conn, store);
        },
      });
    } catch (err) {
      if (store.isDisposed) return; // stopped meanwhile; stop() set the state
      store.dispose();
      this.launch = undefined;
      const cause = err instanceof RequestError ? err.cause : err;
      const te = (cause as LocalError | undefined)?.cause as { exitCode?: number | null; stderrTail?: string } | undefined;
      const message = errorMessage(err);
      this.log('error', 'host', `failed to start: ${message}${te?.stderrTail ? `\n${te.stderrTail}` : ''}`);
      // A restart after a crash keeps backing off (a remote briefly down); a first start
      // that fails waits for the user, who likely has a configuration to fix.
      if (this.restartAttempts > 0) this.scheduleRestart(message, te);
      else this.setState({ kind: 'error', message, exitCode: te?.exitCode, stderrTail: te?.stderrTail });
      return;
    }
    if (store.isDisposed || this.disposed) {
      await client.close();
      return;
    }
    this.client = client;
    store.add({ dispose: () => { void client.close(); } });
    store.add(client.onDidClose(reason => {
      if (this.client === client && this.launch === store) this.onCrash(reason);
    }));
    this.log('info', 'host', `connected to ${client.serverInfo.name} ${client.serverInfo.version} (protocol ${client.protocolVersion})`);
    await this.refreshLists(client);
    if (store.isDisposed || this.client !== client) return;
    this.runningSince = Date.now();
    this.setState({ kind: 'running' });
  }

  private clientCapabilities(): ClientCapabilities {
    const caps: ClientCapabilities = {};
    if (this.opts.roots) caps.roots = { listChanged: true };
    if (this.opts.sampling) caps.sampling = {};
    if (this.opts.elicitation) caps.elicitation = { form: {}, url: {} };
    return caps;
  }

  private registerHandlers(conn: McpClient['connection'], store: DisposableStore): void {
    const { roots, sampling, elicitation } = this.opts;
    if (roots) store.add(conn.onRequest('roots/list', () => ({ roots: roots.roots() })));
    if (sampling) {
      store.add(conn.onRequest('sampling/createMessage', (params, ctx) => {
        const p = validParams('sampling/createMessage', parse.createMessageParams, params);
        this.log('info', 'host', `sampling request (${p.messages.length} message(s), maxTokens ${p.maxTokens})`);
        return sampling.createMessage(this.ref, p, ctx.signal);
      }));
    }
    if (elicitation) {
      store.add(conn.onRequest('elicitation/create', (params, ctx) => {
        const p = validParams('elicitation/create', parse.elicitParams, params);
        this.log('info', 'host', `elicitation request (${p.mode ?? 'form'}): ${p.message}`);
        return elicitation.elicit(this.ref, p, ctx.signal);
      }));
    }
    // A burst of list_changed gives one refresh now and one after it, not one per notification.
    const relist = (what: 'tools' | 'resources' | 'prompts') => {
      let asked = 0;
      let running = false;
      return () => {
        asked++;
        if (running) return;
        running = true;
        void (async () => {
          try {
            for (let done = -1; done !== asked;) {
              done = asked;
              const c = this.client;
              if (!c || store.isDisposed) return;
              await this.refreshLists(c, what);
            }
          } finally {
            running = false;
          }
        })();
      };
    };
    store.add(conn.onNotification('notifications/tools/list_changed', relist('tools')));
    store.add(conn.onNotification('notifications/resources/list_changed', relist('resources')));
    store.add(conn.onNotification('notifications/prompts/list_changed', relist('prompts')));
    store.add(conn.onNotification('notifications/resources/updated', params => {
      this._onDidUpdateResource.fire(parse.resourceUpdated(params).uri);
    }));
    store.add(conn.onNotification('notifications/message', params => {
      const m = parse.loggingMessage(params);
      const text = typeof m.data === 'string' ? m.data : JSON.stringify(m.data);
      this.log(mapLevel(m.level), 'server', m.logger ? `[${m.logger}] ${text}` : text);
    }));
  }

  private async refreshLists(client: McpClient, only?: 'tools' | 'resources' | 'prompts'): Promise<void> {
    const jobs: Promise<void>[] = [];
    const attempt = async <T>(what: string, fn: () => Promise<T>, set: (v: T) => void) => {
      try { set(await fn()); } catch (err) { this.log('warning', 'host', `could not list ${what}: ${errorMessage(err)}`); }
    };
    if ((!only || only === 'tools') && client.has('tools')) jobs.push(attempt('tools', () => client.listTools(), v => { this.tools = v; }));
    if ((!only || only === 'resources') && client.has('resources')) {
      jobs.push(attempt('resources', () => client.listResources(), v => { this.resources = v; }));
      jobs.push(attempt('resource templates', () => client.listResourceTemplates(), v => { this.resourceTemplates = v; }));
    }
    if ((!only || only === 'prompts') && client.has('prompts')) jobs.push(attempt('prompts', () => client.listPrompts(), v => { this.prompts = v; }));
    await Promise.all(jobs);
    if (this.client === client) this._onDidChangeLists.fire();
  }

  private onCrash(reason: LocalError): void {
    const te = reason.cause as { exitCode?: number | null; stderrTail?: string } | undefined;
    this.client = undefined;
    this.launch?.dispose();
    this.launch = undefined;
    this.clearLists();
    // Only a server that had been running a while earns a fresh set of tries.
    if (this.runningSince && Date.now() - this.runningSince > STABLE_MS) this.restartAttempts = 0;
    this.runningSince = 0;
    this.scheduleRestart(reason.message, te);
  }

  private scheduleRestart(message: string, te?: { exitCode?: number | null; stderrTail?: string }): void {
    const policy = this.opts.restart ?? DEFAULT_RESTART;
    this.restartAttempts++;
    const base = { kind: 'error' as const, message, exitCode: te?.exitCode, stderrTail: te?.stderrTail };
    if (this.restartAttempts > policy.maxTries) {
      this.log('error', 'host', `${message}; gave up after ${policy.maxTries} restarts`);
      this.setState({ ...base, message: `${message} (gave up after ${policy.maxTries} restarts)` });
      return;
    }
    const delay = Math.min(policy.initialDelayMs * 2 ** (this.restartAttempts - 1), policy.maxDelayMs);
    this.log('error', 'host', `${message}; restarting in ${delay} ms (attempt ${this.restartAttempts} of ${policy.maxTries})`);
    this.setState({ ...base, willRetryInMs: delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.startInternal();
    }, delay);
  }

  private async teardown(): Promise<void> {
    this.launchAbort?.abort(new LocalError('cancelled', 'the server was stopped'));
    this.launchAbort = undefined;
    const client = this.client;
    this.client = undefined;
    this.stoppingClient = client;
    const store = this.launch;
    this.launch = undefined;
    const starting = this.awaitingGate ? undefined : this.starting;
    // Close before releasing the launch's subscriptions: what the server writes to
    // stderr while it shuts down still reaches its log.
    if (client) await client.close();
    store?.dispose();
    // A start in its handshake ends quickly once aborted; one waiting on the user's
    // consent cannot be hurried, and sees on return that it was stopped.
    if (starting) await starting.catch(() => {});
    this.clearLists();
  }

  private clearLists(): void {
    const had = this.tools.length + this.resources.length + this.resourceTemplates.length + this.prompts.length > 0;
    this.tools = []; this.resources = []; this.resourceTemplates = []; this.prompts = [];
    if (had) this._onDidChangeLists.fire();
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private setState(s: ServerState): void {
    this._state = s;
    this._onDidChangeState.fire(s);
  }

  private log(level: LogLevel, source: LogEntry['source'], message: string): void {
    this._onDidLog.fire({ level, source, message });
  }
}

function urlElicitationsOf(err: unknown): ElicitUrlParams[] | undefined {
  if (!(err instanceof RequestError) || !(err.cause instanceof WireError) || err.cause.code !== ErrorCode.UrlElicitationRequired) return undefined;
  const list = (err.cause.data as { elicitations?: unknown } | undefined)?.elicitations;
  if (!Array.isArray(list)) return undefined;
  const valid = list.filter((e): e is ElicitUrlParams => !!e && typeof e === 'object' && e.mode === 'url' && typeof e.url === 'string' && typeof e.elicitationId === 'string');
  return valid.length ? valid : undefined;
}

function mapLevel(level: string): LogLevel {
  switch (level) {
    case 'debug': return 'debug';
    case 'info': case 'notice': return 'info';
    case 'warning': return 'warning';
    default: return 'error';
  }
}

/**
 * JSON for the trace log: long strings cut (a 100 MB result is not copied again), and
 * what a user typed into an elicitation form kept out (it may be a password).
 */
function traceText(message: unknown, direction: 'send' | 'receive'): string {
  const m = message as { result?: { action?: unknown; content?: unknown } } | null;
  if (direction === 'send' && m?.result && typeof m.result.action === 'string' && m.result.content && typeof m.result.content === 'object') {
    message = { ...m, result: { ...m.result, content: `[${Object.keys(m.result.content).length} field(s) redacted]` } };
  }
  try {
    return JSON.stringify(message, (_k, v) => typeof v === 'string' && v.length > 500 ? `${v.slice(0, 500)}…(${v.length} chars)` : v);
  } catch (err) {
    // Nested deeper than the stack allows (JSON.parse has no such limit): say so, never throw.
    return `(a message that cannot be shown: ${errorMessage(err)})`;
  }
}

/** Validates a server's request params; a failure is the server's fault: -32602, not -32603. */
function validParams<T>(method: string, parser: (raw: Record<string, unknown>) => T, params: Record<string, unknown>): T {
  try {
    return parser(params);
  } catch (err) {
    throw new WireError(ErrorCode.InvalidParams, `invalid ${method} params: ${errorMessage(err)}`);
  }
}
