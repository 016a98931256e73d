import { errorLine } from '../core/errors.js';
import type { EventLog } from '../core/eventLog.js';
import type { Logger } from '../core/types.js';
import { logError } from '../logging/lifecycleLogRecord.js';

/**
 * The lifecycle events of `supervise` (and of `workers$`' respawns, which use its policy): a restart
 * is scheduled, or it gave up.
 *
 * @example
 * ```ts
 * app.events$.pipe(filter((e) => e.type === 'task-restart')).subscribe((e) => console.log(e.name, e.attempt));
 * ```
 */
export type SupervisorEvent =
  | {
      /** `supervise` restarts a task after `delayMs` (the `attempt`-th restart). */
      readonly type: 'task-restart';
      readonly name: string;
      readonly attempt: number;
      readonly delayMs: number;
      /** The error that ended the previous run, or `undefined` when it completed (`restart: 'always'`). */
      readonly error: unknown;
      readonly at: number;
    }
  | {
      /** `supervise` gave up: `maxRestarts` within `within` ms exceeded; the error goes to the app's policy. */
      readonly type: 'task-gave-up';
      readonly name: string;
      readonly restarts: number;
      readonly error: unknown;
      readonly at: number;
    };

/** How supervisor events are logged (internal): one line per restart (a crash loop must not flood the log), the stack at debug. */
export const supervisorEventLog: EventLog<SupervisorEvent> = {
  lines(logger, event) {
    switch (event.type) {
      case 'task-restart':
        logger.warn?.(`rxrun: restarting '${event.name}' in ${event.delayMs} ms (restart ${event.attempt})${event.error === undefined ? '' : ` after: ${errorLine(event.error)}`}`);
        if (event.error !== undefined) logStack(logger, `'${event.name}' restart ${event.attempt}`, event.error);
        return;
      case 'task-gave-up':
        logger.error?.(`rxrun: gave up restarting '${event.name}' after ${event.restarts} restart${event.restarts === 1 ? '' : 's'}: ${errorLine(event.error)}`);
        logStack(logger, `'${event.name}' last run`, event.error);
        return;
    }
  },
  fields(event) {
    switch (event.type) {
      case 'task-restart':
        return {
          task: event.name,
          attempt: event.attempt,
          delayMs: event.delayMs,
          ...(event.error === undefined ? {} : { error: logError(event.error) }),
        };
      case 'task-gave-up':
        return { task: event.name, restarts: event.restarts, error: logError(event.error) };
    }
  },
};

/** The stack behind a one-line error, for `logger.debug` (a logger without debug gets nothing). */
function logStack(logger: Logger, what: string, error: unknown): void {
  if (error instanceof Error && error.stack !== undefined) logger.debug?.(`rxrun: ${what} error stack: ${error.stack}`);
}
