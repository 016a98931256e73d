import type { AppInternals } from '../core/appRegistry.js';

/** True once the app's shutdown was requested (internal). */
export function isStopping(internals: AppInternals | undefined): boolean {
  if (internals === undefined) return false;
  return internals.context.signal.aborted || (internals.phase !== 'starting' && internals.phase !== 'running');
}
