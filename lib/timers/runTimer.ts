import { from, type ObservableInput, type Subscriber, type Subscription } from 'rxjs';
import { findRunningApp, reportOr, type ProtectedTicket } from '../core/appRegistry.js';
import { describeError } from '../core/errors.js';
import { teardownErrors } from '../core/guardTeardown.js';
import { HeldSubscriber } from '../core/HeldSubscriber.js';
import { isPromiseLike } from '../core/validate.js';
import { TimerQueueOverflowError } from './TimerQueueOverflowError.js';
import type { TickErrorInfo, TickFn, TimerMiss, TimerMissTotals } from './timer$.js';
import type { TimerSettings } from './timerSettings.js';

/** Ticks `missedTicks: 'burst'` runs back to back at most after a stall; older ones are counted as `late`. */
const MAX_BURST = 1000;
/** The longest wait a timer can arm (setTimeout's limit). */
const MAX_DELAY = 2 ** 31 - 1;

/** One started tick (internal). */
interface Tick {
  readonly n: number;
  readonly scheduledAt: number;
  readonly controller: AbortController;
  kind: 'starting' | 'observable' | 'promise';
  subscription: Subscription | undefined;
  /** Its values no longer go downstream and its end frees no slot: cancelled, or left to finish after a stop. */
  detached: boolean;
  cancelled: boolean;
  /** It completed, failed, or (an observable) was unsubscribed: nothing more will come from it. */
  settled: boolean;
  ticket: ProtectedTicket | undefined;
}

/**
 * The engine behind `timer$` for one subscription: anchored due times, the four policies, the stop
 * modes and the report path. Returns the teardown (internal).
 */
