import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/**
 * A connection to the cluster's Redis (REDIS_URL). ioredis reconnects by itself; a command sent
 * while the connection is down fails after one retry instead of queueing without bound, so a
 * node that lost Redis answers "unavailable" rather than hanging its callers.
 */
export async function connectRedis(url: string, log: Logger, name = 'cloud-mediation'): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let reported = false;
  redis.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    log.warn('redis connection error', { error: error.message });
  });
  redis.on('ready', () => {
    if (reported) log.info('redis connection back');
    reported = false;
  });
  await redis.connect();
  return redis;
}

/** True when Redis answers PING within the time limit (health checks). */
export async function redisAnswers(redis: Redis, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([redis.ping().then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
