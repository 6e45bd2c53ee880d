import { createHash } from 'node:crypto';
import type { CaseGuard } from '../access/CaseGuard.ts';
import type { AccessAction } from '../access/caseAccess.ts';
import type { AuthService } from '../auth/AuthService.ts';
import type { InvitationPrincipal, StaffPrincipal } from '../auth/principals.ts';
import { maskPhone } from '../cases/masking.ts';
import { lockCase } from '../cases/caseLock.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { AppError, badRequest, fail, forbidden, notFound, unauthenticated } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import {
  agreementContent,
  type AgreementContent,
  type AgreementTemplateInfo,
  type AgreementView,
  type CommentRequest,
  type FreezeRequest,
  type SaveDraftRequest,
  type SignerStatus,
  type SigningOrder,
} from '../protocol/agreement.ts';
import { blankFieldIds } from '../protocol/agreementFields.ts';
import type { PartySide } from '../protocol/roles.ts';
import type { AgreementHub } from './AgreementHub.ts';
import { checkCode, fingerprint, normaliseRevision, revisionHash } from './canonical.ts';
import { assertNoBlanks, readContent, toRevision } from './revisionText.ts';
import { agreementTemplates, fillTemplate, SIDE_LABELS, sideCode, templateFor } from './templates.ts';

/** SEAL_ORGANISATION's default (server/config.ts); the configured name is used when the case has no mediation committee of its own. */
export const DEFAULT_ORGANISATION = '云调解人民调解委员会';

/** Who is looking at / acting on an agreement. */
export type AgreementActor =
  | { kind: 'staff'; staff: StaffPrincipal; actor: string }
  | { kind: 'invitation'; invitation: InvitationPrincipal; caseId: string; partyId: string | null; actor: string }
  | { kind: 'signing-link'; linkId: string; agreementId: string; caseId: string; partyId: string; actor: string };

export const SIGNING_LINK_PREFIX = 'sl_';
export const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

type AgreementRow = NonNullable<Awaited<ReturnType<Db['agreement']['findUnique']>>>;

export interface AgreementServiceDeps {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  auth: AuthService;
  hub: AgreementHub;
  access: CaseGuard;
}

