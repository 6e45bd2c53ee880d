import type { Db, Prisma } from '../db/client.ts';
import { newId } from '../ids.ts';
import type { RelatedDocument } from '../protocol/mediationRecord.ts';

/*
 * How a case's agreement PDF and its record PDF refer to each other.
 *
 * A sealed PDF cannot change afterwards (any byte changed breaks its seal), so only the document
 * sealed SECOND can carry the other: it prints the first one's number and SHA-256 (fingerprint)
 * on its certificate page, inside what its seal covers, and a SealedDocumentLink row records that.
 * The first document is linked from the second in the verification data instead: verifying the
 * first lists the second (from the same row), so either PDF leads to the other. The alternative,
 * sealing both together at the end, would hold back whichever is done first (a settled agreement
 * often waits for no record, and a record is written also for sessions without agreement).
 */

export type SealedKind = RelatedDocument['kind'];

export interface SealedRef {
  kind: SealedKind;
  id: string;
  number: string;
  sha256: string;
}

/** The agreement PDF's number is the case number printed on it (编号). */
export const agreementNumber = (caseNumber: string): string => caseNumber;

export const KIND_TITLE: Record<SealedKind, string> = { agreement: '人民调解协议书', record: '调解笔录' };

/** The certificate-page rows naming the earlier documents a document carries. */
export function relatedRows(earlier: readonly SealedRef[]): Array<[string, string]> {
  const grouped = (hex: string): string => (hex.match(/.{1,8}/g) ?? []).join(' ');
  return earlier.map((e) => ['关联文书', `《${KIND_TITLE[e.kind]}》编号：${e.number}\nSHA-256：${grouped(e.sha256)}`]);
}

/** The sealed documents of the case other than `selfId` (sealed before it: the caller holds the case lock). */
export async function sealedBefore(db: Db | Prisma.TransactionClient, caseId: string, self: { kind: SealedKind; id: string }): Promise<SealedRef[]> {
  const out: SealedRef[] = [];
  const kase = await db.case.findUniqueOrThrow({ where: { id: caseId }, select: { caseNumber: true } });
  for (const d of await db.agreementDocument.findMany({ where: { caseId }, orderBy: { sealedAt: 'asc' } })) {
    if (d.id !== self.id) out.push({ kind: 'agreement', id: d.id, number: agreementNumber(kase.caseNumber), sha256: d.sha256 });
  }
  for (const d of await db.mediationRecordDocument.findMany({ where: { caseId }, orderBy: { sealedAt: 'asc' } })) {
    if (d.id !== self.id) out.push({ kind: 'record', id: d.id, number: d.number, sha256: d.sha256 });
  }
  return out;
}

/** Records, in the sealing transaction, that `later` carries each of `earlier`. */
export async function linkDocuments(
  tx: Prisma.TransactionClient,
  caseId: string,
  later: { kind: SealedKind; id: string },
  earlier: readonly SealedRef[],
  at: Date,
): Promise<void> {
  for (const e of earlier) {
    await tx.sealedDocumentLink.create({
      data: {
        id: newId(),
        caseId,
        laterKind: later.kind,
        laterId: later.id,
        earlierKind: e.kind,
        earlierId: e.id,
        earlierNumber: e.number,
        earlierSha256: e.sha256,
        createdAt: at,
      },
    });
  }
}

/** Both directions: what `documentId` carries (earlier) and what carries it (later). */
export async function relatedDocuments(db: Db, documentId: string): Promise<RelatedDocument[]> {
  const out: RelatedDocument[] = [];
  for (const l of await db.sealedDocumentLink.findMany({ where: { laterId: documentId }, orderBy: { createdAt: 'asc' } })) {
    out.push({ kind: l.earlierKind as SealedKind, number: l.earlierNumber, sha256: l.earlierSha256, relation: 'earlier' });
  }
  for (const l of await db.sealedDocumentLink.findMany({ where: { earlierId: documentId }, orderBy: { createdAt: 'asc' } })) {
    const later = await describe(db, l.laterKind as SealedKind, l.laterId);
    if (later) out.push({ ...later, relation: 'later' });
  }
  return out;
}

async function describe(db: Db, kind: SealedKind, id: string): Promise<Omit<RelatedDocument, 'relation'> | null> {
  if (kind === 'record') {
    const d = await db.mediationRecordDocument.findUnique({ where: { id } });
    return d ? { kind, number: d.number, sha256: d.sha256 } : null;
  }
  const d = await db.agreementDocument.findUnique({ where: { id } });
  if (!d) return null;
  const kase = await db.case.findUniqueOrThrow({ where: { id: d.caseId }, select: { caseNumber: true } });
  return { kind, number: agreementNumber(kase.caseNumber), sha256: d.sha256 };
}
