import type { ProcessPort } from '../process/ProcessPort.js';
import { describe } from '../core/validate.js';

/** The environment variable that picks the default log format: `json` or `text`. */
export const LOG_FORMAT_ENV = 'RXRUN_LOG';

/**
 * The log format the environment asks for (`RXRUN_LOG=json` or `RXRUN_LOG=text`, any case), read
 * through the process port; `undefined` when unset or empty (or when the port has no `env`). Any
 * other value throws a `RangeError` naming the variable: a typo must not silently keep the wrong format.
 *
 * @example
 * ```ts
 * logFormatFromEnv('runApp', createTestProcess({ env: { RXRUN_LOG: 'json' } })); // 'json'
 * ```
 */
export function logFormatFromEnv(where: string, port: ProcessPort): 'json' | 'text' | undefined {
  const value = port.env?.(LOG_FORMAT_ENV);
  if (value === undefined || value.trim() === '') return undefined;
  const format = value.trim().toLowerCase();
  if (format === 'json' || format === 'text') return format;
  throw new RangeError(`${where}: environment variable ${LOG_FORMAT_ENV} must be 'json' or 'text', got ${describe(value)}`);
}
