import { finishForSealing, openPdf, type SealPlaceholder } from './pdfDocument.ts';
import { normaliseRevision, revisionHash, type AgreementRevision } from './canonical.ts';
import { drawCertificatePage, type CertificatePageData } from './certificatePage.ts';
import { chineseNumeral, chineseOfficialDate, formatChineseDateTime } from './chineseFormat.ts';
import { findCjkFonts, type CjkFonts } from './fonts.ts';
import { CONTENT_WIDTH, FONT, GREY, INK, LINE_GAP, PAGE, SIZE, ensureSpace, type Doc } from './layout.ts';
import { drawSealStamp } from './sealStamp.ts';

export type { CertificatePageData, SigningEvent } from './certificatePage.ts';

export interface AgreementSignature {
  signerName: string;
  /** e.g. 当事人 / 委托代理人 / 人民调解员 */
  role: string;
  /** 申请人 / 被申请人; empty for the mediator. */
  side?: string;
  signedAt: Date;
  imagePng: Buffer;
}

export type { SealPlaceholder } from './pdfDocument.ts';

export interface RenderAgreementInput {
  revision: AgreementRevision;
  signatures: AgreementSignature[];
  certificate: CertificatePageData;
  /** When the last required signature came in: the document date, PDF dates and /M of the seal. */
  completedAt: Date;
  seal: SealPlaceholder;
  /** Defaults to findCjkFonts(). */
  fonts?: CjkFonts;
}

