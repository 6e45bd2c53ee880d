import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lockCase } from '../cases/caseLock.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { conflict, fail, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { organisationOf, sha256Hex, verifyUrl } from '../agreement/AgreementService.ts';
import { newVerificationCode, SEALING_STALE_MS, writeDurably, type Finaliser } from '../agreement/Finaliser.ts';
import { sealPdf } from '../agreement/seal.ts';
import type { MediationRecordService } from './MediationRecordService.ts';
import { linkDocuments, relatedRows, sealedBefore } from './documentLinks.ts';
import { METHOD_WORDS, renderRecordPdf, signerName, type RecordAnswer } from './renderRecord.ts';
import { signerRoleLabels } from '../protocol/agreement.ts';
import type { RecordSignMethod } from '../protocol/mediationRecord.ts';
import { findCjkFonts } from '../agreement/fonts.ts';

export const RECORDS_DIR = 'records';

/** Where a sealed record's file lives (the verification reads it too). */
export const recordFilePath = (dataDir: string, documentId: string): string => path.join(dataDir, RECORDS_DIR, `${documentId}.pdf`);

/**
 * Seals a record once every signatory has answered, with the agreement's seal (the same key and
 * identity: Finaliser.sealKey) and its steps: claim the row (one sealer; a claim older than the
 * agreement's stale age is taken over) → render → seal → write the file durably → ONE transaction
 * moving the record to `sealed` while the claim holds, with the document row, the links to the
 * case's earlier sealed documents and `record.sealed` on the timeline. A failed run removes its
 * file and releases the claim; the record stays `confirming` with its answers, so it runs again.
 */
export class RecordSealer {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #records: MediationRecordService;
  readonly #finaliser: Finaliser;
  readonly #running = new Map<string, Promise<void>>();

  constructor(deps: { db: Db; clock: Clock; config: Config; log: Logger; records: MediationRecordService; finaliser: Finaliser }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#records = deps.records;
    this.#finaliser = deps.finaliser;
  }

