import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { SessionChatEntry } from '../protocol/api.ts';
import type { ParticipantRole, PartySide } from '../protocol/roles.ts';
import type { ChatMessageInfo } from '../protocol/signalling.ts';
import { appendTimeline } from './timeline.ts';

/**
 * What the mediation room writes to the case record: caucus start/end on the timeline
 * (who and when; never what was said) and chat messages in their own table.
 */
export class RoomRecordService {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(deps: { db: Db; clock: Clock }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
  }

  async #caseOf(sessionId: string): Promise<string> {
    const s = await this.#db.mediationSession.findUnique({ where: { id: sessionId }, select: { caseId: true } });
    if (!s) throw notFound('Session');
    return s.caseId;
  }

  async recordCaucus(
    sessionId: string,
    event: 'started' | 'ended',
    record: { caucusId: string; actor: string; members: Array<{ role: string; side: string | null; displayName: string }> },
  ): Promise<void> {
    const caseId = await this.#caseOf(sessionId);
    await transaction(this.#db, (tx) =>
      appendTimeline(tx, {
        caseId,
        type: event === 'started' ? 'caucus.started' : 'caucus.ended',
        actor: record.actor,
        at: this.#clock.now(),
        data: { sessionId, caucusId: record.caucusId, ...(event === 'started' ? { members: record.members } : {}) },
      }),
    );
  }

  async saveChat(sessionId: string, message: ChatMessageInfo, fromIdentity: string, toIdentity: string | null): Promise<void> {
    const caseId = await this.#caseOf(sessionId);
    await this.#db.chatMessage.create({
      data: {
        id: message.id || newId(),
        sessionId,
        caseId,
        fromIdentity,
        fromName: message.fromName,
        fromRole: message.fromRole,
        toIdentity,
        scope: message.scope,
        text: message.text,
        sentAt: new Date(message.at),
      },
    });
  }

  /**
   * The saved chat of a session, oldest first, private and caucus messages included. Who may read
   * it is the route's object rule `session.chat` (server/access/caseAccess.ts).
   */
  async listChat(sessionId: string): Promise<SessionChatEntry[]> {
    const session = await this.#db.mediationSession.findUnique({ where: { id: sessionId }, select: { id: true } });
    if (!session) throw notFound('Session');
    const rows = await this.#db.chatMessage.findMany({ where: { sessionId }, orderBy: [{ sentAt: 'asc' }, { id: 'asc' }] });
    const people = await this.#people(rows.flatMap((r) => (r.toIdentity ? [r.fromIdentity, r.toIdentity] : [r.fromIdentity])));
    return rows.map((r) => ({
      id: r.id,
      at: r.sentAt.toISOString(),
      fromName: r.fromName,
      fromRole: r.fromRole as ParticipantRole,
      fromSide: people.get(r.fromIdentity)?.side ?? null,
      scope: r.scope as SessionChatEntry['scope'],
      toName: r.toIdentity ? (people.get(r.toIdentity)?.name ?? null) : null,
      text: r.text,
    }));
  }

  /** Names and sides behind room identities (`invitation:<id>`, `user:<id>`). */
  async #people(identities: string[]): Promise<Map<string, { name: string; side: PartySide | null }>> {
    const unique = [...new Set(identities)];
    const invitationIds = unique.filter((i) => i.startsWith('invitation:')).map((i) => i.slice('invitation:'.length));
    const userIds = unique.filter((i) => i.startsWith('user:')).map((i) => i.slice('user:'.length));
    const [invitations, users] = await Promise.all([
      invitationIds.length ? this.#db.invitation.findMany({ where: { id: { in: invitationIds } }, select: { id: true, displayName: true, side: true } }) : [],
      userIds.length ? this.#db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true } }) : [],
    ]);
    const out = new Map<string, { name: string; side: PartySide | null }>();
    for (const i of invitations) out.set(`invitation:${i.id}`, { name: i.displayName, side: (i.side as PartySide | null) ?? null });
    for (const u of users) out.set(`user:${u.id}`, { name: u.displayName, side: null });
    return out;
  }
}
