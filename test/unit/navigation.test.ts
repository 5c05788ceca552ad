import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceSchema } from '../../src/core/trace/schema';
import { navigate } from '../../webview/navigation';
import { describeNode } from '../../webview/nodeDescription';
import { TraceModel } from '../../webview/traceModel';
import { layoutTree } from '../../webview/treeLayout';

// countdown-beam: n0 → n1 (best path) → n5 → n9 (best node); n2 → n7 → n10; n3, n4, n6, n11 pruned.
const trace = TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces/countdown-beam.metacot.json'), 'utf8')));
const m = TraceModel.fromTrace(trace);
const at = (id: string) => m.index.get(id)!;
const idOf = (i: number) => m.nodes[i]!.id;

function end(from: string, collapsed: Set<number> = new Set()): string {
  const step = navigate(m, layoutTree(m, collapsed), collapsed, () => true, at(from), 'End');
  assert.equal(step.kind, 'focus');
  return idOf(step.i);
}

describe('keyboard walk: Home and End', () => {
  test('End from the root follows the best path to the best node; from a branch, that branch to its end', () => {
    assert.equal(end('n0'), trace.result!.bestNodeId);
    assert.equal(end('n2'), 'n10');
    assert.equal(end('n9'), 'n9', 'End on a leaf stays');
  });

  test('End stops at a collapsed node instead of expanding it', () => {
    assert.equal(end('n0', new Set([at('n1')])), 'n1');
  });

  test('Home goes to the root from anywhere', () => {
    const L = layoutTree(m, new Set());
    const step = navigate(m, L, new Set(), () => true, at('n10'), 'Home');
    assert.equal(idOf(step.i), 'n0');
  });

  test('the screen-reader sentence says who pruned a node', () => {
    assert.match(describeNode(m, at('n3'), undefined), /pruned by the engine/);
    assert.match(describeNode(m, at('n11'), undefined), /pruned by a person/);
  });
});
