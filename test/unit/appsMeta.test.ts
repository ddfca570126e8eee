import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  appCallRefusal, checkDomain, isAppMimeType, isAppVisible, isModelVisible, MAX_APP_HTML_CHARS, toolUi, uiClientCapability,
  uiResourceMeta, UI_EXTENSION_ID, UI_MIME_TYPE,
} from '../../src/protocol/apps.ts';

const tool = (name: string, _meta?: unknown) => ({ name, inputSchema: { type: 'object' as const }, _meta } as { name: string; _meta?: any });

test('the client capability is the exact extensions entry VS Code sends, fresh each call', () => {
  assert.equal(UI_EXTENSION_ID, 'io.modelcontextprotocol/ui');
  assert.equal(UI_MIME_TYPE, 'text/html;profile=mcp-app');
  assert.deepEqual(uiClientCapability(), { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } });
  assert.notEqual(uiClientCapability(), uiClientCapability());
});

test('toolUi reads _meta.ui.resourceUri, then the deprecated flat key, with the default visibility', () => {
  // The shape system-monitor's get-system-info has: both keys, the same URI.
  const both = toolUi(tool('get-system-info', { ui: { resourceUri: 'ui://system-monitor/mcp-app.html' }, 'ui/resourceUri': 'ui://system-monitor/mcp-app.html' }));
  assert.deepEqual(both, { resourceUri: 'ui://system-monitor/mcp-app.html', visibility: ['model', 'app'], warnings: [] });
  assert.equal(toolUi(tool('old', { 'ui/resourceUri': 'ui://old/app.html' })).resourceUri, 'ui://old/app.html');
  assert.deepEqual(toolUi(tool('plain')), { visibility: ['model', 'app'], warnings: [] });
  const differ = toolUi(tool('t', { ui: { resourceUri: 'ui://a' }, 'ui/resourceUri': 'ui://b' }));
  assert.equal(differ.resourceUri, 'ui://a');
  assert.match(differ.warnings[0]!, /^Tool "t": _meta\["ui\/resourceUri"\] "ui:\/\/b" differs from _meta\.ui\.resourceUri/);
});

test('toolUi refuses a non-ui:// link with a warning, never a throw, and falls back to a valid legacy key', () => {
  for (const bad of ['https://evil.example/app.html', 'UI://x', 'ui://', 'ui://a b', 42, null]) {
    const r = toolUi(tool('t', { ui: { resourceUri: bad } }));
    assert.equal(r.resourceUri, undefined, String(bad));
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /^Tool "t": _meta\.ui\.resourceUri .* (is not a ui:\/\/ URI|is not a string|contains whitespace or control characters); it is ignored\.$/);
  }
  const fallback = toolUi(tool('t', { ui: { resourceUri: 'file:///etc/passwd' }, 'ui/resourceUri': 'ui://ok' }));
  assert.equal(fallback.resourceUri, 'ui://ok');
  assert.equal(fallback.warnings.length, 1);
  assert.match(toolUi(tool('t', { ui: 'ui://x' })).warnings[0]!, /_meta\.ui is "ui:\/\/x", not an object/);
});

test('visibility: explicit lists kept, unknown entries dropped with a warning, [] means neither', () => {
  assert.deepEqual(toolUi(tool('poll', { ui: { visibility: ['app'] } })).visibility, ['app']);
  assert.deepEqual(toolUi(tool('m', { ui: { visibility: ['model'] } })).visibility, ['model']);
  assert.deepEqual(toolUi(tool('n', { ui: { visibility: [] } })), { visibility: [], warnings: [] });
  const odd = toolUi(tool('odd', { ui: { visibility: ['app', 'widget', 'app', 3] } }));
  assert.deepEqual(odd.visibility, ['app']);
  assert.deepEqual(odd.warnings, [
    'Tool "odd": _meta.ui.visibility entry "widget" is unknown; it is dropped.',
    'Tool "odd": _meta.ui.visibility entry 3 is unknown; it is dropped.',
  ]);
  const str = toolUi(tool('s', { ui: { visibility: 'app' } }));
  assert.deepEqual(str.visibility, ['app']);
  assert.match(str.warnings[0]!, /is a string, not an array; it is read as \["app"\]/);
  const obj = toolUi(tool('o', { ui: { visibility: { app: true } } }));
  assert.deepEqual(obj.visibility, ['model', 'app']);
  assert.match(obj.warnings[0]!, /not an array; the default \["model","app"\] applies/);
});

test('isModelVisible / isAppVisible follow the visibility', () => {
  const appOnly = tool('poll-system-stats', { ui: { visibility: ['app'] } });
  const modelOnly = tool('m', { ui: { visibility: ['model'] } });
  const neither = tool('n', { ui: { visibility: [] } });
  const plain = tool('p');
  assert.deepEqual([appOnly, modelOnly, neither, plain].map(isModelVisible), [false, true, false, true]);
  assert.deepEqual([appOnly, modelOnly, neither, plain].map(isAppVisible), [true, false, false, true]);
});

