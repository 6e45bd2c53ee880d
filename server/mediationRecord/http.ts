import type { Request, Response } from 'express';
import { forbidden, fail } from '../errors.ts';
import { bearerToken, staffOf, validate } from '../http/middleware.ts';
import {
  createRecordRequest,
  freezeRecordRequest,
  recordConfirmRequest,
  recordObjectRequest,
  recordOtpRequest,
  recordStaffSignRequest,
  saveRecordRequest,
} from '../protocol/mediationRecord.ts';
import type { AgreementActor } from '../agreement/AgreementService.ts';
import { id, meta, sendSealedPdf, type RouteFn } from '../agreement/http.ts';
import type { RecordModule } from './index.ts';

/*
 * HTTP routes of the mediation record, in the agreement's pattern: registered through
 * createHttpApp's `route` (so each is in routePermissions and routeObjects); 'public' ones take a
 * staff token or an invitation of the record's session, verified here.
 */
export function registerRecordRoutes(route: RouteFn, m: RecordModule): void {
  const actorOf = (req: Request): Promise<AgreementActor> => m.records.agreements.resolveActor(bearerToken(req));

  /** The record of the session, for the room's side panel (staff who read the case, the session's participants). */
  const sessionRecord = async (req: Request) => {
    const actor = await actorOf(req);
    const sessionId = id(req, 'sessionId');
    const caseId = await m.records.agreements.caseOfSession(sessionId, actor);
    return { actor, sessionId, caseId };
  };
  route('get', '/api/sessions/:sessionId/record', async (req: Request, res: Response) => {
    const { actor, sessionId } = await sessionRecord(req);
    const r = await m.records.forSession(sessionId);
    if (!r) throw fail('record_none', 'No mediation record has been started for this session yet');
    res.json(await m.records.view(r.id, actor));
  });
  route('post', '/api/sessions/:sessionId/record', validate(createRecordRequest), async (req: Request, res: Response) => {
    res.status(201).json(await m.records.create(id(req, 'sessionId'), staffOf(res), req.body.recorderId));
  });
  /** The mediators who may be chosen as recorder (记录员) when the record is started. */
  route('get', '/api/sessions/:sessionId/record/recorders', async (req: Request, res: Response) => {
    res.json(await m.records.recorderCandidates(id(req, 'sessionId'), staffOf(res)));
  });

  route('get', '/api/cases/:caseId/records', async (req: Request, res: Response) => {
    const rows = await m.records.forCase(id(req, 'caseId'));
    const staff = staffOf(res);
    res.json(await Promise.all(rows.map((r) => m.records.view(r.id, { kind: 'staff', staff, actor: `user:${staff.userId}` }))));
  });

  // ---- writing (the mediator or the recorder) and putting it to the parties (the mediator)
  route('put', '/api/records/:recordId/draft', validate(saveRecordRequest), async (req: Request, res: Response) => {
    res.json(await m.records.saveDraft(id(req, 'recordId'), req.body, staffOf(res)));
  });
  route('post', '/api/records/:recordId/freeze', validate(freezeRecordRequest), async (req: Request, res: Response) => {
    res.json(await m.records.freeze(id(req, 'recordId'), req.body, staffOf(res)));
  });
  route('post', '/api/records/:recordId/finalise', async (req: Request, res: Response) => {
    const recordId = id(req, 'recordId');
    const r = await m.records.getRow(recordId);
    const staff = staffOf(res);
    await m.records.assertCase(staff, 'record.finalise', r.caseId);
    await m.sealer.finalise(recordId);
    res.json(await m.records.view(recordId, { kind: 'staff', staff, actor: `user:${staff.userId}` }));
  });

  // ---- each signatory in the room: a party a code, then confirm; an official confirm; either may object
  route('post', '/api/records/:recordId/otp', validate(recordOtpRequest), async (req: Request, res: Response) => {
    res.json(await m.confirmations.requestOtp(id(req, 'recordId'), await actorOf(req), req.body.revisionHash));
  });
  route('post', '/api/records/:recordId/confirm', validate(recordConfirmRequest), async (req: Request, res: Response) => {
    res.json(await m.confirmations.confirm(id(req, 'recordId'), await actorOf(req), req.body, meta(req)));
  });
  /** The mediator and the recorder: consent and a drawn signature under their staff login. */
  route('post', '/api/records/:recordId/sign', validate(recordStaffSignRequest), async (req: Request, res: Response) => {
    res.json(await m.confirmations.staffSign(id(req, 'recordId'), staffOf(res), req.body, meta(req)));
  });
  route('post', '/api/records/:recordId/object', validate(recordObjectRequest), async (req: Request, res: Response) => {
    res.json(await m.confirmations.object(id(req, 'recordId'), await actorOf(req), req.body, meta(req)));
  });

  /** The sealed PDF: staff who read the case, the session's parties. */
  route('get', '/api/records/:recordId/document', async (req: Request, res: Response) => {
    const recordId = id(req, 'recordId');
    const actor = await actorOf(req);
    const r = await m.records.getRow(recordId);
    await m.records.assertCanRead(actor, r);
    if (actor.kind === 'invitation' && actor.invitation.role !== 'party') throw forbidden('Only the parties and staff may download the record');
    const file = await m.sealer.documentFile(recordId);
    await sendSealedPdf(res, file, 'mediation-record.pdf', `调解笔录-${file.number}.pdf`);
  });
}
