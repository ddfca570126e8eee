import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowAttribute, appCsp, pageCsp, ungrantablePermissions } from '../../src/webviews/apps/csp.ts';
import { prepareAppHtml } from '../../src/webviews/apps/appHtml.ts';

const N = 'dGVzdG5vbmNlMTIzNDU2Nzg=';
/** The policy back as directive → sources, checking each directive appears once. */
function parse(policy: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (!name) continue;
    assert.ok(!(name in out), `directive ${name} twice`);
    out[name] = values;
  }
  return out;
}

test('the default policy: the spec default without self, scripts by nonce only, object-src none', () => {
  const { policy, refused } = appCsp(undefined, N);
  assert.deepEqual(refused, []);
  assert.deepEqual(parse(policy), {
    'default-src': ["'none'"],
    'script-src': [`'nonce-${N}'`],
    'style-src': ["'unsafe-inline'"],
    'img-src': ['data:'],
    'font-src': ["'none'"],
    'media-src': ['data:'],
    'connect-src': ["'none'"],
    'frame-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'object-src': ["'none'"],
  });
  assert.equal(appCsp({ csp: {} }, N).policy, policy);
  assert.ok(!policy.includes("'self'"));
  assert.ok(!policy.includes("'unsafe-eval'"));
});

test('each declared list widens only its directives', () => {
  const d = parse(appCsp({ csp: {
    resourceDomains: ['https://cdn.jsdelivr.net', 'https://*.cloudflare.com'],
    connectDomains: ['https://api.weather.com', 'wss://realtime.service.com'],
    frameDomains: ['https://www.youtube.com'],
    baseUriDomains: ['https://cdn.example.com'],
  } }, N).policy);
  const R = ['https://cdn.jsdelivr.net', 'https://*.cloudflare.com'];
  assert.deepEqual(d['script-src'], [`'nonce-${N}'`, ...R]);
  assert.deepEqual(d['style-src'], ["'unsafe-inline'", ...R]);
  assert.deepEqual(d['img-src'], ['data:', ...R]);
  assert.deepEqual(d['font-src'], R);
  assert.deepEqual(d['media-src'], ['data:', ...R]);
  assert.deepEqual(d['connect-src'], ['https://api.weather.com', 'wss://realtime.service.com']);
  assert.deepEqual(d['frame-src'], ['https://www.youtube.com']);
  assert.deepEqual(d['base-uri'], ['https://cdn.example.com']);
  assert.deepEqual([d['default-src'], d['form-action'], d['object-src']], [["'none'"], ["'none'"], ["'none'"]]);
  // One list alone leaves the others at their defaults.
  const c = parse(appCsp({ csp: { connectDomains: ['https://api.example.com'] } }, N).policy);
  assert.deepEqual([c['connect-src'], c['script-src'], c['img-src'], c['frame-src']], [['https://api.example.com'], [`'nonce-${N}'`], ['data:'], ["'none'"]]);
});

