import { CaseGuard } from './access/CaseGuard.ts';
import { HearingService } from './judicial/HearingService.ts';
import { GridService } from './grids/GridService.ts';
import { RecordingService } from './recording/RecordingService.ts';
import { refusalRecorder, type RefusalSink } from './access/refusals.ts';
import { createAgreementModule, type AgreementModule } from './agreement/index.ts';
import { AuditLog } from './audit/AuditLog.ts';
import { DevOutboxSmsSender } from './agreement/sms/SmsSender.ts';
import { AccountService } from './auth/AccountService.ts';
import { AuthService } from './auth/AuthService.ts';
import { BusStaffSessionEvents, type StaffSessionEvents } from './auth/staffSessionEvents.ts';
import { LocalClusterBus, type ClusterBus } from './cluster/ClusterBus.ts';
import { TokenService } from './auth/tokens.ts';
import { AttachmentService } from './cases/AttachmentService.ts';
import { CaseLoopService } from './cases/CaseLoopService.ts';
import { FollowUpService } from './cases/FollowUpService.ts';
import { SupervisionService } from './cases/SupervisionService.ts';
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
import { roleMay } from './http/routeObjects.ts';
import { WorkGate } from './limits/WorkGate.ts';
import { memoryWindows } from './limits/MemoryWindow.ts';
import { type SlidingWindows } from './limits/SlidingWindow.ts';
import { redisWindows } from './limits/RedisWindow.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics/Metrics.ts';
import type { Redis } from 'ioredis';
import { AssessmentService } from './assessment/AssessmentService.ts';
import { WeightStore } from './assessment/weights.ts';
import { createRecordingModule, type RecordingModule } from './recording/index.ts';

export interface Services {
  tokens: TokenService;
  auth: AuthService;
  /** Staff accounts: own password change; admins disable and enable accounts. */
  accounts: AccountService;
  /** Staff logins revoked (logout, password change, account disabled): announced for whoever holds their open connections. */
  staffSessions: StaffSessionEvents;
  cases: CaseService;
  sessions: SessionService;
  invitations: InvitationService;
  /** The judge's hearings of judicial confirmation applications (sessions of kind hearing). */
  hearings: HearingService;
  /** Case loop: rule sets, settings, units. */
  settings: SettingsService;
  /** Case loop: the transitions. */
  loop: CaseLoopService;
  /** Supervision notes (督办). */
  supervision: SupervisionService;
  /** Follow-up visits (回访): the list and the party's links. */
  followUps: FollowUpService;
  /** Public report form and progress query. */
  intake: IntakeService;
  attachments: AttachmentService;
  /** Session recording: rows, consents, timeline (server/recording). */
  recording: RecordingService;
  whistles: WhistleService;
  stats: StatsService;
  /** Performance assessment (绩效考核) of units and people, and its scoring weights (server/assessment). */
  assessment: AssessmentService;
  /** Mediation agreement: drafting, signing, sealing, verification (server/agreement). */
  agreement: AgreementModule;
  /** What the mediation room writes to the case record (caucus on the timeline, chat) and reads back. */
  roomRecord: RoomRecordService;
  /** Who may do what on one case (server/access/caseAccess.ts), applied with facts from the database. */
  access: CaseGuard;
  /** The security audit trail (server/audit). */
  audit: AuditLog;
  /** Where every rate limit counts: this process, or with Redis the whole cluster. */
  windows: SlidingWindows;
  /** Session recordings after the session: composition, retention, playback (server/recording). */
  recordings: RecordingModule;
  /** The city's grids (网格): import, the map's data, where a case is (server/grids). */
  grids: GridService;
}

export interface ServiceDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  /** Also receives every access refusal (after the log line and the audit trail): a test. */
  refusals?: RefusalSink;
  /** Prometheus metrics, when the composition root has them (server/metrics). */
  metrics?: Metrics;
  /** The cluster's Redis (cluster mode): what several nodes must agree on lives there. */
  redis?: Redis;
  /** What one node tells every node (default: this process only). */
  bus?: ClusterBus;
}

