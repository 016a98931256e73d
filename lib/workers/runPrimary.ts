import type { Subscriber, Subscription, TeardownLogic } from 'rxjs';
import type { AppInternals } from '../core/appRegistry.js';
import { realProcessPort } from '../process/realProcessPort.js';
import { createRestartPolicy, type RestartPolicy } from '../tasks/restartPolicy.js';
import { SupervisorGaveUpError } from '../tasks/errors.js';
import { forkWorker, type ForkedWorker, type WorkerExit } from './forkWorker.js';
import type { WorkersSettings } from './readWorkersConfig.js';
import type { WorkerInfo, WorkerPool } from './workersTypes.js';
import { workersEventLog } from './workersEvents.js';
import { supervisorEventLog } from '../tasks/supervisorEvents.js';

interface Slot {
  readonly index: number;
  readonly policy: RestartPolicy;
  generation: number;
  /** The worker serving this slot. */
  current: ForkedWorker | undefined;
  /** Its replacement, forked by a rolling restart, until it is ready. */
  next: ForkedWorker | undefined;
  /** A restart waiting for its backoff delay. */
  restart: Subscription | undefined;
}

interface Reload {
  readonly startedAt: number;
  /** The slot being replaced. */
  index: number;
  /** The old worker being drained, once its replacement is ready. */
  draining: ForkedWorker | undefined;
}

/**
 * The primary side of `workers$`: forks `count` workers, replaces crashed ones with backoff, runs
 * rolling restarts, and stops every worker through IPC when torn down, as protected work of the app
 * (internal).
 */
