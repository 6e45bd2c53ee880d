import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { Composer } from './Composer.ts';
import { RecordingLibrary } from './RecordingLibrary.ts';
import { RetentionSweeper } from './RetentionSweeper.ts';

/*
 * Recordings after the session: the composer (one reviewable file per session), the
 * retention sweeper, and what staff read (list, playback, download). The SFU side that writes the
 * track files and rows is server/media's; this module only reads them.
 */
export interface RecordingModule {
  service: RecordingLibrary;
  composer: Composer;
  retention: RetentionSweeper;
  /** Starts the background work (composition, retention): the composition root calls it. */
  start(): void;
  close(): Promise<void>;
}

export function createRecordingModule(deps: { db: Db; clock: Clock; log: Logger; config: Pick<Config, 'recording' | 'cluster'> }): RecordingModule {
  const { db, clock, log, config } = deps;
  const composer = new Composer({ db, clock, log: log.child('compose'), recordingDir: config.recording.dir, requeueRunningAtStart: config.cluster === null });
  const retention = new RetentionSweeper({
    db,
    clock,
    log: log.child('retention'),
    recordingDir: config.recording.dir,
    retentionDays: config.recording.retentionDays,
  });
  const service = new RecordingLibrary({
    db,
    clock,
    recordingDir: config.recording.dir,
    deleteAfter: (d) => retention.deleteAfter(d),
    onQueued: () => composer.poke(),
  });
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
