import type { CaseGuard } from '../access/CaseGuard.ts';
import type { AgreementService } from '../agreement/AgreementService.ts';
import type { Finaliser } from '../agreement/Finaliser.ts';
import type { SmsSender } from '../agreement/sms/SmsSender.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { MediationRecordService } from './MediationRecordService.ts';
import { RecordConfirmationService } from './RecordConfirmationService.ts';
import { RecordSealer } from './RecordSealer.ts';

/** The mediation record (调解笔录) module, built on the agreement's tokens, hub, signing steps and seal. */
export interface RecordModule {
  records: MediationRecordService;
  confirmations: RecordConfirmationService;
  sealer: RecordSealer;
}

export function createRecordModule(deps: {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  access: CaseGuard;
  agreements: AgreementService;
  finaliser: Finaliser;
  sms: SmsSender;
}): RecordModule {
  const { db, clock, config, log } = deps;
  const records = new MediationRecordService({ db, clock, config, log: log.child('records'), access: deps.access, agreements: deps.agreements });
  const sealer = new RecordSealer({ db, clock, config, log: log.child('record-sealer'), records, finaliser: deps.finaliser });
  const confirmations = new RecordConfirmationService({ db, clock, log: log.child('record-confirmations'), records, sealer, sms: deps.sms });
  return { records, confirmations, sealer };
}
