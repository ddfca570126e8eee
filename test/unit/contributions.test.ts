// package.json contributions and the code agree: every command the extension registers
// is declared (with the MCP Host category) and every declared command is registered;
// menus, welcome links and `when` clauses name commands, views, context keys and tree item
// contextValues that exist. Reads the sources as text: nothing here may load `vscode`.
//
// contextValues are checked precisely: the values the code can set are collected from the
// `contextValue = …` assignments in src/vscode (template literals expanded over the types
// their placeholders take, e.g. `mcpServer.${server.state.kind}` over ServerState's kinds),
// then `viewItem == X` must name one of them and `viewItem =~ /re/` must match at least one
// (and so must each alternative of a `(a|b)` group in it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

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
const files = sources(vscodeDir).map(f => ({ file: relative(root, f), text: readFileSync(f, 'utf8') }));
const code = files.map(f => f.text).join('\n');

const registered = new Set([...code.matchAll(/registerCommand\(\s*['"`](mcpHost\.[\w.]+)['"`]/g)].map(m => m[1]!));
const declared: Array<{ command: string; title?: string; category?: string }> = contributes.commands ?? [];
const declaredIds = new Set(declared.map(c => c.command));
const viewIds = new Set<string>(Object.values(contributes.views ?? {}).flat().map(v => (v as { id: string }).id));

// ---- the contextValues the code can set ------------------------------------------------

/** The string literals of `type Name = 'a' | 'b'`, or the `kind`s of a union of `{ kind: 'x'; … }`. */
function unionMembers(text: string, typeName: string): string[] {
  // Comments out (they may hold `;`, quotes or braces); string literals never hold `//` here.
  const source = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const start = new RegExp(`\\btype ${typeName}\\s*=`).exec(source);
  if (!start) return [];
  // The alias runs to the first `;` at brace depth 0.
  let depth = 0, end = start.index + start[0].length;
  for (; end < source.length; end++) {
    const ch = source[end];
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (ch === ';' && depth === 0) break;
  }
  const body = source.slice(start.index + start[0].length, end);
  const kinds = [...body.matchAll(/\bkind:\s*'([^']+)'/g)].map(m => m[1]!);
  if (kinds.length) return kinds;
  return [...body.matchAll(/'([^']+)'/g)].map(m => m[1]!);
}

/** What a `${…}` placeholder in a contextValue template can be: matched on the expression. */
type Placeholders = Array<{ expr: RegExp; values: string[]; from: string }>;

const placeholders: Placeholders = [
  { expr: /(^|\.)state\.kind$/, values: unionMembers(readFileSync(join(root, 'src/host/types.ts'), 'utf8'), 'ServerState'), from: 'ServerState in src/host/types.ts' },
  { expr: /(^|\.)group$/, values: unionMembers(readFileSync(join(root, 'src/vscode/serversView.ts'), 'utf8'), 'GroupKind'), from: 'GroupKind in src/vscode/serversView.ts' },
  { expr: /^signInMark\(/, values: unionMembers(readFileSync(join(root, 'src/vscode/serversView.ts'), 'utf8'), 'SignInMark'), from: 'SignInMark in src/vscode/serversView.ts' },
];

/**
 * Every contextValue the sources can set. An assignment whose value the test cannot work
 * out (a variable, a call, an unknown placeholder) is a problem: teach this test rather
 * than let a value escape the check.
 */
function contextValuesOf(srcs: ReadonlyArray<{ file: string; text: string }>, known: Placeholders = placeholders): { values: Set<string>; problems: string[] } {
  const values = new Set<string>();
  const problems: string[] = [];
  for (const { file, text } of srcs) {
    // The value: a whole quoted or template literal, else the expression up to , ; } or the line's end.
    for (const m of text.matchAll(/\bcontextValue\s*(?:=(?!=)|:)\s*('[^'\n]*'|"[^"\n]*"|`[^`]*`|[^;,\n}]+)/g)) {
      const rhs = m[1]!.trim();
      const where = `${file}: contextValue ${m[0].includes('=') ? '=' : ':'} ${rhs}`;
      if (/^(string|undefined|string \| undefined)$/.test(rhs)) continue; // a type annotation
      if (/^[\w.]+\.contextValue$/.test(rhs)) continue; // a copy of a value set elsewhere
      const literal = /^(['"])([^'"]*)\1$/.exec(rhs);
      if (literal) { values.add(literal[2]!); continue; }
      const template = /^`([^`]*)`$/.exec(rhs);
      if (!template) { problems.push(`${where}: not a string or template literal`); continue; }
      let expansions = [''];
      let last = 0;
      const tpl = template[1]!;
      for (const p of tpl.matchAll(/\$\{([^}]+)\}/g)) {
        const lead = tpl.slice(last, p.index);
        last = p.index! + p[0].length;
        const expr = p[1]!.trim();
        const kind = known.find(k => k.expr.test(expr));
        if (!kind || kind.values.length === 0) {
          problems.push(`${where}: cannot tell which values \${${expr}} takes${kind ? ` (${kind.from} has none)` : ''}`);
          expansions = [];
          break;
        }
        expansions = expansions.flatMap(e => kind.values.map(v => `${e}${lead}${v}`));
      }
      for (const e of expansions) values.add(e + tpl.slice(last));
    }
  }
  return { values, problems };
}

/** The problems of one `when` clause's `viewItem` tests against the values the code sets. */
function viewItemProblems(when: string, values: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const all = [...values];
  let checked = 0;
  for (const m of when.matchAll(/\bviewItem\s*(==|!=)\s*([\w.-]+)/g)) {
    checked++;
    if (!values.has(m[2]!)) problems.push(`when "${when}" names contextValue ${m[2]}, which src/vscode never sets (it sets ${all.join(', ')})`);
  }
  for (const m of when.matchAll(/\bviewItem\s*=~\s*\/((?:\\.|[^/\\])+)\/([a-z]*)/g)) {
    checked++;
    const [, source, flags] = m as unknown as [string, string, string];
    let re: RegExp;
    try { re = new RegExp(source, flags); } catch (err) { problems.push(`when "${when}": invalid regex /${source}/: ${(err as Error).message}`); continue; }
    if (!all.some(v => re.test(v))) { problems.push(`when "${when}": /${source}/ matches no contextValue src/vscode sets (it sets ${all.join(', ')})`); continue; }
    // Each alternative of a plain `(a|b|c)` group must match too: a typo in one branch is dead code.
    for (const g of source.matchAll(/\(((?:\w+\|)+\w+)\)/g)) {
      for (const alt of g[1]!.split('|')) {
        const one = new RegExp(source.slice(0, g.index) + alt + source.slice(g.index! + g[0].length), flags);
        if (!all.some(v => one.test(v))) problems.push(`when "${when}": the alternative "${alt}" of /${source}/ matches no contextValue src/vscode sets`);
      }
    }
  }
  const mentions = [...when.matchAll(/\bviewItem\b/g)].length;
  if (mentions !== checked) problems.push(`when "${when}" uses viewItem in a way this test does not check (only ==, != and =~ /re/)`);
  return problems;
}

/** Every `when` clause of a package.json's contributions. */
function whenClauses(c: typeof contributes): string[] {
  const whens: string[] = [];
  for (const entries of Object.values(c.menus ?? {})) {
    for (const e of entries as Array<{ when?: string }>) if (e.when) whens.push(e.when);
  }
  for (const v of Object.values(c.views ?? {}).flat()) if ((v as { when?: string }).when) whens.push((v as { when: string }).when);
  for (const w of c.viewsWelcome ?? []) if (w.when) whens.push(w.when);
  return whens;
}

const set = contextValuesOf(files);

// ---- tests ---------------------------------------------------------------------------

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

test('the contextValues src/vscode sets are worked out from its code, templates expanded over their types', () => {
  assert.deepEqual(set.problems, []);
  // The type parsing still sees the unions (their members may grow; these must be there).
  const kinds = placeholders.find(p => p.from.startsWith('ServerState'))!.values;
  for (const k of ['stopped', 'starting', 'running', 'error', 'needs-sign-in']) assert.ok(kinds.includes(k), `ServerState kinds parsed as ${kinds.join(', ')}`);
  assert.ok(kinds.every(k => /^[a-z-]+$/.test(k)), `ServerState kinds parsed as ${kinds.join(', ')}`);
  for (const v of ['mcpServer.stopped.signedOut', 'mcpServer.starting.signedOut', 'mcpServer.running.signedIn', 'mcpServer.error.signedOut', 'mcpServer.needs-sign-in.signedOut', 'mcpGroup.tools', 'mcpGroup.resources', 'mcpGroup.prompts', 'mcpTool', 'mcpResource', 'mcpResourceTemplate', 'mcpPrompt']) {
    assert.ok(set.values.has(v), `${v} is among ${[...set.values].join(', ')}`);
  }
});

test('`when` clauses name existing views and context keys, and viewItem tests match contextValues the code sets', () => {
  const whens = whenClauses(contributes);
  assert.ok(whens.some(w => /viewItem\s*=~/.test(w)) && whens.some(w => /viewItem\s*==/.test(w)), 'package.json has both kinds of viewItem test (the parsing still applies)');
  const problems: string[] = [];
  for (const when of whens) {
    for (const m of when.matchAll(/\bview\s*==\s*([\w.]+)/g)) if (!viewIds.has(m[1]!)) problems.push(`when "${when}" names unknown view ${m[1]}`);
    problems.push(...viewItemProblems(when, set.values));
    // Context keys of our own (mcpHost.*) must be set somewhere with setContext.
    for (const m of when.matchAll(/\b(mcpHost\.[A-Za-z]+)\b/g)) {
      if (viewIds.has(m[1]!)) continue;
      if (!code.includes(`'setContext', '${m[1]}'`)) problems.push(`when "${when}" uses context key ${m[1]} that src/vscode never sets`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the viewItem check fails on a broken when clause (a scratch copy of package.json)', () => {
  const scratch = structuredClone(contributes);
  const items = scratch.menus['view/item/context'] as Array<{ command: string; when: string }>;
  const start = items.find(e => e.command === 'mcpHost.startServer')!;
  const tool = items.find(e => e.command === 'mcpHost.callTool')!;
  start.when = start.when.replace('(stopped|error)', '(stoped|error)');
  tool.when = tool.when.replace('viewItem == mcpTool', 'viewItem == mcpTools');
  const problems = whenClauses(scratch).flatMap(w => viewItemProblems(w, set.values));
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems.join('\n'), /the alternative "stoped" of .* matches no contextValue/);
  assert.match(problems.join('\n'), /names contextValue mcpTools, which src\/vscode never sets/);
});

test('the viewItem check on bad input: a regex matching nothing, an unknown value, an unchecked operator', () => {
  const values = new Set(['mcpServer.running', 'mcpServer.stopped', 'mcpTool']);
  assert.deepEqual(viewItemProblems('viewItem =~ /^mcpServer\\./ && viewItem == mcpTool', values), []);
  assert.match(viewItemProblems('viewItem =~ /^mcpSrever\\./', values).join(), /matches no contextValue/);
  assert.match(viewItemProblems('viewItem =~ /^mcpServer\\.running$/i && viewItem =~ /^server/', values).join(), /\/\^server\/ matches no contextValue/);
  assert.match(viewItemProblems('viewItem != mcpPrompt', values).join(), /names contextValue mcpPrompt/);
  assert.match(viewItemProblems('viewItem in mcpHost.items', values).join(), /does not check/);
  assert.match(viewItemProblems('viewItem =~ /(/', values).join(), /invalid regex/);
});

test('collecting contextValues on bad input: unknown placeholders and computed values are problems, not silence', () => {
  const known: Placeholders = [{ expr: /(^|\.)state\.kind$/, values: ['a', 'b'], from: 'test' }];
  const got = contextValuesOf([{ file: 'x.ts', text: [
    "item.contextValue = 'plain';",
    'item.contextValue = `srv.${server.state.kind}.x`;',
    'item.contextValue = `grp.${node.other}`;',
    'item.contextValue = pick(node);',
    'const snap = { contextValue: item.contextValue, label };',
    'interface I { contextValue?: string }',
    'if (item.contextValue === \'plain\') {}',
  ].join('\n') }], known);
  assert.deepEqual([...got.values].sort(), ['plain', 'srv.a.x', 'srv.b.x']);
  assert.equal(got.problems.length, 2, got.problems.join('\n'));
  assert.match(got.problems[0]!, /cannot tell which values \$\{node\.other\} takes/);
  assert.match(got.problems[1]!, /pick\(node\): not a string or template literal/);
});

test('reading union types on bad input: comments and multi-line members do not cut them short', () => {
  const src = [
    'export type S =',
    "  | { kind: 'a'; x?: string }",
    '  /** a comment with a ; and a quote \' and a { brace */',
    "  | { kind: 'b' } // another; comment",
    "  | { kind: 'c'; nested: { y: 'not-a-kind' } };",
    "export type G = 'g1' | 'g2';",
    "type After = { kind: 'z' };",
  ].join('\n');
  assert.deepEqual(unionMembers(src, 'S'), ['a', 'b', 'c']);
  assert.deepEqual(unionMembers(src, 'G'), ['g1', 'g2']);
  assert.deepEqual(unionMembers(src, 'Missing'), []);
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
