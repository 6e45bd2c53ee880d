import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { badRequest, zodDetails } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { auditActions, auditQuery, type AuditAction, type AuditEventInfo, type AuditPage } from '../protocol/audit.ts';
import type { Actor, AuditSink } from '../requestContext.ts';

export interface AuditEntry {
  action: AuditAction;
  actor: Actor | null;
  target?: string | null;
  detail?: string | null;
  ip: string | null;
  userAgent: string | null;
}

const clip = (value: string | null | undefined, max: number): string | null =>
  value === null || value === undefined ? null : value.length > max ? value.slice(0, max - 1) + '…' : value;

function isAction(value: string): value is AuditAction {
  return (auditActions as readonly string[]).includes(value);
}

/**
 * The security audit trail: one row per staff login (successful or not), logout, contact
 * reveal and permission refusal. Recording never fails the request that caused it: a write
 * error is logged (as an error, so operators notice) and swallowed.
 */
export class AuditLog implements AuditSink {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(deps: { db: Db; clock: Clock; log: Logger }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  async record(event: Omit<AuditEntry, 'action'> & { action: string }): Promise<void> {
    if (!isAction(event.action)) {
      this.#log.error('unknown audit action', { action: event.action });
      return;
    }
    try {
      await this.#db.auditEvent.create({
        data: {
          id: newId(),
          at: this.#clock.now(),
          action: event.action,
          actor: event.actor?.actor ?? null,
          userId: event.actor?.userId ?? null,
          actorName: clip(event.actor?.name, 100),
          actorRole: clip(event.actor?.role, 32),
          target: clip(event.target, 200),
          detail: clip(event.detail, 300),
          ip: clip(event.ip, 64),
          userAgent: clip(event.userAgent, 300),
        },
      });
    } catch (err) {
      this.#log.error('could not write audit event', { action: event.action, err });
    }
  }

  /** Newest (last written) first, filtered; `next` pages on to older events. */
  async list(query: unknown): Promise<AuditPage> {
    const parsed = auditQuery.safeParse(query);
    if (!parsed.success) throw badRequest('Invalid audit query', zodDetails(parsed.error));
    const q = parsed.data;
    const where: Prisma.AuditEventWhereInput = {};
    if (q.action) where.action = q.action;
    if (q.user) where.actorName = q.user;
    if (q.ip) where.ip = q.ip;
    if (q.from || q.to) where.at = { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lte: new Date(q.to) } : {}) };
    if (q.before) {
      const last = await this.#db.auditEvent.findUnique({ where: { id: q.before }, select: { seq: true } });
      if (!last) throw badRequest('Invalid audit query', { before: 'Unknown event' });
      where.seq = { lt: last.seq };
    }
    const rows = await this.#db.auditEvent.findMany({ where, orderBy: { seq: 'desc' }, take: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      events: page.map(toInfo),
      next: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }
}

function toInfo({ seq: _seq, ...row }: Omit<AuditEventInfo, 'at' | 'action'> & { seq: number; at: Date; action: string }): AuditEventInfo {
  // Only known actions are ever written (record() refuses others).
  return { ...row, at: row.at.toISOString(), action: row.action as AuditAction };
}
