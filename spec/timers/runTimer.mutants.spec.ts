// timer$'s clock handling with a scheduler the test drives by hand (it sets now() and decides when an
// armed wait ends): the cases mutation testing found unasserted (issue 9) — a wake-up before the due
// time by the scheduler's clock, float rounding of n·period, a clock jump too large to count tick by
// tick after ticks already ran, and the exact 1,000-tick burst cap.
import { NEVER, Observable, Subject, Subscription, take, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { NoCurrentAppError, runApp$, timer$, type LifecycleEvent, type TickErrorInfo, type TimerConfig, type TimerMiss } from 'rxrun';
import type { RunHelpers, TestScheduler } from 'rxjs/testing';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline, virtualPromise } from '../support/lifecycle';

/**
 * Errors that reached a subscriber no test expected one on: afterEach fails the test on any. (An error
 * sent to a subscriber without an error callback is thrown asynchronously and would crash the test
 * runner, which mutation testing then counts as a runtime error instead of a failed test.)
 */
const unexpected: unknown[] = [];
afterEach(() => {
  expect(unexpected.splice(0)).toEqual([]);
});
const observe = <T>(next?: (value: T) => unknown) => ({
  next: (value: T) => void next?.(value),
  error: (error: unknown) => void unexpected.push(error),
});

interface Armed {
  readonly delay: number;
  readonly armedAt: number;
  cancelled: boolean;
  readonly run: () => void;
}

/** now() is what the test sets; `wake()` runs the latest armed wait, whatever the clock says. */
function handScheduler(start = 0) {
  let now = start;
  const armed: Armed[] = [];
  const scheduler: SchedulerLike = {
    now: () => now,
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
      const entry: Armed = { delay, armedAt: now, cancelled: false, run: () => work.call(undefined as unknown as SchedulerAction<T>, state) };
      armed.push(entry);
      return new Subscription(() => {
        entry.cancelled = true;
      });
    },
  };
  const live = () => armed.filter((entry) => !entry.cancelled);
  return {
    scheduler,
    /** Armed waits not cancelled (and not run). */
    liveCount: () => live().length,
    /** Every wait ever armed, cancelled or not (to run one the timer already dropped). */
    all: () => [...armed],
    set(ms: number) {
      now = ms;
    },
    /** The one live armed wait (the timer keeps exactly one). */
    pending(): Armed {
      const [only, ...more] = live();
      if (only === undefined || more.length > 0) throw new Error(`expected one armed wait, got ${live().length}`);
      return only;
    },
    wake() {
      const entry = this.pending();
      entry.cancelled = true; // ran
      entry.run();
    },
  };
}

function startTimer(period: number, config: TimerConfig, start = 0) {
  const hand = handScheduler(start);
  const ticks: { n: number; scheduledAt: number; at: number }[] = [];
  const misses: TimerMiss[] = [];
  const subscription = timer$(
    period,
    (n, scheduledAt) => {
      ticks.push({ n, scheduledAt, at: hand.scheduler.now() });
      return [];
    },
    { onMissed: (miss) => misses.push(miss), ...config, scheduler: hand.scheduler },
  ).subscribe(observe());
  return { hand, ticks, misses, subscription };
}

