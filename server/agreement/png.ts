import { inflateSync } from 'node:zlib';

/*
 * Strict check of an uploaded signature PNG before it is stored: signature, chunk lengths and
 * CRCs, IHDR first and IEND last, sane dimensions, and the IDAT stream inflates to exactly the
 * size the header promises. A file that passes renders in PDFKit (png-js) at finalisation.
 */
/** The 8-byte PNG signature every file starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as PNG chunks use it (over type + data). */
export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface PngInfo {
  width: number;
  height: number;
}

/** Throws an Error with a human-readable message when `buf` is not an acceptable PNG. */
export function validatePng(buf: Buffer, limits = { maxWidth: 2000, maxHeight: 1000 }): PngInfo {
  if (buf.length < 8 + 25 + 12 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file');
  let off = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = 0;
  let interlace = 0;
  const idat: Buffer[] = [];
  let sawIend = false;
  let first = true;
  while (off < buf.length) {
    if (off + 12 > buf.length) throw new Error('truncated PNG chunk');
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    if (off + 12 + len > buf.length) throw new Error('truncated PNG chunk');
    const body = buf.subarray(off + 8, off + 8 + len);
    if (crc32(buf.subarray(off + 4, off + 8 + len)) !== buf.readUInt32BE(off + 8 + len)) throw new Error(`bad CRC in ${type} chunk`);
    if (first) {
      if (type !== 'IHDR' || len !== 13) throw new Error('PNG must start with IHDR');
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      bitDepth = body[8]!;
      colorType = body[9]!;
      interlace = body[12]!;
      first = false;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') {
      sawIend = true;
      off += 12 + len;
      break;
    }
    off += 12 + len;
  }
  if (!sawIend || off !== buf.length) throw new Error('PNG must end with IEND');
  if (width < 1 || height < 1 || width > limits.maxWidth || height > limits.maxHeight) throw new Error('signature image has unacceptable dimensions');
  const channels = CHANNELS[colorType];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(bitDepth)) throw new Error('unsupported PNG colour type');
  if (interlace !== 0) throw new Error('interlaced PNG not accepted');
  if (idat.length === 0) throw new Error('PNG has no image data');
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: 16 * 1024 * 1024 });
  } catch {
    throw new Error('PNG image data is corrupt');
  }
  const rowBytes = Math.ceil((width * channels * bitDepth) / 8) + 1;
  if (raw.length !== rowBytes * height) throw new Error('PNG image data has the wrong size');
  return { width, height };
}

/** `data:image/png;base64,...` → bytes (the schema already checked the shape). */
export function pngFromDataUrl(dataUrl: string): Buffer {
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}
