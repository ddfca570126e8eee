// The conformance adapter: `@modelcontextprotocol/conformance client --command "node
// test/conformance/client.ts"` runs this with the server's URL as the last argument and
// the scenario in MCP_CONFORMANCE_SCENARIO (the suite's own context, when a scenario has
// one, in MCP_CONFORMANCE_CONTEXT). Each scenario is one or more invocations of the
// mcp-host CLI — what a person would type, with flags `mcp-host --help` documents — so
// the suite tests the product (argument parsing, version negotiation, transport choice,
// elicitation policy, exit codes), not a special-purpose client.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

/** One CLI run; its stdout is returned when `capture` (for a step that reads the output). */
async function mcpHost(argv: string[], capture = false): Promise<{ code: number; stdout: string }> {
  const full = [...argv, '--verbose', '--timeout', '20000'];
  process.stderr.write(`conformance client: mcp-host ${full.map(a => /[\s"'{}]/.test(a) ? `'${a}'` : a).join(' ')}\n`);
  let stdout = '';
  const sink = new Writable({ write(chunk, _e, done) { stdout += String(chunk); process.stdout.write(chunk); done(); } });
  const code = await main(full, capture ? { stdout: sink } : {});
  return { code, stdout };
}

/** Runs the steps in order; the first failing one decides the exit code. */
async function steps(...runs: Array<() => Promise<number>>): Promise<number> {
  for (const run of runs) {
    const code = await run();
    if (code !== 0) return code;
  }
  return 0;
}

const call = (url: string, tool: string, args?: unknown, extra: string[] = []) => async () => (await mcpHost(['call', tool, ...(args !== undefined ? ['--args', JSON.stringify(args)] : []), ...extra, '--url', url])).code;

const SCENARIOS: Record<string, (url: string, context: Record<string, unknown>) => Promise<number>> = {
  // The handshake, whichever revision: list the tools.
  initialize: async url => (await mcpHost(['tools', '--url', url])).code,
  tools_call: url => call(url, 'add_numbers', { a: 5, b: 7 })(),
  // SEP-1034: a form accepted without a person gets every field's default.
  'elicitation-sep1034-client-defaults': url => call(url, 'test_client_elicitation_defaults', undefined, ['--elicit', 'accept-defaults'])(),
  // SEP-1699: the tool's SSE stream closes before the result; the client reconnects with
  // GET and Last-Event-ID after the server's `retry` delay and gets the result there.
  'sse-retry': url => call(url, 'test_reconnection')(),
  // SEP-2575: per-request _meta and the version header; the first request is refused
  // with the versions the server speaks, and the CLI tries again with one of them.
  'request-metadata': async url => (await mcpHost(['tools', '--url', url])).code,
  // SEP-2322 (multi round-trip requests): four tools, one of which asks for a form twice.
  'sep-2322-client-request-state': url => steps(
    call(url, 'test_mrtr_echo_state', undefined, ['--elicit', 'accept-defaults']),
    call(url, 'test_mrtr_no_state', undefined, ['--elicit', 'accept-defaults']),
    call(url, 'test_mrtr_unrelated'),
    call(url, 'test_mrtr_no_result_type'),
  ),
  // SEP-2243: Mcp-Method and Mcp-Name on every kind of request.
  'http-standard-headers': url => steps(
    async () => (await mcpHost(['tools', '--url', url])).code,
    call(url, 'test_headers'),
    call(url, 'my-hyphenated-tool'),
    async () => (await mcpHost(['resources', '--url', url])).code,
    async () => (await mcpHost(['read', 'file:///path/to/file%20name.txt', '--url', url])).code,
    async () => (await mcpHost(['read', 'https://example.com/resource?id=123', '--url', url])).code,
    async () => (await mcpHost(['prompts', '--url', url])).code,
    async () => (await mcpHost(['prompt', 'test_prompt', '--url', url])).code,
  ),
  // SEP-2243: the calls the suite names, with their Mcp-Param-* headers.
  'http-custom-headers': (url, context) => steps(
    ...((context.toolCalls as Array<{ name: string; arguments: unknown }> | undefined) ?? []).map(c => call(url, c.name, c.arguments)),
  ),
  // Tools whose x-mcp-header declarations are invalid are not offered: list, then call
  // each tool that is (a person would do the same).
  'http-invalid-tool-headers': async url => {
    const listed = await mcpHost(['tools', '--json', '--url', url], true);
    if (listed.code !== 0) return listed.code;
    const tools = (JSON.parse(listed.stdout) as { tools: Array<{ name: string }> }).tools;
    return steps(...tools.map(t => call(url, t.name, { region: 'us-west1' })));
  },
  // SEP-2106: a network $ref in a tool's schema is never fetched.
  'json-schema-ref-no-deref': async url => (await mcpHost(['describe', 'lookup_user', '--url', url])).code,
  // JSON Schema 2020-12 keywords survive: describe the tool, send its schema back.
  'json-schema-2020-12-preservation': async url => {
    const described = await mcpHost(['describe', 'json_schema_2020_12_tool', '--json', '--url', url], true);
    if (described.code !== 0) return described.code;
    const tool = JSON.parse(described.stdout) as { inputSchema: unknown };
    return call(url, 'json_schema_echo', { schema: tool.inputSchema })();
  },
  // SEP-2640: listing skills reads none of their files.
  'sep-2640-client-no-prefetch': async url => (await mcpHost(['skills', '--url', url])).code,
  // SEP-2640: saving a skill whose SKILL.md was tampered with reads SKILL.md, refuses it
  // (exit 5) before reading anything else, and writes nothing.
  'sep-2640-client-verify-digest': url => saveSkill(url, 'pdf-processing'),
  'sep-2640-client-verify-size': url => saveSkill(url, 'pdf-processing'),
  'sep-2640-client-verify-frontmatter': url => saveSkill(url, 'pdf-processing'),
};