export function createServices({ config, db, clock, log, refusals, metrics, redis, bus = new LocalClusterBus(log.child('bus')) }: ServiceDeps): Services {
  const tokens = new TokenService({ secret: config.jwt.secret, issuer: config.jwt.issuer, clock });
  // Password hashing (logins, public query codes): two at a time, a short queue, then 429. Per
  // process on purpose: it bounds this process's CPU, whatever the other nodes do.
  const passwordWork = new WorkGate(2, 32);
  // Every rate limit (logins, public reports and queries, query-code SMS, verification) counts in
  // one place: this process, or with Redis the whole cluster, so N nodes do not give N× the attempts.
  const windows = redis ? redisWindows(redis, clock) : memoryWindows(clock);
  const staffSessions = new BusStaffSessionEvents(bus, (error) => log.warn('could not announce revoked logins', { error }));
  const auth = new AuthService({ config, db, clock, log: log.child('auth'), tokens, passwordWork, staffSessions, windows });
  const accounts = new AccountService({ db, clock, log: log.child('accounts'), attempts: auth.attempts, staffSessions });
  const settings = new SettingsService({ db, clock, log: log.child('settings') });
  // An access refusal is a 403 (forbidden): the request context records it in the audit trail,
  // once, with the request's own path or socket step (server/audit/refusals.ts).
  const access = new CaseGuard({ db, refusals: refusalRecorder(log.child('access'), refusals) });
  const cases: CaseService = new CaseService({
    db,
    clock,
    log: log.child('cases'),
    settings,
    can: (p, caseId) => access.can(p, caseId, roleMay(p.role)),
    locate: (input, tx) => grids.locate(input, tx),
  });
  const grids: GridService = new GridService({ db, clock, log: log.child('grids'), cases, access, tileUrl: config.gridMapTileUrl });
  const sessions = new SessionService({ db, clock, log: log.child('sessions'), nodeId: config.cluster?.nodeId ?? null });
  const invitations = new InvitationService({ db, clock, config, log: log.child('invitations'), tokens, auth });
  const hearings = new HearingService({ db, clock, log: log.child('hearings'), invitations, sessions });
  const loop = new CaseLoopService({ db, clock, log: log.child('caseloop'), settings, cases });
  const supervision = new SupervisionService({ db, clock, log: log.child('supervision') });
  const followUps = new FollowUpService({ db, clock, config, log: log.child('followup'), settings });
  // Development / test: messages land in the SmsOutbox table. A gateway implements the same interface.
  const sms = new DevOutboxSmsSender({ db, clock });
  const intake = new IntakeService({
    db,
    clock,
    log: log.child('intake'),
    settings,
    sms,
    publicUrl: config.publicUrl,
    passwordWork,
    windows,
    locate: (input, tx) => grids.locate(input, tx),
  });
  const attachments = new AttachmentService({ db, clock, config, log: log.child('attachments') });
  const whistles = new WhistleService({ db, clock, log: log.child('whistles'), sessions, invitations });
  const recordings = createRecordingModule({ db, clock, log: log.child('recordings'), config });
  const stats = new StatsService({ db, clock, settings, timeZone: config.centreTimeZone, recordingBytes: () => recordings.service.totalBytes() });
  const assessment = new AssessmentService({
    db,
    clock,
    settings,
    access,
    weights: new WeightStore({ db, clock, log: log.child('assessment') }),
    timeZone: config.centreTimeZone,
  });
  const agreement = createAgreementModule({
    db,
    clock,
    config,
    log: log.child('agreement'),
    auth,
    loop,
    access,
    sms,
    bus,
    windows,
    recordings: (caseId) => recordings.service.listForCase(caseId),
    ...(metrics ? { onSealed: (seconds: number) => metrics.sealing.observe(seconds) } : {}),
  });
  const roomRecord = new RoomRecordService({ db, clock });
  const audit = new AuditLog({ db, clock, log: log.child('audit') });
  const recording = new RecordingService({ db, clock, log: log.child('recording'), config: config.recording, onQueued: () => recordings.composer.poke() });
  return {
    tokens,
    auth,
    accounts,
    staffSessions,
    cases,
    sessions,
    invitations,
    hearings,
    settings,
    loop,
    supervision,
    followUps,
    intake,
    attachments,
    whistles,
    stats,
    assessment,
    agreement,
    roomRecord,
    access,
    audit,
    windows,
    recording,
    recordings,
    grids,
  };
}
