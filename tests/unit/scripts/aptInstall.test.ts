import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { until } from '../../helpers/wait.ts';

/*
 * scripts/apt-install.sh must wait for the package-manager locks that another apt holds (as
 * unattended-upgrades does on a fresh VM) instead of failing at once. The locks are held here by a
 * second process with the same fcntl locks apt and dpkg take; the package asked for is one that is
 * installed already, so the install itself changes nothing. Needs root (apt's locks) and the
 * Debian archive, as the README's commands do.
 */
const LOCKS = ['/var/lib/apt/lists/lock', '/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock'];
const HOLDER = `
import fcntl, sys
files = [open(p, 'a') for p in sys.argv[1:]]
for f in files: fcntl.lockf(f, fcntl.LOCK_EX)
print('held', flush=True)
sys.stdin.read()
`;

function output(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
}

test('apt-install.sh waits with a message while another apt holds the locks, then installs', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
  const holder = spawn('python3', ['-c', HOLDER, ...LOCKS], { stdio: ['pipe', 'pipe', 'pipe'] });
  const holderOut = output(holder);
  await until(
    () => holderOut().includes('held'),
    () => `the lock holder to start: ${holderOut()}`,
    10_000,
  );

  const install = spawn('bash', ['scripts/apt-install.sh', 'hostname'], { env: { ...process.env, APT_LOCK_TIMEOUT: '120' } });
  const installOut = output(install);
  let exitCode: number | null = null;
  install.on('exit', (code) => (exitCode = code));
  try {
    await until(
      () => /waiting for the apt lists lock \(held by process \d+/.test(installOut()),
      () => `the waiting message, saw: ${installOut()}`,
      60_000,
    );
    assert.equal(exitCode, null, `it must wait, not fail: ${installOut()}`);
  } finally {
    holder.stdin.end(); // releases the locks
  }
  if (exitCode === null) await once(install, 'exit');
  assert.equal(exitCode, 0, installOut());
  assert.match(installOut(), /installing hostname/);
});
