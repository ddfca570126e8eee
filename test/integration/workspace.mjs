// Writes the fixture workspace and user settings used by the e2e harness
// (test/e2e/run.mjs), the demo (scripts/demo.sh) and test/integration/runTestElectron.mjs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Server names used by the suite and the UI tests. */
export const SERVER = {
  everything: 'everything', filesystem: 'filesystem', basic: 'basic',
  // MCP 2026-07-28 (issue 9): the stateless fixture on @modelcontextprotocol/server 2.4 over
  // stdio, and the SDK's skills server over the skill folders of test/integration/skills.
  stateless: 'stateless', skills: 'skills',
};
/** server-everything reached over its HTTP transports (when the harness runs them). */
export const REMOTE = { http: 'everything-http', sse: 'everything-sse' };
/** The stateless fixture over Streamable HTTP (when the harness runs it: `remote.stateless`). */
export const STATELESS_HTTP = 'stateless-http';
/** The folder of skill folders the skills server serves (one skill, `e2e-review`, with 2 files). */
export const SKILLS_ROOT = path.join(REPO, 'test', 'integration', 'skills');

/**
 * The MCP server definitions (the `servers` object of `.vscode/mcp.json`).
 * `node` is the Node binary that runs the servers; `withStateless: false` leaves out the
 * 2026-07-28 fixtures (stateless, skills).
 */
export function serverDefinitions({ node = process.execPath, withBasic = true, withStateless = true, remote } = {}) {
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
  const fixtures = path.join(REPO, 'test', 'fixtures', 'servers');
  if (withStateless && fs.existsSync(path.join(fixtures, 'stateless.mjs'))) {
    servers[SERVER.stateless] = { type: 'stdio', command: node, args: [path.join(fixtures, 'stateless.mjs'), 'stdio'] };
  }
  if (withStateless && fs.existsSync(path.join(fixtures, 'skills-sdk.mjs'))) {
    servers[SERVER.skills] = { type: 'stdio', command: node, args: [path.join(fixtures, 'skills-sdk.mjs'), SKILLS_ROOT] };
  }
  // The same server over Streamable HTTP and legacy SSE: `remote` = { http, sse } base URLs.
  if (remote?.http) servers[REMOTE.http] = { type: 'http', url: `${remote.http}/mcp` };
  if (remote?.sse) servers[REMOTE.sse] = { type: 'sse', url: `${remote.sse}/sse` };
  // remote.stateless is the fixture's endpoint URL itself (it prints it when listening).
  if (remote?.stateless) servers[STATELESS_HTTP] = { type: 'http', url: remote.stateless };
  return servers;
}

/**
 * Servers whose definitions carry planted secrets (issue 8, item 5: none may reach a log,
 * a trace, a tooltip or the API): the secrets fixture over stdio, and server-everything over
 * Streamable HTTP with credentials in its headers and URL.
 */
export const SECRET_SERVER = { stdio: 'secrets', http: 'secrets-http' };
/** The environment variable the harness sets for code-server (the extension host inherits it). */
export const SECRET_ENV_VAR = 'MCPH_E2E_SECRET_TOKEN';
/**
 * The password inputs of the secrets server. VS Code asks each in an input box titled
 * `MCP Host: <description>` (src/vscode/inputs.ts); the harness types `secret` there.
 */
export const SECRET_INPUTS = [
  { id: 'e2e-password', description: 'E2E password', secret: 'inputLong' },
  // A short password is masked too, as a whole word ("whatever its length").
  { id: 'e2e-pin', description: 'E2E PIN', secret: 'inputShort' },
];

/**
 * A unique value for every place a secret can be planted. `inputShort` is 3 characters (the
 * redactor masks short values only as whole words, so the grep for it does too).
 */
