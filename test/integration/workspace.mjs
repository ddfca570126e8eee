// Writes the fixture workspace and user settings used by the e2e harness
// (test/e2e/run.mjs), the demo (scripts/demo.sh) and test/integration/runTestElectron.mjs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Server names used by the suite and the UI tests. */
export const SERVER = { everything: 'everything', filesystem: 'filesystem', basic: 'basic' };
/** server-everything reached over its HTTP transports (when the harness runs them). */
export const REMOTE = { http: 'everything-http', sse: 'everything-sse' };

/**
 * The MCP server definitions (the `servers` object of `.vscode/mcp.json`).
 * `node` is the Node binary that runs the servers.
 */
export function serverDefinitions({ node = process.execPath, withBasic = true, remote } = {}) {
  const mods = path.join(REPO, 'node_modules', '@modelcontextprotocol');
  const servers = {
    [SERVER.everything]: {
      type: 'stdio',
      command: node,
      args: [path.join(mods, 'server-everything', 'dist', 'index.js'), 'stdio'],
    },
    // No directory arguments: the server asks the host for its roots (the workspace folders).
    [SERVER.filesystem]: {
      type: 'stdio',
      command: node,
      args: [path.join(mods, 'server-filesystem', 'dist', 'index.js')],
    },
  };
  const basic = path.join(REPO, 'test', 'fixtures', 'servers', 'basic.mjs');
  if (withBasic && fs.existsSync(basic)) {
    servers[SERVER.basic] = { type: 'stdio', command: node, args: [basic] };
  }
  // The same server over Streamable HTTP and legacy SSE: `remote` = { http, sse } base URLs.
  if (remote?.http) servers[REMOTE.http] = { type: 'http', url: `${remote.http}/mcp` };
  if (remote?.sse) servers[REMOTE.sse] = { type: 'sse', url: `${remote.sse}/sse` };
  return servers;
}

/** Settings that keep VS Code's own MCP support and the welcome page/tips out of the way. */
export const QUIET_SETTINGS = {
  // VS Code 1.139's built-in MCP support also reads .vscode/mcp.json: never start or
  // discover servers on its own, so every server process belongs to MCP Host.
  'chat.mcp.access': 'none',
  'chat.mcp.autostart': 'never',
  'chat.mcp.discovery.enabled': {
    'claude-desktop': false, windsurf: false, 'cursor-global': false, 'cursor-workspace': false,
  },
  'chat.mcp.gallery.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  // code-server sees every port opened on the machine; don't pop up forwarding toasts.
  'remote.autoForwardPorts': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'security.workspace.trust.startupPrompt': 'always',
  'security.workspace.trust.untrustedFiles': 'open',
  'window.commandCenter': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'editor.minimap.enabled': false,
};

/**
 * Creates `dir` as a workspace whose .vscode/mcp.json lists the fixture servers, with a
 * couple of files for server-filesystem to find. Returns the definitions written.
 */
export function writeWorkspace(dir, opts = {}) {
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  const servers = serverDefinitions(opts);
  fs.writeFileSync(path.join(dir, '.vscode', 'mcp.json'), JSON.stringify({ servers, inputs: [] }, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'README.md'), '# MCP Host sample workspace\n\nserver-filesystem sees this folder through MCP roots.\n');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello from the MCP Host fixture workspace\n');
  return servers;
}

/** Writes `<userDataDir>/User/settings.json` (merged over QUIET_SETTINGS). */
export function writeUserSettings(userDataDir, extra = {}) {
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  const settings = { ...QUIET_SETTINGS, ...extra };
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  return settings;
}
