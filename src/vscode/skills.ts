// The Skills node under a server (SEP-2640) and its commands. Skills are listed when the
// node is expanded — never on connect — and listed again after it was collapsed; a
// skill's SKILL.md is read (and verified) when the user opens it, the rest of its files
// only when the user saves it. `MCP Host: Save Skill to Workspace` writes the verified
// skill to `<folder>/<name>/`, `.github/skills` by default (mcpHost.skills.folder), where
// VS Code's agent finds skills.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SKILLS_FOLDER } from '../protocol/skillEntries.ts';
import type { ManagedServer } from '../host/types.ts';
import type { McpClient } from '../protocol/client.ts';
import { listSkills, offersSkills, type SkillEntry, type SkillListing } from '../protocol/skills.ts';
import { openDocument } from './documents.ts';
import { pickOne } from './quickInput.ts';
import { lazyModule } from './lazyModule.ts';
import { resolveServer } from './serverPicker.ts';
import type { HostServices } from './services.ts';
import { failureMessage, isCancellation, truncate } from './util.ts';

/**
 * Reading and saving skills (their verification and the YAML reader) is loaded when a
 * skill is first opened or saved: most sessions never do, and the extension bundle has a
 * budget. In the bundle it is dist/skills.js (esbuild.mjs); from sources, the module.
 */
type SkillFiles = typeof import('../host/skills.ts');
const skillFiles = lazyModule<SkillFiles>('skills', '../host/skills.ts');

/** A skill refused by verification (host/skills.ts SkillRefusedError), told apart without loading it. */
const isRefusal = (err: unknown): err is Error => err instanceof Error && err.name === 'SkillRefusedError';

/** The items under a Skills node (serversView.ts builds the group; these are its children). */
export type SkillNode =
  | { kind: 'skill'; id: string; serverId: string; uri: string }
  | { kind: 'skillRefused'; id: string; serverId: string; index: number }
  | { kind: 'skillStatus'; id: string; serverId: string };

export function isSkillNode(v: unknown): v is SkillNode {
  const k = (v as SkillNode | null)?.kind;
  return (k === 'skill' || k === 'skillRefused' || k === 'skillStatus') && typeof (v as SkillNode).serverId === 'string';
}

type Listed =
  | { state: 'loading'; done: Promise<SkillListing> }
  | { state: 'loaded'; listing: SkillListing }
  | { state: 'error'; message: string };

/** Each running server's listing, per client (a new session lists anew), fetched on first ask. */
export class SkillsModel implements vscode.Disposable {
  private readonly listed = new WeakMap<McpClient, Listed>();
  private readonly _onDidChange = new vscode.EventEmitter<string>();
  /** A server's listing changed (loaded, failed, forgotten): its id. */
  readonly onDidChange = this._onDidChange.event;

  /** Whether the server is running and declares the skills extension. */
  offers(server: ManagedServer): boolean {
    return server.state.kind === 'running' && offersSkills(server.capabilities);
  }

  current(server: ManagedServer): Listed | undefined {
    const client = server.currentClient;
    return client && this.listed.get(client);
  }

  /** The listing, fetched now if it was not (the one place skills/list is sent). */
  async listing(server: ManagedServer, signal?: AbortSignal): Promise<SkillListing> {
    const client = server.currentClient;
    if (!client) throw new Error(`${server.definition.name} is not running`);
    const have = this.listed.get(client);
    if (have?.state === 'loaded') return have.listing;
    if (have?.state === 'loading') return have.done;
    const done = listSkills(client, { signal });
    const current = { state: 'loading' as const, done };
    this.listed.set(client, current);
    try {
      const listing = await done;
      if (this.listed.get(client) === current) this.listed.set(client, { state: 'loaded', listing });
      return listing;
    } catch (err) {
      if (this.listed.get(client) === current) this.listed.set(client, { state: 'error', message: failureMessage(server.definition.name, 'skills/list', err) });
      throw err;
    } finally {
      this._onDidChange.fire(server.definition.id);
    }
  }

