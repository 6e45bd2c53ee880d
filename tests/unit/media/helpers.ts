import assert from 'node:assert/strict';
import { after } from 'node:test';
import * as mediasoup from 'mediasoup';
import type { DtlsParameters, RtpParameters, Worker } from 'mediasoup/types';
import type { Config } from '../../../server/config.ts';
import { AppError } from '../../../server/errors.ts';
import { createLogger, setLogLevel, type Logger } from '../../../server/logger.ts';
import { Peer } from '../../../server/media/Peer.ts';
import type { EventMap, TypedEmitter } from '../../../server/media/TypedEmitter.ts';
import type { ErrorCode } from '../../../server/protocol/errors.ts';
import { until as untilShared } from '../../helpers/wait.ts';

setLogLevel((process.env.TEST_LOG_LEVEL as 'debug' | 'info' | 'warn' | 'error' | undefined) ?? 'silent');

export const log: Logger = createLogger('test');

/**
 * A port range of its own, so these tests do not collide with a dev server on 40000-40999; server
 * mode (the default) with each worker's WebRtcServer on a free port of that range.
 */
export function mediaConfig(numWorkers = 1): Config['mediasoup'] {
  return { numWorkers, listenIp: '127.0.0.1', announcedAddress: undefined, portMode: 'server', port: 0, minPort: 47000, maxPort: 47999 };
}

const workers: Worker[] = [];

/** A worker closed at the end of the test file whatever happens, so a failing test cannot hang the run. */
export async function createWorker(): Promise<Worker> {
  const c = mediaConfig();
  const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: c.minPort, rtcMaxPort: c.maxPort });
  workers.push(worker);
  return worker;
}

after(() => {
  for (const worker of workers) worker.close();
});

let identityCounter = 0;

export function makePeer(overrides: { identity?: string; displayName?: string; role?: 'mediator' | 'party' } = {}): Peer {
  return new Peer({
    identity: overrides.identity ?? `person-${++identityCounter}`,
    info: {
      role: overrides.role ?? 'party',
      displayName: overrides.displayName ?? `Person ${identityCounter}`,
      side: overrides.role === 'mediator' ? null : 'applicant',
      department: null,
    },
    log,
  });
}

let ssrc = 10_000;

/** VP8 send parameters as a browser would produce them (one or `layers` simulcast encodings). */
export function vp8Parameters(layers = 1): RtpParameters {
  return {
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 101,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      },
    ],
    encodings: Array.from({ length: layers }, () => ({ ssrc: ++ssrc })),
    rtcp: { cname: `video-${ssrc}` },
  };
}

export function opusParameters(): RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc: ++ssrc }],
    rtcp: { cname: `audio-${ssrc}` },
  };
}

export const clientDtls: DtlsParameters = {
  role: 'client',
  fingerprints: [
    {
      algorithm: 'sha-256',
      value: Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':'),
    },
  ],
};

/** Asserts that `promise` (or `fn`) fails with an AppError of `code`. */
export async function rejectsWith(code: ErrorCode, action: Promise<unknown> | (() => unknown)): Promise<void> {
  const check = (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError(${code}), got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
  if (typeof action === 'function') {
    let result: unknown;
    try {
      result = action();
    } catch (error) {
      check(error);
      return;
    }
    await assert.rejects(Promise.resolve(result), check);
    return;
  }
  await assert.rejects(action, check);
}

/** Resolves when `predicate` holds, polling every 10 ms; fails after `timeoutMs`. */
export const until = (predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> => untilShared(predicate, what, timeoutMs, 10);

/** Resolves with the arguments of the next `event` of a media-layer emitter. */
export function nextEvent<E extends EventMap<E>, K extends keyof E>(emitter: TypedEmitter<E>, event: K, timeoutMs = 5000): Promise<E[K]> {
  return new Promise<E[K]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for '${String(event)}'`)), timeoutMs);
    emitter.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Records every emission of the given events, in order, as [event, ...args]. */
export function record<E extends EventMap<E>>(emitter: TypedEmitter<E>, events: Array<keyof E>): Array<[keyof E, ...unknown[]]> {
  const seen: Array<[keyof E, ...unknown[]]> = [];
  for (const event of events) emitter.on(event, (...args) => seen.push([event, ...args]));
  return seen;
}
