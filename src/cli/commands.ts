// What each command asks the server and how its answer is printed.

import {
  LocalError, RequestError, callToolAsTask, describeTaskStatus,
  type CallToolResult, type ContentBlock, type McpClient, type ReadResourceResult, type RequestOptions, type TaskRun, type Tool,
} from '../core.ts';
import type { Redactor } from '../host/redaction.ts';
import type { CliArgs } from './args.ts';
import { ExitCode, UsageError } from './errors.ts';
import {
  BinarySaver, formatCallResult, formatContent, formatJson, formatPromptResult, formatPrompts, formatReadResult,
  formatResources, formatTemplates, formatToolDetail, formatTools, requiresTasks, type LinkedContents,
} from './format.ts';
import { runSkillsCommand } from './skills.ts';

export interface CommandContext {
  client: McpClient;
  args: CliArgs;
  request: RequestOptions;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Told of the tool's secret arguments (`format: password`, `writeOnly`), so --verbose never shows them. */
  redactor?: Redactor;
  /** A transient status line (a task's status): on a terminal redrawn in place, else shown only with --progress. */
  status?: (line: string) => void;
}

export async function runCommand(ctx: CommandContext): Promise<number> {
  const { client, args, request, out } = ctx;
  const saver = new BinarySaver(args.save, args.force);
  const empty = (what: string) => { if (!args.json) ctx.err(`${client.name} has no ${what}.\n`); };
  // A server without the capability simply has nothing to list; that is not a failure.
  const offers = (cap: 'tools' | 'resources' | 'prompts', what: string): boolean => {
    if (client.has(cap)) return true;
    if (args.json) out(formatJson({ [what]: [] }));
    else ctx.err(`${client.name} does not offer ${cap}.\n`);
    return false;
  };
  switch (args.command) {
    case 'tools': {
      if (!offers('tools', 'tools')) return ExitCode.Ok;
      const tools = await client.listTools(request);
      if (args.json) out(formatJson({ tools }));
      else if (tools.length) out(formatTools(tools));
      else empty('tools');
      return ExitCode.Ok;
    }
    case 'resources': {
      if (!offers('resources', 'resources')) return ExitCode.Ok;
      const resources = await client.listResources(request);
      if (args.json) out(formatJson({ resources }));
      else if (resources.length) out(formatResources(resources));
      else empty('resources');
      return ExitCode.Ok;
    }
    case 'templates': {
      if (!offers('resources', 'resourceTemplates')) return ExitCode.Ok;
      const resourceTemplates = await client.listResourceTemplates(request);
      if (args.json) out(formatJson({ resourceTemplates }));
      else if (resourceTemplates.length) out(formatTemplates(resourceTemplates));
      else empty('resource templates');
      return ExitCode.Ok;
    }
    case 'prompts': {
      if (!offers('prompts', 'prompts')) return ExitCode.Ok;
      const prompts = await client.listPrompts(request);
      if (args.json) out(formatJson({ prompts }));
      else if (prompts.length) out(formatPrompts(prompts));
      else empty('prompts');
      return ExitCode.Ok;
    }
    case 'describe': {
      const tool = await findTool(ctx, args.subject!);
      out(args.json ? formatJson(tool) : formatToolDetail(tool));
      return ExitCode.Ok;
    }
    case 'call': {
      const name = args.subject!;
      // Listing first lets the client check structuredContent against the tool's output
      // schema, and turns a misspelt name into a helpful usage error.
      const tool = await findTool(ctx, name);
      ctx.redactor?.addArguments(tool.inputSchema, args.args);
      const result = client.tasks.runsAsTask(tool) ? await callAsTask(ctx, tool) : await callPlain(ctx, tool);
      if (args.json) out(formatJson(result));
      if (result.isError) {
        if (!args.json) ctx.err(`mcp-host: ${client.name} › tools/call ${name}: the tool reported an error:\n${formatContent(result.content, saver, name) || '(no details)\n'}`);
        return ExitCode.ToolError;
      }
      if (!args.json) out(formatCallResult(result, saver, name, await readLinks(ctx, result.content, saver)));
      return refusedSaves(ctx, saver);
    }
    case 'read': {
      const result = await client.readResource(args.subject!, request);
      out(args.json ? formatJson(result) : formatReadResult(result, saver));
      return refusedSaves(ctx, saver);
    }
    case 'prompt': {
      const name = args.subject!;
      // As for tools: a misspelt name lists what there is, and is a usage error.
      if (client.has('prompts')) {
        const prompts = await client.listPrompts(request);
        if (!prompts.some(p => p.name === name)) {
          const names = prompts.map(p => p.name);
          throw new UsageError(`${client.name} has no prompt named "${name}"`, names.length ? `Its prompts: ${names.join(', ')}.` : 'It lists no prompts.');
        }
      }
      const promptArgs: Record<string, string> = {};
      for (const [k, v] of Object.entries(args.args ?? {})) promptArgs[k] = typeof v === 'string' ? v : JSON.stringify(v);
      const result = await client.getPrompt(name, promptArgs, request);
      out(args.json ? formatJson(result) : formatPromptResult(result, saver, name));
      return refusedSaves(ctx, saver);
    }
    case 'skills':
    case 'skill':
      return runSkillsCommand(ctx);
    case 'servers':
    case 'logout':
      throw new Error(`${args.command} needs no connection`);
    case 'login':
      // main.ts reports the sign-in once connected; nothing to ask the server.
      return ExitCode.Ok;
  }
}

