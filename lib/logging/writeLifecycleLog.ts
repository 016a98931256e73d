import type { AnyLifecycleEvent, EventLog } from '../core/eventLog.js';
import type { Logger, Phase } from '../core/types.js';
import { lifecycleLogRecord } from './lifecycleLogRecord.js';

/**
 * Logs one lifecycle event with the `log` of its family: as a record to a logger with a `record`
 * method (JSON lines, pino), else as the family's human lines.
 *
 * @example
 * ```ts
 * writeLifecycleLog(logger, event, coreEventLog, phase, settings.name);
 * ```
 */
export function writeLifecycleLog<E extends AnyLifecycleEvent>(logger: Logger, event: E, log: EventLog<E>, phase: Phase, app: string | undefined): void {
  if (typeof logger.record === 'function') logger.record(lifecycleLogRecord(event, log, phase, app));
  else log.lines(logger, event);
}
