import { z } from 'zod';
import { AppError, forbidden, toWireError, zodDetails } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { requestSchemas, type RequestData, type RequestName, type RequestResult, type ResponseMap } from '../protocol/signalling.ts';
import { isAllowed, type SocketRole } from './permissions.ts';

export type RequestHandlers = {
  [N in RequestName]: (data: RequestData<N>) => Promise<ResponseMap[N]> | ResponseMap[N];
};

function isRequestName(name: string): name is RequestName {
  return Object.hasOwn(requestSchemas, name);
}

const envelope = z.object({ name: z.string().max(64), data: z.unknown() });

async function run<N extends RequestName>(handlers: RequestHandlers, name: N, raw: unknown): Promise<ResponseMap[N]> {
  const parsed = requestSchemas[name].safeParse(raw ?? {});
  if (!parsed.success) throw new AppError('bad_request', `Invalid data for ${name}`, zodDetails(parsed.error));
  // TypeScript cannot correlate handlers[name] with N; the schema above already narrowed the data.
  const handler = handlers[name] as (data: RequestData<N>) => Promise<ResponseMap[N]> | ResponseMap[N];
  return handler(parsed.data as RequestData<N>);
}

/**
 * The one path every socket request takes: known name → role allowed → data validated → handler.
 * Whatever happens, the client gets a typed result and never a raw Error.
 */
export async function dispatch(handlers: RequestHandlers, role: SocketRole, request: unknown, log: Logger): Promise<RequestResult<unknown>> {
  try {
    const parsed = envelope.safeParse(request);
    if (!parsed.success) throw new AppError('bad_request', 'A request is { name, data }');
    const { name, data } = parsed.data;
    if (!isRequestName(name)) throw new AppError('bad_request', `Unknown request ${JSON.stringify(name)}`);
    if (!isAllowed(name, role)) throw forbidden(`${name} is not allowed for role ${role}`);
    return { ok: true, data: await run(handlers, name, data) };
  } catch (error) {
    const wire = mapMediaErrors(error);
    if (wire.unexpected) log.error('request failed', { error });
    return { ok: false, error: wire.body };
  }
}

/** mediasoup reports bad parameters as TypeError and unknown ids as Error; both are the client's doing. */
function mapMediaErrors(error: unknown) {
  if (error instanceof TypeError) {
    return toWireError(new AppError('bad_request', error.message));
  }
  return toWireError(error);
}
