import { io, type Socket } from 'socket.io-client';
import type { ErrorCode, ErrorParams, ErrorReason, WireError } from '@protocol/errors.ts';
import type {
  ClientToServerEvents,
  HandshakeAuth,
  NotificationMap,
  NotificationName,
  RequestInput,
  RequestName,
  RequestResult,
  ResponseMap,
  ServerNotification,
  ServerToClientEvents,
} from '@protocol/signalling.ts';
import { isWireError } from './ApiError.ts';

export type SignallingErrorCode = ErrorCode | 'timeout' | 'disconnected';

/** A refused request or handshake, with the server's wire error code. */
export class RequestError extends Error {
  readonly code: SignallingErrorCode;
  readonly details: Record<string, string> | undefined;
  readonly request: string | undefined;
  readonly reason: ErrorReason | undefined;
  readonly params: ErrorParams | undefined;

  constructor(
    code: SignallingErrorCode,
    message: string,
    options: { details?: Record<string, string>; request?: string; reason?: ErrorReason; params?: ErrorParams } = {},
  ) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    this.details = options.details;
    this.request = options.request;
    this.reason = options.reason;
    this.params = options.params;
  }

  static fromWire(wire: WireError, request?: string): RequestError {
    return new RequestError(wire.code, wire.message, {
      ...(wire.details ? { details: wire.details } : {}),
      ...(request ? { request } : {}),
      ...(wire.reason ? { reason: wire.reason } : {}),
      ...(wire.params ? { params: wire.params } : {}),
    });
  }
}

/** Handshake refusals that say "not now" rather than "not you": asked again while reconnecting. */
const transientRefusals = new Set<SignallingErrorCode>(['internal', 'unavailable', 'too_many_requests', 'disconnected']);

export type SignallingStatus = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

type NotificationHandler<N extends NotificationName> = (data: NotificationMap[N]) => void;

export interface SignallingOptions {
  /** Server URL; same origin by default. */
  url?: string;
  requestTimeoutMs?: number;
}

/**
 * The socket.io connection to the signalling server: typed requests with acks,
 * typed notifications, and connection status. No media, no React.
 */
export class SignallingClient {
  readonly #socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly #timeoutMs: number;
  readonly #handlers = new Map<NotificationName, Set<(data: unknown) => void>>();
  readonly #statusListeners = new Set<(status: SignallingStatus, error?: RequestError) => void>();
  #status: SignallingStatus = 'connecting';
  #lastError: RequestError | undefined;
  /** The server asked for a fresh handshake (`room.closed` 'reconnect'): its disconnect is not the end. */
  #reconnectRequested = false;
  /** Next handshake after a transient refusal (see transientRefusals), and its back-off. */
  #refusalRetry: ReturnType<typeof setTimeout> | undefined;
  #refusalDelayMs = 0;
  /** Redirects to another node (`wrong_node`) since the last connection; bounded so two nodes that disagree cannot spin us. */
  #redirects = 0;

