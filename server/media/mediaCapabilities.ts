import { createHash } from 'node:crypto';
import type { RtpCapabilities, Worker } from 'mediasoup/types';
import type { MediaCapabilities } from '../protocol/api.ts';
import { mediaCodecs } from './mediaCodecs.ts';

/**
 * Names a set of router RTP capabilities. Every room of a deployment has the same ones
 * (mediaCodecs is one constant, and mediasoup derives payload types from it deterministically),
 * so a page can load its mediasoup Device before joining and check at room.join that the room's
 * capabilities are the ones it loaded.
 */
export function capabilitiesId(rtpCapabilities: RtpCapabilities): string {
  return createHash('sha256').update(JSON.stringify(rtpCapabilities)).digest('hex').slice(0, 16);
}

/** The capabilities of a router made with this deployment's codecs (a throwaway router on `worker`). */
export async function readMediaCapabilities(worker: Worker): Promise<MediaCapabilities> {
  const router = await worker.createRouter({ mediaCodecs });
  try {
    return { rtpCapabilities: router.rtpCapabilities as MediaCapabilities['rtpCapabilities'], id: capabilitiesId(router.rtpCapabilities) };
  } finally {
    router.close();
  }
}
