import type { ChildProcess, StdioOptions } from 'node:child_process';
import { loadBuiltin } from '../core/loadBuiltin.js';
import * as path from 'node:path';
import { Observable, Subscription, asyncScheduler, type SchedulerLike } from 'rxjs';
import { findRunningApp, reportOrWarn, type ProtectedTicket } from '../core/appRegistry.js';
import type { AppContext } from '../core/types.js';
import {
  checkApp, checkDuration, checkKnownKeys, checkName, checkObject, checkOneOf, checkScheduler, checkString,
} from '../core/validate.js';
import { checkEnv, checkStringArray } from './childOptions.js';
import { ChildExitError, ChildKilledError } from './errors.js';
import { lineSplitter } from './lineSplitter.js';
import { checkModulePath, resolveModulePath } from './resolveModulePath.js';
import { stopPlan } from './stopPlan.js';
import { childEventLog } from './childEvents.js';

const WHERE = 'fork$';
const DEFAULT_SIGTERM_AFTER = 5_000;
const DEFAULT_SIGKILL_AFTER = 10_000;
const CONFIG_KEYS = [
  'name', 'output', 'stopMessage', 'sigtermAfter', 'sigkillAfter', 'cwd', 'env', 'execArgv', 'execPath', 'serialization', 'app', 'scheduler',
] as const;

/**
 * Options of {@link fork$}. Every field is optional.
 *
 * @example
 * ```ts
 * fork$('./worker.js', ['--queue', 'mail'], { name: 'mailer', output: 'lines', sigtermAfter: 2000, sigkillAfter: 5000 });
 * ```
 */
