// The few HTTP requests of discovery and registration (the grants go through
// oauth4webapi, on the same global fetch). Bounded in time; redirects are not followed
// (a metadata document must be where it is looked for).

const TIMEOUT_MS = 30_000;

export function isLoopback(url: URL): boolean {
  const h = url.hostname;
  return h === 'localhost' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

export interface JsonAnswer { status: number; json?: unknown; headers: Headers }

export async function getJson(url: URL, signal: AbortSignal): Promise<JsonAnswer> {
  return request(url, { method: 'GET', headers: { accept: 'application/json' } }, signal);
}

export async function postJson(url: URL, body: unknown, signal: AbortSignal): Promise<JsonAnswer> {
  return request(url, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(body) }, signal);
}

async function request(url: URL, init: RequestInit, signal: AbortSignal): Promise<JsonAnswer> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]) });
  } catch (err) {
    if (signal.aborted) throw err;
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Error(`${init.method} ${url.origin}${url.pathname} failed: ${cause}`);
  }
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, headers: res.headers };
}
