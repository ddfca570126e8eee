#!/usr/bin/env node
// The `mcp-host` executable (dist/cli.js once bundled; `node src/cli/bin.ts` from source).

import { main } from './main.ts';

// `mcp-host tools … | head` closes our stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// A listener that throws (the core's emitters rethrow a listener's error on its own
// tick) or a promise nobody awaited must not kill a command half-way, leaving its answer
// unprinted: report it, and let the command finish and close its server.
let internalErrors = 0;
const report = (kind: string) => (err: unknown) => {
  if (++internalErrors > 20) return; // a storm of the same fault: the first ones say it
  process.stderr.write(`mcp-host: internal error (${kind}; the command goes on): ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
};
process.on('uncaughtException', report('uncaught exception'));
process.on('unhandledRejection', report('unhandled rejection'));

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
    // Everything is closed by now; should a stray handle remain, do not hang the shell.
    setTimeout(() => process.exit(code), 3000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`mcp-host: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(70);
  },
);
