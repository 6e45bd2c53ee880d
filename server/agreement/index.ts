import type { CaseGuard } from '../access/CaseGuard.ts';
import type { AuthService } from '../auth/AuthService.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import type { CaseLoopService } from '../cases/CaseLoopService.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { fail } from '../errors.ts';
import type { SlidingWindows } from '../limits/SlidingWindow.ts';
import type { Logger } from '../logger.ts';
import type { CaseDetail } from '../protocol/cases.ts';
import type { ClusterBus } from '../cluster/ClusterBus.ts';
import { AgreementHub } from './AgreementHub.ts';
import { AgreementService } from './AgreementService.ts';
import { createDocumentFeed } from './documentFeed.ts';
import { Finaliser } from './Finaliser.ts';
import { SigningService } from './SigningService.ts';
import { DevOutboxSmsSender, type SmsSender } from './sms/SmsSender.ts';
import { VerificationService } from './VerificationService.ts';
import { createRecordModule, type RecordModule } from '../mediationRecord/index.ts';
import type { DocumentFeed } from '../signalling/documents.ts';
import { createJudicialModule, type JudicialModule } from '../judicial/index.ts';
import type { RecordingInfo } from '../protocol/recording.ts';

/** The agreement module as the composition root sees it. */
export interface AgreementModule {
  hub: AgreementHub;
  agreements: AgreementService;
  signing: SigningService;
  finaliser: Finaliser;
  verification: VerificationService;
  /** The written mediation record (调解笔录) of each session, on the same tokens, signing steps and seal. */
  record: RecordModule;
  /** Judicial confirmation (司法确认) of the sealed agreement by a court. */
  judicial: JudicialModule;
  /** The agreement and the record as the signalling sockets follow them (room participants, signing pages). */
  documents: DocumentFeed;
  /** Moves the case to closed_settled with this (sealed) agreement, through the case loop. */
  settle(agreementId: string, staff: StaffPrincipal, summary?: string): Promise<CaseDetail>;
}

export function createAgreementModule(deps: {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  auth: AuthService;
  loop: CaseLoopService;
  access: CaseGuard;
  sms?: SmsSender;
  /** Where the public verification limit counts (default: in this process). */
  windows?: SlidingWindows;
  /** Told how long each sealing took (metrics). */
  onSealed?: (seconds: number) => void;
  /** Agreement and record changes go to every node's listeners through it. */
  bus: ClusterBus;
  /** The case's recordings (the judge reviews them with a judicial application). */
  recordings?: (caseId: string) => Promise<RecordingInfo[]>;
}): AgreementModule {
  const { db, clock, config, log } = deps;
  const hub = new AgreementHub(deps.bus);
  const agreements = new AgreementService({ db, clock, config, log: log.child('agreements'), auth: deps.auth, hub, access: deps.access });
  const finaliser = new Finaliser({ db, clock, config, log: log.child('finaliser'), hub, onSealed: deps.onSealed });
  const sms = deps.sms ?? new DevOutboxSmsSender({ db, clock });
  const signing = new SigningService({ db, clock, config, log: log.child('signing'), agreements, finaliser, sms });
  const judicial = createJudicialModule({
    db,
    clock,
    config,
    log: log.child('judicial'),
    access: deps.access,
    agreements,
    sms,
    recordings: deps.recordings ?? (() => Promise.resolve([])),
  });
  const verification = new VerificationService({
    db,
    finaliser,
    clock,
    dataDir: config.dataDir,
    courtTrust: (courtUnitId) => judicial.seals.trust(courtUnitId),
    ...(deps.windows ? { windows: deps.windows } : {}),
  });
  const record = createRecordModule({ db, clock, config, log: log.child('records'), access: deps.access, agreements, finaliser, sms });
  return {
    hub,
    agreements,
    signing,
    finaliser,
    verification,
    record,
    judicial,
    documents: createDocumentFeed({ hub, agreements, signing, records: record.records, judicial: judicial.judicial }),
    async settle(agreementId, staff, summary) {
      const a = await agreements.getRow(agreementId);
      await agreements.assertCase(staff, 'agreement.settle', a.caseId);
      if (a.status !== 'sealed') throw fail('agreement_not_sealed', 'The agreement is not sealed yet');
      const view = await agreements.view(agreementId);
      const text = summary ?? `经调解达成书面调解协议（${view.revision.content.clauses.length}项），已电子签署并加盖电子印章。`;
      return deps.loop.act(a.caseId, 'close_settled', { agreementForm: 'written', summary: text, agreementId }, staff);
    },
  };
}
