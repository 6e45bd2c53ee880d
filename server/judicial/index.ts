import type { CaseGuard } from '../access/CaseGuard.ts';
import type { AgreementService } from '../agreement/AgreementService.ts';
import type { SmsSender } from '../agreement/sms/SmsSender.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { RecordingInfo } from '../protocol/recording.ts';
import { CourtSeals } from './courtSeals.ts';
import { JudicialConfirmationService } from './JudicialConfirmationService.ts';
import { JudicialService } from './JudicialService.ts';
import { RulingSealer } from './RulingSealer.ts';

/** Judicial confirmation (司法确认), built on the agreement's tokens, hub, signing steps and sealing machinery, with the courts' own seals. */
export interface JudicialModule {
  judicial: JudicialService;
  confirmations: JudicialConfirmationService;
  rulings: RulingSealer;
  seals: CourtSeals;
  /** The case's recordings, for the judge's review. */
  recordings(caseId: string): Promise<RecordingInfo[]>;
}

export function createJudicialModule(deps: {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  access: CaseGuard;
  agreements: AgreementService;
  sms: SmsSender;
  recordings: (caseId: string) => Promise<RecordingInfo[]>;
}): JudicialModule {
  const { db, clock, config, log, sms } = deps;
  const judicial = new JudicialService({ db, clock, config, log: log.child('judicial'), access: deps.access, agreements: deps.agreements, sms });
  const confirmations = new JudicialConfirmationService({ db, clock, log: log.child('judicial-confirmations'), judicial, sms });
  const seals = new CourtSeals({ clock, config, log: log.child('court-seals') });
  const rulings = new RulingSealer({ db, clock, config, log: log.child('rulings'), judicial, seals });
  return { judicial, confirmations, rulings, seals, recordings: deps.recordings };
}
