import type { EventLog } from '../core/eventLog.js';

/**
 * The lifecycle events of the process-manager protocol (PM2): `'ready'` sent to the parent, and the
 * warning at start that the manager's kill grace is shorter than the shutdown budget.
 *
 * @example
 * ```ts
 * app.events$.pipe(filter((e) => e.type === 'budget-exceeds-grace')).subscribe((e) => console.warn(e.graceMs));
 * ```
 */
export type ProcessManagerEvent =
  | {
      /**
       * `'ready'` was handed to the parent's IPC channel (PM2 `wait_ready`): the app is running, every
       * `serve$` in it listens (none needed) and the `ready` option's signal, if given, fired.
       */
      readonly type: 'ready-sent';
      readonly at: number;
    }
  | {
      /**
       * At start: the process manager kills the process (SIGKILL) sooner after asking it to stop than
       * `shutdownTimeout` allows (PM2's `kill_timeout`, default 1600 ms): a long shutdown would be cut
       * off by the kill, with no report. Raise the manager's grace above the budget, or lower the budget.
       */
      readonly type: 'budget-exceeds-grace';
      readonly manager: 'pm2';
      /** The manager's grace in ms. */
      readonly graceMs: number;
      /** Where `graceMs` came from: the app's `kill_timeout`, the daemon's `PM2_KILL_TIMEOUT`, or PM2's default. */
      readonly setting: 'kill_timeout' | 'PM2_KILL_TIMEOUT' | 'default';
      /** The app's `shutdownTimeout` in ms. */
      readonly budgetMs: number;
      readonly at: number;
    };

/** How process-manager events are logged (internal); their JSON records carry no fields beyond the common ones. */
export const processManagerEventLog: EventLog<ProcessManagerEvent> = {
  lines(logger, event) {
    switch (event.type) {
      case 'ready-sent':
        logger.debug?.("rxrun: sent 'ready' to the parent process");
        return;
      case 'budget-exceeds-grace':
        logger.warn?.(
          `rxrun: shutdownTimeout ${event.budgetMs} ms exceeds PM2's kill_timeout ${event.graceMs} ms (${graceSetting(event.setting)}): ` +
            `PM2 kills the app (SIGKILL) ${event.graceMs} ms after asking it to stop; set kill_timeout above ${event.budgetMs} ms or lower shutdownTimeout`,
        );
        return;
    }
  },
  fields: () => ({}),
};

function graceSetting(setting: 'kill_timeout' | 'PM2_KILL_TIMEOUT' | 'default'): string {
  if (setting === 'default') return "PM2's default";
  return setting === 'kill_timeout' ? "the app's kill_timeout" : "the daemon's PM2_KILL_TIMEOUT";
}
