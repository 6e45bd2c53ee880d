import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { recordRefusal } from '../audit/refusals.ts';
import { AppError } from '../errors.ts';
import { newRequestContext, runInRequestContext, type AuditSink, type RequestContext } from '../requestContext.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      requestContext?: RequestContext;
    }
  }
}

/** Opens the request's context (IP, user agent, audit trail); the first middleware of the app. */
export function openRequestContext(deps: { audit: AuditSink | null; countRateLimited?: ((limiter: string) => void) | null }): RequestHandler {
  return (req, res, next) => {
    const context = newRequestContext({
      ip: req.ip ?? req.socket.remoteAddress ?? null,
      userAgent: req.get('user-agent') ?? null,
      audit: deps.audit,
      countRateLimited: deps.countRateLimited ?? null,
    });
    res.locals.requestContext = context;
    runInRequestContext(context, next);
  };
}

/**
 * Runs a route handler inside its request's context. Needed per handler because body parsers
 * continue from stream events, outside the context opened by the first middleware.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function inRequestContext<H extends RequestHandler<any, any, any, any>>(handler: H): H {
  const wrapped = (req: Request, res: Response, next: NextFunction) => {
    const context = res.locals.requestContext;
    return context ? runInRequestContext(context, () => handler(req, res, next)) : handler(req, res, next);
  };
  return wrapped as unknown as H;
}

/** Every 403 answer is a permission refusal in the audit trail, unless the check recorded it itself. */
export const auditForbidden: ErrorRequestHandler = (err, req, res, next) => {
  const context = res.locals.requestContext;
  if (!context || context.refusalRecorded || !(err instanceof AppError) || err.code !== 'forbidden') {
    next(err);
    return;
  }
  void recordRefusal({ what: `${req.method} ${req.path}`, reason: err.message }, context).then(() => next(err));
};
