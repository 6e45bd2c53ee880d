import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { seedDemo } from './demo/seed.ts';
import { createLogger, setLogLevel } from './logger.ts';

const log = createLogger('main');
let config;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
setLogLevel(config.logLevel);

const app = await createApp(config, { log });
if (config.demo) {
  const seeded = await seedDemo({ db: app.db, log });
  if (seeded.usersCreated.length > 0 || seeded.caseCreated) log.info('demo data seeded', seeded);
}
await app.listen();
log.info('Cloud Mediation is listening', { url: config.publicUrl, workers: app.pool.size });
if (config.demo) {
  process.stdout.write(`\n  云调解 Cloud Mediation demo: ${config.publicUrl}\n  log in as mediator / mediator-demo-2026\n\n`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  });
}
