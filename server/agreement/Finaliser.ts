import { randomBytes, randomInt } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { maskPhone } from '../cases/masking.ts';
import { lockCase } from '../cases/caseLock.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db, Prisma } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { conflict, fail, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { signerRoleLabels } from '../protocol/agreement.ts';
import type { AgreementHub } from './AgreementHub.ts';
import { verifyUrl, sha256Hex } from './AgreementService.ts';
import { readContent, toRevision } from './revisionText.ts';
import { revisionHash } from './canonical.ts';
import { loadOrCreateSealKey, type SealKey } from './orgKey.ts';
import { loadSealTrust, recordSealKey, type SealTrust } from './sealTrust.ts';
import { renderAgreementPdf, type AgreementSignature, type SigningEvent } from './render.ts';
import { sealPdf } from './seal.ts';
import { linkDocuments, relatedRows, sealedBefore } from '../mediationRecord/documentLinks.ts';
import { findCjkFonts } from './fonts.ts';

/*
 * Finalisation: claim the sealing (one sealer per agreement, see below) → render → seal → write
 * <id>.pdf.tmp, fsync → rename to <id>.pdf, fsync the directory → ONE transaction: the agreement
 * moved from `signing` to `sealed` while our claim still holds (else our file goes), the claim
 * cleared, AgreementDocument row (with the file's SHA-256), timeline entry `agreement.sealed`.
 *
 * The claim: several nodes share the database and DATA_DIR (cluster mode), so a conditional update
 * of the agreement row decides who seals: `sealingBy` (NODE_ID, `local` without cluster mode),
 * `sealingRun` (random per process start), `sealingAt`, `sealingDocId` (the document, whose files
 * are <id>.pdf and <id>.pdf.*.tmp). It is taken only when free, older than SEALING_STALE_MS (far
 * above the longest sealing), or left by this node before a restart (same node, another run: a
 * node runs one process). Only the claimant renders and writes; another node waits for its result.
 *
 * Crash safety comes from the order: the claim is committed before any file is written, and the
 * row is written last, so a row always has its complete file. A crash before the commit leaves at
 * most a .tmp file or a .pdf with no row; recover() deletes both (at startup and before every
 * attempt) unless a live claim of another run is writing them, ending a dead claim first so its
 * owner can no longer commit. The agreement is still `signing` with all its signatures, so
 * finalisation simply runs again.
 */

export const AGREEMENTS_DIR = 'agreements';

/** A sealing claim older than this is taken for dead: sealing takes seconds, the commit at most TX_OPTIONS.timeout. */
export const SEALING_STALE_MS = 10 * 60_000;
/** How long finalise() waits for another node's sealing before answering that it is still in progress. */
const WAIT_FOR_OTHER_MS = 30_000;
const WAIT_POLL_MS = 200;

/** Who holds a sealing claim, and since when (the agreement row's sealing columns). */
type Claim = { sealingBy: string | null; sealingRun: string | null; sealingAt: Date | null };
const NO_CLAIM = { sealingBy: null, sealingRun: null, sealingAt: null, sealingDocId: null } as const;

/** Where a test may make the process SIGKILL itself (tests/api/agreementCrash.test.ts). */
export const CRASH_STEPS = ['rendered', 'sealed', 'tmp-written', 'tmp-synced', 'renamed', 'in-transaction', 'committed'] as const;
export type CrashStep = (typeof CRASH_STEPS)[number];

export interface FinaliserDeps {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  hub?: AgreementHub;
  /** Test hook: SIGKILL this process at this step. Never set in production. */
  crashAt?: CrashStep | undefined;
  /** Told how long each completed finalisation took (metrics). */
  onSealed?: ((seconds: number) => void) | undefined;
  /** Who claims sealings (default: the cluster's NODE_ID, else `local`); tests name their nodes. */
  nodeId?: string | undefined;
}

/** Who must sign, and whether all have. */
export interface Completeness {
  complete: boolean;
  missing: string[];
}

