// Results, resources and prompt messages open as read-only documents served from memory
// by a FileSystemProvider: the editor picks language and preview (text, image, audio)
// from the file name, and the user can read, copy and "Save As".

import * as vscode from 'vscode';

export const SCHEME = 'mcp-host';

interface Entry { data: Uint8Array; ctime: number; mtime: number }

export interface DocumentLimits {
  /** Documents kept at most; the oldest are evicted first. */
  maxFiles: number;
  /** Bytes kept at most; the newest document is always kept, however large. */
  maxBytes: number;
}

const MIME_EXTENSIONS: Record<string, string> = {
  'text/plain': '.txt', 'text/markdown': '.md', 'text/x-markdown': '.md', 'application/json': '.json',
  'application/ld+json': '.json', 'application/schema+json': '.json', 'text/html': '.html', 'text/css': '.css',
  'text/csv': '.csv', 'text/xml': '.xml', 'application/xml': '.xml', 'text/javascript': '.js',
  'application/javascript': '.js', 'application/typescript': '.ts', 'text/x-python': '.py', 'text/x-rust': '.rs',
  'application/yaml': '.yaml', 'text/yaml': '.yaml', 'application/x-yaml': '.yaml', 'application/toml': '.toml',
  'application/x-sh': '.sh', 'text/x-shellscript': '.sh', 'application/sql': '.sql',
  'image/png': '.png', 'image/jpeg': '.jpg', 'image/jpg': '.jpg', 'image/gif': '.gif', 'image/webp': '.webp',
  'image/svg+xml': '.svg', 'image/bmp': '.bmp', 'image/x-icon': '.ico', 'image/vnd.microsoft.icon': '.ico',
  'audio/mpeg': '.mp3', 'audio/mp3': '.mp3', 'audio/wav': '.wav', 'audio/x-wav': '.wav', 'audio/wave': '.wav',
  'audio/ogg': '.ogg', 'audio/webm': '.weba', 'audio/mp4': '.m4a', 'audio/aac': '.aac', 'audio/flac': '.flac',
  'video/mp4': '.mp4', 'video/webm': '.webm', 'application/pdf': '.pdf', 'application/zip': '.zip',
  'application/gzip': '.gz', 'application/octet-stream': '.bin', 'application/wasm': '.wasm',
};

/** The file extension for a MIME type (parameters ignored), or undefined when unknown. */
export function extensionForMime(mimeType: string | undefined): string | undefined {
  if (!mimeType) return undefined;
  const base = mimeType.split(';')[0]!.trim().toLowerCase();
  if (MIME_EXTENSIONS[base]) return MIME_EXTENSIONS[base];
  if (base.endsWith('+json')) return '.json';
  if (base.endsWith('+xml')) return '.xml';
  if (base.startsWith('text/')) return '.txt';
  return undefined;
}

/** A file name safe in a URI path: no separators, no control characters, bounded length. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim() || 'untitled';
  if (cleaned.length <= 120) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 120 - ext.length) + ext;
}

/** `base` with an extension that fits the MIME type, unless it already has one. */
export function fileNameFor(base: string, mimeType: string | undefined, fallbackExt: string): string {
  const hasExt = /\.[A-Za-z0-9]{1,8}$/.test(base);
  if (hasExt && !mimeType) return base;
  const ext = extensionForMime(mimeType) ?? fallbackExt;
  return hasExt && base.toLowerCase().endsWith(ext) ? base : base + ext;
}

