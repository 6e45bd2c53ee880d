import { promises as fs } from 'node:fs';
import { maskName } from '../cases/masking.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { tooManyRequests } from '../errors.ts';
import { memoryWindows } from '../limits/MemoryWindow.ts';
import { type SlidingWindow, type SlidingWindows } from '../limits/SlidingWindow.ts';
import { signerRoleLabels, signerRoles, type VerificationResult, type VerificationSigner } from '../protocol/agreement.ts';
import { sha256Hex } from './AgreementService.ts';
import { fingerprint } from './canonical.ts';
import { normaliseVerificationCode, type Finaliser } from './Finaliser.ts';
import { verifySealedPdf, type VerifyTrust } from './verify.ts';
import { relatedDocuments } from '../mediationRecord/documentLinks.ts';
import { recordFilePath } from '../mediationRecord/RecordSealer.ts';
import { rulingFilePath } from '../judicial/RulingSealer.ts';
import type { SealTrust } from './sealTrust.ts';

/** A sealed document of any kind, as verification needs it. */
interface DocRow {
  kind: 'agreement' | 'record' | 'ruling';
  /** A ruling's court: its seal is the court's own, checked against that court's trust store only. */
  court?: { id: string; name: string };
  decision?: 'confirmed' | 'rejected';
  id: string;
  caseId: string;
  number: string | null;
  revisionHash: string;
  sha256: string;
  sealedAt: Date;
  events: string;
  path: string;
}

/**
 * Public verification (no login): by verification code, or by the PDF itself. Says whether the
 * file is exactly the sealed agreement (SHA-256 recorded at sealing + the CMS seal), who signed
 * when (masked names), and otherwise that it was altered. No other personal data.
 */
export class VerificationService {
  readonly #db: Db;
  readonly #finaliser: Finaliser;
  /** Every verification request counts (by code or by file), per IP: a sliding window like the login limits'. */
  readonly #perIp: SlidingWindow;
  readonly #dataDir: string;
  readonly #courtTrust: (courtUnitId: string) => Promise<SealTrust>;

  constructor(deps: {
    db: Db;
    finaliser: Finaliser;
    clock: Clock;
    /** Verifications per IP per window (default 30 per 10 minutes). */
    maxPerIp?: number;
    windowMs?: number;
    /** Where the limit counts (default: in this process; cluster mode: Redis, shared by every node). */
    windows?: SlidingWindows;
    /** DATA_DIR: where the sealed records are (the agreements' come from the finaliser). */
    dataDir: string;
    /** A court's seals and roots (server/judicial/courtSeals.ts), for its rulings. */
    courtTrust?: (courtUnitId: string) => Promise<SealTrust>;
  }) {
    this.#db = deps.db;
    this.#dataDir = deps.dataDir;
    this.#finaliser = deps.finaliser;
    this.#courtTrust = deps.courtTrust ?? (() => Promise.resolve({ rootsPem: [], sealCertsPem: [] }));
    this.#perIp = (deps.windows ?? memoryWindows(deps.clock))({ name: 'verify-ip', max: deps.maxPerIp ?? 30, windowMs: deps.windowMs ?? 10 * 60_000 });
  }

  /**
   * Counts one public verification from `ip`; throws too_many_requests (429) past the limit,
   * before the code is looked up or the upload is read. Returns nothing when admitted.
   */
  async admit(ip: string): Promise<void> {
    const wait = await this.#perIp.take(ip);
    if (wait > 0) {
      const minutes = Math.ceil(wait / 60_000);
      throw tooManyRequests(`Too many verification requests from this address; try again in ${minutes} minute(s)`, wait, {
        reason: 'verify_rate_limited',
        params: { minutes },
      });
    }
  }

