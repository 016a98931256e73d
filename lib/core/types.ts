import type { Observable, ObservableInput, SchedulerLike, Subscription } from 'rxjs';
import type { ProcessPort } from '../process/ProcessPort.js';
import type { LifecycleLogRecord } from '../logging/lifecycleLogRecord.js';

/**
 * The phases an app moves through, always in this order (a phase may be skipped only by a forced
 * stop or a budget overrun, which jump to `stopped`).
 *
 * ```
 * starting ─► running ─► stopping ─► draining ─► finalizing ─► stopped
 * ```
 *
 * @example
 * ```ts
 * app.events$.pipe(filter((e) => e.type === 'phase')).subscribe((e) => console.log(e.phase));
 * if (app.phase === 'running') app.spawn(job$);
 * ```
 */
export type Phase = 'starting' | 'running' | 'stopping' | 'draining' | 'finalizing' | 'stopped';

/**
 * Why an app is shutting down. The first request wins; later ones are recorded.
 *
 * @example
 * ```ts
 * app.shutdown$.subscribe((reason) => {
 *   if (reason.kind === 'signal') console.log('stopping on', reason.signal);
 * });
 * ```
 */
export type ShutdownReason =
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'message'; readonly message: unknown }
  /** The IPC channel to the parent closed (the parent died or disconnected); see `ipcShutdown`. */
  | { readonly kind: 'disconnect' }
  | { readonly kind: 'stop'; readonly detail?: unknown }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'main-complete' };

/**
 * Where a reported error came from.
 *
 * @example
 * ```ts
 * outcome.errors.filter((record) => record.source === 'finalizer');
 * ```
 */
export type ErrorSource =
  | 'main'
  | 'task'
  | 'hook'
  | 'finalizer'
  | 'executor'
  | 'protected'
  | 'teardown'
  | 'uncaughtException'
  | 'unhandledRejection'
  | 'logger'
  /** A `timer$` tick failed (ticking went on). */
  | 'tick'
  /** A `taskGroup` child failed in a persistent group with no `onError`. */
  | 'group'
  /** A `resource$` acquire or release failed. */
  | 'resource'
  /** A `serve$` server failed while listening or draining. */
  | 'server'
  /** An IPC message to the parent (PM2's `'ready'`) could not be written. */
  | 'ipc'
  /** A `fork$` child or `worker$` thread failed while stopping, or was killed at the deadline. */
  | 'child';

/**
 * One error the app saw, with where it came from.
 *
 * @example
 * ```ts
 * for (const { source, name, error } of outcome.errors) console.error(source, name, error);
 * ```
 */
export interface ErrorRecord {
  readonly source: ErrorSource;
  readonly name?: string;
  readonly error: unknown;
}

/**
 * One piece of work that a budget overrun or a forced stop cut off or skipped.
 *
 * @example
 * ```ts
 * outcome.report?.pending.filter((item) => item.state === 'skipped').map((item) => item.name);
 * ```
 */
export interface PendingItem {
  readonly kind: 'task' | 'hook' | 'finalizer' | 'executor' | 'protected';
  readonly name: string;
  /** `running`: it had started and was cut off; `skipped`: it never started. */
  readonly state: 'running' | 'skipped';
}

/**
 * What a budget overrun or a forced stop left undone.
 *
 * @example
 * ```ts
 * if (outcome.report) console.warn(outcome.report.cause, outcome.report.activeHandles);
 * ```
 */
export interface PendingReport {
  readonly cause: 'timeout' | 'forced';
  /** The phase the app was in when it was cut off. */
  readonly phase: Phase;
  /** The configured overall budget (`shutdownTimeout`), in ms. */
  readonly budgetMs: number;
  readonly pending: readonly PendingItem[];
  /** `process.getActiveResourcesInfo()` entries that were not there when the app started. */
  readonly activeHandles: readonly string[];
}

/**
 * How an app ended. `status` is `forced` (a second SIGINT), `timeout` (the shutdown budget ran out),
 * `error` (at least one error was reported) or `ok`, in that order of precedence.
 *
 * @example
 * ```ts
 * const outcome = await runApp(main$);
 * if (outcome.status !== 'ok') console.error(outcome.errors);
 * ```
 */
export interface AppOutcome {
  readonly status: 'ok' | 'error' | 'timeout' | 'forced';
  /** The first shutdown request. */
  readonly reason: ShutdownReason;
  /** Requests that arrived after the first one, in order. */
  readonly laterReasons: readonly ShutdownReason[];
  /** The first error, or `undefined`. */
  readonly error: unknown;
  /** Every error, first is primary. */
  readonly errors: readonly ErrorRecord[];
  /** What was cut off or skipped, when `status` is `timeout` or `forced`. */
  readonly report: PendingReport | undefined;
  /** Handles that user code left open after `stopped` (see `process.getActiveResourcesInfo()`). */
  readonly openHandles: readonly string[];
  /** Scheduler time from the first shutdown request to `stopped`, in ms. */
  readonly shutdownMs: number;
}

