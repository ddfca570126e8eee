// What each command asks the server and how its answer is printed.

import type { McpClient, RequestOptions } from '../core.ts';
import type { CliArgs } from './args.ts';
import { ExitCode, UsageError } from './errors.ts';
import {
  BinarySaver, formatCallResult, formatContent, formatJson, formatPromptResult, formatPrompts, formatReadResult,
  formatResources, formatTemplates, formatTools,
} from './format.ts';

export interface CommandContext {
  client: McpClient;
  args: CliArgs;
  request: RequestOptions;
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function runCommand(ctx: CommandContext): Promise<number> {
  const { client, args, request, out } = ctx;
  const saver = new BinarySaver(args.save);
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
    case 'call': {
      const name = args.subject!;
      // Listing first lets the client check structuredContent against the tool's output
      // schema, and turns a misspelt name into a helpful usage error.
      const tools = await client.listTools(request);
      if (!tools.some(t => t.name === name)) {
        const names = tools.map(t => t.name);
        throw new UsageError(`${client.name} has no tool named "${name}"`, names.length ? `Its tools: ${names.join(', ')}.` : `It lists no tools.`);
      }
      const result = await client.callTool(name, args.args ?? {}, request);
      if (args.json) out(formatJson(result));
      if (result.isError) {
        if (!args.json) ctx.err(`mcp-host: ${client.name} › tools/call ${name}: the tool reported an error:\n${formatContent(result.content, saver, name) || '(no details)\n'}`);
        return ExitCode.ToolError;
      }
      if (!args.json) out(formatCallResult(result, saver, name));
      return ExitCode.Ok;
    }
    case 'read': {
      const result = await client.readResource(args.subject!, request);
      out(args.json ? formatJson(result) : formatReadResult(result, saver));
      return ExitCode.Ok;
    }
    case 'prompt': {
      const name = args.subject!;
      const promptArgs: Record<string, string> = {};
      for (const [k, v] of Object.entries(args.args ?? {})) promptArgs[k] = typeof v === 'string' ? v : JSON.stringify(v);
      const result = await client.getPrompt(name, promptArgs, request);
      out(args.json ? formatJson(result) : formatPromptResult(result, saver, name));
      return ExitCode.Ok;
    }
    case 'servers':
      throw new Error('servers needs no connection');
  }
}
