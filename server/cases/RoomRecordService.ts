import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ChatMessageInfo } from '../protocol/signalling.ts';
import { TX_OPTIONS } from './CaseService.ts';
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
    await this.#db.$transaction(
      (tx) =>
        appendTimeline(tx, {
          caseId,
          type: event === 'started' ? 'caucus.started' : 'caucus.ended',
          actor: record.actor,
          at: this.#clock.now(),
          data: { sessionId, caucusId: record.caucusId, ...(event === 'started' ? { members: record.members } : {}) },
        }),
      TX_OPTIONS,
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

  async listChat(sessionId: string): Promise<Array<{ fromName: string; scope: string; text: string; sentAt: Date }>> {
    return this.#db.chatMessage.findMany({ where: { sessionId }, orderBy: { sentAt: 'asc' }, select: { fromName: true, scope: true, text: true, sentAt: true } });
  }
}
