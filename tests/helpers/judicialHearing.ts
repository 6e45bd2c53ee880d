import type { Db } from '../../server/db/client.ts';
import { newId } from '../../server/ids.ts';
import type { StartHearingResponse } from '../../server/protocol/hearing.ts';
import type { ServerHelpers } from './fullServer.ts';

/*
 * A judicial confirmation application in a given status, written straight into the database (the
 * application and party-confirmation flow is the judicial server's; the hearing needs only an
 * application its court holds), and judges of courts.
 */

export async function createCourt(db: Db, name: string): Promise<string> {
  const id = newId();
  await db.unit.create({ data: { id, name, kind: 'court', level: 'county' } });
  return id;
}

/** A judge of the court, logged in. */
export async function judgeOf(server: Pick<ServerHelpers, 'createUser' | 'login'>, db: Db, username: string, courtUnitId: string, displayName = '陈法官') {
  const id = await server.createUser(username, 'judge', { displayName });
  await db.user.update({ where: { id }, data: { unitId: courtUnitId } });
  return { id, token: (await server.login(username)).token };
}

export async function createApplication(
  db: Db,
  input: { caseId: string; courtUnitId: string; createdById: string; status: 'submitted' | 'confirmed' | 'rejected' | 'collecting'; now?: Date },
): Promise<string> {
  const now = input.now ?? new Date();
  const id = newId();
  const decided = input.status === 'confirmed' || input.status === 'rejected';
  await db.judicialApplication.create({
    data: {
      id,
      caseId: input.caseId,
      agreementId: newId(),
      courtUnitId: input.courtUnitId,
      status: input.status,
      effectiveAt: now,
      deadlineAt: new Date(now.getTime() + 30 * 86_400_000),
      createdById: input.createdById,
      createdAt: now,
      updatedAt: now,
      submittedAt: input.status === 'collecting' ? null : now,
      decidedAt: decided ? now : null,
    },
  });
  return id;
}

/** The token of an invitation link (`…/join#t=TOKEN`). */
export function tokenOfLink(url: string): string {
  const token = new URLSearchParams(new URL(url).hash.slice(1)).get('t');
  if (!token) throw new Error(`no token in ${url}`);
  return token;
}

export async function startHearing(server: Pick<ServerHelpers, 'api'>, token: string, applicationId: string) {
  return server.api<StartHearingResponse>('POST', `/api/judicial/applications/${applicationId}/hearings`, { token });
}
