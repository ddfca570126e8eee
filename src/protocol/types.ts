// MCP 2025-11-25 data types, as TypeScript shapes. What crosses the wire is validated
// once by the schemas in schemas.ts; everything past that edge trusts these types.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: unknown };

export const LATEST_PROTOCOL_VERSION = '2025-11-25';
/** The stateful revisions (an `initialize` handshake), newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
/** The stateless revisions (every request carries version, identity and capabilities), newest first. */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];
export const isModernVersion = (v: string): boolean => MODERN_PROTOCOL_VERSIONS.includes(v);

export type ProgressToken = string | number;
export type Cursor = string;
export type Role = 'user' | 'assistant';
export type LoggingLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';
export const LOGGING_LEVELS: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

export interface Icon { src: string; mimeType?: string; sizes?: string[]; theme?: 'light' | 'dark' }
export interface Implementation { name: string; version: string; title?: string; description?: string; icons?: Icon[]; websiteUrl?: string }

export interface Annotations { audience?: Role[]; priority?: number; lastModified?: string }

export interface TextContent { type: 'text'; text: string; annotations?: Annotations; _meta?: JsonObject }
export interface ImageContent { type: 'image'; data: string; mimeType: string; annotations?: Annotations; _meta?: JsonObject }
export interface AudioContent { type: 'audio'; data: string; mimeType: string; annotations?: Annotations; _meta?: JsonObject }
export interface ResourceLink { type: 'resource_link'; uri: string; name: string; title?: string; description?: string; mimeType?: string; size?: number; annotations?: Annotations; _meta?: JsonObject }
export interface TextResourceContents { uri: string; mimeType?: string; text: string; _meta?: JsonObject }
export interface BlobResourceContents { uri: string; mimeType?: string; blob: string; _meta?: JsonObject }
export type ResourceContents = TextResourceContents | BlobResourceContents;
export interface EmbeddedResource { type: 'resource'; resource: ResourceContents; annotations?: Annotations; _meta?: JsonObject }
export type ContentBlock = TextContent | ImageContent | AudioContent | ResourceLink | EmbeddedResource;

export interface ToolAnnotations { title?: string; readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean }
export interface JsonSchemaObject { type: 'object'; properties?: Record<string, JsonSchema>; required?: string[]; [k: string]: unknown }
export type JsonSchema = { [k: string]: unknown };
export interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchemaObject;
  outputSchema?: JsonSchemaObject;
  annotations?: ToolAnnotations;
  icons?: Icon[];
  execution?: { taskSupport?: 'forbidden' | 'optional' | 'required' };
  _meta?: JsonObject;
}
export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: JsonObject;
  isError?: boolean;
  _meta?: JsonObject;
}

export interface Resource { uri: string; name: string; title?: string; description?: string; mimeType?: string; size?: number; annotations?: Annotations; icons?: Icon[]; _meta?: JsonObject }
export interface ResourceTemplate { uriTemplate: string; name: string; title?: string; description?: string; mimeType?: string; annotations?: Annotations; icons?: Icon[]; _meta?: JsonObject }
export interface ReadResourceResult { contents: ResourceContents[]; _meta?: JsonObject }

export interface PromptArgument { name: string; title?: string; description?: string; required?: boolean }
export interface Prompt { name: string; title?: string; description?: string; arguments?: PromptArgument[]; icons?: Icon[]; _meta?: JsonObject }
export interface PromptMessage { role: Role; content: ContentBlock }
export interface GetPromptResult { description?: string; messages: PromptMessage[]; _meta?: JsonObject }

export type CompletionReference = { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string };
export interface CompleteResult { completion: { values: string[]; total?: number; hasMore?: boolean } }

