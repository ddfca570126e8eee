// MCP Apps (`io.modelcontextprotocol/ui`, ext-apps spec 2026-01-26): what a host reads off the wire
// before it renders anything. Pure: no DOM, no vscode; everything here runs on data a server sent,
// so nothing throws on bad input — it is dropped with a warning sentence the panel can show.
//
// - a tool links its app with `_meta.ui.resourceUri` (the flat `_meta["ui/resourceUri"]` is the
//   deprecated spelling hosts must still read) and says who may call it with `_meta.ui.visibility`;
// - the `ui://` resource is `text/html;profile=mcp-app`, its HTML in `text` or a base64 `blob`, and
//   its content item's `_meta.ui` declares the CSP domains, the permissions and display hints.

import type { JsonObject, ResourceContents, Tool } from './types.ts';

export const UI_EXTENSION_ID = 'io.modelcontextprotocol/ui';
export const UI_MIME_TYPE = 'text/html;profile=mcp-app';
/** An app's HTML larger than this is refused: the two real apps are ~430 K characters. */
export const MAX_APP_HTML_CHARS = 8 * 1024 * 1024;
/** At most this many domains per CSP list; the rest are refused (keeps the policy bounded). */
export const MAX_DOMAINS_PER_LIST = 64;

/** The entry to merge into the client's `capabilities.extensions` (a fresh object each call). */
export function uiClientCapability(): Record<string, JsonObject> {
  return { [UI_EXTENSION_ID]: { mimeTypes: [UI_MIME_TYPE] } };
}

export type UiVisibility = 'model' | 'app';
export interface ToolUi { resourceUri?: string; visibility: UiVisibility[]; warnings: string[] }
type ToolLike = Pick<Tool, 'name'> & { _meta?: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.length > 80 ? v.slice(0, 80) + '…' : v) : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : String(v));

/** A `ui://` URI we accept: the exact scheme, something after it, no whitespace or control characters. */
function uiUriProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'is not a string';
  if (!v.startsWith('ui://') || v.length === 'ui://'.length) return 'is not a ui:// URI';
  if (/[\s\u0000-\u001f\u007f]/.test(v)) return 'contains whitespace or control characters';
  return undefined;
}

/** The app link and visibility of a tool; the spec's defaults when it declares none. */
export function toolUi(tool: ToolLike): ToolUi {
  const warnings: string[] = [];
  const meta = isObject(tool._meta) ? tool._meta : {};
  const ui = isObject(meta.ui) ? meta.ui : undefined;
  if (meta.ui !== undefined && !ui) warnings.push(`Tool "${tool.name}": _meta.ui is ${show(meta.ui)}, not an object; it is ignored.`);
  let resourceUri: string | undefined;
  // Modern key first, then the legacy one; the first valid one wins, each invalid one is named.
  for (const [key, value] of [['_meta.ui.resourceUri', ui?.resourceUri], ['_meta["ui/resourceUri"]', meta['ui/resourceUri']]] as const) {
    if (value === undefined) continue;
    const problem = uiUriProblem(value);
    if (problem) warnings.push(`Tool "${tool.name}": ${key} ${show(value)} ${problem}; it is ignored.`);
    else if (resourceUri === undefined) resourceUri = value as string;
    else if (value !== resourceUri) warnings.push(`Tool "${tool.name}": ${key} ${show(value)} differs from _meta.ui.resourceUri; the deprecated key is ignored.`);
  }
  return { ...(resourceUri !== undefined ? { resourceUri } : {}), visibility: readVisibility(tool.name, ui?.visibility, warnings), warnings };
}

function readVisibility(name: string, raw: unknown, warnings: string[]): UiVisibility[] {
  if (raw === undefined) return ['model', 'app'];
  // A lone string is read as a one-entry list rather than widened to the default.
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list)) {
    warnings.push(`Tool "${name}": _meta.ui.visibility is ${show(raw)}, not an array; the default ["model","app"] applies.`);
    return ['model', 'app'];
  }
  if (list !== raw) warnings.push(`Tool "${name}": _meta.ui.visibility is a string, not an array; it is read as [${show(raw)}].`);
  const out: UiVisibility[] = [];
  for (const v of list) {
    if (v === 'model' || v === 'app') { if (!out.includes(v)) out.push(v); }
    else warnings.push(`Tool "${name}": _meta.ui.visibility entry ${show(v)} is unknown; it is dropped.`);
  }
  // An explicit list keeps only what it names, so ["bogus"] (and []) is visible to neither.
  return out;
}

/** Listed where the model chooses tools (the gateway, LM tools). */
export const isModelVisible = (tool: ToolLike): boolean => toolUi(tool).visibility.includes('model');
/** Callable by an app of the same server. */
export const isAppVisible = (tool: ToolLike): boolean => toolUi(tool).visibility.includes('app');

