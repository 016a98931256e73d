import { from, take, type ObservableInput, type Subscription } from 'rxjs';
import type { AppContext } from './types.js';

/** What the `ready` option of `runApp` accepts (internal). */
export type ReadySource = ObservableInput<unknown> | ((app: AppContext) => ObservableInput<unknown>);

/** A `serve$` taking part in its app's ready signal (internal). */
export interface ReadyMember {
  /** The server is listening. */
  listening(): void;
  /** The `serve$` was unsubscribed. */
  leave(): void;
}

/** One app's readiness (internal): created by the runtime, joined by every `serve$` of the app. */
export interface ReadySignal {
  /** A `serve$` started in the app: the app is not ready before it listens. */
  join(): ReadyMember;
  /** The app is running: subscribes the user's signal, and sends when nothing else is awaited. */
  running(): void;
  /** Shutdown began or the app stopped: nothing is sent any more, the user's signal is unsubscribed. */
  close(): void;
}

/** What the readiness needs from its runtime (internal). */
export interface ReadyHost {
  readonly context: AppContext;
  readonly source: ReadySource | undefined;
  /** Running, and no shutdown requested. */
  isRunning(): boolean;
  /** Sends `'ready'` to the parent; true when it was handed to a channel. */
  send(): boolean;
  /** Emits `ready-sent`. */
  sent(): void;
  /** Reports the user's signal's error (a task error named `'ready'`). */
  failed(error: unknown): void;
}

/**
 * PM2 `wait_ready` (internal): once the app is running, every `serve$` started in it listens (an app
 * that never started one has none to wait for) and the user's `ready` signal fired (when given),
 * sends `'ready'` to the parent once and emits `ready-sent`.
 *
 * ```
 * phase:   s-r---------
 * serve$:  ---l--------      (listening)
 * ready:   -----x------      (the option's signal, if given)
 * parent:  -----'ready'
 * ```
 */
export function createReadySignal(host: ReadyHost): ReadySignal {
  let joinedEver = false;
  let started = 0;
  let listening = 0;
  let userReady = host.source === undefined;
  let done = false;
  let subscription: Subscription | undefined;

  function maybeSend(): void {
    if (done || !userReady || !host.isRunning()) return;
    // The existing rule for servers: one that left before listening (or all that left) is no ready app.
    if (joinedEver && (started === 0 || listening < started)) return;
    done = true;
    if (host.send()) host.sent();
  }

  function subscribeSource(source: ReadySource): void {
    try {
      const input = typeof source === 'function' ? source(host.context) : source;
      const markReady = () => {
        userReady = true;
        maybeSend();
      };
      subscription = from(input)
        .pipe(take(1))
        .subscribe({ next: markReady, complete: markReady, error: (error: unknown) => host.failed(error) });
    } catch (error) {
      host.failed(error);
    }
  }

  return {
    join() {
      joinedEver = true;
      started += 1;
      let isListening = false;
      let left = false;
      return {
        listening() {
          if (left || isListening) return;
          isListening = true;
          listening += 1;
          maybeSend();
        },
        leave() {
          if (left) return;
          left = true;
          started -= 1;
          if (isListening) listening -= 1;
          else maybeSend();
        },
      };
    },
    running() {
      if (done || !host.isRunning()) return;
      if (host.source !== undefined && subscription === undefined) subscribeSource(host.source);
      maybeSend();
    },
    close() {
      done = true;
      subscription?.unsubscribe();
    },
  };
}