export interface ServerCapabilities {
  experimental?: JsonObject;
  logging?: JsonObject;
  completions?: JsonObject;
  prompts?: { listChanged?: boolean };
  resources?: { subscribe?: boolean; listChanged?: boolean };
  tools?: { listChanged?: boolean };
  tasks?: JsonObject;
  /** 2026-07-28 extensions, by id. */
  extensions?: Record<string, JsonObject>;
}
export interface ClientCapabilities {
  experimental?: JsonObject;
  /** 2026-07-28 extensions, by id (`io.modelcontextprotocol/tasks`, `io.modelcontextprotocol/ui`). */
  extensions?: Record<string, JsonObject>;
  roots?: { listChanged?: boolean };
  sampling?: { context?: JsonObject; tools?: JsonObject };
  elicitation?: { form?: JsonObject; url?: JsonObject };
  tasks?: JsonObject;
}
export interface InitializeResult {
  protocolVersion: string;
  capabilities: ServerCapabilities;
  serverInfo: Implementation;
  instructions?: string;
  _meta?: JsonObject;
}

export interface Root { uri: string; name?: string; _meta?: JsonObject }
export interface ListRootsResult { roots: Root[] }

// Sampling
export interface ModelHint { name?: string }
export interface ModelPreferences { hints?: ModelHint[]; costPriority?: number; speedPriority?: number; intelligencePriority?: number }
export type SamplingContent = TextContent | ImageContent | AudioContent | { type: 'tool_use' | 'tool_result'; [k: string]: unknown };
export interface SamplingMessage { role: Role; content: SamplingContent | SamplingContent[]; _meta?: JsonObject }
export interface CreateMessageRequestParams {
  messages: SamplingMessage[];
  modelPreferences?: ModelPreferences;
  systemPrompt?: string;
  includeContext?: 'none' | 'thisServer' | 'allServers';
  temperature?: number;
  maxTokens: number;
  stopSequences?: string[];
  metadata?: JsonObject;
  tools?: Tool[];
  toolChoice?: { mode?: 'auto' | 'required' | 'none' };
  _meta?: JsonObject;
}
export interface CreateMessageResult {
  role: Role;
  content: SamplingContent | SamplingContent[];
  model: string;
  stopReason?: 'endTurn' | 'stopSequence' | 'maxTokens' | 'toolUse' | string;
  _meta?: JsonObject;
}

// Elicitation
export interface PrimitiveSchema {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array';
  title?: string;
  description?: string;
  default?: unknown;
  // string
  minLength?: number; maxLength?: number; pattern?: string; format?: 'email' | 'uri' | 'date' | 'date-time';
  enum?: string[]; enumNames?: string[]; oneOf?: Array<{ const: string; title?: string }>;
  // number
  minimum?: number; maximum?: number;
  // array (multi-select)
  items?: { type?: 'string'; enum?: string[]; anyOf?: Array<{ const: string; title?: string }> };
  minItems?: number; maxItems?: number;
}
export interface ElicitFormParams {
  mode?: 'form';
  message: string;
  requestedSchema: { type: 'object'; properties: Record<string, PrimitiveSchema>; required?: string[] };
  _meta?: JsonObject;
}
export interface ElicitUrlParams { mode: 'url'; message: string; url: string; /** 2025-11-25 only; 2026-07-28 has none. */ elicitationId?: string; _meta?: JsonObject }
export type ElicitRequestParams = ElicitFormParams | ElicitUrlParams;
export interface ElicitResult {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, string | number | boolean | string[]>;
  _meta?: JsonObject;
}

export interface ProgressNotificationParams { progressToken: ProgressToken; progress: number; total?: number; message?: string }
export interface LoggingMessageParams { level: LoggingLevel; logger?: string; data: unknown }

/** Options of one outgoing request. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Called for each `notifications/progress` of this request. Asking for progress sends a progress token. */
  onProgress?: (p: ProgressNotificationParams) => void;
  /** Overrides the connection's default timeout for this request. */
  timeoutMs?: number;
  /**
   * Whom the request is made for, opaque to the protocol: the server's own requests while it
   * is pending (sampling, elicitation, roots) carry it back (IncomingRequestContext.origins,
   * InputContext.origins), so a host can answer them for the right party (the gateway: the
   * client whose call it is).
   */
  origin?: unknown;
}
