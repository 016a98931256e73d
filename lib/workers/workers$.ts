import { loadBuiltin } from '../core/loadBuiltin.js';
import { Observable } from 'rxjs';
import { resolveApp } from '../core/appRegistry.js';
import { checkFunction } from '../core/validate.js';
import { ENV_INDEX } from './forkWorker.js';
import { readWorkersConfig } from './readWorkersConfig.js';
import { runPrimary } from './runPrimary.js';
import { runWorker } from './runWorker.js';
import type { WorkerMain, WorkerPool, WorkersConfig } from './workersTypes.js';
import { realProcessPort } from '../process/realProcessPort.js';

const WHERE = 'workers$';

/**
 * aiotools' `start_server(num_workers=N)` on `node:cluster`: the same entry script runs in the primary
 * and in every worker, and `workers$` does the right thing in each.
 *
 * - **Primary** (the process you start): forks `count` workers and emits a {@link WorkerPool} once every
 *   one is ready (its `'ready'` IPC message: its app runs, every `serve$` in it listens, and every
 *   readiness check of its `probes` passed — not merely listening). A worker
 *   that dies, or is not ready within `readyTimeout`, is replaced after `supervise`'s backoff; more
 *   than `maxRestarts` restarts of one slot within `within` ms give up with a `SupervisorGaveUpError`
 *   (the app's error policy: by default it stops, outcome `error`). The primary owns the signals: on
 *   its shutdown every worker gets the IPC message `{ type: 'shutdown', reason: 'shutdown' }` — never a
 *   kill first — and is protected work of the primary's app: the app waits for it, and one still
 *   running at the budget is killed and named (`worker-killed`, and the report's pending item
 *   `worker <index> (pid <pid>)`). Each worker's end is a `worker-exit` event (pid, index, code,
 *   signal, cause).
 * - **Rolling restart** (the `reloadSignal`, default SIGHUP, or `pool.reload()`): for each slot in turn,
 *   a replacement is forked; once it is *ready*, the old worker gets `{ type: 'shutdown', reason:
 *   'reload' }` and drains (`serve$`'s drain: no request lost), killed after `stopTimeout`; the next
 *   slot starts when the old worker exited. A reload requested meanwhile is queued (once); the app's
 *   shutdown cancels it (`reload-cancelled`) and drains everything.
 * - **Worker**: runs `workerMain(app, worker)` in its own app — the `runApp` of the same script, with
 *   its whole shutdown sequence; `worker.index`, `worker.generation` and `worker.stopping$` (the stop
 *   reason) tell it who it is and why it stops. When the primary dies, Node's cluster ends the
 *   worker at once (no orphans).
 *
 * ```
 * reload:   ---R-------------------------------------------
 * worker 0: ===========s~~~~x                    (s: stop sent once 0' is ready; ~ drain; x exit)
 * worker 0':   f-----r========================== (f fork, r ready)
 * worker 1: =========================s~~~~x
 * worker 1':                 f-------r==========
 * events:      S     r s     x f     r s     x D  (S reload-start, D reload-done)
 * ```
 *
 * @param workerMain Called once in each worker with its app and {@link WorkerContext}; returns its tasks.
 * @param config See {@link WorkersConfig}.
 * @returns In the primary, emits the pool once all workers are ready and runs until unsubscribed; in a
 * worker, runs `workerMain`'s tasks (emits nothing).
 * @throws RangeError for a `count` that is not a whole number ≥ 1 (0, negative, NaN); TypeError /
 * RangeError for any other bad option (naming it).
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { runApp, serve$, workers$ } from 'rxrun';
 * const handler = (req, res) => res.end(`pid=${process.pid}\n`);
 * runApp(workers$((app, worker) => serve$(createServer(handler), 8080, { app }), { count: 4 }));
 * // kill -HUP <primary pid>: rolling restart, zero requests lost
 * ```
 */
export function workers$(workerMain: WorkerMain, config?: WorkersConfig): Observable<WorkerPool> {
  checkFunction(WHERE, 'workerMain', workerMain);
  const settings = readWorkersConfig(WHERE, config);
  return new Observable<WorkerPool>((subscriber) => {
    const internals = resolveApp(settings.app, WHERE);
    // Loaded on subscribe: node:cluster pulls in net, which an app that forks no workers never needs.
    const cluster = loadBuiltin('node:cluster');
    if (cluster.isWorker && realProcessPort().env?.(ENV_INDEX) !== undefined) return runWorker(internals, workerMain, settings, subscriber);
    if (!cluster.isPrimary) {
      subscriber.error(new Error(`${WHERE}: this process is a cluster worker not started by workers$ (PM2 cluster mode?); run workers$ in a primary`));
      return undefined;
    }
    return runPrimary(internals, settings, subscriber);
  });
}
