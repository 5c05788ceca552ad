import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRATEGY_CATALOG } from '../../src/core/search/catalog';
import {
  ALWAYS_USE_SETTINGS,
  preselectedItem,
  readRemembered,
  rememberAnswer,
  strategyChoiceItems,
  strategyOfAnswer,
} from '../../src/extension/strategyChoice';

test('strategy choice: "Use settings (<strategy>)" first, every catalog strategy with its summary, "Always use settings" last', () => {
  const items = strategyChoiceItems('mcts');
  assert.equal(items[0]!.label, 'Use settings (mcts)');
  assert.match(items[0]!.description, /^MCTS \(UCT\) · metacot\.search\.strategy$/);
  assert.deepEqual(items[0]!.answer, { kind: 'settings' });
  const middle = items.slice(1, -1);
  assert.deepEqual(
    middle.map((i) => [i.label, i.description, i.detail]),
    STRATEGY_CATALOG.strategies.map((s) => [s.label, s.name, s.summary]),
  );
  assert.deepEqual(middle.map((i) => i.answer), STRATEGY_CATALOG.strategies.map((s) => ({ kind: 'strategy', strategy: s.name })));
  const last = items.at(-1)!;
  assert.equal(last.label, ALWAYS_USE_SETTINGS);
  assert.match(last.description, /metacot\.search\.askStrategy to true/);
  assert.deepEqual(last.answer, { kind: 'alwaysSettings' });
});

test('strategy choice: the remembered strategy is preselected and marked; settings, nothing or junk preselect "Use settings"', () => {
  const items = strategyChoiceItems('beam', 'astar');
  const pre = preselectedItem(items, 'astar');
  assert.deepEqual(pre.answer, { kind: 'strategy', strategy: 'astar' });
  assert.match(pre.description, /^astar · last used$/);
  assert.equal(items.filter((i) => i.description.includes('last used')).length, 1);
  for (const r of ['settings', undefined, 'no-such-strategy', 42, { strategy: 'mcts' }]) {
    assert.equal(preselectedItem(items, r), items[0], `remembered ${JSON.stringify(r)}`);
  }
});

test('strategy choice: what an answer stores and which strategy the run gets', () => {
  assert.equal(rememberAnswer({ kind: 'strategy', strategy: 'mcts' }), 'mcts');
  assert.equal(rememberAnswer({ kind: 'settings' }), 'settings');
  assert.equal(rememberAnswer({ kind: 'alwaysSettings' }), 'settings');
  assert.equal(strategyOfAnswer({ kind: 'strategy', strategy: 'in-context' }), 'in-context');
  assert.equal(strategyOfAnswer({ kind: 'settings' }), undefined);
  assert.equal(strategyOfAnswer({ kind: 'alwaysSettings' }), undefined);
  assert.equal(readRemembered('revision'), 'revision');
  assert.equal(readRemembered('settings'), 'settings');
  assert.equal(readRemembered('gone'), undefined);
  assert.equal(readRemembered(null), undefined);
});
