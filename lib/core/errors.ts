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

/** `Error: db down` on one line: the error's name and message, without its stack (non-Errors as `describeError` says them; internal). */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return describeError(error).replace(/\s*\n\s*/g, ' ');
  return `${error.name}: ${error.message}`.replace(/\s*\n\s*/g, ' ');
}

const stackNotLogged = Symbol('rxrun.stackNotLogged');

/**
 * Marks an error class whose errors the lifecycle log writes on one line, without their stack
 * (internal): the stack is the library's own internals, and what caused the error was logged with
 * its own event (`SupervisorGaveUpError`: the last run's error went out with `task-gave-up`). Set on
 * the class's prototype, by the class itself: nothing is registered anywhere.
 */
export function logWithoutStack(errorClass: { readonly prototype: Error }): void {
  Object.defineProperty(errorClass.prototype, stackNotLogged, { value: true });
}

/** True for an error of a class marked by {@link logWithoutStack} (internal). */
export function isLoggedWithoutStack(error: unknown): boolean {
  return error instanceof Error && (error as unknown as Record<symbol, unknown>)[stackNotLogged] === true;
}

/** `"hook 'flush' (running), protected 'save' (running) ×20; open handles: Timeout ×2"` (internal; repeats counted, see `listNames`). */
export function describePending(report: PendingReport): string {
  const items = report.pending.map((item) => `${item.kind} '${item.name}' (${item.state})`);
  const handles = report.activeHandles.length > 0 ? `; open handles: ${listNames(report.activeHandles)}` : '';
  return `${items.length > 0 ? listNames(items) : 'nothing'}${handles}`;
}
