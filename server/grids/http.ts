import express, { type Request, type Response } from 'express';
import type { RouteFn } from '../agreement/http.ts';
import { AppError, badRequest } from '../errors.ts';
import { staffOf } from '../http/middleware.ts';
import { geoPoint, gridCode } from '../protocol/grids.ts';
import type { GridService } from './GridService.ts';

/*
 * The grid map's routes, registered through createHttpApp's `route` (roles in routePermissions,
 * object rules in routeObjects). The import takes the GeoJSON file itself as the body, with
 * Content-Type application/geo+json (or application/json), up to GRID_FILE_LIMIT: a city's grid
 * file is larger than the API's usual JSON limit.
 */

export const GRID_FILE_LIMIT = '25mb';

export function registerGridRoutes(route: RouteFn, grids: GridService): void {
  route(
    'post',
    '/api/admin/grids/import',
    express.json({ type: ['application/geo+json'], limit: GRID_FILE_LIMIT, strict: true }),
    async (req: Request, res: Response) => {
      res.json(await grids.import(req.body, staffOf(res)));
    },
  );
  route('get', '/api/grids', async (_req: Request, res: Response) => {
    res.json(await grids.map(staffOf(res)));
  });
  route('get', '/api/grids/resolve', async (req: Request, res: Response) => {
    const point = geoPoint.safeParse({ lng: Number(req.query.lng), lat: Number(req.query.lat) });
    if (!point.success) throw badRequest('Invalid point', { lng: 'lng and lat in degrees' });
    res.json(await grids.resolve(point.data));
  });
  route('get', '/api/grids/:code/cases', async (req: Request<{ code: string }>, res: Response) => {
    const code = gridCode.safeParse(req.params.code);
    if (!code.success) throw new AppError('not_found', 'Grid not found');
    res.json(await grids.cases(code.data, staffOf(res)));
  });
}
