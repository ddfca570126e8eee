// Test-only companion extension for MCP Host (never shipped).
//  1. Registers a deterministic language model (vendor `mcp-host-test`) that streams back
//     `Echo from test model: <the last user message text>`, so sampling works end to end.
//  2. When env MCP_HOST_TEST_SUITE names a suite file (a module exporting `run()`, the
//     shape @vscode/test-electron expects), runs it inside this extension host and writes
//     `{total, passed, failed, skipped, results: [{name, ok, error?, skipped?}]}` to the path in
//     MCP_HOST_TEST_RESULTS.
'use strict';
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');

const VENDOR = 'mcp-host-test';
const MODEL = {
  id: 'mcp-host-test-echo',
  name: 'MCP Host Test Model',
  family: 'mcp-host-test',
  version: '1.0.0',
  tooltip: 'Deterministic test model: echoes the last user message',
  detail: 'test',
  maxInputTokens: 100000,
  maxOutputTokens: 4096,
  capabilities: {},
};

/** Every request the model answered, for the suite to inspect (exported API). */
const requests = [];

function partText(part) {
  if (part instanceof vscode.LanguageModelTextPart) return part.value;
  if (part && typeof part.value === 'string') return part.value;
  return '';
}

function messageText(message) {
  if (typeof message === 'string') return message;
  const content = message && message.content;
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map(partText).join('') : '';
}

const provider = {
  provideLanguageModelChatInformation() {
    return [MODEL];
  },
  async provideLanguageModelChatResponse(model, messages, options, progress, token) {
    const users = messages.filter((m) => m.role === vscode.LanguageModelChatMessageRole.User);
    const last = users.length ? messageText(users[users.length - 1]) : '';
    requests.push({ model: model.id, messages: messages.map((m) => ({ role: m.role, text: messageText(m) })) });
    const answer = `Echo from test model: ${last}`;
    // Stream it in a few parts, like a real model.
    const size = Math.max(1, Math.ceil(answer.length / 3));
    for (let i = 0; i < answer.length; i += size) {
      if (token && token.isCancellationRequested) return;
      progress.report(new vscode.LanguageModelTextPart(answer.slice(i, i + size)));
      await new Promise((r) => setTimeout(r, 5));
    }
  },
  async provideTokenCount(model, text) {
    return Math.ceil(messageText(text).length / 4);
  },
};

function writeJsonAtomic(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2));
  fs.renameSync(tmp, file);
}

function errorText(e) {
  if (e instanceof Error) return e.stack || e.message;
  return String(e);
}

async function runSuite(suiteFile, resultsFile, output) {
  const log = (line) => output.appendLine(`[${new Date().toISOString()}] ${line}`);
  let outcome;
  try {
    log(`running suite ${suiteFile}`);
    const suite = require(suiteFile);
    const reporter = (r) => log(`${r.skipped ? 'SKIP' : r.ok ? 'PASS' : 'FAIL'} ${r.name}${r.skipped ? ` (${r.skipped})` : r.ok ? '' : `: ${r.error}`}`);
    let summary;
    try {
      summary = await suite.run({ onResult: reporter });
    } catch (e) {
      // run() rejects when a test failed; the error carries the results when it can.
      summary = e && e.results ? e : { results: [{ name: 'suite run()', ok: false, error: errorText(e) }] };
    }
    // A run() that resolves without results has run nothing: that is a failure, not a pass.
    const results = (summary && summary.results) || [{ name: 'suite run()', ok: false, error: 'run() returned no results' }];
    outcome = {
      // How many tests the suite has, so the reader can tell a run that stopped short.
      total: Array.isArray(suite.tests) ? suite.tests.length : undefined,
      passed: results.filter((r) => r.ok && !r.skipped).length,
      failed: results.filter((r) => !r.ok).length,
      skipped: results.filter((r) => r.skipped).length,
      results,
    };
  } catch (e) {
    outcome = { passed: 0, failed: 1, results: [{ name: `load ${suiteFile}`, ok: false, error: errorText(e) }] };
  }
  log(`done: ${outcome.passed} passed, ${outcome.failed} failed, ${outcome.skipped ?? 0} skipped`);
  writeJsonAtomic(resultsFile, outcome);
}

function activate(context) {
  const output = vscode.window.createOutputChannel('MCP Host Test Companion');
  context.subscriptions.push(output);
  if (vscode.lm && typeof vscode.lm.registerLanguageModelChatProvider === 'function') {
    context.subscriptions.push(vscode.lm.registerLanguageModelChatProvider(VENDOR, provider));
    output.appendLine(`registered language model ${VENDOR}/${MODEL.id}`);
  } else {
    output.appendLine('vscode.lm.registerLanguageModelChatProvider is not available');
  }

  const suiteFile = process.env.MCP_HOST_TEST_SUITE;
  const resultsFile = process.env.MCP_HOST_TEST_RESULTS;
  // Run once per results file: a reloaded window must not run the suite again.
  if (suiteFile && resultsFile && !fs.existsSync(resultsFile)) {
    writeJsonAtomic(`${resultsFile}.started`, { pid: process.pid, at: new Date().toISOString() });
    setTimeout(() => void runSuite(suiteFile, resultsFile, output), 0);
  }
  return { vendor: VENDOR, model: MODEL, requests };
}

function deactivate() {}

module.exports = { activate, deactivate };
