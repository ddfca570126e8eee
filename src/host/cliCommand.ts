// A request → the `mcp-host` command line a person could paste into a POSIX shell to
// send it again from a terminal (the trace's and the tool history's "Copy as CLI
// command"). Checked against the CLI's own parser (test/unit/cliCommand.test.ts).

/** What a shell word may hold unquoted: nothing that globs, expands, splits or starts a comment. */
const PLAIN = /^[A-Za-z0-9_@%+:,./-]+$/;

/** `word` as one POSIX shell word: as is when plain, else in single quotes ('\'' for a quote). */
export function shellQuote(word: string): string {
  if (PLAIN.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Whether a word can travel in an argv at all: no NUL, no lone surrogate (it would arrive changed). */
const passable = (word: string) => !word.includes('\0') && !/\p{Cs}/u.test(word);

const LISTS: Record<string, string> = {
  'tools/list': 'tools',
  'resources/list': 'resources',
  'resources/templates/list': 'templates',
  'prompts/list': 'prompts',
};

/**
 * The `mcp-host` command that sends this request to this server (named as in its
 * configuration; the CLI finds it with `--server`), or undefined for a method the CLI
 * has no command for, or params it could not carry.
 *
 * `scope` is accepted but not said: the CLI has no flag for it (a workspace server
 * shadows a user server of the same name there, as in VS Code).
 */
export function cliCommandFor(server: { name: string; scope?: string }, method: string, params: unknown): string | undefined {
  if (!server.name || !passable(server.name)) return undefined;
  const p = (params && typeof params === 'object' && !Array.isArray(params) ? params : {}) as Record<string, unknown>;
  const list = LISTS[method];
  if (list) return join(list, undefined, undefined, server.name);
  switch (method) {
    case 'tools/call':
    case 'prompts/get': {
      if (typeof p.name !== 'string' || !p.name) return undefined;
      const args = p.arguments;
      if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) return undefined;
      return join(method === 'tools/call' ? 'call' : 'prompt', p.name, args as Record<string, unknown> | undefined, server.name);
    }
    case 'resources/read':
      if (typeof p.uri !== 'string' || !p.uri) return undefined;
      return join('read', p.uri, undefined, server.name);
    default:
      return undefined;
  }
}

function join(command: string, subject: string | undefined, args: Record<string, unknown> | undefined, serverName: string): string | undefined {
  if (subject !== undefined && !passable(subject)) return undefined;
  const words = ['mcp-host', command];
  // A subject that starts with "-" would be read as an option: it goes after "--" instead.
  const dashed = subject !== undefined && subject.startsWith('-') && subject !== '-';
  if (subject !== undefined && !dashed) words.push(shellQuote(subject));
  if (args && Object.keys(args).length > 0) {
    let json: string;
    try { json = JSON.stringify(args); } catch { return undefined; }
    // JSON escapes NUL and lone surrogates itself; an object's text never starts with "-".
    words.push('--args', shellQuote(json));
  }
  // `--server -x` would be taken for a missing value: a name that starts with "-" is attached.
  words.push(...(serverName.startsWith('-') ? [`--server=${shellQuote(serverName)}`] : ['--server', shellQuote(serverName)]));
  if (dashed) words.push('--', shellQuote(subject!));
  return words.join(' ');
}
