import { AuthService } from './auth/AuthService.ts';
import { TokenService } from './auth/tokens.ts';
import { CaseService } from './cases/CaseService.ts';
import { InvitationService } from './cases/InvitationService.ts';
import { SessionService } from './cases/SessionService.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './logger.ts';

export interface Services {
  tokens: TokenService;
  auth: AuthService;
  cases: CaseService;
  sessions: SessionService;
  invitations: InvitationService;
}

export interface ServiceDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
}

export function createServices({ config, db, clock, log }: ServiceDeps): Services {
  const tokens = new TokenService({ secret: config.jwt.secret, issuer: config.jwt.issuer, clock });
  const auth = new AuthService({ config, db, clock, log: log.child('auth'), tokens });
  const cases = new CaseService({ db, clock, log: log.child('cases') });
  const sessions = new SessionService({ db, clock, log: log.child('sessions') });
  const invitations = new InvitationService({ db, clock, config, log: log.child('invitations'), tokens, auth });
  return { tokens, auth, cases, sessions, invitations };
}
