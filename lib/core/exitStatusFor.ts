import { signalExitStatus } from '../process/signals.js';
import type { AppOutcome, ExitCodeMode } from './types.js';
import { checkOneOf, checkOutcome } from './validate.js';

/**
 * How the process should end: with `code`, or by re-raising `signal` (whose shell status is `code`).
 *
 * @example
 * ```ts
 * const { code, signal } = exitStatusFor(outcome);
 * if (signal) process.kill(process.pid, signal); else process.exitCode = code;
 * ```
 */
export interface ExitDecision {
  readonly code: number;
  readonly signal?: NodeJS.Signals;
}

/**
 * The exit status `runApp` applies for an outcome.
 *
 * `'conventional'`: any error → 1; else a signal stop → the signal is re-raised (status 128 + n);
 * else a budget overrun or forced stop → 1; else 0. `'zero-on-graceful'` is the same but a graceful
 * (`ok`) signal stop exits 0. A function decides alone; if it throws or returns something that is
 * not an integer from 0 to 255, the status is 1.
 *
 * @param outcome The outcome of a `stopped` event, or of `runApp`'s promise.
 * @param mode `'conventional'` (default), `'zero-on-graceful'`, or a function `(outcome) => code`.
 * @returns `{ code }`, or `{ code, signal }` when the signal should be re-raised.
 * @throws TypeError for an `outcome` that is not an AppOutcome (no `errors` array), or a `mode` that is neither
 * a string nor a function; RangeError for an unknown `mode` string.
 * @see {@link runApp}, {@link outcomeError},
 * [Shutdown phases and exit status](../../docs/shutdown-phases-and-exit-status.md).
 * @example
 * ```ts
 * exitStatusFor(outcome, 'conventional'); // { code: 143, signal: 'SIGTERM' } after a graceful SIGTERM
 * ```
 */
export function exitStatusFor(outcome: AppOutcome, mode: ExitCodeMode = 'conventional'): ExitDecision {
  checkOutcome('exitStatusFor', outcome);
  if (typeof mode !== 'function') checkOneOf('exitStatusFor', 'mode', mode, ['conventional', 'zero-on-graceful'] as const);
  if (typeof mode === 'function') {
    try {
      const code = mode(outcome);
      return Number.isInteger(code) && code >= 0 && code <= 255 ? { code } : { code: 1 };
    } catch {
      return { code: 1 };
    }
  }
  if (outcome.errors.length > 0) return { code: 1 };
  const { reason } = outcome;
  if (reason?.kind === 'signal') {
    if (outcome.status === 'ok' && mode === 'zero-on-graceful') return { code: 0 };
    return { code: signalExitStatus(reason.signal), signal: reason.signal };
  }
  return { code: outcome.status === 'ok' ? 0 : 1 };
}
