/**
 * Child process for bench/consumers.ts: binds N UDP sockets on 127.0.0.1 with the smallest receive
 * buffer, prints their ports as one JSON line, then blocks its own event loop (Atomics.wait) so it
 * never reads them. Every datagram sent to one of these ports is then dropped by the kernel and
 * counted in that socket's "drops" column of /proc/net/udp: a packet counter that costs no
 * user-space CPU, so the benchmark harness is not the bottleneck when the worker forwards 100k+ pps.
 *
 * usage: node --import tsx bench/sinkHolder.ts <count> <lifetimeMs>
 * Exits by itself after lifetimeMs (the parent normally kills it earlier).
 */
import dgram from 'node:dgram';
import { writeSync } from 'node:fs';

const count = Number(process.argv[2] ?? 0);
const lifetimeMs = Number(process.argv[3] ?? 60_000);
if (!Number.isInteger(count) || count < 0 || count > 5000) throw new Error(`bad socket count ${process.argv[2]}`);

const sockets = await Promise.all(
  Array.from(
    { length: count },
    () =>
      new Promise<dgram.Socket>((resolve, reject) => {
        const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 });
        s.once('error', reject);
        s.bind(0, '127.0.0.1', () => resolve(s));
      }),
  ),
);
writeSync(1, `${JSON.stringify(sockets.map((s) => s.address().port))}\n`);
// Block: from here on the event loop never runs, so nothing reads these sockets.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, lifetimeMs);
process.exit(0);
