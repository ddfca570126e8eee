// Tasks as the 2026-07-28 `io.modelcontextprotocol/tasks` extension defines them
// (SEP-2663; ext-tasks `specification/draft/tasks.md`, `schema/draft/schema.ts`):
//
// - the client declares the extension in every request's capabilities
//   (`extensions: {"io.modelcontextprotocol/tasks": {}}`), the server in server/discover;
// - it sends no `task` param: the server decides, per tools/call, whether to answer with
//   a CreateTaskResult — `resultType: "task"` and the Task fields, flat;
// - `tasks/get` answers the task with what its status carries: `inputRequests`
//   (input_required), `result` (completed, exactly what tools/call would have returned),
//   `error` (failed, a JSON-RPC error object);
// - `tasks/update {taskId, inputResponses}` answers input requests (an empty ack; keys are
//   unique for the task's life, so each is answered once);
// - `tasks/cancel` is an ack; cancelling is cooperative;
// - there is no `tasks/result` and no `tasks/list`; status pushes (`notifications/tasks`)
//   come only on a listen stream that names the task ids.
//
// The stateless generation (stateless.ts) sends these requests like any other: with the
// `_meta` envelope, `Mcp-Method`, and `Mcp-Name: <taskId>` on tasks/get, tasks/update and
// tasks/cancel. What this runtime needs of it is listed in docs/decisions.md ("Tasks").

import { Disposable } from '../base/event.ts';
import { ErrorCode, LocalError, RequestError, WireError } from './errors.ts';
import { parse as parseResult, parser } from './schemas.ts';
import { TASKS_EXTENSION_ID, type CallOutcome, type Task, type TaskDetail, type TaskHost, type TaskRuntime } from './tasks.ts';
import { literal, looseObject, nullable, number, optional, record, string, unknown } from 'zod/mini';
import type { ClientCapabilities, RequestOptions, Tool } from './types.ts';

/** What the client declares (per request) to get tasks from a 2026-07-28 server. */
export const TASKS_EXTENSION_CAPABILITY: Pick<ClientCapabilities, 'extensions'> = Object.freeze({ extensions: { [TASKS_EXTENSION_ID]: {} } });

const STATUSES = ['working', 'input_required', 'completed', 'failed', 'cancelled'] as const;
const taskFields = {
  taskId: string(),
  status: literal([...STATUSES]),
  statusMessage: optional(string()),
  createdAt: optional(string()),
  lastUpdatedAt: optional(string()),
  ttlMs: optional(nullable(number())),
  pollIntervalMs: optional(number()),
};
const createTaskResult = looseObject({ resultType: literal('task'), ...taskFields });
const detailedTask = looseObject({
  ...taskFields,
  inputRequests: optional(record(string(), looseObject({ method: string(), params: optional(record(string(), unknown())) }))),
  result: optional(record(string(), unknown())),
  error: optional(looseObject({ code: number(), message: string(), data: optional(unknown()) })),
});

type RawTask = Task & { resultType?: string; inputRequests?: TaskDetail['inputRequests']; result?: Record<string, unknown>; error?: TaskDetail['error'] };
const readCreated = parser<RawTask>(createTaskResult);
const readDetail = parser<RawTask>(detailedTask);

/** The fields of the common Task shape (the wire adds resultType, _meta, …). */
function toDetail(raw: RawTask): TaskDetail {
  const out: TaskDetail = { taskId: raw.taskId, status: raw.status };
  for (const k of ['statusMessage', 'createdAt', 'lastUpdatedAt', 'ttlMs', 'pollIntervalMs', 'inputRequests', 'error'] as const) {
    if (raw[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = raw[k];
  }
  // The result of a completed task is what tools/call returns: validated as that, here at the edge.
  if (raw.result !== undefined) {
    try {
      out.result = parseResult.callTool(raw.result);
    } catch (err) {
      throw new Error(`the result of task ${raw.taskId} is not a tool result: ${(err as Error).message}`);
    }
  }
  return out;
}

export class ExtensionTaskRuntime implements TaskRuntime {
  readonly revision = '2026-07-28';
  private readonly host: TaskHost;
  readonly result: TaskRuntime['result'] = undefined;
  readonly input: TaskRuntime['input'];

  constructor(host: TaskHost) {
    this.host = host;
    this.input = async (taskId, inputResponses, options) => {
      await this.host.request('tasks/update', { taskId, inputResponses }, { ...options, parse: parseResult.empty });
    };
  }

  offersToolTasks(): boolean {
    return this.host.capabilities().extensions?.[TASKS_EXTENSION_ID] !== undefined;
  }

  /** Server-directed: once the extension is negotiated, any tools/call may come back as a task. */
  runsAsTask(_tool: Tool | undefined): boolean {
    return this.offersToolTasks();
  }

  async callTool(name: string, args: Record<string, unknown>, options: RequestOptions & { ttlMs?: number } = {}): Promise<CallOutcome> {
    // No `task` param in this revision (servers ignore it), and so no ttl to ask for.
    const { ttlMs: _ttl, ...rest } = options;
    try {
      return await this.host.request('tools/call', { name, arguments: args }, {
        ...rest,
        resultTypes: ['task'],
        parse: (raw): CallOutcome => raw.resultType === 'task' ? { task: toDetail(readCreated(raw)) } : { result: parseResult.callTool(raw) },
      });
    } catch (err) {
      throw explainMissingExtension(err);
    }
  }

  async get(taskId: string, options?: RequestOptions): Promise<TaskDetail> {
    try {
      return await this.host.request('tasks/get', { taskId }, { ...options, parse: raw => toDetail(readDetail(raw)) });
    } catch (err) {
      throw explainMissingExtension(err);
    }
  }

  async cancel(taskId: string, options?: RequestOptions): Promise<Task | undefined> {
    try {
      await this.host.request('tasks/cancel', { taskId }, { ...options, parse: parseResult.empty });
    } catch (err) {
      // Unknown (expired, or ended and dropped): nothing left to cancel.
      if (err instanceof RequestError && err.cause instanceof WireError && err.cause.code === ErrorCode.InvalidParams) return undefined;
      throw explainMissingExtension(err);
    }
    return undefined; // an ack; what became of the task, tasks/get says
  }

  canList(): boolean { return false; }

  list(): Promise<{ tasks: Task[]; nextCursor?: string }> {
    return Promise.reject(new RequestError(this.host.name, 'tasks/list', new LocalError('unsupported', 'the 2026-07-28 tasks extension has no tasks/list')));
  }

  onStatus(listener: (task: TaskDetail) => void): Disposable {
    // Only on a listen stream that asked for the task ids; polling never depends on it.
    return this.host.onNotification('notifications/tasks', params => {
      let t: TaskDetail;
      try { t = toDetail(readDetail(params)); } catch { return; }
      listener(t);
    });
  }
}

/**
 * -32021 naming the tasks extension: the server needs tasks for this call, and the
 * request did not declare the extension (the generation left it out).
 */
function explainMissingExtension(err: unknown): unknown {
  if (!(err instanceof RequestError) || !(err.cause instanceof WireError) || err.cause.code !== ErrorCode.MissingRequiredClientCapability) return err;
  const required = (err.cause.data as { requiredCapabilities?: { extensions?: Record<string, unknown> } } | undefined)?.requiredCapabilities;
  if (required?.extensions?.[TASKS_EXTENSION_ID] === undefined) return err;
  return new RequestError(err.server, err.method, new LocalError('unsupported',
    `the server runs this only as a task, and the request did not declare the ${TASKS_EXTENSION_ID} extension (JSON-RPC error ${err.cause.code}: ${err.cause.message})`, err.cause));
}