  /** Every seal this service has used and their roots (so rotation never invalidates earlier PDFs), at the recorded sealing time. */
  async #trust(doc: DocRow): Promise<VerifyTrust> {
    // A ruling verifies only against its court's seals, anything else only against the committee's: neither passes for the other.
    const trust = doc.court ? await this.#courtTrust(doc.court.id) : await this.#finaliser.sealTrust();
    return { trustedRootsPem: trust.rootsPem, sealCertsPem: trust.sealCertsPem, at: doc.sealedAt };
  }

  async #describe(doc: DocRow): Promise<Omit<VerificationResult, 'status' | 'message'>> {
    const kase = await this.#db.case.findUnique({ where: { id: doc.caseId }, select: { caseNumber: true } });
    const events = JSON.parse(doc.events) as VerificationSigner[];
    return {
      kind: doc.kind,
      sealedBy: doc.court ? 'court' : 'committee',
      ...(doc.court ? { courtName: doc.court.name } : {}),
      ...(doc.decision ? { decision: doc.decision } : {}),
      ...(doc.number ? { documentNumber: doc.number } : {}),
      related: await relatedDocuments(this.#db, doc.id),
      caseNumber: kase?.caseNumber ?? '',
      ...(doc.revisionHash ? { fingerprint: fingerprint(doc.revisionHash) } : {}),
      sealedAt: doc.sealedAt.toISOString(),
      sha256: doc.sha256,
      signers: events.map((e) => {
        const roleCode = signerRoles.find((r) => signerRoleLabels[r] === e.role);
        return { name: maskName(e.name), role: e.role, ...(roleCode ? { roleCode } : {}), at: e.at, method: e.method };
      }),
    };
  }

  /** The sealed agreement, else the sealed record, else a court's ruling, matching `where` (a unique column the tables have, the revision hash, or a ruling's id). */
  async #find(where: { verificationCode: string } | { sha256: string } | { revisionHash: string } | { id: string }): Promise<DocRow | null> {
    if ('id' in where) return this.#ruling(where);
    const a = await this.#db.agreementDocument.findFirst({ where });
    if (a)
      return {
        kind: 'agreement',
        id: a.id,
        caseId: a.caseId,
        number: null,
        revisionHash: a.revisionHash,
        sha256: a.sha256,
        sealedAt: a.sealedAt,
        events: a.events,
        path: this.#finaliser.filePath(a.id),
      };
    const r = await this.#db.mediationRecordDocument.findFirst({ where });
    if (r)
      return {
        kind: 'record',
        id: r.id,
        caseId: r.caseId,
        number: r.number,
        revisionHash: r.revisionHash,
        sha256: r.sha256,
        sealedAt: r.sealedAt,
        events: r.events,
        path: recordFilePath(this.#dataDir, r.id),
      };
    return 'revisionHash' in where ? null : this.#ruling(where);
  }

  async #ruling(where: { verificationCode: string } | { sha256: string } | { id: string }): Promise<DocRow | null> {
    const j = await this.#db.judicialRuling.findFirst({ where });
    if (!j) return null;
    const app = await this.#db.judicialApplication.findUnique({ where: { id: j.applicationId }, include: { court: true } });
    if (!app) return null;
    return {
      kind: 'ruling',
      court: { id: app.court.id, name: app.court.name },
      decision: j.decision === 'rejected' ? 'rejected' : 'confirmed',
      id: j.id,
      caseId: j.caseId,
      number: j.number,
      revisionHash: '',
      sha256: j.sha256,
      sealedAt: j.sealedAt,
      events: j.events,
      path: rulingFilePath(this.#dataDir, j.id),
    };
  }

  /** By code: checks the stored file against the stored hash and the seal. */
  async byCode(code: string): Promise<VerificationResult> {
    const doc = await this.#find({ verificationCode: normaliseVerificationCode(code) });
    if (!doc) return { status: 'unknown', message: 'No sealed agreement has this verification code' };
    const pdf = await fs.readFile(doc.path).catch(() => undefined);
    const info = await this.#describe(doc);
    if (!pdf) return { status: 'altered', message: 'The stored file is missing', ...info };
    const v = verifySealedPdf(pdf, doc.sha256, await this.#trust(doc));
    return v.ok
      ? { status: 'authentic', message: 'The sealed agreement on record is intact', ...info }
      : { status: 'altered', message: 'The stored file does not match its seal', reason: v.reason ?? '', ...info };
  }

  /** By file: exactly the sealed agreement, or altered (when it claims to be one of ours), or unknown. */
  async byFile(pdf: Buffer, code?: string): Promise<VerificationResult> {
    const sha = sha256Hex(pdf);
    let doc = await this.#find({ sha256: sha });
    if (doc) {
      const v = verifySealedPdf(pdf, doc.sha256, await this.#trust(doc));
      const info = await this.#describe(doc);
      return v.ok
        ? { status: 'authentic', message: 'This file is exactly the sealed agreement', ...info }
        : { status: 'altered', message: 'The seal does not verify', reason: v.reason ?? '', ...info };
    }
    // Not an exact copy: does it claim to be one of ours (by code, or the revision hash in its metadata)?
    if (code) doc = await this.#find({ verificationCode: normaliseVerificationCode(code) });
    if (!doc) {
      const m = /revision-sha256:([0-9a-f]{64})/.exec(pdf.toString('latin1'));
      if (m) doc = await this.#find({ revisionHash: m[1]! });
    }
    if (!doc) {
      const r = /judicial-ruling:([A-Za-z0-9_-]{8,64})/.exec(pdf.toString('latin1'));
      if (r) doc = await this.#find({ id: r[1]! });
    }
    if (!doc) return { status: 'unknown', message: 'This file is not a sealed agreement of this service (or it was altered beyond recognition)', sha256: sha };
    const v = verifySealedPdf(pdf, doc.sha256, await this.#trust(doc));
    const seal = verifySealedPdf(pdf, undefined, await this.#trust(doc));
    return {
      status: 'altered',
      message: 'This file is NOT the sealed agreement: it was altered after sealing',
      reason: seal.ok ? (v.reason ?? 'altered') : (seal.reason ?? v.reason ?? 'altered'),
      ...(await this.#describe(doc)),
      sha256: sha,
    };
  }
}
