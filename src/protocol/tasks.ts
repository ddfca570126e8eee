// Tasks: a tool call the server runs in the background, which the client follows until
// it ends. Both revisions have them, differently:
//
// - 2025-11-25 (core, tasksStateful.ts): the client asks for a task (`params.task`) when
//   the tool's `execution.taskSupport` says so and the server declares
//   `tasks.requests.tools.call`; it polls `tasks/get`, takes the result from `tasks/result`
//   (which blocks until the task ends, and on which the server's elicitation and sampling
//   requests for the task arrive — answered by the input broker the stateful generation
//   already serves), cancels with `tasks/cancel`, lists with `tasks/list`.
// - 2026-07-28 (the `io.modelcontextprotocol/tasks` extension, tasksExtension.ts): the
//   server decides (`resultType: "task"`); `tasks/get` carries the input requests, the
//   result or the error; `tasks/update` carries the answers back; `tasks/cancel` is an ack.
//
// A `TaskRuntime` is one revision's way of doing each step; `TaskRun` follows one task
// with any runtime: it polls at the server's interval (status notifications only wake
// it early), keeps `tasks/result` open where there is one, hands input requests to the
// broker where they come with the status, and cancels.

import { Disposable, Emitter, type Event } from '../base/event.ts';
import type { NotificationHandler, RequestCallOptions } from './connection.ts';
import { LocalError, RequestError, WireError, errorMessage } from './errors.ts';
import type { InputBroker, InputRequest } from './inputBroker.ts';
import type { CallToolResult, RequestOptions, ServerCapabilities, Tool } from './types.ts';

export const TASKS_EXTENSION_ID = 'io.modelcontextprotocol/tasks';
/** `_meta` key of a message that belongs to a task (2025-11-25). */
export const RELATED_TASK_META = 'io.modelcontextprotocol/related-task';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
export const TASK_STATUSES: readonly TaskStatus[] = ['working', 'input_required', 'completed', 'failed', 'cancelled'];
export const isTerminal = (s: TaskStatus): boolean => s === 'completed' || s === 'failed' || s === 'cancelled';

/** A task as either revision describes it (2025-11-25 `ttl`/`pollInterval` read as `ttlMs`/`pollIntervalMs`). */
export interface Task {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  /** ISO 8601. */
  createdAt?: string;
  lastUpdatedAt?: string;
  /** How long the server keeps the task after its creation; null: as long as it likes. */
  ttlMs?: number | null;
  pollIntervalMs?: number;
}

/** What `tasks/get` (or a status notification) says: the task, and in 2026-07-28 what comes with its status. */
export interface TaskDetail extends Task {
  /** input_required (2026-07-28): every outstanding input request, by the server's key. */
  inputRequests?: Record<string, InputRequest>;
  /** completed (2026-07-28): exactly what tools/call would have returned (validated as a CallToolResult). */
  result?: CallToolResult;
  /** failed (2026-07-28): the JSON-RPC error the request ended with. */
  error?: { code: number; message: string; data?: unknown };
}

/** What a tools/call that may become a task came back with. */
export type CallOutcome = { task: TaskDetail } | { result: CallToolResult };

/** RequestCallOptions, plus the result types a caller reads itself. */
export interface TaskRequestOptions<R> extends RequestCallOptions<R> {
  /**
   * 2026-07-28: result types besides `complete` (and `input_required`, which the
   * generation resolves) that this request accepts: a result with one of them is handed
   * to `parse` as it came, not refused as unknown. tools/call sends `['task']`.
   */
  resultTypes?: readonly string[];
}

/** What a runtime needs of the client: its requests, its notifications, its broker. */
export interface TaskHost {
  /** The server's name, in every error. */
  readonly name: string;
  /** The server's capabilities now (a renewed session may change them). */
  capabilities(): ServerCapabilities;
  /** One request through the client's generation (its `_meta`, its headers, session renewal). */
  request<R>(method: string, params: Record<string, unknown> | undefined, options: TaskRequestOptions<R>): Promise<R>;
  onNotification(method: string, handler: NotificationHandler): Disposable;
  /** Answers the input requests of a 2026-07-28 task (the client's input broker). */
  readonly broker: InputBroker | undefined;
}

