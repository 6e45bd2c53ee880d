import assert from 'node:assert/strict';
import { AppError } from '../../../server/errors.ts';
import type { ErrorCode } from '../../../server/protocol/errors.ts';

/** Assert that fn throws an AppError with this code (and optionally a message matching re). */
export function throwsApp(fn: () => unknown, code: ErrorCode, re?: RegExp): AppError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof AppError, `expected AppError(${code}), got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (re) assert.match(caught.message, re);
  return caught;
}