export function runTimer<T>(subscriber: Subscriber<T>, tick: TickFn<T>, settings: TimerSettings): () => void {
  const { scheduler, period, firstDelay, name, policy } = settings;
  // No app running: plain use (reports go to console.error). Several and none given: NoCurrentAppError.
  const internals = findRunningApp(settings.app, 'timer$');
  // Tick 0's due time. Always computed from this anchor, never by adding periods up: no drift, however
  // many ticks. It moves only when the clock goes backwards (see `fire`).
  let origin = scheduler.now() + firstDelay;
  const dueOf = (n: number): number => origin + n * period;
  const running = new Set<Tick>();
  const queue: { n: number; scheduledAt: number }[] = [];
  const totals = { skipped: 0, overflow: 0, late: 0 };
  let nextN = 0;
  let action: Subscription | undefined;
  let armedDelay = 0;
  let armings = 0;
  let stopped = false;
  let pumping = false;

  function report(error: unknown, info: TickErrorInfo): void {
    let failure = error;
    if (typeof settings.onTickError === 'function') {
      try {
        settings.onTickError(error, info);
        return;
      } catch (thrown) {
        failure = thrown; // the handler's own failure goes the default way
      }
    }
    // An app that has stopped (the timer outlived the app it picked) no longer reports: console.error then.
    reportOr(internals, 'tick', `${name} tick ${info.n}`, failure, () =>
      console.error(`rxrun: timer$ '${name}' tick ${info.n} failed: ${describeError(failure)}`),
    );
  }

  const infoOf = (t: Tick): TickErrorInfo => ({
    name,
    n: t.n,
    scheduledAt: t.scheduledAt,
    state: t.cancelled ? 'cancelled' : t.detached ? 'finishing' : 'running',
  });

  function miss(reason: TimerMiss['reason'], n: number, count: number, scheduledAt: number): void {
    totals[reason] += count;
    const snapshot: TimerMissTotals = { ...totals };
    if (settings.onMissed !== undefined) {
      try {
        settings.onMissed({ reason, n, count, scheduledAt, totals: snapshot });
      } catch (error) {
        report(error, { name, n, scheduledAt, state: 'missed' });
      }
    } else if (reason === 'overflow') {
      report(new TimerQueueOverflowError(name, n, scheduledAt, settings.maxQueued, totals.overflow), { name, n, scheduledAt, state: 'missed' });
    }
  }

  function scheduleNext(): void {
    armedDelay = Math.min(MAX_DELAY, Math.max(0, dueOf(nextN) - scheduler.now()));
    // Stryker disable next-line AssignmentOperator: equivalent — the counter only has to change on every arming; counting down does too
    const arming = (armings += 1);
    const scheduled = scheduler.schedule(fire, armedDelay);
    // A scheduler may run a due action at once (queueScheduler): `fire` then already armed the next one.
    if (armings === arming) action = scheduled;
  }

  function fire(): void {
    action = undefined;
    // Stryker disable next-line ConditionalExpression: an early exit only — the tick loop and the re-arm below check `stopped` too, so a wake-up after the stop does nothing either way
    if (stopped) return;
    const now = scheduler.now();
    const remaining = dueOf(nextN) - now;
    // Further off than when the timer was armed: the clock went backwards (a wall clock set back). The
    // wait is over in real time, so the grid moves back with the clock instead of stalling the timer.
    if (remaining > armedDelay) origin -= remaining;
    // A real timer may wake a little before the due time by this clock: then it just waits the rest.
    if (dueOf(nextN) <= now) {
      let last = Math.max(nextN, Math.floor((now - origin) / period));
      if (!Number.isSafeInteger(last + MAX_BURST)) {
        // A jump too large to count tick by tick: the grid restarts at now (the ticks passed over count as late).
        miss('late', nextN, Math.max(1, last - nextN), dueOf(nextN));
        origin = now - nextN * period;
        last = nextN;
      }
      // Float rounding of n·period: one step either way at most.
      if (dueOf(last + 1) <= now) last += 1;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: `last > nextN` only guards against float rounding putting dueOf(nextN) a hair above now right after the grid restart (last === nextN otherwise implies dueOf(last) <= now); without it that tick would run on the next wake-up, 0 ms later
      if (last > nextN && dueOf(last) > now) last -= 1;
      // 'skip' runs the latest due tick only; 'burst' runs them all, but at most MAX_BURST in a row.
      const first = settings.missedTicks === 'skip' ? last : Math.max(nextN, last - MAX_BURST + 1);
      if (first > nextN) {
        miss('late', nextN, first - nextN, dueOf(nextN));
        nextN = first;
      }
      while (nextN <= last && !stopped) {
        const n = nextN;
        nextN += 1;
        onDue(n, dueOf(n));
      }
    }
    if (!stopped) scheduleNext();
  }

  function onDue(n: number, scheduledAt: number): void {
    if (policy === 'cancel') {
      for (const t of [...running]) cancelTick(t, true);
      startTick(n, scheduledAt);
    } else if (running.size < settings.concurrency && queue.length === 0) {
      startTick(n, scheduledAt);
    } else if (policy === 'skip') {
      miss('skipped', n, 1, scheduledAt);
    } else if (queue.length < settings.maxQueued) {
      queue.push({ n, scheduledAt });
    } else {
      miss('overflow', n, 1, scheduledAt);
    }
  }

  function startTick(n: number, scheduledAt: number): void {
    const t: Tick = {
      // Stryker disable next-line StringLiteral: equivalent — only 'observable' and 'promise' are ever compared; any other value means 'starting'
      n, scheduledAt, controller: new AbortController(), kind: 'starting', subscription: undefined,
      detached: false, cancelled: false, settled: false, ticket: undefined,
    };
    running.add(t);
    let input: ObservableInput<T>;
    try {
      input = tick(n, scheduledAt, t.controller.signal);
    } catch (error) {
      failed(t, error);
      return;
    }
    if (isPromiseLike(input)) {
      t.kind = 'promise';
      if (t.cancelled) protectSettling(t);
      input.then(
        (value) => {
          if (t.settled) return;
          deliver(t, value);
          ended(t);
        },
        (error: unknown) => failed(t, error),
      );
      return;
    }
    t.kind = 'observable';
    if (t.cancelled) {
      // Stryker disable next-line BooleanLiteral: equivalent — nothing reads it again: cancelTick already took the tick out of `running`, so no later cancel or stop sees it
      t.settled = true;
      return;
    }
    let source;
    try {
      source = from(input);
    } catch (error) {
      failed(t, error); // not an ObservableInput
      return;
    }
    const onTeardownError = (error: unknown) => {
      for (const each of teardownErrors(error)) report(each, infoOf(t));
    };
    // Held before the source runs: a cancel from inside its synchronous emissions (a downstream `take`)
    // reaches it there, and a synchronous firehose stops.
    const held = new HeldSubscriber<T>(
      {
        next: (value) => deliver(t, value),
        error: (error: unknown) => failed(t, error),
        complete: () => ended(t),
      },
      onTeardownError,
    );
    t.subscription = held;
    held.run(source);
  }

  function deliver(t: Tick, value: T): void {
    if (!t.detached && !stopped) subscriber.next(value);
  }

  function ended(t: Tick): void {
    if (t.settled) return;
    t.settled = true;
    running.delete(t);
    t.ticket?.done();
    if (!t.detached) pump();
  }

  function failed(t: Tick, error: unknown): void {
    if (t.settled) return;
    t.settled = true;
    running.delete(t);
    if (t.cancelled) {
      if (!isAbortOf(t, error)) report(error, infoOf(t));
    } else if (t.detached || settings.onTickError !== 'stop') {
      report(error, infoOf(t));
    } else {
      stopWithError(error);
    }
    // Reported before the ticket ends: the app may finish as soon as nothing is pending.
    t.ticket?.done();
    if (!t.detached) pump();
  }

  function pump(): void {
    if (pumping) return;
    pumping = true;
    try {
      while (!stopped && queue.length > 0 && running.size < settings.concurrency) {
        const next = queue.shift() as { n: number; scheduledAt: number };
        startTick(next.n, next.scheduledAt);
      }
    } finally {
      pumping = false;
    }
  }

  /** Tears a tick down; a promise tick cannot be stopped, so the app waits for it to settle (when `register`). */
  function cancelTick(t: Tick, register: boolean): void {
    running.delete(t);
    // Stryker disable next-line LogicalOperator: equivalent — every caller passes a tick still in `running` (settling or cancelling takes it out), or a finishing tick cut off while its ticket is open (it has not settled: settling ends the ticket); the check is defensive
    if (t.settled || t.cancelled) return;
    t.cancelled = true;
    t.detached = true;
    t.controller.abort();
    // Stryker disable next-line LogicalOperator: equivalent — only an observable tick has a subscription (set in the same synchronous step as its kind, with no user code in between), so `||` selects the same ticks
    if (t.kind === 'observable' && t.subscription !== undefined) {
      // Stryker disable next-line BooleanLiteral: equivalent — the tick is out of `running` and marked cancelled, and its HeldSubscriber is unsubscribed (no complete or error follows), so nothing reads `settled` again
      t.settled = true;
      t.subscription.unsubscribe(); // teardown errors go to `report` through the guard
    } else if (t.kind === 'promise' && register) {
      protectSettling(t);
    }
  }

  function protectSettling(t: Tick): void {
    t.ticket?.done();
    t.ticket = internals?.protect(`${name} tick ${t.n} (cancelled)`, () => undefined);
  }

  function stop(mode: 'cancel' | 'finish'): void {
    if (stopped) return;
    stopped = true;
    action?.unsubscribe();
    action = undefined;
    queue.length = 0;
    const live = [...running];
    // Stryker disable next-line CallExpression: equivalent — after the stop nothing reads `running` but ended/failed, which delete their own tick; a second stop returns early
    running.clear();
    for (const t of live) {
      if (mode === 'cancel') {
        cancelTick(t, true);
      } else {
        t.detached = true;
        // Cut off (budget spent, forced stop): torn down, and the app no longer waits for it.
        // Stryker disable next-line BooleanLiteral: equivalent — the cut-off ends the app's wait (budget spent or forced stop); a ticket registered from inside it is never awaited (checked: spec 'a promise tick cut off when the budget runs out')
        t.ticket = internals?.protect(`${name} tick ${t.n}`, () => cancelTick(t, false));
      }
    }
  }

  function stopWithError(error: unknown): void {
    stop(settings.onStop); // the other running ticks are finished or cancelled as on any stop

    subscriber.error(error);
  }

  scheduleNext();
  return () => stop(settings.onStop);
}

/** The cancelled tick's own abort surfacing as its rejection (e.g. `fetch(url, { signal })`) is not a failure. */
function isAbortOf(t: Tick, error: unknown): boolean {
  const signal = t.controller.signal;
  return signal.aborted && (error === signal.reason || (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError'));
}
