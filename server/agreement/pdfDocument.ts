import PDFDocument from 'pdfkit';
import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { SUBFILTER_ADOBE_PKCS7_DETACHED } from '@signpdf/utils';
import type { CjkFonts } from './fonts.ts';
import { CONTENT_WIDTH, FONT, INK, PAGE, SIZE, registerFonts, textOutsideFlow, type Doc } from './layout.ts';

/*
 * The frame every sealed document shares (the agreement, the mediation record): an A4 PDFKit
 * document with the CJK fonts and metadata, page numbers, and the invisible signature field on the
 * last page that seal.ts fills with the organisation's seal.
 */

export const DEFAULT_SIGNATURE_LENGTH = 12_288;

/** What goes into the signature dictionary reserved for the organisation's seal. */
export interface SealPlaceholder {
  /** Signer name shown by PDF readers, normally SealKey.signerName. */
  name: string;
  location: string;
  contactInfo: string;
  reason?: string;
  /** Bytes reserved for the CMS blob (hex doubles it); large enough for a 3-certificate chain. */
  signatureLength?: number;
}

export interface PdfInfo {
  Title: string;
  Author: string;
  Subject: string;
  Keywords: string;
}

/** A new document (fonts registered) and the promise of its bytes once `doc.end()` is called. */
export function openPdf(info: PdfInfo, at: Date, fonts: CjkFonts): { doc: Doc; finished: Promise<Buffer> } {
  const doc: Doc = new PDFDocument({
    size: PAGE.size,
    margins: PAGE.margins,
    bufferPages: true,
    autoFirstPage: true,
    pdfVersion: '1.7',
    lang: 'zh-CN',
    displayTitle: true,
    info: { ...info, Creator: '云调解 Cloud Mediation', Producer: '云调解 Cloud Mediation (PDFKit)', CreationDate: at, ModDate: at },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  registerFonts(doc, fonts);
  return { doc, finished };
}

export function drawPageNumbers(doc: Doc): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.font(FONT.regular).fontSize(SIZE.small).fillColor(INK);
    const y = doc.page.height - doc.page.margins.bottom + 24;
    textOutsideFlow(doc, `第 ${i - range.start + 1} 页 共 ${range.count} 页`, PAGE.margins.left, y, {
      width: CONTENT_WIDTH,
      align: 'center',
    });
  }
}

/** Page numbers, the seal's (invisible) signature field on the last page, and the end of the document. */
export function finishForSealing(doc: Doc, seal: SealPlaceholder, defaultReason: string, signingTime: Date): void {
  drawPageNumbers(doc);
  const range = doc.bufferedPageRange();
  doc.switchToPage(range.start + range.count - 1);
  doc.font(FONT.regular); // initForm needs a current font
  pdfkitAddPlaceholder({
    pdf: doc,
    pdfBuffer: Buffer.alloc(0),
    reason: seal.reason ?? defaultReason,
    contactInfo: seal.contactInfo,
    name: seal.name,
    location: seal.location,
    signingTime,
    signatureLength: seal.signatureLength ?? DEFAULT_SIGNATURE_LENGTH,
    subFilter: SUBFILTER_ADOBE_PKCS7_DETACHED,
    appName: 'CloudMediation',
  });
  doc.end();
}
