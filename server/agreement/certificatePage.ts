import QRCode from 'qrcode';
import { checkCode, fingerprint } from './canonical.ts';
import { formatDateTime } from './chineseFormat.ts';
import { CONTENT_WIDTH, FONT, GREY, INK, PAGE, RULE, mm, SIZE, ensureSpace, type Doc } from './layout.ts';

/** One signing event as recorded in the case timeline. */
export interface SigningEvent {
  signer: string;
  /** e.g. 申请人 / 被申请人 / 人民调解员 */
  role: string;
  at: Date;
  ip: string;
  /** e.g. 手写签名（视频调解室内） */
  method: string;
}

/** Data for the 电子签署证书 page appended to the agreement. */
export interface CertificatePageData {
  caseNumber: string;
  /** SHA-256 hex of the agreement revision's canonical text. */
  revisionHash: string;
  events: SigningEvent[];
  /** Hash of the case timeline at completion. */
  timelineHash: string;
  verificationCode: string;
  verifyUrl: string;
  /** Which document the page belongs to (default: the agreement). */
  document?: { title: string; hashLabel: string; number?: string };
  /** Sealed documents of the same case this one refers to (label, value), e.g. the agreement in the record. */
  related?: Array<[string, string]>;
}

export interface CertificatePageExtras {
  completedAt: Date;
  organisation: string;
  sealName: string;
}

/** 64 hex digits as 8 groups of 8, so the hash wraps at group boundaries. */
const groupedHex = (hex: string): string => (hex.toLowerCase().match(/.{1,8}/g) ?? []).join(' ');

export async function drawCertificatePage(doc: Doc, data: CertificatePageData, extras: CertificatePageExtras): Promise<void> {
  const left = PAGE.margins.left;
  const title = data.document?.title ?? '人民调解协议书';
  // An appendix page: narrower top margin than the GB/T 9704 body pages, so one page holds it.
  doc.addPage({ size: PAGE.size, margins: { ...PAGE.margins, top: mm(25) } });

  doc.font(FONT.bold).fontSize(18).fillColor(INK);
  doc.text('电子签署证书', left, doc.y, { width: CONTENT_WIDTH, align: 'center', characterSpacing: 4 });
  doc.moveDown(0.4);
  doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY);
  doc.text(`本页为《${title}》（案号：${data.caseNumber}）的组成部分，由云调解系统在全部签署完成时生成。`, left, doc.y, {
    width: CONTENT_WIDTH,
    align: 'center',
  });
  doc.moveDown(1);

  // Key/value table.
  const labelWidth = 118;
  const rows: Array<[string, string, boolean?]> = [
    ['案号', data.caseNumber],
    ...(data.document?.number ? [['文书编号', data.document.number] as [string, string]] : []),
    [
      `${data.document?.hashLabel ?? '协议文本哈希'}\n（SHA-256）`,
      `${groupedHex(data.revisionHash)}\n指纹：${fingerprint(data.revisionHash)}　核对码：${checkCode(data.revisionHash)}`,
    ],
    ['签署完成时间', `${formatDateTime(extras.completedAt)}（北京时间）`],
    ['完成时时间线哈希', groupedHex(data.timelineHash)],
    ['电子印章', `${extras.sealName}\nPDF 数字签名（CMS，SHA-256 / RSA）`],
    ...(data.related ?? []),
    ['验证码', data.verificationCode, true],
  ];
  for (const [label, value, strong] of rows) {
    keyValueRow(doc, label, value, labelWidth, strong === true);
  }

  doc.moveDown(0.9);
  ensureSpace(doc, 60);
  doc.font(FONT.bold).fontSize(SIZE.heading).fillColor(INK).text('签署记录', left, doc.y, { continued: true });
  doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY).text('（时间均为北京时间，UTC+8）');
  doc.fillColor(INK);
  doc.moveDown(0.4);
  eventsTable(doc, data.events);

  // QR code and how to verify, text beside the code.
  doc.moveDown(0.8);
  const qrSize = 92;
  const textX = left + qrSize + 16;
  const textW = CONTENT_WIDTH - qrSize - 16;
  const note =
    `本文件已由${extras.organisation}加盖电子印章（PDF 数字签名）。签章之后对文件的任何改动，` +
    '包括在文件末尾追加内容，都会使电子印章验证失败；请以核验结果为准。';
  const lines: Array<{ text: string; size: number; color: string; gapAfter: number; link?: string }> = [
    {
      text: `扫描二维码或访问以下网址，输入验证码，可核验本${title === '人民调解协议书' ? '协议书' : '文书'}的文件哈希、电子印章和签署记录：`,
      size: SIZE.small,
      color: INK,
      gapAfter: 3,
    },
    { text: data.verifyUrl, size: SIZE.small, color: '#1a4f9c', gapAfter: 3, link: data.verifyUrl },
    { text: `验证码：${data.verificationCode}`, size: SIZE.small, color: INK, gapAfter: 6 },
    { text: note, size: SIZE.tiny, color: GREY, gapAfter: 0 },
  ];
  doc.font(FONT.regular);
  const textH = lines.reduce((h, l) => h + doc.fontSize(l.size).heightOfString(l.text, { width: textW, lineGap: 2 }) + l.gapAfter, 0);
  ensureSpace(doc, Math.max(qrSize, textH) + 4);
  const top = doc.y;
  const qr = await QRCode.toBuffer(data.verifyUrl, { errorCorrectionLevel: 'M', margin: 1, width: 384 });
  doc.image(qr, left, top, { width: qrSize, height: qrSize });
  let y = top + 2;
  for (const l of lines) {
    doc.fontSize(l.size).fillColor(l.color);
    doc.text(l.text, textX, y, { width: textW, lineGap: 2, ...(l.link ? { link: l.link } : {}) });
    y = doc.y + l.gapAfter;
  }
  doc.x = left;
  doc.y = Math.max(y, top + qrSize) + 8;
  doc.fillColor(INK);
}

