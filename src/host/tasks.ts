// The tasks of one managed server: those our calls started (followed to their end) and
// those the server lists (tasks/list). A record outlives the call that made it — the
// progress notification may be dismissed, the caller may go away — so the Tasks node
// can show it, cancel it while it runs and open its result once it has one. Bounded:
// finished records beyond `maxFinished` are dropped, oldest first; running ones never.

import { Disposable, Emitter, type Event } from '../base/event.ts';
import type { McpClient } from '../protocol/client.ts';
import { LocalError, RequestError, errorMessage } from '../protocol/errors.ts';
import { callToolAsTask, describeTaskStatus, isTerminal, type Task, type TaskRun, type TaskStatus } from '../protocol/tasks.ts';
import type { CallToolResult, RequestOptions } from '../protocol/types.ts';

/** One task as the host keeps it. Plain data: a snapshot, replaced on every change. */
export interface TaskRecord {
  readonly taskId: string;
  /** The tool it runs; undefined for a task the server listed that none of our calls started. */
  readonly tool: string | undefined;
  readonly status: TaskStatus;
  readonly statusMessage: string | undefined;
  /** The server's timestamps (ISO 8601), when it sends them. */
  readonly createdAt: string | undefined;
  readonly lastUpdatedAt: string | undefined;
  /** How long the server keeps it after creation; null: as long as it likes. */
  readonly ttlMs: number | null | undefined;
  /** When this host started following it, and when it stopped (ms since epoch). */
  readonly startedAt: number;
  readonly finishedAt: number | undefined;
  /** Still followed: not ended, and the connection that follows it is alive. */
  readonly running: boolean;
  /** What the tool returned (an `isError` result included). */
  readonly result: CallToolResult | undefined;
  /** Why there is no result: the task's error, a cancel, a lost connection. A sentence. */
  readonly error: string | undefined;
}

/** What the UI sees of a server's tasks. */
export interface TaskList {
  readonly onDidChange: Event<void>;
  /** Running first, then the most recently finished. */
  list(): readonly TaskRecord[];
  get(taskId: string): TaskRecord | undefined;
  /** Asks the server to cancel a running task (tasks/cancel); resolves once it answered. */
  cancel(taskId: string, reason?: string): Promise<void>;
}

export interface TaskRegistryOptions {
  /** Finished (and listed) records kept; the oldest beyond it are dropped (default 50). */
  maxFinished?: number;
  /** Pages of tasks/list read at most (default 10). */
  maxListPages?: number;
  log?: (message: string) => void;
}

export interface TaskCallOptions extends RequestOptions {
  /** The retention to ask for (2025-11-25 `task.ttl`). */
  ttlMs?: number;
}

const DEFAULT_MAX_FINISHED = 50;

export class TaskRegistry implements TaskList, Disposable {
  private readonly records = new Map<string, TaskRecord>();
  private readonly runs = new Map<string, TaskRun>();
  /**
   * The order of records: when we started following one (running) or it ended (finished).
   * A counter, not a clock: two tasks can end in the same millisecond. Tasks only listed
   * by the server count as older than any of ours, so they are dropped first.
   */
  private readonly order = new Map<string, number>();
  private seq = 0;
  private listedSeq = 0;
  private readonly maxFinished: number;
  private readonly maxListPages: number;
  private readonly log: ((message: string) => void) | undefined;
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange: Event<void> = this._onDidChange.event;
  private disposed = false;

  constructor(options: TaskRegistryOptions = {}) {
    this.maxFinished = Math.max(0, options.maxFinished ?? DEFAULT_MAX_FINISHED);
    this.maxListPages = options.maxListPages ?? 10;
    this.log = options.log;
  }

  list(): readonly TaskRecord[] {
    const all = [...this.records.values()];
    const rank = (r: TaskRecord) => this.order.get(r.taskId) ?? 0;
    const running = all.filter(r => r.running).sort((a, b) => rank(b) - rank(a));
    const finished = all.filter(r => !r.running).sort((a, b) => rank(b) - rank(a));
    return [...running, ...finished];
  }

  get(taskId: string): TaskRecord | undefined { return this.records.get(taskId); }

  get runningCount(): number { return this.runs.size; }

  /**
   * Calls `name` the task way on `client` (callToolAsTask) and records the task the
   * server creates. Progress reports carry the task's status message; an abort of
   * `options.signal` cancels the task. The record stays when the caller goes away.
   */
  async call(client: McpClient, name: string, args: Record<string, unknown>, options: TaskCallOptions = {}): Promise<CallToolResult> {
    if (this.disposed) throw new RequestError(client.name, 'tools/call', new LocalError('closed', 'the server is gone'));
    const onProgress = options.onProgress;
    let step = 0;
    return callToolAsTask(client, name, args, {
      ...options,
      onTask: run => this.follow(run),
      onStatus: t => onProgress?.({ progressToken: t.taskId, progress: ++step, message: describeTaskStatus(t) }),
    });
  }

