// A "browser" for the conformance runs, as $BROWSER: it gets the authorization URL as
// its argument and follows the redirects, as a person's browser would once they agree.
// The suite's authorization servers approve at once and redirect to the client's
// loopback listener, so following them is the whole sign-in.
//   BROWSER="node test/conformance/browser.mjs" mcp-host call test-tool --url …
const url = process.argv[2];
if (!url) { console.error('usage: browser.mjs URL'); process.exit(2); }
try {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(30_000) });
  await res.text();
} catch (err) {
  console.error(`browser.mjs: ${err.message}`);
  process.exit(1);
}
