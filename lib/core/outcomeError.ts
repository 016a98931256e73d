import { ForcedShutdownError, ShutdownTimeoutError } from './errors.js';
import type { AppOutcome } from './types.js';
import { checkOutcome } from './validate.js';

/**
 * One error for an outcome, where a single throw is needed: `undefined` for `ok`; the error itself
 * when it is the only one; else an `AggregateError` of every error, with a `ShutdownTimeoutError`
 * or `ForcedShutdownError` first when the budget ran out or a signal forced the stop.
 *
 * @param outcome The outcome of a `stopped` event, or of `runApp`'s promise.
 * @returns `undefined` when there is neither an error nor a budget report; else one error, as above.
 * @throws TypeError for an `outcome` that is not an {@link AppOutcome} (an object with an `errors` array).
 * @see {@link exitStatusFor}, {@link ShutdownTimeoutError}, {@link ForcedShutdownError}.
 * @example
 * ```ts
 * const outcome = await lastValueFrom(runApp$(main$).pipe(filter((e) => e.type === 'stopped'), map((e) => e.outcome)));
 * const error = outcomeError(outcome);
 * if (error) throw error;
 * ```
 */
export function outcomeError(outcome: AppOutcome): Error | undefined {
  checkOutcome('outcomeError', outcome);
  const all: unknown[] = [];
  const { report } = outcome;
  if (report !== undefined) {
    all.push(
      report.cause === 'forced'
        ? new ForcedShutdownError(lastSignal(outcome) ?? 'SIGINT', report)
        : new ShutdownTimeoutError(report.budgetMs, report),
    );
  }
  for (const record of outcome.errors) all.push(record.error);
  if (all.length === 0) return undefined;
  if (all.length === 1 && all[0] instanceof Error) return all[0];
  return new AggregateError(all, `rxrun: the app ended with ${all.length} error${all.length === 1 ? '' : 's'} (status ${outcome.status})`);
}

function lastSignal(outcome: AppOutcome): NodeJS.Signals | undefined {
  for (const later of [...outcome.laterReasons].reverse()) if (later.kind === 'signal') return later.signal;
  return outcome.reason?.kind === 'signal' ? outcome.reason.signal : undefined;
}
