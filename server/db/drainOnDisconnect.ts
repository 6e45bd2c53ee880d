/** What this needs of a Prisma client (either engine's); not `Db` itself, which is built with this. */
interface Disconnectable {
  $transaction: (...args: never[]) => Promise<unknown>;
  $disconnect(): Promise<void>;
}

/**
 * `$disconnect()` waits for the interactive transactions already started, and later ones are
 * refused. Without it, on PostgreSQL a transaction whose BEGIN is under way when the client
 * disconnects is abandoned by Prisma ("Unknown transaction status") without a ROLLBACK: its pool
 * connection is never released and `$disconnect()` (the pool's end) waits for it forever, so the
 * server never exits. A socket's leave record written as SIGTERM arrives is such a transaction.
 */
export function drainOnDisconnect<Db extends Disconnectable>(client: Db): Db {
  const running = new Set<Promise<unknown>>();
  let closing = false;
  const $transaction = ((...args: Parameters<Db['$transaction']>) => {
    if (closing) return Promise.reject(new Error('the database is closing'));
    const started = (client.$transaction as (...a: unknown[]) => Promise<unknown>)(...args);
    running.add(started);
    void started.finally(() => running.delete(started)).catch(() => {});
    return started;
  }) as Db['$transaction'];
  const $disconnect = async () => {
    closing = true;
    await Promise.allSettled([...running]);
    await client.$disconnect();
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === '$transaction') return $transaction;
      if (property === '$disconnect') return $disconnect;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
