// Tasks as 2025-11-25 defines them (core, "experimental"): the client asks for a task
// with `params.task = {ttl?}` on tools/call when the tool's `execution.taskSupport` says
// so and the server declares `capabilities.tasks.requests.tools.call`; the answer is a
// CreateTaskResult `{task}`. `tasks/get` polls, `tasks/result` blocks until the end and
// returns what tools/call would have returned (the server's elicitation and sampling
// requests for the task arrive while it is open, as ordinary server requests that the
// stateful generation hands to the input broker), `tasks/cancel` cancels (a task already
// ended answers -32602, which is no failure of ours), `tasks/list` lists.
//
// The client declares no `tasks` capability: in 2025-11-25 it says what the client runs
// as a task *receiver* (its own tasks/list and tasks/cancel, task-augmented sampling and
// elicitation), and MCP Host runs none.

import { Disposable } from '../base/event.ts';
import { ErrorCode, LocalError, RequestError, WireError } from './errors.ts';
import { parse as parseResult, parser } from './schemas.ts';
import { TASK_STATUSES, type CallOutcome, type Task, type TaskDetail, type TaskHost, type TaskRuntime } from './tasks.ts';
import { array, literal, looseObject, nullable, number, optional, string } from 'zod/mini';
import type { RequestOptions, Tool } from './types.ts';

// Required: what identifies the task and its state. The rest is read when present (a
// server that leaves out a timestamp is not worth refusing a result over).
const task2025 = looseObject({
  taskId: string(),
  status: literal([...TASK_STATUSES]),
  statusMessage: optional(string()),
  createdAt: optional(string()),
  lastUpdatedAt: optional(string()),
  ttl: optional(nullable(number())),
  pollInterval: optional(number()),
});
const createTaskResult = looseObject({ task: task2025 });
const listTasksResult = looseObject({ tasks: array(task2025), nextCursor: optional(string()) });

type Task2025 = { taskId: string; status: Task['status']; statusMessage?: string; createdAt?: string; lastUpdatedAt?: string; ttl?: number | null; pollInterval?: number };

const readTask = parser<Task2025>(task2025);
const readCreated = parser<{ task: Task2025 }>(createTaskResult);
const readList = parser<{ tasks: Task2025[]; nextCursor?: string }>(listTasksResult);

/** The 2025-11-25 shape in the common one (`ttl` → `ttlMs`, `pollInterval` → `pollIntervalMs`). */
export function fromTask2025(t: Task2025): TaskDetail {
  const out: TaskDetail = { taskId: t.taskId, status: t.status };
  if (t.statusMessage !== undefined) out.statusMessage = t.statusMessage;
  if (t.createdAt !== undefined) out.createdAt = t.createdAt;
  if (t.lastUpdatedAt !== undefined) out.lastUpdatedAt = t.lastUpdatedAt;
  if (t.ttl !== undefined) out.ttlMs = t.ttl;
  if (t.pollInterval !== undefined) out.pollIntervalMs = t.pollInterval;
  return out;
}

interface TasksCapability { list?: object; cancel?: object; requests?: { tools?: { call?: object } } }

export class StatefulTaskRuntime implements TaskRuntime {
  readonly revision = '2025-11-25';
  private readonly host: TaskHost;
  readonly result: TaskRuntime['result'];
  readonly input: TaskRuntime['input'] = undefined;

  constructor(host: TaskHost) {
    this.host = host;
    this.result = (taskId, options) => this.host.request('tasks/result', { taskId }, { ...options, parse: parseResult.callTool });
  }

  private get declared(): TasksCapability | undefined {
    const t = this.host.capabilities().tasks;
    return t && typeof t === 'object' ? t as TasksCapability : undefined;
  }

  offersToolTasks(): boolean {
    return !!this.declared?.requests?.tools?.call;
  }

  runsAsTask(tool: Tool | undefined, preferTask = false): boolean {
    const support = tool?.execution?.taskSupport;
    return this.offersToolTasks() && (support === 'required' || (support === 'optional' && preferTask));
  }

  callTool(name: string, args: Record<string, unknown>, options: RequestOptions & { ttlMs?: number } = {}): Promise<CallOutcome> {
    const { ttlMs, ...rest } = options;
    const params = { name, arguments: args, task: ttlMs === undefined ? {} : { ttl: ttlMs } };
    // A server may still answer with a plain result (it ran the call at once): take either.
    return this.host.request('tools/call', params, {
      ...rest,
      parse: (raw): CallOutcome => raw.task !== undefined ? { task: fromTask2025(readCreated(raw).task) } : { result: parseResult.callTool(raw) },
    });
  }

  get(taskId: string, options?: RequestOptions): Promise<TaskDetail> {
    return this.host.request('tasks/get', { taskId }, { ...options, parse: raw => fromTask2025(readTask(raw)) });
  }

  async cancel(taskId: string, options?: RequestOptions): Promise<Task | undefined> {
    try {
      return await this.host.request('tasks/cancel', { taskId }, { ...options, parse: raw => fromTask2025(readTask(raw)) });
    } catch (err) {
      // Already ended (or already gone): there is nothing left to cancel.
      if (err instanceof RequestError && err.cause instanceof WireError && err.cause.code === ErrorCode.InvalidParams) return undefined;
      throw err;
    }
  }

  canList(): boolean {
    return !!this.declared?.list;
  }

  async list(cursor?: string, options?: RequestOptions): Promise<{ tasks: Task[]; nextCursor?: string }> {
    if (!this.canList()) throw new RequestError(this.host.name, 'tasks/list', new LocalError('unsupported', 'the server does not offer tasks/list'));
    const r = await this.host.request('tasks/list', cursor === undefined ? undefined : { cursor }, { ...options, parse: raw => readList(raw) });
    return { tasks: r.tasks.map(fromTask2025), ...(r.nextCursor !== undefined ? { nextCursor: r.nextCursor } : {}) };
  }

  onStatus(listener: (task: TaskDetail) => void): Disposable {
    return this.host.onNotification('notifications/tasks/status', params => {
      let t: Task2025;
      try { t = readTask(params); } catch { return; } // a hint only: a malformed one is ignored
      listener(fromTask2025(t));
    });
  }
}

