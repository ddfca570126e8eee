// Settings a repository must not steer, and the login shell's PATH (issue 8, item 6).
// package.json is read as text: nothing here loads `vscode`.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { mergePath } from '../../src/host/shellPath.ts';
import { repo } from './helpers.ts';

const props = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).contributes.configuration.properties as Record<string, { scope?: string }>;

test('what servers run and which paid model answers them are the user\'s settings only', () => {
  for (const key of ['mcpHost.servers', 'mcpHost.inputs', 'mcpHost.sampling.allowedServers', 'mcpHost.sampling.model', 'mcpHost.maxMessageSizeMB']) {
    assert.equal(props[key]?.scope, 'application', `${key} must be application-scoped so a workspace cannot set it`);
  }
  // And the code reads the user's own value, not the effective one.
  const sampling = readFileSync(path.join(repo, 'src/vscode/sampling.ts'), 'utf8');
  assert.match(sampling, /inspect<string>\('sampling\.model'\)\?\.globalValue/);
  assert.doesNotMatch(sampling, /get<string>\('sampling\.model'\)/);
});

test('the login shell\'s PATH keeps only absolute entries', () => {
  assert.equal(mergePath('/a:.:node_modules/.bin:/b', 'bin:/b:/c:'), '/a:/b:/c');
  assert.equal(mergePath('./x', 'y'), undefined);
});
