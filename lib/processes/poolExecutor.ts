import type { Subscription } from 'rxjs';
import { findRunningApp, type AppInternals } from '../core/appRegistry.js';
import type { AppContext, Executor } from '../core/types.js';
import { checkApp, checkKnownKeys, checkName, checkObject, describe } from '../core/validate.js';
import { ExecutorCutOffError } from './errors.js';

const WHERE = 'poolExecutor';

/**
 * What {@link poolExecutor} needs of a pool: a graceful `close()`, the length of its queue and,
 * when it has them, its threads (Piscina's `threads` and `idleThreads`) and a `destroy()`. Typed by
 * shape: rxrun does not depend on Piscina.
 *
 * @example
 * ```ts
 * const pool: PoolLike = new Piscina({ filename: './task.js' });
 * ```
 */
export interface PoolLike {
  close(): PromiseLike<unknown>;
  readonly queueSize: number;
  readonly threads?: readonly unknown[];
  readonly idleThreads?: number;
  destroy?(): PromiseLike<unknown>;
}

/**
 * Options of {@link poolExecutor}.
 *
 * @example
 * ```ts
 * poolExecutor(pool, { name: 'thumbnails' });
 * ```
 */
export interface PoolExecutorConfig {
  /** Names the pool in the app's events, report and errors. Required. */
  name: string;
  /** The app that closes it. Default: the one app running when it is closed. */
  app?: AppContext;
}

/**
 * Wraps a thread pool (a Piscina 5 pool, or any {@link PoolLike}) as an executor for `runApp`'s
 * `executors`: the app calls `pool.close()` while finalizing and waits for it (running and queued
 * tasks finish) within its budget. If the budget runs out first, the report names the pool (a
 * pending `executor`, as for any executor) and, beyond what a bare pool gives, the app's outcome holds
 * an {@link ExecutorCutOffError} counting the tasks still queued and running at that moment; then the
 * pool is destroyed (its `destroy()`, when it has one) so that no thread outlives the app.
 *
 * ```
 * finalizing:  close()---------------|        queued tasks run, then the pool's threads end
 * cut off:     close()--------! budget        report: executor 'thumbnails' (running)
 *                             ExecutorCutOffError { queued, running }, pool.destroy()
 * ```
 *
 * @param pool A Piscina pool, or any {@link PoolLike}.
 * @param config See {@link PoolExecutorConfig}: `name` is required.
 * @returns An {@link Executor} for the `executors` option of `runApp` / `runApp$`.
 * @throws TypeError for a `pool` that is not an object with `close()` and a numeric `queueSize`, a missing or
 * non-string `name`, an unknown option, or an `app` that is not the AppContext passed to main; RangeError for an
 * empty `name`.
 * @see {@link RunAppOptions} (`executors`), {@link worker$},
 * [Many cores, child processes and threads](../../docs/many-cores.md).
 * @example
 * ```ts
 * import { Piscina } from 'piscina';
 * import { poolExecutor, runApp } from 'rxrun';
 * const pool = new Piscina({ filename: require.resolve('./resize.js') });
 * runApp(main$, { executors: [poolExecutor(pool, { name: 'thumbnails' })], shutdownTimeout: 10_000 });
 * ```
 */
export function poolExecutor(pool: PoolLike, config: PoolExecutorConfig): Executor {
  if (typeof pool !== 'object' || pool === null) throw new TypeError(`${WHERE}: 'pool' must be a pool object, got ${describe(pool)}`);
  if (typeof pool.close !== 'function') throw new TypeError(`${WHERE}: 'pool' must have a close() method`);
  if (typeof pool.queueSize !== 'number') throw new TypeError(`${WHERE}: 'pool' must have a numeric queueSize, got ${describe(pool.queueSize)}`);
  const options = checkObject(WHERE, 'config', config);
  checkKnownKeys(WHERE, options, ['name', 'app']);
  const name = checkName(WHERE, 'name', options['name']);
  if (name === undefined) throw new TypeError(`${WHERE}: option 'name' is required`);
  const app = checkApp(WHERE, options['app']);

  return {
    name,
    close: () => {
      const internals = closingApp(app);
      let watch: Subscription | undefined;
      if (internals !== undefined) {
        watch = internals.context.events$.subscribe((event) => {
          if (event.type === 'stopped') {
            watch?.unsubscribe();
            return;
          }
          if (event.type !== 'timeout' && event.type !== 'forced') return;
          const cut = event.report.pending.some((item) => item.kind === 'executor' && item.name === name && item.state === 'running');
          if (!cut) return;
          internals.reportError('executor', name, cutOffError(pool, name));
          pool.destroy?.().then(undefined, (error: unknown) => internals.reportError('executor', name, error));
        });
      }
      const closing = Promise.resolve(pool.close());
      const stopWatching = () => watch?.unsubscribe();
      closing.then(stopWatching, stopWatching);
      return closing;
    },
  };
}

/** The app closing the pool: the given one, else the one running (none when several run: no counts then). */
function closingApp(app: AppContext | undefined): AppInternals | undefined {
  try {
    return findRunningApp(app, WHERE);
  } catch {
    return undefined;
  }
}

function cutOffError(pool: PoolLike, name: string): ExecutorCutOffError {
  const threads = Array.isArray(pool.threads) ? pool.threads.length : undefined;
  const idle = typeof pool.idleThreads === 'number' ? pool.idleThreads : undefined;
  const running = threads === undefined || idle === undefined ? undefined : Math.max(0, threads - idle);
  return new ExecutorCutOffError(name, pool.queueSize, running, threads);
}