  /** The group's children as they are now; expanding it is what starts the listing. */
  children(server: ManagedServer): SkillNode[] {
    const base = `server/${server.definition.id}/skills`;
    const serverId = server.definition.id;
    const have = this.current(server);
    if (!have) {
      // The failure is kept in the listing's state and shown as the status item.
      this.listing(server).catch(() => {});
      return [{ kind: 'skillStatus', id: `${base}/status`, serverId }];
    }
    if (have.state !== 'loaded') return [{ kind: 'skillStatus', id: `${base}/status`, serverId }];
    const { skills, refused } = have.listing;
    if (!skills.length && !refused.length) return [{ kind: 'skillStatus', id: `${base}/status`, serverId }];
    return [
      ...skills.map((s): SkillNode => ({ kind: 'skill', id: `${base}/skill/${s.uri}`, serverId, uri: s.uri })),
      ...refused.map((r): SkillNode => ({ kind: 'skillRefused', id: `${base}/refused/${r.index}`, serverId, index: r.index })),
    ];
  }

  entry(server: ManagedServer, uri: string): SkillEntry | undefined {
    const have = this.current(server);
    return have?.state === 'loaded' ? have.listing.skills.find(s => s.uri === uri) : undefined;
  }

  /** Lists again when next asked (the group was collapsed, or Refresh Skills). */
  forget(server: ManagedServer, notify = true): void {
    const client = server.currentClient;
    if (client) this.listed.delete(client);
    if (notify) this._onDidChange.fire(server.definition.id);
  }

  /** The Skills group's description: how many, once listed. */
  describeGroup(server: ManagedServer): string | undefined {
    const have = this.current(server);
    if (have?.state !== 'loaded') return undefined;
    const { skills, refused } = have.listing;
    return refused.length ? `${skills.length} · ${refused.length} refused` : String(skills.length);
  }

  fillItem(item: vscode.TreeItem, node: SkillNode, server: ManagedServer): vscode.TreeItem {
    const have = this.current(server);
    switch (node.kind) {
      case 'skillStatus': {
        if (have?.state === 'error') {
          item.label = 'Could not list skills';
          item.tooltip = have.message;
          item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        } else if (have?.state === 'loaded') {
          item.label = 'No skills listed';
          item.tooltip = 'The server lists no skills. (A listing may be partial: a skill it does not list can still be opened by URI.)';
        } else {
          item.label = 'Listing skills…';
          item.iconPath = new vscode.ThemeIcon('loading~spin');
        }
        item.contextValue = 'mcpSkillStatus';
        return item;
      }
      case 'skillRefused': {
        const r = have?.state === 'loaded' ? have.listing.refused.find(x => x.index === node.index) : undefined;
        item.label = r?.name ?? r?.uri ?? `entry #${node.index}`;
        item.description = 'refused';
        item.tooltip = r ? `The server's entry ${r.uri ?? `#${r.index}`} breaks SEP-2640, so none of its files is read:\n${r.reason}` : undefined;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
        item.contextValue = 'mcpSkillRefused';
        return item;
      }
      case 'skill': {
        const entry = this.entry(server, node.uri);
        item.label = entry?.frontmatter.name ?? node.uri;
        if (!entry) return item;
        const files = entry.resources;
        item.description = files === 'dynamic' ? 'dynamic' : `${files.length} ${files.length === 1 ? 'file' : 'files'}`;
        const lines = [truncate(entry.frontmatter.description, 1024), '', entry.uri];
        if (files === 'dynamic') lines.push('Its files are dynamic: they have no digests, so the skill cannot be verified or saved.');
        else {
          for (const f of files.slice(0, 20)) lines.push(`  ${f.uri.slice(entry.uri.length - 'SKILL.md'.length)} (${f.size} bytes)`);
          if (files.length > 20) lines.push(`  … and ${files.length - 20} more`);
          lines.push('', 'Click to open SKILL.md (only it is read, and verified). Save Skill to Workspace reads and verifies every file first.');
        }
        item.tooltip = lines.join('\n');
        item.iconPath = new vscode.ThemeIcon('book');
        if (files === 'dynamic') item.contextValue = 'mcpSkillDynamic';
        else item.contextValue = 'mcpSkill';
        item.command = { command: 'mcpHost.openSkill', title: 'Open Skill', arguments: [node] };
        return item;
      }
    }
  }

  dispose(): void { this._onDidChange.dispose(); }
}

/** The Skills group of a server (its children are listed only when it is expanded). */
export function fillSkillsGroupItem(item: vscode.TreeItem, skills: SkillsModel | undefined, server: ManagedServer): vscode.TreeItem {
  item.label = 'Skills';
  item.description = skills?.describeGroup(server);
  item.tooltip = 'Skills the server offers (SEP-2640), listed when you expand this. No file of a skill is read until you open or save it; every file is verified against its digest and size first.';
  item.iconPath = new vscode.ThemeIcon('library');
  item.contextValue = 'mcpGroup.skills';
  item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
  return item;
}

