import { randomBytes, randomInt } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { maskPhone } from '../cases/masking.ts';
import { lockCase } from '../cases/caseLock.ts';
import { appendTimeline } from '../cases/timeline.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { conflict, fail, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { signerRoleLabels, type AgreementContent } from '../protocol/agreement.ts';
import type { AgreementHub } from './AgreementHub.ts';
import { verifyUrl, sha256Hex } from './AgreementService.ts';
import { readContent, toRevision } from './revisionText.ts';
import { revisionHash } from './canonical.ts';
import { loadOrCreateSealKey, type SealKey } from './orgKey.ts';
import { loadSealTrust, recordSealKey, type SealTrust } from './sealTrust.ts';
import { renderAgreementPdf, type AgreementSignature, type SigningEvent } from './render.ts';
import { sealPdf } from './seal.ts';

/*
 * Finalisation: render → seal → write <id>.pdf.tmp, fsync → rename to <id>.pdf, fsync the
 * directory → ONE transaction: the agreement claimed from `signing` to `sealed` (one sealer wins;
 * a loser removes its file), AgreementDocument row (with the file's SHA-256), timeline entry
 * `agreement.sealed`.
 *
 * Crash safety comes from the order: the row is written last, so a row always has its complete
 * file. A crash before the commit leaves at most a .tmp file or a .pdf with no row; recover()
 * deletes both (at startup and before every attempt, sparing the files of runs in flight in this
 * process), and the agreement is still `signing` with all its signatures, so finalisation simply
 * runs again.
 */

export const AGREEMENTS_DIR = 'agreements';

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
}

/** Who must sign, and whether all have. */
export interface Completeness {
  complete: boolean;
  missing: string[];
}

/** Crockford-like alphabet without I, L, O, U: readable verification codes (60 bits). */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function newVerificationCode(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

export function normaliseVerificationCode(code: string): string {
  const s = code.toUpperCase().replace(/[^0-9A-Z]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
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
  #sealKey: Promise<SealKey> | undefined;

  constructor(deps: FinaliserDeps) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
    this.#hub = deps.hub;
    this.#crashAt = deps.crashAt;
    this.#onSealed = deps.onSealed;
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

  /** Deletes .tmp files and PDFs without a document row. Returns the names removed. */
  async recover(): Promise<string[]> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const removed: string[] = [];
    for (const name of await fs.readdir(this.dir)) {
      if (this.#writing.has(name.slice(0, name.indexOf('.')))) continue;
      const full = path.join(this.dir, name);
      if (name.endsWith('.tmp')) {
        await fs.rm(full, { force: true });
        removed.push(name);
        continue;
      }
      const m = /^(.+)\.pdf$/.exec(name);
      if (!m) continue;
      const row = await this.#db.agreementDocument.findUnique({ where: { id: m[1]! }, select: { id: true } });
      if (!row) {
        await fs.rm(full, { force: true });
        removed.push(name);
      }
    }
    if (removed.length > 0) {
      await fsyncDir(this.dir);
      this.#log.warn('agreement recovery removed incomplete files', { removed });
    }
    return removed;
  }

  /** At startup: recover, then finish every agreement whose signatures are complete but which is not sealed. */
  async recoverAndResume(): Promise<void> {
    await this.recover();
    const pending = await this.#db.agreement.findMany({ where: { status: 'signing' }, select: { id: true } });
    for (const { id } of pending) {
      if ((await this.completeness(id)).complete) {
        await this.finalise(id).catch((err: unknown) => this.#log.error('resuming agreement finalisation failed', { agreementId: id, err }));
      }
    }
  }

  /** Finalises once all required signatures are in; concurrent calls share one run. */
  finalise(agreementId: string): Promise<void> {
    const running = this.#running.get(agreementId);
    if (running) return running;
    const started = process.hrtime.bigint();
    const p = this.#finalise(agreementId)
      .then((sealed) => {
        if (sealed) this.#onSealed?.(Number(process.hrtime.bigint() - started) / 1e9);
      })
      .finally(() => this.#running.delete(agreementId));
    this.#running.set(agreementId, p);
    return p;
  }

  /** True when this run sealed the agreement (false: it already was). */
  async #finalise(agreementId: string): Promise<boolean> {
    await this.recover();
    const a = await this.#db.agreement.findUnique({ where: { id: agreementId } });
    if (!a) throw notFound('Agreement');
    if (a.status === 'sealed') return false;
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
      const method =
        s.identityMethod === 'sms_otp'
          ? `短信验证码（${party ? maskPhone(party.phone) : '手机'}）+ 手写签名`
          : '工作人员账号登录 + 手写签名';
      events.push({ signer: s.signerName, role: roleLabel, at: s.at, ip: s.ip, method });
      publicEvents.push({ name: s.signerName, role: roleLabel, at: s.at.toISOString(), method: s.identityMethod === 'sms_otp' ? 'sms_otp+handwritten' : 'staff_login+handwritten' });
    }

    const documentId = newId();
    this.#writing.add(documentId);
    try {
      const verificationCode = newVerificationCode();
      const timelineHash = kase.chainHash;
      const key = await this.sealKey();
      const rendered = await renderAgreementPdf({
        revision,
        signatures,
        certificate: {
          caseNumber: kase.caseNumber,
          revisionHash: hash,
          events,
          timelineHash,
          verificationCode,
          verifyUrl: verifyUrl(this.#config, verificationCode),
        },
        completedAt,
        seal: { name: key.signerName, location: content.organisation, contactInfo: this.#config.publicUrl },
      });
      this.#step('rendered');
      const sealed = await sealPdf(rendered, key, completedAt);
      this.#step('sealed');
      const sha256 = sha256Hex(sealed);

      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      const final = this.filePath(documentId);
      const tmp = `${final}.${randomBytes(4).toString('hex')}.tmp`;
      const fh = await fs.open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(sealed);
        this.#step('tmp-written');
        await fh.sync();
        this.#step('tmp-synced');
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, final);
      await fsyncDir(this.dir);
      this.#step('renamed');

      const now = this.#clock.now();
      let won: boolean;
      try {
        won = await transaction(this.#db, async (tx) => {
          await lockCase(tx, a.caseId);
          // The claim: only one run moves the agreement from signing to sealed.
          const claimed = await tx.agreement.updateMany({ where: { id: agreementId, status: 'signing', frozenHash: hash }, data: { status: 'sealed', updatedAt: now } });
          if (claimed.count !== 1) {
            const cur = await tx.agreement.findUniqueOrThrow({ where: { id: agreementId }, select: { status: true } });
            if (cur.status === 'sealed') return false;
            throw conflict('The agreement changed during finalisation');
          }
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
          return true;
        });
      } catch (err) {
        await fs.rm(final, { force: true }); // no row: the file must not stay
        throw err;
      }
      if (!won) {
        await fs.rm(final, { force: true }); // another process sealed it first
        return false;
      }
      this.#step('committed');
      this.#log.info('agreement sealed', { agreementId, documentId, sha256 });
      this.#hub?.publish(a.caseId);
      return true;
    } finally {
      this.#writing.delete(documentId);
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

