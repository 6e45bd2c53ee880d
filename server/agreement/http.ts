import { createReadStream } from 'node:fs';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AppError, fail, forbidden } from '../errors.ts';
import { bearerToken, staffOf, validate } from '../http/middleware.ts';
import {
  commentRequest,
  createAgreementRequest,
  freezeRequest,
  otpRequest,
  partySignRequest,
  refuseRequest,
  saveDraftRequest,
  staffSignRequest,
  verifyCodeRequest,
} from '../protocol/agreement.ts';
import type { AgreementModule } from './index.ts';
import type { AgreementActor } from './AgreementService.ts';

/*
 * HTTP routes of the agreement module. Registered through createHttpApp's `route`, so each is
 * checked against routePermissions. 'public' routes verify the token themselves: a staff token,
 * a session invitation, or a signing link (AgreementService.resolveActor).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyHandler = RequestHandler<any, any, any, any>;
export type RouteFn = (method: 'get' | 'post' | 'put', path: string, ...handlers: AnyHandler[]) => void;

const MAX_VERIFY_PDF_BYTES = 20 * 1024 * 1024;
const idParam = z.string().min(1).max(64);

export function id(req: Request, key: string): string {
  const parsed = idParam.safeParse((req.params as Record<string, string>)[key]);
  if (!parsed.success) throw new AppError('not_found', 'Not found');
  return parsed.data;
}

export function meta(req: Request): { ip: string; userAgent: string } {
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', userAgent: req.get('user-agent') ?? '' };
}

/** Streams a sealed PDF as a download, with its SHA-256 in a header. */
export async function sendSealedPdf(res: Response, file: { path: string; size: number; sha256: string }, asciiName: string, name: string): Promise<void> {
  res.set({
    'Content-Type': 'application/pdf',
    'Content-Length': String(file.size),
    'Content-Disposition': `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'X-Content-SHA256': file.sha256,
  });
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file.path);
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

export function registerAgreementRoutes(route: RouteFn, m: AgreementModule): void {
  const actorOf = (req: Request): Promise<AgreementActor> => m.agreements.resolveActor(bearerToken(req));

  route('get', '/api/agreement-templates', (_req: Request, res: Response) => {
    res.json(m.agreements.templates());
  });

  // ---- in the session: the current agreement (live updates go over the signalling socket), creating it
  route('get', '/api/sessions/:sessionId/agreement', async (req: Request, res: Response) => {
    const actor = await actorOf(req);
    const caseId = await m.agreements.caseOfSession(id(req, 'sessionId'), actor);
    const a = await m.agreements.forCase(caseId);
    if (!a) throw fail('agreement_none', 'No agreement has been drafted for this case yet');
    res.json(await m.agreements.view(a.id));
  });
  route('post', '/api/sessions/:sessionId/agreement', validate(createAgreementRequest), async (req: Request, res: Response) => {
    res.status(201).json(await m.agreements.create(id(req, 'sessionId'), staffOf(res), req.body.templateId));
  });

  // ---- on the case
  route('get', '/api/cases/:caseId/agreements', async (req: Request, res: Response) => {
    const a = await m.agreements.forCase(id(req, 'caseId'));
    res.json(a ? [await m.agreements.view(a.id)] : []);
  });

  // ---- drafting (the case's mediator)
  route('put', '/api/agreements/:agreementId/draft', validate(saveDraftRequest), async (req: Request, res: Response) => {
    res.json(await m.agreements.saveDraft(id(req, 'agreementId'), req.body, staffOf(res)));
  });
  route('post', '/api/agreements/:agreementId/comments', validate(commentRequest), async (req: Request, res: Response) => {
    res.status(201).json(await m.agreements.comment(id(req, 'agreementId'), req.body, await actorOf(req)));
  });
  route('post', '/api/agreements/:agreementId/freeze', validate(freezeRequest), async (req: Request, res: Response) => {
    res.json(await m.agreements.freeze(id(req, 'agreementId'), req.body, staffOf(res)));
  });
  route('post', '/api/agreements/:agreementId/signing-links', async (req: Request, res: Response) => {
    res.status(201).json(await m.signing.createLinks(id(req, 'agreementId'), staffOf(res)));
  });
  route('post', '/api/agreements/:agreementId/sign', validate(staffSignRequest), async (req: Request, res: Response) => {
    res.json(await m.signing.staffSign(id(req, 'agreementId'), req.body, staffOf(res), meta(req)));
  });
  route('post', '/api/agreements/:agreementId/finalise', async (req: Request, res: Response) => {
    const agreementId = id(req, 'agreementId');
    const a = await m.agreements.getRow(agreementId);
    await m.agreements.assertCase(staffOf(res), 'agreement.finalise', a.caseId);
    await m.finaliser.finalise(agreementId);
    res.json(await m.agreements.view(agreementId));
  });
  route('post', '/api/agreements/:agreementId/settle', async (req: Request, res: Response) => {
    const summary = z
      .object({ summary: z.string().trim().min(1).max(2000).optional() })
      .strict()
      .parse(req.body ?? {}).summary;
    res.json(await m.settle(id(req, 'agreementId'), staffOf(res), summary));
  });
  /** The sealed PDF: staff, the case's parties (invitation or signing link). */
  route('get', '/api/agreements/:agreementId/document', async (req: Request, res: Response) => {
    const agreementId = id(req, 'agreementId');
    const actor = await actorOf(req);
    const a = await m.agreements.getRow(agreementId);
    await m.agreements.assertCanRead(actor, a.caseId, agreementId);
    if (actor.kind === 'invitation' && actor.invitation.role !== 'party') throw forbidden('Only the parties and staff may download the agreement');
    const file = await m.finaliser.documentFile(agreementId);
    await sendSealedPdf(res, file, 'agreement.pdf', `人民调解协议书-${file.caseNumber}.pdf`);
  });

  // ---- the party's signing page (/sign#t=…): signing link or party invitation token
  route('get', '/api/signing', async (req: Request, res: Response) => {
    res.json(await m.signing.signingView(await actorOf(req)));
  });
  route('post', '/api/signing/otp', validate(otpRequest), async (req: Request, res: Response) => {
    res.json(await m.signing.requestOtp(await actorOf(req), req.body.partyId, req.body.revisionHash));
  });
  route('post', '/api/signing/sign', validate(partySignRequest), async (req: Request, res: Response) => {
    res.json(await m.signing.sign(await actorOf(req), req.body, meta(req)));
  });
  route('post', '/api/signing/refuse', validate(refuseRequest), async (req: Request, res: Response) => {
    res.json(await m.signing.refuse(await actorOf(req), req.body, meta(req)));
  });

  // ---- public verification (/verify): rate-limited per IP before anything is parsed or looked up
  const verifyLimit: AnyHandler = async (req: Request, _res: Response, next) => {
    await m.verification.admit(meta(req).ip);
    next();
  };
  route('post', '/api/verify/code', verifyLimit, validate(verifyCodeRequest), async (req: Request, res: Response) => {
    res.json(await m.verification.byCode(req.body.code));
  });
  route('post', '/api/verify/file', verifyLimit, express.raw({ type: () => true, limit: MAX_VERIFY_PDF_BYTES }), async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length === 0) throw new AppError('bad_request', 'Upload the PDF file as the request body');
    const code = req.get('x-verification-code')?.slice(0, 40);
    res.json(await m.verification.byFile(body, code));
  });
}
