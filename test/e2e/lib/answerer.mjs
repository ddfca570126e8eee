// The person at the keyboard while the API suite runs: answers the dialogs and input boxes a
// test run raises, and writes down what it saw (JSON lines, MCP_HOST_TEST_UI_LOG) so the
// suite can prove a dialog or a notification was shown.
//
//   Start MCP server "NAME" defined by this workspace?  → Allow. For a server whose name
//     starts with `e2e-added-` (the suite's mcpHost.addServer test) only once the suite wrote
//     `<ui log>.release-NAME` (at most HOLD_MS): meanwhile the suite checks the server waits.
//   "… wants to access the language models provided by …"  → Allow.
//   An input box titled `MCP Host: <description>` of an input in `inputs` → its value, typed.
//   What the suite scripted for its next steps in `<ui log>.script.json` (a test that makes a
//   server ask the user something writes it first, test/integration/suite/harness.js):
//   {dialogs: [{text, answer, shot?}], inputs: [{title, value} | {title, pick}]} — a dialog whose
//   text is `text` (or matches it, when it is written as "/regex/") gets the button `answer`;
//   an input box titled `title` gets `value` typed, a quick pick titled `title` gets the row
//   `pick` chosen, like a person would (`shot`: a screenshot of the dialog first).
// Lines of the UI log: {kind: 'dialog', text, detail, buttons, at, held?}, {kind: 'answered',
// text, answer, at}, {kind: 'input', title, masked, at} (a password input; never the value),
// {kind: 'typed', title, at} and {kind: 'picked', title, pick, at} (scripted answers), {kind: 'notification', message, severity, source, at} (each time a toast
// appears), {kind: 'notification-closed', …}.
import * as fs from 'node:fs';
import { sleep, waitFor } from './proc.mjs';

const CONSENT = /^Start MCP server "(.*)" defined by this workspace\?$/;
const HELD = /^e2e-added-/;
const HOLD_MS = 60000;

export class Answerer {
  /**
   * `uiLog`: the JSON-lines file (or undefined); `inputs`: { [title]: value } to type;
   * `log(line)`, `shot(label)` → screenshot path.
   */
  constructor({ uiLog, inputs = {}, log, shot }) {
    this.uiLog = uiLog;
    this.inputs = inputs;
    this.log = log;
    this.shot = shot;
    /** Everything recorded, for checks by the harness itself. */
    this.entries = [];
    this.unexpected = new Set();
    this.held = new Map(); // dialog text → first seen (ms)
    this.toasts = new Set();
    if (uiLog) fs.writeFileSync(uiLog, '');
  }

  record(entry) {
    const e = { ...entry, at: Date.now() };
    this.entries.push(e);
    if (this.uiLog) fs.appendFileSync(this.uiLog, `${JSON.stringify(e)}\n`);
    return e;
  }

  released(name) {
    return !!this.uiLog && fs.existsSync(`${this.uiLog}.release-${name}`);
  }

  /** What the suite scripted (`<ui log>.script.json`), or nothing. */
  script() {
    if (!this.uiLog) return { dialogs: [], inputs: [] };
    try {
      const s = JSON.parse(fs.readFileSync(`${this.uiLog}.script.json`, 'utf8'));
      return { dialogs: s.dialogs ?? [], inputs: s.inputs ?? [] };
    } catch {
      return { dialogs: [], inputs: [] };
    }
  }