/** Why an app's tools/call must be refused, as a sentence naming the tool; undefined when it may go through. */
export function appCallRefusal(tools: readonly ToolLike[], calledName: unknown, sameServer: boolean): string | undefined {
  if (typeof calledName !== 'string' || calledName === '') return `The app's tools/call names no tool (name is ${show(calledName)}); it is refused.`;
  if (!sameServer) return `The app may call only tools of its own server; "${calledName}" belongs to another server, so the call is refused.`;
  const tool = tools.find(t => t.name === calledName);
  if (!tool) return `Tool "${calledName}" is not a tool of this server; the app's call is refused.`;
  const { visibility } = toolUi(tool);
  if (!visibility.includes('app')) return `Tool "${calledName}" is not visible to apps (its _meta.ui.visibility is ${JSON.stringify(visibility)}); the app's call is refused.`;
  return undefined;
}

// ---- domains (shared with the CSP builder, which checks them again) --------------------------------

export type DomainKind = 'connect' | 'resource' | 'frame' | 'baseUri';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$|^\\[[0-9a-f:.]+\\]$`);

/**
 * One declared CSP domain, checked: an origin `scheme://host[:port]` (a trailing `/` is dropped) or a
 * host pattern `host[:port]` / `*.host` (given `https://`, so a bare host never means plain http).
 * Refused, with the reason: keywords, `*`, bare schemes, anything that could inject a directive
 * (space, quote, `;`, `,`), paths, user info, schemes other than https (and wss for connect),
 * http/ws except to loopback, and wildcards standing for a whole top-level domain.
 */
