import { badRequest } from '../errors.ts';

/**
 * Runs a mediasoup call that is fed client-supplied parameters. mediasoup rejects bad
 * parameters with TypeError (validation) or UnsupportedError (e.g. unknown codec);
 * those are client mistakes and become bad_request. Anything else propagates as is.
 */
export async function withClientInput<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TypeError || (error instanceof Error && error.name === 'UnsupportedError')) {
      throw badRequest(`${what}: ${error.message}`);
    }
    throw error;
  }
}
