import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rocAuc } from '../../src/core/analyse/rocAuc';
import { Prng } from '../../src/core/embedded/sampler';

/** The definition, pair by pair. */
function pairwise(scores: readonly number[], labels: readonly boolean[]): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (!labels[i] || labels[j]) continue;
      n++;
      s += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return s / n;
}

test('AUC: 1 for a perfect ranking, 0 for a reversed one, 0.5 when every score ties', () => {
  assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]), 1);
  assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]), 0);
  assert.equal(rocAuc([0.5, 0.5, 0.5], [true, false, false]), 0.5);
  assert.equal(rocAuc([0.3, 0.7, 0.5], [false, true, false]), 1);
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [true, true])), 'one class only: undefined');
});

test('AUC by ranks equals the pairwise definition, ties included', () => {
  const rng = new Prng(11);
  for (let trial = 0; trial < 30; trial++) {
    const n = 5 + Math.floor(rng.next() * 60);
    const scores = Array.from({ length: n }, () => Math.round(rng.next() * 8) / 8); // many ties
    const labels = scores.map((s) => rng.next() < 0.3 + 0.4 * s);
    if (!labels.some(Boolean) || labels.every(Boolean)) continue;
    assert.ok(Math.abs(rocAuc(scores, labels) - pairwise(scores, labels)) < 1e-12, `trial ${trial}`);
  }
});
