import { listNames } from '../core/listNames.js';
import { describe } from '../core/validate.js';
import type { EventLog } from '../core/eventLog.js';
import { logError } from '../logging/lifecycleLogRecord.js';

/**
 * The lifecycle events of `serve$` (and `probes`' server): listening, closed outside a drain, and
 * each step of a drain (see {@link DrainStep}).
 *
 * @example
 * ```ts
 * app.events$.pipe(filter((e) => e.type === 'server-listening')).subscribe((e) => console.log(e.name, e.address));
 * ```
 */
export type ServerEvent =
  | {
      /** A `serve$` server is listening. */
      readonly type: 'server-listening';
      readonly name: string;
      readonly address: string;
      readonly at: number;
    }
  | {
      /**
       * A `serve$` server closed or failed outside its drain (user code called `close()`, or an `error`
       * event): its task ended (with `error` when it failed) and it no longer counts as ready.
       */
      readonly type: 'server-closed';
      readonly name: string;
      /** The server's `error`, when it failed. */
      readonly error?: unknown;
      readonly at: number;
    }
  | {
      /** One step of a `serve$` drain (see `DrainStep`). */
      readonly type: 'server-drain';
      readonly name: string;
      readonly step: DrainStep;
      /** Connections (or sessions) the step acted on. */
      readonly count: number;
      /** Their descriptions, for `destroyed` (busy connections and their requests) and `linger-destroyed` (at most 50). */
      readonly names: readonly string[];
      readonly at: number;
    };

/**
 * The steps of a `serve$` drain, in order. Each is a `server-drain` lifecycle event. `close-idle`
 * comes one loop turn after `upgraded` (idle sockets quiet for the idle grace get FIN; the count may
 * be 0), then again for each batch of sockets that falls quiet later. `linger-destroyed` names
 * sockets that got FIN but whose peer never closed (a pool that ignores FIN): destroyed, not an error.
 *
 * ```
 * readiness-down ─► drain-delay ─► stop-accepting ─► goaway ─► upgraded ─► close-idle ─► drained
 *                                                          (close-idle, linger-destroyed)*
 *                                                             (timeout, busy) ─► destroyed
 * ```
 *
 * @example
 * ```ts
 * app.events$.pipe(filter((e) => e.type === 'server-drain')).subscribe((e) => console.log(e.step, e.count));
 * ```
 */
export type DrainStep =
  | 'readiness-down'
  | 'drain-delay'
  | 'stop-accepting'
  | 'close-idle'
  | 'goaway'
  | 'upgraded'
  | 'linger-destroyed'
  | 'drained'
  | 'destroyed';

/** How server events are logged (internal): the human lines, and the fields of their JSON records. */
export const serverEventLog: EventLog<ServerEvent> = {
  lines(logger, event) {
    switch (event.type) {
      case 'server-listening':
        logger.info?.(`rxrun: server '${event.name}' listening on ${event.address}`);
        return;
      case 'server-closed':
        if (event.error === undefined) logger.warn?.(`rxrun: server '${event.name}' closed outside the shutdown; its task ended`);
        else logger.warn?.(`rxrun: server '${event.name}' failed outside the shutdown (${event.error instanceof Error ? event.error.message : describe(event.error)}); its task ended with that error`);
        return;
      case 'server-drain':
        if (event.step === 'destroyed') logger.warn?.(`rxrun: server '${event.name}' destroyed ${event.count} connection${event.count === 1 ? '' : 's'} still open at the drain's end: ${listNames(event.names, { total: event.count })}`);
        else logger.debug?.(`rxrun: server '${event.name}' drain: ${event.step} (${event.count})${event.names.length > 0 ? `: ${listNames(event.names, { total: event.count })}` : ''}`);
        return;
    }
  },
  fields(event) {
    switch (event.type) {
      case 'server-listening':
        return { server: event.name, address: event.address };
      case 'server-closed':
        return { server: event.name, ...(event.error === undefined ? {} : { error: logError(event.error) }) };
      case 'server-drain':
        return { server: event.name, drainStep: event.step, count: event.count, names: [...event.names] };
    }
  },
};
