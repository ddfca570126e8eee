// What the Servers view says about the gateway and its sessions (issue 13): labels,
// descriptions, tooltips and icons from the gateway's state and its GatewaySessionInfo.
// Pure (no `vscode`), so the wording is tested without a VS Code; gatewayTreeItems.ts
// turns it into tree items. Client names and versions come from the clients: shown as plain
// text only (tooltips here are strings, never Markdown).

import type { GatewaySessionInfo } from '../../gateway/gateway.ts';

/**
 * The gateway as this bundle draws it. Plain "stopped" is not here: gatewayCommands.ts draws
 * it without loading this bundle; `failed` is a stop after a Start Gateway that failed.
 */
export type GatewayState =
  | { kind: 'failed'; error: string }
  | { kind: 'running'; url: string; sessions: readonly GatewaySessionInfo[]; servers: readonly string[]; tools: number };

export interface ItemText { label: string; description: string; tooltip: string; icon: string; color?: string }

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "2 min", "3 h 5 min", "< 1 min": whole minutes, so the view needs redrawing once a minute at most. */
export function duration(ms: number): string {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return '< 1 min';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60), rest = min % 60;
  if (h < 24) return rest ? `${h} h ${rest} min` : `${h} h`;
  return plural(Math.floor(h / 24), 'day');
}

export function gatewayText(state: GatewayState): ItemText {
  if (state.kind === 'failed') {
    return { label: 'Gateway', description: 'stopped: could not start', tooltip: `Could not start: ${state.error}\n\nStart Gateway tries again.`, icon: 'error', color: 'errorForeground' };
  }
  const n = state.sessions.length;
  const exposed = state.servers.length
    ? `Exposes ${plural(state.servers.length, 'running server')} (${plural(state.tools, 'tool')}): ${state.servers.join(', ')}`
    : 'Exposes no running server yet (the exposed servers appear as they start).';
  return {
    label: 'Gateway',
    description: `${state.url} · ${n ? plural(n, 'session') : 'no sessions'}`,
    tooltip: `Listening on ${state.url}\n${exposed}\n${n ? `${plural(n, 'client')} connected` : 'No client connected'}\n\nTo connect another host: Copy Gateway Configuration (its entries hold the token). VS Code's own chat finds it by itself (MCP: List Servers shows MCP Host).`,
    icon: 'radio-tower',
    color: 'testing.iconPassed',
  };
}

/** The client's name and version once it has sent initialize, else the session's own label. */
export function sessionLabel(s: GatewaySessionInfo): string {
  return s.client ? `${s.client.name}${s.client.version ? ` ${s.client.version}` : ''}` : s.label;
}

export function sessionText(s: GatewaySessionInfo, now: number): ItemText {
  const busy = s.callsInFlight > 0;
  const connected = new Date(s.startedAt);
  const at = `${connected.toLocaleDateString()} ${connected.toLocaleTimeString()}`;
  return {
    label: sessionLabel(s),
    description: busy ? `${plural(s.callsInFlight, 'call')} in flight` : `idle ${duration(now - s.lastActivity)}`,
    tooltip: [
      s.client ? `${sessionLabel(s)} (${s.label})` : `${s.label}: not initialized yet`,
      `Protocol version: ${s.protocolVersion ?? 'not negotiated yet'}`,
      `Connected at ${at} (${duration(now - s.startedAt)} ago)`,
      `${plural(s.requests, 'request')} served${busy ? `, ${s.callsInFlight} in flight` : ''}`,
    ].join('\n'),
    icon: busy ? 'sync~spin' : 'plug',
  };
}

/**
 * Whether VS Code's own MCP support also reads this server's definition (a `.vscode/mcp.json`
 * of a workspace folder), and so starts it for its chat by itself: VS Code's session through
 * the gateway leaves such servers out (gatewayHost.ts), so none runs twice for chat.
 */
export function vscodeRunsItself(sourceFile: string): boolean {
  return /[\\/]\.vscode[\\/]mcp\.json$/i.test(sourceFile);
}
