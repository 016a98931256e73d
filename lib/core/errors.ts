import { listNames } from './listNames.js';
import type { PendingReport } from './types.js';

/**
 * Thrown or reported when a hook or finalizer outlives its own `timeout`.
 *
 * @example
 * ```ts
 * app.defer(() => slowClose(), { name: 'db', timeout: 1000 });
 * // outcome.errors: [{ source: 'finalizer', name: 'db', error: StepTimeoutError }]
 * ```
 */
export class StepTimeoutError extends Error {
  override readonly name = 'StepTimeoutError';
  constructor(
    readonly kind: 'hook' | 'finalizer' | 'executor',
    readonly stepName: string,
    readonly timeoutMs: number,
  ) {
    super(`rxrun: ${kind} '${stepName}' did not finish within ${timeoutMs} ms`);
  }
}

/**
 * Carried by the outcome when the overall shutdown budget ran out; names what was cut off.
 *
 * @example
 * ```ts
 * const error = outcomeError(outcome); // AggregateError whose first error is a ShutdownTimeoutError when the budget ran out
 * ```
 */
export class ShutdownTimeoutError extends Error {
  override readonly name = 'ShutdownTimeoutError';
  constructor(
    readonly budgetMs: number,
    readonly report: PendingReport,
  ) {
    super(`rxrun: shutdown budget of ${budgetMs} ms exceeded; cut off: ${describePending(report)}`);
  }
}

/**
 * Carried by the outcome when a repeated signal forced an immediate stop.
 *
 * @example
 * ```ts
 * if (outcomeError(outcome)?.errors?.[0] instanceof ForcedShutdownError) console.log('stopped by a second SIGINT');
 * ```
 */
export class ForcedShutdownError extends Error {
  override readonly name = 'ForcedShutdownError';
  constructor(
    readonly signal: NodeJS.Signals,
    readonly report: PendingReport,
  ) {
    super(`rxrun: ${signal} received again; stopped at once; cut off: ${describePending(report)}`);
  }
}

/**
 * Thrown by `runApp` when an app started with `runApp` already owns the process (the first to stop
 * would end the process under the other).
 *
 * @example
 * ```ts
 * runApp(api$);
 * runApp(worker$); // throws ProcessAlreadyOwnedError: spawn worker$ into the first app instead
 * ```
 */
export class ProcessAlreadyOwnedError extends Error {
  override readonly name = 'ProcessAlreadyOwnedError';
}

/**
 * Thrown by `shutdownWaitsFor()` / `untilShutdown()` without an app when none or several run.
 *
 * @example
 * ```ts
 * save(job).pipe(shutdownWaitsFor()); // errors with NoCurrentAppError when no app (or two) run
 * ```
 */
export class NoCurrentAppError extends Error {
  override readonly name = 'NoCurrentAppError';
}

/** A readable one-line-or-stack description of any thrown value (internal). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return `non-Error value: ${JSON.stringify(error)}`;
  } catch {
    return `non-Error value: ${String(error)}`;
  }
}

/** `"hook 'flush' (running), protected 'save' (running) ×20; open handles: Timeout ×2"` (internal; repeats counted, see `listNames`). */
export function describePending(report: PendingReport): string {
  const items = report.pending.map((item) => `${item.kind} '${item.name}' (${item.state})`);
  const handles = report.activeHandles.length > 0 ? `; open handles: ${listNames(report.activeHandles)}` : '';
  return `${items.length > 0 ? listNames(items) : 'nothing'}${handles}`;
}
