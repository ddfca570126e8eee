// The redirect comes back to a one-shot listener on 127.0.0.1 (RFC 8252 §7.3), on a port
// the system picks. It answers the browser with a short page and hands the query over.

import * as http from 'node:http';
import type { RedirectReceiver } from './types.ts';

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:system-ui;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

export async function loopbackReceiver(): Promise<RedirectReceiver> {
  let deliver: ((q: URLSearchParams) => void) | undefined;
  let received: URLSearchParams | undefined;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback' || received) { res.writeHead(404).end(); return; }
    received = url.searchParams;
    const failed = url.searchParams.has('error') || !url.searchParams.has('code');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(failed ? page('Sign-in did not finish', 'Go back to MCP Host to see why.') : page('Signed in', 'You can close this tab and go back to MCP Host.'));
    deliver?.(url.searchParams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    wait(signal) {
      return new Promise((resolve, reject) => {
        if (received) { resolve(received); return; }
        const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
        if (signal.aborted) { onAbort(); return; }
        signal.addEventListener('abort', onAbort, { once: true });
        deliver = q => { signal.removeEventListener('abort', onAbort); resolve(q); };
      });
    },
    dispose() {
      server.closeAllConnections();
      server.close();
    },
  };
}