export const SEAL_REASON = '人民调解协议书电子签章';
export { DEFAULT_SIGNATURE_LENGTH } from './pdfDocument.ts';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Renders the final agreement PDF (agreement text, signature block, 电子签署证书 page) with a
 * signature placeholder for seal.ts. Not byte-for-byte deterministic (PDFKit writes the
 * signature images' objects in the order their async PNG decoding finishes): hash the output.
 */
export async function renderAgreementPdf(input: RenderAgreementInput): Promise<Buffer> {
  const rev = normaliseRevision(input.revision);
  const hash = revisionHash(rev);
  if (input.certificate.revisionHash.toLowerCase() !== hash) {
    throw new Error(`certificate revisionHash ${input.certificate.revisionHash} is not the hash of this revision (${hash})`);
  }
  if (input.certificate.caseNumber.trim() !== rev.caseNumber) {
    throw new Error('certificate caseNumber differs from the revision caseNumber');
  }
  input.signatures.forEach((s, i) => {
    if (!Buffer.isBuffer(s.imagePng) || !s.imagePng.subarray(0, 8).equals(PNG_MAGIC)) {
      throw new Error(`signature ${i} (${s.signerName}) image is not a PNG`);
    }
  });
  const fonts = input.fonts ?? findCjkFonts();

  const { doc, finished } = openPdf(
    {
      Title: `${rev.title}（${rev.caseNumber}）`,
      Author: rev.organisation,
      Subject: `${rev.title} ${hash}`,
      Keywords: `revision-sha256:${hash}`,
    },
    input.completedAt,
    fonts,
  );
  drawAgreement(doc, rev);
  drawSignatureBlock(doc, rev.organisation, input.signatures, input.completedAt);
  await drawCertificatePage(doc, input.certificate, {
    completedAt: input.completedAt,
    organisation: rev.organisation,
    sealName: input.seal.name,
  });
  finishForSealing(doc, input.seal, SEAL_REASON, input.completedAt);
  return finished;
}

// ---------------------------------------------------------------------------------------------

const left = PAGE.margins.left;
const body = { width: CONTENT_WIDTH, lineGap: LINE_GAP, align: 'justify' as const };
const INDENT = SIZE.body * 2; // two-character first-line indent

export function heading(doc: Doc, text: string): void {
  ensureSpace(doc, 60);
  doc.moveDown(0.5);
  doc.font(FONT.bold).fontSize(SIZE.heading).fillColor(INK).text(text, left, doc.y, { width: CONTENT_WIDTH, lineGap: LINE_GAP });
}

export function paragraphs(doc: Doc, text: string, prefix = ''): void {
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor(INK);
  text
    .split('\n')
    .filter((p) => p !== '')
    .forEach((p, i) => {
      doc.text((i === 0 ? prefix : '') + p, left, doc.y, { ...body, indent: INDENT });
    });
}

function drawAgreement(doc: Doc, rev: AgreementRevision): void {
  doc.font(FONT.bold).fontSize(SIZE.title).fillColor(INK);
  // characterSpacing also follows the last glyph: shift by half of it to stay centred.
  doc.text(rev.title, left + 4, doc.y, { width: CONTENT_WIDTH, align: 'center', characterSpacing: 8 });
  doc.moveDown(0.6);
  doc.font(FONT.regular).fontSize(SIZE.small).fillColor(INK);
  doc.text(`编号：${rev.caseNumber}`, left, doc.y, { width: CONTENT_WIDTH, align: 'right' });
  doc.moveDown(0.8);

  heading(doc, '当事人：');
  doc.font(FONT.regular).fontSize(SIZE.body);
  for (const p of rev.parties) {
    doc.text(`${p.side}：${p.name}`, left, doc.y, { ...body, indent: INDENT });
  }

  heading(doc, '纠纷主要事实、争议事项：');
  paragraphs(doc, rev.facts);

  heading(doc, '经调解，当事人自愿达成如下协议：');
  rev.clauses.forEach((clause, i) => paragraphs(doc, clause, `${chineseNumeral(i + 1)}、`));

  heading(doc, '履行协议的方式、期限：');
  paragraphs(doc, rev.performance);

  heading(doc, '违约责任：');
  paragraphs(doc, rev.breach);

  doc.moveDown(0.5);
  paragraphs(
    doc,
    '本协议自各方当事人签名、人民调解员签名并加盖人民调解委员会印章之日起生效。' +
      '本协议以电子方式签署，各方当事人、人民调解员的电子签名及人民调解委员会的电子印章信息见本协议书末页《电子签署证书》；' +
      '当事人可凭验证码在线核验并下载本协议书。',
  );
  doc.moveDown(0.3);
  doc.font(FONT.regular).fontSize(SIZE.body);
  doc.text(`人民调解员：${rev.mediator}`, left, doc.y, { ...body, indent: INDENT });
  doc.text('（以下无正文）', left, doc.y, { ...body, indent: INDENT });
}

function signatureLabel(s: AgreementSignature): string {
  const side = s.side?.trim() ?? '';
  const role = s.role.trim();
  if (!side) return role;
  return role === '' || role === '当事人' ? side : `${side}${role}`;
}

const ROLE_ORDER = (s: AgreementSignature): number => (s.side?.trim() ? 0 : 1); // parties first, then mediator

/** Signatures in two columns, the organisation's seal over the date in the cell after the last (also the record's). */
export function drawSignatureBlock(doc: Doc, organisation: string, signatures: AgreementSignature[], completedAt: Date): void {
  const gap = 24;
  const cellW = (CONTENT_WIDTH - gap) / 2;
  const imgH = 50;
  const cellH = 18 + imgH + 36;
  doc.moveDown(0.8);
  ensureSpace(doc, cellH + 10);

  // Two columns; the organisation's seal takes the cell after the last signature
  // (as in the official template: 人民调解员（签名） on the left, 人民调解委员会（印） on the right).
  const ordered = signatures.map((s, i) => ({ s, i })).sort((a, b) => ROLE_ORDER(a.s) - ROLE_ORDER(b.s) || a.i - b.i);
  const cells: Array<AgreementSignature | 'seal'> = [...ordered.map((o) => o.s), 'seal'];
  for (let i = 0; i < cells.length; i += 2) {
    const rowH = cells.slice(i, i + 2).includes('seal') ? Math.max(cellH, 122) : cellH;
    ensureSpace(doc, rowH);
    const top = doc.y;
    for (let j = 0; j < 2 && i + j < cells.length; j++) {
      const cell = cells[i + j]!;
      const x = left + j * (cellW + gap);
      if (cell === 'seal') drawSealCell(doc, organisation, completedAt, x, top, cellW);
      else drawSignatureCell(doc, cell, x, top, cellW, imgH);
    }
    doc.x = left;
    doc.y = top + rowH + 6;
  }
}

function drawSignatureCell(doc: Doc, s: AgreementSignature, x: number, top: number, w: number, imgH: number): void {
  doc.font(FONT.regular).fontSize(SIZE.small).fillColor(INK);
  doc.text(`${signatureLabel(s)}（签名）：`, x, top, { width: w, lineBreak: false });
  const imgTop = top + 16;
  doc.image(s.imagePng, x + 10, imgTop, { fit: [w - 30, imgH], valign: 'center' });
  doc.save().lineWidth(0.5).strokeColor('#bbbbbb');
  doc
    .moveTo(x, imgTop + imgH + 2)
    .lineTo(x + w - 12, imgTop + imgH + 2)
    .stroke();
  doc.restore();
  doc.font(FONT.regular).fontSize(SIZE.small).fillColor(INK);
  doc.text(s.signerName, x, imgTop + imgH + 5, { width: w, lineBreak: false });
  doc.font(FONT.regular).fontSize(SIZE.tiny).fillColor(GREY);
  doc.text(`签署时间：${formatChineseDateTime(s.signedAt)}（北京时间）`, x, imgTop + imgH + 21, { width: w, lineBreak: false });
  doc.fillColor(INK);
}

/**
 * The organisation's name and the date in Chinese numerals, with the red stamp over them
 * (骑年盖月: the seal straddles the date, as on a paper agreement).
 */
function drawSealCell(doc: Doc, org: string, completedAt: Date, x: number, top: number, w: number): void {
  doc.font(FONT.regular).fillColor(INK);
  const size = Math.min(SIZE.body, (w - 8) / Math.max([...org].length, 1)); // one line
  doc.fontSize(size).text(org, x, top + 34, { width: w, align: 'center', lineBreak: false });
  doc.fontSize(SIZE.body).text(chineseOfficialDate(completedAt), x, top + 64, { width: w, align: 'center', lineBreak: false });
  drawSealStamp(doc, x + w / 2, top + 58, 56, org);
}