  constructor(auth: HandshakeAuth, options: SignallingOptions = {}) {
    this.#timeoutMs = options.requestTimeoutMs ?? 15_000;
    const socketOptions = {
      auth,
      autoConnect: false,
      // WebSocket first (fewer round trips); long-polling if a proxy or network blocks it.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
    };
    this.#socket = options.url ? io(options.url, socketOptions) : io(socketOptions);

    this.#socket.on('connect', () => {
      this.#refusalDelayMs = 0;
      this.#redirects = 0;
      this.#setStatus('connected');
    });
    this.#socket.on('disconnect', (reason) => {
      if (this.#status === 'closed') return;
      if (this.#reconnectRequested && reason === 'io server disconnect') {
        this.#reconnectRequested = false;
        this.#setStatus('reconnecting');
        this.#socket.connect();
        return;
      }
      // The server (or we) closed the socket on purpose: socket.io will not reconnect by itself.
      if (reason === 'io server disconnect' || reason === 'io client disconnect') this.#setStatus('closed');
      else this.#setStatus('reconnecting');
    });
    this.#socket.on('connect_error', (error: Error & { data?: unknown }) => {
      const data = error.data;
      const wire: WireError | undefined = isWireError(data) ? data : undefined;
      const rpcError = wire
        ? RequestError.fromWire(wire, 'handshake')
        : new RequestError('disconnected', error.message || 'Connection failed', { request: 'handshake' });
      this.#lastError = rpcError;
      if (rpcError.code === 'wrong_node' && typeof rpcError.params?.node === 'string') {
        this.#followToNode(rpcError.params.node, rpcError);
        return;
      }
      // The node we were sent to does not answer (it may have died): the next try goes to any
      // node, which either holds the room now or sends us on.
      if (!wire && this.#nodeHint() !== undefined) this.#setNodeHint(undefined);
      if (this.#socket.active) {
        this.#setStatus('reconnecting', rpcError);
        return;
      }
      // A refusal by the server's middleware stops socket.io's retries (socket.active is false).
      // While reconnecting, a server that is starting up or overloaded is asked again, later.
      if (this.#status === 'reconnecting' && transientRefusals.has(rpcError.code) && !this.#refusalRetry) {
        this.#refusalDelayMs = Math.min(10_000, Math.max(1000, this.#refusalDelayMs * 2));
        this.#refusalRetry = setTimeout(() => {
          this.#refusalRetry = undefined;
          if (this.#status === 'reconnecting') this.#socket.connect();
        }, this.#refusalDelayMs);
        this.#setStatus('reconnecting', rpcError);
        return;
      }
      this.#setStatus('failed', rpcError);
    });
    this.#socket.on('notification', (notification: ServerNotification) => {
      const handlers = this.#handlers.get(notification.name);
      if (!handlers) return;
      for (const handler of [...handlers]) {
        try {
          handler(notification.data);
        } catch (error) {
          console.error(`[signalling] handler for ${notification.name} failed`, error);
        }
      }
    });
  }

  get status(): SignallingStatus {
    return this.#status;
  }

  get lastError(): RequestError | undefined {
    return this.#lastError;
  }

  /** True when the last (re)connection resumed the previous session (socket.io connection-state recovery). */
  get recovered(): boolean {
    return this.#socket.recovered;
  }

  /** The server will disconnect this socket and wants a fresh handshake: reconnect when it does. */
  expectReconnect(): void {
    this.#reconnectRequested = true;
  }

  /** Connects; resolves once connected, rejects if the server refuses the handshake. */
  connect(): Promise<void> {
    if (this.#socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.onStatus((status, error) => {
        if (status === 'connected') {
          off();
          resolve();
        } else if (status === 'failed' || status === 'closed') {
          off();
          reject(error ?? new RequestError('disconnected', 'Connection closed'));
        }
      });
      this.#setStatus('connecting');
      this.#socket.connect();
    });
  }

  /** Sends a request and waits for its ack; throws RequestError on refusal, timeout or disconnect. */
  request<N extends RequestName>(name: N, data: RequestInput<N>): Promise<ResponseMap[N]> {
    return new Promise((resolve, reject) => {
      if (!this.#socket.connected) {
        reject(new RequestError('disconnected', 'Not connected', { request: name }));
        return;
      }
      this.#socket.timeout(this.#timeoutMs).emit('request', { name, data }, (error: Error | null, result: RequestResult<unknown>) => {
        if (error) {
          // socket.io fails pending acks when the socket drops: the answer is lost, not late.
          reject(
            this.#socket.connected
              ? new RequestError('timeout', `Request ${name} timed out`, { request: name })
              : new RequestError('disconnected', `Disconnected during ${name}`, { request: name }),
          );
          return;
        }
        if (result.ok) resolve(result.data as ResponseMap[N]);
        else reject(RequestError.fromWire(result.error, name));
      });
    });
  }

  /** Subscribes to one notification; returns the unsubscribe function. */
  on<N extends NotificationName>(name: N, handler: NotificationHandler<N>): () => void {
    let set = this.#handlers.get(name);
    if (!set) {
      set = new Set();
      this.#handlers.set(name, set);
    }
    const wrapped = handler as (data: unknown) => void;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  onStatus(listener: (status: SignallingStatus, error?: RequestError) => void): () => void {
    this.#statusListeners.add(listener);
    return () => {
      this.#statusListeners.delete(listener);
    };
  }

  close(): void {
    clearTimeout(this.#refusalRetry);
    this.#setStatus('closed');
    this.#socket.removeAllListeners();
    this.#socket.disconnect();
    this.#handlers.clear();
  }

  /**
   * Several nodes: the session's room lives on `node`; the proxy routes `?node=` to it. Followed
   * without the user doing anything; the status stays connecting/reconnecting meanwhile.
   */
  #followToNode(node: string, error: RequestError): void {
    this.#setNodeHint(node);
    this.#redirects += 1;
    const delayMs = this.#redirects <= 3 ? 0 : Math.min(5000, 500 * this.#redirects);
    if (this.#status !== 'connecting') this.#setStatus('reconnecting', error);
    clearTimeout(this.#refusalRetry);
    this.#refusalRetry = setTimeout(() => {
      this.#refusalRetry = undefined;
      if (this.#status !== 'closed' && !this.#socket.connected) this.#socket.connect();
    }, delayMs);
  }

  #nodeHint(): string | undefined {
    const query = this.#socket.io.opts.query as Record<string, string> | undefined;
    return query?.node;
  }

  #setNodeHint(node: string | undefined): void {
    const query = { ...((this.#socket.io.opts.query as Record<string, string> | undefined) ?? {}) };
    if (node === undefined) delete query.node;
    else query.node = node;
    this.#socket.io.opts.query = query;
  }

  #setStatus(status: SignallingStatus, error?: RequestError): void {
    if (this.#status === 'closed' && status !== 'closed') return;
    this.#status = status;
    for (const listener of [...this.#statusListeners]) listener(status, error);
    if (status === 'closed') this.#statusListeners.clear();
  }
}
