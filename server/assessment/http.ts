import type { Request, Response } from 'express';
import type { RouteFn } from '../agreement/http.ts';
import type { CjkFonts } from '../agreement/fonts.ts';
import { badRequest } from '../errors.ts';
import { staffOf } from '../http/middleware.ts';
import type { AssessmentService } from './AssessmentService.ts';
import { assessmentCsv } from './exportCsv.ts';
import { renderAssessmentPdf } from './reportPdf.ts';

/*
 * HTTP routes of the assessment, registered through createHttpApp's `route` (roles in
 * routePermissions; the unit scope is the service's check). Query: period=month&month=2026-03,
 * period=quarter&quarter=2026-Q1 or period=custom&from=…&to=…, optional unitId.
 */

const fileLabel = (label: string) => label.replace(/[^0-9A-Za-z-]/g, '_');

export function registerAssessmentRoutes(route: RouteFn, assessment: AssessmentService, fonts: () => CjkFonts): void {
  route('get', '/api/assessment', async (req: Request, res: Response) => {
    res.json(await assessment.report(req.query, staffOf(res)));
  });
  route('get', '/api/assessment/cases', async (req: Request, res: Response) => {
    res.json(await assessment.drill(req.query, staffOf(res)));
  });
  route('get', '/api/assessment/export.csv', async (req: Request, res: Response) => {
    const subject = req.query.subject ?? 'unit';
    if (subject !== 'unit' && subject !== 'person') throw badRequest('Invalid subject', { subject: "Expected 'unit' or 'person'" });
    const report = await assessment.report(req.query, staffOf(res));
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="assessment-${subject}-${fileLabel(report.period.label)}.csv"`,
    });
    res.send(assessmentCsv(report, subject));
  });
  route('get', '/api/assessment/report.pdf', async (req: Request, res: Response) => {
    const report = await assessment.report(req.query, staffOf(res));
    const pdf = await renderAssessmentPdf(report, fonts());
    res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="assessment-${fileLabel(report.period.label)}.pdf"` });
    res.send(pdf);
  });
  route('get', '/api/admin/assessment-weights', async (_req: Request, res: Response) => {
    res.json(await assessment.weights());
  });
  route('put', '/api/admin/assessment-weights', async (req: Request, res: Response) => {
    res.json(await assessment.putWeights(req.body, staffOf(res)));
  });
}
