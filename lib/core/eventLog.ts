import type { Logger } from './types.js';

/**
 * What every lifecycle event has (internal): the core carries an extension's events (`serve$`,
 * `supervise`, `fork$`, `workers$`, …) without knowing their other fields.
 */
export interface AnyLifecycleEvent {
  readonly type: string;
  readonly at: number;
}

/**
 * How one family of lifecycle events is logged (internal): the core has one for its own events, and
 * each extension passes its own with every event it publishes (`internals.emit(event, serverEventLog)`),
 * so the core formats events it does not know, with no registration at import time.
 */
export interface EventLog<E extends AnyLifecycleEvent> {
  /** Writes the event's human line(s) to `logger` (most events write none, or one at `debug`). */
  lines(logger: Logger, event: E): void;
  /** The event's own fields in its JSON log record (see `LifecycleLogRecord`); `{}` when it has none. */
  fields(event: E): Record<string, unknown>;
}
