// package.json contributions and the code agree: every command the extension registers
// is declared (with the MCP Host category) and every declared command is registered;
// menus, welcome links and `when` clauses name commands and views that exist.
// Reads the sources as text: nothing here may load `vscode`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const vscodeDir = join(root, 'src', 'vscode');
const code = sources(vscodeDir).map(f => readFileSync(f, 'utf8')).join('\n');

const registered = new Set([...code.matchAll(/registerCommand\(\s*['"`](mcpHost\.[\w.]+)['"`]/g)].map(m => m[1]!));
const declared: Array<{ command: string; title?: string; category?: string }> = contributes.commands ?? [];
const declaredIds = new Set(declared.map(c => c.command));
const viewIds = new Set<string>(Object.values(contributes.views ?? {}).flat().map(v => (v as { id: string }).id));

test('the extension registers commands at all (the pattern still matches the code)', () => {
  assert.ok(registered.size >= 10, `found only ${[...registered].join(', ')}`);
});

test('every registered command is declared in package.json', () => {
  const missing = [...registered].filter(id => !declaredIds.has(id));
  assert.deepEqual(missing, [], `registered in src/vscode but not in contributes.commands: ${missing.join(', ')}`);
});

test('every declared command is registered', () => {
  const missing = [...declaredIds].filter(id => !registered.has(id));
  assert.deepEqual(missing, [], `declared in package.json but never registered: ${missing.join(', ')}`);
});

test('every command has the MCP Host category, a title, and is declared once', () => {
  for (const c of declared) {
    assert.equal(c.category, 'MCP Host', `${c.command} has category ${c.category}`);
    assert.ok(c.title && c.title.trim(), `${c.command} has no title`);
    assert.match(c.command, /^mcpHost\.[a-z][A-Za-z]+$/, `${c.command} is not mcpHost.verbNoun`);
  }
  assert.equal(declaredIds.size, declared.length, 'a command is declared twice');
});

test('no command title collides with VS Code\'s own MCP commands', () => {
  for (const c of declared) assert.ok(!/^MCP:/.test(`${c.category}: ${c.title}`), c.command);
});

test('every menu entry names a declared command', () => {
  for (const [menu, entries] of Object.entries(contributes.menus ?? {})) {
    for (const entry of entries as Array<{ command?: string; submenu?: string }>) {
      if (entry.submenu) continue;
      assert.ok(entry.command && declaredIds.has(entry.command), `menu ${menu} names unknown command ${entry.command}`);
    }
  }
});

test('`when` clauses name existing views, and contextValues the code sets', () => {
  const whens: string[] = [];
  for (const entries of Object.values(contributes.menus ?? {})) {
    for (const e of entries as Array<{ when?: string }>) if (e.when) whens.push(e.when);
  }
  for (const v of Object.values(contributes.views ?? {}).flat()) if ((v as { when?: string }).when) whens.push((v as { when: string }).when);
  for (const w of contributes.viewsWelcome ?? []) if (w.when) whens.push(w.when);

  for (const when of whens) {
    for (const m of when.matchAll(/\bview\s*==\s*([\w.]+)/g)) assert.ok(viewIds.has(m[1]!), `when "${when}" names unknown view ${m[1]}`);
    for (const m of when.matchAll(/\bviewItem\s*==\s*([\w.]+)/g)) {
      assert.ok(code.includes(`'${m[1]}'`), `when "${when}" names contextValue ${m[1]} that src/vscode never sets`);
    }
    // Context keys of our own (mcpHost.*) must be set somewhere with setContext.
    for (const m of when.matchAll(/\b(mcpHost\.[A-Za-z]+)\b/g)) {
      if (viewIds.has(m[1]!)) continue;
      assert.ok(code.includes(`'setContext', '${m[1]}'`), `when "${when}" uses context key ${m[1]} that src/vscode never sets`);
    }
  }
});

test('welcome view links and view/item commands point at declared commands and views', () => {
  for (const w of contributes.viewsWelcome ?? []) {
    assert.ok(viewIds.has(w.view), `viewsWelcome names unknown view ${w.view}`);
    for (const m of String(w.contents).matchAll(/\(command:([\w.]+)/g)) assert.ok(declaredIds.has(m[1]!), `welcome links unknown command ${m[1]}`);
  }
});

test('commands the code executes by id exist (ours) or belong to VS Code', () => {
  const executed = new Set([...code.matchAll(/executeCommand\(\s*['"`](mcpHost\.[\w.]+)['"`]/g)].map(m => m[1]!));
  const treeCommands = new Set([...code.matchAll(/command:\s*['"`](mcpHost\.[\w.]+)['"`]/g)].map(m => m[1]!));
  for (const id of [...executed, ...treeCommands]) {
    // `<viewId>.focus` is generated by VS Code for every view.
    if (id.endsWith('.focus') && viewIds.has(id.slice(0, -'.focus'.length))) continue;
    assert.ok(declaredIds.has(id), `src/vscode runs ${id}, which is not declared`);
  }
});