export function plantedSecrets(tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`) {
  const t = tag.replace(/[^A-Za-z0-9]/g, '');
  return {
    inputLong: `PWINPUT${t}`,
    inputShort: 'Zq7',
    envToken: `ENVTOKEN${t}`,
    envVar: `ENVVAR${t}`,
    argPassword: `ARGPW${t}`,
    argKey: `ARGKEY${t}`,
    bearer: `BEARER${t}`,
    cookie: `COOKIE${t}`,
    apiKey: `APIKEY${t}`,
    urlPass: `URLPASS${t}`,
    query: `QUERY${t}`,
  };
}

/**
 * The secret-carrying definitions and their `inputs`: `secrets` (stdio) with an `env` value
 * under a credential name, an argument from `${env:MCPH_E2E_SECRET_TOKEN}` and two password
 * inputs as arguments; `secrets-http` (server-everything at `remote.http`) with Authorization,
 * Cookie and X-Api-Key headers and a URL with user:password@ and ?token=….
 */
export function secretDefinitions(S, { node = process.execPath, remote } = {}) {
  const servers = {
    [SECRET_SERVER.stdio]: {
      type: 'stdio',
      command: node,
      args: [
        path.join(REPO, 'test', 'fixtures', 'servers', 'secrets.mjs'),
        '--password', `\${input:${SECRET_INPUTS[0].id}}`, '--pin', `\${input:${SECRET_INPUTS[1].id}}`,
        `\${env:${SECRET_ENV_VAR}}`,
      ],
      env: { API_TOKEN: S.envToken },
    },
  };
  if (remote?.http) {
    const u = new URL(`${remote.http}/mcp`);
    servers[SECRET_SERVER.http] = {
      type: 'http',
      url: `${u.protocol}//e2e-user:${S.urlPass}@${u.host}${u.pathname}?token=${S.query}`,
      headers: { Authorization: `Bearer ${S.bearer}`, Cookie: `sid=${S.cookie}; theme=dark`, 'X-Api-Key': S.apiKey },
    };
  }
  const inputs = SECRET_INPUTS.map((i) => ({ type: 'promptString', id: i.id, description: i.description, password: true }));
  return { servers, inputs };
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
  // No close animations: VS Code 1.139 makes a closing quick input inert for its animation, and a
  // command's own quick pick shown during the palette's can stay inert (seen twice in CI runs).
  'workbench.reduceMotion': 'on',
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
  let inputs = [];
  if (opts.secrets) {
    const planted = secretDefinitions(opts.secrets, opts);
    Object.assign(servers, planted.servers);
    inputs = planted.inputs;
  }
  fs.writeFileSync(path.join(dir, '.vscode', 'mcp.json'), JSON.stringify({ servers, inputs }, null, 2) + '\n');
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

/** User-level servers of the untrusted phase (`mcpHost.servers` in the user settings). */
export const USER_SERVER = {
  /** Its command is a script inside the workspace (`${workspaceFolder}/.venv/bin/evil`). */
  venvCommand: 'user-venv-command',
  /** An innocent command, but its envFile is the workspace's `.env` (NODE_OPTIONS=--require …evil.js). */
  envFile: 'user-env-file',
  /** Touches nothing in the workspace: it runs, also in Restricted Mode. */
  plain: 'user-plain',
};

/**
 * Plants what a hostile repository could hold, for the untrusted phase: an executable
 * `.venv/bin/evil` and an `evil.js` preloaded through `.env`'s NODE_OPTIONS, each writing a
 * marker file under `markerDir` (outside the workspace) if it ever runs. Returns the marker
 * paths, the user-level server definitions that reach into the workspace through them (plus
 * a plain one that does not), and `probe()`, which runs both planted things outside VS Code
 * and so shows the markers do get written when they run (the check is armed).
 */
export function plantHostileWorkspace(workspace, markerDir, { node = process.execPath } = {}) {
  fs.mkdirSync(markerDir, { recursive: true });
  const markers = { venvCommand: path.join(markerDir, 'venv-command-ran'), envFile: path.join(markerDir, 'env-file-ran') };
  const bin = path.join(workspace, '.venv', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const evil = path.join(bin, 'evil');
  fs.writeFileSync(evil, `#!/bin/sh\n# Planted by the e2e harness: a repository's interpreter that must never run in Restricted Mode.\necho "ran as pid $$" > '${markers.venvCommand}'\nexit 1\n`);
  fs.chmodSync(evil, 0o755);
  const evilJs = path.join(workspace, 'evil.js');
  fs.writeFileSync(evilJs, `// Planted by the e2e harness: preloaded through .env's NODE_OPTIONS; must never run in Restricted Mode.\nrequire('fs').writeFileSync(${JSON.stringify(markers.envFile)}, 'ran as pid ' + process.pid + '\\n');\n`);
  // An absolute path, so it loads whatever working directory the host gives a user server
  // (its home directory): the check must be able to fail. A real repository would write
  // `--require ./evil.js` and rely on a workspace cwd; here the envFile is what reaches in.
  fs.writeFileSync(path.join(workspace, '.env'), `# Planted by the e2e harness\nNODE_OPTIONS=--require ${evilJs}\n`);
  const innocent = path.join(REPO, 'test', 'fixtures', 'servers', 'echo-fast.mjs');
  const servers = {
    [USER_SERVER.venvCommand]: { type: 'stdio', command: '${workspaceFolder}/.venv/bin/evil', args: ['-m', 'mcp_server'] },
    [USER_SERVER.envFile]: { type: 'stdio', command: node, args: [innocent], envFile: '${workspaceFolder}/.env' },
    [USER_SERVER.plain]: { type: 'stdio', command: node, args: [innocent] },
  };
  const probe = async () => {
    const { execFileSync } = await import('node:child_process');
    try { execFileSync(evil, [], { stdio: 'ignore' }); } catch { /* it exits 1 on purpose */ }
    const nodeOptions = /^NODE_OPTIONS=(.*)$/m.exec(fs.readFileSync(path.join(workspace, '.env'), 'utf8'))[1];
    execFileSync(node, [innocent], { input: '', stdio: ['pipe', 'ignore', 'ignore'], env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions }, timeout: 30000 });
    const written = Object.entries(markers).filter(([, f]) => fs.existsSync(f)).map(([k]) => k);
    for (const f of Object.values(markers)) fs.rmSync(f, { force: true });
    return written;
  };
  return { markers, servers, probe };
}
