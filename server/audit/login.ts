import { AppError } from '../errors.ts';
import type { LoginResponse } from '../protocol/api.ts';
import { currentRequestContext } from '../requestContext.ts';
import { recordAudit } from './events.ts';

/**
 * Runs a staff login and records it: `login_succeeded` with the user, or `login_failed` with the
 * username tried and the error code (unauthenticated = wrong name or password, too_many_requests,
 * forbidden = account disabled). The password is never recorded.
 */
export async function auditedLogin(username: string, login: () => Promise<LoginResponse>): Promise<LoginResponse> {
  let result: LoginResponse;
  try {
    result = await login();
  } catch (error) {
    const context = currentRequestContext();
    // A disabled account answers 403: this event is its record, not a second "permission refused".
    if (context) context.refusalRecorded = true;
    const detail = error instanceof AppError ? error.code : 'internal';
    await recordAudit('login_failed', { actor: { actor: null, userId: null, name: username.trim().slice(0, 64), role: null }, detail });
    throw error;
  }
  const u = result.user;
  await recordAudit('login_succeeded', { actor: { actor: `user:${u.id}`, userId: u.id, name: u.username, role: u.role } });
  return result;
}
