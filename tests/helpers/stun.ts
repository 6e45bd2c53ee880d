import { createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { crc32 } from 'node:zlib';
import type { IceParameters } from 'mediasoup/types';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([header, value, padding]);
}

/**
 * An ICE connectivity check as a controlling browser sends it to an ICE-lite server (RFC 8445):
 * USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY with the server's
 * password, FINGERPRINT.
 */
export function bindingRequest(server: IceParameters): Buffer {
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(0x6e0001ff, 0);
  let body = Buffer.concat([
    attribute(0x0006, Buffer.from(`${server.usernameFragment}:${randomBytes(4).toString('hex')}`)),
    attribute(0x0024, priority),
    attribute(0x802a, randomBytes(8)),
    attribute(0x0025, Buffer.alloc(0)),
  ]);
  const header = (length: number) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(BINDING_REQUEST, 0);
    h.writeUInt16BE(length, 2);
    h.writeUInt32BE(MAGIC_COOKIE, 4);
    transactionId.copy(h, 8);
    return h;
  };
  const transactionId = randomBytes(12);
  // MESSAGE-INTEGRITY covers the message so far, its length field counting the integrity attribute.
  const integrity = createHmac('sha1', server.password)
    .update(Buffer.concat([header(body.length + 24), body]))
    .digest();
  body = Buffer.concat([body, attribute(0x0008, integrity)]);
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE((crc32(Buffer.concat([header(body.length + 8), body])) ^ 0x5354554e) >>> 0, 0);
  body = Buffer.concat([body, attribute(0x8028, fingerprint)]);
  return Buffer.concat([header(body.length), body]);
}

function isBindingSuccess(packet: Buffer): boolean {
  return packet.length >= 20 && packet.readUInt16BE(0) === BINDING_SUCCESS && packet.readUInt32BE(4) === MAGIC_COOKIE;
}

/** Sends one connectivity check over UDP from 127.0.0.1; resolves with the local port once answered. */
export function stunCheckUdp(ip: string, port: number, server: IceParameters, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(new Error(`no STUN answer from udp ${ip}:${port}`)), timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      const local = error ? 0 : socket.address().port;
      socket.close();
      if (error) reject(error);
      else resolve(local);
    };
    socket.on('message', (packet) => {
      if (isBindingSuccess(packet)) finish();
    });
    socket.on('error', finish);
    socket.bind(0, '127.0.0.1', () => socket.send(bindingRequest(server), port, ip));
  });
}

/** The same over TCP with RFC 4571 framing (ICE-TCP); the connection stays open until `close()`. */
export function stunCheckTcp(ip: string, port: number, server: IceParameters, timeoutMs = 5000): Promise<{ localPort: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no STUN answer from tcp ${ip}:${port}`));
    }, timeoutMs);
    let received = Buffer.alloc(0);
    socket.on('connect', () => {
      const packet = bindingRequest(server);
      const frame = Buffer.alloc(2);
      frame.writeUInt16BE(packet.length, 0);
      socket.write(Buffer.concat([frame, packet]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      clearTimeout(timer);
      if (!isBindingSuccess(received.subarray(2))) {
        socket.destroy();
        reject(new Error('unexpected STUN answer over TCP'));
        return;
      }
      resolve({ localPort: socket.localPort!, close: () => socket.destroy() });
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
