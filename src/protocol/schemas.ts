// Schemas for what servers send us (2025-11-25 shapes; older revisions are subsets).
// Applied once, where a message enters (conventions.md §6). Objects are loose: unknown
// fields pass through, so newer servers' additions are not rejected; required fields
// and their types are checked.

import {
  array, boolean, compile, discriminatedUnion, literal, looseObject, number, optional, prettifyError, record, string,
  union, unknown, type ZodMiniType, type core,
} from 'zod/mini';
import type * as T from './types.ts';

const meta = optional(record(string(), unknown()));
const annotations = optional(looseObject({}));
const icons = optional(array(looseObject({ src: string() })));

const text = looseObject({ type: literal('text'), text: string(), annotations, _meta: meta });
const image = looseObject({ type: literal('image'), data: string(), mimeType: string(), annotations, _meta: meta });
const audio = looseObject({ type: literal('audio'), data: string(), mimeType: string(), annotations, _meta: meta });
const resourceLink = looseObject({ type: literal('resource_link'), uri: string(), name: string(), _meta: meta });
const textContents = looseObject({ uri: string(), mimeType: optional(string()), text: string(), _meta: meta });
const blobContents = looseObject({ uri: string(), mimeType: optional(string()), blob: string(), _meta: meta });
const resourceContents = union([textContents, blobContents]);
const embedded = looseObject({ type: literal('resource'), resource: resourceContents, annotations, _meta: meta });
const contentBlock = discriminatedUnion('type', [text, image, audio, resourceLink, embedded]);

const jsonSchemaObject = looseObject({ type: literal('object'), properties: optional(record(string(), unknown())), required: optional(array(string())) });
const tool = looseObject({
  name: string(), title: optional(string()), description: optional(string()),
  inputSchema: jsonSchemaObject, outputSchema: optional(jsonSchemaObject),
  annotations, icons, _meta: meta,
});
const nextCursor = optional(string());

export const InitializeResultSchema = looseObject({
  protocolVersion: string(),
  capabilities: looseObject({
    logging: optional(looseObject({})), completions: optional(looseObject({})),
    prompts: optional(looseObject({ listChanged: optional(boolean()) })),
    resources: optional(looseObject({ subscribe: optional(boolean()), listChanged: optional(boolean()) })),
    tools: optional(looseObject({ listChanged: optional(boolean()) })),
  }),
  serverInfo: looseObject({ name: string(), version: string() }),
  instructions: optional(string()),
});
const serverCapabilities = looseObject({
  logging: optional(looseObject({})), completions: optional(looseObject({})),
  prompts: optional(looseObject({ listChanged: optional(boolean()) })),
  resources: optional(looseObject({ subscribe: optional(boolean()), listChanged: optional(boolean()) })),
  tools: optional(looseObject({ listChanged: optional(boolean()) })),
  extensions: optional(record(string(), unknown())),
});
/** 2026-07-28: what `server/discover` answers (the server's identity is in `_meta`). */
export const DiscoverResultSchema = looseObject({
  supportedVersions: array(string()),
  capabilities: serverCapabilities,
  instructions: optional(string()),
  serverInfo: optional(looseObject({ name: string(), version: string() })),
  _meta: meta,
});
/** 2026-07-28: a result that needs input first (multi round-trip requests). */
export const InputRequiredResultSchema = looseObject({
  resultType: literal('input_required'),
  inputRequests: optional(record(string(), looseObject({ method: string(), params: optional(record(string(), unknown())) }))),
  requestState: optional(string()),
});
export const ListToolsResultSchema = looseObject({ tools: array(tool), nextCursor });
export const CallToolResultSchema = looseObject({
  content: array(contentBlock),
  structuredContent: optional(record(string(), unknown())),
  isError: optional(boolean()),
  _meta: meta,
});
const resource = looseObject({ uri: string(), name: string(), mimeType: optional(string()), size: optional(number()), _meta: meta });
export const ListResourcesResultSchema = looseObject({ resources: array(resource), nextCursor });
const template = looseObject({ uriTemplate: string(), name: string(), mimeType: optional(string()), _meta: meta });
export const ListResourceTemplatesResultSchema = looseObject({ resourceTemplates: array(template), nextCursor });
export const ReadResourceResultSchema = looseObject({ contents: array(resourceContents), _meta: meta });
const promptArgument = looseObject({ name: string(), description: optional(string()), required: optional(boolean()) });
const prompt = looseObject({ name: string(), description: optional(string()), arguments: optional(array(promptArgument)), _meta: meta });
export const ListPromptsResultSchema = looseObject({ prompts: array(prompt), nextCursor });
export const GetPromptResultSchema = looseObject({
  description: optional(string()),
  messages: array(looseObject({ role: union([literal('user'), literal('assistant')]), content: contentBlock })),
  _meta: meta,
});
export const CompleteResultSchema = looseObject({
  completion: looseObject({ values: array(string()), total: optional(number()), hasMore: optional(boolean()) }),
});
export const EmptyResultSchema = looseObject({});

