import { Device } from 'mediasoup-client';
import type { types as msTypes } from 'mediasoup-client';
import type { MediaCapabilities } from '@protocol/api.ts';
import { apiFetch } from './api.ts';

export interface PreloadedDevice {
  device: Device;
  /** The capabilities' id; room.join says whether the room has the same (it does unless codecs changed). */
  capabilitiesId: string;
}

let pending: Promise<PreloadedDevice | null> | null = null;

/**
 * Loads a mediasoup Device with the deployment's router capabilities while the person is still
 * on the pre-join screen, so pressing "join" skips asking the room for them and loading the
 * Device (a browser round of SDP). Best effort: on any failure the join loads its own.
 */
export function preloadDevice(): void {
  pending ??= (async () => {
    const caps = await apiFetch<MediaCapabilities>('/media/capabilities', { token: null });
    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: caps.rtpCapabilities as unknown as msTypes.RtpCapabilities });
    return { device, capabilitiesId: caps.id };
  })().catch((error: unknown) => {
    console.warn('[media] could not preload the media device', error);
    return null;
  });
}

/** The preloaded Device, once (null if none was asked for or it failed); waits for one still loading. */
export async function takePreloadedDevice(): Promise<PreloadedDevice | null> {
  const taken = pending;
  pending = null;
  return taken ?? null;
}
