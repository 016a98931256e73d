import { BehaviorSubject, type Observable } from 'rxjs';
import type { AppInternals } from '../core/appRegistry.js';
import { perApp } from '../core/perApp.js';
import type { ReadyMember } from '../core/readySignal.js';

export type { ReadyMember } from '../core/readySignal.js';

// `serve$` subscriptions of an app that have not listened yet (nor ended): `/readyz` waits for them.
const startingOf = /* @__PURE__ */ perApp(() => new BehaviorSubject(0));

/**
 * A `serve$` joins its app's readiness (internal): PM2 `wait_ready` sends `'ready'` only once the
 * app is running and every `serve$` started in it listens (the rule lives in the core,
 * `readySignal.ts`, since apps without a server become ready too), and `probes` answer `/readyz`
 * 503 while any `serve$` of the app is still starting (see {@link serversStarting$}).
 */
export function joinReadySignal(internals: AppInternals): ReadyMember {
  const member = internals.joinReady();
  const starting = startingOf(internals);
  starting.next(starting.value + 1);
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    starting.next(starting.value - 1);
  };
  return {
    listening() {
      settle();
      member.listening();
    },
    leave() {
      settle();
      member.leave();
    },
  };
}

/**
 * How many `serve$` of the app have started and not listened yet (internal), replayed: a pod whose
 * server is still binding is not ready, even though its app already runs.
 */
export function serversStarting$(internals: AppInternals): Observable<number> {
  return startingOf(internals);
}
