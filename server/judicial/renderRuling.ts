import { drawCertificatePage, type CertificatePageData } from '../agreement/certificatePage.ts';
import { chineseNumeral, chineseOfficialDate, formatChineseDateTime } from '../agreement/chineseFormat.ts';
import { findCjkFonts, type CjkFonts } from '../agreement/fonts.ts';
import { CONTENT_WIDTH, FONT, INK, PAGE, SIZE, ensureSpace } from '../agreement/layout.ts';
import { finishForSealing, openPdf, type SealPlaceholder } from '../agreement/pdfDocument.ts';
import { paragraphs } from '../agreement/render.ts';
import { drawSealStamp } from '../agreement/sealStamp.ts';
import type { JudicialDecision } from '../protocol/judicial.ts';

export const RULING_SEAL_REASON = '民事裁定书电子签章（司法确认）';

/** One applicant (every party of the agreement applies jointly) and when they confirmed on their phone. */
export interface RulingApplicant {
  name: string;
  /** Their side in the mediation (申请人 / 被申请人), printed after the name. */
  side: string;
  confirmedAt: Date;
}

export interface RenderRulingInput {
  /** Written into the metadata, so a copy altered after sealing is still recognised as this ruling. */
  rulingId: string;
  courtName: string;
  number: string;
  decision: JudicialDecision;
  reasons: string;
  applicants: RulingApplicant[];
  submittedAt: Date;
  /** The mediation agreement the parties ask to confirm. */
  agreement: { caseNumber: string; organisation: string; sealedAt: Date; sha256: string; clauses: string[] };
  judgeName: string;
  decidedAt: Date;
  certificate: CertificatePageData;
  seal: SealPlaceholder;
  fonts?: CjkFonts;
}

const left = PAGE.margins.left;
const day = (d: Date): string => formatChineseDateTime(d).split(' ')[0]!;

/**
 * The court's ruling on a joint application for judicial confirmation (民事裁定书, after the
 * 人民法院民事诉讼文书样式 for 确认调解协议案件): the court and the number, the applicants, what
 * they applied for and what the court found, the decision (the agreement valid, or the application
 * rejected with its reasons), the judge and the date under the court's seal, and the certificate
 * page. Sealed by the court's own key (courtSeals.ts), not the mediation committee's.
 */
export async function renderRulingPdf(input: RenderRulingInput): Promise<Buffer> {
  const { doc, finished } = openPdf(
    {
      Title: `民事裁定书（${input.number}）`,
      Author: input.courtName,
      Subject: `司法确认 ${input.agreement.caseNumber}`,
      Keywords: `judicial-ruling:${input.rulingId} agreement-sha256:${input.agreement.sha256}`,
    },
    input.decidedAt,
    input.fonts ?? findCjkFonts(),
  );
  const names = input.applicants.map((a) => a.name).join('、');
  const a = input.agreement;

  doc.font(FONT.bold).fontSize(SIZE.title).fillColor(INK);
  doc.text(input.courtName, left + 2, doc.y, { width: CONTENT_WIDTH, align: 'center', characterSpacing: 4 });
  doc.moveDown(0.3);
  doc.text('民 事 裁 定 书', left + 2, doc.y, { width: CONTENT_WIDTH, align: 'center', characterSpacing: 4 });
  doc.moveDown(0.4);
  doc.font(FONT.regular).fontSize(SIZE.body).text(input.number, left, doc.y, { width: CONTENT_WIDTH, align: 'right' });
  doc.moveDown(0.8);

  for (const p of input.applicants) paragraphs(doc, `申请人：${p.name}（调解协议${p.side}）。`);
  doc.moveDown(0.3);
  paragraphs(
    doc,
    `申请人${names}于${day(input.submittedAt)}向本院申请司法确认调解协议（经各申请人在线确认：` +
      input.applicants.map((p) => `${p.name}${formatChineseDateTime(p.confirmedAt)}`).join('，') +
      '）。本院受理后依法进行了审查，现已审查终结。',
  );
  paragraphs(
    doc,
    `申请人称：申请人之间的纠纷经${a.organisation}主持调解，于${day(a.sealedAt)}达成调解协议（编号${a.caseNumber}，` +
      `协议书文件 SHA-256：${a.sha256}），协议内容如下：`,
  );
  a.clauses.forEach((clause, i) => paragraphs(doc, clause, `${chineseNumeral(i + 1)}、`));
  paragraphs(doc, '申请人请求确认调解协议有效。');

  if (input.decision === 'confirmed') {
    paragraphs(
      doc,
      '经审查，申请人达成的调解协议系自愿达成，内容不违反法律强制性规定，不损害国家利益、社会公共利益、他人合法权益，不违背公序良俗，' +
        `符合司法确认的条件${input.reasons ? `。${input.reasons}` : ''}。依照《中华人民共和国民事诉讼法》第二百零五条、第二百零六条规定，裁定如下：`,
    );
    paragraphs(doc, `申请人${names}于${day(a.sealedAt)}经${a.organisation}主持调解达成的调解协议有效。`, '一、');
    paragraphs(doc, '当事人应当按照调解协议的约定自觉履行义务。一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行。', '二、');
  } else {
    paragraphs(doc, `经审查，${input.reasons}。依照《中华人民共和国民事诉讼法》第二百零六条规定，裁定如下：`);
    paragraphs(doc, `驳回申请人${names}的司法确认申请。`);
    paragraphs(doc, '申请人可以通过调解方式变更原调解协议或者达成新的调解协议，也可以向人民法院提起诉讼。');
  }
  paragraphs(doc, '本裁定书自即日起发生法律效力。');

  doc.moveDown(1);
  ensureSpace(doc, 150);
  const top = doc.y + 10;
  const x = left + CONTENT_WIDTH / 2;
  const w = CONTENT_WIDTH / 2;
  doc.font(FONT.regular).fontSize(SIZE.body).fillColor(INK);
  doc.text(`审　判　员　　${input.judgeName}`, x, top, { width: w, align: 'center', lineBreak: false });
  doc.text(chineseOfficialDate(input.decidedAt), x, top + 44, { width: w, align: 'center', lineBreak: false });
  const size = Math.min(SIZE.body, (w - 8) / Math.max([...input.courtName].length, 1));
  doc.fontSize(size).text(input.courtName, x, top + 74, { width: w, align: 'center', lineBreak: false });
  drawSealStamp(doc, x + w / 2, top + 52, 56, input.courtName);
  doc.x = left;
  doc.y = top + 120;

  await drawCertificatePage(doc, input.certificate, { completedAt: input.decidedAt, organisation: input.courtName, sealName: input.seal.name });
  finishForSealing(doc, input.seal, RULING_SEAL_REASON, input.decidedAt);
  return finished;
}
