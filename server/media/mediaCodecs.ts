import type { RouterRtpCodecCapability, TransportListenInfo, WebRtcServer, WebRtcTransportOptions } from 'mediasoup/types';
import type { Config } from '../config.ts';

/** Codecs every room's router offers; browsers negotiate a subset of these. */
export const mediaCodecs: RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032', 'level-asymmetry-allowed': 1 },
  },
];

/** What the server first assumes it may send a browser, before bandwidth estimation kicks in. */
export const INITIAL_AVAILABLE_OUTGOING_BITRATE = 1_000_000;
/** Cap on what one transport may send us (set after creation with setMaxIncomingBitrate). */
export const MAX_INCOMING_BITRATE = 1_500_000;

export function listenInfos(config: Config['mediasoup']): TransportListenInfo[] {
  return (['udp', 'tcp'] as const).map((protocol) => {
    const info: TransportListenInfo = {
      protocol,
      ip: config.listenIp,
      portRange: { min: config.minPort, max: config.maxPort },
    };
    if (config.announcedAddress) info.announcedAddress = config.announcedAddress;
    return info;
  });
}

/**
 * Options for `router.createWebRtcTransport()`: UDP preferred, TCP as a fallback for strict networks.
 * On the worker's WebRtcServer when it has one (server mode), else on ports of their own (range mode).
 */
export function webRtcTransportOptions(
  config: Config['mediasoup'],
  appData: Record<string, unknown> = {},
  webRtcServer?: WebRtcServer,
): WebRtcTransportOptions {
  return {
    ...(webRtcServer ? { webRtcServer } : { listenInfos: listenInfos(config) }),
    enableUdp: true,
    enableTcp: true,
    preferUdp: true,
    initialAvailableOutgoingBitrate: INITIAL_AVAILABLE_OUTGOING_BITRATE,
    appData,
  };
}
