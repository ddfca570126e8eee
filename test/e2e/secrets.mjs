// Issue 8, item 5 in the real VS Code, the harness's half: after the trusted phase (servers
// defined with planted secrets, every log at trace — code-server `--log trace` — the login
// call made by the suite), grep every file under the phase's user-data logs dir (each output
// channel of the extension host is a file there: `exthost1/<extension id>/<channel>.log` for
// log channels, `exthost1/output_logging_*/N-<channel>.log` for the others) for every secret.
// The suite checks the API's log lines, the tooltips and api.servers() (suite/trust.js).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SECRET_ENV_VAR, SECRET_SERVER } from '../integration/workspace.mjs';

export const MASK = '••••••';

/** Every regular file under `dir`. */
export function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    let entries = [];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Finds `value`; a short one (under 4 characters) as a whole word, as the redactor masks it. */
export function finder(value) {
  return value.length < 4 ? new RegExp(`(?<![A-Za-z0-9])${escapeRe(value)}(?![A-Za-z0-9])`) : new RegExp(escapeRe(value));
}

/** `line` with each secret shown as ⟪its name⟫, cut around the first one. */
function shown(line, secrets) {
  let out = line;
  for (const [name, v] of Object.entries(secrets)) out = v.length < 4 ? out.replace(new RegExp(finder(v).source, 'g'), `⟪${name}⟫`) : out.split(v).join(`⟪${name}⟫`);
  const at = out.indexOf('⟪');
  return out.length > 300 ? `${at > 100 ? '…' : ''}${out.slice(Math.max(0, at - 100), at + 200)}…` : out;
}

/**
 * Why a hit is not MCP Host's, or undefined. One case: the harness puts the `${env:…}` secret
 * into code-server's environment, and VS Code's remote agent dumps its own environment at
 * trace (`getUnixShellEnvironment#env {…"MCPH_E2E_SECRET_TOKEN":"…"…}` in remoteagent.log):
 * the variable's name beside its value, in a file that is not one of MCP Host's channels.
 */
function excuse(file, line, name, secrets) {
  const ours = file.includes(`${path.sep}mcp-host.mcp-host${path.sep}`);
  if (name === 'envVar' && line.includes(`"${SECRET_ENV_VAR}":"${secrets.envVar}"`) && !ours) {
    return 'VS Code dumps its own process environment, where the harness set the variable';
  }
  // The extension host patches node:http and, at its own Debug/Trace level, logs every URL
  // its proxy resolver sees. A request must carry its query, so a token there reaches that
  // line; the URL's user info does not (MCP Host sends it as a header: httpRequest.ts).
  if (name === 'query' && !ours && /\bProxyResolver#resolveProxy\b/.test(line)) {
    return 'VS Code\'s proxy resolver logs the request URL, query included, at its Debug level';
  }
  return undefined;
}

/**
 * Each line of each file that holds a secret: {file, line (1-based), name, text (secrets
 * shown by name), excused?: why it is not MCP Host's}.
 */
export function scanFiles(files, secrets) {
  const hits = [];
  const finders = Object.entries(secrets).map(([name, v]) => [name, finder(v)]);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (!finders.some(([, re]) => re.test(text))) continue;
    text.split('\n').forEach((line, i) => {
      for (const [name, re] of finders) {
        if (re.test(line)) hits.push({ file, line: i + 1, name, text: shown(line, secrets), excused: excuse(file, line, name, secrets) });
      }
    });
  }
  return hits;
}

/** Each text (dialog, notification, input title) the harness saw that holds a secret. */
export function scanEntries(entries, secrets) {
  const hits = [];
  for (const e of entries) {
    const text = [e.text, e.detail, e.message, e.title].filter(Boolean).join('\n');
    for (const [name, v] of Object.entries(secrets)) if (finder(v).test(text)) hits.push({ kind: e.kind, name, text: shown(text, secrets) });
  }
  return hits;
}

