// `${input:ID}` in a configuration, answered from MCP_HOST_INPUT_<ID> or asked on the
// terminal (masked for `password` inputs), once per id and run. Nothing is stored: the
// editor keeps secrets in SecretStorage; a terminal user keeps them in the environment.

import type { ConfigInput } from '../core.ts';
import type { LineReader } from './terminal.ts';

/** MCP_HOST_INPUT_<ID>: the id upper-cased, every other character than A-Z and 0-9 as "_". */
export function inputEnvName(id: string): string {
  return `MCP_HOST_INPUT_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export interface InputContext {
  server: string;
  env: Record<string, string | undefined>;
  /** A reader on the terminal, or undefined when there is none. */
  reader: (() => LineReader) | undefined;
  /** Where the question's preamble goes (stderr). */
  write: (text: string) => void;
  /** Ctrl-C: stops asking. */
  signal?: AbortSignal;
}

export function createInputResolver(ctx: InputContext): (id: string, input: ConfigInput | undefined) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  return (id, input) => {
    let value = cache.get(id);
    if (!value) {
      value = resolve(ctx, id, input);
      cache.set(id, value);
    }
    return value;
  };
}

async function resolve(ctx: InputContext, id: string, input: ConfigInput | undefined): Promise<string> {
  const envName = inputEnvName(id);
  const fromEnv = ctx.env[envName] ?? ctx.env[`MCP_HOST_INPUT_${id}`];
  if (fromEnv !== undefined) return fromEnv;
  if (!ctx.reader) {
    throw new Error(`\${input:${id}} needs a value: set ${envName} or run mcp-host on a terminal to be asked`);
  }
  const reader = ctx.reader();
  const label = input?.description ? `${input.description} (${id})` : id;
  ctx.write(`Server "${ctx.server}" needs the input ${label}.\n`);
  if (input?.type === 'pickString' && input.options?.length) {
    const options = input.options;
    ctx.write(options.map((o, i) => `  ${i + 1}) ${o}${o === input.default ? ' (default)' : ''}`).join('\n') + '\n');
    for (;;) {
      const answer = await reader.question(`Choose 1-${options.length}${input.default !== undefined ? ` [${input.default}]` : ''}: `, { signal: ctx.signal });
      if (answer === undefined) throw new Error(`no value for \${input:${id}} (end of input)`);
      const a = answer.trim();
      if (a === '' && input.default !== undefined) return input.default;
      const n = Number(a);
      if (Number.isInteger(n) && n >= 1 && n <= options.length) return options[n - 1]!;
      if (options.includes(a)) return a;
      ctx.write(`  Please enter a number from 1 to ${options.length}.\n`);
    }
  }
  const hasDefault = input?.default !== undefined;
  const shownDefault = hasDefault ? ` [${input!.password ? '••••••' : input!.default}]` : '';
  const answer = await reader.question(`${label}${shownDefault}: `, { mask: input?.password === true, signal: ctx.signal });
  if (answer === undefined) throw new Error(`no value for \${input:${id}} (end of input)`);
  return answer === '' && hasDefault ? input!.default! : answer;
}
