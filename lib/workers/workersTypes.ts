import type { Observable, ObservableInput } from 'rxjs';
import type { BackoffConfig } from '../tasks/supervise.js';
import type { AppContext } from '../core/types.js';

/**
 * Why the primary stopped a worker, as the worker sees it (`worker.stopping$`): `'shutdown'` (the
 * primary's app is stopping), `'reload'` (a rolling restart replaced it), `'ready-timeout'` (it did
 * not become ready within `readyTimeout`), or `'local'` (the worker's own app stopped for another
 * reason: a signal sent to it, `app.stop()`, an error).
 *
 * @example
 * ```ts
 * workers$((app, worker) => worker.stopping$.pipe(tap((why) => console.log(`worker ${worker.index}: ${why}`))));
 * ```
 */
export type WorkerStopReason = 'shutdown' | 'reload' | 'ready-timeout' | 'local';

/**
 * What `workerMain` gets next to its app: which worker it is, and why it stops.
 *
 * @example
 * ```ts
 * workers$((app, worker) => {
 *   console.log(`worker ${worker.index} (generation ${worker.generation}) pid ${process.pid}`);
 *   return serve$(createServer(handler), 8080, { app });
 * });
 * ```
 */
export interface WorkerContext {
  /** The worker's slot, from 0 to `count - 1`; a replacement keeps its predecessor's index. */
  readonly index: number;
  /** 0 for the first worker of a slot, then +1 for each replacement (crash restart or rolling restart). */
  readonly generation: number;
  /** Emits the {@link WorkerStopReason} once the worker's app begins to stop, then completes. */
  readonly stopping$: Observable<WorkerStopReason>;
}

/**
 * A worker's main: called once in each worker process with the worker's app and its
 * {@link WorkerContext}; returns its tasks, as an app main does.
 *
 * @example
 * ```ts
 * const main: WorkerMain = (app, worker) => serve$(createServer(handler), 8080, { app });
 * ```
 */
export type WorkerMain = (app: AppContext, worker: WorkerContext) => ObservableInput<unknown> | readonly ObservableInput<unknown>[];

/**
 * One live worker, as the primary sees it.
 *
 * @example
 * ```ts
 * pool.workers.map((worker) => `${worker.index}: pid ${worker.pid} ${worker.state}`);
 * ```
 */
export interface WorkerInfo {
  readonly index: number;
  readonly generation: number;
  readonly pid: number;
  /** `starting` until its `'ready'` message; `stopping` once it was asked to stop. */
  readonly state: 'starting' | 'ready' | 'stopping';
}

/**
 * What `workers$` emits in the primary, once, when every worker is ready for the first time.
 *
 * @example
 * ```ts
 * runApp(() => workers$(main, { count: 4 }).pipe(switchMap((pool) => interval(3_600_000).pipe(tap(() => pool.reload())))));
 * ```
 */
export interface WorkerPool {
  /**
   * Requests a rolling restart (as the reload signal does). A request made during a rolling restart
   * is queued: one more rolling restart runs after the current one (further requests coalesce into
   * it). Ignored once the app is stopping.
   */
  reload(): void;
  /** The live workers now (replacements still starting and old workers still draining included). */
  readonly workers: readonly WorkerInfo[];
}

/**
 * Options of {@link workers$}. Every field is optional.
 *
 * @example
 * ```ts
 * workers$(main, { count: 4, readyTimeout: 10_000, stopTimeout: 15_000, backoff: { initial: 500 }, maxRestarts: 5, within: 60_000 });
 * ```
 */
export interface WorkersConfig {
  /** How many workers (a whole number ≥ 1). Default `os.availableParallelism()`. */
  count?: number;
  /** The signal that starts a rolling restart in the primary, or `false` for none. Default `'SIGHUP'`. */
  reloadSignal?: NodeJS.Signals | false;
  /**
   * Ms a worker may take from its fork to its `'ready'` message. A worker late past it is stopped
   * (IPC `shutdown`, killed after `stopTimeout`), named in a `worker-killed` / `worker-exit` event, and
   * replaced with backoff. Default 30000.
   */
  readyTimeout?: number;
  /**
   * Ms a worker stopped outside the app's shutdown (replaced by a rolling restart, or late to become
   * ready) may take to exit before it is killed (SIGKILL) and named. At the app's shutdown the app's
   * own budget bounds the workers instead. Default 30000.
   */
  stopTimeout?: number;
  /** Restart delays for crashed workers, as `supervise`'s. Default `{ initial: 100, factor: 2, max: 30000 }`. */
  backoff?: BackoffConfig;
  /** More restarts than this (of one worker slot) within `within` ms → give up: the app stops with a `SupervisorGaveUpError`. Default 5. */
  maxRestarts?: number;
  /** The intensity window, in ms. Default 60000. */
  within?: number;
  /** Extra environment variables for every worker. */
  env?: Readonly<Record<string, string>>;
  /**
   * Worker side: ready only once this emits (or completes), on top of every `serve$` listening and
   * every readiness check of the worker's `probes` passing (re-run every `checkInterval` until they
   * do) — e.g. a database ping. Default: `serve$` listening and the probes' checks are enough.
   */
  ready?: (app: AppContext, worker: WorkerContext) => ObservableInput<unknown>;
  /** The app the workers belong to. Default: the one app running in this process. */
  app?: AppContext;
}