/** One revision's task operations. */
export interface TaskRuntime {
  readonly revision: '2025-11-25' | '2026-07-28';
  /** Whether the server may run tools/call as a task at all (what it declared). */
  offersToolTasks(): boolean;
  /**
   * Whether a call of `tool` goes the task way: 2025-11-25 when its `taskSupport` is
   * "required" (or "optional" and `preferTask`); 2026-07-28 always once the extension is
   * negotiated, since the server decides and either answer may come.
   */
  runsAsTask(tool: Tool | undefined, preferTask?: boolean): boolean;
  /** tools/call: the task the server created, or (it chose not to) the result. */
  callTool(name: string, args: Record<string, unknown>, options?: RequestOptions & { ttlMs?: number }): Promise<CallOutcome>;
  get(taskId: string, options?: RequestOptions): Promise<TaskDetail>;
  /**
   * 2025-11-25 `tasks/result`: blocks until the task ends; the tool's result, or the
   * request's JSON-RPC error thrown. Undefined where the result comes with `get` (2026).
   */
  readonly result: ((taskId: string, options?: RequestOptions) => Promise<CallToolResult>) | undefined;
  /**
   * 2026-07-28 `tasks/update`: the answers to input requests, by their keys. Undefined
   * where the server asks by request (2025: the generation's broker answers them).
   */
  readonly input: ((taskId: string, responses: Record<string, Record<string, unknown>>, options?: RequestOptions) => Promise<void>) | undefined;
  /** `tasks/cancel`; the task as it is after, when the server says. A task already ended is not an error. */
  cancel(taskId: string, options?: RequestOptions): Promise<Task | undefined>;
  canList(): boolean;
  /** `tasks/list` (2025-11-25, when the server declares `tasks.list`). */
  list(cursor?: string, options?: RequestOptions): Promise<{ tasks: Task[]; nextCursor?: string }>;
  /** Status pushes (2025 `notifications/tasks/status`, 2026 `notifications/tasks`): hints, never relied on. */
  onStatus(listener: (task: TaskDetail) => void): Disposable;
}

/** The status as a person reads it, for progress lines and the Tasks node. */
export function describeTaskStatus(task: Pick<Task, 'status' | 'statusMessage'>): string {
  const m = task.statusMessage?.trim();
  switch (task.status) {
    case 'working': return m || 'working';
    case 'input_required': return `the server is waiting for input${m ? `: ${m}` : ''}`;
    default: return `${task.status}${m ? `: ${m}` : ''}`;
  }
}

// ---- following one task ----

/** A poll interval a hostile or careless server cannot turn into a busy loop or a stall. */
const MIN_POLL_MS = 100;
const MAX_POLL_MS = 30_000;
const DEFAULT_POLL_MS = 1000;
/** Times `tasks/result` is opened again after it failed while the task still ran. */
const MAX_RESULT_OPENS = 5;
/** Input requests one task may make (2026-07-28); more is a server that does not stop. */
const DEFAULT_MAX_INPUTS = 100;

export interface TaskRunOptions {
  /** The tool the task runs, in messages and the broker's context. */
  tool: string;
  /** Checks the final result (the tool's output schema), as a plain call would. */
  check?: (result: CallToolResult) => CallToolResult;
  /** Each request's timeout (polls, cancel); `tasks/result` has none, it waits for the end. */
  timeoutMs?: number;
  maxInputs?: number;
  /** Whom the task runs for (RequestOptions.origin): its polls carry it, and its input requests say it. */
  origin?: unknown;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then(value => ({ ok: true as const, value }), error => ({ ok: false as const, error }));

/**
 * Follows one task to its end. `done` settles once: the tool's result (an `isError`
 * result included), or why there is none — the task's JSON-RPC error, a cancel, a lost
 * connection. `cancel()` asks the server to stop it; `dispose()` only stops following.
 */
export class TaskRun implements Disposable {
  private readonly runtime: TaskRuntime;
  private readonly host: Pick<TaskHost, 'name' | 'broker'>;
  private readonly options: TaskRunOptions;
  private _task: TaskDetail;
  private readonly _onDidChange = new Emitter<TaskDetail>();
  /** The task changed (created, polled, pushed, cancelled). */
  readonly onDidChange: Event<TaskDetail> = this._onDidChange.event;
  private readonly stopCtrl = new AbortController();
  private wake: (() => void) | undefined;
  /** The open `tasks/result` (2025-11-25), settled or not. */
  private pendingResult: Promise<Settled<CallToolResult>> | undefined;
  private resultOpens = 0;
  /** The open `tasks/result` has settled (read it before sleeping again). */
  private resultReady = false;
  /** Input request keys answered (2026-07-28): each is answered once in the task's life. */
  private readonly answered = new Set<string>();
  private statusSub: Disposable = Disposable.None;
  private cancelling: Promise<void> | undefined;
  private cancelReason: string | undefined;
  /** Why we gave up on the task ourselves (and cancelled it): reported as that, not as the cancel. */
  private failure: RequestError | undefined;
  private finished = false;
  private _done!: Promise<CallToolResult>;

