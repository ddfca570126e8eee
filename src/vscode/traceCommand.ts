// MCP Host: Show Protocol Trace — the trace panel for a server (picked when not given).

import { resolveServer } from './serverPicker.ts';
import type { HostServices } from './services.ts';

export async function showTraceCommand(services: HostServices, arg?: unknown): Promise<void> {
  const server = await resolveServer(services.manager, arg, {
    title: 'MCP Host: Show Protocol Trace — pick a server', skipSingle: true, none: 'MCP Host: no MCP server is configured.',
  });
  if (!server) return;
  (await services.workbench()).openTrace(server.definition.id);
}
