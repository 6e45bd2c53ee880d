/**
 * Which simulcast layer a remote video tile needs. Camera video is sent in two layers
 * (r0: half resolution, r1: full; see videoProduceOptions): a tile under SMALL_TILE_PX wide,
 * or any tile on a phone-sized viewport, gets the small one. The server may still go lower
 * on a weak downlink; it never goes above what the client asked for.
 */
export const SMALL_TILE_PX = 320;
export const PHONE_VIEWPORT_PX = 600;

export function preferredSpatialLayer(tileWidth: number, viewportWidth: number): 0 | 1 {
  if (viewportWidth > 0 && viewportWidth < PHONE_VIEWPORT_PX) return 0;
  return tileWidth < SMALL_TILE_PX ? 0 : 1;
}