/** Crockford-like alphabet without I, L, O, U: readable verification codes (60 bits). */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function newVerificationCode(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

export function normaliseVerificationCode(code: string): string {
  const s = code
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  return s.length === 12 ? `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}` : s;
}

export class Finaliser {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #hub: AgreementHub | undefined;
  readonly #crashAt: CrashStep | undefined;
  readonly #onSealed: ((seconds: number) => void) | undefined;
  readonly #running = new Map<string, Promise<void>>();
  /** Documents this process is writing now: recover() must not take their files for crash leftovers. */
  readonly #writing = new Set<string>();
  readonly #node: string;
  /** This start of the node (the claim's `sealingRun`). */
  readonly #run = randomBytes(8).toString('hex');
  #sealKey: Promise<SealKey> | undefined;

  constructor(deps: FinaliserDeps) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#hub = deps.hub;
    this.#crashAt = deps.crashAt;
    this.#onSealed = deps.onSealed;
    this.#node = deps.nodeId ?? deps.config.cluster?.nodeId ?? 'local';
  }

  get dir(): string {
    return path.join(this.#config.dataDir, AGREEMENTS_DIR);
  }

  filePath(documentId: string): string {
    return path.join(this.dir, `${documentId}.pdf`);
  }

  /** The organisation's seal (SEAL_ORGANISATION), generated in the data directory on first use. */
  sealKey(): Promise<SealKey> {
    this.#sealKey ??= (async () => {
      const key = await loadOrCreateSealKey(this.#config.dataDir, this.#config.sealOrganisation, {
        now: this.#clock.now(),
        rootKeyOut: this.#config.seal.rootKeyOut,
        p12Path: this.#config.seal.p12Path,
        p12Passphrase: this.#config.seal.p12Passphrase,
        rootCertPath: this.#config.seal.rootCertPath,
        warn: (message, fields) => this.#log.warn(message, fields),
      });
      await recordSealKey(this.#config.dataDir, key);
      return key;
    })();
    this.#sealKey.catch(() => (this.#sealKey = undefined));
    return this.#sealKey;
  }

  /** The seals this service has used (the current one recorded first) and their roots. */
  async sealTrust(): Promise<SealTrust> {
    await this.sealKey();
    return loadSealTrust(this.#config.dataDir);
  }

  #step(step: CrashStep): void {
    if (this.#crashAt === step) {
      this.#log.warn('test hook: SIGKILL at finalisation step', { step });
      process.kill(process.pid, 'SIGKILL');
    }
  }

  /** Required signatures of the frozen revision: every party, the mediator, the witness if required. */
  async completeness(agreementId: string): Promise<Completeness> {
    const a = await this.#db.agreement.findUnique({ where: { id: agreementId } });
    if (!a) throw notFound('Agreement');
    if (a.status !== 'signing' || !a.frozenHash || !a.frozenRev) return { complete: false, missing: ['frozen revision'] };
    const parties = await this.#db.party.findMany({ where: { caseId: a.caseId }, select: { id: true } });
    const sigs = await this.#db.agreementSignature.findMany({
      where: { agreementId, revision: a.frozenRev, revisionHash: a.frozenHash, cancelledAt: null, action: 'signed' },
    });
    const missing: string[] = [];
    for (const p of parties) if (!sigs.some((s) => s.kind === 'party' && s.partyId === p.id)) missing.push(`party:${p.id}`);
    if (!sigs.some((s) => s.kind === 'mediator')) missing.push('mediator');
    if (a.requireWitness && !sigs.some((s) => s.kind === 'witness')) missing.push('witness');
    return { complete: missing.length === 0, missing };
  }

  /**
   * Deletes .tmp files and PDFs without a document row, except those a live claim is writing (this
   * process's, or another node's not yet stale). Returns the names removed.
   */
  async recover(): Promise<string[]> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const removed: string[] = [];
    for (const name of await fs.readdir(this.dir)) {
      const pdf = /^[^.]+\.pdf$/.test(name);
      if (!pdf && !name.endsWith('.tmp')) continue;
      const documentId = name.slice(0, name.indexOf('.'));
      if (this.#writing.has(documentId)) continue;
      if (pdf && (await this.#hasRow(documentId))) continue;
      if (!(await this.#unclaimed(documentId))) continue;
      // Looked at again: the claimant may have committed between the first look and its claim's end.
      if (pdf && (await this.#hasRow(documentId))) continue;
      await fs.rm(path.join(this.dir, name), { force: true });
      removed.push(name);
    }
    if (removed.length > 0) {
      await fsyncDir(this.dir);
      this.#log.warn('agreement recovery removed incomplete files', { removed });
    }
    return removed;
  }

  async #hasRow(documentId: string): Promise<boolean> {
    return (await this.#db.agreementDocument.findUnique({ where: { id: documentId }, select: { id: true } })) !== null;
  }

  /**
   * True when no live claim writes the files of `documentId`. A dead claim is ended here first, in
   * one conditional update, so its owner (should it still run) cannot commit a row for a file that
   * recovery removes: its commit requires its claim.
   */
  async #unclaimed(documentId: string): Promise<boolean> {
    const a = await this.#db.agreement.findUnique({
      where: { sealingDocId: documentId },
      select: { id: true, caseId: true, sealingBy: true, sealingRun: true, sealingAt: true },
    });
    if (!a) return true;
    if (!this.#dead(a)) return false;
    await this.#setClaim(a.caseId, { id: a.id, sealingDocId: documentId, sealingRun: a.sealingRun }, NO_CLAIM);
    this.#log.warn('agreement sealing claim ended as dead', { agreementId: a.id, documentId, claimedBy: a.sealingBy, claimedAt: a.sealingAt });
    return true;
  }

  /** Nobody's, stale, or this node's from before its restart. */
  #dead(claim: Claim): boolean {
    if (claim.sealingBy === null || claim.sealingAt === null) return true;
    if (claim.sealingAt.getTime() < this.#clock.now().getTime() - SEALING_STALE_MS) return true;
    return claim.sealingBy === this.#node && claim.sealingRun !== this.#run;
  }

  /** The same test as #dead, as a condition of the claiming update. */
  #claimable(): Prisma.AgreementWhereInput {
    return {
      OR: [
        { sealingBy: null },
        { sealingAt: null },
        { sealingAt: { lt: new Date(this.#clock.now().getTime() - SEALING_STALE_MS) } },
        { sealingBy: this.#node, NOT: { sealingRun: this.#run } },
      ],
    };
  }

  /** One conditional update of the claim, under the case lock like every agreement write; true when it applied. */
  async #setClaim(caseId: string, where: Prisma.AgreementWhereInput, data: Prisma.AgreementUpdateManyMutationInput): Promise<boolean> {
    return transaction(this.#db, async (tx) => {
      await lockCase(tx, caseId);
      return (await tx.agreement.updateMany({ where, data })).count === 1;
    });
  }

  /**
   * At startup: recover, then finish every agreement whose signatures are complete but which is not
   * sealed; one that another node is sealing now is left to it.
   */
  async recoverAndResume(): Promise<void> {
    await this.recover();
    const pending = await this.#db.agreement.findMany({ where: { status: 'signing' }, select: { id: true } });
    for (const { id } of pending) {
      if ((await this.completeness(id)).complete) {
        await this.finalise(id, { wait: false }).catch((err: unknown) => this.#log.error('resuming agreement finalisation failed', { agreementId: id, err }));
      }
    }
  }

  /**
   * Finalises once all required signatures are in; concurrent calls share one run. When another
   * node is sealing it, waits for that node's result (`wait: false`: leaves it to that node);
   * past the wait, conflict.
   */
  finalise(agreementId: string, options: { wait?: boolean } = {}): Promise<void> {
    const running = this.#running.get(agreementId);
    if (running) return running;
    const started = process.hrtime.bigint();
    const p = this.#finalise(agreementId, options.wait ?? true)
      .then((sealed) => {
        if (sealed) this.#onSealed?.(Number(process.hrtime.bigint() - started) / 1e9);
      })
      .finally(() => this.#running.delete(agreementId));
    this.#running.set(agreementId, p);
    return p;
  }

  /** True when this run sealed the agreement (false: it already was, or another node did). */
  async #finalise(agreementId: string, wait: boolean): Promise<boolean> {
    const deadline = Date.now() + WAIT_FOR_OTHER_MS;
    for (;;) {
      const outcome = await this.#attempt(agreementId);
      if (outcome !== 'elsewhere') return outcome === 'sealed';
      if (!wait) return false;
      if ((await this.#awaitOther(agreementId, deadline)) === 'sealed') return false;
    }
  }

  /** Until the agreement is sealed, or the other claim ended (released, or dead): then it is tried again here. */
  async #awaitOther(agreementId: string, deadline: number): Promise<'sealed' | 'retry'> {
    for (;;) {
      const a = await this.#db.agreement.findUnique({
        where: { id: agreementId },
        select: { status: true, sealingBy: true, sealingRun: true, sealingAt: true },
      });
      if (a?.status === 'sealed') return 'sealed';
      if (!a || a.status !== 'signing' || this.#dead(a)) return 'retry';
      if (Date.now() >= deadline) throw conflict(`The agreement is being sealed by ${a.sealingBy}; try again in a moment`);
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
  }

  /** One try: 'sealed' by this run, 'already' sealed, or being sealed 'elsewhere' (a live claim of another run). */
  async #attempt(agreementId: string): Promise<'sealed' | 'already' | 'elsewhere'> {
    await this.recover();
    const a = await this.#db.agreement.findUnique({ where: { id: agreementId } });
    if (!a) throw notFound('Agreement');
    if (a.status === 'sealed') return 'already';
    const { complete, missing } = await this.completeness(agreementId);
    if (!complete) throw fail('signatures_missing', `Signatures missing: ${missing.join(', ')}`);
    const kase = await this.#db.case.findUniqueOrThrow({ where: { id: a.caseId }, include: { parties: true } });
    const rev = await this.#db.agreementRevision.findUniqueOrThrow({ where: { agreementId_number: { agreementId, number: a.frozenRev! } } });
    const content = readContent(rev.content);
    const revision = toRevision(kase.caseNumber, content);
    const hash = revisionHash(revision);
    if (hash !== a.frozenHash) throw new Error(`frozen revision ${a.frozenRev} hashes to ${hash}, not ${a.frozenHash}`);
    const sigs = await this.#db.agreementSignature.findMany({
      where: { agreementId, revision: a.frozenRev!, revisionHash: hash, cancelledAt: null, action: 'signed' },
      orderBy: { at: 'asc' },
    });

    const completedAt = new Date(Math.max(...sigs.map((s) => s.at.getTime())));
    const signatures: AgreementSignature[] = [];
    const events: SigningEvent[] = [];
    const publicEvents: Array<{ name: string; role: string; at: string; method: string }> = [];
    const order = (k: string) => (k === 'party' ? 0 : k === 'mediator' ? 1 : 2);
    for (const s of [...sigs].sort((x, y) => order(x.kind) - order(y.kind) || x.at.getTime() - y.at.getTime())) {
      const party = s.partyId ? kase.parties.find((p) => p.id === s.partyId) : undefined;
      const roleLabel = s.kind === 'party' ? (s.side ?? signerRoleLabels.party) : signerRoleLabels[s.kind === 'mediator' ? 'mediator' : 'witness'];
      signatures.push({
        signerName: s.signerName,
        role: s.kind === 'party' ? '当事人' : roleLabel,
        ...(s.kind === 'party' && s.side ? { side: s.side } : {}),
        signedAt: s.at,
        imagePng: Buffer.from(s.imagePng!),
      });
      const method = s.identityMethod === 'sms_otp' ? `短信验证码（${party ? maskPhone(party.phone) : '手机'}）+ 手写签名` : '工作人员账号登录 + 手写签名';
      events.push({ signer: s.signerName, role: roleLabel, at: s.at, ip: s.ip, method });
      publicEvents.push({
        name: s.signerName,
        role: roleLabel,
        at: s.at.toISOString(),
        method: s.identityMethod === 'sms_otp' ? 'sms_otp+handwritten' : 'staff_login+handwritten',
      });
    }

    const documentId = newId();
    const claimedAt = this.#clock.now();
    const claimed = await this.#setClaim(
      a.caseId,
      { id: agreementId, status: 'signing', frozenHash: hash, ...this.#claimable() },
      {
        sealingBy: this.#node,
        sealingRun: this.#run,
        sealingAt: claimedAt,
        sealingDocId: documentId,
      },
    );
    if (!claimed) {
      const cur = await this.#db.agreement.findUniqueOrThrow({ where: { id: agreementId }, select: { status: true, frozenHash: true } });
      if (cur.status === 'sealed') return 'already';
      if (cur.status !== 'signing' || cur.frozenHash !== hash) throw conflict('The agreement changed during finalisation');
      return 'elsewhere';
    }
    this.#writing.add(documentId);
    let committed = false;
    try {
      const verificationCode = newVerificationCode();
      const timelineHash = kase.chainHash;
      // The case's records sealed before: this agreement carries their numbers and SHA-256 (documentLinks.ts).
      const earlier = await sealedBefore(this.#db, a.caseId, { kind: 'agreement', id: documentId });
      const key = await this.sealKey();
      const rendered = await renderAgreementPdf({
        fonts: findCjkFonts(this.#config.agreementFont),
        revision,
        signatures,
        certificate: {
          caseNumber: kase.caseNumber,
          revisionHash: hash,
          events,
          timelineHash,
          verificationCode,
          verifyUrl: verifyUrl(this.#config, verificationCode),
          related: relatedRows(earlier),
        },
        completedAt,
        seal: { name: key.signerName, location: content.organisation, contactInfo: this.#config.publicUrl },
      });
      this.#step('rendered');
      const sealed = await sealPdf(rendered, key, completedAt);
      this.#step('sealed');
      const sha256 = sha256Hex(sealed);

      const final = this.filePath(documentId);
      await writeDurably(this.dir, final, sealed, (step) => this.#step(step));

      const now = this.#clock.now();
      let won: 'sealed' | 'already' | 'elsewhere';
      try {
        won = await transaction(this.#db, async (tx) => {
          await lockCase(tx, a.caseId);
          // Only while our claim holds does the agreement move from signing to sealed (the claim ends with it).
          const moved = await tx.agreement.updateMany({
            where: { id: agreementId, status: 'signing', frozenHash: hash, sealingDocId: documentId },
            data: { status: 'sealed', updatedAt: now, ...NO_CLAIM },
          });
          if (moved.count !== 1) {
            const cur = await tx.agreement.findUniqueOrThrow({ where: { id: agreementId }, select: { status: true, frozenHash: true } });
            if (cur.status === 'sealed') return 'already';
            if (cur.status !== 'signing' || cur.frozenHash !== hash) throw conflict('The agreement changed during finalisation');
            return 'elsewhere'; // our claim was taken for dead and taken over
          }
          if ((await sealedBefore(tx, a.caseId, { kind: 'agreement', id: documentId })).length !== earlier.length) {
            throw conflict('A mediation record of the case was sealed meanwhile; finalise again');
          }
          await linkDocuments(tx, a.caseId, { kind: 'agreement', id: documentId }, earlier, now);
          await tx.agreementDocument.create({
            data: {
              id: documentId,
              agreementId,
              caseId: a.caseId,
              revisionHash: hash,
              sha256,
              size: sealed.length,
              verificationCode,
              timelineHash,
              events: JSON.stringify(publicEvents),
              sealedAt: completedAt,
            },
          });
          await appendTimeline(tx, {
            caseId: a.caseId,
            type: 'agreement.sealed',
            actor: 'system',
            at: now,
            data: { agreementId, documentId, revision: a.frozenRev, revisionHash: hash, sha256, size: sealed.length, timelineHashAtCompletion: timelineHash },
          });
          this.#step('in-transaction');
          return 'sealed';
        });
      } catch (err) {
        await fs.rm(final, { force: true }); // no row: the file must not stay
        throw err;
      }
      if (won !== 'sealed') {
        await fs.rm(final, { force: true }); // another run sealed it, or holds the claim now
        return won;
      }
      committed = true;
      this.#step('committed');
      this.#log.info('agreement sealed', { agreementId, documentId, sha256 });
      this.#hub?.publish(a.caseId);
      return 'sealed';
    } finally {
      this.#writing.delete(documentId);
      // Not sealed by us: the claim goes at once (a crash leaves it to recovery or the stale age).
      if (!committed) {
        await this.#setClaim(a.caseId, { id: agreementId, sealingDocId: documentId }, NO_CLAIM).catch((err: unknown) =>
          this.#log.warn('could not release the sealing claim (it lapses after the stale age)', { agreementId, err }),
        );
      }
    }
  }

  /** Looks up a document and its file for download. */
  async documentFile(agreementId: string): Promise<{ path: string; sha256: string; caseNumber: string; size: number }> {
    const doc = await this.#db.agreementDocument.findUnique({ where: { agreementId } });
    if (!doc) throw notFound('Sealed agreement');
    const kase = await this.#db.case.findUniqueOrThrow({ where: { id: doc.caseId }, select: { caseNumber: true } });
    return { path: this.filePath(doc.id), sha256: doc.sha256, caseNumber: kase.caseNumber, size: doc.size };
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const d = await fs.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * Writes `<final>.<random>.tmp`, fsyncs it, renames it to `final` and fsyncs the directory: the
 * file is there completely or not at all (the sealed agreement's and the record's files).
 */
export async function writeDurably(dir: string, final: string, bytes: Buffer, step?: (s: 'tmp-written' | 'tmp-synced' | 'renamed') => void): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${final}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(bytes);
    step?.('tmp-written');
    await fh.sync();
    step?.('tmp-synced');
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, final);
  await fsyncDir(dir);
  step?.('renamed');
}
