import { EMPTY, Observable } from 'rxjs';
import type { ProcessPort } from '../process/ProcessPort.js';
import { bindParentLoss } from './bindParentLoss.js';
import type { RuntimeSettings } from './resolveSettings.js';
import type { ShutdownReason } from './types.js';

/** What the process says to the app (internal). */
export interface ProcessListener {
  /** A signal, unless it repeated within the coalesce window. */
  signal(signal: NodeJS.Signals): void;
  /** The same signal again within the coalesce window (npm, nodemon and `node --watch` send doubles). */
  coalesced(signal: NodeJS.Signals): void;
  /** The IPC `'shutdown'` / `{ type: 'shutdown' }` message (PM2's `shutdown_with_message`). */
  shutdownMessage(message: unknown): void;
  processError(kind: 'uncaughtException' | 'unhandledRejection', error: unknown): void;
  /** The IPC channel to the parent closed: the parent is gone (with `ipcShutdown`). */
  parentLost(reason: ShutdownReason): void;
}

/** The app's hold on the process: one disposer, and the handles that are the app's own. */
export interface ProcessBinding {
  /** Active handles that were not there when the app bound the process. */
  handlesSinceStart(): string[];
  /**
   * Completes once I/O that finished in this turn of the event loop is no longer listed (the port's
   * `settle`), when the app has handles beyond its baseline; at once otherwise. The last finalizer's
   * own close is still listed while its callback runs: without this wait `stopped` would name that
   * socket or fs request as left open by the app (cleared timers vanish at once).
   */
  settled(): Observable<never>;
  /** Removes every listener and the keep-alive handle, last bound first. */
  dispose(): void;
}

/**
 * Binds the app to its process through the port: signals (with coalescing), the IPC shutdown
 * message, process errors, and a keep-alive handle. A port that throws while binding leaves nothing
 * bound: what was bound is undone, then the error is rethrown (internal).
 */
export function bindProcess(port: ProcessPort, settings: RuntimeSettings, listener: ProcessListener): ProcessBinding {
  const baseline = port.activeResources();
  const disposers: (() => void)[] = [];
  const dispose = () => {
    for (const undo of disposers.splice(0).reverse()) undo();
  };
  const lastSignalAt = new Map<NodeJS.Signals, number>();
  const onSignal = (signal: NodeJS.Signals) => {
    const at = settings.scheduler.now();
    const last = lastSignalAt.get(signal);
    // Stryker disable next-line ConditionalExpression: `last !== undefined` → true is equivalent (at - undefined is NaN, and NaN < window is false); the whole condition's and the window test's true/false twins are killed by bindProcess.mutants.spec.ts (checked by the run before this mark)
    if (last !== undefined && at - last < settings.signalCoalesceWindow) {
      listener.coalesced(signal);
      return;
    }
    lastSignalAt.set(signal, at);
    listener.signal(signal);
  };
  try {
    for (const signal of settings.signals) disposers.push(port.onSignal(signal, onSignal));
    if (settings.ipcShutdown) {
      const offMessage = port.onMessage((message) => {
        if (isShutdownMessage(message)) listener.shutdownMessage(message);
      });
      if (offMessage !== undefined) disposers.push(offMessage);
      // A child whose IPC channel to its parent closes (the parent died) stops itself: no orphans.
      const offDisconnect = bindParentLoss(port, (reason) => listener.parentLost(reason));
      if (offDisconnect !== undefined) disposers.push(offDisconnect);
    }
    if (settings.handleProcessErrors) {
      disposers.push(port.onProcessError('uncaughtException', (error) => listener.processError('uncaughtException', error)));
      disposers.push(port.onProcessError('unhandledRejection', (error) => listener.processError('unhandledRejection', error)));
    }
    disposers.push(port.keepAlive());
  } catch (error) {
    dispose();
    throw error;
  }
  const handlesSinceStart = () => {
    const remaining = [...baseline];
    const extra: string[] = [];
    for (const resource of port.activeResources()) {
      const index = remaining.indexOf(resource);
      if (index >= 0) remaining.splice(index, 1);
      else extra.push(resource);
    }
    return extra;
  };
  return {
    dispose,
    handlesSinceStart,
    settled() {
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with `.call(port, …)`
      const { settle } = port;
      if (settle === undefined || handlesSinceStart().length === 0) return EMPTY;
      return new Observable<never>((subscriber) => settle.call(port, () => subscriber.complete()));
    },
  };
}

function isShutdownMessage(message: unknown): boolean {
  return message === 'shutdown' || (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'shutdown');
}