/**
 * Everything `runApp$` tells about an app's life, in order; the last one is always `stopped`: the
 * core's own events ({@link CoreLifecycleEvent}) and those of the extensions an app uses (`serve$`,
 * `supervise`, `fork$`, `workers$`, PM2 readiness; see {@link LifecycleEventExtensions}).
 *
 * @example
 * ```ts
 * runApp$(main$).subscribe((event) => {
 *   if (event.type === 'stopped') console.log(event.outcome.status);
 * });
 * ```
 */
export type LifecycleEvent = CoreLifecycleEvent | LifecycleEventExtensions[keyof LifecycleEventExtensions];

/**
 * The lifecycle events of the extensions, one family per key. The core names none of them: each
 * extension folder declares its family's type, and `lib/lifecycleEvent.ts` (above the core) lists the
 * families here, so that {@link LifecycleEvent} is the union of them all.
 *
 * @example
 * ```ts
 * type ServerEvents = LifecycleEventExtensions['server']; // server-listening | server-closed | server-drain
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in lib/lifecycleEvent.ts
export interface LifecycleEventExtensions {}

/**
 * The lifecycle events of the core itself: phases, shutdown requests, errors, hooks, finalizers,
 * protected work, the budget and the end.
 *
 * @example
 * ```ts
 * app.events$.pipe(filter((e): e is CoreLifecycleEvent => e.type === 'phase' || e.type === 'stopped'));
 * ```
 */
export type CoreLifecycleEvent =
  | { readonly type: 'phase'; readonly phase: Phase; readonly at: number }
  | {
      readonly type: 'shutdown-requested';
      readonly reason: ShutdownReason;
      readonly first: boolean;
      readonly at: number;
    }
  | { readonly type: 'signal-coalesced'; readonly signal: NodeJS.Signals; readonly at: number }
  | { readonly type: 'task-refused'; readonly name: string; readonly at: number }
  | { readonly type: 'error'; readonly record: ErrorRecord; readonly at: number }
  | {
      readonly type: 'tasks-cancelled';
      readonly count: number;
      readonly names: readonly string[];
      readonly at: number;
    }
  | {
      readonly type: 'hook-start' | 'hook-end' | 'finalizer-start' | 'finalizer-end';
      readonly kind: 'hook' | 'finalizer' | 'executor';
      readonly name: string;
      readonly at: number;
    }
  | {
      readonly type: 'hook-failed' | 'finalizer-failed';
      readonly kind: 'hook' | 'finalizer' | 'executor';
      readonly name: string;
      readonly error: unknown;
      readonly at: number;
    }
  | {
      readonly type: 'protected-pending';
      readonly count: number;
      readonly names: readonly string[];
      readonly at: number;
    }
  | { readonly type: 'protected-drained'; readonly at: number }
  | { readonly type: 'finalizers-start'; readonly count: number; readonly at: number }
  | { readonly type: 'timeout' | 'forced'; readonly report: PendingReport; readonly at: number }
  | { readonly type: 'stopped'; readonly outcome: AppOutcome; readonly at: number };

/**
 * The lifecycle events of one `type`, narrowed (works for members that share a shape, such as
 * `'hook-start' | 'finalizer-start'`, where `Extract` gives `never`).
 *
 * @example
 * ```ts
 * const isStart = (e: LifecycleEvent): e is LifecycleEventOf<'finalizer-start'> => e.type === 'finalizer-start';
 * app.events$.pipe(filter(isStart)).subscribe((e) => console.log('closing', e.name));
 * ```
 */
export type LifecycleEventOf<K extends LifecycleEvent['type']> = LifecycleEvent & { readonly type: K };

/**
 * A console-like logger. Missing methods are treated as no-ops. A logger with a `record` method gets
 * every lifecycle event as a structured {@link LifecycleLogRecord} there instead of as lines (the
 * line methods then only get rxrun's few lines that belong to no event).
 *
 * @example
 * ```ts
 * runApp(main$, { logger: console }); // or { logger: false }, 'json', pinoLogger(pino())
 * runApp(main$, { logger: { record: (r) => process.stdout.write(`${JSON.stringify(r)}\n`) } }); // JSON lines on stdout
 * ```
 */
export interface Logger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
  /** Optional: receives each lifecycle event as a structured record (then no line is written for it). */
  record?(record: LifecycleLogRecord): void;
}

