import type { types as msTypes } from 'mediasoup-client';
import type { MediaSource, RequestInput } from '@protocol/signalling.ts';
import type { SignallingClient } from '../SignallingClient.ts';
import { markJoinPhase } from '../joinPhases.ts';

type RequestDtlsParameters = RequestInput<'transport.connect'>['dtlsParameters'];

export type TransportDirection = 'send' | 'recv';

/**
 * What both transports need: DTLS connect through signalling, their connection state reported,
 * and an ICE restart when the connection fails (a network change).
 */
export function wireTransport(
  transport: msTypes.Transport,
  direction: TransportDirection,
  signalling: SignallingClient,
  onState: (state: msTypes.ConnectionState) => void,
): void {
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    signalling
      .request('transport.connect', {
        transportId: transport.id,
        dtlsParameters: dtlsParameters as unknown as RequestDtlsParameters,
      })
      .then(() => callback())
      .catch((error: Error) => errback(error));
  });
  transport.on('connectionstatechange', (state) => {
    if (transport.closed) return;
    onState(state);
    if (state === 'failed') void restartIce(transport, signalling);
    if (state === 'connected') markJoinPhase(direction === 'send' ? 'send-connected' : 'recv-connected');
  });
  onState(transport.connectionState);
}

async function restartIce(transport: msTypes.Transport, signalling: SignallingClient): Promise<void> {
  try {
    const { iceParameters } = await signalling.request('transport.restartIce', { transportId: transport.id });
    if (!transport.closed) await transport.restartIce({ iceParameters: iceParameters as unknown as msTypes.IceParameters });
  } catch (error) {
    console.warn('[media] ICE restart failed', error);
  }
}

export interface ConsumerOwner {
  peerId: string;
  source: MediaSource;
  consumerId: string;
}

/**
 * A transport's stats as plain objects tagged with `transportDirection`; inbound-rtp entries also
 * carry their consumer's owner (by mid). mediasoup-client's bandwidth "probator" receiver
 * (padding only, never decodes) is left out.
 */
export async function transportStats(
  transport: msTypes.Transport | null,
  direction: TransportDirection,
  ownerByMid: ReadonlyMap<string, ConsumerOwner> = new Map(),
): Promise<Array<Record<string, unknown>>> {
  if (!transport || transport.closed) return [];
  const out: Array<Record<string, unknown>> = [];
  const report = await transport.getStats();
  report.forEach((stat: unknown) => {
    const plain = JSON.parse(JSON.stringify(stat)) as Record<string, unknown>;
    if (plain['type'] === 'inbound-rtp') {
      const mid = typeof plain['mid'] === 'string' ? plain['mid'] : undefined;
      if (mid === 'probator') return;
      const owner = mid === undefined ? undefined : ownerByMid.get(mid);
      if (owner) Object.assign(plain, owner);
    }
    plain['transportDirection'] = direction;
    out.push(plain);
  });
  return out;
}
