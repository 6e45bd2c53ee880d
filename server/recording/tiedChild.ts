import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Spawns a helper process (ffmpeg) that dies with this one. A SIGKILLed or crashed node cannot
 * stop its children, and an ffmpeg left behind keeps its UDP port and CPU for good. util-linux's
 * `setpriv --pdeathsig` (Essential in Debian) sets the kernel's parent-death signal and then execs
 * the program, so the child's pid is the program's own and nothing else changes. The signal says
 * how it ends: SIGINT lets a recorder close its file properly; SIGKILL suits throwaway work.
 * Without setpriv (another system) the program runs untied, as before.
 */
let setprivPath: string | null | undefined;

function setpriv(): string | null {
  if (setprivPath === undefined) {
    const found = spawnSync('setpriv', ['--version'], { stdio: 'ignore' });
    setprivPath = found.status === 0 ? 'setpriv' : null;
  }
  return setprivPath;
}

export type DeathSignal = 'INT' | 'KILL';

export function spawnTied(bin: string, args: readonly string[], options: SpawnOptions, onParentDeath: DeathSignal): ChildProcess {
  const tie = setpriv();
  return tie ? spawn(tie, ['--pdeathsig', onParentDeath, '--', bin, ...args], options) : spawn(bin, args, options);
}
