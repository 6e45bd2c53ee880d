import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/AuthService.ts';
import { AppError } from '../errors.ts';
import { bearerToken, validate } from '../http/middleware.ts';
import { probeConnectRequest, probeCreateRequest, probeDataProducerRequest } from '../protocol/connectivity.ts';
import { probeCaller } from './caller.ts';
import type { ConnectivityProbes } from './ConnectivityProbes.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyHandler = RequestHandler<any, any, any, any>;
export type RouteFn = (method: 'post' | 'delete', path: string, ...handlers: AnyHandler[]) => void;

const probeIdParam = z.string().min(1).max(64);

/**
 * The pre-join connectivity check's routes (server/protocol/connectivity.ts). 'public' in the role
 * table: the handler verifies the invitation or staff token itself (./caller.ts), before the body
 * (a stranger learns nothing from a field error). Without media workers here (`probes` undefined): 503.
 */
export function registerConnectivityRoutes(route: RouteFn, auth: AuthService, probes: ConnectivityProbes | undefined): void {
  const authorised: AnyHandler = async (req: Request, res: Response, next: () => void) => {
    res.locals.probeCaller = await probeCaller(auth, bearerToken(req));
    next();
  };
  const caller = (res: Response) => res.locals.probeCaller as Awaited<ReturnType<typeof probeCaller>>;
  const service = (): ConnectivityProbes => {
    if (!probes) throw new AppError('unavailable', 'No media server on this node');
    return probes;
  };
  const probeId = (req: Request): string => {
    const parsed = probeIdParam.safeParse(req.params['probeId']);
    if (!parsed.success) throw new AppError('not_found', 'No such connectivity probe');
    return parsed.data;
  };

  route('post', '/api/connectivity/probe', authorised, validate(probeCreateRequest), async (_req: Request, res: Response) => {
    res.status(201).json(await service().open(caller(res)));
  });
  route('post', '/api/connectivity/probe/:probeId/connect', authorised, validate(probeConnectRequest), async (req: Request, res: Response) => {
    await service().connect(caller(res), probeId(req), req.body);
    res.status(204).end();
  });
  route('post', '/api/connectivity/probe/:probeId/data-producer', authorised, validate(probeDataProducerRequest), async (req: Request, res: Response) => {
    res.status(201).json(await service().produceData(caller(res), probeId(req), req.body));
  });
  route('delete', '/api/connectivity/probe/:probeId', authorised, (req: Request, res: Response) => {
    service().end(caller(res), probeId(req));
    res.status(204).end();
  });
}