/** Drafting, comments, freezing, views and access for the mediation agreement of a case. */
export class AgreementService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #auth: AuthService;
  readonly hub: AgreementHub;
  readonly #access: CaseGuard;

  constructor(deps: AgreementServiceDeps) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#auth = deps.auth;
    this.hub = deps.hub;
    this.#access = deps.access;
  }

  templates(): AgreementTemplateInfo[] {
    return agreementTemplates.map((t) => ({ id: t.id, disputeType: t.disputeType, name: t.name, nameEn: t.nameEn }));
  }

  // ---- access -------------------------------------------------------------------------------

  /** A staff token, an invitation token (for any session of the case) or a signing-link token. */
  async resolveActor(token: string | undefined): Promise<AgreementActor> {
    if (!token) throw unauthenticated('Token required');
    if (token.startsWith(SIGNING_LINK_PREFIX)) {
      const link = await this.#db.agreementSigningLink.findUnique({ where: { tokenHash: sha256Hex(token) } });
      if (!link || link.revokedAt || link.expiresAt.getTime() <= this.#clock.now().getTime()) {
        throw fail('signing_link_invalid', 'This signing link is not valid (expired or revoked)');
      }
      const a = await this.#db.agreement.findUnique({ where: { id: link.agreementId }, select: { caseId: true } });
      if (!a) throw fail('signing_link_invalid', 'This signing link is not valid');
      return {
        kind: 'signing-link',
        linkId: link.id,
        agreementId: link.agreementId,
        caseId: a.caseId,
        partyId: link.partyId,
        actor: `signing-link:${link.id}`,
      };
    }
    let staffError: unknown;
    try {
      const staff = await this.#auth.verifyStaffToken(token);
      return { kind: 'staff', staff, actor: `user:${staff.userId}` };
    } catch (e) {
      staffError = e;
    }
    let invitation: InvitationPrincipal;
    try {
      invitation = await this.#auth.verifyInvitationToken(token, { allowEnded: true });
    } catch {
      throw staffError instanceof AppError ? staffError : unauthenticated('Invalid token');
    }
    const session = await this.#db.mediationSession.findUnique({ where: { id: invitation.sessionId }, select: { caseId: true } });
    if (!session) throw unauthenticated('Invalid token');
    let partyId = invitation.partyId;
    if (invitation.role === 'party' && !partyId && invitation.side) {
      const same = await this.#db.party.findMany({ where: { caseId: session.caseId, side: invitation.side }, select: { id: true } });
      if (same.length === 1) partyId = same[0]!.id;
    }
    return {
      kind: 'invitation',
      invitation,
      caseId: session.caseId,
      partyId: invitation.role === 'party' ? partyId : null,
      actor: `invitation:${invitation.invitationId}`,
    };
  }

  /**
   * Who may read: staff whom the object rule lets read the case (server/access/caseAccess.ts),
   * the case's session participants, the parties' signing links.
   */
  async assertCanRead(actor: AgreementActor, caseId: string, agreementId?: string): Promise<void> {
    if (actor.kind === 'staff') return this.#access.assert(actor.staff, 'case.read', caseId, 'agreement');
    if (actor.kind === 'invitation' && actor.caseId === caseId) return;
    if (actor.kind === 'signing-link' && actor.caseId === caseId && (!agreementId || actor.agreementId === agreementId)) return;
    throw forbidden('This token is not for this case');
  }

  /** The session's case, checking that the token may read it (an invitation: this very session). */
  async caseOfSession(sessionId: string, actor: AgreementActor): Promise<string> {
    const s = await this.#db.mediationSession.findUnique({ where: { id: sessionId }, select: { caseId: true } });
    if (!s) throw notFound('Session');
    if (actor.kind === 'invitation' && actor.invitation.sessionId !== sessionId) throw forbidden('This invitation is for another session');
    if (actor.kind === 'signing-link') throw forbidden('A signing link does not open the session');
    await this.assertCanRead(actor, s.caseId);
    return s.caseId;
  }

  /** Agreement work on the case: the object rule (responsible mediator(s), supervisors of the case). */
  async assertCase(staff: StaffPrincipal, action: AccessAction, caseId: string): Promise<void> {
    await this.#access.assert(staff, action, caseId, 'agreement');
  }

  async getRow(agreementId: string): Promise<AgreementRow> {
    const a = await this.#db.agreement.findUnique({ where: { id: agreementId } });
    if (!a) throw notFound('Agreement');
    return a;
  }

  async forCase(caseId: string): Promise<AgreementRow | null> {
    return this.#db.agreement.findUnique({ where: { caseId } });
  }

  // ---- drafting -----------------------------------------------------------------------------

  async create(sessionId: string, staff: StaffPrincipal, templateId?: string): Promise<AgreementView> {
    const session = await this.#db.mediationSession.findUnique({ where: { id: sessionId } });
    if (!session) throw notFound('Session');
    await this.assertCase(staff, 'agreement.create', session.caseId);
    const kase = await this.#db.case.findUnique({
      where: { id: session.caseId },
      include: { parties: { orderBy: { position: 'asc' } }, unit: true, leadMediator: true },
    });
    if (!kase) throw notFound('Case');
    let template;
    try {
      template = templateFor(kase.disputeType, templateId);
    } catch {
      throw badRequest('Unknown template', { templateId: 'No such template' });
    }
    const organisation = organisationOf(kase.unit, this.#config);
    const content = fillTemplate(template, {
      description: kase.description,
      parties: kase.parties.map((p) => ({ side: p.side, name: p.name })),
      organisation,
      mediator: kase.leadMediator?.displayName ?? staff.displayName,
    });
    const now = this.#clock.now();
    const id = await transaction(this.#db, async (tx) => {
      await lockCase(tx, kase.id);
      const existing = await tx.agreement.findUnique({ where: { caseId: kase.id }, select: { id: true } });
      if (existing) throw fail('agreement_exists', 'This case already has an agreement');
      const id = newId();
      await tx.agreement.create({
        data: { id, caseId: kase.id, templateId: template.id, status: 'drafting', currentRev: 1, createdById: staff.userId, createdAt: now, updatedAt: now },
      });
      const hash = safeHash(kase.caseNumber, content);
      await tx.agreementRevision.create({
        data: { id: newId(), agreementId: id, number: 1, content: JSON.stringify(content), hash, authorId: `user:${staff.userId}`, createdAt: now },
      });
      await appendTimeline(tx, {
        caseId: kase.id,
        type: 'agreement.drafted',
        actor: `user:${staff.userId}`,
        at: now,
        data: { agreementId: id, templateId: template.id, revision: 1 },
      });
      return id;
    });
    this.#log.info('agreement drafted', { agreementId: id, caseId: kase.id });
    this.hub.publish(kase.id);
    return this.view(id);
  }

  /** A saved edit: a new revision. Editing a frozen revision cancels its signatures. */
  async saveDraft(agreementId: string, input: SaveDraftRequest, staff: StaffPrincipal): Promise<AgreementView> {
    const a = await this.getRow(agreementId);
    await this.assertCase(staff, 'agreement.edit', a.caseId);
    const content = agreementContent.parse(input.content);
    const now = this.#clock.now();
    const changed = await transaction(this.#db, async (tx) => {
      await lockCase(tx, a.caseId);
      const cur = await tx.agreement.findUnique({ where: { id: agreementId } });
      if (!cur) throw notFound('Agreement');
      if (cur.status === 'sealed') throw fail('agreement_sealed', 'The agreement has been sealed and can no longer be edited');
      if (input.baseRevision !== cur.currentRev) {
        throw fail(
          'agreement_draft_changed',
          `The draft was changed meanwhile (now revision ${cur.currentRev}); reload and edit again`,
          { revision: cur.currentRev },
          {
            currentRevision: String(cur.currentRev),
          },
        );
      }
      const last = await tx.agreementRevision.findUnique({ where: { agreementId_number: { agreementId, number: cur.currentRev } } });
      if (last && last.content === JSON.stringify(content)) return false;
      const kase = await tx.case.findUniqueOrThrow({ where: { id: cur.caseId }, select: { caseNumber: true } });
      const number = cur.currentRev + 1;
      const hash = safeHash(kase.caseNumber, content);
      await tx.agreementRevision.create({
        data: { id: newId(), agreementId, number, content: JSON.stringify(content), hash, authorId: `user:${staff.userId}`, createdAt: now },
      });
      await tx.agreement.update({
        where: { id: agreementId },
        data: { currentRev: number, updatedAt: now, ...(cur.status === 'signing' ? { status: 'drafting', frozenRev: null, frozenHash: null } : {}) },
      });
      await appendTimeline(tx, {
        caseId: cur.caseId,
        type: 'agreement.revised',
        actor: `user:${staff.userId}`,
        at: now,
        data: { agreementId, revision: number, revisionHash: hash || null },
      });
      if (cur.status === 'signing') {
        const cancelled = await tx.agreementSignature.updateMany({
          where: { agreementId, cancelledAt: null },
          data: { cancelledAt: now },
        });
        await appendTimeline(tx, {
          caseId: cur.caseId,
          type: 'agreement.signatures_cancelled',
          actor: `user:${staff.userId}`,
          at: now,
          data: { agreementId, revision: cur.frozenRev, revisionHash: cur.frozenHash, cancelled: cancelled.count, newRevision: number },
        });
      }
      return true;
    });
    if (changed) this.hub.publish(a.caseId);
    return this.view(agreementId);
  }

  async comment(agreementId: string, input: CommentRequest, actor: AgreementActor): Promise<AgreementView> {
    const a = await this.getRow(agreementId);
    await this.assertCanRead(actor, a.caseId, agreementId);
    if (actor.kind === 'invitation' && actor.invitation.role === 'observer') throw forbidden('Observers cannot comment');
    const rev = await this.#db.agreementRevision.findUnique({ where: { agreementId_number: { agreementId, number: input.revision } } });
    if (!rev) throw notFound('Revision');
    const content = readContent(rev.content);
    if (input.clauseIndex >= content.clauses.length) throw badRequest('No such clause', { clauseIndex: 'No such clause' });
    let authorName: string;
    let side: string | null = null;
    if (actor.kind === 'staff') authorName = actor.staff.displayName;
    else if (actor.kind === 'invitation') {
      authorName = actor.invitation.displayName;
      side = actor.invitation.side ?? null;
    } else {
      const p = await this.#db.party.findUniqueOrThrow({ where: { id: actor.partyId } });
      authorName = p.name;
      side = p.side;
    }
    await this.#db.agreementComment.create({
      data: {
        id: newId(),
        agreementId,
        revision: input.revision,
        clauseIndex: input.clauseIndex,
        author: actor.actor,
        authorName,
        side,
        text: input.text,
        createdAt: this.#clock.now(),
      },
    });
    this.hub.publish(a.caseId);
    return this.view(agreementId);
  }

  async freeze(agreementId: string, input: FreezeRequest, staff: StaffPrincipal): Promise<AgreementView> {
    const a = await this.getRow(agreementId);
    await this.assertCase(staff, 'agreement.freeze', a.caseId);
    const now = this.#clock.now();
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, a.caseId);
      const cur = await tx.agreement.findUniqueOrThrow({ where: { id: agreementId } });
      if (cur.status === 'sealed') throw fail('agreement_sealed', 'The agreement has been sealed');
      if (cur.status === 'signing') throw fail('agreement_already_frozen', 'A revision is already frozen for signing; edit the text to start a new revision');
      if (input.revision !== cur.currentRev)
        throw fail('agreement_not_latest', `Only the latest revision (${cur.currentRev}) can be frozen`, { revision: cur.currentRev });
      const rev = await tx.agreementRevision.findUniqueOrThrow({ where: { agreementId_number: { agreementId, number: cur.currentRev } } });
      const kase = await tx.case.findUniqueOrThrow({ where: { id: cur.caseId }, select: { caseNumber: true } });
      const content = readContent(rev.content);
      assertNoBlanks(content);
      let hash: string;
      try {
        hash = revisionHash(toRevision(kase.caseNumber, content));
      } catch (e) {
        throw fail('agreement_incomplete', `The draft is incomplete: ${(e as Error).message}`);
      }
      await tx.agreement.update({
        where: { id: agreementId },
        data: {
          status: 'signing',
          frozenRev: rev.number,
          frozenHash: hash,
          signingOrder: input.signingOrder ?? cur.signingOrder,
          requireWitness: input.requireWitness ?? cur.requireWitness,
          updatedAt: now,
        },
      });
      await appendTimeline(tx, {
        caseId: cur.caseId,
        type: 'agreement.frozen',
        actor: `user:${staff.userId}`,
        at: now,
        data: { agreementId, revision: rev.number, revisionHash: hash, signingOrder: input.signingOrder ?? cur.signingOrder },
      });
    });
    this.hub.publish(a.caseId);
    return this.view(agreementId);
  }

  // ---- views --------------------------------------------------------------------------------

  async view(agreementId: string): Promise<AgreementView> {
    const a = await this.getRow(agreementId);
    const kase = await this.#db.case.findUniqueOrThrow({ where: { id: a.caseId }, include: { parties: { orderBy: { position: 'asc' } } } });
    const rev = await this.#db.agreementRevision.findUniqueOrThrow({ where: { agreementId_number: { agreementId, number: a.currentRev } } });
    const sigs = a.frozenHash
      ? await this.#db.agreementSignature.findMany({
          where: { agreementId, revisionHash: a.frozenHash, revision: a.frozenRev ?? -1, cancelledAt: null },
          orderBy: { at: 'asc' },
        })
      : [];
    const comments = await this.#db.agreementComment.findMany({ where: { agreementId }, orderBy: { createdAt: 'asc' }, take: 500 });
    const doc = await this.#db.agreementDocument.findUnique({ where: { agreementId } });
    const status = (s: (typeof sigs)[number] | undefined): Pick<SignerStatus, 'status' | 'at' | 'refusalReason'> =>
      s
        ? { status: s.action === 'refused' ? 'refused' : 'signed', at: s.at.toISOString(), refusalReason: s.refusalReason }
        : { status: 'pending', at: null, refusalReason: null };
    const signers: SignerStatus[] = kase.parties.map((p) => ({
      kind: 'party',
      partyId: p.id,
      name: p.name,
      side: sideCode(p.side),
      required: true,
      ...status(sigs.find((s) => s.kind === 'party' && s.partyId === p.id)),
    }));
    const med = sigs.find((s) => s.kind === 'mediator');
    const content = readContent(rev.content);
    signers.push({ kind: 'mediator', partyId: null, name: med?.signerName ?? content.mediator, side: null, required: true, ...status(med) });
    const wit = sigs.find((s) => s.kind === 'witness');
    if (a.requireWitness || wit) {
      signers.push({ kind: 'witness', partyId: null, name: wit?.signerName ?? '', side: null, required: a.requireWitness, ...status(wit) });
    }
    const frozenHash = a.frozenHash;
    return {
      id: a.id,
      caseId: a.caseId,
      caseNumber: kase.caseNumber,
      status: a.status as AgreementView['status'],
      templateId: a.templateId,
      revision: {
        number: rev.number,
        content,
        hash: rev.hash,
        fingerprint: rev.hash ? fingerprint(rev.hash) : '',
        checkCode: rev.hash ? checkCode(rev.hash) : '',
        createdAt: rev.createdAt.toISOString(),
      },
      frozen:
        frozenHash && a.frozenRev ? { number: a.frozenRev, hash: frozenHash, fingerprint: fingerprint(frozenHash), checkCode: checkCode(frozenHash) } : null,
      signingOrder: a.signingOrder as SigningOrder,
      requireWitness: a.requireWitness,
      signers,
      comments: comments.map((c) => ({
        id: c.id,
        revision: c.revision,
        clauseIndex: c.clauseIndex,
        authorName: c.authorName,
        side: sideCode(c.side),
        text: c.text,
        createdAt: c.createdAt.toISOString(),
      })),
      document: doc
        ? {
            id: doc.id,
            sha256: doc.sha256,
            size: doc.size,
            verificationCode: doc.verificationCode,
            verifyUrl: verifyUrl(this.#config, doc.verificationCode),
            sealedAt: doc.sealedAt.toISOString(),
            revisionHash: doc.revisionHash,
          }
        : null,
    };
  }

  /** Masked phone of a party (for the signing page). */
  async partyOf(
    partyId: string,
  ): Promise<{ id: string; caseId: string; name: string; side: string; sideCode: PartySide | null; phone: string; phoneMasked: string }> {
    const p = await this.#db.party.findUnique({ where: { id: partyId } });
    if (!p) throw notFound('Party');
    return {
      id: p.id,
      caseId: p.caseId,
      name: p.name,
      side: SIDE_LABELS[p.side] ?? p.side,
      sideCode: sideCode(p.side),
      phone: p.phone,
      phoneMasked: maskPhone(p.phone),
    };
  }
}

/** The organisation named on the case's sealed documents: the case's mediation committee or centre, else SEAL_ORGANISATION. */
export function organisationOf(unit: { kind: string; name: string } | null, config: Config): string {
  return unit && (unit.kind === 'mediation_committee' || unit.kind === 'mediation_centre') ? unit.name : config.sealOrganisation;
}

export function verifyUrl(config: Config, code: string): string {
  return `${config.publicUrl}/verify#c=${encodeURIComponent(code)}`;
}

/** The revision hash, or '' while the draft is incomplete (an empty field or a blank). */
function safeHash(caseNumber: string, content: AgreementContent): string {
  if (blankFieldIds(content).length > 0) return '';
  try {
    normaliseRevision(toRevision(caseNumber, content));
    return revisionHash(toRevision(caseNumber, content));
  } catch {
    return '';
  }
}