  private constructor(runtime: TaskRuntime, host: Pick<TaskHost, 'name' | 'broker'>, task: TaskDetail, options: TaskRunOptions) {
    this.runtime = runtime;
    this.host = host;
    this._task = task;
    this.options = options;
  }

  /** Starts following `task` (as tools/call created it). */
  static follow(runtime: TaskRuntime, host: Pick<TaskHost, 'name' | 'broker'>, task: TaskDetail, options: TaskRunOptions): TaskRun {
    const run = new TaskRun(runtime, host, task, options);
    run.statusSub = runtime.onStatus(t => { if (t.taskId === run.taskId) run.update(t); });
    run._done = run.loop().finally(() => {
      run.finished = true;
      run.wake = undefined;
      run.statusSub.dispose();
      // Ends a tasks/result still open (it only waits; the task is not cancelled by this).
      run.stopCtrl.abort(new LocalError('closed', 'the task ended'));
      run._onDidChange.dispose();
    });
    // Nobody may be waiting (the caller went away; a registry keeps the run): never unhandled.
    run._done.catch(() => {});
    return run;
  }

  get taskId(): string { return this._task.taskId; }
  get task(): TaskDetail { return this._task; }
  get tool(): string { return this.options.tool; }
  get isFinished(): boolean { return this.finished; }
  get done(): Promise<CallToolResult> { return this._done; }

  /**
   * Asks the server to cancel the task (`tasks/cancel`), then stops following it: `done`
   * rejects as cancelled with `reason`. Resolves once the server answered, so a command
   * that exits next has told it.
   */
  cancel(reason = 'cancelled'): Promise<void> {
    if (this.finished) return Promise.resolve();
    this.cancelReason ??= reason;
    this.cancelling ??= (async () => {
      let why = this.cancelReason!;
      try {
        const after = await this.runtime.cancel(this.taskId, { timeoutMs: this.options.timeoutMs });
        // 2026-07-28 acknowledges without a status: ask once what became of it.
        const now = after ?? await this.runtime.get(this.taskId, { timeoutMs: this.options.timeoutMs }).catch(() => undefined);
        if (now) this.update(now);
      } catch (err) {
        why = `${why}; tasks/cancel failed: ${errorMessage(err)}`;
      }
      this.stopCtrl.abort(new LocalError('cancelled', why));
    })();
    return this.cancelling;
  }

  /** Stops following without cancelling (the client is going away). */
  dispose(): void {
    if (!this.finished) this.stopCtrl.abort(new LocalError('closed', 'the task is no longer followed'));
  }

  private update(t: TaskDetail): void {
    if (this.finished) return;
    const prev = this._task;
    // What is older than what we know (notifications race with answers) changes nothing;
    // nor does anything after the end.
    if (isTerminal(prev.status) && !isTerminal(t.status)) return;
    if (olderThan(t.lastUpdatedAt, prev.lastUpdatedAt)) return;
    const next: TaskDetail = { ...prev, ...t };
    if (!('inputRequests' in t)) delete next.inputRequests;
    const changed = next.status !== prev.status || next.statusMessage !== prev.statusMessage || next.lastUpdatedAt !== prev.lastUpdatedAt
      || next.ttlMs !== prev.ttlMs || keysOf(next.inputRequests) !== keysOf(prev.inputRequests);
    this._task = next;
    if (changed) this._onDidChange.fire(next);
    // A pushed end (or input request) is worth acting on now rather than at the interval.
    if (isTerminal(next.status) || next.status === 'input_required') this.wake?.();
  }

  private fail(cause: LocalError | WireError, method = 'tools/call'): RequestError {
    return new RequestError(this.host.name, method, cause);
  }

  private async loop(): Promise<CallToolResult> {
    try {
      return await this.follow();
    } catch (err) {
      if (this.failure) throw this.failure;
      // Whatever a request failed with once we stopped (a poll aborted by the cancel) was the stop.
      const stop = this.stopCtrl.signal.reason as LocalError | undefined;
      if (this.stopCtrl.signal.aborted && stop) throw this.fail(stop);
      throw err;
    }
  }