/** `mcp-host skill NAME --save DIR`, into a fresh folder that must stay empty when the skill is refused. */
async function saveSkill(url: string, name: string): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-host-skill-'));
  try {
    const { code } = await mcpHost(['skill', name, '--save', dir, '--url', url]);
    const written = readdirSync(dir);
    process.stderr.write(`conformance client: ${written.length ? `the refused skill left ${written.join(', ')} in ${dir}` : `nothing was written to ${dir}`}\n`);
    return written.length && code !== 0 ? 70 : code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every authorization scenario is one command: call the suite's tool, signing in as a
 * person would — the "browser" ($BROWSER, browser.mjs) follows the authorization page's
 * redirect — with the product's client metadata document URL, keeping nothing on disk.
 * What the suite's context holds becomes the documented flags, by one rule for all:
 * credentials → --client-id/--client-secret, a key → --private-key FILE, a workload's JWT
 * → --grant jwt-bearer --assertion @FILE, an identity provider's ID token → --grant id-jag
 * --idp-token-endpoint --idp-client-id --id-token @FILE. The grant without a person is the one choice a
 * user makes by scenario family (client credentials).
 */
async function signIn(url: string, context: Record<string, unknown>, scenario: string): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-host-auth-'));
  try {
    const flags = ['--client-metadata-url', CLIENT_METADATA_URL, '--no-store'];
    if (typeof context.client_id === 'string') flags.push('--client-id', context.client_id);
    if (typeof context.client_secret === 'string') flags.push('--client-secret', context.client_secret);
    if (typeof context.private_key_pem === 'string') {
      const key = path.join(dir, 'key.pem');
      writeFileSync(key, context.private_key_pem, { mode: 0o600 });
      flags.push('--private-key', key, '--client-auth', 'private_key_jwt');
      if (typeof context.signing_algorithm === 'string') flags.push('--signing-alg', context.signing_algorithm);
    }
    if (typeof context.valid_jwt === 'string') {
      const jwt = path.join(dir, 'assertion.jwt');
      writeFileSync(jwt, context.valid_jwt, { mode: 0o600 });
      flags.push('--grant', 'jwt-bearer', '--assertion', `@${jwt}`);
    } else if (typeof context.idp_id_token === 'string') {
      const idToken = path.join(dir, 'id-token.jwt');
      writeFileSync(idToken, context.idp_id_token, { mode: 0o600 });
      flags.push('--grant', 'id-jag', '--idp-token-endpoint', String(context.idp_token_endpoint), '--idp-client-id', String(context.idp_client_id), '--id-token', `@${idToken}`);
    } else if (scenario.startsWith('auth/client-credentials')) {
      flags.push('--grant', 'client_credentials');
    }
    return (await mcpHost(['call', 'test-tool', ...flags, '--url', url])).code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
/** The URL the suite's CIMD scenario expects a client to publish its metadata at. */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';
process.env.BROWSER = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(path.dirname(new URL(import.meta.url).pathname), 'browser.mjs'))}`;

const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const url = process.argv[process.argv.length - 1];
const run = scenario.startsWith('auth/') ? (u: string, c: Record<string, unknown>) => signIn(u, c, scenario) : SCENARIOS[scenario];
let context: Record<string, unknown> = {};
try { context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}'); } catch { /* none */ }
if (!url || !/^https?:/.test(url) || !run) {
  process.stderr.write(!url || !/^https?:/.test(url)
    ? 'usage: MCP_CONFORMANCE_SCENARIO=NAME node test/conformance/client.ts SERVER_URL\n'
    : `conformance client: scenario "${scenario}" is not supported (supported: ${Object.keys(SCENARIOS).join(', ')})\n`);
  process.exitCode = 2;
} else {
  run(url, context).then(code => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 3000).unref();
  }, err => {
    process.stderr.write(`conformance client: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(70);
  });
}

export { SCENARIOS };