function keyValueRow(doc: Doc, label: string, value: string, labelWidth: number, strong: boolean): void {
  const left = PAGE.margins.left;
  const pad = 5;
  const valueWidth = CONTENT_WIDTH - labelWidth;
  const valueFont = strong ? FONT.bold : FONT.regular;
  const valueSize = strong ? 16 : SIZE.small;
  doc.font(FONT.bold).fontSize(SIZE.small);
  const lh = doc.heightOfString(label, { width: labelWidth - 2 * pad, lineGap: 2 });
  doc.font(valueFont).fontSize(valueSize);
  const vh = doc.heightOfString(value, { width: valueWidth - 2 * pad, lineGap: 2 });
  const h = Math.max(lh, vh) + 2 * pad;
  ensureSpace(doc, h);
  const top = doc.y;
  doc.save().lineWidth(0.6).strokeColor(RULE);
  doc.rect(left, top, labelWidth, h).fillAndStroke('#f2f2f2', RULE);
  doc.rect(left + labelWidth, top, valueWidth, h).stroke();
  doc.restore();
  doc.fillColor(INK).font(FONT.bold).fontSize(SIZE.small);
  doc.text(label, left + pad, top + (h - lh) / 2, { width: labelWidth - 2 * pad, lineGap: 2 });
  doc.font(valueFont).fontSize(valueSize);
  doc.text(value, left + labelWidth + pad, top + (h - vh) / 2, {
    width: valueWidth - 2 * pad,
    lineGap: 2,
    characterSpacing: strong ? 2 : 0,
  });
  doc.x = left;
  doc.y = top + h;
}

function eventsTable(doc: Doc, events: SigningEvent[]): void {
  const left = PAGE.margins.left;
  const headers = ['序号', '签署人', '身份', '签署时间', 'IP 地址', '签署方式'];
  const fixed = [28, 56, 56, 92, 88];
  const widths = [...fixed, CONTENT_WIDTH - fixed.reduce((a, b) => a + b, 0)];
  const pad = 4;
  const draw = (cells: string[], header: boolean): void => {
    doc.font(header ? FONT.bold : FONT.regular).fontSize(SIZE.tiny);
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: widths[i]! - 2 * pad, lineGap: 1 }));
    const h = Math.max(...heights) + 2 * pad;
    ensureSpace(doc, h);
    const top = doc.y;
    let x = left;
    cells.forEach((c, i) => {
      const w = widths[i]!;
      doc.save().lineWidth(0.6);
      if (header) doc.rect(x, top, w, h).fillAndStroke('#f2f2f2', RULE);
      else doc.rect(x, top, w, h).stroke(RULE);
      doc.restore();
      doc
        .fillColor(INK)
        .font(header ? FONT.bold : FONT.regular)
        .fontSize(SIZE.tiny);
      doc.text(c, x + pad, top + pad, { width: w - 2 * pad, lineGap: 1, align: i === 0 ? 'center' : 'left' });
      x += w;
    });
    doc.x = left;
    doc.y = top + h;
  };
  draw(headers, true);
  if (events.length === 0) {
    draw(['—', '（无签署记录）', '', '', '', ''], false);
    return;
  }
  events.forEach((e, i) => draw([String(i + 1), e.signer, e.role, formatDateTime(e.at), e.ip, e.method], false));
}
