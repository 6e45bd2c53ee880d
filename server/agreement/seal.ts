import { SignPdf } from '@signpdf/signpdf';
import { Signer } from '@signpdf/utils';
import { createDetachedCms } from './cmsSign.ts';
import type { SealKey } from './orgKey.ts';

/** @signpdf Signer producing our CMS (see cmsSign.ts for why not @signpdf/signer-p12). */
export class SealKeySigner extends Signer {
  readonly #key: SealKey;
  constructor(key: SealKey) {
    super();
    this.#key = key;
  }
  override async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    return createDetachedCms({
      content: pdfBuffer,
      keyPem: this.#key.keyPem,
      chainPem: this.#key.chainPem,
      signingTime: signingTime ?? new Date(),
    });
  }
}

/**
 * Seals a rendered agreement (carrying the placeholder from render.ts) with the organisation's
 * key: a CMS detached signature (adbe.pkcs7.detached, SHA-256, RSA or ECDSA) over the whole file
 * except the /Contents hole. Reason (人民调解协议书电子签章), location and contact info were fixed
 * in the placeholder at render time, so the signature covers them.
 */
export async function sealPdf(pdfWithPlaceholder: Buffer, sealKey: SealKey, signingTime?: Date): Promise<Buffer> {
  return new SignPdf().sign(pdfWithPlaceholder, new SealKeySigner(sealKey), signingTime);
}
