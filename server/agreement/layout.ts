import type PDFDocument from 'pdfkit';
import type { CjkFonts } from './fonts.ts';

/**
 * Page geometry and typography of the agreement, after GB/T 9704 (党政机关公文格式):
 * A4, top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; a 宋体-like serif throughout.
 */
export type Doc = InstanceType<typeof PDFDocument>;

export const mm = (v: number): number => (v * 72) / 25.4;

export const PAGE = {
  size: 'A4' as const,
  width: 595.28,
  height: 841.89,
  margins: { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26) },
};

export const CONTENT_WIDTH = PAGE.width - PAGE.margins.left - PAGE.margins.right;

export const FONT = { regular: 'cjk', bold: 'cjk-bold' } as const;

export const SIZE = {
  title: 22, // 二号
  heading: 14, // 四号
  body: 14,
  small: 10.5, // 五号
  tiny: 9,
};

export const LINE_GAP = 7;
export const INK = '#000000';
export const GREY = '#555555';
export const RULE = '#999999';
export const SEAL_RED = '#d7191c';

export function registerFonts(doc: Doc, fonts: CjkFonts): void {
  doc.registerFont(FONT.regular, fonts.regular.path, fonts.regular.family);
  doc.registerFont(FONT.bold, fonts.bold.path, fonts.bold.family);
}

/** Bottom of the writable area on the current page. */
export const maxY = (doc: Doc): number => doc.page.height - doc.page.margins.bottom;

/** Starts a new page unless `height` more points fit on this one. */
export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > maxY(doc)) doc.addPage();
}

/**
 * Writes text at an absolute position without ever triggering PDFKit's automatic page break
 * (needed in the footer, which lies inside the bottom margin).
 */
export function textOutsideFlow(doc: Doc, text: string, x: number, y: number, options: PDFKit.Mixins.TextOptions): void {
  const saved = doc.page.margins.bottom;
  doc.page.margins.bottom = 0;
  doc.text(text, x, y, { ...options, lineBreak: false });
  doc.page.margins.bottom = saved;
}