test('entries that would loosen the policy are refused with reasons and never reach it', () => {
  const attempts = ['*', "'unsafe-eval'", "'self'", 'https:', 'data:', 'javascript:alert(1)', 'https://a.com; script-src *', 'http://evil.example', 'https://*', 'blob:', 'file:///tmp', 42];
  const { policy, refused } = appCsp({ csp: { resourceDomains: attempts, connectDomains: attempts, frameDomains: attempts, baseUriDomains: attempts } }, N);
  const d = parse(policy);
  assert.deepEqual(d, parse(appCsp(undefined, N).policy));
  assert.equal(refused.length, attempts.length * 4);
  assert.equal(refused[0], `resourceDomains[0] "*" is refused: it is a bare '*', which would allow every origin.`);
  assert.equal(refused[1], `resourceDomains[1] "'unsafe-eval'" is refused: it is a CSP keyword, not an origin.`);
  assert.equal(refused[6], `resourceDomains[6] "https://a.com; script-src *" is refused: it contains a space, a quote, ';' or ','; it could inject CSP directives.`);
  assert.equal(refused[7], 'resourceDomains[7] "http://evil.example" is refused: it uses plain http://, which is allowed only to localhost, 127.0.0.1 or [::1].');
  assert.ok(refused.some(r => r.startsWith('connectDomains[5] "javascript:alert(1)" is refused: it uses the javascript: scheme')));
  assert.ok(refused.some(r => r === 'baseUriDomains[11] 42 is refused: it is 42, not a string.'));
  assert.ok(!/\*|unsafe-eval|self|javascript|evil|blob|file/.test(policy.replace(/'nonce-[^']+'/, '')));
});

test('a non-array list, duplicates and loopback http for development', () => {
  const { policy, refused } = appCsp({ csp: { connectDomains: 'https://a.com' as unknown as string[], resourceDomains: ['http://localhost:5173', 'HTTP://LOCALHOST:5173/', 'https://cdn.example.com'] } }, N);
  assert.deepEqual(refused, ['connectDomains is not an array; it is ignored.']);
  assert.deepEqual(parse(policy)['img-src'], ['data:', 'http://localhost:5173', 'https://cdn.example.com']);
  assert.deepEqual(parse(policy)['connect-src'], ["'none'"]);
});

test('the nonce must look like one (it is pasted into the policy)', () => {
  assert.throws(() => appCsp(undefined, "x' 'unsafe-inline"), /nonce/);
  assert.throws(() => appCsp(undefined, 'short'), /nonce/);
  assert.throws(() => prepareAppHtml('', { nonce: 'a"b', csp: '' }), /nonce/);
});

test('allowAttribute grants only clipboard-write, which a VS Code webview can delegate', () => {
  assert.equal(allowAttribute([]), '');
  assert.equal(allowAttribute(['clipboardWrite']), 'clipboard-write');
  assert.equal(allowAttribute(['camera', 'microphone', 'geolocation', 'clipboardWrite', 'clipboardWrite']), 'clipboard-write');
  assert.equal(allowAttribute(['camera', 'geolocation']), '');
  assert.deepEqual(ungrantablePermissions(['camera', 'microphone', 'geolocation', 'clipboardWrite']), ['camera', 'microphone', 'geolocation']);
});

// ---- prepareAppHtml --------------------------------------------------------------------------------

const CSP = appCsp(undefined, N).policy;
const META = `<meta http-equiv="Content-Security-Policy" content="${CSP}">`;
const prep = (html: string) => prepareAppHtml(html, { nonce: N, csp: CSP });
const NA = ` nonce="${N}"`;

test('the shape of the real apps: doctype, html, head, one inline module script, one style', () => {
  // system-monitor and budget-allocator (ext-apps 2.0.3, vite single-file) look like this, with ~420 K of JS.
  const html = '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="UTF-8">\n  <title>System Monitor</title>\n'
    + '  <script type="module" crossorigin>var a="<script>";if(1<2&&a)document.title=`</scrip`+"t>";</script>\n'
    + '  <style rel="stylesheet" crossorigin>*{box-sizing:border-box}</style>\n</head>\n<body><div id="app"></div></body>\n</html>\n';
  const r = prep(html);
  assert.equal(r.scripts, 1);
  assert.equal(r.html, html.replace('<head>', '<head>' + META).replace('<script type', `<script${NA} type`));
});

test('inline, module and src scripts; uppercase; attributes with > in quotes; an existing nonce replaced', () => {
  const html = '<html><head></head><body>'
    + '<script>1</script><SCRIPT SRC="https://cdn.example.com/a.js"></SCRIPT>'
    + '<script data-x="a>b" type=module>2</script><script nonce="theirs" src=x.js NONCE=\'again\'></script>'
    + '<script/src=y.js></script><scripts>not a script</scripts><script-x></script-x></body></html>';
  const r = prep(html);
  assert.equal(r.scripts, 5);
  assert.equal(r.html, `<html><head>${META}</head><body>`
    + `<script${NA}>1</script><SCRIPT${NA} SRC="https://cdn.example.com/a.js"></SCRIPT>`
    + `<script${NA} data-x="a>b" type=module>2</script><script${NA}  src=x.js ></script>`
    + `<script${NA}/src=y.js></script><scripts>not a script</scripts><script-x></script-x></body></html>`);
});

test('"<script" inside script text and comments is left alone; a literal </script> ends the element as in a browser', () => {
  const inString = '<head></head><script>var s="<script>alert(1)<\\/script>";</script><p>after</p><script>2</script>';
  assert.equal(prep(inString).scripts, 2);
  assert.equal(prep(inString).html, `<head>${META}</head><script${NA}>var s="<script>alert(1)<\\/script>";</script><p>after</p><script${NA}>2</script>`);
  // The browser ends the script at the </script> in the string; what follows is markup, and its <script> is real.
  const literal = '<head></head><script>var s="</script><script>x";</script>';
  assert.equal(prep(literal).html, `<head>${META}</head><script${NA}>var s="</script><script${NA}>x";</script>`);
  const comment = '<head></head><!-- <script>old()</script> --><!--><script>a</script><!---><script>b</script><!-- x --!><script>c</script>';
  assert.equal(prep(comment).scripts, 3);
  assert.equal(prep(comment).html, `<head>${META}</head><!-- <script>old()</script> --><!--><script${NA}>a</script><!---><script${NA}>b</script><!-- x --!><script${NA}>c</script>`);
  // Raw-text elements hide tags too.
  const raw = '<head><title><script></title><style>a::after{content:"<script>"}</style></head><textarea><script></textarea><script>ok</script>';
  assert.equal(prep(raw).scripts, 1);
  assert.ok(prep(raw).html.endsWith(`<textarea><script></textarea><script${NA}>ok</script>`));
});

test("script data escape states: after <!-- a <script> keeps the first </script> from ending it", () => {
  // parse5 reads this as two scripts, the first one's text running up to `-->`.
  const html = '<head></head><script><!-- document.write("<script>x</script><script>y") --></script><p><script>real</script>';
  const r = prep(html);
  assert.equal(r.scripts, 2);
  assert.equal(r.html, `<head>${META}</head><script${NA}><!-- document.write("<script>x</script><script>y") --></script><p><script${NA}>real</script>`);
  // Without the inner <script, </script> ends it even after <!--.
  assert.equal(prep('<head></head><script><!-- a </script><script>b</script>').scripts, 2);
});

test('scripts in svg and math get the nonce too', () => {
  const html = '<head></head><svg><script>var a = 1 < 2;</script></svg><math><mi><script>b</script></mi></math>';
  assert.equal(prep(html).html, `<head>${META}</head><svg><script${NA}>var a = 1 < 2;</script></svg><math><mi><script${NA}>b</script></mi></math>`);
});

test('conditional comments: their scripts get the nonce too; downlevel-revealed ones are plain markup', () => {
  const html = '<head></head><!--[if IE]><script src="ie.js"></script><![endif]--><!--[if !IE]><!--><script>modern()</script><!--<![endif]-->';
  const r = prep(html);
  assert.equal(r.scripts, 2);
  assert.equal(r.html, `<head>${META}</head><!--[if IE]><script${NA} src="ie.js"></script><![endif]--><!--[if !IE]><!--><script${NA}>modern()</script><!--<![endif]-->`);
});

test('the CSP goes first in <head>, creating head and html when missing', () => {
  assert.equal(prep('<!doctype html><html lang="en"><HEAD data-a="1"><meta charset="utf-8"></head></html>').html,
    `<!doctype html><html lang="en"><HEAD data-a="1">${META}<meta charset="utf-8"></head></html>`);
  assert.equal(prep('<!doctype html><html><body>x</body></html>').html, `<!doctype html><html><head>${META}</head><body>x</body></html>`);
  assert.equal(prep('<!DOCTYPE html><!-- c --><script>1</script>').html, `<!DOCTYPE html><html><head>${META}</head><!-- c --><script${NA}>1</script>`);
  assert.equal(prep('<p>bare</p>').html, `<html><head>${META}</head><p>bare</p>`);
  assert.equal(prep('').html, `<html><head>${META}</head>`);
  // A <head> that comes after content is not the document's head: ours goes before the content.
  assert.equal(prep('<!doctype html><p>x</p><head></head>').html, `<!doctype html><html><head>${META}</head><p>x</p><head></head>`);
  // A <head> inside a comment does not count.
  assert.equal(prep('<html><!-- <head> --><head></head>').html, `<html><!-- <head> --><head>${META}</head>`);
  // The app's own CSP <meta> stays (browsers enforce both); ours is first.
  const own = '<html><head><meta http-equiv="Content-Security-Policy" content="connect-src *"></head></html>';
  assert.equal(prep(own).html, `<html><head>${META}<meta http-equiv="Content-Security-Policy" content="connect-src *"></head></html>`);
});

test('the policy is attribute-escaped, and a tag left open at the end is left as it is', () => {
  const r = prepareAppHtml('<head></head><script src="x', { nonce: N, csp: `a "b" & c` });
  assert.equal(r.html, `<head><meta http-equiv="Content-Security-Policy" content="a &quot;b&quot; &amp; c"></head><script src="x`);
  assert.equal(r.scripts, 0);
});

test('the page policy: both nonces, the webview source, the declared domains, never self or anything undeclared', () => {
  const P = 'cGFnZW5vbmNlMTIzNDU2Nzg=';
  const src = 'https://file+.vscode-resource.vscode-cdn.net';
  const d = parse(pageCsp(undefined, { pageNonce: P, appNonce: N, cspSource: src }));
  assert.deepEqual(d, {
    'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'object-src': ["'none'"],
    'script-src': [`'nonce-${P}'`, `'nonce-${N}'`], 'style-src': [src, "'unsafe-inline'"], 'font-src': [src],
    'img-src': [src, 'data:'], 'media-src': ['data:'], 'connect-src': ["'none'"], 'frame-src': ["'none'"],
  });
  const w = parse(pageCsp({ csp: { connectDomains: ['https://api.example.com', "https://x.com; script-src *"], resourceDomains: ['https://cdn.example.com'], frameDomains: ['https://www.youtube.com'], baseUriDomains: ['https://base.example.com'] } }, { pageNonce: P, appNonce: N, cspSource: src }));
  assert.deepEqual(w['connect-src'], ['https://api.example.com']);
  assert.deepEqual(w['script-src'], [`'nonce-${P}'`, `'nonce-${N}'`, 'https://cdn.example.com']);
  assert.deepEqual(w['frame-src'], ['https://www.youtube.com']);
  assert.deepEqual(w['base-uri'], ['https://base.example.com']);
  for (const values of Object.values(w)) assert.ok(!values.includes("'self'") && !values.includes('*') && !values.includes("'unsafe-eval'"));
  assert.throws(() => pageCsp(undefined, { pageNonce: P, appNonce: N, cspSource: "https://a.example; script-src *" }), /cspSource/);
  assert.throws(() => pageCsp(undefined, { pageNonce: P, appNonce: N, cspSource: "'self'" }), /cspSource/);
  // VS Code's own value (1.139): 'self' is dropped, the CDN host kept.
  const vs = parse(pageCsp(undefined, { pageNonce: P, appNonce: N, cspSource: "'self' https://*.vscode-cdn.net" }));
  assert.deepEqual(vs['style-src'], ['https://*.vscode-cdn.net', "'unsafe-inline'"]);
  assert.deepEqual(vs['img-src'], ['https://*.vscode-cdn.net', 'data:']);
  assert.throws(() => pageCsp(undefined, { pageNonce: 'short', appNonce: N, cspSource: src }), /nonce/);
});

test('a preamble script goes right after the policy, with the nonce, before any app script', () => {
  const r = prepareAppHtml('<html><head><script>app()</script></head></html>', { nonce: N, csp: CSP, preamble: 'ours()' });
  assert.equal(r.html, `<html><head>${META}<script nonce="${N}">ours()</script><script${NA}>app()</script></head></html>`);
  assert.throws(() => prepareAppHtml('<p>', { nonce: N, csp: CSP, preamble: 'a</script><script>b' }), /preamble/);
});
