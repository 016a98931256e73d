import type { ShutdownReason } from './types.js';

/**
 * An app's shutdown request (internal): the first request is latched with its time and starts the
 * budget; later ones are kept, in order, for the outcome's `laterReasons`.
 */
export interface ShutdownLatch {
  /** The first request, once made. */
  readonly reason: ShutdownReason | undefined;
  /** When the first request was made (scheduler time); 0 before it. */
  readonly requestedAt: number;
  readonly laterReasons: readonly ShutdownReason[];
  /** Records `request` made at `at`; `true` when it is the first (the one latched). */
  request(request: ShutdownReason, at: number): boolean;
  /** The budget left at `now`, counted from the first request; `Infinity` before it. */
  remaining(now: number): number;
}

/** `budgetMs`: the app's `shutdownTimeout`. */
export function createShutdownLatch(budgetMs: number): ShutdownLatch {
  let reason: ShutdownReason | undefined;
  let requestedAt = 0;
  const laterReasons: ShutdownReason[] = [];
  return {
    get reason() {
      return reason;
    },
    get requestedAt() {
      return requestedAt;
    },
    laterReasons,
    request(request, at) {
      if (reason !== undefined) {
        laterReasons.push(request);
        return false;
      }
      reason = request;
      requestedAt = at;
      return true;
    },
    remaining: (now) => (reason === undefined ? Infinity : Math.max(0, requestedAt + budgetMs - now)),
  };
}
