import { z } from 'zod';
import { dtlsParameters } from './mediaTypes.ts';
import type { RtpCapabilities, SctpParameters } from './mediaTypes.ts';
import type { TransportOptions } from './signalling.ts';

/*
 * The pre-join connectivity check, shared by server and client. Before joining, the
 * browser opens a short-lived transport to the media server over HTTP (no socket.io: nobody in the
 * room sees it), connects it with a data channel, and reads which path ICE chose.
 *   POST   /api/connectivity/probe                         {}                  → ConnectivityProbe
 *   POST   /api/connectivity/probe/:probeId/connect        ProbeConnect        → 204
 *   POST   /api/connectivity/probe/:probeId/data-producer  ProbeDataProducer   → { id }
 *   DELETE /api/connectivity/probe/:probeId                                     → 204
 * Every call carries the caller's invitation token or staff login in `Authorization: Bearer`;
 * with several nodes, the follow-ups `?node=` (ConnectivityProbe.node).
 */

/** Nothing to say yet (an empty body is the same). */
export const probeCreateRequest = z.object({}).strict().default({});
export type ProbeCreateRequest = z.infer<typeof probeCreateRequest>;

export const probeConnectRequest = z.object({ dtlsParameters }).strict();
export type ProbeConnectRequest = z.infer<typeof probeConnectRequest>;

/** What mediasoup-client's `produceData` sends (SCTP stream 0..65534; unordered: one of the two limits). */
export const probeDataProducerRequest = z
  .object({
    sctpStreamParameters: z
      .object({
        streamId: z.number().int().min(0).max(65534),
        ordered: z.boolean().optional(),
        maxPacketLifeTime: z.number().int().min(0).max(65535).optional(),
        maxRetransmits: z.number().int().min(0).max(65535).optional(),
      })
      .strict(),
    label: z.string().max(64).optional(),
    protocol: z.string().max(64).optional(),
  })
  .strict();
export type ProbeDataProducerRequest = z.infer<typeof probeDataProducerRequest>;

/** The probe's transport: as a room's `transport.create` answer (with `iceServers` when TURN is configured), plus SCTP. */
export interface ProbeTransportOptions extends TransportOptions {
  sctpParameters: SctpParameters;
}

/** Ports a firewall must let out (to the media server, or to TURN), for the advice when nothing gets through. */
export interface PortRule {
  protocol: 'udp' | 'tcp';
  min: number;
  max: number;
}

export interface ConnectivityProbe {
  probeId: string;
  routerRtpCapabilities: RtpCapabilities;
  transport: ProbeTransportOptions;
  /** The probe closes itself this long after it was opened. */
  expiresInMs: number;
  ports: PortRule[];
  /**
   * Several nodes: the node holding the probe. The follow-up requests carry `?node=<id>`, which the
   * proxy routes to that node (as it does socket.io's); null with one node.
   */
  node: string | null;
}

export interface ProbeDataProducer {
  id: string;
}

/**
 * How the browser reached the media server: directly over UDP, directly over TCP (UDP blocked),
 * through the TURN relay, or not at all. `unchecked`: the check itself could not run (refused,
 * rate-limited, media server busy), which says nothing about the network.
 */
export const connectivityResults = ['udp', 'tcp', 'relay', 'failed', 'unchecked'] as const;
export type ConnectivityResult = (typeof connectivityResults)[number];
