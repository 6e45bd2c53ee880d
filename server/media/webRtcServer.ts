import { randomInt } from 'node:crypto';
import type { TransportListenInfo, WebRtcServer, Worker } from 'mediasoup/types';
import type { Config } from '../config.ts';

/** Each worker's WebRtcServer (server mode): its transports share its one UDP and one TCP port. */
const servers = new WeakMap<Worker, WebRtcServer>();

/** Tries at free ports from the range before giving up (port 0): collisions are rare, so few are needed. */
const FREE_PORT_ATTEMPTS = 20;

export function webRtcServerOf(worker: Worker): WebRtcServer | undefined {
  return servers.get(worker);
}

export function webRtcServerListenInfos(config: Config['mediasoup'], port: number): TransportListenInfo[] {
  return (['udp', 'tcp'] as const).map((protocol) => {
    const info: TransportListenInfo = { protocol, ip: config.listenIp, port };
    if (config.announcedAddress) info.announcedAddress = config.announcedAddress;
    return info;
  });
}

/**
 * Opens the worker's WebRtcServer with UDP and TCP on `port`, or, for port 0, on a free port of
 * `minPort…maxPort` (the same number for both, so a firewall rule names one port per worker).
 * Resolves with the port. The server closes with its worker.
 */
export async function openWebRtcServer(worker: Worker, config: Config['mediasoup'], port: number): Promise<number> {
  if (port !== 0) {
    servers.set(worker, await worker.createWebRtcServer({ listenInfos: webRtcServerListenInfos(config, port) }));
    return port;
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
    const candidate = randomInt(config.minPort, config.maxPort + 1);
    try {
      servers.set(worker, await worker.createWebRtcServer({ listenInfos: webRtcServerListenInfos(config, candidate) }));
      return candidate;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('address already in use')) throw error;
      lastError = error;
    }
  }
  throw lastError;
}