export function checkDomain(entry: unknown, kind: DomainKind): { source: string } | { reason: string } {
  if (typeof entry !== 'string') return { reason: `is ${show(entry)}, not a string` };
  if (entry.trim() === '') return { reason: 'is empty' };
  if (entry.length > 255) return { reason: 'is longer than 255 characters' };
  if (/^'.*'$/.test(entry)) return { reason: 'is a CSP keyword, not an origin' };
  if (/[\s\u0000-\u001f\u007f'";,]/.test(entry)) return { reason: "contains a space, a quote, ';' or ','; it could inject CSP directives" };
  if (entry === '*' || /^[a-z][a-z0-9+.-]*:\/\/\*(?::[0-9*]+)?\/?$/i.test(entry)) return { reason: "is a bare '*', which would allow every origin" };
  const lower = entry.toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):(?![0-9*]+(?:\/|$))/.exec(lower)?.[1];
  if (scheme !== undefined && !lower.startsWith(scheme + '://')) {
    return { reason: lower === scheme + ':' ? `is a bare scheme, which would allow every ${scheme}: URL` : `uses the ${scheme}: scheme, which is not allowed` };
  }
  const s = scheme ?? 'https';
  const allowed = kind === 'connect' ? ['https', 'wss', 'http', 'ws'] : ['https', 'http'];
  if (!allowed.includes(s)) return { reason: `uses the ${s}:// scheme, which is not allowed in ${kind}Domains` };
  const rest = scheme === undefined ? lower : lower.slice(scheme.length + 3);
  const m = /^([^/:?#@]*|\[[^\]]*\])(?::([0-9]{1,5}|\*))?\/?$/.exec(rest);
  if (!m) return { reason: rest.includes('@') ? 'contains user info' : 'has a path, query or fragment; declare an origin' };
  const host = m[1]!, port = m[2];
  if (!HOST.test(host)) return { reason: 'is not a valid host name' };
  if (host.startsWith('*.') && host.split('.').length < 3) return { reason: "has a wildcard standing for a whole top-level domain; use '*.' before at least two labels" };
  if (port !== undefined && port !== '*' && (Number(port) < 1 || Number(port) > 65535)) return { reason: 'has a port outside 1-65535' };
  if ((s === 'http' || s === 'ws') && !LOOPBACK.has(host)) return { reason: `uses plain ${s}://, which is allowed only to localhost, 127.0.0.1 or [::1]` };
  return { source: `${s}://${host}${port !== undefined ? ':' + port : ''}` };
}

// ---- the UI resource --------------------------------------------------------------------------------

export type UiPermission = 'camera' | 'microphone' | 'geolocation' | 'clipboardWrite';
export const UI_PERMISSIONS: readonly UiPermission[] = ['camera', 'microphone', 'geolocation', 'clipboardWrite'];
export interface UiCsp { connectDomains: string[]; resourceDomains: string[]; frameDomains: string[]; baseUriDomains: string[] }
export interface UiResourceMeta { csp: UiCsp; permissions: UiPermission[]; prefersBorder?: boolean; domain?: string }
export interface UiResource {
  uri: string;
  mimeType?: string;
  /** The mime type is `text/html;profile=mcp-app` (compared as a media type). */
  isAppMimeType: boolean;
  /** Undefined when the content has neither text nor a decodable blob, or is too large. */
  html?: string;
  meta: UiResourceMeta;
  warnings: string[];
}

const CSP_LISTS = [['connectDomains', 'connect'], ['resourceDomains', 'resource'], ['frameDomains', 'frame'], ['baseUriDomains', 'baseUri']] as const;

/** `text/html;profile=mcp-app`: type and parameter names and values case-insensitive, whitespace and quotes tolerated, other parameters allowed. */
export function isAppMimeType(mime: unknown): boolean {
  if (typeof mime !== 'string') return false;
  const [type, ...params] = mime.split(';');
  if (type!.trim().toLowerCase() !== 'text/html') return false;
  return params.some(p => {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'profile') return false;
    return p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase() === 'mcp-app';
  });
}

/** The HTML of a resources/read content item: its text, or its base64 blob decoded as UTF-8. */
function readHtml(content: Record<string, unknown>, where: string, warnings: string[]): string | undefined {
  let html: string;
  if (typeof content.text === 'string') html = content.text;
  else if (typeof content.blob === 'string') {
    try {
      const bin = atob(content.blob);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      html = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      warnings.push(`${where}: the blob is not base64 of UTF-8 text; the app cannot be shown.`);
      return undefined;
    }
  } else {
    warnings.push(`${where}: the content has neither text nor blob; the app cannot be shown.`);
    return undefined;
  }
  if (html.length > MAX_APP_HTML_CHARS) {
    warnings.push(`${where}: the HTML has ${html.length} characters, more than the ${MAX_APP_HTML_CHARS} allowed; the app cannot be shown.`);
    return undefined;
  }
  return html;
}

/**
 * A resources/read content item of an app: HTML, mime-type check and validated `_meta.ui`. Each
 * top-level field of `_meta.ui` is taken from the content item, else from the resources/list entry
 * (`listing`), as the draft's "Metadata Location" asks.
 */
export function uiResourceMeta(contents: ResourceContents | Record<string, unknown>, listing?: { _meta?: unknown }): UiResource {
  const c = contents as Record<string, unknown>;
  const uri = typeof c.uri === 'string' ? c.uri : '(no uri)';
  const warnings: string[] = [];
  const mimeType = typeof c.mimeType === 'string' ? c.mimeType : undefined;
  const isApp = isAppMimeType(mimeType);
  if (!isApp) warnings.push(`${uri}: the mime type is ${mimeType === undefined ? 'missing' : JSON.stringify(mimeType)}, not ${UI_MIME_TYPE}.`);
  const html = readHtml(c, uri, warnings);
  const own = isObject(c._meta) && isObject(c._meta.ui) ? c._meta.ui : {};
  const listed = isObject(listing?._meta) && isObject(listing._meta.ui) ? listing._meta.ui : {};
  const pick = (k: string): unknown => (own[k] !== undefined ? own[k] : listed[k]);

  const meta: UiResourceMeta = { csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }, permissions: [] };
  const csp = pick('csp');
  if (csp !== undefined && !isObject(csp)) warnings.push(`${uri}: _meta.ui.csp is ${show(csp)}, not an object; the default policy applies.`);
  for (const [field, kind] of CSP_LISTS) {
    const list = isObject(csp) ? csp[field] : undefined;
    if (list === undefined) continue;
    if (!Array.isArray(list)) { warnings.push(`${uri}: _meta.ui.csp.${field} is ${show(list)}, not an array; it is ignored.`); continue; }
    list.forEach((entry, i) => {
      const r = i >= MAX_DOMAINS_PER_LIST ? { reason: `is past the first ${MAX_DOMAINS_PER_LIST} entries` } : checkDomain(entry, kind);
      if ('reason' in r) warnings.push(`${uri}: _meta.ui.csp.${field}[${i}] ${show(entry)} is refused: it ${r.reason}.`);
      else if (!meta.csp[field].includes(r.source)) meta.csp[field].push(r.source);
    });
  }
  const perms = pick('permissions');
  if (perms !== undefined && !isObject(perms)) warnings.push(`${uri}: _meta.ui.permissions is ${show(perms)}, not an object; it is ignored.`);
  if (isObject(perms)) {
    for (const [k, v] of Object.entries(perms)) {
      if (!(UI_PERMISSIONS as readonly string[]).includes(k)) warnings.push(`${uri}: _meta.ui.permissions.${k} is not a known permission; it is ignored.`);
      else if (v === undefined || v === false) continue;
      else if (!isObject(v) && v !== true) warnings.push(`${uri}: _meta.ui.permissions.${k} is ${show(v)}, not an object; it is ignored.`);
      else meta.permissions.push(k as UiPermission);
    }
    meta.permissions.sort((a, b) => UI_PERMISSIONS.indexOf(a) - UI_PERMISSIONS.indexOf(b));
  }
  const border = pick('prefersBorder');
  if (typeof border === 'boolean') meta.prefersBorder = border;
  else if (border !== undefined) warnings.push(`${uri}: _meta.ui.prefersBorder is ${show(border)}, not a boolean; it is ignored.`);
  const domain = pick('domain');
  if (typeof domain === 'string') meta.domain = domain;
  else if (domain !== undefined) warnings.push(`${uri}: _meta.ui.domain is ${show(domain)}, not a string; it is ignored.`);
  return { uri, ...(mimeType !== undefined ? { mimeType } : {}), isAppMimeType: isApp, ...(html !== undefined ? { html } : {}), meta, warnings };
}