/** The commands and the view's collapse handling; the view builds the nodes. */
export function registerSkills(services: HostServices, skills: SkillsModel, view: vscode.TreeView<unknown>): vscode.Disposable[] {
  return [
    view.onDidCollapseElement(e => {
      const node = e.element as { kind?: string; group?: string; serverId?: string };
      const server = node.kind === 'group' && node.group === 'skills' && node.serverId ? services.manager.get(node.serverId) : undefined;
      if (server) skills.forget(server, false);
    }),
    vscode.commands.registerCommand('mcpHost.openSkill', (node?: unknown, uri?: unknown) => openSkillCommand(services, skills, node, uri)),
    vscode.commands.registerCommand('mcpHost.saveSkill', (node?: unknown, uri?: unknown) => saveSkillCommand(services, skills, node, uri)),
    vscode.commands.registerCommand('mcpHost.refreshSkills', (node?: unknown) => {
      const server = typeof (node as { serverId?: unknown } | undefined)?.serverId === 'string' ? services.manager.get((node as { serverId: string }).serverId) : undefined;
      if (server) skills.forget(server);
    }),
  ];
}

/** The server and the skill a command is about: its tree node, (server, SKILL.md URI) given, or the user's picks. */
async function resolveSkill(services: HostServices, skills: SkillsModel, command: string, arg: unknown, uriArg: unknown): Promise<{ server: ManagedServer; entry: SkillEntry } | undefined> {
  const server = await resolveServer(services.manager, isSkillNode(arg) ? arg.serverId : arg, {
    title: `MCP Host: ${command} — pick a server`, filter: s => skills.offers(s), skipSingle: true,
    none: 'MCP Host: no running MCP server offers skills.',
  });
  if (!server) return undefined;
  if (!skills.offers(server)) {
    void vscode.window.showErrorMessage(`${server.definition.name} offers no skills${server.state.kind === 'running' ? ' (it does not declare the io.modelcontextprotocol/skills extension)' : ` (it is ${server.state.kind})`}.`);
    return undefined;
  }
  let listing: SkillListing;
  try {
    listing = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Listing the skills of ${server.definition.name}` }, () => skills.listing(server));
  } catch (err) {
    report(services, server, failureMessage(server.definition.name, 'skills/list', err));
    return undefined;
  }
  const uri = isSkillNode(arg) && arg.kind === 'skill' ? arg.uri : typeof uriArg === 'string' ? uriArg : undefined;
  if (uri !== undefined) {
    const entry = listing.skills.find(s => s.uri === uri || s.frontmatter.name === uri);
    if (!entry) report(services, server, `${server.definition.name} lists no skill ${uri}.`);
    return entry && { server, entry };
  }
  if (!listing.skills.length) {
    void vscode.window.showInformationMessage(`MCP Host: ${server.definition.name} lists no skills.`);
    return undefined;
  }
  const picked = await pickOne({
    title: `MCP Host: ${command} — ${server.definition.name}`, placeholder: 'Pick a skill', ignoreFocusOut: false, matchOnDetail: true,
    items: listing.skills.map(s => ({ label: s.frontmatter.name, description: s.resources === 'dynamic' ? 'dynamic' : `${s.resources.length} files`, detail: s.frontmatter.description, value: s })),
  });
  return picked && { server, entry: picked.value };
}

function report(services: HostServices, server: ManagedServer, message: string): void {
  services.sessions.log(server.definition.id, 'error', message);
  void vscode.window.showErrorMessage(message, 'Show Output').then(choice => {
    if (choice === 'Show Output') services.sessions.output(server.definition.id)?.channel.show(true);
  });
}

/** Opens the skill's SKILL.md, verified, as a read-only document. */
export async function openSkillCommand(services: HostServices, skills: SkillsModel, arg?: unknown, uriArg?: unknown): Promise<vscode.Uri | undefined> {
  const picked = await resolveSkill(services, skills, 'Open Skill', arg, uriArg);
  if (!picked) return undefined;
  const { server, entry } = picked;
  const client = server.currentClient;
  if (!client) return undefined;
  try {
    const manifest = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${server.definition.name} › skill ${entry.frontmatter.name}: reading SKILL.md`, cancellable: true }, (_p, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return skillFiles().then(f => f.openSkillManifest(client, entry, { signal: ac.signal }));
    });
    const doc = services.docs.add('SKILL.md', manifest.bytes);
    await openDocument(doc, { label: `${entry.frontmatter.name} — SKILL.md${manifest.verified ? '' : ' (unverified)'}` });
    if (!manifest.verified) void vscode.window.showWarningMessage(`${server.definition.name} › skill "${entry.frontmatter.name}": its files are dynamic, so SKILL.md could not be verified against a digest (its frontmatter matches the entry).`);
    return doc;
  } catch (err) {
    if (isCancellation(err)) return undefined;
    report(services, server, isRefusal(err) ? `${err.message}.` : failureMessage(server.definition.name, `skill ${entry.frontmatter.name}`, err));
    return undefined;
  }
}