/**
 * An executor (worker pool, thread pool, client) that the app closes and awaits while finalizing.
 * `close()` is called when the executor has one (so a Piscina pool's graceful `close()`, which lets
 * running and queued tasks finish), else `destroy()`. Its step is bounded by the app's budget: an
 * executor still closing when the budget runs out is cut off and named in the report.
 *
 * @example
 * ```ts
 * const pool = new Piscina({ filename: './worker.js' });
 * runApp(main$, { executors: [pool] }); // pool.close() awaited while finalizing (destroy() only if there is no close())
 * ```
 */
export type Executor =
  | { readonly name?: string; close(): PromiseLike<unknown> | void }
  | { readonly name?: string; destroy(): PromiseLike<unknown> | void };

/**
 * How `runApp` turns an {@link AppOutcome} into an exit status.
 *
 * @example
 * ```ts
 * runApp(main$, { exitCode: 'zero-on-graceful' });
 * runApp(main$, { exitCode: (outcome) => (outcome.status === 'ok' ? 0 : 70) });
 * ```
 */
export type ExitCodeMode = 'conventional' | 'zero-on-graceful' | ((outcome: AppOutcome) => number);

/**
 * Options of `runApp$` and `runApp`. Every field is optional.
 *
 * @example
 * ```ts
 * runApp(main$, { shutdownTimeout: 10_000, signals: ['SIGINT', 'SIGTERM', 'SIGHUP'], onTaskError: 'isolate' });
 * runApp(consume$, { ready: () => broker.connect() }); // 'ready' to PM2 once the consumer is connected
 * ```
 */
export interface RunAppOptions {
  /** `'shutdown'` (default): run until a shutdown request; `'main-complete'`: also stop once every task completed. */
  until?: 'shutdown' | 'main-complete';
  /** Signals that request shutdown. Default: SIGINT, SIGTERM (and SIGBREAK on Windows). */
  signals?: readonly NodeJS.Signals[];
  /**
   * Treat the IPC message `'shutdown'` or `{ type: 'shutdown' }` as a shutdown request when the process
   * has an IPC channel, and losing that channel (the parent died: reason `{ kind: 'disconnect' }`) too.
   * Default true.
   */
  ipcShutdown?: boolean;
  /** Overall budget from the first shutdown request to `stopped`, in ms. Default 25000. */
  shutdownTimeout?: number;
  /** What a task error does: `'shutdown'` (default) starts a graceful shutdown; `'isolate'` reports it and keeps running. */
  onTaskError?: 'shutdown' | 'isolate';
  /** Treat `uncaughtException` / `unhandledRejection` as task errors. Default true. */
  handleProcessErrors?: boolean;
  /** Closed (`close()` or `destroy()`) and awaited in the finalizing phase, after every `app.defer` finalizer. */
  executors?: readonly Executor[];
  /**
   * Where the lifecycle log goes: a console-like {@link Logger} (or `pinoLogger(pino())`); `'text'`:
   * human lines on stderr; `'json'`: one JSON object per event on stderr; `false` silences it.
   * Default: `'text'`, or what the `RXRUN_LOG` environment variable (`json` / `text`) says.
   */
  logger?: Logger | false | 'text' | 'json';
  /** The app's name: the `app` field of JSON and pino log records. */
  name?: string;
  /** How `runApp` maps the outcome to an exit status. Default `'conventional'`. */
  exitCode?: ExitCodeMode;
  /** Clock and timers. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Everything that touches the process. Default: the real process. */
  process?: ProcessPort;
  /** The same signal again within this many ms is ignored (npm, nodemon deliver doubles). Default 250. */
  signalCoalesceWindow?: number;
  /** Signals that, arriving again during shutdown, force an immediate stop. Default `['SIGINT']`. */
  forceSignals?: readonly NodeJS.Signals[];
  /**
   * What else the app waits for before it is ready. Ready means: `running`, every `serve$` started in
   * it listening (when it has none, such as a queue worker, nothing to wait for), and this signal's
   * first value or its completion; the app then sends `'ready'` to its parent once (PM2's
   * `wait_ready`, when there is an IPC channel) and emits `ready-sent`. A function is called with the
   * app once it is running. The signal is unsubscribed when shutdown begins; its error is a task
   * error named `'ready'`. Default: none.
   *
   * ```
   * phase:  s-r-----------
   * ready:  ------x         (the consumer connected)
   * parent: ------'ready'
   * ```
   *
   * Pass it when a `serve$` starts only after an async step (a database connection, say): with no
   * `serve$` subscribed yet when the app is running, the app would otherwise be ready at once.
   */
  ready?: ObservableInput<unknown> | ((app: AppContext) => ObservableInput<unknown>);
}

