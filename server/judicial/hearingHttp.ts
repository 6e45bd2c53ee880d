import type { Request, Response } from 'express';
import type { RouteFn } from '../agreement/http.ts';
import { staffOf } from '../http/middleware.ts';
import type { HearingService } from './HearingService.ts';

/** The hearing's route, registered through createHttpApp's `route` (roles in routePermissions, object rule in routeObjects). */
export function registerHearingRoutes(route: RouteFn, hearings: HearingService): void {
  route('post', '/api/judicial/applications/:applicationId/hearings', async (req: Request<{ applicationId: string }>, res: Response) => {
    const result = await hearings.start(req.params.applicationId, staffOf(res));
    res.status(result.reused ? 200 : 201).json(result);
  });
}