  private async follow(): Promise<CallToolResult> {
    const rt = this.runtime;
    const signal = this.stopCtrl.signal;
    // Opened at once and kept open: it returns the result when the task ends, and the
    // server's requests for the task (elicitation, sampling) are delivered while it waits.
    if (rt.result && !isTerminal(this._task.status)) this.openResult();
    for (;;) {
      signal.throwIfAborted();
      const t = this._task;
      if (isTerminal(t.status)) return await this.finish();
      if (t.status === 'input_required' && rt.input && t.inputRequests && Object.keys(t.inputRequests).some(k => !this.answered.has(k))) {
        await this.answerInputs(t.inputRequests);
        continue;
      }
      const woke = await this.sleep(pollInterval(t));
      signal.throwIfAborted();
      if (woke === 'result') {
        const settled = await this.pendingResult!;
        if (settled.ok) return this.succeed(settled.value);
        this.pendingResult = undefined;
        this.resultReady = false;
        // The request's own error (the task ended with it), or tasks/result failing while
        // the task runs (a server that cannot wait that long): tasks/get tells which.
        const now = await this.poll();
        if (!isTerminal(now.status)) { this.openResult(); continue; }
        if (settled.error instanceof RequestError && settled.error.cause instanceof WireError) throw this.callError(settled.error);
        continue; // ended: finish() asks for the result again
      }
      await this.poll();
    }
  }

  private openResult(): void {
    if (this.resultOpens >= MAX_RESULT_OPENS) return;
    this.resultOpens++;
    const p = settle(this.runtime.result!(this.taskId, { signal: this.stopCtrl.signal, timeoutMs: Infinity, origin: this.options.origin }));
    this.pendingResult = p;
    this.resultReady = false;
    void p.then(() => { if (this.pendingResult === p) { this.resultReady = true; this.wake?.(); } });
  }

  private async poll(): Promise<TaskDetail> {
    this.update(await this.runtime.get(this.taskId, { timeoutMs: this.options.timeoutMs, signal: this.stopCtrl.signal, origin: this.options.origin }));
    return this._task;
  }

  /** The task ended: its result or error from `get` (2026), or from `tasks/result` (2025). */
  private async finish(): Promise<CallToolResult> {
    const t = this._task;
    if (t.status === 'cancelled') {
      // Our own cancel, confirmed: said in our words, once the cancel is done.
      if (this.cancelling) { await this.cancelling; this.stopCtrl.signal.throwIfAborted(); }
      const m = t.statusMessage;
      throw this.fail(new LocalError('cancelled', `cancelled by the server${m ? `: ${m}` : ''}`));
    }
    if (t.status === 'completed' && t.result) return this.succeed(t.result);
    if (t.status === 'failed' && t.error) throw this.fail(new WireError(t.error.code, t.error.message, t.error.data));
    if (!this.runtime.result) {
      throw this.fail(new LocalError('invalid-message', `task ${this.taskId} ended "${t.status}" but the server sent no ${t.status === 'failed' ? 'error' : 'result'} with it`), 'tasks/get');
    }
    if (!this.pendingResult) this.openResult();
    if (!this.pendingResult) throw this.fail(new LocalError('invalid-message', `task ${this.taskId} ended "${t.status}" but tasks/result failed ${MAX_RESULT_OPENS} times`), 'tasks/result');
    const settled = await this.pendingResult;
    if (settled.ok) return this.succeed(settled.value);
    throw this.callError(settled.error);
  }

  /** tasks/result answers the JSON-RPC error the call itself ended with: it is the call's error. */
  private callError(err: unknown): unknown {
    return err instanceof RequestError && err.method === 'tasks/result' && err.cause instanceof WireError ? this.fail(err.cause) : err;
  }

  private succeed(result: CallToolResult): CallToolResult {
    this.stopCtrl.signal.throwIfAborted();
    return this.options.check ? this.options.check(result) : result;
  }

  /** 2026-07-28: answers the input requests not answered yet, each once, and sends the answers with tasks/update. */
  private async answerInputs(requests: Record<string, InputRequest>): Promise<void> {
    const fresh = Object.entries(requests).filter(([key]) => !this.answered.has(key));
    const max = this.options.maxInputs ?? DEFAULT_MAX_INPUTS;
    if (this.answered.size + fresh.length > max) {
      this.failure = this.fail(new LocalError('invalid-message', `task ${this.taskId} asked for more than ${max} inputs, so it was cancelled`), 'tasks/get');
      await this.cancel(`the server asked for more than ${max} inputs`);
      throw this.failure;
    }
    for (const [key] of fresh) this.answered.add(key);
    const broker = this.host.broker;
    const signal = this.stopCtrl.signal;
    let responses: Array<[string, Record<string, unknown>]>;
    try {
      if (!broker) throw new LocalError('unsupported', 'this client answers no input requests');
      responses = await Promise.all(fresh.map(async ([key, request]): Promise<[string, Record<string, unknown>]> =>
        [key, await broker.answer(request, { signal, key, relatedTo: { method: 'tools/call', name: this.options.tool }, origins: [this.options.origin] })]));
    } catch (err) {
      signal.throwIfAborted();
      // No refusal can be sent back in tasks/update: without the input the task cannot go on.
      this.failure = this.fail(brokerError(err));
      await this.cancel(`an input request could not be answered: ${errorMessage(err)}`);
      throw this.failure;
    }
    signal.throwIfAborted();
    await this.runtime.input!(this.taskId, Object.fromEntries(responses), { timeoutMs: this.options.timeoutMs, signal });
    // The ack is eventually consistent: the next poll, at the interval, says what came of it.
  }

