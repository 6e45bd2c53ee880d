import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { AuthService } from '../auth/AuthService.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { AppError, badRequest, forbidden, toWireError, unauthenticated, zodDetails } from '../errors.ts';
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

/** API answers are never cached and never render as a document. */
export const apiHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  });
  next();
};

/**
 * express, router and body-parser signal bad input with their own errors (http-errors with a
 * `type`, a URIError from path decoding, a zlib error from a body that is not what its
 * Content-Encoding says). Turn them into AppErrors before the one conversion, so bad input is
 * a 400 (413 when too large), never a 500.
 */
function fromExpressInput(err: unknown): unknown {
  if (err instanceof URIError) return badRequest('Malformed percent-encoding in the URL', { url: 'Malformed percent-encoding' });
  if (typeof err !== 'object' || err === null) return err;
  const { type, status, code, errno } = err as { type?: unknown; status?: unknown; code?: unknown; errno?: unknown };
  switch (type) {
    case 'entity.parse.failed':
      return badRequest('Malformed JSON body', { body: 'Malformed JSON' });
    case 'entity.too.large':
      return new AppError('payload_too_large', 'Request body too large', { body: 'Too large' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return badRequest('Unsupported body encoding', { body: 'Unsupported Content-Encoding or charset' });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return badRequest('Could not read the request body', { body: 'Unreadable' });
  }
  // zlib's errors (Z_DATA_ERROR for gzip/deflate, ERR_… for brotli) carry an errno and a code.
  if (status === 400 && typeof code === 'string' && typeof errno === 'number') {
    return badRequest('The request body does not match its Content-Encoding', { body: 'Could not decompress' });
  }
  // Any other client error from the HTTP stack (http-errors sets status 4xx): a 400 without its text.
  if (typeof status === 'number' && status >= 400 && status < 500 && !(err instanceof AppError)) {
    return status === 413 ? new AppError('payload_too_large', 'Request body too large') : badRequest('Bad request');
  }
  return err;
}

/** The ONE error handler: everything becomes a WireError via toWireError; unexpected errors are logged. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const wire = toWireError(fromExpressInput(err));
    if (wire.unexpected) {
      log.error('unexpected error', { method: req.method, route: req.route?.path ?? req.path, err });
    }
    if (wire.body.code === 'unauthenticated') res.set('WWW-Authenticate', 'Bearer');
    if (wire.retryAfterSeconds !== undefined) res.set('Retry-After', String(wire.retryAfterSeconds));
    res.status(wire.status).json(wire.body);
  };
}