/**
 * Options of `app.spawn`.
 *
 * @example
 * ```ts
 * app.spawn(poll$, { name: 'poller' });
 * ```
 */
export interface SpawnOptions {
  /** Used in logs, events and reports. */
  name?: string;
}

/**
 * Options of `app.onShutdown` and `app.defer`.
 *
 * @example
 * ```ts
 * app.defer(() => db.close(), { name: 'db', timeout: 2000 });
 * ```
 */
export interface StepOptions {
  /** Used in logs, events and reports. */
  name?: string;
  /** This step's own budget in ms (it is also bounded by the app's overall budget). */
  timeout?: number;
}

/**
 * The handle an app's main receives: its shutdown notifier, spawner and registries.
 *
 * @example
 * ```ts
 * runApp((app) => {
 *   app.onShutdown(() => server.stopAccepting(), { name: 'stop-accepting' });
 *   app.defer(() => db.end(), { name: 'db' });
 *   return interval(1000).pipe(untilShutdown(app));
 * });
 * ```
 */
export interface AppContext {
  /** Emits the {@link ShutdownReason} once shutdown starts, replays it to late subscribers, then completes at `stopped`. */
  readonly shutdown$: Observable<ShutdownReason>;
  /** Every lifecycle event of this app (hot: no replay). */
  readonly events$: Observable<LifecycleEvent>;
  /** Aborted (with the reason) when shutdown starts; pass it to `fetch`, `events.on`, etc. */
  readonly signal: AbortSignal;
  /** The current phase. */
  readonly phase: Phase;
  /** The scheduler the app runs on. */
  readonly scheduler: SchedulerLike;
  /**
   * Requests a graceful shutdown. Idempotent and safe at any phase: a later request is recorded in the
   * outcome's `laterReasons`; after `stopped` it does nothing.
   *
   * @param detail Carried in the `stop` {@link ShutdownReason} (and in the log).
   * @see {@link AppContext.shutdown$}, [Shutdown phases and exit status](../../docs/shutdown-phases-and-exit-status.md).
   */
  stop(detail?: unknown): void;
  /**
   * Adds a task to the root. After shutdown began the task never starts and a closed Subscription is
   * returned (with a `task-refused` event, unless the app has stopped).
   *
   * @param task An Observable, a Promise, an iterable… (any ObservableInput).
   * @param options See {@link SpawnOptions}. Default name `task#<n>`.
   * @returns The task's subscription: unsubscribe it to cancel the task alone.
   * @throws TypeError for a `task` that is not an ObservableInput, `options` that are not an object, an
   * unknown option or a non-string `name`; RangeError for an empty `name`.
   * @see {@link taskGroup}, {@link supervise}.
   */
  spawn(task: ObservableInput<unknown>, options?: SpawnOptions): Subscription;
  /**
   * Runs `hook` in the stopping phase while every task is still alive.
   *
   * @param hook Called once in `stopping`; what it returns (an Observable, a Promise…) is awaited.
   * @param options See {@link StepOptions}. Default name `hook#<n>`.
   * @throws TypeError for a `hook` that is not a function, `options` that are not an object, an unknown
   * option, a non-string `name` or a non-number `timeout`; RangeError for an empty `name` or a `timeout`
   * out of 0–2147483647; Error when registered after the `stopping` phase (in `draining` or later).
   * @see {@link AppContext.defer}, [Shutdown phases and exit status](../../docs/shutdown-phases-and-exit-status.md).
   */
  onShutdown(hook: () => ObservableInput<unknown> | void, options?: StepOptions): void;
  /**
   * Registers an async finalizer; finalizers run last-in first-out in the finalizing phase.
   *
   * @param finalizer Called once in `finalizing`; what it returns (an Observable, a Promise…) is awaited.
   * @param options See {@link StepOptions}. Default name `finalizer#<n>`.
   * @throws TypeError for a `finalizer` that is not a function, `options` that are not an object, an
   * unknown option, a non-string `name` or a non-number `timeout`; RangeError for an empty `name` or a
   * `timeout` out of 0–2147483647; Error when registered after the app stopped.
   * @see {@link resource$} (a finalizer registered at acquisition), {@link AppContext.onShutdown}.
   */
  defer(finalizer: () => ObservableInput<unknown> | void, options?: StepOptions): void;
}

/**
 * What `runApp$` accepts as main.
 *
 * @example
 * ```ts
 * runApp(interval(1000));                     // an Observable
 * runApp([ticker$, worker$]);                  // several
 * runApp((app) => worker$.pipe(untilShutdown(app))); // a factory, called once
 * ```
 */
export type AppMain =
  | Observable<unknown>
  | readonly Observable<unknown>[]
  | ((app: AppContext) => ObservableInput<unknown> | readonly ObservableInput<unknown>[]);
