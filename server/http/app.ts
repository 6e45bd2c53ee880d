import { grade as gradeSchema } from '../protocol/caseLoop.ts';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { MAX_ATTACHMENT_BYTES } from '../cases/AttachmentService.ts';
import { routedActions } from '../protocol/cases.ts';
import { disputeTypeOf } from '../cases/views.ts';
import { AppError, badRequest, unauthenticated } from '../errors.ts';
import { createInvitationRequest, loginRequest, type CreateInvitationRequest, type LoginRequest } from '../protocol/api.ts';
import { createCaseRequest } from '../protocol/cases.ts';
import type { CreateCaseInput } from '../cases/CaseService.ts';
import { FORWARDED_HEADER, type HttpDeps } from './deps.ts';
import { apiHeaders, bearerToken, errorHandler, requireStaffWith, staffOf, validate } from './middleware.ts';
import { objectRuleFor } from './routeObjects.ts';
import { securityHeaders } from './securityHeaders.ts';
import { permissionFor, routeKey } from './routePermissions.ts';
import { registerAgreementRoutes } from '../agreement/http.ts';
import { registerRecordRoutes } from '../mediationRecord/http.ts';
import { registerJudicialRoutes } from '../judicial/http.ts';
import { registerGridRoutes } from '../grids/http.ts';
import { registerConnectivityRoutes } from '../connectivity/http.ts';
import { registerAssessmentRoutes } from '../assessment/http.ts';
import { registerHearingRoutes } from '../judicial/hearingHttp.ts';
import { findCjkFonts } from '../agreement/fonts.ts';
import { playbackCredentials, registerRecordingRoutes } from '../recording/http.ts';
import { auditedLogin, recordAudit } from '../audit/index.ts';
import { auditForbidden, inRequestContext, openRequestContext } from './requestContext.ts';
import { httpMetrics, metricsEndpoint } from '../metrics/http.ts';

const JSON_LIMIT = '64kb';

type Method = 'get' | 'post' | 'put' | 'delete';
// Handlers declare their own typed Request; the registrar accepts any of them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyHandler = RequestHandler<any, any, any, any>;

type IdParams<K extends string> = Record<K, string>;
const idParam = z.string().min(1).max(64);

/** Route params come from the URL; refuse absurd ones before they reach a query. */
function ids<K extends string>(req: Request<IdParams<K>>, ...keys: K[]): IdParams<K> {
  const out = {} as IdParams<K>;
  for (const k of keys) {
    const parsed = idParam.safeParse(req.params[k]);
    if (!parsed.success) throw new AppError('not_found', 'Not found');
    out[k] = parsed.data;
  }
  return out;
}

/** `?mine=1` / `?mine=true` / `?mine` → true. */
function flag(v: unknown): boolean {
  return v === '' || v === '1' || v === 'true';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, 100) : undefined;
}

function clientIp(req: Pick<Request, 'ip' | 'socket'>): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Runs a hook after the database change; a failing hook is logged, the request still succeeds. */
async function runHook(deps: HttpDeps, name: string, fn: () => void | Promise<void>, fields: Record<string, unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    deps.log.error(`${name} hook failed`, { ...fields, err });
  }
}