describe('timer$ clock handling (driven by hand)', () => {
  it('a wake-up before the due time by the scheduler’s clock runs nothing and waits the rest', () => {
    const { hand, ticks, misses } = startTimer(10, { firstDelay: 10 });
    expect(hand.pending().delay).toBe(10);
    hand.set(7); // the scheduler's now() lags behind the real timer that fired
    hand.wake();
    expect(ticks).toEqual([]);
    expect(hand.pending()).toMatchObject({ delay: 3, armedAt: 7 });
    hand.set(10);
    hand.wake();
    expect(ticks).toEqual([{ n: 0, scheduledAt: 10, at: 10 }]);
    expect(hand.pending()).toMatchObject({ delay: 10, armedAt: 10 });
    expect(misses).toEqual([]);
  });

  it('a wake-up exactly at the due time runs the tick (not one period later)', () => {
    const { hand, ticks } = startTimer(5, { firstDelay: 0 }, 100);
    expect(ticks).toEqual([]);
    expect(hand.pending().delay).toBe(0);
    hand.wake();
    expect(ticks).toEqual([{ n: 0, scheduledAt: 100, at: 100 }]);
    hand.set(105);
    hand.wake();
    expect(ticks.map((t) => t.n)).toEqual([0, 1]);
  });

  it('float rounding: woken exactly at tick 43’s due time (0.1 × 43 / 0.1 < 43), tick 43 runs, not 42', () => {
    // (43 · 0.1) / 0.1 is 42.99999999999999 in floating point: the index has to be corrected up.
    expect(Math.floor((43 * 0.1) / 0.1)).toBe(42);
    const { hand, ticks, misses } = startTimer(0.1, { missedTicks: 'skip' });
    hand.wake(); // tick 0 at 0
    hand.set(43 * 0.1); // blocked until exactly tick 43's due time
    hand.wake();
    expect(ticks.at(-1)).toEqual({ n: 43, scheduledAt: 43 * 0.1, at: 43 * 0.1 });
    expect(misses).toEqual([{ reason: 'late', n: 1, count: 42, scheduledAt: 0.1, totals: { skipped: 0, overflow: 0, late: 42 } }]);
  });

  it('float rounding: woken a hair before tick 17’s due time (the division says 17), tick 16 runs', () => {
    const justBefore = 1.7; // the double below 17 · 0.1 (1.7000000000000002)
    expect(justBefore).toBeLessThan(17 * 0.1);
    expect(Math.floor(justBefore / 0.1)).toBe(17);
    const { hand, ticks } = startTimer(0.1, { missedTicks: 'skip' });
    hand.wake(); // tick 0
    hand.set(justBefore);
    hand.wake();
    expect(ticks.at(-1)).toEqual({ n: 16, scheduledAt: 16 * 0.1, at: justBefore });
    // …and tick 17 is armed for its due time, not run early.
    expect(hand.pending().delay).toBeCloseTo(17 * 0.1 - justBefore, 15);
    expect(ticks.every((t) => t.scheduledAt <= t.at)).toBe(true);
  });

  it('a clock jump too large to count tick by tick, after ticks ran: the grid restarts at now', () => {
    const { hand, ticks, misses } = startTimer(1, {});
    hand.wake(); // tick 0 at 0
    hand.set(1);
    hand.wake();
    hand.set(2);
    hand.wake();
    expect(ticks.map((t) => t.n)).toEqual([0, 1, 2]);
    const jump = 2 ** 53 - 500; // last due index + 1000 is no longer a safe integer
    hand.set(jump);
    hand.wake();
    expect(misses).toEqual([
      { reason: 'late', n: 3, count: jump - 3, scheduledAt: 3, totals: { skipped: 0, overflow: 0, late: jump - 3 } },
    ]);
    // Tick 3 runs now, and the next one is one period later.
    expect(ticks.at(-1)).toEqual({ n: 3, scheduledAt: jump, at: jump });
    expect(hand.pending().delay).toBe(1);
    hand.set(jump + 1);
    hand.wake();
    expect(ticks.at(-1)).toEqual({ n: 4, scheduledAt: jump + 1, at: jump + 1 });
    expect(misses).toHaveLength(1);
  });

  it('tick numbers near 2**53: a jump counted as at least one late tick even when none was passed over', () => {
    const { hand, ticks, misses } = startTimer(1, {});
    hand.wake(); // tick 0
    const far = 2 ** 53 - 1001; // far + 1000 is still a safe integer: counted tick by tick ('skip')
    hand.set(far);
    hand.wake();
    expect(ticks.at(-1)).toEqual({ n: far, scheduledAt: far, at: far });
    hand.set(far + 1); // the next tick's index + 1000 is 2**53: the grid restarts there
    hand.wake();
    expect(misses.at(-1)).toEqual({ reason: 'late', n: far + 1, count: 1, scheduledAt: far + 1, totals: { skipped: 0, overflow: 0, late: far - 1 + 1 } });
    expect(ticks.at(-1)).toEqual({ n: far + 1, scheduledAt: far + 1, at: far + 1 });
  });

  it("missedTicks 'burst' runs exactly the latest 1,000 due ticks after a stall, the older ones late", () => {
    const { hand, ticks, misses } = startTimer(1, { missedTicks: 'burst' });
    hand.wake(); // tick 0 at 0
    hand.set(1500);
    hand.wake();
    expect(misses).toEqual([{ reason: 'late', n: 1, count: 500, scheduledAt: 1, totals: { skipped: 0, overflow: 0, late: 500 } }]);
    const burst = ticks.slice(1);
    expect(burst).toHaveLength(1000);
    expect(burst[0]).toEqual({ n: 501, scheduledAt: 501, at: 1500 });
    expect(burst.at(-1)).toEqual({ n: 1500, scheduledAt: 1500, at: 1500 });
    expect(hand.pending().delay).toBe(1);
  });

  it("missedTicks 'burst' with exactly 1,000 due ticks runs them all and counts none late", () => {
    const { hand, ticks, misses } = startTimer(1, { missedTicks: 'burst' });
    hand.wake(); // tick 0
    hand.set(1000);
    hand.wake();
    expect(ticks.slice(1).map((t) => t.n)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(misses).toEqual([]);
  });

  it('unsubscribing cancels the armed wait', () => {
    const { hand, subscription } = startTimer(10, {});
    hand.wake();
    const armed = hand.pending();
    subscription.unsubscribe();
    expect(armed.cancelled).toBe(true);
  });

  it('a wake-up with the clock not moved at all since arming runs nothing (not taken for a clock set back)', () => {
    const { hand, ticks } = startTimer(10, { firstDelay: 10 });
    hand.wake(); // now() still 0: the scheduler's clock lags the whole wait
    expect(ticks).toEqual([]);
    expect(hand.pending()).toMatchObject({ delay: 10, armedAt: 0 });
    hand.set(10);
    hand.wake();
    expect(ticks).toEqual([{ n: 0, scheduledAt: 10, at: 10 }]);
  });

  it('a wake-up that arrives after unsubscription (a scheduler that cannot cancel) does nothing', () => {
    const { hand, ticks, subscription } = startTimer(10, { firstDelay: 10 });
    const armed = hand.pending();
    subscription.unsubscribe();
    hand.set(10);
    armed.run();
    expect(ticks).toEqual([]);
    expect(hand.liveCount()).toBe(0);
    expect(hand.all()).toHaveLength(1);
  });

  it('a tick that ends the subscription (take(1)) leaves no wait armed', () => {
    const hand = handScheduler();
    const values: number[] = [];
    timer$(10, (n) => [n], { scheduler: hand.scheduler }).pipe(take(1)).subscribe(observe((v) => values.push(v)));
    hand.wake();
    expect(values).toEqual([0]);
    expect(hand.liveCount()).toBe(0);
    expect(hand.all()).toHaveLength(1);
  });

  it("onTickError 'stop': the failing tick stops the timer and no wait stays armed", () => {
    const hand = handScheduler();
    const boom = new Error('tick');
    let failed: unknown;
    timer$(10, () => {
      throw boom;
    }, { scheduler: hand.scheduler, onTickError: 'stop' }).subscribe({ error: (e: unknown) => (failed = e) });
    hand.wake();
    expect(failed).toBe(boom);
    expect(hand.liveCount()).toBe(0);
  });

  it('the grid restart after a huge jump keeps the period (period 2: no tick runs before its due time)', () => {
    const { hand, ticks } = startTimer(2, {});
    hand.wake(); // 0
    hand.set(2);
    hand.wake(); // 1
    hand.set(4);
    hand.wake(); // 2
    const jump = 2 ** 54; // index 2**53: past the safe integers
    hand.set(jump);
    hand.wake();
    // One tick runs at the jump, due then (which index it gets depends on float rounding at 2**54).
    const after = ticks.slice(3);
    expect(after.map((t) => [t.scheduledAt, t.at])).toEqual([[jump, jump]]);
    expect(ticks.every((t) => t.scheduledAt <= t.at)).toBe(true);
  });

  it('never arms a wait longer than 2**31 - 1 ms, even when float rounding of a huge clock makes the first one 2**31', () => {
    const start = 2 ** 53 + 4; // above 2**53 doubles are even: start + (2**31 - 1) rounds up to start + 2**31
    expect(start + (2 ** 31 - 1) - start).toBe(2 ** 31);
    const { hand, ticks } = startTimer(10, { firstDelay: 2 ** 31 - 1 }, start);
    expect(hand.pending().delay).toBe(2 ** 31 - 1);
    expect(ticks).toEqual([]);
  });

  it("a tick failing after an onStop 'finish' stop reaches onTickError with state 'finishing'", () => {
    const hand = handScheduler();
    const work = new Subject<number>();
    const boom = new Error('late');
    const reported: [unknown, TickErrorInfo][] = [];
    const subscription = timer$(10, () => work, {
      scheduler: hand.scheduler, name: 'job', onStop: 'finish', onTickError: (error, info) => reported.push([error, info]),
    }).subscribe(observe());
    hand.wake(); // tick 0 starts and keeps running
    subscription.unsubscribe();
    expect(reported).toEqual([]);
    work.error(boom);
    expect(reported).toEqual([[boom, { name: 'job', n: 0, scheduledAt: 0, state: 'finishing' }]]);
  });

  it('with several apps running and no app option, the NoCurrentAppError names timer$ and the count', () => {
    const apps = [0, 1].map(() => runApp$(() => NEVER, { process: createTestProcess(), logger: false }).subscribe(observe()));
    let error: unknown;
    try {
      timer$(1000, () => []).subscribe({ error: (e: unknown) => (error = e) }).unsubscribe();
    } finally {
      apps.forEach((app) => app.unsubscribe());
    }
    expect(error).toBeInstanceOf(NoCurrentAppError);
    expect((error as Error).message).toBe('timer$: 2 apps are running in this process; pass the app explicitly');
  });

  it('accepts the longest period a timer can arm (2**31 - 1 ms) and refuses one ms more', () => {
    expect(() => timer$(2 ** 31 - 1, () => [])).not.toThrow();
    expect(() => timer$(2 ** 31, () => [])).toThrow(RangeError);
  });
});

/** A PromiseLike the test settles by hand (synchronously: no microtask in between). */
function handPromise() {
  const settle: { ok?: (value: number) => unknown; fail?: (reason: unknown) => unknown } = {};
  const promise: PromiseLike<number> = {
    then(ok, fail) {
      settle.ok = ok as (value: number) => unknown;
      settle.fail = fail as (reason: unknown) => unknown;
      return promise as never;
    },
  };
  return { promise, settle };
}

describe('timer$ cancelled promise ticks: which rejections are the tick’s own abort (driven by hand)', () => {
  /** Starts a promise tick 0, unsubscribes (cancels it), then rejects it with `reason`; returns what onTickError got. */
  function rejectAfterCancel(reason: unknown): [unknown, TickErrorInfo][] {
    const hand = handScheduler();
    const tick0 = handPromise();
    const reported: [unknown, TickErrorInfo][] = [];
    const subscription = timer$(10, () => tick0.promise, { scheduler: hand.scheduler, onTickError: (error, info) => reported.push([error, info]) }).subscribe(observe());
    hand.wake();
    subscription.unsubscribe();
    tick0.settle.fail?.(reason);
    return reported;
  }

  it('an object named AbortError (what fetch rejects with) is not reported', () => {
    expect(rejectAfterCancel(new DOMException('aborted', 'AbortError'))).toEqual([]);
    expect(rejectAfterCancel({ name: 'AbortError' })).toEqual([]);
  });

  it('any other rejection is reported with state cancelled: another error, null, a function named AbortError', () => {
    const other = new Error('other');
    expect(rejectAfterCancel(other)).toEqual([[other, { name: 'timer$', n: 0, scheduledAt: 0, state: 'cancelled' }]]);
    expect(rejectAfterCancel(null)).toEqual([[null, { name: 'timer$', n: 0, scheduledAt: 0, state: 'cancelled' }]]);
    function AbortError(): void {}
    expect(rejectAfterCancel(AbortError)).toEqual([[AbortError, { name: 'timer$', n: 0, scheduledAt: 0, state: 'cancelled' }]]);
  });

  it('a tick that was not cancelled is reported even when it rejects with an AbortError', () => {
    const hand = handScheduler();
    const tick0 = handPromise();
    const reported: unknown[] = [];
    const abort = new DOMException('aborted', 'AbortError');
    timer$(10, () => tick0.promise, { scheduler: hand.scheduler, onTickError: (error) => reported.push(error) }).subscribe(observe());
    hand.wake();
    tick0.settle.fail?.(abort);
    expect(reported).toEqual([abort]);
  });
});

describe('timer$ tick bookkeeping (driven by hand)', () => {
  it('a PromiseLike that calls back twice counts once: one value, or one reported error', () => {
    const hand = handScheduler();
    const tick0 = handPromise();
    const values: number[] = [];
    const reported: unknown[] = [];
    timer$(10, () => tick0.promise, { scheduler: hand.scheduler, onTickError: (error) => reported.push(error) }).subscribe(observe((v) => values.push(v)));
    hand.wake();
    tick0.settle.ok?.(1);
    tick0.settle.ok?.(2);
    tick0.settle.fail?.(new Error('after the value'));
    expect(values).toEqual([1]);
    expect(reported).toEqual([]);

    const tick1 = handPromise();
    const first = new Error('first');
    const hand2 = handScheduler();
    timer$(10, () => tick1.promise, { scheduler: hand2.scheduler, onTickError: (error) => reported.push(error) }).subscribe(observe((v) => values.push(v)));
    hand2.wake();
    tick1.settle.fail?.(first);
    tick1.settle.fail?.(new Error('second'));
    tick1.settle.ok?.(3);
    expect(reported).toEqual([first]);
    expect(values).toEqual([1]);
  });

  it("policy 'cancel': a cancelled promise tick's later value never goes downstream", () => {
    const hand = handScheduler();
    const promises = [handPromise(), handPromise()];
    const values: number[] = [];
    timer$(10, (n) => promises[n]!.promise, { scheduler: hand.scheduler, policy: 'cancel' }).subscribe(observe((v) => values.push(v)));
    hand.wake(); // tick 0
    hand.set(10);
    hand.wake(); // tick 1 cancels tick 0
    promises[0]!.settle.ok?.(100);
    promises[1]!.settle.ok?.(1);
    expect(values).toEqual([1]);
  });

  it("policy 'queue': a failing tick frees its slot at once for the queued one", () => {
    const hand = handScheduler();
    const work = [new Subject<number>(), new Subject<number>()];
    const started: number[] = [];
    const reported: unknown[] = [];
    timer$(10, (n) => {
      started.push(n);
      return work[n] ?? [];
    }, { scheduler: hand.scheduler, policy: 'queue', onTickError: (error) => reported.push(error) }).subscribe(observe());
    hand.wake(); // tick 0 runs
    hand.set(10);
    hand.wake(); // tick 1 waits in the queue
    expect(started).toEqual([0]);
    const boom = new Error('tick 0');
    work[0]!.error(boom);
    expect(reported).toEqual([boom]);
    expect(started).toEqual([0, 1]);
  });

  it("policy 'queue': 5,000 queued ticks that end synchronously all run in order, one after the other (no recursion)", () => {
    const hand = handScheduler();
    const first = new Subject<number>();
    const started: number[] = [];
    const reported: unknown[] = [];
    timer$(1, (n) => {
      started.push(n);
      return n === 0 ? first : [];
    }, { scheduler: hand.scheduler, policy: 'queue', missedTicks: 'burst', onTickError: (error) => reported.push(error) }).subscribe(observe());
    hand.wake(); // tick 0 runs on
    for (let at = 1000; at <= 5000; at += 1000) {
      hand.set(at);
      hand.wake(); // 1,000 more due ticks queue up behind tick 0
    }
    expect(started).toEqual([0]);
    first.complete();
    expect(reported).toEqual([]);
    expect(started).toEqual(Array.from({ length: 5001 }, (_, n) => n));
  });

  it("onStop 'finish' with onTickError 'stop': a tick failing after the stop is still reported (console.error)", () => {
    const errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const hand = handScheduler();
      const work = new Subject<number>();
      const subscription = timer$(10, () => work, { scheduler: hand.scheduler, name: 'job', onStop: 'finish', onTickError: 'stop' }).subscribe(observe());
      hand.wake();
      subscription.unsubscribe();
      work.error(new Error('late'));
      expect(errorSpy.mock.calls.map((call) => String(call[0]).split('\n')[0])).toEqual(["rxrun: timer$ 'job' tick 0 failed: Error: late"]);
    } finally {
      errorSpy.mockRestore();
    }
  });

  it("onTickError 'stop': the other running ticks are torn down before the error goes downstream", () => {
    const hand = handScheduler();
    const log: string[] = [];
    const fail = new Subject<never>();
    timer$(10, (n) =>
      n === 0
        ? new Observable<number>(() => () => log.push('tick 0 torn down'))
        : fail,
    { scheduler: hand.scheduler, onTickError: 'stop' }).subscribe({ error: () => log.push('downstream error') });
    hand.wake(); // tick 0 runs on
    hand.set(10);
    hand.wake(); // tick 1
    fail.error(new Error('tick 1'));
    expect(log).toEqual(['tick 0 torn down', 'downstream error']);
  });
});

