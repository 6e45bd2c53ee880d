import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AppError, unauthenticated } from '../errors.ts';
import { createInvitationRequest, loginRequest, type CreateInvitationRequest, type LoginRequest } from '../protocol/api.ts';
import { createCaseRequest } from '../protocol/cases.ts';
import type { CreateCaseInput } from '../cases/CaseService.ts';
import type { HttpDeps } from './deps.ts';
import { apiHeaders, bearerToken, errorHandler, requireStaffWith, securityHeaders, staffOf, validate } from './middleware.ts';
import { permissionFor, routeKey } from './routePermissions.ts';

const JSON_LIMIT = '64kb';

type Method = 'get' | 'post';
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
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);

  const requireStaff = requireStaffWith(services.auth);

  /** Every route goes through here: its key must be in routePermissions, whose check runs first. */
  function route(method: Method, path: string, ...handlers: AnyHandler[]): void {
    const key = routeKey(method, path);
    const permission = permissionFor(key);
    if (permission === undefined) throw new Error(`route ${key} has no entry in routePermissions`);
    const guard: AnyHandler[] = permission === 'public' ? [] : [requireStaff(...permission)];
    app[method](path, ...guard, ...handlers);
  }

  app.use(securityHeaders(deps.config));
  app.use('/api', apiHeaders, express.json({ limit: JSON_LIMIT, strict: true }));
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
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    res.json(await services.auth.login(req.body.username, req.body.password, ip));
  });
  route('post', '/api/auth/logout', async (_req: Request, res: Response) => {
    await services.auth.logout(staffOf(res));
    res.status(204).end();
  });
  route('get', '/api/auth/me', (_req: Request, res: Response) => {
    const s = staffOf(res);
    res.json({ id: s.userId, username: s.username, displayName: s.displayName, role: s.role, department: s.department });
  });

  // ---- cases
  route('get', '/api/cases', async (_req: Request, res: Response) => {
    res.json(await services.cases.list());
  });
  route('post', '/api/cases', validate(createCaseRequest), async (req: Request<object, unknown, CreateCaseInput>, res: Response) => {
    res.status(201).json(await services.cases.create(req.body, staffOf(res)));
  });
  route('get', '/api/cases/:caseId', async (req: Request<IdParams<'caseId'>>, res: Response) => {
    res.json(await services.cases.get(ids(req, 'caseId').caseId));
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
    res.json(await hooks.mediaState(sessionId));
  });
  route('get', '/api/sessions/:sessionId/participations', async (req: Request<IdParams<'sessionId'>>, res: Response) => {
    res.json(await services.sessions.listParticipations(ids(req, 'sessionId').sessionId));
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

  // ---- health
  route('get', '/api/health', async (_req: Request, res: Response) => {
    res.json(await hooks.health());
  });

  app.use('/api', (_req, _res, next) => next(new AppError('not_found', 'No such API route')));
  deps.extend?.(app);
  app.use(errorHandler(log.child('http')));
  return app;
}
