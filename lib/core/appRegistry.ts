import type { ObservableInput } from 'rxjs';
import { NoCurrentAppError } from './errors.js';
import type { AnyLifecycleEvent, EventLog } from './eventLog.js';
import type { ProcessPort } from '../process/ProcessPort.js';
import { realProcessPort } from '../process/realProcessPort.js';
import type { ReadyMember } from './readySignal.js';
import type { AppContext, ErrorSource, Phase } from './types.js';

/** A unit of protected work registered with a running app. */
export interface ProtectedTicket {
  /** The work completed, failed or was cancelled: the app stops waiting for it. */
  done(): void;
}

/** What operators need from a running app beyond its public context. */
export interface AppInternals {
  readonly context: AppContext;
  readonly phase: Phase;
  /** The app's process port. */
  readonly port: ProcessPort;
  /** True while the app's own shutdown unsubscribes (its root teardown, `untilShutdown`). */
  readonly detaching: boolean;
  /** Runs `run` as part of the app's own shutdown: protected work it unsubscribes detaches. */
  detachWhile(run: () => void): void;
  /** Registers protected work; `undefined` once the app no longer waits for any (finalizing or later). */
  protect(name: string, cutOff: () => void): ProtectedTicket | undefined;
  /** Reports an error under the app's error policy. */
  reportError(source: ErrorSource, name: string | undefined, error: unknown): void;
  /**
   * Emits a lifecycle event of an extension (`supervise`, `serve$`, …) in order with the app's own,
   * logged with `log`, its family's formatting; ignored once stopped. The event's type must be a
   * member of `LifecycleEventExtensions` (see lib/lifecycleEvent.ts).
   */
  emit<E extends AnyLifecycleEvent>(event: NoInfer<E>, log: EventLog<E>): void;
  /**
   * Registers a finalizer that can be withdrawn (a resource released early need not be released
   * again). Runs LIFO with `app.defer` finalizers. Returns the withdraw function, or `undefined` when
   * the app is past the point where a new finalizer could run (stopped).
   */
  addFinalizer(name: string, run: () => ObservableInput<unknown> | void, timeout?: number): (() => void) | undefined;
  /** Scheduler ms left of the shutdown budget; `Infinity` before shutdown began. */
  remainingBudget(): number;
  /** Sends an IPC message to the parent when the process has a channel (PM2 `wait_ready`); false otherwise. */
  sendToParent(message: unknown): boolean;
  /** A `serve$` joins the app's ready signal: the app is not ready before it listens. */
  joinReady(): ReadyMember;
}

/**
 * Reports `error` to the app while it can still put it in its outcome; otherwise (no app, or the work
 * outlived the app) runs `orElse`, so that the error never vanishes (internal).
 */
export function reportOr(
  internals: AppInternals | undefined,
  source: ErrorSource,
  name: string,
  error: unknown,
  orElse: () => void,
): void {
  if (internals !== undefined && internals.phase !== 'stopped') internals.reportError(source, name, error);
  else orElse();
}

/**
 * Reports `error` to the app while it can still put it in its outcome; otherwise (no app, or the work
 * outlived the app) emits it as a process warning (internal): the one fallback of `serve$`, `fork$`
 * and `worker$`, through the app's port when it has `warning`, else the real process's. The warning's
 * type is the error's name (`nonErrorType` for a thrown non-Error).
 */
export function reportOrWarn(internals: AppInternals | undefined, source: ErrorSource, name: string, error: unknown, nonErrorType: string): void {
  reportOr(internals, source, name, error, () => {
    const port = internals?.port.warning === undefined ? realProcessPort() : internals.port;
    // Stryker disable OptionalChaining: equivalent — the port chosen just above always has warning (the app's only when it has one, else the real process's)
    if (error instanceof Error) port.warning?.(error.message, error.name);
    else port.warning?.(String(error), nonErrorType);
    // Stryker restore OptionalChaining
  });
}

const internalsByContext = new WeakMap<AppContext, AppInternals>();
const runningApps = new Set<AppInternals>();

export function registerInternals(internals: AppInternals): void {
  internalsByContext.set(internals.context, internals);
}

export function markRunning(internals: AppInternals, running: boolean): void {
  if (running) runningApps.add(internals);
  else runningApps.delete(internals);
}

export function isAppContext(value: unknown): value is AppContext {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent — WeakMap.has is false for a primitive or null, and a registered context is always an object; the `has` → true twin is killed by appRegistry.mutants.spec.ts (checked by hand)
  return typeof value === 'object' && value !== null && internalsByContext.has(value as AppContext);
}

/** The internals of `app`, or of the one app running in this process when `app` is omitted. */
export function resolveApp(app: AppContext | undefined, where: string): AppInternals {
  if (app !== undefined) {
    const internals = internalsByContext.get(app);
    if (internals === undefined) throw new TypeError(`${where}: 'app' must be the AppContext passed to main`);
    return internals;
  }
  if (runningApps.size === 1) return runningApps.values().next().value as AppInternals;
  throw new NoCurrentAppError(
    runningApps.size === 0
      ? `${where}: no app is running in this process; pass the app (the AppContext main receives) explicitly`
      : `${where}: ${runningApps.size} apps are running in this process; pass the app explicitly`,
  );
}

/**
 * Like `resolveApp`, but `undefined` (no error) when `app` is omitted and no app is running; still
 * throws NoCurrentAppError when several run (ambiguous).
 */
export function findRunningApp(app: AppContext | undefined, where: string): AppInternals | undefined {
  if (app === undefined && runningApps.size === 0) return undefined;
  return resolveApp(app, where);
}
