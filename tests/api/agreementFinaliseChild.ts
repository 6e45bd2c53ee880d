/*
 * Child process for tests/api/agreementCrash.test.ts: runs the finaliser on an agreement whose
 * signatures are complete, and SIGKILLs itself at step CRASH_AT (via the Finaliser's test hook).
 * Env: DATA_DIR, DATABASE_URL, AGREEMENT_ID, CRASH_AT (optional), CLOCK (ISO time).
 */
import { Finaliser, CRASH_STEPS, type CrashStep } from '../../server/agreement/Finaliser.ts';
import { ManualClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { openDb } from '../../server/db/client.ts';
import { createLogger, setLogLevel } from '../../server/logger.ts';

setLogLevel('silent');
const env = process.env;
const crashAt = env.CRASH_AT ? (env.CRASH_AT as CrashStep) : undefined;
if (crashAt && !CRASH_STEPS.includes(crashAt)) throw new Error(`unknown step ${crashAt}`);
const config = loadConfig({
  DATA_DIR: env.DATA_DIR,
  DATABASE_URL: env.DATABASE_URL,
  JWT_SECRET: 'child-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  LOG_LEVEL: 'silent',
});
const db = openDb(config.databaseUrl);
const finaliser = new Finaliser({ db, clock: new ManualClock(env.CLOCK!), config, log: createLogger('child'), crashAt });
await finaliser.finalise(env.AGREEMENT_ID!);
await db.$disconnect();
process.stdout.write('finalised\n');
