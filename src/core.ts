/**
 * MCP Host core: the protocol client, the transports and the server manager, with no
 * VS Code dependency. The CLI, the gateway, the conformance adapter and the benchmarks
 * use only this entry (`dist/core.js`).
 *
 * ```ts
 * import { McpClient, StdioTransport } from 'mcp-host/core';
 * const client = await McpClient.create(
 *   new StdioTransport({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'], env: {} }),
 *   { name: 'everything', clientInfo: { name: 'me', version: '1.0.0' }, capabilities: {} });
 * console.log(await client.listTools());
 * await client.close();
 * ```
 */

export * from './base/event.ts';
export * from './protocol/types.ts';
export * from './protocol/errors.ts';
export type * from './protocol/jsonrpc.ts';
export { serializeMessage } from './protocol/jsonrpc.ts';
export { JsonRpcConnection } from './protocol/connection.ts';
export type { ConnectionOptions, IncomingRequestContext, RequestHandler, NotificationHandler, RequestCallOptions } from './protocol/connection.ts';
export { McpClient } from './protocol/client.ts';
export type { McpClientOptions } from './protocol/client.ts';
export { StatefulGeneration } from './protocol/generation.ts';
export { INPUT_METHODS, registerInputHandlers } from './protocol/inputBroker.ts';
export type { InputBroker, InputContext, InputRequest, InputMethod } from './protocol/inputBroker.ts';
export { parse as parseMessage } from './protocol/schemas.ts';
export type { ProtocolGeneration, SessionInit } from './protocol/generation.ts';
export { TASKS_EXTENSION_ID, TaskRun, callToolAsTask, describeTaskStatus, isTerminal } from './protocol/tasks.ts';
export type { Task, TaskCallOptions, TaskDetail, TaskRuntime, TaskStatus } from './protocol/tasks.ts';
export { TaskRegistry } from './host/tasks.ts';
export type { TaskList, TaskRecord } from './host/tasks.ts';
export type { Transport, TransportState, TransportError, TransportLog } from './transports/transport.ts';
export { StdioTransport } from './transports/stdio.ts';
export type { StdioTransportOptions } from './transports/stdio.ts';
export { InMemoryTransport } from './transports/memory.ts';
export { StreamableHttpTransport } from './transports/http.ts';
export type { HttpTransportOptions } from './transports/http.ts';
export { WebSocketTransport } from './transports/websocket.ts';
export type { WebSocketTransportOptions } from './transports/websocket.ts';
export { LineDecoder, parseJsonLine } from './transports/framing.ts';
export { curatedEnv, findExecutable, parseEnvFile } from './transports/processEnv.ts';
export * from './host/types.ts';
export { ServerManager } from './host/manager.ts';
export { parseMcpConfig, parseSettingsConfig, resolveServers, offsetToPosition, describeLaunch } from './host/config.ts';
export type { ConfigInput, ConfigProblem, ParsedConfig, RawServerEntry, ResolvedConfig, VariableContext } from './host/config.ts';
export { resolveLoginShellPath } from './host/shellPath.ts';
export { createTransport } from './host/transportFactory.ts';
export { Redactor, redactPatterns, redactUrl, definitionSecrets, secretArgumentValues, isSecretName, isSecretEnvName } from './host/redaction.ts';
export { inspectLaunch, workspaceReach, describeForConsent } from './host/launchTrust.ts';
export type { LaunchInspection, WorkspaceReach, InspectOptions } from './host/launchTrust.ts';
export { ConsentGate, NOT_TRUSTED, NO_CONSENT, SUPERSEDED } from './host/consent.ts';
export type { ConsentStore, ConsentQuestion, ConsentGateOptions } from './host/consent.ts';
export type { TransportFactoryOptions } from './host/transportFactory.ts';
export { expandTemplate, templateVariables } from './protocol/uriTemplate.ts';
export type { TemplateVariable } from './protocol/uriTemplate.ts';