export interface ForkConfig {
  /** Names the child in events, logs, errors and reports. Default: the module's file name. */
  name?: string;
  /** The child's stdout and stderr: `'inherit'` (default: the parent's), `'lines'` (emitted as `line` events) or `'ignore'`. */
  output?: 'inherit' | 'lines' | 'ignore';
  /** The IPC message that asks the child to stop (rxrun and PM2 apps stop on it). Default `'shutdown'`; `false`: send none, start with SIGTERM. */
  stopMessage?: unknown;
  /** ms from the start of the stop (the message) to SIGTERM. Default 5000. */
  sigtermAfter?: number;
  /** ms from the start of the stop to SIGKILL, the deadline (≥ `sigtermAfter`). Default 10000. Inside an app's shutdown it is also kept within the app's remaining budget. */
  sigkillAfter?: number;
  /** The child's working directory (and the base of a relative `modulePath`). Default `process.cwd()`. */
  cwd?: string;
  /** The child's environment. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Node options for the child. Default `process.execArgv` (so a ts-node parent forks ts-node children). */
  execArgv?: readonly string[];
  /** The Node binary. Default `process.execPath`. */
  execPath?: string;
  /** IPC serialization: `'json'` (default) or `'advanced'` (structured clone). */
  serialization?: 'json' | 'advanced';
  /** The app whose shutdown waits for the child and hears its events. Default: the one running app, if any. */
  app?: AppContext;
  /** Times the stop steps. Default: the app's scheduler, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/**
 * What {@link fork$} emits: `spawn` once (with the `ChildProcess`, to `send` it messages), the
 * child's IPC `message`s and, with `output: 'lines'`, its output `line`s; and, when the child ends by
 * itself with code 0 (or by a signal while the app is stopping), an `exit` record, then completion.
 *
 * @example
 * ```ts
 * fork$('./job.js').subscribe((e) => e.type === 'exit' && console.log('done', e.code));
 * ```
 */
export type ForkEvent =
  | { readonly type: 'spawn'; readonly pid: number; readonly child: ChildProcess }
  | { readonly type: 'message'; readonly message: unknown }
  | { readonly type: 'line'; readonly stream: 'stdout' | 'stderr'; readonly line: string }
  | { readonly type: 'exit'; readonly pid: number; readonly code: number | null; readonly signal: NodeJS.Signals | null };

/**
 * A Node child process as a task (aiotools' `afork`, `child_process.fork` with an IPC channel).
 * Each subscription forks the module; the observable emits the child's messages (see
 * {@link ForkEvent}). A child that exits by itself with code 0 completes it (after an `exit` record);
 * a non-zero code, or a signal nobody sent, is a {@link ChildExitError} — the app's `onTaskError`
 * policy sees it. A module path that does not exist errors at once with a
 * {@link ChildModuleNotFoundError} (`ENOENT`); nothing is forked.
 *
 * Unsubscribing (the app's shutdown, `takeUntil`, `switchMap`…) stops the child gracefully: the IPC
 * `stopMessage`, SIGTERM `sigtermAfter` ms later, SIGKILL at `sigkillAfter` (each a `child-stopping`
 * event; a SIGKILL is also a {@link ChildKilledError} in the app's outcome). Inside an app the stop is
 * protected work: the app waits for the child (within its budget) before finalizing, and names it if
 * the budget cuts it off. A child that runs rxrun stops on the message, and stops itself if this
 * process dies (its IPC channel closes); see the README for other children.
 *
 * ```
 * child:     (spawn)--m---m-----------x              exits (code 0) after the message
 * task:      s--------m---m--!                       unsubscribed at ! (app shutdown)
 * stop:                      msg------|              (SIGTERM at +sigtermAfter, SIGKILL at +sigkillAfter if still alive)
 * app waits:                 =========|  then finalizing
 * ```
 *
 * @param modulePath The module to run: a path (relative to `cwd`) or a `file:` URL.
 * @param args The child's arguments (its `process.argv.slice(2)`). Default none.
 * @param config See {@link ForkConfig}.
 * @returns A cold observable: each subscription forks one child and emits its {@link ForkEvent}s; unsubscribing
 * stops it. It errors with a {@link ChildExitError} for a non-zero exit (or a signal nobody sent), a
 * {@link ChildModuleNotFoundError} for a module that does not exist, Node's error for a failed spawn (e.g. no
 * such `execPath`), kill or send, and, with no `app` given and several apps running, a {@link NoCurrentAppError}.
 * @throws TypeError for a `modulePath` that is neither a string nor a `file:` URL, `args` that are not an array of
 * strings, an unknown option, or an option of the wrong type; RangeError for an empty `modulePath` or `name`, an
 * unknown `output` or `serialization`, a `sigtermAfter` / `sigkillAfter` out of 0–2147483647, or a `sigkillAfter`
 * below `sigtermAfter`.
 * @see {@link worker$}, {@link workers$}, [Many cores, child processes and threads](../../docs/many-cores.md).
 * @example
 * ```ts
 * import { filter } from 'rxjs';
 * import { fork$, runApp } from 'rxrun';
 * runApp(() =>
 *   fork$('./worker.js', [], { name: 'worker', sigtermAfter: 3000, sigkillAfter: 8000 }).pipe(
 *     filter((e) => e.type === 'message'),
 *   ),
 * );
 * ```
 */
export function fork$(modulePath: string | URL, args?: readonly string[], config?: ForkConfig): Observable<ForkEvent> {
  const file = checkModulePath(WHERE, 'modulePath', modulePath);
  const argv = args === undefined ? [] : checkStringArray(WHERE, 'args', args, 'argument');
  const options = checkObject(WHERE, 'config', config);
  checkKnownKeys(WHERE, options, CONFIG_KEYS);
  const fixedName = checkName(WHERE, 'name', options['name']);
  const output = checkOneOf(WHERE, 'output', options['output'], ['inherit', 'lines', 'ignore'] as const) ?? 'inherit';
  const stopMessage = options['stopMessage'] === undefined ? 'shutdown' : options['stopMessage'];
  const sigtermAfter = checkDuration(WHERE, 'sigtermAfter', options['sigtermAfter']) ?? DEFAULT_SIGTERM_AFTER;
  const sigkillAfter = checkDuration(WHERE, 'sigkillAfter', options['sigkillAfter']) ?? Math.max(DEFAULT_SIGKILL_AFTER, sigtermAfter);
  if (sigkillAfter < sigtermAfter) {
    throw new RangeError(`${WHERE}: option 'sigkillAfter' (${sigkillAfter}) must be >= option 'sigtermAfter' (${sigtermAfter})`);
  }
  const cwd = checkString(WHERE, 'cwd', options['cwd']);
  const env = checkEnv(WHERE, options['env']);
  const execArgv = options['execArgv'] === undefined ? undefined : checkStringArray(WHERE, 'execArgv', options['execArgv']);
  const execPath = checkString(WHERE, 'execPath', options['execPath']);
  const serialization = checkOneOf(WHERE, 'serialization', options['serialization'], ['json', 'advanced'] as const);
  const app = checkApp(WHERE, options['app']);
  const schedulerOption = checkScheduler(WHERE, options['scheduler']);
  const stdio: StdioOptions = output === 'inherit' ? ['inherit', 'inherit', 'inherit', 'ipc'] : ['inherit', output === 'lines' ? 'pipe' : 'ignore', output === 'lines' ? 'pipe' : 'ignore', 'ipc'];

  return new Observable<ForkEvent>((subscriber) => {
    const internals = findRunningApp(app, WHERE);
    const scheduler = schedulerOption ?? internals?.context.scheduler ?? asyncScheduler;
    let absolute: string;
    let child: ChildProcess;
    try {
      absolute = resolveModulePath(WHERE, file, cwd);
      child = loadBuiltin('node:child_process').fork(absolute, argv, {
        stdio,
        ...(cwd === undefined ? {} : { cwd }),
        ...(env === undefined ? {} : { env }),
        ...(execArgv === undefined ? {} : { execArgv }),
        ...(execPath === undefined ? {} : { execPath }),
        ...(serialization === undefined ? {} : { serialization }),
      });
    } catch (error) {
      subscriber.error(error);
      return undefined;
    }
    const name = fixedName ?? path.basename(absolute);
    const pid = child.pid;
    let tornDown = false;
    let ended = false;
    let stopStartedAt = 0;
    let killedAfter: number | undefined;
    let cutByApp = false;
    let ticket: ProtectedTicket | undefined;
    const steps = new Subscription();
    const stopReading: (() => void)[] = [];

    const report = (error: Error) => reportOrWarn(internals, 'child', name, error, 'ChildError');
    const emitStep = (step: 'message' | 'SIGTERM' | 'SIGKILL') => {
      if (pid !== undefined) internals?.emit({ type: 'child-stopping', kind: 'process', name, id: pid, step, overdue: step === 'SIGKILL', at: scheduler.now() }, childEventLog);
    };
    const settle = () => {
      ended = true;
      steps.unsubscribe();
      const held = ticket;
      ticket = undefined;
      held?.done();
    };

    const onSpawn = () => {
      internals?.emit({ type: 'child-started', kind: 'process', name, id: pid as number, at: scheduler.now() }, childEventLog);
      if (!tornDown) subscriber.next({ type: 'spawn', pid: pid as number, child });
    };
    const onMessage = (message: unknown) => subscriber.next({ type: 'message', message });
    const onError = (error: Error) => {
      if (pid === undefined || child.pid === undefined) {
        // The spawn itself failed (e.g. no such `execPath`): there is no process to wait for.
        if (ended) return;
        settle();
        if (tornDown) report(error);
        else subscriber.error(error);
        return;
      }
      // A failed kill or send: the child runs on; the error must not vanish.
      if (tornDown) report(error);
      else subscriber.error(error);
    };
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
      if (ended) return;
      for (const stop of stopReading.splice(0)) stop();
      if (pid !== undefined) internals?.emit({ type: 'child-exited', kind: 'process', name, id: pid, code, signal, at: scheduler.now() }, childEventLog);
      if (tornDown) {
        // A stop this task started: a kill at the deadline or a failing exit is reported to the app.
        if (!cutByApp && killedAfter !== undefined) report(new ChildKilledError(name, pid, 'SIGKILL', killedAfter));
        else if (!cutByApp && code !== null && code !== 0) report(new ChildExitError(name, pid, code, signal));
        settle();
        return;
      }
      settle();
      const appStopping = internals?.context.signal.aborted === true;
      if (code === 0 || (code === null && appStopping)) {
        subscriber.next({ type: 'exit', pid: pid as number, code, signal });
        subscriber.complete();
      } else {
        subscriber.error(new ChildExitError(name, pid, code, signal));
      }
    };

    child.once('spawn', onSpawn);
    child.on('message', onMessage);
    child.on('error', onError);
    // 'exit', then the output pipes' end (not the child's 'close', which never comes after a
    // parent-side `disconnect()`): every line is out before the exit record.
    child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      const pipes = output === 'lines' ? [child.stdout, child.stderr].filter((stream) => stream !== null && !stream.closed) : [];
      let left = pipes.length;
      if (left === 0) onClose(code, signal);
      for (const pipe of pipes) pipe?.once('close', () => --left === 0 && onClose(code, signal));
    });
    if (output === 'lines') {
      for (const stream of ['stdout', 'stderr'] as const) {
        const readable = child[stream];
        if (readable !== null) stopReading.push(lineSplitter(readable, (line) => subscriber.next({ type: 'line', stream, line })));
      }
    }

