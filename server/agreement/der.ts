/**
 * Minimal DER reader/writer for the CMS structures of the PDF seal. Only definite lengths
 * (DER), single-byte tags; enough for CMS SignedData and X.509.
 */

export interface Tlv {
  tag: number;
  /** Offset of the tag byte in the source buffer. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the element. */
  end: number;
  /** The whole element (tag, length, content). */
  raw: Buffer;
  content: Buffer;
}

export class DerError extends Error {
  constructor(message: string) {
    super(`DER: ${message}`);
    this.name = 'DerError';
  }
}

export function readTlv(buf: Buffer, offset = 0, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len === 0x80) throw new DerError('indefinite length is not DER');
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || p + n > limit) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  const end = p + len;
  if (end > limit) throw new DerError('element runs past its container');
  return { tag, start: offset, contentStart: p, end, raw: buf.subarray(offset, end), content: buf.subarray(p, end) };
}

/** The children of a constructed element. */
export function children(el: Tlv): Tlv[] {
  const out: Tlv[] = [];
  const buf = el.raw;
  let p = el.contentStart - el.start;
  while (p < buf.length) {
    const child = readTlv(buf, p);
    out.push(child);
    p = child.end;
  }
  return out;
}

/** Reads exactly one element from `buf` and returns it (trailing bytes allowed only if `allowTrailing`). */
export function parseDer(buf: Buffer, allowTrailing = false): Tlv {
  const el = readTlv(buf, 0);
  if (!allowTrailing && el.end !== buf.length) throw new DerError('trailing bytes');
  return el;
}

export function decodeOid(content: Buffer): string {
  const parts: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join('.');
}

/** UTCTime or GeneralizedTime (Z form) to a Date. */
export function decodeTime(el: Tlv): Date {
  const s = el.content.toString('latin1');
  let m: RegExpMatchArray | null;
  if (el.tag === 0x17 && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (el.tag === 0x18 && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new DerError('unsupported time encoding');
}

// --- writer ----------------------------------------------------------------------------------

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
/** DER SET OF: elements sorted by their encodings. */
export const setOf = (...c: Buffer[]): Buffer => tlv(0x31, ...[...c].sort(Buffer.compare));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
export const integer = (n: number): Buffer => tlv(0x02, Buffer.from([n]));

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out: number[] = [a! * 40 + b!];
  for (const n of rest) {
    const bytes: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5652 §11.3). */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const y = date.getUTCFullYear();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(digits.slice(2) + 'Z', 'latin1'));
  return tlv(0x18, Buffer.from(digits + 'Z', 'latin1'));
}
