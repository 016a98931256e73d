import type { Worker } from 'node:cluster';
import { loadBuiltin } from '../core/loadBuiltin.js';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { AppInternals } from '../core/appRegistry.js';
import { WorkerFailedError } from './errors.js';
import { workersEventLog } from './workersEvents.js';

/** How a forked worker ended (internal). */
export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly cause: 'stopped' | 'killed' | 'crashed' | 'ready-timeout';
  /** For `crashed` and `ready-timeout`: the error a restart is reported with. */
  readonly error: WorkerFailedError | undefined;
}

/** One worker process of `workers$`'s primary (internal). */
export interface ForkedWorker {
  readonly index: number;
  readonly generation: number;
  readonly pid: number;
  readonly startedAt: number;
  readonly state: 'starting' | 'ready' | 'stopping' | 'exited';
  /**
   * Asks the worker to stop (IPC `{ type: 'shutdown', reason }`; again once it is up, should the first
   * message arrive before its app listened). With `timeoutMs`, kills it (SIGKILL) at that timeout.
   */
  stop(reason: 'shutdown' | 'reload' | 'ready-timeout', timeoutMs?: number): void;
  /** Kills it now (SIGKILL), after it was asked to stop and did not: `worker-killed` with `reason`. */
  kill(reason: 'stop-timeout' | 'deadline'): void;
}

/** What a forked worker tells its primary (internal). */
export interface ForkHandlers {
  ready(worker: ForkedWorker): void;
  exited(worker: ForkedWorker, exit: WorkerExit): void;
}

/** Marks the messages of rxrun's worker side (the env var names the slot, see `runWorker`). */
export const WORKER_UP = 'rxrun:worker-up';
export const ENV_INDEX = 'RXRUN_WORKER_INDEX';
export const ENV_GENERATION = 'RXRUN_WORKER_GENERATION';

/**
 * Forks one cluster worker for slot `index` and follows it: `worker-started`, `worker-ready` (its
 * `'ready'` message), the ready timeout, `worker-stopping`, `worker-killed`, `worker-exit` (internal).
 */
export function forkWorker(
  internals: AppInternals,
  scheduler: SchedulerLike,
  slot: { index: number; generation: number; env: Readonly<Record<string, string>>; readyTimeout: number },
  handlers: ForkHandlers,
): ForkedWorker {
  const { index, generation, readyTimeout } = slot;
  const worker: Worker = loadBuiltin('node:cluster').fork({ ...slot.env, [ENV_INDEX]: String(index), [ENV_GENERATION]: String(generation) });
  const pid = worker.process.pid ?? -1;
  const startedAt = scheduler.now();
  let state: ForkedWorker['state'] = 'starting';
  let stopReason: 'shutdown' | 'reload' | 'ready-timeout' | undefined;
  let killed = false;
  let readyTimer: Subscription | undefined;
  let killTimer: Subscription | undefined;

  const send = (message: unknown) => {
    // With a callback, a closed channel is that callback's error, never an 'error' event: the exit follows.
    if (worker.isConnected()) worker.send(message as Parameters<Worker['send']>[0], () => undefined);
  };
  const sendStop = () => send({ type: 'shutdown', reason: stopReason });

  const forked: ForkedWorker = {
    index,
    generation,
    pid,
    startedAt,
    get state() {
      return state;
    },
    stop(reason, timeoutMs) {
      if (state === 'exited') return;
      readyTimer?.unsubscribe();
      if (stopReason === undefined) {
        stopReason = reason;
        state = 'stopping';
        internals.emit({ type: 'worker-stopping', index, pid, reason, at: scheduler.now() }, workersEventLog);
        sendStop();
      }
      if (timeoutMs !== undefined && killTimer === undefined) {
        killTimer = scheduler.schedule(() => forked.kill('stop-timeout'), timeoutMs);
      }
    },
    kill(reason) {
      if (state === 'exited' || killed) return;
      killed = true;
      killTimer?.unsubscribe();
      internals.emit({ type: 'worker-killed', index, pid, reason, at: scheduler.now() }, workersEventLog);
      worker.process.kill('SIGKILL');
    },
  };

  internals.emit({ type: 'worker-started', index, pid, generation, at: startedAt }, workersEventLog);
  readyTimer = scheduler.schedule(() => {
    if (state === 'starting') forked.stop('ready-timeout', readyTimeout);
  }, readyTimeout);

  worker.on('message', (message: unknown) => {
    if (isUp(message)) {
      // A stop sent before the worker's app listened for it was lost: say it again.
      if (stopReason !== undefined) sendStop();
      return;
    }
    if (message !== 'ready' || state !== 'starting') return;
    state = 'ready';
    readyTimer?.unsubscribe();
    const now = scheduler.now();
    internals.emit({ type: 'worker-ready', index, pid, startMs: now - startedAt, at: now }, workersEventLog);
    handlers.ready(forked);
  });
  // Spawn failures and IPC errors: the 'exit' that follows says how it ended.
  worker.on('error', () => undefined);
  worker.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
    state = 'exited';
    readyTimer?.unsubscribe();
    killTimer?.unsubscribe();
    const cause: WorkerExit['cause'] =
      killed ? 'killed' : stopReason === 'ready-timeout' ? 'ready-timeout' : stopReason !== undefined ? 'stopped' : 'crashed';
    internals.emit({ type: 'worker-exit', index, pid, code, signal, cause, at: scheduler.now() }, workersEventLog);
    const error =
      stopReason === 'ready-timeout'
        ? new WorkerFailedError(index, pid, 'ready-timeout', code, signal, readyTimeout)
        : stopReason === undefined
          ? new WorkerFailedError(index, pid, 'crashed', code, signal)
          : undefined;
    handlers.exited(forked, { code, signal, cause, error });
  });
  return forked;
}

function isUp(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === WORKER_UP;
}
