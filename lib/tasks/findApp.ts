import { isAppContext, resolveApp, type AppInternals } from '../core/appRegistry.js';
import { NoCurrentAppError } from '../core/errors.js';
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
 * not given and none (or several) run: groups and supervisors work without an app (internal).
 */
export function findApp(app: AppContext | undefined, where: string): AppInternals | undefined {
  if (app !== undefined) return resolveApp(app, where);
  // Called per spawn/event while a group is idle: "no app" is a normal answer here, so the thrown
  // NoCurrentAppError is caught at once and its stack trace (most of its cost) is not worth capturing.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return resolveApp(undefined, where);
  } catch (error) {
    if (error instanceof NoCurrentAppError) return undefined;
    throw error;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** True once the app's shutdown was requested (internal). */
export function isStopping(internals: AppInternals | undefined): boolean {
  if (internals === undefined) return false;
  return internals.context.signal.aborted || (internals.phase !== 'starting' && internals.phase !== 'running');
}
