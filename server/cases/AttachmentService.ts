import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StaffPrincipal } from '../auth/principals.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { transaction } from '../db/transactions.ts';
import { fail, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { AttachmentInfo } from '../protocol/cases.ts';
import { actorOf } from './CaseService.ts';
import { lockCase } from './caseLock.ts';
import { appendTimeline } from './timeline.ts';

/*
 * Case attachments (photos, PDFs). The upload is the raw request body with its Content-Type
 * (no multipart parser, no dependency). Everything is checked in memory before anything is
 * written: size (1 byte … 10 MB), declared type in the allow-list, and the file's magic bytes
 * matching the declared type. Then the file is written under DATA_DIR/attachments with a random
 * name (via a temporary name and a rename), and the row + timeline entry are inserted; if the
 * insert fails the file is removed. A refused upload leaves no file and no row.
 */

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

type AllowedType = AttachmentInfo['mimeType'];

const allowed: Record<AllowedType, { ext: string; matches: (b: Buffer) => boolean }> = {
  'image/jpeg': { ext: 'jpg', matches: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  'image/png': {
    ext: 'png',
    matches: (b) => b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  'application/pdf': { ext: 'pdf', matches: (b) => b.length >= 5 && b.subarray(0, 5).toString('latin1') === '%PDF-' },
};

export const allowedAttachmentTypes = Object.keys(allowed) as AllowedType[];

/** A display name: percent-decoded, path parts and control characters removed, at most 200 characters. */
export function cleanFileName(raw: string | undefined, ext: string): string {
  let name = '';
  if (raw) {
    try {
      name = decodeURIComponent(raw);
    } catch {
      name = raw;
    }
  }
  name = name
    // eslint-disable-next-line no-control-regex -- control characters are exactly what goes
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .split(/[\\/]/)
    .pop()!
    .trim()
    .slice(0, 200);
  if (name === '' || name === '.' || name === '..') name = `attachment.${ext}`;
  return name;
}

type Row = {
  id: string;
  caseId: string;
  originalName: string;
  mimeType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: Date;
  storedName: string;
};

function toInfo(r: Row): AttachmentInfo {
  return {
    id: r.id,
    caseId: r.caseId,
    originalName: r.originalName,
    mimeType: r.mimeType as AllowedType,
    size: r.size,
    sha256: r.sha256,
    uploadedBy: r.uploadedBy,
    createdAt: r.createdAt.toISOString(),
  };
}

export class AttachmentService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly dir: string;

  constructor(deps: { db: Db; clock: Clock; config: Config; log: Logger }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.dir = path.join(deps.config.dataDir, 'attachments');
  }

  async add(caseId: string, body: unknown, contentType: string | undefined, fileName: string | undefined, principal: StaffPrincipal): Promise<AttachmentInfo> {
    const kase = await this.#db.case.findUnique({ where: { id: caseId }, select: { id: true } });
    if (!kase) throw notFound('Case');
    const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!Object.hasOwn(allowed, type)) {
      throw fail(
        'attachment_type',
        'Unsupported file type (仅支持 JPEG、PNG 图片和 PDF 文件)',
        {},
        { 'content-type': `One of ${allowedAttachmentTypes.join(', ')}` },
      );
    }
    const spec = allowed[type as AllowedType];
    if (!Buffer.isBuffer(body) || body.length === 0) throw fail('attachment_empty', 'The file is empty (文件为空)');
    if (body.length > MAX_ATTACHMENT_BYTES)
      throw fail('attachment_too_large', `The file is larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`, { mb: MAX_ATTACHMENT_BYTES / 1024 / 1024 });
    if (!spec.matches(body)) throw fail('attachment_mismatch', `The file content is not ${type} (文件内容与类型不符)`);

    const id = newId();
    const storedName = `${newId()}.${spec.ext}`;
    const finalPath = path.join(this.dir, storedName);
    const partPath = path.join(this.dir, `.${storedName}.part`);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const originalName = cleanFileName(fileName, spec.ext);
    const now = this.#clock.now();

    await mkdir(this.dir, { recursive: true });
    try {
      await writeFile(partPath, body, { flag: 'wx', mode: 0o600 });
      await rename(partPath, finalPath);
      const row = await transaction(this.#db, async (tx) => {
        await lockCase(tx, caseId);
        const created = await tx.attachment.create({
          data: { id, caseId, storedName, originalName, mimeType: type, size: body.length, sha256, uploadedBy: actorOf(principal), createdAt: now },
        });
        await appendTimeline(tx, {
          caseId,
          type: 'attachment.added',
          actor: actorOf(principal),
          at: now,
          data: { attachmentId: id, originalName, mimeType: type, size: body.length, sha256 },
        });
        return created;
      });
      this.#log.info('attachment added', { caseId, attachmentId: id, size: body.length, by: principal.userId });
      return toInfo(row);
    } catch (err) {
      await rm(partPath, { force: true });
      await rm(finalPath, { force: true });
      throw err;
    }
  }

  async list(caseId: string): Promise<AttachmentInfo[]> {
    const kase = await this.#db.case.findUnique({ where: { id: caseId }, select: { id: true } });
    if (!kase) throw notFound('Case');
    const rows = await this.#db.attachment.findMany({ where: { caseId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toInfo);
  }

  /** Where the file is and how to send it. */
  async file(caseId: string, attachmentId: string): Promise<{ info: AttachmentInfo; path: string }> {
    const row = await this.#db.attachment.findUnique({ where: { id: attachmentId } });
    if (!row || row.caseId !== caseId) throw notFound('Attachment');
    return { info: toInfo(row), path: path.join(this.dir, row.storedName) };
  }
}
