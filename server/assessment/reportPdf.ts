import { isoInZone } from '../caseloop/zonedTime.ts';
import { drawPageNumbers, openPdf } from '../agreement/pdfDocument.ts';
import type { CjkFonts } from '../agreement/fonts.ts';
import { CONTENT_WIDTH, FONT, GREY, INK, PAGE, RULE, SIZE, ensureSpace, type Doc } from '../agreement/layout.ts';
import { scoredIndicators, type AssessmentReport, type AssessmentRow } from '../protocol/assessment.ts';
import { assessmentLabels, scoreFormula } from '../protocol/assessmentLabels.ts';
import { detailLabel, kindLabel } from './exportCsv.ts';

/*
 * The printable assessment report (绩效考核报告): the agreement's PDF frame and CJK fonts, the
 * period, the weights in force, the unit and person rankings with each score's formula, and the
 * trend. Not sealed: a working document, regenerated on demand.
 */

const zh = assessmentLabels['zh-CN'];
const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);
const fixed = (v: number | null, d = 1) => (v === null ? '—' : v.toFixed(d));

const columns: Array<{ header: string; width: number; value: (r: AssessmentRow) => string }> = [
  { header: zh.misc.rank, width: 28, value: (r) => (r.rank === null ? '—' : String(r.rank)) },
  { header: zh.misc.name, width: 96, value: (r) => r.name },
  { header: zh.count.received, width: 30, value: (r) => String(r.figures.received) },
  { header: zh.count.closed, width: 30, value: (r) => String(r.figures.closed) },
  { header: zh.count.onTime, width: 40, value: (r) => String(r.figures.onTime) },
  { header: `${zh.count.yellow}/${zh.count.red}`, width: 48, value: (r) => `${r.figures.yellow}/${r.figures.red}` },
  { header: zh.scored.successRate, width: 50, value: (r) => pct(r.figures.indicators.successRate) },
  { header: zh.scored.satisfactionRate, width: 40, value: (r) => pct(r.figures.indicators.satisfactionRate) },
  { header: '平均天数', width: 40, value: (r) => fixed(r.figures.avgHandlingDays) },
  { header: zh.misc.score, width: 40, value: (r) => fixed(r.figures.score) },
];

function tableRow(doc: Doc, cells: string[], bold: boolean): void {
  const y = doc.y;
  let x = PAGE.margins.left;
  doc
    .font(bold ? FONT.bold : FONT.regular)
    .fontSize(SIZE.tiny)
    .fillColor(INK);
  cells.forEach((text, i) => {
    const w = columns[i]!.width;
    doc.text(text, x, y, { width: w - 2, height: SIZE.tiny + 3, ellipsis: true });
    x += w;
  });
  doc.x = PAGE.margins.left;
  doc.y = y + SIZE.tiny + 5;
}

function ranking(doc: Doc, title: string, rows: AssessmentRow[], report: AssessmentReport): void {
  ensureSpace(doc, 60);
  doc.moveDown(0.6).font(FONT.bold).fontSize(SIZE.heading).fillColor(INK).text(title, PAGE.margins.left, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.3);
  tableRow(
    doc,
    columns.map((c) => c.header),
    true,
  );
  doc
    .moveTo(PAGE.margins.left, doc.y - 2)
    .lineTo(PAGE.margins.left + CONTENT_WIDTH, doc.y - 2)
    .strokeColor(RULE)
    .lineWidth(0.5)
    .stroke();
  for (const r of rows) {
    ensureSpace(doc, 34);
    tableRow(
      doc,
      columns.map((c) => c.value(r)),
      false,
    );
    const formula = scoreFormula(report.weights.weightSet.weights, r.figures.indicators, r.figures.score, zh);
    doc
      .font(FONT.regular)
      .fontSize(7)
      .fillColor(GREY)
      .text(`${detailLabel(r) || kindLabel(r.subject, r.kind)} · ${formula}`, PAGE.margins.left + 28, doc.y, { width: CONTENT_WIDTH - 28 });
    doc.y += 4;
  }
  if (rows.length === 0) doc.font(FONT.regular).fontSize(SIZE.small).fillColor(GREY).text('（无）', PAGE.margins.left, doc.y);
}

export function renderAssessmentPdf(report: AssessmentReport, fonts: CjkFonts): Promise<Buffer> {
  const at = new Date(report.generatedAt);
  const { doc, finished } = openPdf(
    { Title: `绩效考核报告 ${report.period.label}`, Author: '云调解 Cloud Mediation', Subject: '绩效考核', Keywords: '绩效考核' },
    at,
    fonts,
  );
  doc.font(FONT.bold).fontSize(SIZE.title).fillColor(INK).text('绩效考核报告', { width: CONTENT_WIDTH, align: 'center' });
  doc.moveDown(0.4).font(FONT.regular).fontSize(SIZE.small).fillColor(GREY);
  doc.text(`考核期间：${zh.period[report.period.kind]} ${report.period.label}（${report.period.timeZone}）`, { width: CONTENT_WIDTH });
  doc.text(`生成时间：${isoInZone(at, report.period.timeZone)}　权重版本：第 ${report.weights.version} 版`, { width: CONTENT_WIDTH });
  const w = report.weights.weightSet;
  doc.text(
    `权重：${scoredIndicators.map((k) => `${zh.scored[k]} ${w.weights[k]}`).join('，')}；办理时效满分线 ${w.limits.handlingDays} 天，吹哨响应满分线 ${w.limits.whistleHours} 小时；期内办结不少于 ${w.limits.minClosed} 件者参与排名。`,
    { width: CONTENT_WIDTH },
  );
  doc.text('得分 = 100 × Σ(权重 × 指标) ÷ 有数据指标的权重之和；比率指标均为 0–1，时效指标按满分线线性折算。', { width: CONTENT_WIDTH });
  const t = report.total;
  doc.moveDown(0.5).font(FONT.regular).fontSize(SIZE.small).fillColor(INK);
  doc.text(
    `${zh.misc.total}：受理 ${t.received}，办结 ${t.closed}，按期办结 ${t.onTime}，黄灯 ${t.yellow}，红灯 ${t.red}，调解成功率 ${pct(t.indicators.successRate)}，满意率 ${pct(t.indicators.satisfactionRate)}，平均办理 ${fixed(t.avgHandlingDays)} 天，吹哨平均响应 ${fixed(t.avgWhistleHours)} 小时，得分 ${fixed(t.score)}。`,
    { width: CONTENT_WIDTH },
  );
  ranking(doc, '单位排名', report.units, report);
  ranking(doc, '人员排名', report.persons, report);
  ensureSpace(doc, 60);
  doc.moveDown(0.6).font(FONT.bold).fontSize(SIZE.heading).fillColor(INK).text('趋势', PAGE.margins.left, doc.y, { width: CONTENT_WIDTH });
  doc.font(FONT.regular).fontSize(SIZE.small);
  for (const p of report.trend) {
    ensureSpace(doc, 16);
    doc.text(
      `${p.label}　受理 ${p.received}　办结 ${p.closed}　按期办结率 ${pct(p.onTimeRate)}　满意率 ${pct(p.satisfactionRate)}　得分 ${fixed(p.score)}`,
      PAGE.margins.left,
      doc.y,
      {
        width: CONTENT_WIDTH,
      },
    );
  }
  drawPageNumbers(doc);
  doc.end();
  return finished;
}
