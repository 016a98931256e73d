/**
 * `fork$` or `worker$` was given a module path that does not exist: reported at once (the
 * observable errors on subscribe, before anything is forked), never a child that silently exits 1.
 * `code` is `'ENOENT'`, as Node's own file errors.
 *
 * @example
 * ```ts
 * fork$('./missing.js').subscribe({ error: (e) => console.log(e.code, e.path) }); // ENOENT /abs/missing.js
 * ```
 */
export class ChildModuleNotFoundError extends Error {
  override readonly name = 'ChildModuleNotFoundError';
  readonly code = 'ENOENT';
  constructor(
    /** Who was asked to start it: `'fork$'` or `'worker$'`. */
    readonly where: string,
    /** The absolute path that was looked up. */
    readonly path: string,
  ) {
    super(`${where}: ENOENT: no such module '${path}' (nothing was started)`);
  }
}

/**
 * A child process or worker thread ended with a non-zero exit code, or (a child process) by a signal
 * nobody sent it while it was running — a crash. As a task's error it goes to the app's
 * `onTaskError` policy.
 *
 * ```
 * fork$:  (spawn)--m--#     ChildExitError { code: 1 } when the child exits 1 by itself
 * ```
 *
 * @example
 * ```ts
 * fork$('./job.js').pipe(catchError((e) => (e instanceof ChildExitError && e.code === 2 ? EMPTY : throwError(() => e))));
 * ```
 */
export class ChildExitError extends Error {
  override readonly name = 'ChildExitError';
  constructor(
    /** The child's name (its module's file name unless `config.name` was given). */
    readonly child: string,
    /** The process id, or the worker's `threadId`. */
    readonly id: number | undefined,
    /** The exit code, or `null` when it was killed by a signal. */
    readonly code: number | null,
    /** The signal that ended it, or `null`. */
    readonly signal: NodeJS.Signals | null,
  ) {
    super(`child '${child}'${id === undefined ? '' : ` (${id})`} ${signal === null ? `exited with code ${code}` : `was killed by ${signal}`}`);
  }
}

/**
 * A child process ignored its stop message and SIGTERM (or a worker thread its stop message) and was
 * killed at the deadline (SIGKILL / `terminate()`). Reported to the app (source `'child'`): the
 * outcome names it.
 *
 * ```
 * stop:   m----T----K      message, SIGTERM after sigtermAfter, SIGKILL at sigkillAfter
 * report:           ChildKilledError { step: 'SIGKILL', afterMs: sigkillAfter }
 * ```
 *
 * @example
 * ```ts
 * outcome.errors.filter((r) => r.error instanceof ChildKilledError).map((r) => r.name);
 * ```
 */
export class ChildKilledError extends Error {
  override readonly name = 'ChildKilledError';
  constructor(
    readonly child: string,
    readonly id: number | undefined,
    /** `'SIGKILL'` (a process) or `'terminate'` (a worker thread). */
    readonly step: 'SIGKILL' | 'terminate',
    /** Scheduler ms from the start of the stop to the kill. */
    readonly afterMs: number,
  ) {
    super(`child '${child}'${id === undefined ? '' : ` (${id})`} did not stop within ${afterMs} ms; ${step === 'SIGKILL' ? 'killed with SIGKILL' : 'terminated'}`);
  }
}

/**
 * A `worker$` thread threw an exception it did not catch (its `error` event), or a message from it
 * could not be deserialized (`messageerror`): the thread's own error is the `cause`. As a task's
 * error it goes to the app's `onTaskError` policy; while the thread is being stopped it is reported
 * to the app (source `'child'`).
 *
 * ```
 * worker$:  s--m--#     WorkerThreadError { cause: the thread's Error } once the thread has exited
 * ```
 *
 * @example
 * ```ts
 * worker$('./resize.js').subscribe({ error: (e) => e instanceof WorkerThreadError && console.error(e.thread, e.cause) });
 * ```
 */
export class WorkerThreadError extends Error {
  override readonly name = 'WorkerThreadError';
  constructor(
    /** The thread's name (its file name unless `config.name` was given). */
    readonly thread: string,
    /** The worker's `threadId`. */
    readonly threadId: number,
    /** The error the thread threw (or the `messageerror`). */
    override readonly cause: unknown,
    /** The thread's exit code, when it has exited (`undefined` for a `messageerror`: the thread runs on). */
    readonly code?: number,
  ) {
    super(`worker thread '${thread}' (${threadId}) failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * A pool given to `runApp`'s `executors` through `poolExecutor` was still closing when the app's
 * shutdown budget ran out: its queued tasks and the tasks its threads were running are counted
 * (reported to the app, source `'executor'`, next to the budget report that names the executor).
 *
 * ```
 * finalizing:  close()--------|budget     ExecutorCutOffError { queued: 2, running: 1 }
 * ```
 *
 * @example
 * ```ts
 * const cut = outcome.errors.find((r) => r.error instanceof ExecutorCutOffError)?.error;
 * if (cut) console.warn(`${cut.executor}: ${cut.queued} queued, ${cut.running} running tasks lost`);
 * ```
 */
export class ExecutorCutOffError extends Error {
  override readonly name = 'ExecutorCutOffError';
  constructor(
    /** The executor's name (as in the report's pending list). */
    readonly executor: string,
    /** Tasks waiting in the pool's queue at the cut-off (`pool.queueSize`). */
    readonly queued: number,
    /** Threads busy with a task at the cut-off (`threads.length - idleThreads`); `undefined` when the pool does not tell. */
    readonly running: number | undefined,
    /** The pool's threads at the cut-off; `undefined` when the pool does not tell. */
    readonly threads: number | undefined,
  ) {
    super(
      `executor '${executor}' was still closing when the shutdown budget ran out: ${queued} queued task(s)` +
        `${running === undefined ? '' : `, ${running} running`}${threads === undefined ? '' : ` on ${threads} thread(s)`}`,
    );
  }
}
