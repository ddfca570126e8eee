// The page's side of the channel: the one acquireVsCodeApi() handle, typed posting,
// incoming messages, and the state VS Code keeps while the panel is hidden or reloaded.

import type { FromWebview, ToWebview } from '../protocol.ts';

interface VsCodeApi { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: FromWebview): void {
  api.postMessage(message);
}

export function onMessage<T extends ToWebview>(handler: (message: T) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const data = e.data as unknown;
    // Only the extension posts to this page; anything without our shape is ignored.
    if (data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string') handler(data as T);
  });
}

export function getState<T>(): T | undefined {
  return (api.getState() ?? undefined) as T | undefined;
}

export function setState<T>(state: T): void {
  api.setState(state);
}
