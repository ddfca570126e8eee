#!/usr/bin/env node
// The `mcp-host` executable (dist/cli.js once bundled; `node src/cli/bin.ts` from source).

import { main } from './main.ts';

// `mcp-host tools … | head` closes our stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

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