/**
 * The checks, recorded through `record(name, ok, error)` once code-server has stopped (its
 * logs are complete): channel files exist for every server, the secrets server's shows the
 * masks and the traced login call (a silent log cannot pass), and no file holds a secret.
 */
export function checkPhaseLogs({ phase, secrets, record, rel, answerer, log, loginCalled = true }) {
  const logsDir = path.join(phase.userDataDir, 'logs');
  const files = filesUnder(logsDir);
  const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const channel = (server) => files.find((f) => path.basename(f) === `MCP Host ${server}.log` && f.includes(`${path.sep}mcp-host.mcp-host${path.sep}`));
  const missing = Object.keys(phase.servers).filter((n) => !channel(n));
  record(`${phase.name}: every server's output channel is a file under user-data/logs (${Object.keys(phase.servers).length} channels, ${files.length} files)`,
    missing.length === 0, `no channel file for ${missing.join(', ')} under ${rel(logsDir)}`);

  const secretsLog = channel(SECRET_SERVER.stdio);
  const text = secretsLog ? fs.readFileSync(secretsLog, 'utf8') : '';
  const expect = [
    ['a trace line of the handshake (the channel is at trace)', /\[trace\] ← .*"serverInfo":\{"name":"fixture-secrets"/],
    ['the fixture\'s argv on stderr, masked', /\[stderr\] secrets: started with argv \["--password","••••••","--pin","••••••","••••••"\] and API_TOKEN=••••••/],
    // The suite calls login (not made with --only ui).
    ...(loginCalled ? [
      ['a trace line of the login request', /\[trace\] → .*"method":"tools\/call".*"login"/],
      ['the password argument masked in the traced request', /\[trace\] → .*"password":"••••••"/],
      ['the fixture\'s stderr about the login, masked', /\[stderr\] secrets: login user ann password •••••• key ••••••/],
    ] : []),
  ];
  const absent = expect.filter(([, re]) => !re.test(text)).map(([what]) => what);
  record(`${phase.name}: the secrets server's channel file shows the traced traffic${loginCalled ? ' of the login call' : ''} and the masks`, !!secretsLog && absent.length === 0,
    secretsLog ? `${rel(secretsLog)} lacks: ${absent.join('; ')}` : `no "MCP Host ${SECRET_SERVER.stdio}.log" under ${rel(logsDir)}`);

  const all = scanFiles(files, secrets);
  const hits = all.filter((h) => !h.excused);
  for (const h of all.filter((x) => x.excused)) log(`  not MCP Host's: ${rel(h.file)}:${h.line}: ${h.name} (${h.excused})`);
  record(`${phase.name}: no planted secret (${Object.keys(secrets).length}) in any file under user-data/logs (${files.length} files, ${(bytes / 1024).toFixed(0)} KB, at trace)`,
    hits.length === 0, `leaks (${hits.length}):\n${leakReport(hits, rel)}`);

  const seen = answerer.entries;
  const uiHits = scanEntries(seen, secrets);
  const inputs = seen.filter((e) => e.kind === 'input');
  record(`${phase.name}: the password inputs were typed into masked input boxes; no planted secret in the ${seen.length} dialogs, input boxes and notifications seen`,
    uiHits.length === 0 && inputs.length >= 2 && inputs.every((e) => e.masked),
    [...uiHits.map((h) => `${h.kind}: ${h.name}: ${h.text}`), `input boxes answered: ${JSON.stringify(inputs)}`].join('\n'));
  return { files: files.length, bytes, hits };
}

/** One line per file line: `file:line: names: text`, at most 20, then how many more. */
function leakReport(hits, rel) {
  const byLine = new Map();
  for (const h of hits) {
    const key = `${rel(h.file)}:${h.line}`;
    const e = byLine.get(key) ?? { names: [], text: h.text };
    e.names.push(h.name);
    byLine.set(key, e);
  }
  const lines = [...byLine].map(([at, e]) => `${at}: ${e.names.join(', ')}: ${e.text}`);
  return lines.length > 20 ? `${lines.slice(0, 20).join('\n')}\n… and ${lines.length - 20} more lines` : lines.join('\n');
}