function callPlain(ctx: CommandContext, tool: Tool): Promise<CallToolResult> {
  const { client, args, request } = ctx;
  if (requiresTasks(tool)) {
    // The spec forbids both: calling it plainly, and asking a server that declares no task support for a task.
    return Promise.reject(new RequestError(client.name, 'tools/call', new LocalError('unsupported',
      `the tool runs only as a task (its execution.taskSupport is "required"), but the server does not offer tasks for tools/call (capabilities.tasks.requests.tools.call)`)));
  }
  return client.callTool(tool.name, args.args ?? {}, request);
}

/**
 * The call as a task: its status as progress, the server's questions asked as for any
 * call; Ctrl-C sends tasks/cancel and says what the server made of it.
 */
async function callAsTask(ctx: CommandContext, tool: Tool): Promise<CallToolResult> {
  const { client, args, request } = ctx;
  let run: TaskRun | undefined;
  try {
    return await callToolAsTask(client, tool.name, args.args ?? {}, {
      ...request,
      onTask: r => {
        run = r;
        if (args.verbose) ctx.err(`mcp-host: ${client.name} runs ${tool.name} as task ${r.taskId}\n`);
      },
      onStatus: t => ctx.status?.(`${client.name}: ${tool.name} (task) ${describeTaskStatus(t)}`),
    });
  } catch (err) {
    if (run && request.signal?.aborted) ctx.err(`mcp-host: ${client.name}: task ${run.taskId} of ${tool.name} was cancelled with tasks/cancel; the server says: ${describeTaskStatus(run.task)}\n`);
    throw err;
  }
}

async function findTool(ctx: CommandContext, name: string) {
  const { client, request } = ctx;
  const tools = client.has('tools') ? await client.listTools(request) : [];
  const tool = tools.find(t => t.name === name);
  if (!tool) {
    const names = tools.map(t => t.name);
    throw new UsageError(`${client.name} has no tool named "${name}"`, names.length ? `Its tools: ${names.join(', ')}.` : client.has('tools') ? 'It lists no tools.' : 'It does not offer tools.');
  }
  return tool;
}

/** With --save, the resources that resource links point to are read, to be saved under the link's name. */
async function readLinks(ctx: CommandContext, content: readonly ContentBlock[], saver: BinarySaver): Promise<LinkedContents | undefined> {
  if (!saver.enabled) return undefined;
  const links = content.filter(b => b.type === 'resource_link');
  if (!links.length) return undefined;
  const out = new Map<string, ReadResourceResult | Error>();
  for (const link of links) {
    if (out.has(link.uri)) continue;
    try {
      out.set(link.uri, await ctx.client.readResource(link.uri, ctx.request));
    } catch (err) {
      if (ctx.request.signal?.aborted) throw err;
      out.set(link.uri, err instanceof Error ? err : new Error(String(err)));
    }
  }
  return out;
}

/** Files --save left alone because they exist: the command printed its result, but did not do all it was asked. */
function refusedSaves(ctx: CommandContext, saver: BinarySaver): number {
  if (!saver.refused.length) return ExitCode.Ok;
  const n = saver.refused.length;
  ctx.err(`mcp-host: ${n} file${n > 1 ? 's' : ''} already exist${n > 1 ? '' : 's'} in ${saver.directory} and ${n > 1 ? 'were' : 'was'} not replaced: ${saver.refused.join(', ')}\nPass --force to replace ${n > 1 ? 'them' : 'it'}, or choose another --save directory.\n`);
  return ExitCode.Usage;
}