export class DocumentStore implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly files = new Map<string, Entry>();
  private bytes = 0;
  private counter = 0;
  private readonly limits: DocumentLimits;
  private readonly _onDidChangeFile = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this._onDidChangeFile.event;

  constructor(limits: DocumentLimits = { maxFiles: 200, maxBytes: 256 * 1024 * 1024 }) {
    this.limits = limits;
  }

  /** Stores `data` as a new document named `name` and returns its URI. */
  add(name: string, data: Uint8Array | string): vscode.Uri {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    // A fresh folder per document keeps the tab title exactly `name`, even for repeats.
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${++this.counter}/${safeFileName(name)}` });
    const now = Date.now();
    this.files.set(uri.path, { data: bytes, ctime: now, mtime: now });
    this.bytes += bytes.byteLength;
    this.evict(uri.path);
    return uri;
  }

  /** Replaces a document's content (a subscribed resource changed); false when evicted. */
  update(uri: vscode.Uri, data: Uint8Array | string): boolean {
    const entry = this.files.get(uri.path);
    if (!entry) return false;
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.bytes += bytes.byteLength - entry.data.byteLength;
    entry.data = bytes;
    entry.mtime = Math.max(Date.now(), entry.mtime + 1);
    this._onDidChangeFile.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    return true;
  }

  has(uri: vscode.Uri): boolean {
    return uri.scheme === SCHEME && this.files.has(uri.path);
  }

  private evict(keep: string): void {
    for (const [path, entry] of this.files) {
      if (this.files.size <= this.limits.maxFiles && this.bytes <= this.limits.maxBytes) break;
      if (path === keep) continue;
      this.files.delete(path);
      this.bytes -= entry.data.byteLength;
      this._onDidChangeFile.fire([{ type: vscode.FileChangeType.Deleted, uri: vscode.Uri.from({ scheme: SCHEME, path }) }]);
    }
  }

  /**
   * Closes tabs of documents this store cannot serve: VS Code restores the tabs of the
   * last session, but their content lived in memory and is gone (an error editor
   * otherwise). Tabs may be restored after activation, so it keeps watching.
   */
  closeStaleTabs(): vscode.Disposable {
    const sweep = (tabs: readonly vscode.Tab[]) => {
      const stale = tabs.filter(t => {
        const input = t.input;
        const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
        return uri?.scheme === SCHEME && !this.files.has(uri.path);
      });
      if (stale.length) void vscode.window.tabGroups.close(stale, true).then(undefined, () => { /* already closed */ });
    };
    sweep(vscode.window.tabGroups.all.flatMap(g => g.tabs));
    return vscode.window.tabGroups.onDidChangeTabs(e => sweep([...e.opened, ...e.changed]));
  }

  // ---- FileSystemProvider: read-only ----

  watch(): vscode.Disposable {
    // Changes are pushed through onDidChangeFile for every document; nothing to set up.
    return new vscode.Disposable(() => {});
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const entry = this.files.get(uri.path);
    if (entry) return { type: vscode.FileType.File, ctime: entry.ctime, mtime: entry.mtime, size: entry.data.byteLength, permissions: vscode.FilePermission.Readonly };
    if (this.isDirectory(uri.path)) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  private isDirectory(path: string): boolean {
    if (path === '/' || path === '') return true;
    const prefix = path.endsWith('/') ? path : path + '/';
    for (const p of this.files.keys()) if (p.startsWith(prefix)) return true;
    return false;
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    if (!this.isDirectory(uri.path)) throw vscode.FileSystemError.FileNotADirectory(uri);
    const prefix = uri.path.endsWith('/') ? uri.path : uri.path + '/';
    const out = new Map<string, vscode.FileType>();
    for (const p of this.files.keys()) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      out.set(slash < 0 ? rest : rest.slice(0, slash), slash < 0 ? vscode.FileType.File : vscode.FileType.Directory);
    }
    return [...out];
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const entry = this.files.get(uri.path);
    if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
    return entry.data;
  }

  createDirectory(uri: vscode.Uri): void { throw vscode.FileSystemError.NoPermissions(uri); }
  writeFile(uri: vscode.Uri): void { throw vscode.FileSystemError.NoPermissions(uri); }
  delete(uri: vscode.Uri): void { throw vscode.FileSystemError.NoPermissions(uri); }
  rename(uri: vscode.Uri): void { throw vscode.FileSystemError.NoPermissions(uri); }

  dispose(): void {
    this.files.clear();
    this.bytes = 0;
    this._onDidChangeFile.dispose();
  }
}

/**
 * Opens a document in its own (non-preview) tab; the file name picks the editor and
 * language, `label` (when given) is the tab's title instead of the file name.
 */
export async function openDocument(uri: vscode.Uri, options: { preserveFocus?: boolean; label?: string } = {}): Promise<void> {
  const show = { preview: false, preserveFocus: !!options.preserveFocus };
  if (options.label) await vscode.commands.executeCommand('vscode.open', uri, show, options.label);
  else await vscode.commands.executeCommand('vscode.open', uri, show);
}

export function decodeBase64(data: string): Uint8Array {
  return Buffer.from(data, 'base64');
}
