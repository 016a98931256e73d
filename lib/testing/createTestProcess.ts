import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { ProcessPort } from '../process/ProcessPort.js';
import { signalExitStatus } from '../process/signals.js';
import { checkBoolean, checkKnownKeys, checkObject, checkOneOf, checkScheduler, describe } from '../core/validate.js';

/**
 * Options of {@link createTestProcess}.
 *
 * @example
 * ```ts
 * const port = createTestProcess({ platform: 'win32', ipc: false }); // SIGBREAK is then a default signal
 * const underPm2 = createTestProcess({ env: { pm_id: '0', exec_mode: 'fork_mode' } }); // PM2's kill_timeout: 1600 ms
 * ```
 */
export interface TestProcessConfig {
  /** The platform the app sees. Default `'linux'`. */
  platform?: NodeJS.Platform;
  /** Whether the process has an IPC channel. Default true. */
  ipc?: boolean;
  /** Times `signal(…, delay)` and `message(…, delay)`. Default `asyncScheduler` (virtual inside `TestScheduler.run`). */
  scheduler?: SchedulerLike;
  /** The environment the app sees through `env(name)`, e.g. PM2's `{ pm_id: '0', exec_mode: 'cluster_mode', kill_timeout: '5000' }`. Default empty. */
  env?: Readonly<Record<string, string>>;
}

/**
 * A fake process for tests: send it signals and messages, read what the app did to it.
 *
 * @example
 * ```ts
 * const port = createTestProcess();
 * port.signal('SIGTERM', 10); // 10 ms from now, on the port's scheduler
 * await runApp(interval(1), { process: port, logger: false });
 * expect(port.exitCode).toBe(143);
 * expect(port.listenerCount()).toBe(0);
 * ```
 */
export interface TestProcess extends ProcessPort {
  /** Delivers `signal` now, or after `delay` ms of scheduler time. */
  signal(signal: NodeJS.Signals, delay?: number): void;
  /** Delivers an IPC message now, or after `delay` ms of scheduler time. */
  message(message: unknown, delay?: number): void;
  /** Raises an `uncaughtException` (or, with `kind`, an `unhandledRejection`) now, or after `delay` ms. */
  crash(error: unknown, delay?: number, kind?: 'uncaughtException' | 'unhandledRejection'): void;
  /** Listeners the app holds for a signal, or for every signal and event when omitted. */
  listenerCount(signal?: NodeJS.Signals): number;
  /** How many keep-alive handles are held now. */
  readonly keepAlives: number;
  /** The exit status, once `exit` or `raise` was called (`raise` counts as 128 + n). */
  readonly exitCode: number | undefined;
  /** The signal `raise` re-raised, if any. */
  readonly raisedSignal: NodeJS.Signals | undefined;
  /** Every line written by the default logger. */
  readonly lines: readonly string[];
  /** Every IPC message the app sent to its parent (only when `ipc` is true), e.g. PM2's `'ready'`. */
  readonly sent: readonly unknown[];
  /** What `activeResources()` reports (set it to simulate leaked handles). */
  resources: string[];
}

/**
 * A {@link ProcessPort} for tests: signals and IPC messages at virtual times in, exit status out.
 *
 * ```
 * test:   ----------SIGTERM(10)
 * app:    s-r-------q-d-f-x
 * port:   exitCode 143 after runApp
 * ```
 *
 * @param config See {@link TestProcessConfig}.
 * @returns A {@link TestProcess} to pass as the `process` option; its `signal`, `message` and `crash` throw a
 * TypeError / RangeError for a `delay` that is not a finite number ≥ 0.
 * @throws TypeError for an unknown option, a non-boolean `ipc`, a `scheduler` without `now()` and `schedule()`, an
 * `env` that is not an object of strings, or a `platform` that is not a string; RangeError for an unknown
 * `platform`.
 * @see {@link runTestApp}, {@link runVirtualApp}, [Testing](../../docs/testing.md).
 * @example
 * ```ts
 * new TestScheduler(assertDeepEqual).run(({ expectObservable }) => {
 *   const port = createTestProcess();
 *   port.signal('SIGTERM', 10);
 *   expectObservable(runApp$(main$, { process: port, logger: false }).pipe(map((e) => e.type))).toBe(…);
 * });
 * ```
 */