  /** Waits for the poll interval, an early wake (a push, the result, a stop). */
  private sleep(ms: number): Promise<'timer' | 'wake' | 'result'> {
    return new Promise(resolve => {
      const signal = this.stopCtrl.signal;
      const end = (v: 'timer' | 'wake' | 'result') => {
        clearTimeout(timer);
        this.wake = undefined;
        signal.removeEventListener('abort', onStop);
        resolve(v);
      };
      const timer = setTimeout(() => end('timer'), ms);
      const onStop = () => end('wake');
      this.wake = () => end(this.resultReady ? 'result' : 'wake');
      signal.addEventListener('abort', onStop);
      if (signal.aborted) onStop();
      else if (this.resultReady) end('result');
    });
  }
}

/** A broker's refusal as the call's error: a JSON-RPC code it carries is kept (-1: the user declined). */
function brokerError(err: unknown): WireError | LocalError {
  if (err instanceof WireError || err instanceof LocalError) return err;
  const e = err as { code?: unknown; message?: unknown; data?: unknown } | null;
  if (e && typeof e === 'object' && typeof e.code === 'number') return new WireError(e.code, typeof e.message === 'string' ? e.message : 'refused', e.data);
  return new LocalError('unsupported', `answering the server's input request failed: ${errorMessage(err)}`, err);
}

function olderThan(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const ta = Date.parse(a), tb = Date.parse(b);
  return Number.isFinite(ta) && Number.isFinite(tb) && ta < tb;
}

function keysOf(o: Record<string, unknown> | undefined): string {
  return o ? Object.keys(o).join('\0') : '';
}

function pollInterval(t: Task): number {
  const ms = t.pollIntervalMs;
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, ms)) : DEFAULT_POLL_MS;
}

// ---- calling a tool as a task ----

/** What `callToolAsTask` needs of the client (McpClient has it). */
export interface TaskClient {
  readonly name: string;
  readonly tasks: TaskRuntime;
  readonly broker: InputBroker | undefined;
  /** Checks a final result against the tool's output schema, as callTool does. */
  checkToolResult(name: string, result: CallToolResult): CallToolResult;
}

export interface TaskCallOptions extends RequestOptions {
  /** The retention to ask for (2025-11-25 `task.ttl`); the server may choose another. */
  ttlMs?: number;
  /** The run, as soon as the server created the task (to list it, to cancel it later). */
  onTask?: (run: TaskRun) => void;
  /** Every change of the task (its status message for a progress line). */
  onStatus?: (task: TaskDetail) => void;
}

/**
 * tools/call the task way: sends the call, and when the server made a task of it,
 * follows the task to its result. An abort of `signal` cancels the task (tasks/cancel).
 * A server that answered with a plain result gets that result.
 */
export async function callToolAsTask(client: TaskClient, name: string, args: Record<string, unknown>, options: TaskCallOptions = {}): Promise<CallToolResult> {
  const { signal, onTask, onStatus, ttlMs, timeoutMs, onProgress, origin } = options;
  const outcome = await client.tasks.callTool(name, args, { signal, timeoutMs, onProgress, ttlMs, origin });
  if ('result' in outcome) return client.checkToolResult(name, outcome.result);
  const run = TaskRun.follow(client.tasks, client, outcome.task, { tool: name, timeoutMs, check: r => client.checkToolResult(name, r), origin });
  onTask?.(run);
  onStatus?.(run.task);
  const sub = onStatus ? run.onDidChange(onStatus) : Disposable.None;
  const onAbort = () => {
    const reason = signal!.reason;
    void run.cancel(reason instanceof LocalError ? reason.message : reason instanceof Error ? reason.message : 'cancelled');
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run.done;
  } finally {
    sub.dispose();
    signal?.removeEventListener('abort', onAbort);
  }
}
