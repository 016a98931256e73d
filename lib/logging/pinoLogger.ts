import type { Logger } from '../core/types.js';
import { describe } from '../core/validate.js';
import type { LogLevel } from './lifecycleLogRecord.js';

/**
 * What {@link pinoLogger} needs of a pino logger (typed by shape: rxrun does not depend on pino).
 * Any logger whose level methods take `(fields, message)` fits, pino's child loggers included.
 *
 * @example
 * ```ts
 * const target: PinoLike = pino({ name: 'orders' }).child({ pod: process.env.HOSTNAME });
 * ```
 */
export interface PinoLike {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * A `logger` for `runApp`/`runApp$` that hands each lifecycle event to pino as structured fields:
 * `target[level]({ app?, phase, event, …fields }, msg)` — the fields of a `LifecycleLogRecord`
 * without `time`, `level` and `msg`, which pino writes itself. Events the human log leaves out are
 * `debug` (pino drops them at its default level `info`). Single names are under their own key
 * (`finalizer: 'db'`, `task: 'consumer'`), so they never collide with pino's `name` binding.
 *
 * ```
 * event:  finalizer-start 'db' (phase finalizing)
 * pino:   {"level":20,"time":…,"name":"orders","phase":"finalizing","event":"finalizer-start","kind":"finalizer","finalizer":"db","msg":"finalizer-start 'db'"}
 * ```
 *
 * @param target A pino logger (a child logger too), or any {@link PinoLike}.
 * @returns A {@link Logger} for the `logger` option of `runApp` / `runApp$`.
 * @throws TypeError for a `target` that is not an object with `debug`, `info`, `warn` and `error` methods.
 * @see {@link LifecycleLogRecord}, [Shutdown phases and exit status](../../docs/shutdown-phases-and-exit-status.md)
 * (logs for people and for machines).
 * @example
 * ```ts
 * import pino from 'pino';
 * import { pinoLogger, runApp } from 'rxrun';
 * runApp(main, { name: 'orders', logger: pinoLogger(pino({ level: 'debug' })) });
 * ```
 */
export function pinoLogger(target: PinoLike): Logger {
  const candidate = target as unknown as Record<string, unknown> | null;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new TypeError(`pinoLogger: 'target' must be a pino logger, got ${describe(target)}`);
  }
  for (const level of LEVELS) {
    if (typeof candidate[level] !== 'function') throw new TypeError(`pinoLogger: 'target' must be a pino logger; it has no ${level}()`);
  }
  return {
    record(record) {
      const { time: _time, level, msg, ...fields } = record;
      target[level](fields, msg);
    },
    debug: (message) => target.debug({}, message),
    info: (message) => target.info({}, message),
    warn: (message) => target.warn({}, message),
    error: (message) => target.error({}, message),
  };
}
