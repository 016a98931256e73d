import { logWithoutStack } from '../core/errors.js';

/**
 * Thrown by `group.spawn()` when the group takes no more tasks: it was closed, cancelled, torn down
 * (its `done$` unsubscribed), it failed (fail-fast), it ended, or its app is stopping. The message
 * names the group and the task. Also the error a late subscriber of a torn-down group's `done$` gets.
 *
 * @example
 * ```ts
 * const group = taskGroup({ name: 'jobs' });
 * group.close();
 * group.spawn(job$, { name: 'late' }); // throws TaskGroupClosedError: taskGroup 'jobs' is closed; cannot spawn 'late'
 * ```
 */
export class TaskGroupClosedError extends Error {
  override readonly name = 'TaskGroupClosedError';
  constructor(
    /** The group's name. */
    readonly group: string,
    /** The task that was refused, or `undefined` for a late `done$` subscriber. */
    readonly task: string | undefined,
    /** Why: `'closed'`, `'failed'`, `'torn-down'`, `'ended'`, `'cancelled'` or `'app-stopping'`. */
    readonly reason: 'closed' | 'failed' | 'torn-down' | 'ended' | 'cancelled' | 'app-stopping',
  ) {
    super(`taskGroup '${group}' ${REASONS[reason]}${task === undefined ? '' : `; cannot spawn '${task}'`}`);
  }
}

const REASONS = {
  closed: 'is closed (close() was called)',
  failed: 'failed (a task errored and the group is fail-fast)',
  'torn-down': 'was torn down (its done$ was unsubscribed before it ended)',
  ended: 'has ended (every task ended)',
  cancelled: 'was cancelled (cancel() was called)',
  'app-stopping': 'belongs to an app that is stopping',
} as const;

/**
 * The error `supervise` ends with when it gives up: more than `maxRestarts` restarts within `within`
 * ms. `cause` (and `lastError`) is the error of the last run, or `undefined` when that run completed
 * (`restart: 'always'`).
 *
 * ```
 * runs:   --#  (wait 100)  --#  (wait 200)  --#      maxRestarts: 2
 * result: -------------------------------------#     SupervisorGaveUpError, cause: the third run's error
 * ```
 *
 * @example
 * ```ts
 * supervise(worker$, { maxRestarts: 3, within: 10_000 }).pipe(
 *   catchError((error) => (error instanceof SupervisorGaveUpError ? fallback$ : throwError(() => error))),
 * );
 * ```
 */
export class SupervisorGaveUpError extends Error {
  static {
    // Its stack is supervise's internals, and its last error's stack went to debug with `task-gave-up`.
    logWithoutStack(this);
  }

  override readonly name = 'SupervisorGaveUpError';
  constructor(
    /** The supervised task's name. */
    readonly task: string,
    /** Restarts counted within the window when it gave up (equals `maxRestarts`). */
    readonly restarts: number,
    /** The window, in ms. */
    readonly within: number,
    /** The last run's error (`undefined` when it completed under `restart: 'always'`). */
    readonly lastError: unknown,
  ) {
    super(
      `supervise '${task}': gave up after ${restarts} restart(s) within ${within} ms; last run ${
        lastError === undefined ? 'completed' : `failed: ${describeLast(lastError)}`
      }`,
      { cause: lastError },
    );
  }
}

function describeLast(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return JSON.stringify(error) ?? typeof error;
  } catch {
    return typeof error;
  }
}