export function createHttpApp(deps: HttpDeps): Express {
  const { services, hooks, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // TRUST_PROXY: which X-Forwarded-For hops give req.ip, the address every per-IP limit counts.
  app.set('trust proxy', deps.config.trustProxy);

  const requireStaff = requireStaffWith(services.auth);

  /**
   * Every route goes through here: its key must be in routePermissions (the role check runs first)
   * and in routeObjects (the object rule on the route's case runs next, before the handler).
   */
  function route(method: Method, path: string, ...handlers: AnyHandler[]): void {
    const key = routeKey(method, path);
    const permission = permissionFor(key);
    if (permission === undefined) throw new Error(`route ${key} has no entry in routePermissions`);
    const object = objectRuleFor(key);
    if (object === undefined) throw new Error(`route ${key} has no entry in routeObjects`);
    const guard: AnyHandler[] = permission === 'public' ? [] : [requireStaff(...permission)];
    if ('action' in object && object.by !== 'token') {
      if (permission === 'public') throw new Error(`route ${key} is public, so its object rule must be applied by the handler (by: 'token')`);
      const { action, via } = object;
      guard.push(async (req: Request<IdParams<typeof via>>, res: Response, next: () => void) => {
        const target = await services.access.target(via, ids(req, via)[via], action);
        await services.access.assert(staffOf(res), target.action, target.caseId, key);
        next();
      });
    }
    app[method](path, ...[...guard, ...handlers].map(inRequestContext));
  }

  /** List routes leave out items of cases the caller may not read (routeObjects `{ list: 'case.read' }`). */
  const readable = <T extends { caseId: string }>(res: Response, items: readonly T[]): Promise<T[]> =>
    services.access.readable(staffOf(res), items, (item) => item.caseId);

  const metrics = deps.metrics;
  app.use(openRequestContext({ audit: services.audit, countRateLimited: metrics ? (limiter) => metrics.rateLimited.inc({ limiter }) : null }));
  if (metrics) app.use(httpMetrics(metrics));
  app.use(...securityHeaders(deps.config));
  // Prometheus scrape endpoint: the handler checks METRICS_TOKEN (404 when metrics are off here).
  route('get', '/metrics', metricsEndpoint(metrics, deps.config.metrics.token));
  app.use('/api', apiHeaders, express.json({ limit: JSON_LIMIT, strict: true }));
  // Recordings: the playback cookie stands for the Bearer header there; invitation tokens get 403.
  app.use(['/api/recordings', '/api/cases/:caseId/recordings'], inRequestContext(playbackCredentials(services.tokens)));
  app.use('/api', (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug('http', { method: req.method, route: req.route?.path ?? '(none)', status: res.statusCode, ms: Math.round(ms) });
    });
    next();
  });

  // ---- auth
  route('post', '/api/auth/login', validate(loginRequest), async (req: Request<object, unknown, LoginRequest>, res: Response) => {
    res.json(await auditedLogin(req.body.username, () => services.auth.login(req.body.username, req.body.password, clientIp(req))));
  });
  route('post', '/api/auth/logout', async (_req: Request, res: Response) => {
    await services.auth.logout(staffOf(res));
    await recordAudit('logout');
    res.status(204).end();
  });
  route('post', '/api/auth/password', async (req: Request, res: Response) => {
    res.json(await services.accounts.changePassword(staffOf(res), req.body, clientIp(req)));
  });
  route('get', '/api/auth/me', (_req: Request, res: Response) => {
    const s = staffOf(res);
    res.json({ id: s.userId, username: s.username, displayName: s.displayName, role: s.role, department: s.department });
  });

  // ---- cases
  route('get', '/api/cases', async (req: Request, res: Response) => {
    const q = req.query;
    const cases = await services.cases.list(staffOf(res), {
      mine: flag(q.mine),
      state: str(q.state),
      light: str(q.light),
      unitId: str(q.unitId),
    });
    res.json(await services.access.readable(staffOf(res), cases, (c) => c.id));
  });
  route('post', '/api/cases', validate(createCaseRequest), async (req: Request<object, unknown, CreateCaseInput>, res: Response) => {
    res.status(201).json(await services.cases.create(req.body, staffOf(res)));
  });
  route('get', '/api/cases/:caseId', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.json(await services.cases.get(ids(req, 'caseId').caseId, staffOf(res)));
  });
  route('get', '/api/cases/:caseId/sessions', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.json(await services.sessions.listForCase(ids(req, 'caseId').caseId));
  });
  route('post', '/api/cases/:caseId/sessions', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    const { session, reused } = await services.sessions.start(ids(req, 'caseId').caseId, staffOf(res));
    res.status(reused ? 200 : 201).json(session);
  });
  route('get', '/api/cases/:caseId/timeline', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.json(await services.cases.timeline(ids(req, 'caseId').caseId));
  });
  route('get', '/api/cases/:caseId/timeline/verify', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.json(await services.cases.verifyTimeline(ids(req, 'caseId').caseId));
  });

  // ---- case loop: transitions (one route per action; roles from the transitions table)
  for (const action of routedActions) {
    route('post', `/api/cases/:caseId/actions/${action}`, async (req: Request<IdParams<'caseId'>>, res: Response) => {
      res.json(await services.loop.act(ids(req, 'caseId').caseId, action, req.body ?? {}, staffOf(res)));
    });
  }
  route('get', '/api/cases/:caseId/routing-suggestion', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    const kase = await services.cases.get(ids(req, 'caseId').caseId);
    const g = gradeSchema.safeParse(req.query.grade);
    if (!g.success) throw badRequest('Invalid query', { grade: 'One of low, medium, high' });
    res.json(await services.settings.suggestRoute(disputeTypeOf(kase), g.data));
  });
  route('get', '/api/cases/:caseId/parties/:partyId/contact', async (req: Request<IdParams<'caseId' | 'partyId'>>, res: Response) => {
    const { caseId, partyId } = ids(req, 'caseId', 'partyId');
    const contact = await services.cases.revealContact(caseId, partyId, staffOf(res));
    await recordAudit('contact_revealed', { target: `case:${caseId} party:${partyId}`, detail: 'phone' });
    res.json(contact);
  });

  // ---- attachments: the raw body with its Content-Type (image/jpeg, image/png, application/pdf), name in X-Filename (percent-encoded)
  route('get', '/api/cases/:caseId/attachments', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.json(await services.attachments.list(ids(req, 'caseId').caseId));
  });
  route(
    'post',
    '/api/cases/:caseId/attachments',
    express.raw({ type: () => true, limit: MAX_ATTACHMENT_BYTES }),
    async (req: Request<IdParams<'caseId'>>, res: Response) => {
      const { caseId } = ids(req, 'caseId');
      res.status(201).json(await services.attachments.add(caseId, req.body, req.get('content-type'), req.get('x-filename'), staffOf(res)));
    },
  );
  route('get', '/api/cases/:caseId/attachments/:attachmentId', async (req: Request<IdParams<'caseId' | 'attachmentId'>>, res: Response) => {
    const { caseId, attachmentId } = ids(req, 'caseId', 'attachmentId');
    const { info, path } = await services.attachments.file(caseId, attachmentId);
    const size = await stat(path).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) throw new AppError('not_found', 'Attachment file not found');
    const ascii = info.originalName.replace(/[^\x20-\x7e]|["\\]/g, '_');
    res.set({
      'Content-Type': info.mimeType,
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(info.originalName)}`,
    });
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(path);
      stream.on('error', reject);
      res.on('finish', resolve);
      res.on('close', resolve);
      stream.pipe(res);
    });
  });

  // ---- supervision notes (督办)
  route('get', '/api/cases/:caseId/supervision-notes', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.json(await services.supervision.caseSupervisionNotes(ids(req, 'caseId').caseId));
  });
  route('post', '/api/cases/:caseId/supervision-notes', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.status(201).json(await services.supervision.addSupervisionNote(ids(req, 'caseId').caseId, req.body, staffOf(res)));
  });
  route('get', '/api/supervision-notes', async (req: Request, res: Response) => {
    res.json(await readable(res, await services.supervision.listSupervisionNotes(staffOf(res), str(req.query.status) ?? 'open')));
  });
  route('post', '/api/supervision-notes/:noteId/answer', async (req: Request<IdParams<'noteId'>>, res: Response) => {
    res.json(await services.supervision.answerSupervisionNote(ids(req, 'noteId').noteId, req.body, staffOf(res)));
  });

  // ---- calling in departments (吹哨报到)
  route('get', '/api/cases/:caseId/whistles', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.json(await services.whistles.forCase(ids(req, 'caseId').caseId));
  });
  route('post', '/api/cases/:caseId/whistles', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.status(201).json(await services.whistles.create(ids(req, 'caseId').caseId, req.body, staffOf(res)));
  });
  route('get', '/api/whistles', async (req: Request, res: Response) => {
    const whistles = await services.whistles.list(staffOf(res), { mine: flag(req.query.mine), status: str(req.query.status) });
    res.json(
      await services.access.readable(
        staffOf(res),
        whistles,
        (w) => w.caseId,
        (w) => w.unit.id,
      ),
    );
  });
  route('get', '/api/whistles/pending', async (_req: Request, res: Response) => {
    res.json(await services.whistles.pendingForOfficial(staffOf(res)));
  });
  route('post', '/api/whistles/:whistleId/accept', async (req: Request<IdParams<'whistleId'>>, res: Response) => {
    res.json(await services.whistles.accept(ids(req, 'whistleId').whistleId, staffOf(res)));
  });
  route('post', '/api/whistles/:whistleId/cancel', async (req: Request<IdParams<'whistleId'>>, res: Response) => {
    res.json(await services.whistles.cancel(ids(req, 'whistleId').whistleId, req.body, staffOf(res)));
  });
  route('post', '/api/whistles/:whistleId/decline', async (req: Request<IdParams<'whistleId'>>, res: Response) => {
    res.json(await services.whistles.decline(ids(req, 'whistleId').whistleId, req.body, staffOf(res)));
  });

  // ---- follow-up (回访)
  route('get', '/api/cases/:caseId/follow-ups', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.json(await services.followUps.list(ids(req, 'caseId').caseId));
  });
  route('post', '/api/cases/:caseId/followup-link', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.status(201).json(await services.followUps.createLink(ids(req, 'caseId').caseId, staffOf(res)));
  });

  // ---- units, staff, statistics
  route('get', '/api/units', async (req: Request, res: Response) => {
    res.json(await services.settings.listUnits({ kind: str(req.query.kind), level: str(req.query.level), includeInactive: flag(req.query.all) }));
  });
  route('get', '/api/staff', async (req: Request, res: Response) => {
    res.json(await services.settings.listStaff(str(req.query.role)));
  });
  route('get', '/api/stats', async (req: Request, res: Response) => {
    res.json(await services.stats.stats(req.query));
  });
  route('get', '/api/stats/export.csv', async (req: Request, res: Response) => {
    const csv = await services.stats.exportCsv(req.query);
    const day = deps.clock.now().toISOString().slice(0, 10).replace(/-/g, '');
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="cases-${day}.csv"` });
    res.send(csv);
  });

  // ---- performance assessment (server/assessment/http.ts)
  registerAssessmentRoutes(route, services.assessment, () => findCjkFonts(deps.config.agreementFont));
  registerHearingRoutes(route, services.hearings);

  // ---- administration
  route('get', '/api/admin/routing-rules', async (_req: Request, res: Response) => {
    res.json(await services.settings.activeRuleSet());
  });
  route('put', '/api/admin/routing-rules', async (req: Request, res: Response) => {
    res.json(await services.settings.putRuleSet(req.body, staffOf(res)));
  });
  route('get', '/api/admin/settings', async (_req: Request, res: Response) => {
    res.json(await services.settings.settings());
  });
  route('put', '/api/admin/settings', async (req: Request, res: Response) => {
    res.json(await services.settings.putSettings(req.body, staffOf(res)));
  });
  route('post', '/api/admin/units', async (req: Request, res: Response) => {
    res.status(201).json(await services.settings.createUnit(req.body, staffOf(res)));
  });
  route('put', '/api/admin/units/:unitId', async (req: Request<IdParams<'unitId'>>, res: Response) => {
    res.json(await services.settings.updateUnit(ids(req, 'unitId').unitId, req.body, staffOf(res)));
  });
  route('get', '/api/admin/audit', async (req: Request, res: Response) => {
    res.json(await services.audit.list(req.query));
  });
  route('get', '/api/admin/users', async (_req: Request, res: Response) => {
    res.json(await services.accounts.list());
  });
  route('put', '/api/admin/users/:userId/disabled', async (req: Request<IdParams<'userId'>>, res: Response) => {
    res.json(await services.accounts.setDisabled(ids(req, 'userId').userId, req.body, staffOf(res)));
  });
  route('put', '/api/admin/users/:userId/unit', async (req: Request<IdParams<'userId'>>, res: Response) => {
    res.json(await services.settings.setUserUnit(ids(req, 'userId').userId, req.body, staffOf(res)));
  });

  // ---- public (no login): report form, progress query, follow-up link
  route('post', '/api/public/cases', async (req: Request, res: Response) => {
    res.status(201).json(await services.intake.report(req.body, clientIp(req)));
  });
  route('post', '/api/public/cases/query', async (req: Request, res: Response) => {
    res.json(await services.intake.query(req.body, clientIp(req)));
  });
  route('post', '/api/public/cases/sms', async (req: Request, res: Response) => {
    res.json(await services.intake.sendQueryCode(req.body, clientIp(req)));
  });
  route('get', '/api/public/cases/query', async (req: Request, res: Response) => {
    const body = { caseNumber: req.get('x-case-number') ?? '', queryCode: req.get('x-query-code') ?? '' };
    res.json(await services.intake.query(body, clientIp(req)));
  });
  route('get', '/api/public/followup', async (req: Request, res: Response) => {
    res.json(await services.followUps.previewLink(bearerToken(req)));
  });
  route('post', '/api/public/followup', async (req: Request, res: Response) => {
    res.status(201).json(await services.followUps.recordByLink(bearerToken(req), req.body));
  });

  // ---- sessions
  route('get', '/api/sessions/:sessionId', async (req: Request<IdParams<'sessionId'>>, res: Response) => {
    res.json(await services.sessions.get(ids(req, 'sessionId').sessionId));
  });
  route('post', '/api/sessions/:sessionId/end', async (req: Request<IdParams<'sessionId'>>, res: Response) => {
    const { sessionId } = ids(req, 'sessionId');
    const info = await services.sessions.end(sessionId, staffOf(res));
    await runHook(deps, 'onSessionEnded', () => hooks.onSessionEnded(sessionId), { sessionId });
    res.json(info);
  });
  route('get', '/api/sessions/:sessionId/invitations', async (req: Request<IdParams<'sessionId'>>, res: Response) => {
    res.json(await services.invitations.list(ids(req, 'sessionId').sessionId));
  });
  route(
    'post',
    '/api/sessions/:sessionId/invitations',
    validate(createInvitationRequest),
    async (req: Request<IdParams<'sessionId'>, unknown, CreateInvitationRequest>, res: Response) => {
      res.status(201).json(await services.invitations.create(ids(req, 'sessionId').sessionId, req.body, staffOf(res)));
    },
  );
  route('get', '/api/sessions/:sessionId/media', async (req: Request<IdParams<'sessionId'>>, res: Response) => {
    const { sessionId } = ids(req, 'sessionId');
    await services.sessions.get(sessionId); // 404 for unknown sessions
    res.json(await hooks.mediaState(sessionId, { authorization: req.get('authorization'), forwarded: req.get(FORWARDED_HEADER) === '1' }));
  });
  route('get', '/api/sessions/:sessionId/participations', async (req: Request<IdParams<'sessionId'>>, res: Response) => {
    res.json(await services.sessions.listParticipations(ids(req, 'sessionId').sessionId));
  });
  route('get', '/api/sessions/:sessionId/chat', async (req: Request<IdParams<'sessionId'>>, res: Response) => {
    res.json(await services.roomRecord.listChat(ids(req, 'sessionId').sessionId));
  });

  // ---- invitations
  route('post', '/api/invitations/:invitationId/revoke', async (req: Request<IdParams<'invitationId'>>, res: Response) => {
    const { invitationId } = ids(req, 'invitationId');
    const info = await services.invitations.revoke(invitationId, staffOf(res));
    await runHook(deps, 'onInvitationRevoked', () => hooks.onInvitationRevoked(invitationId), { invitationId });
    res.json(info);
  });
  route('get', '/api/invitation', async (req: Request, res: Response) => {
    const token = bearerToken(req);
    if (!token) throw unauthenticated('Invitation token required');
    res.json(await services.invitations.preview(token));
  });

  // ---- mediation agreement (server/agreement/http.ts)
  registerAgreementRoutes(route, services.agreement);
  registerRecordRoutes(route, services.agreement.record);
  // A decided application has no hearing any more: one still open ends with the decision.
  registerJudicialRoutes(route, services.agreement.judicial, async (applicationId, judge) => {
    for (const sessionId of await services.hearings.endOpen(applicationId, judge)) {
      await runHook(deps, 'onSessionEnded', () => hooks.onSessionEnded(sessionId), { sessionId });
    }
  });

  // ---- the grid map (server/grids/http.ts)
  registerGridRoutes(route, services.grids);

  // ---- recordings (server/recording/http.ts)
  registerRecordingRoutes(route, services.recordings, { secureCookie: deps.config.publicUrl.startsWith('https:') });

  // ---- media
  route('get', '/api/media/capabilities', async (_req: Request, res: Response) => {
    res.json(await hooks.mediaCapabilities());
  });

  // ---- pre-join connectivity check (server/connectivity)
  registerConnectivityRoutes(route, services.auth, deps.connectivity);

  // ---- health
  route('get', '/api/health', async (_req: Request, res: Response) => {
    res.json(await hooks.health());
  });

  app.use('/api', (_req, _res, next) => next(new AppError('not_found', 'No such API route')));
  deps.extend?.(app);
  app.use(auditForbidden);
  app.use(errorHandler(log.child('http')));
  return app;
}
