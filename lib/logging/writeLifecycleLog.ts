import { logLifecycleEvent } from '../core/logLifecycleEvent.js';
import type { LifecycleEvent, Logger, Phase } from '../core/types.js';
import { lifecycleLogRecord } from './lifecycleLogRecord.js';

/**
 * Logs one lifecycle event: as a record to a logger with a `record` method (JSON lines, pino), else
 * as the human lines of `logLifecycleEvent`.
 *
 * @example
 * ```ts
 * writeLifecycleLog(logger, event, phase, settings.name);
 * ```
 */
export function writeLifecycleLog(logger: Logger, event: LifecycleEvent, phase: Phase, app: string | undefined): void {
  if (typeof logger.record === 'function') logger.record(lifecycleLogRecord(event, phase, app));
  else logLifecycleEvent(logger, event);
}
