import QRCode from 'qrcode';
import { recordingStateOf } from '../recording/state.ts';
import type { AuthService } from '../auth/AuthService.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { badRequest, fail, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { createInvitationRequest, type CreateInvitationRequest, type InvitationInfo, type InvitationPreview } from '../protocol/api.ts';
import { partySides, type InvitedRole, type PartySide } from '../protocol/roles.ts';
import { actorOf } from './CaseService.ts';
import { lockCase, lockCaseOfSession } from './caseLock.ts';
import { appendTimeline } from './timeline.ts';
import { sessionKindOf } from './SessionService.ts';

export type InvitationRow = {
  id: string;
  sessionId: string;
  role: string;
  displayName: string;
  side: string | null;
  department: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
};

function toInfo(r: InvitationRow): InvitationInfo {
  return {
    id: r.id,
    sessionId: r.sessionId,
    role: r.role as InvitedRole,
    displayName: r.displayName,
    side: r.side !== null && (partySides as readonly string[]).includes(r.side) ? (r.side as PartySide) : null,
    department: r.department,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}

export class InvitationService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #tokens: TokenService;
  readonly #auth: AuthService;

  constructor(deps: { db: Db; clock: Clock; config: Config; log: Logger; tokens: TokenService; auth: AuthService }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#tokens = deps.tokens;
    this.#auth = deps.auth;
  }

  /**
   * Creates an invitation link for an open session. For a party invitation with `partyId` the
   * party must belong to the session's case; its side is taken from the party.
   * The answer carries the link (token in the URL fragment, so it never reaches server logs) and its QR code.
   */
  async create(sessionId: string, input: CreateInvitationRequest, principal: StaffPrincipal): Promise<InvitationInfo> {
    const req = createInvitationRequest.parse(input);
    const row = await transaction(this.#db, (tx) => this.createInTx(tx, sessionId, req, principal));
    const info = await this.withLink(row);
    this.#log.info('invitation created', { invitationId: row.id, sessionId, role: row.role, by: principal.userId });
    return info;
  }

  /** create, inside the caller's transaction; the link is made afterwards with `withLink`. */
  async createInTx(tx: Prisma.TransactionClient, sessionId: string, input: CreateInvitationRequest, principal: StaffPrincipal): Promise<InvitationRow> {
    const req = createInvitationRequest.parse(input);
    const now = this.#clock.now();
    const expiresAt = new Date(now.getTime() + this.#config.invitationSeconds * 1000);
    await lockCaseOfSession(tx, sessionId);
    const session = await tx.mediationSession.findUniqueOrThrow({ where: { id: sessionId }, select: { id: true, caseId: true, status: true } });
    if (session.status !== 'open') throw fail('session_ended', 'This mediation session has ended');

    let side: PartySide | null = null;
    let partyId: string | null = null;
    let department: string | null = null;
    if (req.role === 'party') {
      if (req.partyId !== undefined) {
        const party = await tx.party.findUnique({ where: { id: req.partyId }, select: { id: true, caseId: true, side: true } });
        if (!party || party.caseId !== session.caseId) {
          throw badRequest('Invalid invitation', { partyId: 'This party is not part of the session’s case' });
        }
        if (req.side !== undefined && req.side !== party.side) {
          throw badRequest('Invalid invitation', { side: 'Does not match the party’s side' });
        }
        partyId = party.id;
        side = party.side as PartySide;
      } else {
        side = req.side ?? null;
      }
    } else {
      if (req.partyId !== undefined) throw badRequest('Invalid invitation', { partyId: 'Only party invitations name a party' });
      if (req.side !== undefined) throw badRequest('Invalid invitation', { side: 'Only party invitations have a side' });
      department = req.department ?? null;
    }

    const created = await tx.invitation.create({
      data: {
        id: newId(),
        sessionId,
        role: req.role,
        displayName: req.displayName,
        side,
        department,
        partyId,
        createdById: principal.userId,
        createdAt: now,
        expiresAt,
      },
    });
    await appendTimeline(tx, {
      caseId: session.caseId,
      type: 'invitation.created',
      actor: actorOf(principal),
      at: now,
      data: { sessionId, invitationId: created.id, role: created.role, displayName: created.displayName, side, expiresAt: expiresAt.toISOString() },
    });
    return created;
  }

  /** The invitation with its link (token in the URL fragment, so it never reaches server logs) and QR code. */
  async withLink(row: InvitationRow): Promise<InvitationInfo> {
    const token = this.#tokens.signInvitation({ invitationId: row.id, sessionId: row.sessionId, role: row.role as InvitedRole, expiresAt: row.expiresAt });
    const url = `${this.#config.publicUrl}/join#t=${token}`;
    const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { ...toInfo(row), url, qrSvg };
  }

  /** Invitations of a session, oldest first (without links: a link is shown once, when created). */
  async list(sessionId: string): Promise<InvitationInfo[]> {
    const session = await this.#db.mediationSession.findUnique({ where: { id: sessionId }, select: { id: true } });
    if (!session) throw notFound('Session');
    const rows = await this.#db.invitation.findMany({ where: { sessionId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toInfo);
  }

  /** Revokes an invitation (idempotent). Its token is refused from now on. */
  async revoke(invitationId: string, principal: StaffPrincipal): Promise<InvitationInfo> {
    const row = await transaction(this.#db, async (tx) => {
      const found = await tx.invitation.findUnique({ where: { id: invitationId }, include: { session: { select: { caseId: true } } } });
      if (!found) throw notFound('Invitation');
      await lockCase(tx, found.session.caseId);
      const inv = await tx.invitation.findUniqueOrThrow({ where: { id: invitationId } });
      if (inv.revokedAt) return inv;
      const now = this.#clock.now();
      const updated = await tx.invitation.update({ where: { id: invitationId }, data: { revokedAt: now } });
      await appendTimeline(tx, {
        caseId: found.session.caseId,
        type: 'invitation.revoked',
        actor: actorOf(principal),
        at: now,
        data: { sessionId: inv.sessionId, invitationId, role: inv.role, displayName: inv.displayName },
      });
      return updated;
    });
    this.#log.info('invitation revoked', { invitationId, by: principal.userId });
    return toInfo(row);
  }

  /** What the join page shows before joining. An ended session previews with `sessionStatus: 'ended'`. */
  async preview(token: string): Promise<InvitationPreview> {
    const principal = await this.#auth.verifyInvitationToken(token, { allowEnded: true });
    const session = await this.#db.mediationSession.findUnique({
      where: { id: principal.sessionId },
      include: {
        case: { select: { caseNumber: true, title: true, unit: { select: { name: true, kind: true } } } },
        startedBy: { select: { displayName: true } },
        judicialApplication: { select: { court: { select: { name: true } } } },
      },
    });
    if (!session) throw notFound('Session');
    const unit = session.case.unit;
    const court = session.judicialApplication?.court.name;
    const centreName = court ?? (unit && (unit.kind === 'mediation_committee' || unit.kind === 'mediation_centre') ? unit.name : this.#config.sealOrganisation);
    return {
      sessionId: session.id,
      caseNumber: session.case.caseNumber,
      caseTitle: session.case.title,
      role: principal.role,
      displayName: principal.displayName,
      side: principal.side,
      sessionStatus: session.status === 'open' ? 'open' : 'ended',
      kind: sessionKindOf(session.kind),
      contact: { mediatorName: session.startedBy.displayName, centreName, centrePhone: this.#config.centrePhone },
      recording:
        session.status === 'open'
          ? recordingStateOf(await this.#db.recording.findUnique({ where: { sessionId: session.id }, select: { state: true } }))
          : 'off',
    };
  }
}
