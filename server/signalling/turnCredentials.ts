import { createHmac } from 'node:crypto';
import type { TurnConfig } from '../config.ts';
import type { IceServer } from '../protocol/signalling.ts';

/*
 * TURN credentials by the TURN REST convention (coturn `use-auth-secret`): nothing is stored, coturn
 * recomputes the password from the username and the shared `static-auth-secret`, and refuses the
 * username once the expiry it starts with has passed. Minted per participant, they end with the
 * login or invitation they were minted for (or sooner, TURN_TTL_SECONDS). Never logged.
 */

/** base64(HMAC-SHA1(secret, username)): the password coturn expects for `username`. */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username, 'utf8').digest('base64');
}

/** `<expiry, unix seconds>:<identity>`, the expiry never later than `expiresAt`. */
export function turnUsername(identity: string, expiresAt: Date, now: Date, ttlSeconds: number | undefined): string {
  const cap = ttlSeconds === undefined ? Infinity : now.getTime() + ttlSeconds * 1000;
  const expiry = Math.floor(Math.min(expiresAt.getTime(), cap) / 1000);
  return `${expiry}:${identity}`;
}

/** The RTCIceServer a participant's browser gets: every configured URL, one credential. */
export function iceServersFor(turn: TurnConfig, participant: { identity: string; expiresAt: Date }, now: Date): IceServer[] {
  const username = turnUsername(participant.identity, participant.expiresAt, now, turn.ttlSeconds);
  return [{ urls: turn.urls, username, credential: turnPassword(turn.secret, username) }];
}
