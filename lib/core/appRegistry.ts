import { NoCurrentAppError } from './errors.js';
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
  /** True while the app's own shutdown unsubscribes (its root teardown, `untilShutdown`). */
  readonly detaching: boolean;
  /** Runs `run` as part of the app's own shutdown: protected work it unsubscribes detaches. */
  detachWhile(run: () => void): void;
  /** Registers protected work; `undefined` once the app no longer waits for any (finalizing or later). */
  protect(name: string, cutOff: () => void): ProtectedTicket | undefined;
  /** Reports an error under the app's error policy. */
  reportError(source: ErrorSource, name: string | undefined, error: unknown): void;
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
