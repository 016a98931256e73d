import { findRunningApp, isAppContext, type AppInternals } from '../core/appRegistry.js';
import type { AppContext } from '../core/types.js';
import { describe } from '../core/validate.js';

/** Validates an optional `app` option at call time (internal). */
export function checkApp(where: string, value: unknown): AppContext | undefined {
  if (value === undefined) return undefined;
  if (!isAppContext(value)) throw new TypeError(`${where}: option 'app' must be the AppContext passed to main, got ${describe(value)}`);
  return value;
}

/**
 * The internals of `app`, or of the one app running in this process, or `undefined` when `app` was
 * not given and none runs: groups and supervisors work without an app. Several apps running and no
 * `app` given is ambiguous: `NoCurrentAppError`, as for `shutdownWaitsFor`, `resource$` and `serve$` (internal).
 */
export function findApp(app: AppContext | undefined, where: string): AppInternals | undefined {
  return findRunningApp(app, where);
}

/** True once the app's shutdown was requested (internal). */
export function isStopping(internals: AppInternals | undefined): boolean {
  if (internals === undefined) return false;
  return internals.context.signal.aborted || (internals.phase !== 'starting' && internals.phase !== 'running');
}
