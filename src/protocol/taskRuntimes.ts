// Which task runtime a connection gets: its generation decides (2025-11-25 core tasks on
// a stateful connection, the 2026-07-28 tasks extension on a stateless one). Apart from
// tasks.ts so that the runtimes can import the shared shapes without a cycle.

import type { ProtocolGeneration } from './generation.ts';
import type { TaskHost, TaskRuntime } from './tasks.ts';
import { ExtensionTaskRuntime } from './tasksExtension.ts';
import { StatefulTaskRuntime } from './tasksStateful.ts';

export function createTaskRuntime(generation: ProtocolGeneration['id'], host: TaskHost): TaskRuntime {
  return generation === 'stateless' ? new ExtensionTaskRuntime(host) : new StatefulTaskRuntime(host);
}
