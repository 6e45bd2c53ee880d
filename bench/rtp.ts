/**
 * Minimal RTP/RTCP helpers for synthetic media: realistic-looking VP8 and Opus RTP packets,
 * and detection of keyframe requests (RTCP PLI / FIR) coming back from the SFU.
 *
 * Packets are sent as [header, payload] iovecs: the header is fresh per packet, the payload
 * is a shared immutable template (so no per-packet payload copies in the sender).
 */

export const RTP_HEADER_BYTES = 12;
/** VP8 payload descriptor as Chrome sends it: X=1, S, PID=0; I=1; 15-bit PictureID. */
export const VP8_DESCRIPTOR_BYTES = 4;

function filledPayload(bytes: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    // xorshift32: incompressible-looking bytes, like real encoded media
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/**
 * VP8 payload (after the payload descriptor) templates. The first packet of a frame starts
 * with the VP8 frame tag: bit 0 is the inverse keyframe flag (0 = keyframe, which is what
 * mediasoup's VP8 parser checks, together with S=1 and PID=0). Keyframes carry the start code
 * 9d 01 2a and 640x360 dimensions.
 */
export function vp8PayloadTemplates(payloadBytes: number): { keyStart: Buffer; deltaStart: Buffer; cont: Buffer } {
  const keyStart = filledPayload(payloadBytes, 0x1234);
  keyStart[0] = 0x10; // P=0 (keyframe), version 0, show_frame=1
  keyStart[3] = 0x9d;
  keyStart[4] = 0x01;
  keyStart[5] = 0x2a;
  keyStart.writeUInt16LE(640, 6);
  keyStart.writeUInt16LE(360, 8);
  const deltaStart = filledPayload(payloadBytes, 0x5678);
  deltaStart[0] = 0x11; // P=1 (interframe), show_frame=1
  const cont = filledPayload(payloadBytes, 0x9abc);
  return { keyStart, deltaStart, cont };
}

/** Opus payload: TOC byte (config 31 = CELT FB 20 ms, mono, 1 frame) + encoded-looking bytes. */
export function opusPayloadTemplate(payloadBytes: number): Buffer {
  const b = filledPayload(payloadBytes, 0xdef0);
  b[0] = 0xf8;
  return b;
}

export function writeRtpHeader(buf: Buffer, pt: number, marker: boolean, seq: number, timestamp: number, ssrc: number): void {
  buf[0] = 0x80; // V=2, no padding, no extension, CC=0
  buf[1] = (marker ? 0x80 : 0) | (pt & 0x7f);
  buf.writeUInt16BE(seq & 0xffff, 2);
  buf.writeUInt32BE(timestamp >>> 0, 4);
  buf.writeUInt32BE(ssrc >>> 0, 8);
}

/** RTP header + VP8 payload descriptor (X=1, S on the first packet of a frame, I=1, M=1 PictureID). */
export function vp8Header(pt: number, marker: boolean, seq: number, timestamp: number, ssrc: number, startOfFrame: boolean, pictureId: number): Buffer {
  const buf = Buffer.allocUnsafe(RTP_HEADER_BYTES + VP8_DESCRIPTOR_BYTES);
  writeRtpHeader(buf, pt, marker, seq, timestamp, ssrc);
  buf[12] = 0x80 | (startOfFrame ? 0x10 : 0); // X=1, N=0, S, PID=0
  buf[13] = 0x80; // I=1
  buf[14] = 0x80 | ((pictureId >> 8) & 0x7f); // M=1, PictureID high 7 bits
  buf[15] = pictureId & 0xff;
  return buf;
}

export function rtpHeader(pt: number, marker: boolean, seq: number, timestamp: number, ssrc: number): Buffer {
  const buf = Buffer.allocUnsafe(RTP_HEADER_BYTES);
  writeRtpHeader(buf, pt, marker, seq, timestamp, ssrc);
  return buf;
}

/** With rtcp-mux, RTCP packet types 192..223 sit where RTP would have marker=1 + PT 64..95 (RFC 5761). */
export function isRtcp(msg: Buffer): boolean {
  if (msg.length < 2) return false;
  const b1 = msg[1]!;
  return b1 >= 192 && b1 <= 223;
}

/** True if a (compound) RTCP packet contains a PLI (PSFB FMT 1) or FIR (PSFB FMT 4). */
export function hasKeyframeRequest(msg: Buffer): boolean {
  let off = 0;
  for (let i = 0; i < 32 && off + 4 <= msg.length; i++) {
    const b0 = msg[off]!;
    if (b0 >> 6 !== 2) return false;
    const fmt = b0 & 0x1f;
    const pt = msg[off + 1]!;
    if (pt === 206 && (fmt === 1 || fmt === 4)) return true;
    off += (msg.readUInt16BE(off + 2) + 1) * 4;
  }
  return false;
}
