import { filter, take } from 'rxjs';
import type { AppInternals } from '../core/appRegistry.js';

interface ReadyState {
  started: number;
  listening: number;
  sent: boolean;
}

const stateByApp = new WeakMap<AppInternals, ReadyState>();

/** A `serve$` taking part in its app's PM2 ready signal (internal). */
export interface ReadyMember {
  /** The server is listening. */
  listening(): void;
  /** The `serve$` was unsubscribed. */
  leave(): void;
}

/**
 * PM2 `wait_ready`: once the app is `running` and every `serve$` started in it is listening, sends
 * `'ready'` to the parent once (when the process has an IPC channel) and emits `ready-sent`.
 */
export function joinReadySignal(internals: AppInternals): ReadyMember {
  let state = stateByApp.get(internals);
  if (state === undefined) {
    const created: ReadyState = { started: 0, listening: 0, sent: false };
    state = created;
    stateByApp.set(internals, created);
    if (internals.phase === 'starting') {
      // Every server may be listening before main returned (it never is with a real listen, but be exact).
      internals.context.events$
        .pipe(filter((event) => event.type === 'phase' && event.phase === 'running'), take(1))
        .subscribe(() => maybeSend(internals, created));
    }
  }
  const joined = state;
  joined.started += 1;
  let isListening = false;
  let left = false;
  return {
    listening() {
      if (left || isListening) return;
      isListening = true;
      joined.listening += 1;
      maybeSend(internals, joined);
    },
    leave() {
      if (left) return;
      left = true;
      joined.started -= 1;
      if (isListening) joined.listening -= 1;
      else maybeSend(internals, joined);
    },
  };
}

function maybeSend(internals: AppInternals, state: ReadyState): void {
  if (state.sent || internals.phase !== 'running' || state.started === 0 || state.listening < state.started) return;
  state.sent = true;
  if (internals.sendToParent('ready')) internals.emit({ type: 'ready-sent', at: internals.context.scheduler.now() });
}
