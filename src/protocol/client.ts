// The MCP client: typed methods over a connection, pagination followed to the end,
// capability checks before each feature, structured content validated against the
// tool's output schema. `McpClient.create()` does the handshake and cleans up if it fails.

import { Validator } from '@cfworker/json-schema';
import { Disposable, type Event } from '../base/event.ts';
import type { Transport } from '../transports/transport.ts';
import { JsonRpcConnection, type NotificationHandler, type RequestHandler } from './connection.ts';
import { LocalError, RequestError, errorMessage } from './errors.ts';
import { StatefulGeneration, type ProtocolGeneration } from './generation.ts';
import { parse } from './schemas.ts';
import type {
  CallToolResult, ClientCapabilities, CompleteResult, CompletionReference, GetPromptResult, Implementation,
  InitializeResult, LoggingLevel, Prompt, ReadResourceResult, RequestOptions, Resource, ResourceTemplate,
  ServerCapabilities, Tool,
} from './types.ts';

export interface McpClientOptions {
  /** The server's name, in every error message. */
  name: string;
  clientInfo: Implementation;
  capabilities: ClientCapabilities;
  generation?: ProtocolGeneration;
  requestTimeoutMs?: number;
  maxRequestTimeoutMs?: number;
  /** Handshake deadline (default: the request timeout). */
  initializeTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called with the connection before the handshake, to register request handlers early. */
  onConnection?: (conn: JsonRpcConnection) => void;
}

const MAX_PAGES = 10_000;

type Capability = 'tools' | 'resources' | 'prompts' | 'logging' | 'completions';

export class McpClient implements Disposable {
  readonly connection: JsonRpcConnection;
  readonly transport: Transport;
  readonly generation: ProtocolGeneration;
  readonly initializeResult: InitializeResult;
  private readonly validators = new WeakMap<Tool, Validator>();
  private readonly toolsByName = new Map<string, Tool>();

  private constructor(transport: Transport, connection: JsonRpcConnection, generation: ProtocolGeneration, init: InitializeResult) {
    this.transport = transport;
    this.connection = connection;
    this.generation = generation;
    this.initializeResult = init;
  }

  /** Starts the transport, runs the handshake, and returns a ready client; on failure everything is closed. */
  static async create(transport: Transport, options: McpClientOptions): Promise<McpClient> {
    const generation = options.generation ?? new StatefulGeneration();
    const connection = new JsonRpcConnection(transport, {
      name: options.name,
      requestTimeoutMs: options.requestTimeoutMs,
      maxRequestTimeoutMs: options.maxRequestTimeoutMs,
    });
    try {
      options.onConnection?.(connection);
      await transport.start();
      const init = await generation.connect(connection, {
        clientInfo: options.clientInfo,
        capabilities: options.capabilities,
        signal: options.signal,
        timeoutMs: options.initializeTimeoutMs ?? options.requestTimeoutMs,
      });
      transport.setProtocolVersion?.(init.protocolVersion);
      return new McpClient(transport, connection, generation, init);
    } catch (err) {
      connection.close(new LocalError('closed', 'the handshake failed'));
      await transport.close().catch(() => {});
      if (err instanceof RequestError) throw err;
      const local = err instanceof LocalError ? err : new LocalError('transport', errorMessage(err), err);
      throw new RequestError(options.name, 'initialize', local);
    }
  }

  get name(): string { return this.connection.name; }
  get serverInfo(): Implementation { return this.initializeResult.serverInfo; }
  get capabilities(): ServerCapabilities { return this.initializeResult.capabilities; }
  get protocolVersion(): string { return this.initializeResult.protocolVersion; }
  get instructions(): string | undefined { return this.initializeResult.instructions; }
  get onDidClose(): Event<LocalError> { return this.connection.onDidClose; }

  onRequest(method: string, handler: RequestHandler): Disposable { return this.connection.onRequest(method, handler); }
  onNotification(method: string, handler: NotificationHandler): Disposable { return this.connection.onNotification(method, handler); }
  notify(method: string, params?: Record<string, unknown>): void { this.connection.notify(method, params); }

  has(cap: Capability): boolean { return this.capabilities[cap] !== undefined; }

  ping(options?: RequestOptions): Promise<void> {
    return this.generation.request(this.connection, 'ping', undefined, { ...options, parse: parse.empty }).then(() => undefined);
  }

  async listTools(options?: RequestOptions): Promise<Tool[]> {
    this.require('tools', 'tools/list');
    const tools = await this.paginate('tools/list', 'tools', parse.listTools, options);
    this.toolsByName.clear();
    for (const t of tools) this.toolsByName.set(t.name, t);
    return tools;
  }

  callTool(name: string, args: Record<string, unknown> = {}, options?: RequestOptions): Promise<CallToolResult> {
    if (!this.has('tools')) return Promise.reject(this.unsupported('tools/call', 'tools'));
    const call = this.generation.request(this.connection, 'tools/call', { name, arguments: args }, { ...options, parse: parse.callTool });
    // The hot path hands back the request's own promise: no extra promise and tick per call.
    const tool = this.toolsByName.get(name);
    if (!tool?.outputSchema) return call;
    return call.then(result => {
      if (!result.isError) this.checkStructured(tool, result);
      return result;
    });
  }

