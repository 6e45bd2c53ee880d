import assert from 'node:assert/strict';

/**
 * Polls `check` until it holds; fails the test with "timed out waiting for <what>" after `ms`.
 * `what` may be a function, to describe the state seen at the moment of failure.
 * The one polling loop of the test suite (unit, socket and browser tests alike).
 */
export async function until(check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 5000, intervalMs = 20): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  assert.fail(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
}