// ---- what servers ask of us ----

const samplingContent = looseObject({ type: string() });
export const CreateMessageParamsSchema = looseObject({
  messages: array(looseObject({ role: union([literal('user'), literal('assistant')]), content: union([samplingContent, array(samplingContent)]) })),
  maxTokens: number(),
  systemPrompt: optional(string()),
  modelPreferences: optional(looseObject({ hints: optional(array(looseObject({ name: optional(string()) }))) })),
  includeContext: optional(string()),
  temperature: optional(number()),
  stopSequences: optional(array(string())),
});
// Two schemas chosen by `mode` rather than a union, so an error names the field at fault.
// 2026-07-28 dropped `elicitationId` (a URL elicitation's outcome is learned by asking again).
export const ElicitUrlParamsSchema = looseObject({ mode: literal('url'), message: string(), url: string(), elicitationId: optional(string()) });
export const ElicitFormParamsSchema = looseObject({
  mode: optional(literal('form')),
  message: string(),
  // Form fields are primitives only (the spec's restricted schema): anything else is invalid params.
  requestedSchema: looseObject({
    type: literal('object'),
    properties: record(string(), looseObject({ type: union([literal('string'), literal('number'), literal('integer'), literal('boolean'), literal('array')]) })),
    required: optional(array(string())),
  }),
});
export const LoggingMessageParamsSchema = looseObject({ level: string(), logger: optional(string()), data: unknown() });
export const ResourceUpdatedParamsSchema = looseObject({ uri: string() });

const kindOf = (v: unknown) => v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;

/** What was expected and what came: zod/mini without a locale says only "Invalid input". */
function describeIssue(issue: core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': return `expected ${issue.expected}, received ${kindOf(issue.input)}`;
    case 'invalid_value': return `expected ${issue.values.map(v => JSON.stringify(v)).join(' or ')}, received ${JSON.stringify(issue.input)?.slice(0, 40) ?? kindOf(issue.input)}`;
    case 'invalid_union': {
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      return discriminator && options ? `${discriminator} must be one of ${options.map(o => JSON.stringify(o)).join(', ')}` : 'matches none of the allowed shapes';
    }
    default: return undefined;
  }
}

/** A parse function for JsonRpcConnection.request: validates, or throws a readable message. */
export function parser<R>(schema: ZodMiniType): (raw: Record<string, unknown>) => R {
  // zod's compiled fast path validates a typical result ~6× faster (tools/list of 2,000
  // tools: the difference between 2× and 1.2× the floor); it falls back to the
  // interpreter, with the same results and messages, for anything it cannot compile.
  // Compiled on first use, not at load: ~0.6 ms a schema would otherwise go to activation.
  let fast: ZodMiniType | undefined;
  return raw => {
    if (!fast) { try { fast = compile(schema); } catch { fast = schema; } }
    const r = fast.safeParse(raw, { error: describeIssue });
    if (!r.success) throw new Error(prettifyError(r.error).replace(/\n\s*/g, ' '));
    return r.data as R;
  };
}

export const parse = {
  initialize: parser<T.InitializeResult>(InitializeResultSchema),
  discover: parser<{ supportedVersions: string[]; capabilities: T.ServerCapabilities; instructions?: string; serverInfo?: T.Implementation; _meta?: Record<string, unknown> }>(DiscoverResultSchema),
  inputRequired: parser<{ resultType: 'input_required'; inputRequests?: Record<string, { method: string; params?: Record<string, unknown> }>; requestState?: string }>(InputRequiredResultSchema),
  listTools: parser<{ tools: T.Tool[]; nextCursor?: string }>(ListToolsResultSchema),
  callTool: parser<T.CallToolResult>(CallToolResultSchema),
  listResources: parser<{ resources: T.Resource[]; nextCursor?: string }>(ListResourcesResultSchema),
  listResourceTemplates: parser<{ resourceTemplates: T.ResourceTemplate[]; nextCursor?: string }>(ListResourceTemplatesResultSchema),
  readResource: parser<T.ReadResourceResult>(ReadResourceResultSchema),
  listPrompts: parser<{ prompts: T.Prompt[]; nextCursor?: string }>(ListPromptsResultSchema),
  getPrompt: parser<T.GetPromptResult>(GetPromptResultSchema),
  complete: parser<T.CompleteResult>(CompleteResultSchema),
  empty: parser<Record<string, never>>(EmptyResultSchema),
  createMessageParams: parser<T.CreateMessageRequestParams>(CreateMessageParamsSchema),
  elicitParams: ((url, form) => (raw: Record<string, unknown>) => raw.mode === 'url' ? url(raw) : form(raw))(
    parser<T.ElicitRequestParams>(ElicitUrlParamsSchema), parser<T.ElicitRequestParams>(ElicitFormParamsSchema)),
  loggingMessage: parser<T.LoggingMessageParams>(LoggingMessageParamsSchema),
  resourceUpdated: parser<{ uri: string }>(ResourceUpdatedParamsSchema),
};