  async cancel(taskId: string, reason = 'cancelled by the user'): Promise<void> {
    const run = this.runs.get(taskId);
    if (!run) return;
    await run.cancel(reason);
  }

  /**
   * Adds what the server lists that this host does not follow (tasks/list, when the
   * server offers it). Records we follow keep what our polls say.
   */
  async refresh(client: McpClient, options?: RequestOptions): Promise<void> {
    const rt = client.tasks;
    if (!rt.canList()) return;
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < this.maxListPages; page++) {
      const r = await rt.list(cursor, options);
      for (const t of r.tasks) this.noteListed(t);
      cursor = r.nextCursor;
      if (cursor === undefined || seen.has(cursor)) break;
      seen.add(cursor);
    }
    this.trim();
    this.fire();
  }

  /** Ends the following of every running task (the connection is gone): they are no longer running. */
  detach(reason: string): void {
    for (const run of [...this.runs.values()]) run.dispose();
    if (this.runs.size) this.log?.(`stopped following ${this.runs.size} task(s): ${reason}`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.detach('the server is gone');
    this._onDidChange.dispose();
  }

  // ---- internals ----

  private follow(run: TaskRun): void {
    const taskId = run.taskId;
    const now = Date.now();
    this.runs.set(taskId, run);
    this.order.set(taskId, ++this.seq);
    this.put({
      ...fromTask(run.task), tool: run.tool, startedAt: now, finishedAt: undefined, running: true, result: undefined, error: undefined,
    });
    this.log?.(`task ${taskId} (${run.tool}) created: ${describeTaskStatus(run.task)}`);
    const sub = run.onDidChange(t => {
      const prev = this.records.get(taskId);
      if (prev) this.put({ ...prev, ...fromTask(t) });
    });
    run.done.then(
      result => this.end(taskId, run, { result }),
      err => this.end(taskId, run, { error: errorCause(err) }),
    ).finally(() => sub.dispose());
    this.trim();
  }

  private end(taskId: string, run: TaskRun, outcome: { result?: CallToolResult; error?: string }): void {
    if (this.runs.get(taskId) === run) this.runs.delete(taskId);
    const prev = this.records.get(taskId);
    if (!prev) return;
    const task = fromTask(run.task);
    this.order.set(taskId, ++this.seq);
    // A result means it completed, whatever the last poll caught (the result can come first).
    const status: TaskStatus = outcome.result ? (isTerminal(task.status) ? task.status : outcome.result.isError ? 'failed' : 'completed') : task.status;
    this.put({ ...prev, ...task, status, running: false, finishedAt: Date.now(), result: outcome.result, error: outcome.error });
    this.log?.(`task ${taskId} (${prev.tool}) ended: ${outcome.error ?? describeTaskStatus({ status, statusMessage: task.statusMessage })}`);
    this.trim();
  }

  private noteListed(t: Task): void {
    const known = this.records.get(t.taskId);
    if (known?.running) return;
    if (known) { this.records.set(t.taskId, { ...known, ...fromTask(t) }); return; }
    const now = Date.now();
    this.order.set(t.taskId, --this.listedSeq);
    this.records.set(t.taskId, {
      ...fromTask(t), tool: undefined, startedAt: createdAtMs(t) ?? now,
      finishedAt: isTerminal(t.status) ? now : undefined, running: false, result: undefined, error: undefined,
    });
  }

  private put(record: TaskRecord): void {
    this.records.set(record.taskId, record);
    this.fire();
  }

  /** Drops the oldest records that are not running, beyond the bound. */
  private trim(): void {
    const idle = [...this.records.values()].filter(r => !r.running);
    if (idle.length <= this.maxFinished) return;
    const rank = (r: TaskRecord) => this.order.get(r.taskId) ?? 0;
    idle.sort((a, b) => rank(a) - rank(b));
    for (const r of idle.slice(0, idle.length - this.maxFinished)) { this.records.delete(r.taskId); this.order.delete(r.taskId); }
    this.fire();
  }

  private fire(): void {
    if (!this.disposed) this._onDidChange.fire();
  }
}

function fromTask(t: Task): Pick<TaskRecord, 'taskId' | 'status' | 'statusMessage' | 'createdAt' | 'lastUpdatedAt' | 'ttlMs'> {
  return { taskId: t.taskId, status: t.status, statusMessage: t.statusMessage, createdAt: t.createdAt, lastUpdatedAt: t.lastUpdatedAt, ttlMs: t.ttlMs };
}

function createdAtMs(t: Task): number | undefined {
  const ms = t.createdAt ? Date.parse(t.createdAt) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** The cause of a failure without the `<server> › <method>:` prefix (the record belongs to the server). */
function errorCause(err: unknown): string {
  if (err instanceof RequestError) return `${err.method}: ${err.cause.message}`;
  return errorMessage(err);
}
