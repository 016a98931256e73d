import type * as net from 'node:net';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { DrainStep } from '../core/types.js';
import { DrainTimeoutError } from './DrainTimeoutError.js';
import type { ConnectionTracker } from './trackConnections.js';

const NAMES_IN_EVENTS = 50;

/** What a drain needs from `serve$` (internal). */
export interface DrainParams {
  readonly server: net.Server;
  readonly tracker: ConnectionTracker;
  readonly name: string;
  readonly scheduler: SchedulerLike;
  readonly timeoutMs: number;
  emitStep(step: DrainStep, count: number, names?: readonly string[]): void;
  report(error: unknown): void;
  /** Called once: everything is closed (drained, or destroyed at the timeout or the cut-off). */
  done(): void;
}

/** A drain in progress (internal). */
export interface DrainRun {
  /** Re-checks whether everything closed (the tracker calls it on every close). */
  check(): void;
  /** Idle sockets that waited for the busy ones were ended now: the `close-idle` step. */
  idleClosed(count: number): void;
  /** The app ran out of budget: destroy what is left now. */
  cutOff(): void;
}

/**
 * Drains a server: stop accepting → close idle (FIN; while other work is in flight, once none is:
 * then this step comes after the others) → GOAWAY → upgraded sockets to their hook → `drained` once
 * the server and every connection closed, or `destroyed` (named) at the timeout.
 */
export function drainServer(params: DrainParams): DrainRun {
  const { server, tracker, scheduler, timeoutMs } = params;
  const emitStep = (step: DrainStep, count: number, names?: readonly string[]) => params.emitStep(step, count, names);
  let finished = false;
  let serverClosed = !server.listening;
  let destroyed = false;
  let timer: Subscription | undefined;

  const run: DrainRun = {
    check,
    idleClosed(count) {
      if (finished) return;
      emitStep('close-idle', count);
      check();
    },
    cutOff: () => destroyOpen(false),
  };

  tracker.beginDrain();
  if (server.listening) {
    closeServer(server, () => {
      serverClosed = true;
      check();
    });
  }
  emitStep('stop-accepting', tracker.size);
  // Idle sockets get FIN now when nothing is busy; else once nothing is (`idleClosed`: the step comes later).
  const idleEnded = tracker.closeIdle();
  if (idleEnded !== undefined) emitStep('close-idle', idleEnded);
  emitStep('goaway', tracker.goaway());
  emitStep('upgraded', tracker.drainUpgraded());
  if (!finished) timer = scheduler.schedule(() => destroyOpen(true), timeoutMs);
  check();
  return run;

  function check(): void {
    if (finished || !serverClosed || tracker.size > 0 || tracker.idleWaiting) return;
    finish();
  }

  function finish(): void {
    finished = true;
    timer?.unsubscribe();
    if (!destroyed) emitStep('drained', 0);
    params.done();
  }

  function destroyOpen(timedOut: boolean): void {
    if (finished) return;
    timer?.unsubscribe();
    const names = tracker.describe(NAMES_IN_EVENTS);
    destroyed = true;
    const count = tracker.destroyAll();
    emitStep('destroyed', count, names);
    if (timedOut) params.report(new DrainTimeoutError(params.name, timeoutMs, count, names));
    // Timeout: sockets close on the next turn; the app's cut-off cannot wait, so we end now.
    if (timedOut) check();
    else finish();
  }
}

/**
 * `server.close()` without its HTTP side effect: since Node 19 an http(s) server's `close()` calls
 * `closeIdleConnections()`, which *destroys* idle keep-alive sockets (including ones that connected
 * and sent nothing). We end those with FIN ourselves, so that call is suppressed for this close only.
 */
function closeServer(server: net.Server, onClosed: () => void): void {
  const target = server as net.Server & { closeIdleConnections?: () => void };
  const hadOwn = Object.prototype.hasOwnProperty.call(target, 'closeIdleConnections');
  const own = target.closeIdleConnections;
  if (typeof target.closeIdleConnections === 'function') target.closeIdleConnections = () => undefined;
  try {
    server.close(() => onClosed());
  } finally {
    if (hadOwn) target.closeIdleConnections = own;
    else delete target.closeIdleConnections;
  }
}
