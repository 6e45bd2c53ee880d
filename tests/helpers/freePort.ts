import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** A port that was free a moment ago, so invitation links can name it before the server listens. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function bindsTcp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

function bindsUdp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createSocket('udp4');
    probe.once('error', () => {
      probe.close();
      resolve(false);
    });
    probe.bind(port, host, () => probe.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive port numbers, each free a moment ago for both UDP and TCP on `host`: what a
 * WebRtcServer per worker (RTC_PORT + i) needs when a test names the ports itself.
 */
export async function freeRtcPorts(count: number, host = '127.0.0.1', range = { min: 48000, max: 48999 }): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomInt(range.min, range.max - count + 2);
    let free = true;
    for (let port = base; free && port < base + count; port++) free = (await bindsTcp(port, host)) && (await bindsUdp(port, host));
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free UDP+TCP ports in ${range.min}-${range.max}`);
}