test("appCallRefusal: another server, an unknown tool, a tool without 'app' visibility, no name", () => {
  const tools = [tool('get-system-info', { ui: { resourceUri: 'ui://system-monitor/mcp-app.html' } }), tool('poll-system-stats', { ui: { visibility: ['app'] } }), tool('secret', { ui: { visibility: ['model'] } })];
  assert.equal(appCallRefusal(tools, 'poll-system-stats', true), undefined);
  assert.equal(appCallRefusal(tools, 'get-system-info', true), undefined);
  assert.equal(appCallRefusal(tools, 'secret', true), `Tool "secret" is not visible to apps (its _meta.ui.visibility is ["model"]); the app's call is refused.`);
  assert.equal(appCallRefusal(tools, 'nope', true), `Tool "nope" is not a tool of this server; the app's call is refused.`);
  assert.equal(appCallRefusal(tools, 'poll-system-stats', false), `The app may call only tools of its own server; "poll-system-stats" belongs to another server, so the call is refused.`);
  assert.match(appCallRefusal(tools, undefined, true)!, /^The app's tools\/call names no tool/);
  assert.match(appCallRefusal(tools, '', true)!, /names no tool/);
});

test('isAppMimeType: case-insensitive parameters, whitespace, quotes and other parameters tolerated', () => {
  for (const ok of ['text/html;profile=mcp-app', 'TEXT/HTML; Profile=MCP-App', ' text/html ; profile = mcp-app ', 'text/html; charset=utf-8; profile="mcp-app"']) assert.ok(isAppMimeType(ok), ok);
  for (const no of ['text/html', 'text/plain;profile=mcp-app', 'text/html;profile=mcp-apps', 'text/html;xprofile=mcp-app', undefined, 7]) assert.ok(!isAppMimeType(no), String(no));
});

test('uiResourceMeta: text or base64 blob (UTF-8), mime check, defaults when _meta is absent', () => {
  const html = '<!doctype html><p>Grüße — ✓</p>';
  const text = uiResourceMeta({ uri: 'ui://a/app.html', mimeType: UI_MIME_TYPE, text: html });
  assert.deepEqual(text, { uri: 'ui://a/app.html', mimeType: UI_MIME_TYPE, isAppMimeType: true, html, warnings: [], meta: { csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }, permissions: [] } });
  const blob = uiResourceMeta({ uri: 'ui://a/app.html', mimeType: UI_MIME_TYPE, blob: Buffer.from(html, 'utf8').toString('base64') });
  assert.equal(blob.html, html);
  const notUtf8 = uiResourceMeta({ uri: 'ui://a', mimeType: UI_MIME_TYPE, blob: Buffer.from([0xff, 0xfe, 0x80]).toString('base64') });
  assert.equal(notUtf8.html, undefined);
  assert.deepEqual(notUtf8.warnings, ['ui://a: the blob is not base64 of UTF-8 text; the app cannot be shown.']);
  assert.equal(uiResourceMeta({ uri: 'ui://a', mimeType: UI_MIME_TYPE, blob: '!!not base64!!' }).html, undefined);
  assert.match(uiResourceMeta({ uri: 'ui://a', mimeType: UI_MIME_TYPE }).warnings[0]!, /neither text nor blob/);
  const wrong = uiResourceMeta({ uri: 'ui://a', mimeType: 'text/html', text: '<p>' });
  assert.equal(wrong.isAppMimeType, false);
  assert.equal(wrong.html, '<p>');
  assert.deepEqual(wrong.warnings, ['ui://a: the mime type is "text/html", not text/html;profile=mcp-app.']);
  const big = uiResourceMeta({ uri: 'ui://a', mimeType: UI_MIME_TYPE, text: 'x'.repeat(MAX_APP_HTML_CHARS + 1) });
  assert.equal(big.html, undefined);
  assert.match(big.warnings[0]!, /more than the \d+ allowed/);
});

