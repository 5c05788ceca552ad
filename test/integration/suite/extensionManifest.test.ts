// The contributed surface read back from the running extension: every command in the Meta-CoT category,
// menus and keybindings naming contributed commands, settings documented, activation limited, trust declared.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { harness } from '../harness';
import { testApi } from './extensionHelpers';

interface Contributes {
  commands: { command: string; title: string; category?: string }[];
  menus: Record<string, { command: string; when?: string }[]>;
  keybindings: { command: string; key: string }[];
  configuration: { properties: Record<string, { description?: string; markdownDescription?: string; default?: unknown }> };
  customEditors: { viewType: string; selector: { filenamePattern: string }[] }[];
  viewsContainers: { activitybar: { id: string; icon: string }[] };
  views: Record<string, { id: string }[]>;
}

describe('extension: manifest', () => {
  const pkg = () => harness().manifest as unknown as { contributes: Contributes; activationEvents: string[]; capabilities: { untrustedWorkspaces: { supported: unknown; restrictedConfigurations: string[] } } };

  it('every command is in the Meta-CoT category; menus and keybindings name contributed commands', () => {
    const c = pkg().contributes;
    const ids = new Set(c.commands.map((x) => x.command));
    for (const cmd of c.commands) assert.equal(cmd.category, 'Meta-CoT', `${cmd.command} has category ${cmd.category}`);
    for (const [menu, items] of Object.entries(c.menus)) for (const i of items) assert.ok(ids.has(i.command), `${menu} names ${i.command}`);
    for (const k of c.keybindings) assert.ok(ids.has(k.command), `keybinding ${k.key} names ${k.command}`);
    for (const needed of ['metacot.runSearchOnSelection', 'metacot.runSearchOnProblemFile', 'metacot.rerunFromNode', 'metacot.editNode', 'metacot.pruneBranch', 'metacot.markNodeCorrect', 'metacot.markNodeIncorrect', 'metacot.openTrace', 'metacot.export', 'metacot.configureEndpoint', 'metacot.setApiKey', 'metacot.cancelSearch', 'metacot.showLog']) {
      assert.ok(ids.has(needed), `${needed} is not contributed`);
    }
  });

  it('activates only on its own commands, view, custom editor and panel — never on *', () => {
    const events = pkg().activationEvents;
    assert.ok(!events.includes('*'));
    for (const e of events) assert.match(e, /^(onView:metacot\.|onCustomEditor:metacot\.|onWebviewPanel:metacot\.|onCommand:metacot\.)/);
  });

  it('declares limited support for untrusted workspaces and restricts the endpoint settings', () => {
    const t = pkg().capabilities.untrustedWorkspaces;
    assert.equal(t.supported, 'limited');
    for (const key of ['metacot.endpoints', 'metacot.defaultEndpoint', 'metacot.verifier']) assert.ok(t.restrictedConfigurations.includes(key), `${key} not restricted`);
  });

  it('documents every setting with a default; the traces folder defaults to .metacot/traces', () => {
    const props = pkg().contributes.configuration.properties;
    for (const [k, v] of Object.entries(props)) {
      assert.ok(v.description || v.markdownDescription, `${k} has no description`);
      assert.ok('default' in v, `${k} has no default`);
    }
    assert.equal(props['metacot.tracesFolder']!.default, '.metacot/traces');
    assert.equal(vscode.workspace.getConfiguration('metacot').get('tracesFolder'), '.metacot/traces');
  });

  it('contributes the custom editor for *.metacot.json and an activity-bar view whose icon ships', () => {
    const c = pkg().contributes;
    assert.deepEqual(c.customEditors[0]!.selector, [{ filenamePattern: '*.metacot.json' }]);
    const icon = c.viewsContainers.activitybar[0]!.icon;
    assert.ok(fs.existsSync(path.join(harness().extensionRoot, icon)), `${icon} is missing`);
    assert.ok(c.views.metacot!.some((v) => v.id === 'metacot.traces'));
  });

  it('reports its activation time', async () => {
    const api = await testApi();
    console.log(`[metacot-it] activate() took ${api.activationMs.toFixed(1)} ms in the extension host`);
    assert.ok(api.activationMs >= 0);
  });
});
