import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';

function bind(port: number): Promise<dgram.Socket | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(null);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

/**
 * Two consecutive free UDP ports on 127.0.0.1 (RTP, RTCP = RTP + 1) for a recorder child that
 * binds them itself (ffmpeg's SDP input listens on the port the SDP names, and the next one).
 * Found by binding and releasing: another process may take them in between, which the caller
 * notices when the child does not come up (it then tries another pair).
 */
export async function freeUdpPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await bind(0);
    if (!first) continue;
    const port = first.address().port;
    const second = port < 65535 ? await bind(port + 1) : null;
    first.close();
    second?.close();
    if (second) return port;
  }
  throw new Error('no free pair of UDP ports for a recorder');
}

/** Whether some socket on this machine is bound to UDP `port` (Linux /proc/net/udp{,6}). */
export async function udpPortBound(port: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const local = line.trim().split(/\s+/)[1];
      if (local && `${local} `.endsWith(hex)) return true;
    }
  }
  return false;
}
