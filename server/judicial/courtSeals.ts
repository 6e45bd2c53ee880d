import path from 'node:path';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { loadOrCreateSealKey, type SealKey } from '../agreement/orgKey.ts';
import { loadSealTrust, recordSealKey, type SealTrust } from '../agreement/sealTrust.ts';

export const COURT_SEALS_DIR = 'court-seals';
export const COURT_SEAL_TRUST_DIR = 'court-seal-trust';

/** "<court name> 电子印章": the court's own seal identity, never the mediation committee's. */
export const courtSealCommonName = (courtName: string): string => `${courtName.normalize('NFC').trim()} 电子印章`;

/**
 * Each court's seal (电子印章), a separate identity from the mediation committee's: generated with
 * the committee's machinery (orgKey.ts) into `<dataDir>/court-seals/<courtUnitId>/`, with its own
 * root, and recorded in the court's own trust store `<dataDir>/court-seal-trust/<courtUnitId>/`, so
 * a ruling verifies only against its court's seals and a committee's seal never passes for one.
 * The root's private key goes to COURT_SEAL_ROOT_KEY_DIR once, or is discarded.
 */
export class CourtSeals {
  readonly #clock: Clock;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #keys = new Map<string, Promise<SealKey>>();

  constructor(deps: { clock: Clock; config: Config; log: Logger }) {
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#log = deps.log;
  }

  #store(courtUnitId: string): string {
    return path.join(COURT_SEAL_TRUST_DIR, courtUnitId);
  }

  key(court: { id: string; name: string }): Promise<SealKey> {
    let key = this.#keys.get(court.id);
    if (!key) {
      const rootKeyDir = this.#config.judicial.courtRootKeyDir;
      key = (async () => {
        const k = await loadOrCreateSealKey(this.#config.dataDir, court.name, {
          now: this.#clock.now(),
          identity: { dir: path.join(this.#config.dataDir, COURT_SEALS_DIR, court.id), commonName: courtSealCommonName(court.name) },
          ...(rootKeyDir ? { rootKeyOut: path.join(rootKeyDir, `${court.id}.root-key.pem`) } : {}),
          warn: (message, fields) => this.#log.warn(message, { ...fields, courtUnitId: court.id }),
        });
        await recordSealKey(this.#config.dataDir, k, this.#store(court.id));
        return k;
      })();
      key.catch(() => this.#keys.delete(court.id));
      this.#keys.set(court.id, key);
    }
    return key;
  }

  /** The seals this court has sealed with and their roots (empty before its first ruling). */
  trust(courtUnitId: string): Promise<SealTrust> {
    return loadSealTrust(this.#config.dataDir, this.#store(courtUnitId));
  }
}
