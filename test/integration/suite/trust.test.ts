import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { harness } from '../harness';

// The fixture workspace (test/fixtures/workspace/.vscode/settings.json) sets one restricted setting
// (metacot.defaultEndpoint, listed in capabilities.untrustedWorkspaces.restrictedConfigurations) and one
// ordinary setting (metacot.search.strategy). In Restricted Mode VS Code must drop the first only.
const FIXTURE_ENDPOINT = 'fixture-workspace-endpoint';
const FIXTURE_STRATEGY = 'mcts';

describe('workspace trust', () => {
  it('declares how the extension behaves in untrusted workspaces', () => {
    const cap = harness().manifest.capabilities?.untrustedWorkspaces;
    assert.ok(cap, 'package.json has no capabilities.untrustedWorkspaces: installed from a VSIX, the extension would be disabled in Restricted Mode');
    if (cap.supported === 'limited') {
      assert.ok(cap.description, 'supported: "limited" needs a description shown to the user');
    }
  });

  it('workspace settings the manifest restricts apply only in a trusted workspace', function () {
    const cap = harness().manifest.capabilities?.untrustedWorkspaces as { restrictedConfigurations?: string[] } | undefined;
    assert.ok(cap?.restrictedConfigurations?.includes('metacot.defaultEndpoint'), 'the manifest must restrict metacot.defaultEndpoint in untrusted workspaces');
    const config = vscode.workspace.getConfiguration('metacot');
    assert.equal(config.get('search.strategy'), FIXTURE_STRATEGY, 'an unrestricted workspace setting must apply in both modes');
    if (vscode.workspace.isTrusted) {
      assert.equal(config.get('defaultEndpoint'), FIXTURE_ENDPOINT);
    } else {
      assert.notEqual(config.get('defaultEndpoint'), FIXTURE_ENDPOINT, 'Restricted Mode must ignore the workspace value of metacot.defaultEndpoint');
    }
  });
});