  /** Answers dialogs and input boxes until `done()` is true (or fails after `timeoutMs`). */
  async until(phase, done, { timeoutMs, onDialog = () => {} }) {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
      await this.once(phase, onDialog);
      await sleep(250);
    }
  }

  async once(phase, onDialog) {
    const { wb } = phase;
    await this.notice(wb);
    const d = await wb.dialogState().catch(() => undefined);
    if (d) return this.dialog(phase, d, onDialog);
    const q = await wb.quickInputState().catch(() => undefined);
    if (!q) return;
    if (Object.hasOwn(this.inputs, q.title) && q.value === '') return this.input(phase, q);
    const scripted = this.script().inputs.find((i) => i.title === q.title);
    if (scripted) await this.scriptedInput(phase, q, scripted);
  }

  /** A scripted answer to an input box (typed) or a quick pick (the row clicked). */
  async scriptedInput(phase, q, entry) {
    const { wb } = phase;
    if (entry.pick !== undefined) {
      if (!q.rows.some((r) => r.label === entry.pick)) return; // not rendered yet
      // Written down first: the click may end the call the suite is waiting for.
      this.record({ kind: 'picked', title: q.title, pick: entry.pick });
      this.log(`${phase.name}: quick pick "${q.title}" ← picked "${entry.pick}"`);
      await wb.pick(entry.pick, { title: q.title, filter: false });
    } else {
      const box = wb.quickInput().locator('.quick-input-box input');
      await box.fill('');
      await box.focus();
      await wb.page.keyboard.type(String(entry.value), { delay: 10 });
      if ((await box.inputValue().catch(() => '')) !== String(entry.value)) return; // try again next round
      this.record({ kind: 'typed', title: q.title });
      this.log(`${phase.name}: input box "${q.title}" ← typed ${String(entry.value).length} characters`);
      await wb.page.keyboard.press('Enter');
    }
    // The next field replaces this one (or the form closes).
    await waitFor(async () => (await wb.quickInputState())?.title !== q.title, { timeoutMs: 5000, intervalMs: 50, what: `"${q.title}" to give way` }).catch(() => {});
  }

  async dialog(phase, d, onDialog) {
    const { wb } = phase;
    let answer;
    const consent = CONSENT.exec(d.text);
    if (consent) answer = 'Allow';
    else if (/wants to access the language models provided by/.test(d.text)) answer = 'Allow';
    let scripted;
    if (!answer) {
      scripted = this.script().dialogs.find((s) => textMatches(s.text, d.text));
      answer = scripted?.answer;
    }
    if (!answer || !d.buttons.includes(answer)) {
      if (!this.unexpected.has(d.text)) {
        this.unexpected.add(d.text);
        this.record({ kind: 'dialog', text: d.text, detail: d.detail, buttons: d.buttons, unexpected: true });
        const file = await wb.screenshot(this.shot('unexpected-dialog'));
        this.log(`${phase.name}: unexpected dialog "${d.text}" [${d.buttons.join(' | ')}] → ${file}`);
      }
      return;
    }
    if (consent && HELD.test(consent[1])) {
      if (!this.held.has(d.text)) {
        this.held.set(d.text, Date.now());
        this.record({ kind: 'dialog', text: d.text, detail: d.detail, buttons: d.buttons, held: true });
        this.log(`${phase.name}: dialog "${d.text}" held until the suite releases it`);
      }
      const since = this.held.get(d.text);
      if (!this.released(consent[1]) && Date.now() - since < HOLD_MS) return;
      this.held.delete(d.text);
    } else {
      this.record({ kind: 'dialog', text: d.text, detail: d.detail, buttons: d.buttons });
    }
    await onDialog(d);
    if (scripted?.shot) {
      const file = await wb.screenshot(this.shot(scripted.shot)).catch(() => undefined);
      if (file) this.log(`${phase.name}: dialog "${d.text}" → ${file}`);
    }
    this.log(`${phase.name}: dialog "${d.text}" → ${answer}`);
    await wb.clickDialogButton(answer).catch((e) => this.log(`  (could not click ${answer}: ${e.message})`));
    this.record({ kind: 'answered', text: d.text, answer });
  }

  /** Types the value into the focused input box like a person, then Enter. */
  async input(phase, q) {
    const { wb } = phase;
    const value = this.inputs[q.title];
    const box = wb.quickInput().locator('.quick-input-box input');
    await box.focus();
    await wb.page.keyboard.type(value, { delay: 20 });
    const typed = await box.inputValue().catch(() => '');
    if (typed !== value) {
      this.log(`${phase.name}: input box "${q.title}": typing gave ${typed.length} of ${value.length} characters; retrying`);
      await box.fill('');
      return;
    }
    const type = await box.getAttribute('type').catch(() => '');
    this.record({ kind: 'input', title: q.title, masked: type === 'password' });
    this.log(`${phase.name}: input box "${q.title}" (${type === 'password' ? 'masked' : `type ${type}`}) ← typed ${value.length} characters`);
    await wb.page.keyboard.press('Enter');
    await wb.waitQuickInputClosed({ timeoutMs: 5000 }).catch(() => {});
  }

  /** Records each toast as it appears (a message shown twice is recorded twice). */
  async notice(wb) {
    const now = await wb.notifications().catch(() => []);
    const visible = new Set();
    for (const n of now) {
      const key = `${n.severity}\u0000${n.message}`;
      visible.add(key);
      if (!this.toasts.has(key)) this.record({ kind: 'notification', message: n.message, severity: n.severity, source: n.source });
    }
    for (const key of this.toasts) {
      if (!visible.has(key)) this.record({ kind: 'notification-closed', message: key.split('\u0000')[1], severity: key.split('\u0000')[0] });
    }
    this.toasts = visible;
  }
}

/** `pattern` is the exact text, or a regular expression written as "/…/flags". */
function textMatches(pattern, text) {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  return m ? new RegExp(m[1], m[2]).test(text) : pattern === text;
}
