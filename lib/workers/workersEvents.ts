import type { EventLog } from '../core/eventLog.js';

/**
 * The lifecycle events of `workers$` in the primary: each worker's start, readiness, stop and exit,
 * all workers ready, and the steps of a rolling restart.
 *
 * @example
 * ```ts
 * app.events$.pipe(filter((e) => e.type === 'workers-ready')).subscribe((e) => console.log(e.pids));
 * ```
 */
export type WorkersEvent =
  | {
      /** `workers$` (primary): a worker process was forked into slot `index`. */
      readonly type: 'worker-started';
      readonly index: number;
      readonly pid: number;
      readonly generation: number;
      readonly at: number;
    }
  | {
      /** `workers$` (primary): the worker sent `'ready'` (its app runs and every `serve$` in it listens), `startMs` after its fork. */
      readonly type: 'worker-ready';
      readonly index: number;
      readonly pid: number;
      readonly startMs: number;
      readonly at: number;
    }
  | {
      /** `workers$` (primary): every worker is ready for the first time. */
      readonly type: 'workers-ready';
      readonly count: number;
      readonly pids: readonly number[];
      readonly at: number;
    }
  | {
      /** `workers$` (primary): the worker was asked to stop (IPC `{ type: 'shutdown', reason }`). */
      readonly type: 'worker-stopping';
      readonly index: number;
      readonly pid: number;
      readonly reason: 'shutdown' | 'reload' | 'ready-timeout';
      readonly at: number;
    }
  | {
      /**
       * `workers$` (primary): the worker was killed (SIGKILL) after it was asked to stop: it outlived
       * `stopTimeout` (`'stop-timeout'`) or the app's budget (`'deadline'`).
       */
      readonly type: 'worker-killed';
      readonly index: number;
      readonly pid: number;
      readonly reason: 'stop-timeout' | 'deadline';
      readonly at: number;
    }
  | {
      /**
       * `workers$` (primary): a worker process ended. `cause`: `'stopped'` (it exited after it was asked
       * to), `'killed'` (see `worker-killed`), `'crashed'` (on its own), `'ready-timeout'` (stopped because
       * it was not ready in time).
       */
      readonly type: 'worker-exit';
      readonly index: number;
      readonly pid: number;
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly cause: 'stopped' | 'killed' | 'crashed' | 'ready-timeout';
      readonly at: number;
    }
  | {
      /** `workers$` (primary): a rolling restart of `count` workers began (`trigger`: the signal, or `'reload()'`). */
      readonly type: 'reload-start';
      readonly count: number;
      readonly trigger: string;
      readonly at: number;
    }
  | {
      /** `workers$` (primary): a rolling restart ended: every old worker exited and its replacement is ready. */
      readonly type: 'reload-done';
      readonly count: number;
      readonly durationMs: number;
      readonly at: number;
    }
  | {
      /** `workers$` (primary): a reload was requested during a rolling restart: one more runs after it (`coalesced`: one was queued already). */
      readonly type: 'reload-queued';
      readonly coalesced: boolean;
      readonly at: number;
    }
  | {
      /** `workers$` (primary): the app began to stop during a rolling restart, after `replaced` of `count` workers; no new worker is started. */
      readonly type: 'reload-cancelled';
      readonly replaced: number;
      readonly count: number;
      readonly at: number;
    };

/** How `workers$` events are logged (internal); their JSON records carry no fields beyond the common ones. */
export const workersEventLog: EventLog<WorkersEvent> = {
  lines(logger, event) {
    switch (event.type) {
      case 'worker-started':
        logger.info?.(`rxrun: worker ${event.index} started (pid ${event.pid}, generation ${event.generation})`);
        return;
      case 'worker-ready':
        logger.info?.(`rxrun: worker ${event.index} ready (pid ${event.pid}) ${event.startMs} ms after its start`);
        return;
      case 'workers-ready':
        logger.info?.(`rxrun: all ${event.count} worker${event.count === 1 ? '' : 's'} ready (pids ${event.pids.join(', ')})`);
        return;
      case 'worker-stopping':
        logger.info?.(`rxrun: stopping worker ${event.index} (pid ${event.pid}): ${event.reason}`);
        return;
      case 'worker-killed':
        logger.warn?.(`rxrun: killed worker ${event.index} (pid ${event.pid}) with SIGKILL: ${event.reason === 'deadline' ? 'still running at the shutdown budget' : 'still running at stopTimeout'}`);
        return;
      case 'worker-exit': {
        const how = event.signal ?? `code ${event.code}`;
        const line = `rxrun: worker ${event.index} (pid ${event.pid}) exited (${how}): ${event.cause}`;
        if (event.cause === 'stopped') logger.info?.(line);
        else logger.warn?.(line);
        return;
      }
      case 'reload-start':
        logger.info?.(`rxrun: rolling restart of ${event.count} worker${event.count === 1 ? '' : 's'} (${event.trigger})`);
        return;
      case 'reload-done':
        logger.info?.(`rxrun: rolling restart done in ${event.durationMs} ms`);
        return;
      case 'reload-queued':
        logger.info?.(`rxrun: reload requested during a rolling restart: ${event.coalesced ? 'coalesced with the one already queued' : 'queued, runs once this one is done'}`);
        return;
      case 'reload-cancelled':
        logger.warn?.(`rxrun: rolling restart cancelled by the shutdown after ${event.replaced} of ${event.count} workers`);
        return;
    }
  },
  fields: () => ({}),
};
