// One managed server: its lifecycle (stopped → starting → running, error with backoff
// restarts), its lists, and what a new session is told again. Each launch owns a
// disposable store; a launch that finishes after it was stopped is closed at once. What
// the connection answers and listens to is in serverHandlers.ts.

import { DisposableStore, Emitter, type Event } from '../base/event.ts';
import { McpClient } from '../protocol/client.ts';
import { LocalError, RequestError, errorMessage } from '../protocol/errors.ts';
import type {
  CallToolResult, CompleteResult, CompletionReference, GetPromptResult, Implementation, LoggingLevel,
  Prompt, ReadResourceResult, Resource, ResourceTemplate, ServerCapabilities, Tool,
} from '../protocol/types.ts';
import type { Transport } from '../transports/transport.ts';
import { HostInputBroker } from './inputBroker.ts';
import { registerServerHandlers, traceText, urlElicitationsOf } from './serverHandlers.ts';
import { TaskRegistry } from './tasks.ts';
import { ProtocolTrace } from './trace.ts';
import { createTransport } from './transportFactory.ts';
import {
  sameLaunch, type CallOptions, type LogEntry, type LogLevel, type ManagedServer, type ServerAuth, type ServerDefinition, type ServerManagerOptions, type ServerRef, type ServerState,
} from './types.ts';

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
  /** The launch the pending start belongs to. */
  private startingLaunch: DisposableStore | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private restartAttempts = 0;
  private runningSince = 0;
  private stopping: Promise<void> | undefined;
  /** The launch whose start is waiting on the gate (the user's consent). */
  private gating: DisposableStore | undefined;
  private stoppingClient: McpClient | undefined;
  /** The transport of a start still in its handshake: a second Stop kills it. */
  private startingTransport: Transport | undefined;
  /** What a new session (after the server forgot ours) must be told again. */
  private readonly subscribed = new Set<string>();
  private logLevel: LoggingLevel | undefined;
  /** The transport's word while running: the server→client stream is down. */
  private notice: string | undefined;
  private disposed = false;
  /** A remote server's sign-in, made once per URL: its tokens outlive launches. */
  private auth: { url: string; session: ServerAuth; needsSignIn: boolean } | undefined;
  /** Log JSON-RPC traffic at trace level (costs a stringify per message, so off by default); the trace records meanwhile. */
  get traceTraffic(): boolean { return this._traceTraffic; }
  set traceTraffic(on: boolean) { this._traceTraffic = on; this.trace.alwaysOn = on; }
  private _traceTraffic = false;
  /** Every message of every launch while a view holds it or traffic is logged; outlives restarts. */
  readonly trace: ProtocolTrace;

  tools: Tool[] = [];
  resources: Resource[] = [];
  resourceTemplates: ResourceTemplate[] = [];
  prompts: Prompt[] = [];
  /** Tasks our calls started (and the server lists); they outlive the calls and the launch. */
  readonly tasks: TaskRegistry;

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
    this.tasks = new TaskRegistry({ log: message => this.log('info', 'host', message) });
    this.trace = new ProtocolTrace({ ...opts.trace, redact: opts.redactor?.redact });
  }

  get definition(): ServerDefinition { return this.def; }
  get state(): ServerState { return this._state; }
  get serverInfo(): Implementation | undefined { return this.client?.serverInfo; }
  get capabilities(): ServerCapabilities | undefined { return this.client?.capabilities; }
  get instructions(): string | undefined { return this.client?.instructions; }
  get protocolVersion(): string | undefined { return this.client?.protocolVersion; }
  get protocolGeneration(): 'stateful' | 'stateless' | undefined { return this.client?.generation.id; }
  listAge(method: 'tools/list' | 'resources/list' | 'resources/templates/list' | 'prompts/list'): number | undefined { return this.client?.listAge(method); }
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
    // A start still waiting on the user for a launch that was stopped (or whose definition
    // was replaced) is not this start: it will return without effect, and this one asks
    // about the current definition.
    if (this.starting && this.startingLaunch && !this.startingLaunch.isDisposed) return this.starting;
    if (this._state.kind === 'running') return Promise.resolve();
    this.clearRestartTimer();
    const p: Promise<void> = this.doStart().finally(() => {
      if (this.starting === p) { this.starting = undefined; this.startingLaunch = undefined; }
    });
    this.starting = p;
    return p;
  }

  /** Graceful stop; a second stop while the first still waits kills the process tree. */
  stop(reason?: string): Promise<void> {
    if (this.stopping) {
      void (this.stoppingClient?.transport ?? this.startingTransport)?.kill?.();
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

  get signedIn(): boolean { return this.auth?.session.signedIn ?? false; }

  async signIn(signal?: AbortSignal): Promise<void> {
    const auth = this.authFor(this.def);
    if (!auth) throw new LocalError('config', `${this.def.name} is not a remote server with sign-in: there is nothing to sign in to`);
    await auth.signInNow(signal);
    await this.restart();
  }

  async signOut(): Promise<void> {
    const auth = this.authFor(this.def);
    await this.stop('signed out');
    await auth?.signOut();
  }

  private authFor(def: ServerDefinition): ServerAuth | undefined {
    const launch = def.launch;
    if (launch.type === 'stdio' || !this.opts.auth) return undefined;
    if (this.auth?.url !== launch.url) {
      const session = this.opts.auth(def, launch);
      if (!session) return undefined;
      const record = { url: launch.url, session, needsSignIn: false };
      session.onDidChange(e => {
        record.needsSignIn = e === 'needs-sign-in';
        if (e === 'signed-in') this.log('info', 'host', 'signed in');
        else if (e === 'needs-sign-in' && this._state.kind === 'running') {
          // The sign-in ran out (no refresh token, or it was refused): calls would only fail,
          // so the server waits for a new sign-in, as at a start, instead of failing them.
          this.log('warning', 'host', 'the sign-in expired: MCP Host: Sign In to Server signs in again');
          // After the refused request has failed with its own reason (its rejection runs in
          // microtasks; this waits for the next macrotask), not with "closed".
          setTimeout(() => {
            if (this._state.kind !== 'running') return;
            void this.stop().then(() => { if (this._state.kind === 'stopped') this.setState({ kind: 'needs-sign-in', message: `${this.def.name}: the sign-in expired` }); });
          }, 0);
        }
      });
      this.auth = record;
    }
    return this.auth.session;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
    this._onDidChangeState.dispose();
    this._onDidChangeLists.dispose();
    this._onDidLog.dispose();
    this._onDidUpdateResource.dispose();
    this.tasks.dispose();
    this.trace.dispose();
  }

  // ---- features ----

  async callTool(name: string, args: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult> {
    // Arguments the tool's schema calls secret (`format: password`, `writeOnly`) are masked
    // in the trace and every log from now on, whoever passed them.
    const tool = this.tools.find(t => t.name === name);
    this.opts.redactor?.addArguments(tool?.inputSchema, args);
    const client = this.running('tools/call');
    // A tool that runs as a task (2025-11-25: its taskSupport; 2026-07-28: the server's
    // choice) is followed by the registry, which keeps it when the caller goes away.
    if (client.tasks.runsAsTask(tool, options?.asTask)) return this.tasks.call(client, name, args, options);
    if (tool?.execution?.taskSupport === 'required') {
      throw new RequestError(this.def.name, 'tools/call', new LocalError('unsupported', `tool "${name}" runs only as a task, but the server does not offer tasks for tools/call (capabilities.tasks.requests.tools.call)`));
    }
    try {
      return await client.callTool(name, args, options);
    } catch (err) {
      // 2025-11-25: a server may answer -32042 with URL elicitations that must be
      // completed first; we ask the user through the same broker, then retry once.
      const pending = urlElicitationsOf(err);
      if (!pending || !this.opts.elicitation) throw err;
      for (const e of pending) {
        const r = await this.opts.elicitation.elicit(this.ref, e, options?.signal ?? new AbortController().signal, [options?.origin]);
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
  async subscribe(uri: string): Promise<void> {
    await this.running('resources/subscribe').subscribe(uri);
    this.subscribed.add(uri);
  }
  async unsubscribe(uri: string): Promise<void> {
    this.subscribed.delete(uri);
    return this.running('resources/unsubscribe').unsubscribe(uri);
  }
  async setLogLevel(level: LoggingLevel): Promise<void> {
    const c = this.currentClient;
    if (!c?.has('logging')) return;
    this.logLevel = level;
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
    this.startingLaunch = store;
    this.setState({ kind: 'starting' });
    this.gating = store;
    const gate = this.opts.gate ? await this.opts.gate(def, abort.signal).catch(err => `could not check consent: ${errorMessage(err)}`) : true;
    if (this.gating === store) this.gating = undefined;
    // A reload while the user decided (saving mcp.json, or Add Server writing it) hands us
    // an equal definition: that is not a change; only a different launch would be.
    if (store.isDisposed || this.disposed || !sameLaunch(this.def, def)) return;
    if (gate !== true) {
      this.launch = undefined;
      this.launchAbort = undefined;
      store.dispose();
      this.setState({ kind: 'stopped', reason: gate });
      return;
    }
    let client: McpClient;
    let transport: Transport | undefined;
    try {
      transport = await createTransport(def.launch, {
        resolvePath: this.opts.resolvePath, maxMessageBytes: this.opts.maxMessageBytes, httpReconnect: this.opts.httpReconnect,
        auth: () => this.authFor(def),
      });
      if (store.isDisposed) { await transport.close(); return; }
      this.startingTransport = transport;
      this.notice = undefined;
      this.subscribed.clear(); // a new process or session: the view subscribes again once running
      store.add(transport.onDidChangeState(s => { if (s.kind === 'running') this.setNotice(s.notice, store); }));
      store.add(transport.onDidLog(l => {
        if (l.source === 'stderr') this.log('info', 'stderr', l.message);
        else this.log(l.level, 'host', l.message);
      }));
      client = await McpClient.create(transport, {
        name: this.def.name,
        clientInfo: this.opts.clientInfo ?? { name: 'mcp-host', version: '0.1.0', title: 'MCP Host' },
        capabilities: this.opts.capabilities,
        broker: new HostInputBroker({
          server: this.ref, roots: this.opts.roots, sampling: this.opts.sampling, elicitation: this.opts.elicitation,
          log: (level, source, message) => this.log(level, source, message),
        }),
        requestTimeoutMs: this.opts.requestTimeoutMs,
        maxRequestTimeoutMs: this.opts.maxRequestTimeoutMs,
        signal: abort.signal,
        // Which revision: the definition's pin, else what worked last time, else a probe.
        protocol: {
          pin: def.protocolVersion,
          remembered: this.opts.versionMemory?.get(def),
          stateless: {
            http: def.launch.type === 'http',
            listen: true,
            onWarn: w => this.log('warning', 'host', w),
            onNotice: n => this.setNotice(n, store),
          },
        },
        onConnection: conn => {
          store.add(conn.onDidWarn(w => this.log('warning', 'host', w)));
          this.trace.newSession();
          store.add(conn.onDidTrace(t => {
            this.trace.record(t.direction, t.message); // returns at once when nothing records
            if (this.traceTraffic) this.log('trace', 'traffic', `${t.direction === 'send' ? '→' : '←'} ${traceText(t.message, t.direction)}`);
          }));
          registerServerHandlers(conn, store, {
            ref: this.ref,
            log: (level, source, message, mcpLevel) => this.log(level, source, message, mcpLevel),
            relist: async what => { const c = this.client; if (c && !store.isDisposed) await this.refreshLists(c, what); },
            updated: uri => this._onDidUpdateResource.fire(uri),
          });
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
      // Refused authorization (401/403) is not retried: only new credentials change it.
      const refused = (cause as LocalError | undefined)?.code === 'auth';
      if (refused && this.auth?.needsSignIn) this.setState({ kind: 'needs-sign-in', message });
      else if (this.restartAttempts > 0 && !refused) this.scheduleRestart(message, te);
      else this.setState({ kind: 'error', message, exitCode: te?.exitCode, stderrTail: te?.stderrTail });
      return;
    } finally {
      if (transport && this.startingTransport === transport) this.startingTransport = undefined;
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
    store.add(client.onDidReconnect(() => { if (this.client === client) void this.restoreSession(client, store); }));
    this.log('info', 'host', `connected to ${client.serverInfo.name} ${client.serverInfo.version} (protocol ${client.protocolVersion}, ${client.generation.id})`);
    if (!def.protocolVersion) void this.opts.versionMemory?.set(def, client.generation.id);
    await this.refreshLists(client);
    if (store.isDisposed || this.client !== client) return;
    this.runningSince = Date.now();
    this.setState(this.runningState());
  }

  /** Running, with the transport's notice if it has one. */
  private runningState(): ServerState {
    return this.notice ? { kind: 'running', notice: this.notice } : { kind: 'running' };
  }

  private setNotice(notice: string | undefined, store: DisposableStore): void {
    // The server's words (a body excerpt) reach tooltips and the API.
    const redact = this.opts.redactor?.redact;
    if (notice !== undefined && redact) notice = redact(notice);
    if (this.launch !== store || this.notice === notice) return;
    this.notice = notice;
    if (this._state.kind === 'running') this.setState(this.runningState());
  }

  /**
   * The server forgot our session and the client established a new one: tell the new
   * session what the old one held (resource subscriptions, the log level), and list
   * again, since anything may have changed.
   */
  private async restoreSession(client: McpClient, store: DisposableStore): Promise<void> {
    this.log('info', 'host', `the server ended the session; a new one is established (protocol ${client.protocolVersion})`);
    const jobs: Promise<void>[] = [];
    const attempt = (what: string, job: Promise<void>) => {
      jobs.push(job.catch(err => this.log('warning', 'host', `could not restore ${what} in the new session: ${errorMessage(err)}`)));
    };
    if (client.capabilities.resources?.subscribe) for (const uri of this.subscribed) attempt(`the subscription to ${uri}`, client.subscribe(uri));
    if (this.logLevel && client.has('logging')) attempt(`log level ${this.logLevel}`, client.setLoggingLevel(this.logLevel));
    await Promise.all(jobs);
    if (store.isDisposed || this.client !== client) return;
    await this.refreshLists(client);
  }

  private async refreshLists(client: McpClient, only?: 'tools' | 'resources' | 'prompts'): Promise<void> {
    const jobs: Promise<void>[] = [];
    const attempt = async <T>(what: string, fn: () => Promise<T>, set: (v: T) => void) => {
      try { set(await fn()); } catch (err) { this.log('warning', 'host', `could not list ${what}: ${errorMessage(err)}`); }
    };
    // Names and URIs identify items everywhere (the tree, calls, completion): a server that
    // lists one twice gets the first kept and a warning, not a broken view.
    const unique = <T>(what: string, key: (item: T) => string) => (list: T[]): T[] => {
      const seen = new Set<string>();
      const dupes = new Set<string>();
      const out = list.filter(item => { const k = key(item); if (seen.has(k)) { dupes.add(k); return false; } seen.add(k); return true; });
      if (dupes.size) this.log('warning', 'host', `the server lists ${what} more than once: ${[...dupes].slice(0, 5).map(d => JSON.stringify(d)).join(', ')}${dupes.size > 5 ? ` and ${dupes.size - 5} more` : ''}; only the first of each is shown`);
      return out;
    };
    if ((!only || only === 'tools') && client.has('tools')) jobs.push(attempt('tools', () => client.listTools().then(unique('tools', t => t.name)), v => { this.tools = v; }));
    if ((!only || only === 'resources') && client.has('resources')) {
      jobs.push(attempt('resources', () => client.listResources().then(unique('resources', r => r.uri)), v => { this.resources = v; }));
      jobs.push(attempt('resource templates', () => client.listResourceTemplates().then(unique('resource templates', t => t.uriTemplate)), v => { this.resourceTemplates = v; }));
    }
    // The tasks the server lists (tasks/list) join those our calls started.
    if (!only && client.tasks.canList()) jobs.push(attempt('tasks', () => this.tasks.refresh(client), () => {}));
    if ((!only || only === 'prompts') && client.has('prompts')) jobs.push(attempt('prompts', () => client.listPrompts().then(unique('prompts', p => p.name)), v => { this.prompts = v; }));
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
    const starting = store && this.gating === store ? undefined : this.starting;
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
    const redact = this.opts.redactor?.redact;
    // An error's text and the server's stderr reach tooltips, notifications and the API.
    if (redact && s.kind === 'error') s = { ...s, message: redact(s.message), ...(s.stderrTail ? { stderrTail: redact(s.stderrTail) } : {}) };
    this._state = s;
    this._onDidChangeState.fire(s);
  }

  private log(level: LogLevel, source: LogEntry['source'], message: string, mcpLevel?: LoggingLevel): void {
    // Every line of the server's log passes the one redaction function before anyone sees it.
    const redact = this.opts.redactor?.redact;
    this._onDidLog.fire({ level, source, message: redact ? redact(message) : message, ...(mcpLevel ? { mcpLevel } : {}) });
  }
}
