// The conformance adapter: `@modelcontextprotocol/conformance client --command "node
// test/conformance/client.ts"` runs this with the server's URL as the last argument and
// the scenario in MCP_CONFORMANCE_SCENARIO. Each scenario is one invocation of the
// mcp-host CLI, so the suite tests what a user runs (argument parsing, transport
// choice, elicitation policy, exit code), not a special-purpose client.

import { main } from '../../src/cli/main.ts';

const SCENARIOS: Record<string, (url: string) => string[]> = {
  // initialize, then list tools (the handshake and the version and clientInfo checks).
  initialize: url => ['tools', '--url', url],
  tools_call: url => ['call', 'add_numbers', '--args', '{"a":5,"b":7}', '--url', url],
  // SEP-1034: a form accepted without a person gets every field's default.
  'elicitation-sep1034-client-defaults': url => ['call', 'test_client_elicitation_defaults', '--elicit', 'accept-defaults', '--url', url],
  // SEP-1699: the tool's SSE stream closes before the result; the client reconnects with
  // GET and Last-Event-ID after the server's `retry` delay and gets the result there.
  'sse-retry': url => ['call', 'test_reconnection', '--url', url],
};

const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const url = process.argv[2];
const build = SCENARIOS[scenario];
if (!url || !build) {
  process.stderr.write(!url
    ? 'usage: MCP_CONFORMANCE_SCENARIO=NAME node test/conformance/client.ts SERVER_URL\n'
    : `conformance client: scenario "${scenario}" is not supported (supported: ${Object.keys(SCENARIOS).join(', ')})\n`);
  process.exitCode = 2;
} else {
  const argv = [...build(url), '--verbose', '--timeout', '20000'];
  process.stderr.write(`conformance client: mcp-host ${argv.map(a => /[\s"'{}]/.test(a) ? `'${a}'` : a).join(' ')}\n`);
  main(argv).then(code => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 3000).unref();
  }, err => {
    process.stderr.write(`conformance client: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(70);
  });
}
