import type { AppInternals } from '../core/appRegistry.js';
import type { ReadyMember } from '../core/readySignal.js';

export type { ReadyMember } from '../core/readySignal.js';

/**
 * PM2 `wait_ready` (internal): a `serve$` joins its app's ready signal, so that the app sends
 * `'ready'` to its parent only once it is running and every `serve$` started in it is listening (the
 * rule lives in the core, `readySignal.ts`, since apps without a server become ready too).
 */
export function joinReadySignal(internals: AppInternals): ReadyMember {
  return internals.joinReady();
}
