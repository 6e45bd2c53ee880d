import type { CaseGuard } from '../access/CaseGuard.ts';
import type { AccessAction } from '../access/caseAccess.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { lockCase } from '../cases/caseLock.ts';
import { canonicalJson, appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail, forbidden, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import {
  RECORD_CONSENT_TEXTS,
  RECORD_PLACE,
  recordContent,
  type FreezeRecordRequest,
  type RecordConfirmer,
  type RecorderCandidate,
  type RecordContent,
  type RecordEvent,
  type RecordView,
  type RelatedDocument,
  type SaveRecordRequest,
} from '../protocol/mediationRecord.ts';
import type { AgreementHub } from '../agreement/AgreementHub.ts';
import { sha256Hex, verifyUrl, type AgreementActor, type AgreementService } from '../agreement/AgreementService.ts';
import { fingerprint } from '../agreement/canonical.ts';
import { sideCode } from '../agreement/templates.ts';
import { callerKey, recordSignatories, type RecordSignatory } from './signatories.ts';
import { sessionEvents, timelineHead } from './recordEvents.ts';
import { relatedDocuments } from './documentLinks.ts';

type RecordRow = NonNullable<Awaited<ReturnType<Db['mediationRecord']['findUnique']>>>;

/** What a record's hash covers: the fixed header, the written parts, and each event's timeline hash. */
export interface RecordSnapshot {
  caseNumber: string;
  sessionId: string;
  header: RecordView['header'];
  content: RecordContent;
  events: RecordEvent[];
}

/** The session's end is left out: a record is often put to the parties while the session still runs (it ends later). */
export const recordHash = (s: RecordSnapshot): string => {
  const { endedAt: _ended, ...header } = s.header;
  return sha256Hex(canonicalJson({ kind: 'mediation-record', ...s, header }));
};

/**
 * The written mediation record (调解笔录) of a session: started by the case's mediator, written by
 * the mediator or the recorder chosen, autosaved as revisions (a stale base revision is refused,
 * under the case lock like every agreement write), put to its signatories for confirmation.
 */
export class MediationRecordService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #access: CaseGuard;
  readonly agreements: AgreementService;
  /** Record changes go out on the agreement's hub (same listeners: a session's panels follow both). */
  readonly hub: AgreementHub;

  constructor(deps: { db: Db; clock: Clock; config: Config; log: Logger; access: CaseGuard; agreements: AgreementService }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#access = deps.access;
    this.agreements = deps.agreements;
    this.hub = deps.agreements.hub;
  }

  async getRow(recordId: string): Promise<RecordRow> {
    const r = await this.#db.mediationRecord.findUnique({ where: { id: recordId } });
    if (!r) throw notFound('Record');
    return r;
  }

  async forSession(sessionId: string): Promise<RecordRow | null> {
    return this.#db.mediationRecord.findUnique({ where: { sessionId } });
  }

  async forCase(caseId: string): Promise<RecordRow[]> {
    return this.#db.mediationRecord.findMany({ where: { caseId }, orderBy: { createdAt: 'asc' } });
  }

  async assertCase(staff: StaffPrincipal, action: AccessAction, caseId: string): Promise<void> {
    await this.#access.assert(staff, action, caseId, 'record');
  }

  /** The mediator (whoever runs the case) or the recorder chosen for this record, who must still read the case. */
  async #assertWriter(staff: StaffPrincipal, r: RecordRow): Promise<void> {
    if (staff.userId === r.recorderId) return this.#access.assert(staff, 'case.read', r.caseId, 'record');
    if (!(await this.#access.allowed(staff, 'record.edit', r.caseId)))
      throw fail('record_not_writer', 'Only the case’s mediator or the chosen recorder writes the record');
  }

  /** A recorder: a mediator (not disabled) who may read the case. */
  async #checkRecorder(caseId: string, recorderId: string): Promise<void> {
    const u = await this.#db.user.findUnique({ where: { id: recorderId } });
    if (!u || u.disabled || u.role !== 'mediator') throw fail('record_recorder_invalid', 'The recorder must be a mediator who may read this case');
    if (!(await this.#access.allowed({ userId: u.id, role: 'mediator' }, 'case.read', caseId)))
      throw fail('record_recorder_invalid', 'The recorder must be a mediator who may read this case');
  }

  /** Who may be chosen as recorder: the mediators (not disabled) who may read the case, the caller first. */
  async recorderCandidates(sessionId: string, staff: StaffPrincipal): Promise<RecorderCandidate[]> {
    const session = await this.#db.mediationSession.findUnique({ where: { id: sessionId }, select: { caseId: true } });
    if (!session) throw notFound('Session');
    await this.assertCase(staff, 'record.create', session.caseId);
    const users = await this.#db.user.findMany({
      where: { role: 'mediator', disabled: false },
      orderBy: { displayName: 'asc' },
      take: 200,
      select: { id: true, displayName: true },
    });
    const out: RecorderCandidate[] = [];
    for (const u of users) {
      if (u.id === staff.userId || (await this.#access.allowed({ userId: u.id, role: 'mediator' }, 'case.read', session.caseId)))
        out.push({ userId: u.id, name: u.displayName });
    }
    return out.sort((a, b) => Number(b.userId === staff.userId) - Number(a.userId === staff.userId));
  }

  // ---- drafting -----------------------------------------------------------------------------

  async create(sessionId: string, staff: StaffPrincipal, recorderId?: string): Promise<RecordView> {
    const session = await this.#db.mediationSession.findUnique({ where: { id: sessionId } });
    if (!session) throw notFound('Session');
    await this.assertCase(staff, 'record.create', session.caseId);
    const recorder = recorderId ?? staff.userId;
    if (recorder !== staff.userId) await this.#checkRecorder(session.caseId, recorder);
    const kase = await this.#db.case.findUniqueOrThrow({
      where: { id: session.caseId },
      include: { parties: { orderBy: { position: 'asc' } }, leadMediator: true },
    });
    const recorderUser = await this.#db.user.findUniqueOrThrow({ where: { id: recorder } });
    const mediatorName = kase.leadMediator?.displayName ?? staff.displayName;
    const content: RecordContent = {
      place: RECORD_PLACE,
      participants: [
        ...kase.parties.map((p) => ({ name: p.name, role: sideCode(p.side) ?? ('other' as const), location: '' })),
        { name: mediatorName, role: 'mediator' as const, location: '' },
        ...(recorderUser.displayName !== mediatorName ? [{ name: recorderUser.displayName, role: 'recorder' as const, location: '' }] : []),
      ],
      statements: [],
      departmentOpinion: '',
      mediatorProposal: '',
      outcome: '',
    };
    const now = this.#clock.now();
    const id = await transaction(this.#db, async (tx) => {
      await lockCase(tx, kase.id);
      if (await tx.mediationRecord.findUnique({ where: { sessionId }, select: { id: true } }))
        throw fail('record_exists', 'This session already has a mediation record');
      const id = newId();
      await tx.mediationRecord.create({
        data: {
          id,
          sessionId,
          caseId: kase.id,
          status: 'drafting',
          currentRev: 1,
          recorderId: recorder,
          createdById: staff.userId,
          createdAt: now,
          updatedAt: now,
        },
      });
      await tx.mediationRecordRevision.create({
        data: { id: newId(), recordId: id, number: 1, content: JSON.stringify(content), authorId: `user:${staff.userId}`, createdAt: now },
      });
      await appendTimeline(tx, {
        caseId: kase.id,
        type: 'record.drafted',
        actor: `user:${staff.userId}`,
        at: now,
        data: { recordId: id, sessionId, recorderId: recorder, revision: 1 },
      });
      return id;
    });
    this.#log.info('mediation record started', { recordId: id, sessionId });
    this.hub.publish(kase.id);
    return this.view(id, { kind: 'staff', staff, actor: `user:${staff.userId}` });
  }

  /**
   * An autosave: a new revision, refused when it was made on a revision that is no longer the
   * latest. Editing a record put to the parties takes it back to drafting (the answers given were
   * to the old revision's hash and no longer count).
   */
  async saveDraft(recordId: string, input: SaveRecordRequest, staff: StaffPrincipal): Promise<RecordView> {
    const r = await this.getRow(recordId);
    await this.#assertWriter(staff, r);
    const content = recordContent.parse(input.content);
    const now = this.#clock.now();
    const changed = await transaction(this.#db, async (tx) => {
      await lockCase(tx, r.caseId);
      const cur = await tx.mediationRecord.findUniqueOrThrow({ where: { id: recordId } });
      if (cur.status === 'sealed' || cur.sealingDocId) throw fail('record_sealed', 'The mediation record has been sealed and can no longer be changed');
      if (input.baseRevision !== cur.currentRev) {
        throw fail('record_draft_changed', `The record was changed meanwhile (now revision ${cur.currentRev}); reload and edit again`, {
          revision: cur.currentRev,
        });
      }
      const last = await tx.mediationRecordRevision.findUnique({ where: { recordId_number: { recordId, number: cur.currentRev } } });
      if (last && last.content === JSON.stringify(content)) return false;
      const number = cur.currentRev + 1;
      await tx.mediationRecordRevision.create({
        data: { id: newId(), recordId, number, content: JSON.stringify(content), authorId: `user:${staff.userId}`, createdAt: now },
      });
      await tx.mediationRecord.update({
        where: { id: recordId },
        data: {
          currentRev: number,
          updatedAt: now,
          ...(cur.status === 'confirming' ? { status: 'drafting', frozenRev: null, frozenHash: null, frozenSeq: null } : {}),
        },
      });
      await appendTimeline(tx, {
        caseId: r.caseId,
        type: 'record.revised',
        actor: `user:${staff.userId}`,
        at: now,
        data: { recordId, revision: number, reopened: cur.status === 'confirming' },
      });
      return true;
    });
    if (changed) this.hub.publish(r.caseId);
    return this.view(recordId, { kind: 'staff', staff, actor: `user:${staff.userId}` });
  }

  /** Puts the latest revision, with the events up to now, to the signatories: its hash is what they confirm. */
  async freeze(recordId: string, input: FreezeRecordRequest, staff: StaffPrincipal): Promise<RecordView> {
    const r = await this.getRow(recordId);
    await this.assertCase(staff, 'record.freeze', r.caseId);
    const now = this.#clock.now();
    await transaction(this.#db, async (tx) => {
      await lockCase(tx, r.caseId);
      const cur = await tx.mediationRecord.findUniqueOrThrow({ where: { id: recordId } });
      if (cur.status === 'sealed' || cur.sealingDocId) throw fail('record_sealed', 'The mediation record has been sealed');
      if (input.revision !== cur.currentRev)
        throw fail('record_draft_changed', `The record was changed meanwhile (now revision ${cur.currentRev})`, { revision: cur.currentRev });
      const seq = await timelineHead(tx, r.caseId);
      const snap = await this.snapshot(cur, cur.currentRev, seq);
      const hash = recordHash(snap);
      await tx.mediationRecord.update({
        where: { id: recordId },
        data: { status: 'confirming', frozenRev: cur.currentRev, frozenHash: hash, frozenSeq: seq, updatedAt: now },
      });
      await appendTimeline(tx, {
        caseId: r.caseId,
        type: 'record.frozen',
        actor: `user:${staff.userId}`,
        at: now,
        data: { recordId, revision: cur.currentRev, revisionHash: hash, eventsUpToSeq: seq },
      });
    });
    this.hub.publish(r.caseId);
    return this.view(recordId, { kind: 'staff', staff, actor: `user:${staff.userId}` });
  }

  // ---- views --------------------------------------------------------------------------------

  /** The header, a revision's written parts and the events (up to `uptoSeq`): what the hash covers. */
  async snapshot(r: RecordRow, revision: number, uptoSeq: number | null): Promise<RecordSnapshot> {
    const session = await this.#db.mediationSession.findUniqueOrThrow({ where: { id: r.sessionId } });
    const kase = await this.#db.case.findUniqueOrThrow({ where: { id: r.caseId }, include: { leadMediator: true } });
    const recorder = await this.#db.user.findUnique({ where: { id: r.recorderId }, select: { displayName: true } });
    const rev = await this.#db.mediationRecordRevision.findUniqueOrThrow({ where: { recordId_number: { recordId: r.id, number: revision } } });
    const events = await sessionEvents(this.#db, { id: session.id, caseId: r.caseId, startedAt: session.startedAt, endedAt: session.endedAt }, uptoSeq);
    return {
      caseNumber: kase.caseNumber,
      sessionId: r.sessionId,
      header: {
        caseTitle: kase.title,
        startedAt: session.startedAt.toISOString(),
        // A frozen record ends at its last event (the session may still run while the parties read it).
        endedAt: session.endedAt?.toISOString() ?? null,
        mediator: kase.leadMediator?.displayName ?? '',
        recorder: recorder?.displayName ?? '',
        recorderId: r.recorderId,
      },
      content: recordContent.parse(JSON.parse(rev.content)),
      events,
    };
  }

  /** Who signs the record (server/mediationRecord/signatories.ts); fixed once it is put to them. */
  signatories(r: { caseId: string; sessionId: string; recorderId: string; frozenSeq: number | null }): Promise<RecordSignatory[]> {
    return recordSignatories(this.#db, r);
  }

  async view(recordId: string, actor: AgreementActor): Promise<RecordView> {
    const r = await this.getRow(recordId);
    const frozen = r.frozenRev !== null && r.frozenHash !== null;
    // While drafting: the latest revision with the events up to now; once put to the parties: exactly what they confirm.
    const snap = await this.snapshot(r, frozen ? r.frozenRev! : r.currentRev, frozen ? r.frozenSeq : null);
    const latest = frozen ? await this.#db.mediationRecordRevision.findUniqueOrThrow({ where: { recordId_number: { recordId, number: r.currentRev } } }) : null;
    const revRow = latest ?? (await this.#db.mediationRecordRevision.findUniqueOrThrow({ where: { recordId_number: { recordId, number: r.currentRev } } }));
    const answers = r.frozenHash ? await this.#db.mediationRecordConfirmation.findMany({ where: { recordId, revisionHash: r.frozenHash } }) : [];
    const confirmers: RecordConfirmer[] = (await this.signatories(r)).map((p) => {
      const a = answers.find((x) => x.signatory === p.key);
      return {
        key: p.key,
        role: p.role,
        partyId: p.partyId,
        name: p.name,
        department: p.department,
        method: p.method,
        mayObject: p.mayObject,
        status: a ? (a.action === 'objected' ? 'objected' : 'confirmed') : 'pending',
        at: a?.at.toISOString() ?? null,
        objection: a?.objection ?? null,
      };
    });
    const mine = callerKey(actor);
    const doc = await this.#db.mediationRecordDocument.findUnique({ where: { recordId } });
    const related: RelatedDocument[] = doc ? await relatedDocuments(this.#db, doc.id) : [];
    const canEdit = actor.kind === 'staff' && r.status !== 'sealed' && (await this.#canWrite(actor.staff, r));
    return {
      id: r.id,
      caseId: r.caseId,
      caseNumber: snap.caseNumber,
      sessionId: r.sessionId,
      status: r.status as RecordView['status'],
      header: snap.header,
      revision: { number: revRow.number, content: recordContent.parse(JSON.parse(revRow.content)), createdAt: revRow.createdAt.toISOString() },
      frozen: frozen ? { number: r.frozenRev!, hash: r.frozenHash!, fingerprint: fingerprint(r.frozenHash!) } : null,
      events: snap.events,
      confirmers,
      document: doc
        ? {
            id: doc.id,
            number: doc.number,
            sha256: doc.sha256,
            size: doc.size,
            verificationCode: doc.verificationCode,
            verifyUrl: verifyUrl(this.#config, doc.verificationCode),
            sealedAt: doc.sealedAt.toISOString(),
            related,
          }
        : null,
      consentTexts: RECORD_CONSENT_TEXTS,
      me: {
        canEdit,
        partyId: actor.kind === 'invitation' && actor.invitation.role === 'party' ? actor.partyId : null,
        signatory: confirmers.some((c) => c.key === mine) ? mine : null,
      },
    };
  }

  async #canWrite(staff: StaffPrincipal, r: RecordRow): Promise<boolean> {
    try {
      await this.#assertWriter(staff, r);
      return true;
    } catch {
      return false;
    }
  }

  /** A token's read access to a session's record: staff who may read the case, the session's own participants. */
  async assertCanRead(actor: AgreementActor, r: { caseId: string; sessionId: string }): Promise<void> {
    if (actor.kind === 'invitation' && actor.invitation.sessionId !== r.sessionId) throw forbidden('This invitation is for another session');
    if (actor.kind === 'signing-link') throw forbidden('A signing link does not open the mediation record');
    await this.agreements.assertCanRead(actor, r.caseId);
  }
}
