import { io, type Socket } from 'socket.io-client';
import type { WireError } from '../../server/protocol/errors.ts';
import type {
  ClientToServerEvents,
  HandshakeAuth,
  RequestInput,
  RequestName,
  RequestResult,
  ResponseMap,
  ServerNotification,
  ServerToClientEvents,
} from '../../server/protocol/signalling.ts';

export interface TestSocket {
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  notifications: ServerNotification[];
  /** Sends a request and returns the raw typed result (ok or error). */
  send<N extends RequestName>(name: N, data: RequestInput<N> | Record<string, unknown>): Promise<RequestResult<ResponseMap[N]>>;
  /** Sends anything at all, for tests of malformed requests. */
  sendRaw(request: unknown): Promise<RequestResult<unknown>>;
  /** Sends a request and throws on error. */
  request<N extends RequestName>(name: N, data: RequestInput<N>): Promise<ResponseMap[N]>;
  waitFor<N extends ServerNotification['name']>(name: N, timeoutMs?: number): Promise<Extract<ServerNotification, { name: N }>>;
  close(): void;
}

/** Connects; rejects with the server's WireError when the handshake is refused. */
export function connectSocket(
  baseUrl: string,
  auth: HandshakeAuth | Record<string, unknown> | undefined,
  options: { reconnection?: boolean; query?: Record<string, string> } = {},
): Promise<TestSocket> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseUrl, {
    auth: auth ?? {},
    // Several nodes: `{ node }` asks the proxy for that node (?node=), as the browser client does after `wrong_node`.
    ...(options.query ? { query: options.query } : {}),
    transports: ['websocket'],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    forceNew: true,
    timeout: 5000,
  });
  const notifications: ServerNotification[] = [];
  socket.on('notification', (n) => notifications.push(n));

  const sendRaw = (request: unknown) =>
    new Promise<RequestResult<unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('request timed out')), 10_000);
      (socket.emit as (ev: string, ...args: unknown[]) => void)('request', request, (result: RequestResult<unknown>) => {
        clearTimeout(timer);
        resolve(result);
      });
    });

  const client: TestSocket = {
    socket,
    notifications,
    send: (name, data) => sendRaw({ name, data }) as Promise<RequestResult<ResponseMap[typeof name]>>,
    sendRaw,
    async request(name, data) {
      const result = await client.send(name, data);
      if (!result.ok) throw Object.assign(new Error(`${name}: ${result.error.code} ${result.error.message}`), { wire: result.error });
      return result.data;
    },
    waitFor(name, timeoutMs = 5000) {
      const found = notifications.find((n) => n.name === name);
      if (found) return Promise.resolve(found as never);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off('notification', listener);
          reject(new Error(`no ${name} notification within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (n: ServerNotification) => {
          if (n.name !== name) return;
          clearTimeout(timer);
          socket.off('notification', listener);
          resolve(n as never);
        };
        socket.on('notification', listener);
      });
    },
    close: () => socket.disconnect(),
  };

  // Only the first connection settles this; later reconnection errors belong to the test.
  return new Promise((resolve, reject) => {
    const onError = (error: Error & { data?: WireError }) => {
      socket.off('connect', onConnect);
      socket.disconnect();
      reject(Object.assign(new Error(error.message), { wire: error.data }));
    };
    const onConnect = () => {
      socket.off('connect_error', onError);
      resolve(client);
    };
    socket.once('connect', onConnect);
    socket.once('connect_error', onError);
  });
}

/** The server's WireError for a handshake that must be refused; fails the test if it was accepted. */
export async function handshakeRefusal(promise: Promise<TestSocket>): Promise<WireError> {
  let socket: TestSocket;
  try {
    socket = await promise;
  } catch (error) {
    const wire = (error as { wire?: WireError }).wire;
    if (!wire) throw new Error(`expected a wire error, got ${String(error)}`, { cause: error });
    return wire;
  }
  socket.close();
  throw new Error('the handshake was accepted');
}
