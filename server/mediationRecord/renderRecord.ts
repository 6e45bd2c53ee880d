import { drawCertificatePage, type CertificatePageData } from '../agreement/certificatePage.ts';
import { formatChineseDateTime } from '../agreement/chineseFormat.ts';
import { findCjkFonts, type CjkFonts } from '../agreement/fonts.ts';
import { CONTENT_WIDTH, FONT, GREY, INK, LINE_GAP, PAGE, SIZE, ensureSpace, type Doc } from '../agreement/layout.ts';
import { finishForSealing, openPdf, type SealPlaceholder } from '../agreement/pdfDocument.ts';
import { drawSignatureBlock, heading, paragraphs, type AgreementSignature } from '../agreement/render.ts';
import type { RecordEvent, RecordEventKind, RecordParticipant, RecordSignMethod, RecordStatement } from '../protocol/mediationRecord.ts';
import type { RecordSnapshot } from './MediationRecordService.ts';

export const RECORD_SEAL_REASON = '调解笔录电子签章';

/** The Chinese words the PDF prints for each participant role and each automatic event. */
const ROLE_WORDS: Record<RecordParticipant['role'], string> = {
  applicant: '申请人',
  respondent: '被申请人',
  mediator: '人民调解员',
  recorder: '记录员',
  official: '部门工作人员',
  other: '其他参加人',
};
const SPEAKER_WORDS: Record<RecordStatement['role'], string> = {
  applicant: '申请人',
  respondent: '被申请人',
  mediator: '调解员',
  official: '部门',
  other: '其他',
};
const EVENT_WORDS: Record<RecordEventKind, (who: string) => string> = {
  joined: (w) => `${w}进入调解室`,
  left: (w) => `${w}离开调解室`,
  caucus_started: (w) => `开始背对背调解${w ? `（${w}）` : ''}`,
  caucus_ended: () => '背对背调解结束',
  whistle_accepted: (w) => `职能部门应邀参加调解${w ? `（${w}）` : ''}`,
  agreement_frozen: () => '调解协议文本定稿，提交签署',
  recording_paused: () => '录音录像暂停',
  recording_resumed: () => '录音录像恢复',
};

/** How each signatory proved who they are, as the PDF words it. */
export const METHOD_WORDS: Record<RecordSignMethod, string> = {
  sms_otp: '短信验证码 + 手写签名',
  invitation: '调解室邀请链接（经调解员准入）+ 手写签名',
  staff_login: '工作人员账号登录 + 手写签名',
};

/** One signatory's answer, in the signatories' order. */
export interface RecordAnswer {
  name: string;
  /** The Chinese role word (申请人, 部门工作人员, 记录员, 人民调解员…). */
  role: string;
  department: string | null;
  party: boolean;
  action: 'confirmed' | 'objected';
  method: RecordSignMethod;
  objection: string | null;
  at: Date;
  imagePng: Buffer | null;
  ip: string;
}

/** A signatory's name as printed: an official's with their department. */
export const signerName = (a: Pick<RecordAnswer, 'name' | 'department'>): string => (a.department ? `${a.name}（${a.department}）` : a.name);

export interface RenderRecordInput {
  snapshot: RecordSnapshot;
  number: string;
  revisionHash: string;
  organisation: string;
  /** Every signatory's answer: confirmations with their drawn signature, objections with their text. */
  answers: RecordAnswer[];
  certificate: CertificatePageData;
  completedAt: Date;
  seal: SealPlaceholder;
  fonts?: CjkFonts;
}

const left = PAGE.margins.left;
const body = { width: CONTENT_WIDTH, lineGap: LINE_GAP, align: 'justify' as const };

function field(doc: Doc, label: string, value: string): void {
  doc
    .font(FONT.bold)
    .fontSize(SIZE.body)
    .fillColor(INK)
    .text(`${label}：`, left, doc.y, { ...body, continued: true });
  doc.font(FONT.regular).text(value || '—');
}

const time = (iso: string): string => formatChineseDateTime(new Date(iso));

