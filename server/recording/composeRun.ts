import { spawnTied } from './tiedChild.ts';

/**
 * Runs ffmpeg with `-progress pipe:1` and reports the fraction done (out_time_us against the
 * expected duration). Resolves when ffmpeg exits 0; rejects with the tail of its stderr otherwise.
 * `signal` stops it (the composer's close()).
 */
export function runFfmpeg(
  args: readonly string[],
  options: { expectedSeconds: number; onProgress?: (fraction: number) => void; signal?: AbortSignal; bin?: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnTied(options.bin ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] }, 'KILL');
    let stderr = '';
    let pending = '';
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^out_time_us=(\d+)/.exec(line);
        if (m && options.expectedSeconds > 0) options.onProgress?.(Math.min(1, Number(m[1]) / 1e6 / options.expectedSeconds));
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, sig) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with ${code ?? sig}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}
