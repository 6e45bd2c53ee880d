import jwt from 'jsonwebtoken';
import type { Clock } from '../clock.ts';
import { MIN_JWT_SECRET_BYTES } from '../config.ts';
import { AppError } from '../errors.ts';
import { invitedRoles, type InvitedRole } from '../protocol/roles.ts';

/*
 * JWTs for staff logins and invitation links. HS256 only, on sign and on verify; every token must
 * carry exp, jti, iss and the audience of its kind, so a staff token is never taken as an
 * invitation or the other way round. Validity beyond the signature (revocation, expiry of the
 * row, session state) is checked by AuthService against the database.
 */

export const STAFF_AUDIENCE = 'cm:staff';
export const INVITATION_AUDIENCE = 'cm:invitation';
const ALGORITHM = 'HS256' as const;

export interface StaffTokenClaims {
  /** User id. */
  sub: string;
  /** StaffSession id. */
  jti: string;
  exp: number;
}

export interface InvitationTokenClaims {
  /** Invitation id. */
  jti: string;
  /** MediationSession id. */
  sid: string;
  role: InvitedRole;
  exp: number;
}

const unauthenticated = (message: string) => new AppError('unauthenticated', message);

function seconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

export class TokenService {
  readonly #secret: string;
  readonly #issuer: string;
  readonly #clock: Clock;

  constructor(options: { secret: string; issuer: string; clock: Clock }) {
    if (typeof options.secret !== 'string' || Buffer.byteLength(options.secret, 'utf8') < MIN_JWT_SECRET_BYTES) {
      throw new Error(`JWT secret must be at least ${MIN_JWT_SECRET_BYTES} bytes`);
    }
    if (!options.issuer) throw new Error('JWT issuer is required');
    this.#secret = options.secret;
    this.#issuer = options.issuer;
    this.#clock = options.clock;
  }

  signStaff(input: { userId: string; staffSessionId: string; expiresAt: Date }): string {
    return this.#sign({ sub: input.userId }, STAFF_AUDIENCE, input.staffSessionId, input.expiresAt);
  }

  signInvitation(input: { invitationId: string; sessionId: string; role: InvitedRole; expiresAt: Date }): string {
    return this.#sign({ sid: input.sessionId, role: input.role }, INVITATION_AUDIENCE, input.invitationId, input.expiresAt);
  }

  verifyStaff(token: string): StaffTokenClaims {
    const payload = this.#verify(token, STAFF_AUDIENCE);
    if (typeof payload.sub !== 'string' || payload.sub === '') throw unauthenticated('token has no subject');
    return { sub: payload.sub, jti: payload.jti, exp: payload.exp };
  }

  verifyInvitation(token: string): InvitationTokenClaims {
    const payload = this.#verify(token, INVITATION_AUDIENCE);
    const { sid, role } = payload as { sid?: unknown; role?: unknown };
    if (typeof sid !== 'string' || sid === '') throw unauthenticated('token has no session');
    if (typeof role !== 'string' || !(invitedRoles as readonly string[]).includes(role)) {
      throw unauthenticated('token has no valid role');
    }
    return { jti: payload.jti, sid, role: role as InvitedRole, exp: payload.exp };
  }

  #sign(claims: Record<string, unknown>, audience: string, jti: string, expiresAt: Date): string {
    const iat = seconds(this.#clock.now());
    const exp = seconds(expiresAt);
    if (exp <= iat) throw new Error('token would already be expired');
    return jwt.sign({ ...claims, iat, exp }, this.#secret, {
      algorithm: ALGORITHM,
      issuer: this.#issuer,
      audience,
      jwtid: jti,
    });
  }

  #verify(token: string, audience: string): jwt.JwtPayload & { jti: string; exp: number } {
    if (typeof token !== 'string' || token === '') throw unauthenticated('token missing');
    if (token.length > 4096) throw unauthenticated('token too long');
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.#secret, {
        algorithms: [ALGORITHM],
        issuer: this.#issuer,
        audience,
        clockTimestamp: seconds(this.#clock.now()),
        complete: false,
      });
    } catch (err) {
      throw translate(err);
    }
    if (typeof payload !== 'object' || payload === null) throw unauthenticated('invalid token');
    // jsonwebtoken accepts a token without exp; we do not.
    if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw unauthenticated('token has no expiry');
    if (typeof payload.jti !== 'string' || payload.jti === '') throw unauthenticated('token has no id');
    // Belt and braces: the library checked these, but the contract is ours.
    if (payload.iss !== this.#issuer) throw unauthenticated('token issuer mismatch');
    const aud = payload.aud;
    if (!(aud === audience || (Array.isArray(aud) && aud.length === 1 && aud[0] === audience))) {
      throw unauthenticated('token is for another audience');
    }
    if (payload.exp <= seconds(this.#clock.now())) throw unauthenticated('token expired');
    return payload as jwt.JwtPayload & { jti: string; exp: number };
  }
}

function translate(err: unknown): AppError {
  if (err instanceof jwt.TokenExpiredError) return unauthenticated('token expired');
  if (err instanceof jwt.NotBeforeError) return unauthenticated('token not yet valid');
  if (err instanceof jwt.JsonWebTokenError) {
    const m = err.message;
    if (m.startsWith('jwt audience invalid')) return unauthenticated('token is for another audience');
    if (m.startsWith('jwt issuer invalid')) return unauthenticated('token issuer mismatch');
    if (m === 'invalid algorithm' || m === 'jwt signature is required') return unauthenticated('token algorithm not allowed');
    if (m === 'invalid signature') return unauthenticated('token signature invalid');
    return unauthenticated('invalid token');
  }
  return unauthenticated('invalid token');
}