export function runPrimary(internals: AppInternals, settings: WorkersSettings, subscriber: Subscriber<WorkerPool>): TeardownLogic {
  const { count, readyTimeout, stopTimeout, env, restart: restartSettings, reloadSignal } = settings;
  const scheduler = internals.context.scheduler;
  const now = () => scheduler.now();
  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({
    index, policy: createRestartPolicy(restartSettings), generation: 0, current: undefined, next: undefined, restart: undefined,
  }));
  /** Every worker not yet exited, including old ones still draining. */
  const live = new Set<ForkedWorker>();
  let stopping = false;
  let poolEmitted = false;
  let reload: Reload | undefined;
  let queued = false;

  const pool: WorkerPool = {
    reload: () => requestReload('reload()'),
    get workers(): readonly WorkerInfo[] {
      return [...live]
        .filter((worker) => worker.state !== 'exited')
        .map((worker) => ({ index: worker.index, generation: worker.generation, pid: worker.pid, state: worker.state as WorkerInfo['state'] }));
    },
  };

  function fork(slot: Slot): ForkedWorker | undefined {
    try {
      const worker = forkWorker(internals, scheduler, { index: slot.index, generation: slot.generation, env, readyTimeout }, { ready: onReady, exited: onExit });
      slot.generation += 1;
      live.add(worker);
      return worker;
    } catch (error) {
      fail(error);
      return undefined;
    }
  }

  /** Forks into the slot: as its worker when it has none, else as the replacement of its worker. */
  function forkInto(slot: Slot): void {
    if (stopping || internals.context.signal.aborted) return;
    if (slot.current === undefined) slot.current = fork(slot);
    else slot.next = fork(slot);
  }

  function onReady(worker: ForkedWorker): void {
    const slot = slots[worker.index] as Slot;
    if (worker === slot.next) {
      // The replacement is ready: it takes the slot, and the old worker drains.
      const old = slot.current;
      slot.current = worker;
      slot.next = undefined;
      if (old !== undefined && old.state !== 'exited') {
        if (reload?.index === slot.index) reload.draining = old;
        old.stop('reload', stopTimeout);
        return;
      }
    }
    if (worker !== slot.current) return;
    if (reload?.index === slot.index && slot.next === undefined) stepDone();
    if (!poolEmitted && slots.every((each) => each.current?.state === 'ready')) {
      poolEmitted = true;
      const pids = slots.map((each) => (each.current as ForkedWorker).pid);
      internals.emit({ type: 'workers-ready', count, pids, at: now() }, workersEventLog);
      subscriber.next(pool);
    }
  }

  function onExit(worker: ForkedWorker, exit: WorkerExit): void {
    live.delete(worker);
    tickets.get(worker)?.done();
    tickets.delete(worker);
    // Once the app stops, nothing is restarted (a worker that got the signal too may exit first).
    if (stopping || internals.context.signal.aborted) return;
    const slot = slots[worker.index] as Slot;
    if (reload !== undefined && reload.draining === worker) {
      reload.draining = undefined;
      stepDone();
      return;
    }
    const wasCurrent = worker === slot.current;
    if (!wasCurrent && worker !== slot.next) return;
    if (wasCurrent) slot.current = undefined;
    else slot.next = undefined;
    // A crashed worker whose replacement is already starting needs no restart of its own: the
    // replacement takes the slot once ready.
    if (wasCurrent && slot.next !== undefined) return;
    scheduleRestart(slot, worker, exit.error);
  }

  function scheduleRestart(slot: Slot, worker: ForkedWorker, error: unknown): void {
    const name = `worker ${slot.index}`;
    const at = now();
    const decision = slot.policy.decide(at, worker.startedAt);
    if (decision.kind === 'give-up') {
      internals.emit({ type: 'task-gave-up', name, restarts: decision.restarts, error, at }, supervisorEventLog);
      fail(new SupervisorGaveUpError(name, decision.restarts, restartSettings.within, error));
      return;
    }
    internals.emit({ type: 'task-restart', name, attempt: decision.attempt, delayMs: decision.delayMs, error, at }, supervisorEventLog);
    if (stopping) return;
    slot.restart = scheduler.schedule(() => {
      slot.restart = undefined;
      forkInto(slot);
    }, decision.delayMs);
  }

  function requestReload(trigger: string): void {
    if (stopping || internals.context.signal.aborted) return;
    if (reload !== undefined) {
      internals.emit({ type: 'reload-queued', coalesced: queued, at: now() }, workersEventLog);
      queued = true;
      return;
    }
    reload = { startedAt: now(), index: -1, draining: undefined };
    internals.emit({ type: 'reload-start', count, trigger, at: reload.startedAt }, workersEventLog);
    stepDone();
  }

  /** The rolling restart moves to the next slot (or ends). */
  function stepDone(): void {
    const running = reload;
    if (running === undefined) return;
    running.index += 1;
    if (running.index >= count) {
      reload = undefined;
      const at = now();
      internals.emit({ type: 'reload-done', count, durationMs: at - running.startedAt, at }, workersEventLog);
      if (queued && !stopping) {
        queued = false;
        requestReload('queued');
      }
      return;
    }
    const slot = slots[running.index] as Slot;
    // A slot whose worker crashed waits for its restart (already replaced by then); else fork its replacement.
    if (slot.current !== undefined && slot.next === undefined && slot.restart === undefined) forkInto(slot);
  }

  const tickets = new Map<ForkedWorker, { done(): void }>();

  function fail(error: unknown): void {
    if (subscriber.closed) return;
    subscriber.error(error);
  }

  function stopAll(): void {
    if (stopping) return;
    stopping = true;
    offSignal?.();
    offShutdown.unsubscribe();
    if (reload !== undefined) {
      internals.emit({ type: 'reload-cancelled', replaced: Math.max(0, reload.index), count, at: now() }, workersEventLog);
      reload = undefined;
    }
    queued = false;
    for (const slot of slots) slot.restart?.unsubscribe();
    for (const worker of live) {
      const ticket = internals.protect(`worker ${worker.index} (pid ${worker.pid})`, () => worker.kill('deadline'));
      if (ticket !== undefined) tickets.set(worker, ticket);
      // Outside an app shutdown (an unsubscription, a crash loop), nothing else bounds it: its own timeout does.
      worker.stop('shutdown', ticket === undefined || !internals.context.signal.aborted ? stopTimeout : undefined);
    }
  }

  // The shutdown began: no rolling restart goes on, no worker is forked (the teardown stops them).
  const offShutdown = internals.context.shutdown$.subscribe(() => {
    if (reload !== undefined) {
      internals.emit({ type: 'reload-cancelled', replaced: Math.max(0, reload.index), count, at: now() }, workersEventLog);
      reload = undefined;
    }
    queued = false;
    for (const slot of slots) slot.restart?.unsubscribe();
  });
  const offSignal = reloadSignal === false ? undefined : realProcessPort().onSignal(reloadSignal, (signal) => requestReload(signal));

  for (const slot of slots) forkInto(slot);
  return stopAll;
}
