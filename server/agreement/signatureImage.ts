import type { Db, Prisma } from '../db/client.ts';
import { fail } from '../errors.ts';
import { MAX_SIGNATURE_PNG_BYTES } from '../protocol/agreement.ts';
import { sha256Hex } from './AgreementService.ts';
import { pngFromDataUrl, validatePng } from './png.ts';

/**
 * A drawn signature is used once: an image already on any agreement signature, record
 * confirmation or judicial application confirmation is a replay and refused (asked before the transaction and again under the lock).
 */
export async function assertImageUnused(db: Db | Prisma.TransactionClient, sha: string): Promise<void> {
  const reused =
    (await db.agreementSignature.findFirst({ where: { imageSha256: sha }, select: { id: true } })) ??
    (await db.mediationRecordConfirmation.findFirst({ where: { imageSha256: sha }, select: { id: true } })) ??
    (await db.judicialApplicationConfirmation.findFirst({ where: { imageSha256: sha }, select: { id: true } }));
  if (reused) throw fail('signature_replayed', 'This signature image was already used for a signing; a replayed signature is refused. Please sign again.');
}

/** Decodes and checks a drawn signature (a PNG data URL); refuses an image already used. */
export async function signatureImage(db: Db, dataUrl: string): Promise<{ png: Buffer; sha: string }> {
  const png = pngFromDataUrl(dataUrl);
  if (png.length > MAX_SIGNATURE_PNG_BYTES) throw fail('signature_invalid', 'Signature image too large', {}, { signaturePng: 'Too large' });
  try {
    validatePng(png);
  } catch (e) {
    throw fail('signature_invalid', `Invalid signature image: ${(e as Error).message}`, {}, { signaturePng: (e as Error).message });
  }
  const sha = sha256Hex(png);
  await assertImageUnused(db, sha);
  return { png, sha };
}
