import { hostname } from 'node:os';
import { pino } from 'pino';
import { redactionPaths, scrubValue, scrubText } from './logRedaction.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogLevel = Level | 'silent';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Until main applies LOG_LEVEL (server/config.ts), info and above. */
let threshold = order.info;

/** Applies the configured level to every logger, existing ones included. */
export function setLogLevel(level: LogLevel): void {
  threshold = order[level];
}

/**
 * The one pino instance: JSON lines on stdout, ISO times, level names, and personal data
 * removed twice: by key (pino's redact paths: phone, idNumber, token, otp, …) and by value
 * (phone and ID numbers, JWTs, signing-link and `#t=` tokens, query codes inside any string).
 * pino itself logs everything it is given; the level is applied by each Logger (setLogLevel
 * changes it for child loggers made earlier too, which pino's own levels would not).
 */
const root = pino(
  {
    level: 'debug',
    base: { pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactionPaths, censor: '[redacted]' },
    messageKey: 'msg',
    // Errors arrive already serialised and scrubbed (scrubValue); pino's own `err` serializer would re-wrap them.
    serializers: { err: (value: unknown) => value },
  },
  pino.destination({ dest: 1, sync: true }),
);

/** One JSON line per event. Fields are scrubbed, but personal data should still never be passed in. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export function createLogger(scope: string): Logger {
  const target = root.child({ scope });
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < threshold) return;
    target[level](fields ? (scrubValue(fields) as object) : {}, scrubText(msg));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (sub) => createLogger(`${scope}:${sub}`),
  };
}