export function createTestProcess(config?: TestProcessConfig): TestProcess {
  const where = 'createTestProcess';
  const options = checkObject(where, 'config', config);
  checkKnownKeys(where, options, ['platform', 'ipc', 'scheduler', 'env']);
  const platform = (checkOneOf(where, 'platform', options['platform'], ['aix', 'android', 'darwin', 'freebsd', 'haiku', 'linux', 'openbsd', 'sunos', 'win32', 'cygwin', 'netbsd']) ?? 'linux') as NodeJS.Platform;
  const ipc = checkBoolean(where, 'ipc', options['ipc']) ?? true;
  const scheduler = checkScheduler(where, options['scheduler']) ?? asyncScheduler;
  const env = checkEnv(where, options['env']);

  const listeners = new Map<string, Set<(value: never) => void>>();
  let keepAlives = 0;
  let exitCode: number | undefined;
  let raisedSignal: NodeJS.Signals | undefined;
  const lines: string[] = [];
  const sent: unknown[] = [];

  const listen = (event: string, listener: (value: never) => void) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener);
    return () => void set.delete(listener);
  };
  const dispatch = (event: string, value: unknown, delay: number | undefined) => {
    if (delay !== undefined && typeof delay !== 'number') {
      throw new TypeError(`${where}: 'delay' must be a number of ms, got ${describe(delay)}`);
    }
    if (delay !== undefined && (!Number.isFinite(delay) || delay < 0)) {
      throw new RangeError(`${where}: 'delay' must be a finite number of ms >= 0, got ${describe(delay)}`);
    }
    const fire = () => {
      for (const listener of [...(listeners.get(event) ?? [])]) listener(value as never);
    };
    if (delay === undefined) fire();
    else scheduler.schedule(fire, delay);
  };

  const port: TestProcess = {
    platform,
    resources: [],
    onSignal: (signal, listener) => listen(`signal:${signal}`, listener as (value: never) => void),
    onMessage: (listener) => (ipc ? listen('message', listener as (value: never) => void) : undefined),
    onProcessError: (kind, listener) => listen(kind, listener as (value: never) => void),
    keepAlive() {
      keepAlives += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        keepAlives -= 1;
      };
    },
    activeResources: () => [...port.resources],
    send: (message) => {
      if (!ipc) return false;
      sent.push(message);
      return true;
    },
    env: (name) => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined),
    writeLine: (line) => void lines.push(line),
    exit(code) {
      exitCode ??= code;
    },
    raise(signal) {
      raisedSignal ??= signal;
      exitCode ??= signalExitStatus(signal);
    },
    signal: (signal, delay) => dispatch(`signal:${signal}`, signal, delay),
    message: (message, delay) => dispatch('message', message, delay),
    crash: (error, delay, kind = 'uncaughtException') => dispatch(kind, error, delay),
    listenerCount(signal) {
      if (signal !== undefined) return listeners.get(`signal:${signal}`)?.size ?? 0;
      let total = 0;
      for (const set of listeners.values()) total += set.size;
      return total;
    },
    get keepAlives() {
      return keepAlives;
    },
    get exitCode() {
      return exitCode;
    },
    get raisedSignal() {
      return raisedSignal;
    },
    lines,
    sent,
  };
  return port;
}

function checkEnv(where: string, value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  const env = checkObject(where, 'env', value);
  for (const [name, entry] of Object.entries(env)) {
    if (typeof entry !== 'string') throw new TypeError(`${where}: option 'env.${name}' must be a string, got ${describe(entry)}`);
  }
  return { ...env } as Record<string, string>;
}
