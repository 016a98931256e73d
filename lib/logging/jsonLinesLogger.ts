import type { Logger } from '../core/types.js';
import { isoTime, type LogLevel } from './lifecycleLogRecord.js';

/**
 * The logger behind `logger: 'json'` (and `RXRUN_LOG=json`): one JSON object per line through
 * `write` — a `LifecycleLogRecord` per lifecycle event, and `{ time, level, app?, msg }` for rxrun's
 * few lines that belong to no event (an error reported after the app stopped).
 *
 * @example
 * ```ts
 * const logger = jsonLinesLogger((line) => port.writeLine(line), () => scheduler.now(), 'orders');
 * ```
 */
export function jsonLinesLogger(write: (line: string) => void, now: () => number, app: string | undefined): Logger {
  const line = (level: LogLevel) => (msg: string) => {
    const record: Record<string, unknown> = { time: isoTime(now()), level };
    if (app !== undefined) record['app'] = app;
    record['msg'] = msg.startsWith('rxrun: ') ? msg.slice('rxrun: '.length) : msg;
    write(JSON.stringify(record));
  };
  return {
    record: (record) => write(JSON.stringify(record)),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
}
