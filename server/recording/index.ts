import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { Composer } from './Composer.ts';
import { RecordingService } from './RecordingService.ts';
import { RetentionSweeper } from './RetentionSweeper.ts';

/*
 * Recordings after the session (issue 11): the composer (one reviewable file per session), the
 * retention sweeper, and what staff read (list, playback, download). The SFU side that writes the
 * track files and rows is server/media's; this module only reads them.
 */
export interface RecordingModule {
  service: RecordingService;
  composer: Composer;
  retention: RetentionSweeper;
  /** Starts the background work (composition, retention): the composition root calls it. */
  start(): void;
  close(): Promise<void>;
}

export function createRecordingModule(deps: { db: Db; clock: Clock; log: Logger; config: Pick<Config, 'recordingDir' | 'recordingRetentionDays' | 'cluster'> }): RecordingModule {
  const { db, clock, log, config } = deps;
  const composer = new Composer({ db, clock, log: log.child('compose'), recordingDir: config.recordingDir, requeueRunningAtStart: config.cluster === null });
  const retention = new RetentionSweeper({ db, clock, log: log.child('retention'), recordingDir: config.recordingDir, retentionDays: config.recordingRetentionDays });
  const service = new RecordingService({ db, clock, recordingDir: config.recordingDir, deleteAfter: (d) => retention.deleteAfter(d), onQueued: () => composer.poke() });
  let closed = false;
  return {
    service,
    composer,
    retention,
    start() {
      composer.start();
      retention.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await composer.close();
      await retention.close();
    },
  };
}
