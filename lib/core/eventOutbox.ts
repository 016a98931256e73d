import { createSerialQueue } from './serialQueue.js';
import type { AnyLifecycleEvent, EventLog } from './eventLog.js';
import type { Logger } from './types.js';

/**
 * One app's way out for events and log lines (internal): everything goes through one ordered queue,
 * so a listener that reacts synchronously (stops the app, say) queues what it causes behind the
 * event it heard — every subscriber sees the same order, and nothing arrives after completion.
 */
export interface EventOutbox {
  /**
   * Logs `event` with its family's `log` (when `logged` and there is a logger), then delivers it to
   * the listeners. The core's own events and every extension's go through here.
   */
  publish<E extends AnyLifecycleEvent>(event: NoInfer<E>, log: EventLog<E>, logged?: boolean): void;
  /** Writes a line that belongs to no event (guarded like every log line). */
  log(write: (logger: Logger) => void): void;
  /** Runs `action` in delivery order: after everything published before it has been delivered. */
  enqueue(action: () => void): void;
}

/**
 * `deliver` hands an event to the listeners. A logger that throws must not stall the state machine:
 * its error goes to `onLoggerError` (which may publish an `error` event, unlogged: it would throw again).
 */
export function createEventOutbox(
  logger: Logger | undefined,
  /** Writes one event to the logger; called when the event is published (it may read the state then). */
  prepareLog: <E extends AnyLifecycleEvent>(event: E, log: EventLog<E>) => (logger: Logger) => void,
  deliver: (event: AnyLifecycleEvent) => void,
  onLoggerError: (error: unknown) => void,
): EventOutbox {
  const enqueue = createSerialQueue();

  const log = (write: (logger: Logger) => void) => {
    if (logger === undefined) return;
    try {
      write(logger);
    } catch (error) {
      onLoggerError(error);
    }
  };

  return {
    publish(event, eventLog, logged = true) {
      const write = logged && logger !== undefined ? prepareLog(event, eventLog) : undefined;
      enqueue(() => {
        if (write !== undefined) log(write);
        deliver(event);
      });
    },
    log,
    enqueue,
  };
}
