/**
 * Side-effect module: makes `import * as mediasoup from 'mediasoup'` find a worker binary.
 * Import it BEFORE mediasoup (mediasoup resolves the binary when its Worker module loads).
 *
 * Order: MEDIASOUP_WORKER_BIN if set; else node_modules/mediasoup/worker/out/Release/mediasoup-worker
 * (where setup copies the source-built worker); else the newest
 * ~/.cache/cloud-mediation/mediasoup-worker/<version>/mediasoup-worker from scripts/mediasoup-worker/build.sh.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';

function packagedWorkerBin(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    // mediasoup's package "main" is node/lib/index.js; the package root is three levels up.
    const root = path.resolve(path.dirname(require.resolve('mediasoup')), '..', '..');
    return path.join(root, 'worker', 'out', 'Release', 'mediasoup-worker');
  } catch {
    return undefined;
  }
}

function cachedWorkerBin(): string | undefined {
  const dir = path.join(homedir(), '.cache', 'cloud-mediation', 'mediasoup-worker');
  if (!existsSync(dir)) return undefined;
  const candidates = readdirSync(dir)
    .map((d) => path.join(dir, d, 'mediasoup-worker'))
    .filter((p) => existsSync(p))
    .map((p) => ({ p, mtime: statSync(p).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  return candidates[0]?.p;
}

/** How the worker binary was chosen, for the results file. */
export let workerBinSource: 'env' | 'node_modules' | 'cache' | 'none' = 'none';
export let workerBinPath: string | undefined;

if (process.env['MEDIASOUP_WORKER_BIN']) {
  workerBinSource = 'env';
  workerBinPath = process.env['MEDIASOUP_WORKER_BIN'];
} else {
  const packaged = packagedWorkerBin();
  if (packaged && existsSync(packaged)) {
    workerBinSource = 'node_modules';
    workerBinPath = packaged;
  } else {
    const cached = cachedWorkerBin();
    if (cached) {
      process.env['MEDIASOUP_WORKER_BIN'] = cached;
      workerBinSource = 'cache';
      workerBinPath = cached;
    }
  }
}
