import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Metrics } from './Metrics.ts';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** The route pattern a request matched (`/api/cases/:caseId`), never its raw path (unbounded labels). */
function routeLabel(req: Request): string {
  const path: unknown = req.route?.path;
  if (typeof path === 'string') return path;
  if (path !== undefined) return '(client)';
  return req.path.startsWith('/api/') ? '(unmatched api)' : '(static or unmatched)';
}

/**
 * Times every HTTP request by route pattern, and counts 429 answers as rate-limit refusals
 * unless the limiter counted itself (countRateLimitRefusal in ./rateLimit.ts).
 */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = routeLabel(req);
      const method = METHODS.has(req.method) ? req.method : 'other';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ method, route, status: String(res.statusCode) }, seconds);
      if (res.statusCode === 429 && !res.locals.requestContext?.rateLimitCounted) metrics.rateLimited.inc({ limiter: `http ${method} ${route}` });
    });
    next();
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `GET /metrics` (Prometheus text format). With a token: only `Authorization: Bearer <token>`
 * (401 otherwise). Without one: 404, unless `open` (the METRICS_LISTEN listener on an internal
 * address, where the network is the protection).
 */
export function metricsEndpoint(metrics: Metrics | undefined, token: string | undefined, options: { open?: boolean } = {}): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!metrics || (expected === undefined && !options.open)) {
      res.status(404).json({ code: 'not_found', message: 'Metrics are not enabled here' });
      return;
    }
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (expected !== undefined && (!m || !timingSafeEqual(digest(m[1]!), expected))) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      res.status(401).json({ code: 'unauthenticated', message: 'A metrics token is required' });
      return;
    }
    const { contentType, body } = await metrics.render();
    res.set('Content-Type', contentType).send(body);
  };
}