  async listResources(options?: RequestOptions): Promise<Resource[]> {
    this.require('resources', 'resources/list');
    return this.paginate('resources/list', 'resources', parse.listResources, options);
  }

  async listResourceTemplates(options?: RequestOptions): Promise<ResourceTemplate[]> {
    this.require('resources', 'resources/templates/list');
    return this.paginate('resources/templates/list', 'resourceTemplates', parse.listResourceTemplates, options);
  }

  async readResource(uri: string, options?: RequestOptions): Promise<ReadResourceResult> {
    this.require('resources', 'resources/read');
    return this.generation.request(this.connection, 'resources/read', { uri }, { ...options, parse: parse.readResource });
  }

  async subscribe(uri: string, options?: RequestOptions): Promise<void> {
    if (!this.capabilities.resources?.subscribe) throw this.unsupported('resources/subscribe', 'resource subscriptions');
    await this.generation.request(this.connection, 'resources/subscribe', { uri }, { ...options, parse: parse.empty });
  }

  async unsubscribe(uri: string, options?: RequestOptions): Promise<void> {
    if (!this.capabilities.resources?.subscribe) throw this.unsupported('resources/unsubscribe', 'resource subscriptions');
    await this.generation.request(this.connection, 'resources/unsubscribe', { uri }, { ...options, parse: parse.empty });
  }

  async listPrompts(options?: RequestOptions): Promise<Prompt[]> {
    this.require('prompts', 'prompts/list');
    return this.paginate('prompts/list', 'prompts', parse.listPrompts, options);
  }

  async getPrompt(name: string, args: Record<string, string> = {}, options?: RequestOptions): Promise<GetPromptResult> {
    this.require('prompts', 'prompts/get');
    return this.generation.request(this.connection, 'prompts/get', { name, arguments: args }, { ...options, parse: parse.getPrompt });
  }

  async complete(ref: CompletionReference, argument: { name: string; value: string }, context?: Record<string, string>, options?: RequestOptions): Promise<CompleteResult> {
    this.require('completions', 'completion/complete');
    const params: Record<string, unknown> = { ref, argument };
    if (context && Object.keys(context).length) params.context = { arguments: context };
    return this.generation.request(this.connection, 'completion/complete', params, { ...options, parse: parse.complete });
  }

  async setLoggingLevel(level: LoggingLevel, options?: RequestOptions): Promise<void> {
    this.require('logging', 'logging/setLevel');
    await this.generation.request(this.connection, 'logging/setLevel', { level }, { ...options, parse: parse.empty });
  }

  private closing: Promise<void> | undefined;

  /** Ends the session and the transport (escalating for stdio); repeated calls share one shutdown. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.connection.close(new LocalError('closed', 'the client closed the connection'));
      await this.transport.close();
    })();
    return this.closing;
  }

  dispose(): void { void this.close(); }

  // ---- internals ----

  private require(cap: Capability, method: string): void {
    if (!this.has(cap)) throw this.unsupported(method, cap);
  }

  private unsupported(method: string, what: string): RequestError {
    return new RequestError(this.name, method, new LocalError('unsupported', `the server does not offer ${what}`));
  }

  private async paginate<K extends string, I>(
    method: string, key: K,
    parser: (raw: Record<string, unknown>) => { [P in K]: I[] } & { nextCursor?: string },
    options?: RequestOptions,
  ): Promise<I[]> {
    const all: I[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.generation.request(this.connection, method, cursor === undefined ? undefined : { cursor }, { ...options, parse: parser });
      for (const item of res[key]) all.push(item);
      cursor = res.nextCursor;
      if (cursor === undefined || cursor === null) return all;
      if (seen.has(cursor)) throw new RequestError(this.name, method, new LocalError('invalid-message', `the server repeated cursor ${JSON.stringify(cursor)}; stopping pagination`));
      seen.add(cursor);
    }
    throw new RequestError(this.name, method, new LocalError('invalid-message', `more than ${MAX_PAGES} pages`));
  }

  private checkStructured(tool: Tool, result: CallToolResult): void {
    if (result.structuredContent === undefined) {
      throw new RequestError(this.name, 'tools/call', new LocalError('invalid-message', `tool "${tool.name}" declares an output schema but returned no structuredContent`));
    }
    let r: ReturnType<Validator['validate']>;
    try {
      let v = this.validators.get(tool);
      if (!v) {
        v = new Validator(tool.outputSchema as object, '2020-12', false);
        this.validators.set(tool, v);
      }
      r = v.validate(result.structuredContent);
    } catch (err) {
      // A schema or a value the validator cannot walk (a recursive $ref over deep data).
      throw new RequestError(this.name, 'tools/call', new LocalError('invalid-message', `structuredContent of "${tool.name}" could not be checked against its output schema: ${errorMessage(err)}`, err));
    }
    if (!r.valid) {
      const first = r.errors.filter(e => e.keyword !== 'properties').slice(0, 3).map(e => `${e.instanceLocation}: ${e.error}`).join('; ');
      throw new RequestError(this.name, 'tools/call', new LocalError('invalid-message', `structuredContent of "${tool.name}" does not match its output schema: ${first || r.errors[0]?.error}`));
    }
  }
}