    const kill = (signal: 'SIGTERM' | 'SIGKILL') => {
      if (ended || child.exitCode !== null || child.signalCode !== null) return;
      emitStep(signal);
      if (signal === 'SIGKILL') killedAfter = scheduler.now() - stopStartedAt;
      child.kill(signal);
    };

    return () => {
      tornDown = true;
      child.off('message', onMessage);
      for (const stop of stopReading.splice(0)) stop();
      if (ended || pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      stopStartedAt = scheduler.now();
      ticket = internals?.protect(`fork$ ${name}`, () => {
        // The app's budget ran out (or it was abandoned): kill now; the app's report names the child.
        cutByApp = true;
        kill('SIGKILL');
        settle();
      });
      const plan = stopPlan(internals, sigtermAfter, sigkillAfter);
      let messaged = false;
      if (stopMessage !== false && child.connected) {
        try {
          messaged = child.send(stopMessage as never, (error: Error | null) => {
            if (error !== null && !ended) kill('SIGTERM');
          });
        } catch {
          messaged = false;
        }
      }
      if (messaged) {
        emitStep('message');
        steps.add(scheduler.schedule(() => kill('SIGTERM'), plan.escalateAt ?? 0));
      } else {
        kill('SIGTERM');
      }
      steps.add(scheduler.schedule(() => kill('SIGKILL'), plan.killAt));
    };
  });
}
