import type { Request, RequestHandler, Response } from 'express';
import type { RouteFn } from '../agreement/http.ts';
import type { TokenService } from '../auth/tokens.ts';
import { AppError, forbidden } from '../errors.ts';
import { bearerToken, staffOf } from '../http/middleware.ts';
import type { RecordingFile } from './RecordingLibrary.ts';
import type { RecordingModule } from './index.ts';

/*
 * HTTP routes of the recordings (issue 11), registered through createHttpApp's `route`: roles in
 * routePermissions (mediator, supervisor, admin), object rule `recording.review` /
 * `recording.compose` in routeObjects. Files are served with range requests (206).
 *
 * A <video> element sends no Authorization header, and the project never puts a token in a URL:
 * POST …/playback (with the Bearer token) sets a cookie holding that same staff token, HttpOnly,
 * SameSite=Strict, scoped to that one recording's path and short-lived; `playbackCredentials`
 * turns it back into the Bearer header for those paths only, so the same role and object checks
 * run on every range request. An invitation token (a party's, an official's) is refused with 403
 * here whatever it is presented for.
 */

export const PLAYBACK_COOKIE = 'cm_rec';
export const PLAYBACK_COOKIE_SECONDS = 30 * 60;

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

function cookieOf(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Mounted before the recording routes: the playback cookie as the Bearer header; invitation tokens refused (403). */
export function playbackCredentials(tokens: TokenService): RequestHandler {
  return (req, _res, next) => {
    if (!req.get('authorization')) {
      const cookie = cookieOf(req, PLAYBACK_COOKIE);
      if (cookie && /^[A-Za-z0-9_\-.]+$/.test(cookie)) req.headers.authorization = `Bearer ${cookie}`;
    }
    const token = bearerToken(req);
    if (token && isInvitationToken(tokens, token)) throw forbidden('Recordings are for the case’s mediator and supervisors only');
    next();
  };
}

function isInvitationToken(tokens: TokenService, token: string): boolean {
  try {
    tokens.verifyInvitation(token);
    return true;
  } catch {
    return false;
  }
}

function idOf(req: Request<Record<string, string>>, key: string): string {
  const v = req.params[key];
  if (typeof v !== 'string' || !idPattern.test(v)) throw new AppError('not_found', 'Not found');
  return v;
}

/** The first request of a playback: no Range, or a range from byte 0. */
function startsPlayback(req: Request): boolean {
  const range = req.get('range');
  return range === undefined || /^bytes=0-/.test(range.trim());
}

export function registerRecordingRoutes(route: RouteFn, m: RecordingModule, options: { secureCookie: boolean }): void {
  const { service } = m;

  route('get', '/api/cases/:caseId/recordings', async (req: Request<Record<string, string>>, res: Response) => {
    res.json(await service.listForCase(idOf(req, 'caseId')));
  });

  route('post', '/api/recordings/:recordingId/playback', async (req: Request<Record<string, string>>, res: Response) => {
    const recordingId = idOf(req, 'recordingId');
    const token = bearerToken(req);
    if (!token) throw new AppError('unauthenticated', 'Authentication required');
    res.cookie(PLAYBACK_COOKIE, token, {
      path: `/api/recordings/${recordingId}`,
      httpOnly: true,
      sameSite: 'strict',
      secure: options.secureCookie,
      maxAge: PLAYBACK_COOKIE_SECONDS * 1000,
    });
    res.json({ expiresInSeconds: PLAYBACK_COOKIE_SECONDS });
  });

  const serve = async (req: Request, res: Response, file: RecordingFile): Promise<void> => {
    const download = req.query.download === '1';
    if (download) await service.noteAccess(file, 'downloaded', staffOf(res));
    else if (startsPlayback(req)) await service.noteAccess(file, 'played', staffOf(res));
    res.type(file.contentType);
    if (download) res.attachment(file.name);
    await new Promise<void>((resolve, reject) => {
      res.sendFile(file.path, { acceptRanges: true, cacheControl: false, lastModified: false, etag: false, dotfiles: 'allow' }, (err) => {
        // A client that stops reading (seeking, closing the player) aborts the response: not an error.
        if (err && !res.headersSent) reject(err);
        else resolve();
      });
    });
  };

  route('get', '/api/recordings/:recordingId/composed', async (req: Request<Record<string, string>>, res: Response) => {
    await serve(req, res, await service.file(idOf(req, 'recordingId'), null));
  });
  route('get', '/api/recordings/:recordingId/tracks/:trackId', async (req: Request<Record<string, string>>, res: Response) => {
    await serve(req, res, await service.file(idOf(req, 'recordingId'), idOf(req, 'trackId')));
  });
  route('post', '/api/recordings/:recordingId/compose', async (req: Request<Record<string, string>>, res: Response) => {
    await service.requeue(idOf(req, 'recordingId'));
    res.status(202).json({ queued: true });
  });
}
