import type { Request, Response } from 'express';
import { id, meta, sendSealedPdf, type RouteFn } from '../agreement/http.ts';
import { bearerToken, staffOf, validate } from '../http/middleware.ts';
import { judicialConfirmRequest, judicialDecisionRequest, judicialOtpRequest, judicialQueueQuery, startJudicialRequest } from '../protocol/judicial.ts';
import type { JudicialModule } from './index.ts';
import type { StaffPrincipal } from '../auth/principals.ts';

/*
 * HTTP routes of judicial confirmation, registered through createHttpApp's `route` (each is in
 * routePermissions and routeObjects). The party's routes are public: the phone link's token in
 * `Authorization: Bearer` names its application and party. The ruling's download takes a staff
 * login that reads the case, or that application's party link.
 */
/** `afterDecision`: what else a decision ends (the application's open hearing, server/judicial/HearingService.ts). */
export function registerJudicialRoutes(
  route: RouteFn,
  m: JudicialModule,
  afterDecision?: (applicationId: string, judge: StaffPrincipal) => Promise<void>,
): void {
  const partyOf = (req: Request) => m.judicial.resolveParty(bearerToken(req));

  route('get', '/api/courts', async (_req: Request, res: Response) => {
    res.json(await m.judicial.courts());
  });

  // ---- on the case (the mediator starts it; staff who read the case follow it)
  route('post', '/api/cases/:caseId/judicial', validate(startJudicialRequest), async (req: Request, res: Response) => {
    res.status(201).json(await m.judicial.start(id(req, 'caseId'), staffOf(res), req.body.courtUnitId));
  });
  route('get', '/api/cases/:caseId/judicial', async (req: Request, res: Response) => {
    res.json(await m.judicial.caseInfo(id(req, 'caseId')));
  });
  route('post', '/api/judicial/applications/:applicationId/links', async (req: Request, res: Response) => {
    res.status(201).json(await m.judicial.createLinks(id(req, 'applicationId')));
  });

  // ---- the party's phone page (/judicial#t=…)
  route('get', '/api/judicial/apply', async (req: Request, res: Response) => {
    res.json(await m.judicial.partyView(await partyOf(req)));
  });
  route('post', '/api/judicial/apply/otp', validate(judicialOtpRequest), async (req: Request, res: Response) => {
    res.json(await m.confirmations.requestOtp(await partyOf(req)));
  });
  route('post', '/api/judicial/apply/confirm', validate(judicialConfirmRequest), async (req: Request, res: Response) => {
    res.json(await m.confirmations.confirm(await partyOf(req), req.body, meta(req)));
  });

  // ---- the judge
  route('get', '/api/judicial/queue', async (req: Request, res: Response) => {
    const { status } = judicialQueueQuery.parse({ ...(typeof req.query.status === 'string' ? { status: req.query.status } : {}) });
    res.json(await m.judicial.queue(staffOf(res), status));
  });
  route('get', '/api/judicial/applications/:applicationId', async (req: Request, res: Response) => {
    res.json(await m.judicial.review(id(req, 'applicationId'), staffOf(res), m.recordings));
  });
  route('post', '/api/judicial/applications/:applicationId/decision', validate(judicialDecisionRequest), async (req: Request, res: Response) => {
    const applicationId = id(req, 'applicationId');
    const view = await m.rulings.decide(applicationId, staffOf(res), req.body);
    await afterDecision?.(applicationId, staffOf(res));
    res.json(view);
  });
  route('get', '/api/judicial/applications/:applicationId/ruling.pdf', async (req: Request, res: Response) => {
    const applicationId = id(req, 'applicationId');
    await m.judicial.assertRulingReader(bearerToken(req), applicationId);
    const file = await m.rulings.rulingFile(applicationId);
    await sendSealedPdf(res, file, 'ruling.pdf', `民事裁定书-${file.number}.pdf`);
  });
}