test('uiResourceMeta: csp lists validated, bad entries dropped with warnings, duplicates merged', () => {
  const r = uiResourceMeta({
    uri: 'ui://w', mimeType: UI_MIME_TYPE, text: '',
    _meta: { ui: { csp: {
      connectDomains: ['https://api.example.com', 'wss://live.example.com', 'HTTPS://API.example.com/', 'https://a.com; script-src *', 42, 'http://localhost:5173'],
      resourceDomains: ['https://*.cloudflare.com', 'cdn.example.com', '*', "'unsafe-eval'", 'data:', 'wss://x.example.com'],
      frameDomains: 'https://www.youtube.com',
      baseUriDomains: ['https://cdn.example.com/path'],
    } } },
  });
  assert.deepEqual(r.meta.csp, {
    connectDomains: ['https://api.example.com', 'wss://live.example.com', 'http://localhost:5173'],
    resourceDomains: ['https://*.cloudflare.com', 'https://cdn.example.com'],
    frameDomains: [],
    baseUriDomains: [],
  });
  assert.deepEqual(r.warnings, [
    `ui://w: _meta.ui.csp.connectDomains[3] "https://a.com; script-src *" is refused: it contains a space, a quote, ';' or ','; it could inject CSP directives.`,
    'ui://w: _meta.ui.csp.connectDomains[4] 42 is refused: it is 42, not a string.',
    `ui://w: _meta.ui.csp.resourceDomains[2] "*" is refused: it is a bare '*', which would allow every origin.`,
    `ui://w: _meta.ui.csp.resourceDomains[3] "'unsafe-eval'" is refused: it is a CSP keyword, not an origin.`,
    'ui://w: _meta.ui.csp.resourceDomains[4] "data:" is refused: it is a bare scheme, which would allow every data: URL.',
    'ui://w: _meta.ui.csp.resourceDomains[5] "wss://x.example.com" is refused: it uses the wss:// scheme, which is not allowed in resourceDomains.',
    'ui://w: _meta.ui.csp.frameDomains is "https://www.youtube.com", not an array; it is ignored.',
    'ui://w: _meta.ui.csp.baseUriDomains[0] "https://cdn.example.com/path" is refused: it has a path, query or fragment; declare an origin.',
  ]);
});

test('checkDomain: what is an origin or host pattern, and why the rest is refused', () => {
  const ok: [string, string][] = [
    ['https://api.example.com', 'https://api.example.com'], ['https://api.example.com:8443', 'https://api.example.com:8443'],
    ['https://*.example.com', 'https://*.example.com'], ['example.com', 'https://example.com'], ['*.example.com:*', 'https://*.example.com:*'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'], ['http://[::1]:8080/', 'http://[::1]:8080'], ['ws://localhost:9000', 'ws://localhost:9000'],
  ];
  for (const [entry, source] of ok) assert.deepEqual(checkDomain(entry, 'connect'), { source }, entry);
  const refused: [string, RegExp][] = [
    ['https:', /bare scheme/], ['javascript:alert(1)', /javascript: scheme/], ['file:///etc', /file:\/\/ scheme/], ['blob:', /bare scheme/],
    ['http://api.example.com', /plain http:\/\/, which is allowed only to localhost/], ['ws://example.com', /plain ws:\/\//],
    ['https://*', /bare '\*'/], ['https://*.com', /whole top-level domain/], ['https://a.*.com', /not a valid host/],
    ['https://user@a.com', /user info/], ['https://a.com/x', /path/], ['https://a.com:0', /port outside/], ['https://a.com:99999', /not|port/],
    ["'self'", /keyword/], ["'nonce-abc'", /keyword/], ['https://a.com\nscript-src *', /inject/], ['', /empty/], ['x'.repeat(256), /longer than 255/],
  ];
  for (const [entry, reason] of refused) {
    const r = checkDomain(entry, 'connect');
    assert.ok('reason' in r, entry);
    assert.match(r.reason, reason, entry);
  }
  assert.match((checkDomain('wss://a.example.com', 'resource') as { reason: string }).reason, /not allowed in resourceDomains/);
});

test('uiResourceMeta: permissions, prefersBorder and domain; content item preferred over the listing', () => {
  const r = uiResourceMeta(
    { uri: 'ui://p', mimeType: UI_MIME_TYPE, text: '', _meta: { ui: { permissions: { clipboardWrite: {}, camera: {}, usb: {}, microphone: 'yes' }, prefersBorder: false } } },
    { _meta: { ui: { prefersBorder: true, domain: 'abc.claudemcpcontent.com', csp: { connectDomains: ['https://listed.example.com'] } } } },
  );
  assert.deepEqual(r.meta, {
    csp: { connectDomains: ['https://listed.example.com'], resourceDomains: [], frameDomains: [], baseUriDomains: [] },
    permissions: ['camera', 'clipboardWrite'], prefersBorder: false, domain: 'abc.claudemcpcontent.com',
  });
  assert.deepEqual(r.warnings, [
    'ui://p: _meta.ui.permissions.usb is not a known permission; it is ignored.',
    'ui://p: _meta.ui.permissions.microphone is "yes", not an object; it is ignored.',
  ]);
  const bad = uiResourceMeta({ uri: 'ui://p', mimeType: UI_MIME_TYPE, text: '', _meta: { ui: { csp: [], permissions: 1, prefersBorder: 'no', domain: 5 } } });
  assert.deepEqual(bad.meta, { csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }, permissions: [] });
  assert.equal(bad.warnings.length, 4);
});
