import type { AppInternals } from '../core/appRegistry.js';

/** When each step of a child's stop happens, in scheduler ms from the start of the stop (internal). */
export interface StopPlan {
  /** The forceful step (SIGTERM for a process); `undefined` for threads, which have none. */
  readonly escalateAt: number | undefined;
  /** The deadline: SIGKILL or `terminate()`. */
  readonly killAt: number;
}

/**
 * The stop steps' times: as configured, but inside an app's shutdown the deadline comes before the
 * app's own (its remaining budget less a margin of 10 %, at most 1 s), so that the child is killed
 * and named by this task rather than cut off with the whole app; a compressed plan escalates halfway.
 */
export function stopPlan(internals: AppInternals | undefined, escalateAfter: number | undefined, killAfter: number): StopPlan {
  const remaining = internals?.remainingBudget() ?? Infinity;
  const limit = Number.isFinite(remaining) ? Math.max(0, remaining - Math.min(1000, remaining * 0.1)) : Infinity;
  if (killAfter <= limit) return { escalateAt: escalateAfter, killAt: killAfter };
  const killAt = Math.floor(limit);
  return { escalateAt: escalateAfter === undefined ? undefined : Math.min(escalateAfter, Math.floor(killAt / 2)), killAt };
}
