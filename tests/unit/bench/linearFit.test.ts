import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linearFit } from '../../../bench/stats.ts';

test('linearFit recovers an exact line', () => {
  const fit = linearFit([10, 25, 50, 100], [10 * 3 + 7, 25 * 3 + 7, 50 * 3 + 7, 100 * 3 + 7]);
  assert.ok(fit);
  assert.ok(Math.abs(fit.slope - 3) < 1e-9);
  assert.ok(Math.abs(fit.intercept - 7) < 1e-9);
});

test('linearFit is the least-squares line through noisy points', () => {
  // Points (0,1) (1,1) (2,3): slope = Sxy/Sxx = 2/2 = 1, intercept = ȳ − slope·x̄ = 5/3 − 1 = 2/3.
  const fit = linearFit([0, 1, 2], [1, 1, 3]);
  assert.ok(fit);
  assert.ok(Math.abs(fit.slope - 1) < 1e-9);
  assert.ok(Math.abs(fit.intercept - 2 / 3) < 1e-9);
});

test('linearFit has no line for fewer than two points or a single x', () => {
  assert.equal(linearFit([], []), null);
  assert.equal(linearFit([5], [1]), null);
  assert.equal(linearFit([5, 5, 5], [1, 2, 3]), null);
});
