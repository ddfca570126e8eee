// The sign-in phase (issue 10): a person signing in to an OAuth-protected server in the real
// VS Code. The server (test/fixtures/servers/oauth.mjs, with its own authorization server)
// is a user server; at start it shows `needs sign-in` with a notification; Sign In opens the
// authorization page in the browser, where the person clicks Allow; the server runs with
// its tool; Sign Out stops it and revokes the tokens. Then no issued token may appear in any
// log VS Code or the extension wrote.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from './lib/proc.mjs';
import { textOf, webviewFrame } from './lib/webview.mjs';

export const OAUTH_SERVER = 'oauth-fixture';

async function serverRow(wb) {
  await wb.openViewContainer('MCP Host');
  const pane = wb.pane('Servers');
  await pane.waitFor({ state: 'visible', timeout: 15000 });
  return pane;
}

const description = async (wb, pane) => (await wb.treeRows(pane)).find((r) => r.level === 1 && r.label === OAUTH_SERVER)?.description;

export async function signInSteps({ step: run, phase, log, oauthUrl }) {
  const { wb } = phase;
  // The phase's name first: the steps run once per redirect (loopback, URI handler).
  const step = (name, fn, opts) => run(`${phase.name}: ${name}`, fn, opts);
  const state = async () => (await fetch(new URL('/state', oauthUrl))).json();

  await step('sign-in: the server shows "needs sign-in" and a notification offers Sign In', async ({ shot }) => {
    const pane = await serverRow(wb);
    await waitFor(async () => (await description(wb, pane)) === 'needs sign-in', { timeoutMs: 30000, what: `${OAUTH_SERVER} to show "needs sign-in"` });
    const n = await wb.waitNotification(`${OAUTH_SERVER} needs you to sign in`, { timeoutMs: 15000 });
    assert.deepEqual(n.buttons, ['Sign In', 'Not Now'], `the notification's buttons: ${n.buttons.join(', ')}`);
    await shot('signin-needed');
    assert.equal((await state()).events.filter((e) => e.event === 'authorized').length, 0, 'nothing was authorized without the person');
  });

  await step('sign-in: Sign In opens the authorization page; Allow; the server runs', async ({ shot }) => {
    const pageOpened = wb.takeOpenedPage(/\/authorize\?/);
    await wb.notificationToast(`${OAUTH_SERVER} needs you to sign in`).locator('a.monaco-button', { hasText: 'Sign In' }).click();
    // A host VS Code does not know yet (not localhost) is opened after the person agrees.
    const asked = wb.waitDialog(/open the external website/i, { timeoutMs: 20000 }).then(async (d) => {
      log(`  dialog "${d.text}" → Open`);
      await wb.clickDialogButton('Open');
    }).catch(() => {});
    const page = await pageOpened;
    await asked;
    log(`  the authorization page: ${page.url().replace(/(state|code_challenge)=[^&]+/g, '$1=…')}`);
    await page.locator('#allow').waitFor({ state: 'visible', timeout: 15000 });
    assert.match(await page.locator('body').innerText(), /MCP Host for VS Code asks for access to/);
    await page.screenshot({ path: path.join(path.dirname(await shot('signin-progress')), 'signin-authorization-page.png') });
    await page.locator('#allow').click();
    // Back to the extension: its loopback listener's page, or (a browser UI, as code-server's)
    // VS Code's own callback page on the way to the extension's URI handler.
    await page.waitForURL(/\/callback\?/, { timeout: 15000 });
    log(`  the redirect came back to ${page.url().replace(/\?.*$/, '?…')}`);
    if (/127\.0\.0\.1:\d+\/callback\?code=/.test(page.url())) assert.match(await page.locator('h1').innerText(), /^Signed in$/);
    await page.close();
    const pane = await serverRow(wb);
    await waitFor(async () => (await description(wb, pane)) === 'running · 1 tool', { timeoutMs: 30000, what: `${OAUTH_SERVER} to run after signing in` });
    await wb.waitNotification(`signed in to ${OAUTH_SERVER}`, { timeoutMs: 10000 });
    const s = await state();
    assert.equal(s.events.filter((e) => e.event === 'authorized').length, 1, 'one authorization');
    assert.ok(s.events.some((e) => e.event === 'registered' && e.name === 'MCP Host for VS Code' && e.application_type === 'native'), 'registered as a native app');
  });

  await step('sign-in: the signed-in server\'s tool is called from the palette', async () => {
    await wb.closeAllEditors();
    await wb.runCommand('MCP Host: Call Tool…');
    const s = await wb.waitQuickInput({ title: /^MCP Host: Call Tool — / });
    if (s.title === 'MCP Host: Call Tool — pick a server') await wb.pick(OAUTH_SERVER, { title: s.title });
    await wb.pick('whoami', { title: `MCP Host: Call Tool — ${OAUTH_SERVER}` });
    // The tool panel (the default): Run, and the result shows who the server sees.
    const panel = await webviewFrame(wb, 'tool', { title: new RegExp(`— ${OAUTH_SERVER}$`) });
    await panel.locator('#run').click();
    await waitFor(async () => /signed in as client-\S+ with scope mcp:tools/.test(await textOf(panel, '.outcome')),
      { timeoutMs: 20000, what: 'the whoami result in the tool panel' });
  });

  await step('sign-out: MCP Host: Sign Out of Server stops the server and revokes its tokens', async () => {
    await wb.runCommand('MCP Host: Sign Out of Server');
    // Its server picker (the one signed-in server is offered), once it is there.
    const q = await wb.waitQuickInput({ title: 'MCP Host: Sign Out of Server — pick a server' });
    await wb.pick(OAUTH_SERVER, { title: q.title });
    const pane = await serverRow(wb);
    await waitFor(async () => (await description(wb, pane)) === 'stopped · signed out', { timeoutMs: 20000, what: `${OAUTH_SERVER} to stop when signed out` });
    await waitFor(async () => (await state()).events.filter((e) => e.event === 'revoked' && e.known).length === 2,
      { timeoutMs: 10000, what: 'the refresh and the access token to be revoked' });
  });

  return state;
}

/** Every issued token, searched for in every file under `dirs` (logs, storage): none may be there. */
export function tokensInFiles(tokens, dirs) {
  const hits = [];
  let files = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.isFile()) {
        files++;
        const text = fs.readFileSync(f, 'latin1');
        for (const t of tokens) if (text.includes(t)) hits.push(`${f}: ${t.slice(0, 14)}…`);
      }
    }
  };
  for (const d of dirs) if (fs.existsSync(d)) walk(d);
  return { files, hits };
}
