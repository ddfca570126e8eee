// Skills (SEP-2640) in the real extension host (issue 9): the official SDK's skills server
// (test/fixtures/servers/skills-sdk.mjs, 2026-07-28) serving test/integration/skills, whose one
// skill `e2e-review` has SKILL.md and references/CHECKLIST.md. The Skills node lists it when
// expanded, Open Skill shows SKILL.md, and Save Skill to Workspace writes the verified files
// under .github/skills/e2e-review/ — removed again afterwards. Registered by index.js.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const NAME = 'skills'; // workspace.mjs SERVER.skills
const SKILL = 'e2e-review';
const SKILL_URI = `skill://${SKILL}/SKILL.md`;
const SOURCE = path.resolve(__dirname, '..', 'skills', SKILL); // workspace.mjs SKILLS_ROOT

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, base) : [path.relative(base, p)];
  }).sort();
}

module.exports = function register({ test, until, getApi, workspaceFolder, group, START_TIMEOUT_MS }) {
  const api = () => getApi();
  const needs = [NAME];

  test('skills: running on 2026-07-28 (stateless); the Skills node lists the fixture\'s skill when expanded; Open Skill shows its SKILL.md', async () => {
    await api().waitForState(NAME, 'running', START_TIMEOUT_MS);
    const root = (await api().treeChildren()).find((n) => n.label === NAME);
    assert.match(String(root.tooltip), /\nprotocol 2026-07-28 \(stateless\)(\n|$)/, `the tooltip says the protocol in use: ${root.tooltip}`);
    const skillsGroup = await group(NAME, 'Skills');
    assert.equal(skillsGroup.contextValue, 'mcpGroup.skills');
    assert.equal(skillsGroup.collapsible, true);
    // Asking for the children is what a person expanding the node does: the listing starts then.
    const skill = await until(async () => (await api().treeChildren(skillsGroup.id)).find((n) => n.label === SKILL),
      `the Skills node to list ${SKILL}`, 20000);
    assert.equal(skill.contextValue, 'mcpSkill');
    assert.equal(skill.description, '2 files');
    assert.match(String(skill.tooltip), /^Review a change the way the MCP Host e2e suite expects/);
    assert.match(String(skill.tooltip), new RegExp(`${SKILL_URI.replace(/[/.]/g, '\\$&')}`));
    assert.match(String(skill.tooltip), /references\/CHECKLIST\.md \(\d+ bytes\)/);
    const listed = await until(async () => (await group(NAME, 'Skills')).description, 'the Skills group to say how many');
    assert.equal(listed, '1');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('mcpHost.openSkill', NAME, SKILL_URI);
    const md = fs.readFileSync(path.join(SOURCE, 'SKILL.md'), 'utf8');
    await until(() => vscode.window.visibleTextEditors.some((e) => e.document.getText() === md), 'SKILL.md to open, exactly as the server has it');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }, { needs, timeoutMs: START_TIMEOUT_MS + 30000 });

  test('skills: Save Skill to Workspace writes the verified files under .github/skills/e2e-review/ (removed afterwards)', async () => {
    const ws = workspaceFolder().uri.fsPath;
    const github = path.join(ws, '.github');
    const target = path.join(github, 'skills', SKILL);
    const hadGithub = fs.existsSync(github);
    assert.ok(!fs.existsSync(target), `${target} does not exist before the save`);
    try {
      const dir = await vscode.commands.executeCommand('mcpHost.saveSkill', NAME, SKILL_URI);
      assert.equal(dir, target, 'the command returns where it saved the skill');
      assert.deepEqual(filesUnder(target), filesUnder(SOURCE), 'every file of the skill, nothing else');
      for (const f of filesUnder(SOURCE)) {
        assert.ok(fs.readFileSync(path.join(target, f)).equals(fs.readFileSync(path.join(SOURCE, f))), `${f} is byte for byte the server's`);
      }
      assert.deepEqual(fs.readdirSync(path.join(github, 'skills')).filter((n) => n.startsWith('.')), [], 'no staging folder left behind');
    } finally {
      fs.rmSync(hadGithub ? target : github, { recursive: true, force: true });
      await vscode.commands.executeCommand('notifications.clearAll');
    }
    assert.ok(!fs.existsSync(target), 'cleaned up');
  }, { needs, timeoutMs: 60000 });
};
