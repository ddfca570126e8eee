// Turns `.vscode/mcp.json` of every workspace folder and the `mcpHost.servers` user
// setting into server definitions, reports problems in the Problems view, and reloads
// when any of them changes. One broken file never stops the servers of the others.

import * as vscode from 'vscode';
import { offsetToPosition, parseMcpConfig, parseSettingsConfig, resolveServers, type ConfigProblem, type ResolvedConfig } from '../host/config.ts';
import type { ServerDefinition } from '../host/types.ts';
import type { InputResolver } from './inputs.ts';
import { errorCause } from './util.ts';

const RELOAD_DELAY_MS = 150;

const USER_SOURCE = 'user';

export function workspaceConfigUri(folder: Pick<vscode.WorkspaceFolder, 'uri'>): vscode.Uri {
  return vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
}

function isNotFound(err: unknown): boolean {
  return err instanceof vscode.FileSystemError && /NotFound|EntryNotFound/.test(err.code);
}

interface FileResult {
  uri: vscode.Uri;
  text: string;
  definitions: ServerDefinition[];
  problems: ConfigProblem[];
}

/** Problems of parsing and of resolving, each once (the resolver may repeat the parser's). */
function mergeProblems(a: readonly ConfigProblem[], b: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return [...a, ...b].filter(p => {
    const key = `${p.offset}:${p.length}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export class ConfigLoader implements vscode.Disposable {
  private readonly inputs: InputResolver;
  private readonly log: vscode.LogOutputChannel;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('mcpHost');
  private readonly _onDidLoad = new vscode.EventEmitter<readonly ServerDefinition[]>();
  /** Fired whenever a source (re)loaded, with the complete set of definitions. */
  readonly onDidLoad = this._onDidLoad.event;
  private readonly listeners: vscode.Disposable[] = [];
  private folderWatchers: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private disposed = false;
  private lastSettingsProblems = '';
  private loadedOnce = false;
  /** The latest definitions of each source (a folder's URI, or the user setting). */
  private readonly bySource = new Map<string, readonly ServerDefinition[]>();

  private readonly onSecret: (value: string) => void;

  constructor(inputs: InputResolver, log: vscode.LogOutputChannel, onSecret: (value: string) => void) {
    this.inputs = inputs;
    this.log = log;
    this.onSecret = onSecret;
  }

  get hasLoaded(): boolean { return this.loadedOnce; }

  /** Starts watching and loads in the background. */
  start(): void {
    this.listeners.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => { this.watchFolders(); this.schedule(); }),
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration('mcpHost.servers') || e.affectsConfiguration('mcpHost.inputs')) this.schedule();
      }),
    );
    this.watchFolders();
    void this.reload();
  }

  private watchFolders(): void {
    for (const w of this.folderWatchers.splice(0)) w.dispose();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.vscode/mcp.json'));
      this.folderWatchers.push(
        watcher,
        watcher.onDidCreate(() => this.schedule()),
        watcher.onDidChange(() => this.schedule()),
        watcher.onDidDelete(() => this.schedule()),
      );
    }
  }

  private schedule(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.reload(); }, RELOAD_DELAY_MS);
  }

  /** Loads everything again; concurrent calls coalesce into one more load. */
  reload(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async () => {
      do {
        this.again = false;
        try {
          await this.loadOnce();
        } catch (err) {
          this.log.error(`Loading the MCP configuration failed: ${errorCause(err)}`);
        }
      } while (this.again && !this.disposed);
    };
    this.running = run().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async loadOnce(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const sources = new Set([...folders.map(f => f.uri.toString()), USER_SOURCE]);
    let pruned = false;
    for (const key of [...this.bySource.keys()]) {
      if (sources.has(key)) continue;
      this.bySource.delete(key);
      this.diagnostics.delete(workspaceConfigUri({ uri: vscode.Uri.parse(key) }));
      pruned = true;
    }
    if (pruned) this.publish();

    // Each source publishes as soon as it is ready: one waiting for an input prompt must
    // not hold back the servers of the others (it keeps its previous servers meanwhile).
    await Promise.all([
      ...folders.map(async folder => {
        const file = await this.loadFolder(folder);
        if (this.disposed) return;
        const uri = workspaceConfigUri(folder);
        if (file?.problems.length) this.diagnostics.set(uri, file.problems.map(p => this.toDiagnostic(file.text, p)));
        else this.diagnostics.delete(uri);
        this.bySource.set(folder.uri.toString(), file?.definitions ?? []);
        this.publish();
      }),
      this.loadSettings(folders[0]).then(user => {
        if (this.disposed) return;
        this.reportSettingsProblems(user.problems);
        this.bySource.set(USER_SOURCE, user.definitions);
        this.publish();
      }),
    ]);
  }

  private publish(): void {
    this.loadedOnce = true;
    this._onDidLoad.fire([...this.bySource.values()].flat());
  }

  private async loadFolder(folder: vscode.WorkspaceFolder): Promise<FileResult | undefined> {
    const uri = workspaceConfigUri(folder);
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (err) {
      if (!isNotFound(err)) this.log.error(`Reading ${uri.fsPath} failed: ${errorCause(err)}`);
      return undefined;
    }
    try {
      const parsed = parseMcpConfig(text);
      const trusted = vscode.workspace.isTrusted;
      const resolveInput = this.inputs.forScope(`workspace:${folder.uri.toString()}`);
      const resolved = await resolveServers(parsed, 'workspace', { file: uri.fsPath, folder: folder.uri.fsPath }, {
        workspaceFolder: folder.uri.fsPath,
        env: process.env,
        // An untrusted workspace could phish for secrets with input prompts. Its servers
        // cannot start anyway; the values are asked once trust is granted (the extension
        // reloads then).
        resolveInput: (id, input) => trusted ? resolveInput(id, input) : Promise.resolve(''),
        onSecret: this.onSecret,
      });
      return { uri, text, definitions: resolved.definitions, problems: mergeProblems(parsed.problems, resolved.problems) };
    } catch (err) {
      this.log.error(`${uri.fsPath}: ${errorCause(err)}`);
      return { uri, text, definitions: [], problems: [{ message: `MCP Host could not load this file: ${errorCause(err)}`, offset: 0, length: 0, severity: 'error' }] };
    }
  }

  private async loadSettings(firstFolder: vscode.WorkspaceFolder | undefined): Promise<ResolvedConfig> {
    // Only the user's own value: a workspace may not define servers through settings
    // (that would bypass trust and consent; package.json also restricts it).
    const config = vscode.workspace.getConfiguration('mcpHost');
    const servers = config.inspect<unknown>('servers')?.globalValue;
    const inputs = config.inspect<unknown>('inputs')?.globalValue;
    if (servers === undefined && inputs === undefined) return { definitions: [], problems: [] };
    try {
      const parsed = parseSettingsConfig(servers ?? {}, inputs ?? []);
      const resolved = await resolveServers(parsed, 'user', { file: 'settings' }, {
        workspaceFolder: firstFolder?.uri.fsPath,
        env: process.env,
        resolveInput: this.inputs.forScope('user'),
        onSecret: this.onSecret,
      });
      return { definitions: resolved.definitions, problems: mergeProblems(parsed.problems, resolved.problems) };
    } catch (err) {
      return { definitions: [], problems: [{ message: errorCause(err), offset: 0, length: 0, severity: 'error' }] };
    }
  }

  private toDiagnostic(text: string, p: ConfigProblem): vscode.Diagnostic {
    const start = offsetToPosition(text, p.offset);
    const end = offsetToPosition(text, p.offset + Math.max(p.length, 0));
    const d = new vscode.Diagnostic(
      new vscode.Range(start.line, start.character, end.line, end.character),
      p.message,
      p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
    );
    d.source = 'MCP Host';
    return d;
  }

  private reportSettingsProblems(problems: readonly ConfigProblem[]): void {
    const text = problems.map(p => (p.server ? `${p.server}: ` : '') + p.message).join('; ');
    if (text === this.lastSettingsProblems) return;
    this.lastSettingsProblems = text;
    if (!text) return;
    this.log.warn(`Setting mcpHost.servers: ${text}`);
    void vscode.window.showWarningMessage(`MCP Host: problems in the setting mcpHost.servers: ${text}`, 'Open Settings').then(choice => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettingsJson');
    });
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const d of [...this.listeners.splice(0), ...this.folderWatchers.splice(0)]) d.dispose();
    this.diagnostics.dispose();
    this._onDidLoad.dispose();
  }
}