/** The record, every signatory's answer (objections printed in full), signatures and seal, and the certificate page. */
export async function renderRecordPdf(input: RenderRecordInput): Promise<Buffer> {
  const s = input.snapshot;
  const { doc, finished } = openPdf(
    {
      Title: `调解笔录（${input.number}）`,
      Author: input.organisation,
      Subject: `调解笔录 ${input.revisionHash}`,
      Keywords: `revision-sha256:${input.revisionHash}`,
    },
    input.completedAt,
    input.fonts ?? findCjkFonts(),
  );
  doc.font(FONT.bold).fontSize(SIZE.title).fillColor(INK);
  doc.text('调解笔录', left + 4, doc.y, { width: CONTENT_WIDTH, align: 'center', characterSpacing: 8 });
  doc.moveDown(0.6);
  doc.font(FONT.regular).fontSize(SIZE.small).text(`编号：${input.number}`, left, doc.y, { width: CONTENT_WIDTH, align: 'right' });
  doc.moveDown(0.6);

  field(doc, '案号', s.caseNumber);
  field(doc, '案由', s.header.caseTitle);
  field(doc, '时间', `${time(s.header.startedAt)} 至 ${s.header.endedAt ? time(s.header.endedAt) : time(input.completedAt.toISOString())}`);
  field(doc, '地点', s.content.place);
  field(doc, '调解员', s.header.mediator);
  field(doc, '记录员', s.header.recorder);

  heading(doc, '参加人员：');
  doc.font(FONT.regular).fontSize(SIZE.body);
  for (const p of s.content.participants) {
    doc.text(`${ROLE_WORDS[p.role]}：${p.name}${p.location ? `（所在地：${p.location}）` : ''}`, left, doc.y, { ...body, indent: SIZE.body * 2 });
  }

  heading(doc, '调解经过：');
  doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY).text('（带“●”者为系统自动记录的事件，取自案件时间线，不可编辑）', left, doc.y, body);
  type Item = { at: string; event?: RecordEvent; statement?: RecordStatement };
  const items: Item[] = [...s.events.map((event) => ({ at: event.at, event })), ...s.content.statements.map((statement) => ({ at: statement.at, statement }))];
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.event ? -1 : 1));
  for (const it of items) {
    ensureSpace(doc, 30);
    if (it.event) {
      doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY);
      doc.text(`● ${time(it.at)}　${EVENT_WORDS[it.event.kind](it.event.who ?? '')}`, left, doc.y, body);
    } else if (it.statement) {
      doc
        .font(FONT.bold)
        .fontSize(SIZE.body)
        .fillColor(INK)
        .text(`${SPEAKER_WORDS[it.statement.role]}${it.statement.speaker}：`, left, doc.y, { ...body, continued: true });
      doc.font(FONT.regular).text(it.statement.text);
    }
  }
  doc.fillColor(INK);

  heading(doc, '部门意见：');
  paragraphs(doc, s.content.departmentOpinion || '无');
  heading(doc, '调解员调解意见：');
  paragraphs(doc, s.content.mediatorProposal || '无');
  heading(doc, '调解结果：');
  paragraphs(doc, s.content.outcome || '无');

  heading(doc, '核对与签名：');
  for (const a of input.answers) {
    const who = `${a.role}${signerName(a)}`;
    const text =
      a.action === 'confirmed'
        ? `${who}：已阅读本笔录，确认记录属实（${formatChineseDateTime(a.at)}，${METHOD_WORDS[a.method]}）。`
        : `${who}：对本笔录提出异议（${formatChineseDateTime(a.at)}），异议内容如下：${a.objection ?? ''}`;
    paragraphs(doc, text);
  }
  // Parties carry their side (the block puts them first); everyone else is labelled by role.
  const signatures: AgreementSignature[] = input.answers.flatMap((a) =>
    a.action === 'confirmed' && a.imagePng
      ? [{ signerName: signerName(a), role: a.party ? '当事人' : a.role, ...(a.party ? { side: a.role } : {}), signedAt: a.at, imagePng: a.imagePng }]
      : [],
  );
  drawSignatureBlock(doc, input.organisation, signatures, input.completedAt);

  await drawCertificatePage(doc, input.certificate, { completedAt: input.completedAt, organisation: input.organisation, sealName: input.seal.name });
  finishForSealing(doc, input.seal, RECORD_SEAL_REASON, input.completedAt);
  return finished;
}
