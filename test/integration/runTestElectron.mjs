#!/usr/bin/env node
// npm run test:vscode — the integration suite through @vscode/test-electron, for machines
// that can download VS Code (the e2e harness runs the same suite under code-server here).
//
// Loads MCP Host (repo root, built to dist/) and the test companion (its language model)
// as development extensions, opens a fresh fixture workspace, and runs
// test/integration/suite/index.js. The servers are defined at user level
// (`mcpHost.servers`) so no start-consent dialog (there is no person to answer it) and no
// workspace trust gate applies; the suite is told to expect scope "user" and exactly the
// servers defined here (MCP_HOST_TEST_SERVERS): the remote ones (server-everything over HTTP
// and SSE) are not started here, so their test is reported as skipped, never as passed; so
// are the tests that need the e2e harness (planted secrets, a person answering the consent
// dialog of mcpHost.addServer: suite/trust.js).
//   VSCODE_VERSION=stable|insiders|1.110.0 (default stable)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { REPO, SERVER, serverDefinitions, writeUserSettings } from './workspace.mjs';

const require = createRequire(import.meta.url);
const { runTests } = require('@vscode/test-electron');

execFileSync(process.execPath, [path.join(REPO, 'esbuild.mjs')], { cwd: REPO, stdio: 'inherit' });

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-host-test-electron-'));
const workspace = path.join(base, 'workspace');
const userDataDir = path.join(base, 'user-data');
const extensionsDir = path.join(base, 'extensions');
fs.mkdirSync(workspace, { recursive: true });
fs.writeFileSync(path.join(workspace, 'README.md'), '# MCP Host sample workspace\n');
fs.writeFileSync(path.join(workspace, 'notes.txt'), 'hello from the MCP Host fixture workspace\n');
const servers = serverDefinitions({ node: process.execPath });
writeUserSettings(userDataDir, {
  'mcpHost.servers': servers,
  'mcpHost.sampling.allowedServers': [SERVER.basic],
  'mcpHost.sampling.model': 'mcp-host-test',
  // The suite answers elicitation and sampling through dialogs and quick inputs.
  'mcpHost.forms': 'quickInput',
});

let code = 1;
try {
  code = await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: [REPO, path.join(REPO, 'test', 'integration', 'companion')],
    extensionTestsPath: path.join(REPO, 'test', 'integration', 'suite', 'index.js'),
    extensionTestsEnv: { MCP_HOST_TEST_SCOPE: 'user', MCP_HOST_TEST_SERVERS: Object.keys(servers).join(',') },
    launchArgs: [
      workspace,
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
  });
} catch (e) {
  console.error(`test-electron failed: ${e && e.message ? e.message : e}`);
  code = 1;
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
process.exit(code);
