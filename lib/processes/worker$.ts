import type { ResourceLimits, Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { Observable, Subscription, asyncScheduler, type SchedulerLike } from 'rxjs';
import { loadBuiltin } from '../core/loadBuiltin.js';
import { findRunningApp, reportOrWarn, type ProtectedTicket } from '../core/appRegistry.js';
import type { AppContext } from '../core/types.js';
import {
  checkApp, checkDuration, checkKnownKeys, checkName, checkObject, checkScheduler, describe,
} from '../core/validate.js';
import { checkEnv, checkStringArray } from './childOptions.js';
import { ChildExitError, ChildKilledError, WorkerThreadError } from './errors.js';
import { checkModulePath, resolveModulePath } from './resolveModulePath.js';
import { stopPlan } from './stopPlan.js';
import { childEventLog } from './childEvents.js';

const WHERE = 'worker$';
const DEFAULT_TERMINATE_AFTER = 5_000;
/** Options that shape a new thread: not allowed with a `Worker` that already runs. */
const START_KEYS = ['workerData', 'argv', 'execArgv', 'env', 'resourceLimits'] as const;
const CONFIG_KEYS = ['name', 'stopMessage', 'terminateAfter', ...START_KEYS, 'app', 'scheduler'] as const;
const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

/**
 * Options of {@link worker$}. Every field is optional.
 *
 * @example
 * ```ts
 * worker$('./resize.js', { name: 'resizer', workerData: { size: 512 }, terminateAfter: 2000 });
 * ```
 */
export interface WorkerConfig {
  /** Names the thread in events, logs, errors and reports. Default: the file name (`worker#<threadId>` for a given `Worker`). */
  name?: string;
  /** The message `worker.postMessage` sends to ask the thread to stop. Default `'shutdown'`; `false`: send none, `terminate()` at once. */
  stopMessage?: unknown;
  /** ms from the stop message to `terminate()`, the deadline. Default 5000. Inside an app's shutdown it is also kept within the app's remaining budget. */
  terminateAfter?: number;
  /** The thread's `workerData` (structured clone). Only with a file name. */
  workerData?: unknown;
  /** The thread's `process.argv` additions. Only with a file name. */
  argv?: readonly string[];
  /** Node options for the thread. Default: the parent's `process.execArgv`. Only with a file name. */
  execArgv?: readonly string[];
  /** The thread's `process.env`. Default: a copy of the parent's. Only with a file name. */
  env?: NodeJS.ProcessEnv;
  /** The thread's heap and stack limits (Node's `resourceLimits`). Only with a file name. */
  resourceLimits?: ResourceLimits;
  /** The app whose shutdown waits for the thread and hears its events. Default: the one running app, if any. */
  app?: AppContext;
  /** Times the stop. Default: the app's scheduler, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/**
 * What {@link worker$} emits: `start` once (with the `Worker`, to `postMessage` it work), every
 * message the thread posts, and, when the thread ends by itself with code 0, an `exit` record, then
 * completion.
 *
 * @example
 * ```ts
 * worker$('./job.js').subscribe((e) => e.type === 'exit' && console.log('done', e.code));
 * ```
 */
export type WorkerEvent =
  | { readonly type: 'start'; readonly threadId: number; readonly worker: Worker }
  | { readonly type: 'message'; readonly message: unknown }
  | { readonly type: 'exit'; readonly code: number };

/**
 * A `worker_threads` `Worker` as a task (the talk's `run_in_executor`, one thread). Each subscription
 * starts a thread on the file (a path or a `file:` URL; a given `Worker` is adopted instead, once);
 * the observable emits the thread's messages (see {@link WorkerEvent}). A thread that exits by itself
 * with code 0 completes it (after an `exit` record); an uncaught exception in the thread is a
 * {@link WorkerThreadError}, another non-zero exit a {@link ChildExitError} — the app's
 * `onTaskError` policy sees them. A file that does not exist errors at once with a
 * {@link ChildModuleNotFoundError} (`ENOENT`); no thread is started.
 *
 * Unsubscribing (the app's shutdown, `takeUntil`, `switchMap`…) stops the thread cooperatively: the
 * `stopMessage` through `worker.postMessage`, then `worker.terminate()` at `terminateAfter` ms (each
 * a `child-stopping` event, `kind: 'thread'`; a terminate at the deadline is also a
 * {@link ChildKilledError} with `step: 'terminate'` in the app's outcome). Inside an app the stop is
 * protected work (`worker$ <name>`): the app waits for the thread's exit (within its budget) before
 * finalizing. `node:worker_threads` is loaded on the first subscription, not when rxrun is imported.
 *
 * ```
 * thread:    (start)--m---m-----------x           exits (code 0) on the message
 * task:      s--------m---m--!                    unsubscribed at ! (app shutdown)
 * stop:                      msg------|           (terminate() at +terminateAfter if still running)
 * app waits:                 =========|  then finalizing
 * ```
 *
 * @param filenameOrWorker The thread's module (a path or a `file:` URL), or a running `Worker` to adopt.
 * @param config See {@link WorkerConfig}.
 * @returns A cold observable: each subscription starts one thread (or adopts the given one) and emits its
 * {@link WorkerEvent}s; unsubscribing stops it. It errors with a {@link WorkerThreadError} for an uncaught
 * exception in the thread, a {@link ChildExitError} for another non-zero exit, a {@link ChildModuleNotFoundError}
 * for a file that does not exist, a RangeError for a given Worker that has already exited, and, with no `app`
 * given and several apps running, a {@link NoCurrentAppError}.
 * @throws TypeError for a `filenameOrWorker` that is neither a path, a `file:` URL nor a Worker, an unknown option,
 * an option of the wrong type, or a thread-shaping option (`workerData`, `argv`, `execArgv`, `env`,
 * `resourceLimits`) with a given Worker; RangeError for an empty path or `name`, a `terminateAfter` out of
 * 0–2147483647, or a `resourceLimits` value that is not a finite number above 0.
 * @see {@link fork$}, {@link poolExecutor}, [Many cores, child processes and threads](../../docs/many-cores.md).
 * @example
 * ```ts
 * // worker.js: const { parentPort } = require('node:worker_threads');
 * //   const tick = setInterval(() => parentPort.postMessage('tick'), 1000); // real-time: the user's thread code in an example, not rxrun's
 * //   parentPort.on('message', (m) => m === 'shutdown' && (clearInterval(tick), parentPort.close()));
 * import { filter } from 'rxjs';
 * import { runApp, worker$ } from 'rxrun';
 * runApp(() => worker$('./worker.js', { terminateAfter: 3000 }).pipe(filter((e) => e.type === 'message')));
 * ```
 */
export function worker$(filenameOrWorker: string | URL | Worker, config?: WorkerConfig): Observable<WorkerEvent> {
  const given = isWorkerLike(filenameOrWorker) ? filenameOrWorker : undefined;
  const file = given === undefined ? checkModulePath(WHERE, 'filenameOrWorker', filenameOrWorker) : undefined;
  const options = checkObject(WHERE, 'config', config);
  checkKnownKeys(WHERE, options, CONFIG_KEYS);
  if (given !== undefined) {
    for (const key of START_KEYS) {
      if (options[key] !== undefined) throw new TypeError(`${WHERE}: option '${key}' shapes a new thread; it cannot be given with a running Worker`);
    }
  }
  const fixedName = checkName(WHERE, 'name', options['name']);
  const stopMessage = options['stopMessage'] === undefined ? 'shutdown' : options['stopMessage'];
  const terminateAfter = checkDuration(WHERE, 'terminateAfter', options['terminateAfter']) ?? DEFAULT_TERMINATE_AFTER;
  const argv = options['argv'] === undefined ? undefined : checkStringArray(WHERE, 'argv', options['argv']);
  const execArgv = options['execArgv'] === undefined ? undefined : checkStringArray(WHERE, 'execArgv', options['execArgv']);
  const env = checkEnv(WHERE, options['env']);
  const resourceLimits = options['resourceLimits'] === undefined ? undefined : checkResourceLimits(options['resourceLimits']);
  const workerData = options['workerData'];
  const app = checkApp(WHERE, options['app']);
  const schedulerOption = checkScheduler(WHERE, options['scheduler']);

  return new Observable<WorkerEvent>((subscriber) => {
    const internals = findRunningApp(app, WHERE);
    const scheduler = schedulerOption ?? internals?.context.scheduler ?? asyncScheduler;
    let worker: Worker;
    let name: string;
    try {
      if (given !== undefined) {
        // Node sets threadId to -1 once the thread has exited: there is no exit left to wait for.
        if (given.threadId < 0) throw new RangeError(`${WHERE}: the given Worker has already exited`);
        worker = given;
        name = fixedName ?? `worker#${given.threadId}`;
      } else {
        const absolute = resolveModulePath(WHERE, file as string, undefined);
        worker = new (loadBuiltin('node:worker_threads').Worker)(absolute, {
          ...(workerData === undefined ? {} : { workerData }),
          ...(argv === undefined ? {} : { argv }),
          ...(execArgv === undefined ? {} : { execArgv }),
          ...(env === undefined ? {} : { env }),
          ...(resourceLimits === undefined ? {} : { resourceLimits }),
        });
        name = fixedName ?? path.basename(absolute);
      }
    } catch (error) {
      subscriber.error(error);
      return undefined;
    }
    const threadId = worker.threadId;
    let tornDown = false;
    let ended = false;
    let stopStartedAt = 0;
    let terminatedAfter: number | undefined;
    let stoppedByTerminate = false;
    let cutByApp = false;
    let thrown: { error: unknown } | undefined;
    let ticket: ProtectedTicket | undefined;
    const steps = new Subscription();

    const report = (error: Error) => reportOrWarn(internals, 'child', name, error, 'ChildError');
    const emitStep = (step: 'message' | 'terminate', overdue: boolean) =>
      internals?.emit({ type: 'child-stopping', kind: 'thread', name, id: threadId, step, overdue, at: scheduler.now() }, childEventLog);
    const settle = () => {
      ended = true;
      steps.unsubscribe();
      const held = ticket;
      ticket = undefined;
      held?.done();
    };

    const onMessage = (message: unknown) => subscriber.next({ type: 'message', message });
    const onMessageError = (error: unknown) => {
      const failure = new WorkerThreadError(name, threadId, error);
      if (tornDown) report(failure);
      else subscriber.error(failure);
    };
    // An uncaught exception ends the thread: its 'exit' (code 1) follows and carries the error.
    const onError = (error: unknown) => (thrown = { error });
    const onExit = (code: number) => {
      if (ended) return;
      worker.off('message', onMessage);
      worker.off('messageerror', onMessageError);
      worker.off('error', onError);
      internals?.emit({ type: 'child-exited', kind: 'thread', name, id: threadId, code, signal: null, at: scheduler.now() }, childEventLog);
      const failure =
        thrown !== undefined ? new WorkerThreadError(name, threadId, thrown.error, code)
        : code !== 0 && !stoppedByTerminate ? new ChildExitError(name, threadId, code, null)
        : undefined;
      if (tornDown) {
        // A stop this task started: a terminate at the deadline or a failure is reported to the app
        // (before the app stops waiting for the thread, so that its outcome holds the error).
        if (!cutByApp && failure !== undefined) report(failure);
        else if (!cutByApp && terminatedAfter !== undefined) report(new ChildKilledError(name, threadId, 'terminate', terminatedAfter));
        settle();
        return;
      }
      settle();
      if (failure !== undefined) {
        subscriber.error(failure);
        return;
      }
      subscriber.next({ type: 'exit', code });
      subscriber.complete();
    };

    worker.on('message', onMessage);
    worker.on('messageerror', onMessageError);
    worker.on('error', onError);
    worker.once('exit', onExit);
    internals?.emit({ type: 'child-started', kind: 'thread', name, id: threadId, at: scheduler.now() }, childEventLog);
    subscriber.next({ type: 'start', threadId, worker });

    /** `atDeadline`: the thread ignored its stop message (named in the outcome); else it is the stop itself. */
    const terminate = (atDeadline: boolean) => {
      if (ended || stoppedByTerminate) return;
      stoppedByTerminate = true;
      emitStep('terminate', atDeadline);
      if (atDeadline) terminatedAfter = scheduler.now() - stopStartedAt;
      worker.terminate().then(undefined, (error: unknown) => report(error instanceof Error ? error : new Error(String(error))));
    };

    return () => {
      tornDown = true;
      worker.off('message', onMessage);
      if (ended) return;
      stopStartedAt = scheduler.now();
      ticket = internals?.protect(`${WHERE} ${name}`, () => {
        // The app's budget ran out (or it was abandoned): terminate now; the app's report names the thread.
        cutByApp = true;
        terminate(true);
        settle();
      });
      if (ended) return;
      let messaged = false;
      if (stopMessage !== false) {
        try {
          worker.postMessage(stopMessage);
          messaged = true;
        } catch (error) {
          // Not cloneable, or the port is closed: the thread cannot be asked; it is terminated now.
          report(error instanceof Error ? error : new Error(String(error)));
        }
      }
      if (!messaged) {
        terminate(false);
        return;
      }
      emitStep('message', false);
      steps.add(scheduler.schedule(() => terminate(true), stopPlan(internals, undefined, terminateAfter).killAt));
    };
  });
}

/** A `Worker` (or a look-alike) rather than a file: checked by shape, so that `node:worker_threads` need not be loaded. */
function isWorkerLike(value: unknown): value is Worker {
  const candidate = value as Partial<Record<'postMessage' | 'terminate' | 'on' | 'off' | 'once', unknown>> & { threadId?: unknown } | null;
  return (
    typeof candidate === 'object' && candidate !== null && !(candidate instanceof URL) &&
    typeof candidate.threadId === 'number' && typeof candidate.postMessage === 'function' && typeof candidate.terminate === 'function' &&
    typeof candidate.on === 'function' && typeof candidate.off === 'function' && typeof candidate.once === 'function'
  );
}


function checkResourceLimits(value: unknown): ResourceLimits {
  const limits = checkObject(WHERE, 'resourceLimits', value);
  checkKnownKeys(`${WHERE} resourceLimits`, limits, LIMIT_KEYS);
  for (const key of LIMIT_KEYS) {
    const limit = limits[key];
    if (limit === undefined) continue;
    if (typeof limit !== 'number') throw new TypeError(`${WHERE}: option 'resourceLimits.${key}' must be a number, got ${describe(limit)}`);
    if (!Number.isFinite(limit) || limit <= 0) throw new RangeError(`${WHERE}: option 'resourceLimits.${key}' must be a positive number, got ${limit}`);
  }
  return { ...limits } as ResourceLimits;
}
