/**
 * Why a worker ended unexpectedly: it exited on its own (`'crashed'`: code or signal), or it did not
 * become ready within `readyTimeout` (`'ready-timeout'`). It is the error of `task-restart` events
 * (named `worker <index>`), and the `cause` of the `SupervisorGaveUpError` when a crash loop gives up.
 *
 * @example
 * ```ts
 * app.events$.pipe(filter((e) => e.type === 'task-restart')).subscribe((e) => {
 *   if (e.error instanceof WorkerFailedError) console.log(e.error.index, e.error.pid, e.error.code, e.error.signal);
 * });
 * ```
 */
export class WorkerFailedError extends Error {
  override readonly name = 'WorkerFailedError';
  constructor(
    /** The worker's slot. */
    readonly index: number,
    /** Its process id. */
    readonly pid: number,
    /** `'crashed'` or `'ready-timeout'`. */
    readonly failure: 'crashed' | 'ready-timeout',
    /** Its exit code (`null` when a signal ended it). */
    readonly code: number | null,
    /** The signal that ended it, or `null`. */
    readonly signal: NodeJS.Signals | null,
    /** For `'ready-timeout'`: the timeout, in ms. */
    readonly timeoutMs?: number,
  ) {
    super(
      failure === 'crashed'
        ? `worker ${index} (pid ${pid}) exited unexpectedly (${signal ?? `code ${code}`})`
        : `worker ${index} (pid ${pid}) was not ready within ${timeoutMs} ms`,
    );
    // Made in the primary's exit handler: a stack of Node's cluster internals would only be noise in logs.
    this.stack = `${this.name}: ${this.message}`;
  }
}
