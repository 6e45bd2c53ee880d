import { Device } from 'mediasoup-client';
import type { types as msTypes } from 'mediasoup-client';
import type { ConnectivityProbe, ConnectivityResult, PortRule, ProbeDataProducer } from '@protocol/connectivity.ts';
import { ApiError, apiFetch } from './api.ts';
import { selectedPath, statsOf } from './selectedPath.ts';

export interface ConnectivityReport {
  result: ConnectivityResult;
  /** What a firewall must let out, as the server says (absent when it could not be asked). */
  ports?: PortRule[];
}

export interface ConnectivityCheckOptions {
  /** The invitation token or staff login the room will be joined with. */
  token: string;
  /** How long ICE and DTLS may take before the check calls it failed (default 8 s). */
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 8000;

/**
 * The pre-join connection check: a throw-away transport to the media server (server/connectivity,
 * over HTTP, so nobody in the room sees it) with the room's own ICE settings and TURN servers.
 * A data channel makes the browser run ICE and DTLS; once connected, the selected candidate
 * pair says how (UDP, TCP, TURN relay). Closes the transport and the probe whatever happens.
 */
export class ConnectivityCheck {
  readonly #token: string;
  readonly #connectTimeoutMs: number;

  constructor(options: ConnectivityCheckOptions) {
    this.#token = options.token;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  async run(signal?: AbortSignal): Promise<ConnectivityReport> {
    let probe: ConnectivityProbe;
    try {
      probe = await this.#call<ConnectivityProbe>('', 'POST', {}, signal);
    } catch (error) {
      if (isAbort(error)) throw error;
      // No answer at all: the service is out of reach from here. Refused, limited, busy: not checked.
      return { result: error instanceof ApiError && error.code === 'network' ? 'failed' : 'unchecked' };
    }
    let transport: msTypes.Transport | undefined;
    try {
      const device = await Device.factory();
      await device.load({ routerRtpCapabilities: probe.routerRtpCapabilities as unknown as msTypes.RtpCapabilities });
      transport = device.createSendTransport(probe.transport as unknown as msTypes.TransportOptions);
      const t = transport;
      t.on('connect', ({ dtlsParameters }, callback, errback) => {
        this.#call(probePath(probe, '/connect'), 'POST', { dtlsParameters }, signal).then(() => callback(), errback);
      });
      t.on('producedata', ({ sctpStreamParameters, label, protocol }, callback, errback) => {
        this.#call<ProbeDataProducer>(probePath(probe, '/data-producer'), 'POST', { sctpStreamParameters, label, protocol }, signal).then(
          ({ id }) => callback({ id }),
          errback,
        );
      });
      const connected = this.#connected(t, signal);
      // Opening the data channel is what starts ICE and DTLS on a send transport.
      await Promise.all([t.produceData({ label: 'connectivity-check', ordered: true }), connected]);
      // The stats may trail the 'connected' event by a moment on a busy device: ask a few times.
      let path = selectedPath(statsOf(await t.getStats()));
      for (let i = 0; path === null && i < 10 && !signal?.aborted; i++) {
        await new Promise((resolve) => window.setTimeout(resolve, 100));
        path = selectedPath(statsOf(await t.getStats()));
      }
      return { result: path ?? 'failed', ports: probe.ports };
    } catch (error) {
      if (isAbort(error) || signal?.aborted) throw abortError();
      return { result: 'failed', ports: probe.ports };
    } finally {
      transport?.close();
      // Best effort: the probe closes itself shortly anyway.
      this.#call(probePath(probe, ''), 'DELETE', undefined).catch(() => undefined);
    }
  }

  /** Resolves once ICE and DTLS are up; rejects on failure, after the timeout, or on abort. */
  #connected(transport: msTypes.Transport, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        transport.off('connectionstatechange', onState);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onState = (state: msTypes.ConnectionState) => {
        if (state === 'connected') done();
        else if (state === 'failed' || state === 'closed') done(new Error(`transport ${state}`));
      };
      const onAbort = () => done(abortError());
      const timer = setTimeout(() => done(new Error('timed out')), this.#connectTimeoutMs);
      transport.on('connectionstatechange', onState);
      signal?.addEventListener('abort', onAbort);
      if (signal?.aborted) onAbort();
    });
  }

  #call<T>(path: string, method: 'POST' | 'DELETE', body: unknown, signal?: AbortSignal): Promise<T> {
    return apiFetch<T>(`/connectivity/probe${path}`, {
      method,
      ...(body === undefined ? {} : { body }),
      token: this.#token,
      ...(signal ? { signal } : {}),
    });
  }
}

const enc = encodeURIComponent;

/** A follow-up's path; with several nodes it names the node holding the probe (the proxy routes `?node=` there). */
function probePath(probe: ConnectivityProbe, path: string): string {
  return `/${enc(probe.probeId)}${path}${probe.node ? `?node=${enc(probe.node)}` : ''}`;
}

function abortError(): DOMException {
  return new DOMException('The check was cancelled', 'AbortError');
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