  get dir(): string {
    return path.join(this.#config.dataDir, RECORDS_DIR);
  }

  /** Every signatory has confirmed or objected to the revision put to them. */
  async complete(recordId: string): Promise<boolean> {
    const r = await this.#records.getRow(recordId);
    if (r.status !== 'confirming' || !r.frozenHash) return false;
    const signatories = await this.#records.signatories(r);
    const answers = await this.#db.mediationRecordConfirmation.findMany({ where: { recordId, revisionHash: r.frozenHash }, select: { signatory: true } });
    return signatories.every((p) => answers.some((a) => a.signatory === p.key));
  }

  /** Seals once every signatory answered; concurrent calls in this process share one run (and the row's claim, one across nodes). */
  finalise(recordId: string): Promise<void> {
    const running = this.#running.get(recordId);
    if (running) return running;
    const p = this.#finalise(recordId).finally(() => this.#running.delete(recordId));
    this.#running.set(recordId, p);
    return p;
  }

  async #finalise(recordId: string): Promise<void> {
    const r = await this.#records.getRow(recordId);
    if (r.status === 'sealed') return;
    if (!(await this.complete(recordId))) throw fail('record_answers_missing', 'Not every signatory has confirmed or objected yet');
    const hash = r.frozenHash!;
    const documentId = newId();
    const claimedAt = this.#clock.now();
    const claimed = await transaction(this.#db, async (tx) => {
      await lockCase(tx, r.caseId);
      const stale = new Date(claimedAt.getTime() - SEALING_STALE_MS);
      const moved = await tx.mediationRecord.updateMany({
        where: { id: recordId, status: 'confirming', frozenHash: hash, OR: [{ sealingDocId: null }, { sealingAt: { lt: stale } }] },
        data: { sealingDocId: documentId, sealingAt: claimedAt },
      });
      return moved.count === 1;
    });
    if (!claimed) throw conflict('The record is being sealed; try again in a moment');
    const final = recordFilePath(this.#config.dataDir, documentId);
    let committed = false;
    try {
      const snapshot = await this.#records.snapshot(r, r.frozenRev!, r.frozenSeq);
      const answersRows = await this.#db.mediationRecordConfirmation.findMany({ where: { recordId, revisionHash: hash }, orderBy: { at: 'asc' } });
      const completedAt = answersRows.reduce((m, a) => (a.at > m ? a.at : m), answersRows[0]!.at);
      const kase = await this.#db.case.findUniqueOrThrow({ where: { id: r.caseId }, include: { unit: true } });
      const sessions = await this.#db.mediationSession.findMany({
        where: { caseId: r.caseId, startedAt: { lte: new Date(snapshot.header.startedAt) } },
        select: { id: true },
      });
      const number = `${kase.caseNumber}-笔录-${sessions.length}`;
      const organisation = organisationOf(kase.unit, this.#config);
      // In the signatories' order (parties, officials, recorder, mediator), each with their answer.
      const answers: RecordAnswer[] = (await this.#records.signatories(r)).map((s) => {
        const a = answersRows.find((x) => x.signatory === s.key)!;
        return {
          name: s.name,
          role: signerRoleLabels[s.role],
          department: s.department,
          party: s.partyId !== null,
          action: a.action as RecordAnswer['action'],
          method: a.identityMethod as RecordSignMethod,
          objection: a.objection,
          at: a.at,
          imagePng: a.imagePng ? Buffer.from(a.imagePng) : null,
          ip: a.ip,
        };
      });
      const earlier = await sealedBefore(this.#db, r.caseId, { kind: 'record', id: documentId });
      const verificationCode = newVerificationCode();
      const key = await this.#finaliser.sealKey();
      const rendered = await renderRecordPdf({
        fonts: findCjkFonts(this.#config.agreementFont),
        snapshot,
        number,
        revisionHash: hash,
        organisation,
        answers,
        certificate: {
          caseNumber: kase.caseNumber,
          revisionHash: hash,
          events: answers.map((a) => ({
            signer: signerName(a),
            role: a.role,
            at: a.at,
            ip: a.ip,
            method: a.action === 'confirmed' ? `${METHOD_WORDS[a.method]}（确认）` : '书面异议（未签名）',
          })),
          timelineHash: kase.chainHash,
          verificationCode,
          verifyUrl: verifyUrl(this.#config, verificationCode),
          document: { title: '调解笔录', hashLabel: '笔录文本哈希', number },
          related: relatedRows(earlier),
        },
        completedAt,
        seal: { name: key.signerName, location: organisation, contactInfo: this.#config.publicUrl },
      });
      const sealed = await sealPdf(rendered, key, completedAt);
      const sha256 = sha256Hex(sealed);
      await writeDurably(this.dir, final, sealed);
      const now = this.#clock.now();
      const events = answers.map((a) => ({
        name: signerName(a),
        role: a.role,
        at: a.at.toISOString(),
        method: a.action === 'confirmed' ? `${a.method}+handwritten` : 'objection',
      }));
      await transaction(this.#db, async (tx) => {
        await lockCase(tx, r.caseId);
        const moved = await tx.mediationRecord.updateMany({
          where: { id: recordId, status: 'confirming', frozenHash: hash, sealingDocId: documentId },
          data: { status: 'sealed', updatedAt: now, sealingAt: null },
        });
        if (moved.count !== 1) throw conflict('The record changed during sealing');
        // Sealed meanwhile by the agreement's finaliser? Then it carries this one; the later one links, never both.
        const stillEarlier = await sealedBefore(tx, r.caseId, { kind: 'record', id: documentId });
        if (stillEarlier.length !== earlier.length) throw conflict('Another document of the case was sealed meanwhile; seal again');
        await tx.mediationRecordDocument.create({
          data: {
            id: documentId,
            recordId,
            caseId: r.caseId,
            number,
            revisionHash: hash,
            sha256,
            size: sealed.length,
            verificationCode,
            timelineHash: kase.chainHash,
            events: JSON.stringify(events),
            sealedAt: completedAt,
          },
        });
        await linkDocuments(tx, r.caseId, { kind: 'record', id: documentId }, earlier, now);
        await appendTimeline(tx, {
          caseId: r.caseId,
          type: 'record.sealed',
          actor: 'system',
          at: now,
          data: {
            recordId,
            documentId,
            number,
            revisionHash: hash,
            sha256,
            size: sealed.length,
            carries: earlier.map((e) => ({ kind: e.kind, number: e.number, sha256: e.sha256 })),
          },
        });
      });
      committed = true;
      this.#log.info('mediation record sealed', { recordId, documentId, sha256 });
      this.#records.hub.publish(r.caseId);
    } finally {
      if (!committed) {
        // No row: the file must not stay (a failure to remove it must not keep the claim either).
        await fs.rm(final, { force: true }).catch((err: unknown) => this.#log.warn('could not remove an unsealed record file', { final, err }));
        await transaction(this.#db, async (tx) => {
          await lockCase(tx, r.caseId);
          await tx.mediationRecord.updateMany({
            where: { id: recordId, sealingDocId: documentId, status: { not: 'sealed' } },
            data: { sealingDocId: null, sealingAt: null },
          });
        }).catch((err: unknown) => this.#log.warn('could not release the record sealing claim (it lapses after the stale age)', { recordId, err }));
      }
    }
  }

  /**
   * At startup: seals every record whose signatories have all answered but which is not sealed (a
   * crash between the last answer and the commit). A claim left by the crashed run is taken once
   * it is older than the stale age; until then that record waits for the next answer or
   * POST /api/records/:id/finalise. Leftover files of uncommitted runs (.tmp, or a PDF with no
   * row and no record claiming it) are removed.
   */
  async recoverAndResume(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const stale = new Date(this.#clock.now().getTime() - SEALING_STALE_MS);
    for (const name of await fs.readdir(this.dir)) {
      const documentId = name.slice(0, name.indexOf('.'));
      if (await this.#db.mediationRecordDocument.findUnique({ where: { id: documentId }, select: { id: true } })) continue;
      const claim = await this.#db.mediationRecord.findUnique({ where: { sealingDocId: documentId }, select: { sealingAt: true } });
      if (claim && claim.sealingAt && claim.sealingAt >= stale) continue; // possibly another node writing it now
      await fs.rm(path.join(this.dir, name), { force: true });
      this.#log.warn('record recovery removed an incomplete file', { name });
    }
    for (const { id } of await this.#db.mediationRecord.findMany({ where: { status: 'confirming' }, select: { id: true } })) {
      if (await this.complete(id)) await this.finalise(id).catch((err: unknown) => this.#log.error('resuming record sealing failed', { recordId: id, err }));
    }
  }

  async documentFile(recordId: string): Promise<{ path: string; sha256: string; number: string; size: number }> {
    const doc = await this.#db.mediationRecordDocument.findUnique({ where: { recordId } });
    if (!doc) throw notFound('Sealed record');
    return { path: recordFilePath(this.#config.dataDir, doc.id), sha256: doc.sha256, number: doc.number, size: doc.size };
  }
}
