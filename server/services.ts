import { createAgreementModule, type AgreementModule } from './agreement/index.ts';
import { DevOutboxSmsSender } from './agreement/sms/SmsSender.ts';
import { AuthService } from './auth/AuthService.ts';
import { TokenService } from './auth/tokens.ts';
import { AttachmentService } from './cases/AttachmentService.ts';
import { CaseLoopService } from './cases/CaseLoopService.ts';
import { CaseService } from './cases/CaseService.ts';
import { IntakeService } from './cases/IntakeService.ts';
import { RoomRecordService } from './cases/RoomRecordService.ts';
import { InvitationService } from './cases/InvitationService.ts';
import { SessionService } from './cases/SessionService.ts';
import { SettingsService } from './cases/SettingsService.ts';
import { StatsService } from './cases/StatsService.ts';
import { WhistleService } from './cases/WhistleService.ts';
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
  /** Case loop: rule sets, settings, units. */
  settings: SettingsService;
  /** Case loop: transitions, supervision notes, follow-ups. */
  loop: CaseLoopService;
  /** Public report form and progress query. */
  intake: IntakeService;
  attachments: AttachmentService;
  whistles: WhistleService;
  stats: StatsService;
  /** Mediation agreement: drafting, signing, sealing, verification (server/agreement). */
  agreement: AgreementModule;
  /** What the mediation room writes to the case record (caucus on the timeline, chat) and reads back. */
  roomRecord: RoomRecordService;
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
  const settings = new SettingsService({ db, clock, log: log.child('settings') });
  const cases = new CaseService({ db, clock, log: log.child('cases'), settings });
  const sessions = new SessionService({ db, clock, log: log.child('sessions') });
  const invitations = new InvitationService({ db, clock, config, log: log.child('invitations'), tokens, auth });
  const loop = new CaseLoopService({ db, clock, config, log: log.child('caseloop'), settings, cases });
  // Development / test: messages land in the SmsOutbox table. A gateway implements the same interface.
  const sms = new DevOutboxSmsSender({ db, clock });
  const intake = new IntakeService({ db, clock, log: log.child('intake'), settings, sms, publicUrl: config.publicUrl });
  const attachments = new AttachmentService({ db, clock, config, log: log.child('attachments') });
  const whistles = new WhistleService({ db, clock, log: log.child('whistles'), sessions, invitations });
  const stats = new StatsService({ db, clock, settings, timeZone: config.centreTimeZone });
  const agreement = createAgreementModule({ db, clock, config, log: log.child('agreement'), auth, loop, sms });
  const roomRecord = new RoomRecordService({ db, clock });
  return { tokens, auth, cases, sessions, invitations, settings, loop, intake, attachments, whistles, stats, agreement, roomRecord };
}