/** Where skills are saved: mcpHost.skills.folder, relative to the workspace folder (or absolute). */
async function skillsFolder(): Promise<string | undefined> {
  const setting = vscode.workspace.getConfiguration('mcpHost').get<string>('skills.folder', DEFAULT_SKILLS_FOLDER).trim() || DEFAULT_SKILLS_FOLDER;
  if (path.isAbsolute(setting)) return setting;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter(f => f.uri.scheme === 'file');
  if (!folders.length) {
    void vscode.window.showErrorMessage(`MCP Host: open a folder to save skills into (they go to ${setting}/<name>/ in it, setting mcpHost.skills.folder).`);
    return undefined;
  }
  const folder = folders.length === 1 ? folders[0]! : (await pickOne({
    title: 'MCP Host: Save Skill to Workspace — pick a folder', placeholder: 'The workspace folder to save the skill in', ignoreFocusOut: false,
    items: folders.map(f => ({ label: f.name, detail: f.uri.fsPath, value: f })),
  }))?.value;
  return folder && path.join(folder.uri.fsPath, setting);
}

/** Reads and verifies every file of the skill, then writes it to `<folder>/<name>/`; nothing on any mismatch. */
export async function saveSkillCommand(services: HostServices, skills: SkillsModel, arg?: unknown, uriArg?: unknown): Promise<string | undefined> {
  const picked = await resolveSkill(services, skills, 'Save Skill to Workspace', arg, uriArg);
  if (!picked) return undefined;
  const { server, entry } = picked;
  const name = entry.frontmatter.name;
  if (entry.resources === 'dynamic') {
    report(services, server, `${server.definition.name} › skill "${name}" cannot be saved: the server publishes its files as "dynamic", so they have no digests to verify.`);
    return undefined;
  }
  const parent = await skillsFolder();
  if (!parent) return undefined;
  const target = path.join(parent, name);
  let force = false;
  if (await vscode.workspace.fs.stat(vscode.Uri.file(target)).then(() => true, () => false)) {
    const choice = await vscode.window.showWarningMessage(`Replace the skill "${name}" in ${vscode.workspace.asRelativePath(target)}?`, { modal: true, detail: `Its folder will be replaced by the skill from ${server.definition.name}, once every file of it has been verified.` }, 'Replace');
    if (choice !== 'Replace') return undefined;
    force = true;
  }
  const client = server.currentClient;
  if (!client) return undefined;
  try {
    const saved = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${server.definition.name} › saving skill ${name}`, cancellable: true }, (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return skillFiles().then(f => f.saveSkill(client, entry, parent, {
        force, signal: ac.signal,
        onFile: p => progress.report({ message: `${p.done} of ${p.total} files verified`, increment: 100 / p.total }),
      }));
    });
    services.sessions.log(server.definition.id, 'info', `skill "${name}": ${saved.files.length} files verified and saved to ${saved.directory}`);
    const where = vscode.workspace.asRelativePath(saved.directory);
    void vscode.window.showInformationMessage(`Saved the skill "${name}" from ${server.definition.name} to ${where} (${saved.files.length} ${saved.files.length === 1 ? 'file' : 'files'}, all verified).`, 'Open SKILL.md').then(choice => {
      if (choice === 'Open SKILL.md') void vscode.window.showTextDocument(vscode.Uri.file(path.join(saved.directory, 'SKILL.md')));
    });
    return saved.directory;
  } catch (err) {
    if (isCancellation(err)) return undefined;
    report(services, server, isRefusal(err) ? `${err.message}.` : failureMessage(server.definition.name, `skill ${name}`, err));
    return undefined;
  }
}
