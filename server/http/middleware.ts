import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { AuthService } from '../auth/AuthService.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import type { Config } from '../config.ts';
import { badRequest, forbidden, toWireError, unauthenticated, zodDetails } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { StaffRole } from '../protocol/roles.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      staff?: StaffPrincipal;
    }
  }
}

/** The staff principal set by requireStaff; a route without it is a programming error. */
export function staffOf(res: Response): StaffPrincipal {
  const staff = res.locals.staff;
  if (!staff) throw new Error('route has no staff principal (missing requireStaff?)');
  return staff;
}

/** `Authorization: Bearer <token>` → token, or undefined. */
export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const m = /^Bearer[ ]+([A-Za-z0-9_\-.=+/]+)\s*$/i.exec(header);
  return m?.[1];
}

/** Parses the JSON body with a zod schema; on success `req.body` is the parsed (typed) value. */
export function validate<S extends z.ZodType>(schema: S): RequestHandler {
  return (req, _res, next) => {
    const result = schema.safeParse(req.body);
    if (!result.success) throw badRequest('Invalid input', zodDetails(result.error));
    req.body = result.data;
    next();
  };
}

/** Requires a valid staff token; with roles, also one of those roles. Sets `res.locals.staff`. */
export function requireStaffWith(auth: AuthService) {
  return function requireStaff(...roles: readonly StaffRole[]): RequestHandler {
    return async (req, res, next) => {
      const token = bearerToken(req);
      if (!token) throw unauthenticated('Authentication required');
      const principal = await auth.verifyStaffToken(token);
      if (roles.length > 0 && !roles.includes(principal.role)) {
        throw forbidden(`This action is not available to the ${principal.role} role`);
      }
      res.locals.staff = principal;
      next();
    };
  };
}

/** Security headers for every response (the client's own CSP is set where it is served). */
export function securityHeaders(config: Config): RequestHandler {
  const https = config.publicUrl.startsWith('https://');
  return (_req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Origin-Agent-Cluster': '?1',
      'X-DNS-Prefetch-Control': 'off',
      'X-Permitted-Cross-Domain-Policies': 'none',
      'Permissions-Policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=()',
    });
    if (https) res.set('Strict-Transport-Security', 'max-age=15552000; includeSubDomains');
    next();
  };
}

/** API answers are never cached and never render as a document. */
export const apiHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  });
  next();
};

/** body-parser's errors carry a `type`; turn them into AppErrors before the one conversion. */
function fromBodyParser(err: unknown): unknown {
  if (typeof err !== 'object' || err === null || !('type' in err)) return err;
  switch ((err as { type: unknown }).type) {
    case 'entity.parse.failed':
      return badRequest('Malformed JSON body');
    case 'entity.too.large':
      return badRequest('Request body too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return badRequest('Unsupported body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return badRequest('Could not read the request body');
    default:
      return err;
  }
}

/** The ONE error handler: everything becomes a WireError via toWireError; unexpected errors are logged. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const wire = toWireError(fromBodyParser(err));
    if (wire.unexpected) {
      log.error('unexpected error', { method: req.method, route: req.route?.path ?? req.path, err });
    }
    if (wire.body.code === 'unauthenticated') res.set('WWW-Authenticate', 'Bearer');
    res.status(wire.status).json(wire.body);
  };
}

