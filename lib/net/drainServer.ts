import type * as net from 'node:net';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { DrainStep } from './serverEvents.js';
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
  /** Idle sockets got FIN: the `close-idle` step (the first, maybe 0, one turn after the drain began). */
  idleClosed(count: number): void;
  /** Sockets whose peer did not close within the linger were destroyed: the `linger-destroyed` step. */
  lingerExpired(names: readonly string[]): void;
  /** The app ran out of budget: destroy what is left now. */
  cutOff(): void;
}

/**
 * Drains a server: stop accepting → GOAWAY → upgraded sockets to their hook → idle sockets get FIN
 * once quiet for the idle grace (`close-idle`, first one loop turn later) → `drained` once the server
 * and every connection closed. At the timeout, what is still busy is destroyed and named (`destroyed`,
 * a `DrainTimeoutError`); sockets merely waiting out their grace or linger are destroyed quietly.
 */
export function drainServer(params: DrainParams): DrainRun {
  const { server, tracker, scheduler, timeoutMs } = params;
  const emitStep = (step: DrainStep, count: number, names?: readonly string[]) => params.emitStep(step, count, names);
  let finished = false;
  let serverClosed = !server.listening;
  let idleSwept = false;
  let destroyed = false;
  let timer: Subscription | undefined;

  const run: DrainRun = {
    check,
    idleClosed(count) {
      if (finished) return;
      idleSwept = true;
      emitStep('close-idle', count);
      check();
    },
    lingerExpired(names) {
      if (finished) return;
      emitStep('linger-destroyed', names.length, names);
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
  emitStep('goaway', tracker.goaway());
  emitStep('upgraded', tracker.drainUpgraded());
  // net: every connection to its hook now. HTTP: idle sockets get FIN from one loop turn later (`idleClosed`).
  const handedOver = tracker.closeIdle();
  if (handedOver !== undefined) run.idleClosed(handedOver);
  if (!finished) timer = scheduler.schedule(() => destroyOpen(true), timeoutMs);
  // Stryker disable next-line CallExpression: equivalent — `idleClosed` just above already checked (or the idle sweep is still to come), and arming the timeout changes nothing `check` reads
  check();
  return run;

  function check(): void {
    if (finished || !serverClosed || !idleSwept || tracker.size > 0) return;
    finish();
  }

  function finish(): void {
    finished = true;
    timer?.unsubscribe();
    if (!destroyed) emitStep('drained', 0);
    params.done();
  }

  /**
   * Destroys what is open; only busy connections are named (and, at the timeout, reported). Idle
   * sockets still waiting out their grace or linger are no error: with nothing busy, the drain ends
   * as `drained` once they closed.
   */
  function destroyOpen(timedOut: boolean): void {
    if (finished) return;
    timer?.unsubscribe();
    const busyCount = tracker.busyCount();
    const busy = tracker.describe(NAMES_IN_EVENTS, 'busy');
    const quiet = tracker.describe(NAMES_IN_EVENTS, 'quiet');
    const count = tracker.destroyAll();
    idleSwept = true;
    if (count > busyCount) emitStep('linger-destroyed', count - busyCount, quiet);
    if (busyCount > 0 || !timedOut) {
      destroyed = true;
      emitStep('destroyed', busyCount, busy);
    }
    if (timedOut && busyCount > 0) params.report(new DrainTimeoutError(params.name, timeoutMs, busyCount, busy));
    // Timeout: the sockets close on the next turn, and the drain ends then. The app's cut-off cannot wait.
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
