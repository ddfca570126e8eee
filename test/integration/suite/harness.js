// The suite's side of the person at the keyboard (test/e2e/lib/answerer.mjs): what it saw
// (the UI log, MCP_HOST_TEST_UI_LOG) and what it should answer next (`<ui log>.script.json`).
// A test that makes a server ask the user something scripts the answers first, runs, then
// checks in the UI log that the dialogs were shown and answered as a person would.
'use strict';
const fs = require('node:fs');

const file = () => process.env.MCP_HOST_TEST_UI_LOG;

/** Every entry of the UI log so far: {kind: 'dialog' | 'answered' | 'input' | 'picked' | 'notification' | …}. */
function uiLog() {
  if (!file() || !fs.existsSync(file())) return [];
  return fs.readFileSync(file(), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/**
 * Tells the harness how to answer: `dialogs` [{text (exact, or "/regex/"), answer, shot?}],
 * `inputs` [{title, value} (typed) | {title, pick} (a quick pick row)]. Replaces the script.
 */
function script({ dialogs = [], inputs = [] } = {}) {
  const tmp = `${file()}.script.json.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ dialogs, inputs }, null, 2));
  fs.renameSync(tmp, `${file()}.script.json`);
}

function clearScript() {
  if (file()) fs.rmSync(`${file()}.script.json`, { force: true });
}

/**
 * Runs `fn` with the harness answering as `answers` says, and returns what it resolved to and
 * the UI log entries written meanwhile. The script is removed afterwards, whatever happened.
 */
async function withAnswers(answers, fn) {
  const before = uiLog().length;
  script(answers);
  try {
    const value = await fn();
    return { value, seen: uiLog().slice(before) };
  } finally {
    clearScript();
  }
}

module.exports = { uiLog, script, clearScript, withAnswers };
