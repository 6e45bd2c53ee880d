import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { until } from '../../helpers/wait.ts';

/** Running, not a zombie left for a reaper that may not exist in a container. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A node process that starts an endless ffmpeg (tied or not), prints its pid and waits. */
async function parentWithFfmpeg(tied: boolean): Promise<{ parentPid: number; ffmpegPid: number }> {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'anullsrc', '-f', 'null', '-'];
  const script = tied
    ? `import { spawnTied } from ${JSON.stringify(new URL('../../../server/recording/tiedChild.ts', import.meta.url).href)};
       const c = spawnTied('ffmpeg', ${JSON.stringify(args)}, { stdio: 'ignore' }, 'INT');
       console.log(c.pid); setInterval(() => {}, 1000);`
    : `import { spawn } from 'node:child_process';
       const c = spawn('ffmpeg', ${JSON.stringify(args)}, { stdio: 'ignore' });
       console.log(c.pid); setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
  });
  const ffmpegPid = Number(line);
  assert.ok(Number.isInteger(ffmpegPid) && ffmpegPid > 0, `pid printed: ${line}`);
  await until(() => readFileSync(`/proc/${ffmpegPid}/cmdline`, 'utf8').startsWith('ffmpeg'), 'the child to be ffmpeg itself (setpriv execs it)', 10_000);
  return { parentPid: parent.pid!, ffmpegPid };
}

test('an ffmpeg spawned tied ends when its node is SIGKILLed; an untied one would outlive it', async () => {
  const tied = await parentWithFfmpeg(true);
  const untied = await parentWithFfmpeg(false);
  try {
    process.kill(tied.parentPid, 'SIGKILL');
    process.kill(untied.parentPid, 'SIGKILL');
    await until(() => !alive(tied.ffmpegPid), 'the tied ffmpeg to end with its parent', 15_000, 50);
    await until(() => !alive(untied.parentPid), 'the untied parent to be gone', 15_000, 50);
    assert.equal(alive(untied.ffmpegPid), true, 'without the tie the child is left behind (what the tie fixes)');
  } finally {
    for (const pid of [tied.ffmpegPid, untied.ffmpegPid]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
});