/**
 * Hang guard: the TestScheduler's run mode has no frame limit, so a timer that never stops (a mutant)
 * would move its virtual clock on forever and the test would never end. These tests are over by frame
 * 30; the clock stops at frame 1,000, and the test fails on its assertions instead.
 */
function guardedRun<T>(scheduler: TestScheduler, callback: (helpers: RunHelpers) => T): T {
  return scheduler.run((helpers) => {
    scheduler.maxFrames = 1000;
    return callback(helpers);
  });
}

describe('timer$ ticks the app waits for at shutdown (virtual time)', () => {
  const waits = (events: readonly LifecycleEvent[]) => timeline(events).filter((line) => /protected|phase:stopped|stopped:/.test(line));

  it('an observable tick that stops its own timer inside tick() is never subscribed, and the app does not wait for it', () => {
    const testScheduler = newScheduler();
    let events: LifecycleEvent[] = [];
    const subscribed: number[] = [];
    guardedRun(testScheduler, () => {
      const app = runTestApp(() => {
        const subscription = timer$(4, (n) => {
          if (n === 1) subscription.unsubscribe();
          return new Observable<never>(() => void subscribed.push(n));
        }, { name: 'self' }).subscribe(observe());
        return NEVER;
      });
      app.port.signal('SIGTERM', 6);
      events = collect(app.events$);
    });
    expect(subscribed).toEqual([0]);
    expect(waits(events)).toEqual(['6 phase:stopped', '6 stopped:ok']);
  });

  it("policy 'cancel' with onStop 'finish': at the shutdown the app waits for the live tick only, not the ones it replaced", () => {
    const testScheduler = newScheduler();
    let events: LifecycleEvent[] = [];
    guardedRun(testScheduler, ({ cold }) => {
      const app = runTestApp(() => timer$(4, () => cold('a-------|'), { policy: 'cancel', onStop: 'finish', name: 'job' }));
      app.port.signal('SIGTERM', 9); // tick 0 replaced at 4, tick 1 at 8; tick 2 runs until 16
      events = collect(app.events$);
    });
    expect(waits(events)).toEqual(['9 protected-pending:job tick 2', '16 protected-drained', '16 phase:stopped', '16 stopped:ok']);
  });

  it("onStop 'finish': a promise tick running at the shutdown is awaited under its own name, and the app stops when it settles", () => {
    const testScheduler = newScheduler();
    let events: LifecycleEvent[] = [];
    guardedRun(testScheduler, () => {
      const app = runTestApp((ctx) => timer$(100, () => virtualPromise(ctx.scheduler, 10), { onStop: 'finish', name: 'job' }));
      app.port.signal('SIGTERM', 3);
      events = collect(app.events$);
    });
    expect(waits(events)).toEqual(['3 protected-pending:job tick 0', '10 protected-drained', '10 phase:stopped', '10 stopped:ok']);
  });

  it("onStop 'finish': a promise tick cut off when the budget runs out is not awaited again as a cancelled tick", () => {
    const testScheduler = newScheduler();
    let events: LifecycleEvent[] = [];
    const aborted: number[] = [];
    guardedRun(testScheduler, () => {
      const app = runTestApp((ctx) => timer$(100, (_n, _at, signal) => {
        signal.addEventListener('abort', () => aborted.push(ctx.scheduler.now()));
        return virtualPromise(ctx.scheduler, 30);
      }, { onStop: 'finish', name: 'job' }), { shutdownTimeout: 8 });
      app.port.signal('SIGTERM', 2);
      events = collect(app.events$);
    });
    expect(aborted).toEqual([10]);
    expect(outcomeOf(events).status).toBe('timeout');
    expect(outcomeOf(events).report?.pending).toEqual([{ kind: 'protected', name: 'job tick 0', state: 'running' }]);
    expect(waits(events).filter((line) => line.includes('(cancelled)'))).toEqual([]);
  });
});
