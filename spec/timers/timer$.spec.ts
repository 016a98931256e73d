import { EMPTY, NEVER, Observable, Subject, asyncScheduler, filter, map, of, take, tap, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { timer$, type TimerMiss, TimerQueueOverflowError, type TimerPolicy, type LifecycleEvent, NoCurrentAppError, runApp$ } from 'rxrun';
import { collect, label, newScheduler, outcomeOf, timeline, virtualPromise } from '../support/lifecycle';
import { runTestApp, createTestProcess } from 'rxrun/testing';

// policy 'accumulate' (the default, aiotools' DEFAULT; mergeMap): ticks overlap.
describe("timer$ policy 'accumulate'", () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('fast ticks: one tick per period, each run to its end, first at once', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('-a|');
      expectObservable(timer$(4, () => work), '^ 14ms !').toBe('-a---a---a---a-');
      expectSubscriptions(work.subscriptions).toBe(['^-!', '----^-!', '--------^-!', '------------^-!']);
    });
  });

  it('slow ticks overlap: every tick starts when due and runs to its end', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('a-----b|');
      expectObservable(timer$(4, () => work), '^ 14ms !').toBe('a---a-b-a-b-a-b');
      expectSubscriptions(work.subscriptions).toBe(['^------!', '----^------!', '--------^------!', '------------^--!']);
    });
  });

  it('is the default policy', () => {
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a-----b|');
      const subscription = timer$(4, () => work).subscribe();
      testScheduler.schedule(() => subscription.unsubscribe(), 9);
      expectSubscriptions(work.subscriptions).toBe(['^------!', '----^----!', '--------^!']);
    });
  });

  it('concurrency caps the running ticks; due ticks wait their turn and start late, with their own due time', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('a---------b|');
      const out$ = timer$(4, (n, scheduledAt) => work.pipe(map((v) => `${v}${n}@${scheduledAt}/${testScheduler.now()}`)), { concurrency: 2 });
      expectObservable(out$, '^ 15ms !').toBe('a---b-----cd--ef', {
        a: 'a0@0/0', b: 'a1@4/4', c: 'b0@0/10', d: 'a2@8/11', e: 'b1@4/14', f: 'a3@12/15',
      });
      expectSubscriptions(work.subscriptions).toBe(['^----------!', '----^----------!', '-----------^----!', '---------------^!']);
    });
  });

  it('with concurrency, maxQueued bounds the waiting ticks: the overflow is counted through onMissed', () => {
    const misses: TimerMiss[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a---------b|');
      const subscription = timer$(4, () => work, { concurrency: 2, maxQueued: 1, onMissed: (miss) => misses.push(miss) }).subscribe();
      testScheduler.schedule(() => subscription.unsubscribe(), 21);
      // 0: t0; 4: t1; 8: t2 waits; 11: t2 starts; 12: t3 waits; 15: t3 starts; 16: t4 waits; 20: t5 overflows
      expectSubscriptions(work.subscriptions).toBe(['^----------!', '----^----------!', '-----------^---------!', '---------------^-----!']);
    });
    expect(misses).toEqual([{ reason: 'overflow', n: 5, count: 1, scheduledAt: 20, totals: { skipped: 0, overflow: 1, late: 0 } }]);
  });
});

// policy 'cancel' (aiotools' CANCEL; switchMap): the running tick is cancelled when the next is due.
describe("timer$ policy 'cancel'", () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('fast ticks: nothing to cancel, every tick runs to its end', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('-a|');
      expectObservable(timer$(4, () => work, { policy: 'cancel' }), '^ 14ms !').toBe('-a---a---a---a-');
      expectSubscriptions(work.subscriptions).toBe(['^-!', '----^-!', '--------^-!', '------------^-!']);
    });
  });

  it('slow ticks: the running tick is torn down when the next one is due, so its late values never come', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('a-----b|');
      expectObservable(timer$(4, () => work, { policy: 'cancel' }), '^ 14ms !').toBe('a---a---a---a--');
      expectSubscriptions(work.subscriptions).toBe(['^---!', '----^---!', '--------^---!', '------------^--!']);
    });
  });

  it('a tick that outlasts the period only sometimes is cancelled only then', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const slow = cold('a-----b|');
      const fast = cold('a-b|');
      const out$ = timer$(4, (n) => (n % 2 === 0 ? slow : fast).pipe(map((v) => `${v}${n}`)), { policy: 'cancel' });
      expectObservable(out$, '^ 10ms !').toBe('a---b-c-d--', { a: 'a0', b: 'a1', c: 'b1', d: 'a2' });
    });
  });

  it("aborts the cancelled tick's AbortSignal (and only that one)", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('   a-----b|');
      const quick = cold('      -|');
      const slowSubs = [
        '                   ^---!',
        '                   --------^-!',
      ];
      const quickSubs = '   ----^!';
      const unsub = '       ----------!';
      const aborted = '     ----a-----b'; // tick 0 cancelled at 4; tick 1 ended by itself at 5; tick 2 torn down at 10
      const aborted$ = new Subject<number>();
      const ticks$ = timer$(
        4,
        (n, _at, signal) => {
          signal.addEventListener('abort', () => aborted$.next(n));
          return n === 1 ? quick : slow;
        },
        { policy: 'cancel' },
      );
      expectObservable(ticks$, unsub).toBe('a-------a-', { a: 'a' });
      expectObservable(aborted$).toBe(aborted, { a: 0, b: 2 });
      expectSubscriptions(slow.subscriptions).toBe(slowSubs);
      expectSubscriptions(quick.subscriptions).toBe(quickSubs);
    });
  });

  it('runs the cancelled tick\'s teardown before the next tick starts', () => {
    const log: string[] = [];
    testScheduler.run(() => {
      const subscription = timer$(
        4,
        (n) =>
          new Observable<never>(() => {
            log.push(`start ${n} at ${testScheduler.now()}`);
            return () => log.push(`teardown ${n} at ${testScheduler.now()}`);
          }),
        { policy: 'cancel' },
      ).subscribe();
      testScheduler.schedule(() => subscription.unsubscribe(), 9);
    });
    expect(log).toEqual(['start 0 at 0', 'teardown 0 at 4', 'start 1 at 4', 'teardown 1 at 8', 'start 2 at 8', 'teardown 2 at 9']);
  });
});

// policy 'skip' (exhaustMap): a due tick is dropped while one runs, and counted.
describe("timer$ policy 'skip'", () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('fast ticks: nothing is skipped', () => {
    const misses: TimerMiss[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('-a|');
      expectObservable(timer$(4, () => work, { policy: 'skip', onMissed: (m) => misses.push(m) }), '^ 14ms !').toBe('-a---a---a---a-');
      expectSubscriptions(work.subscriptions).toBe(['^-!', '----^-!', '--------^-!', '------------^-!']);
    });
    expect(misses).toEqual([]);
  });

  it('slow ticks: a tick due while one runs is dropped and counted; the next due after it ends starts on time', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('   a-----b|');
      const workSubs = [
        '                   ^------!',
        '                   --------^------!',
        '                   ----------------^-!',
      ];
      const unsub = '       ^ 17ms !';
      const expected = '    a-----b-c-----d-e-';
      const missed = '      ----1-------3-----'; // ticks 1 (due at 4) and 3 (due at 12) are dropped
      const misses$ = new Subject<TimerMiss>();
      const out$ = timer$(4, (n, at) => work.pipe(map((v) => `${v}${n}@${at}`)), { policy: 'skip', onMissed: (m) => misses$.next(m) });
      expectObservable(out$, unsub).toBe(expected, { a: 'a0@0', b: 'b0@0', c: 'a2@8', d: 'b2@8', e: 'a4@16' });
      expectObservable(misses$).toBe(missed, {
        1: { reason: 'skipped', n: 1, count: 1, scheduledAt: 4, totals: { skipped: 1, overflow: 0, late: 0 } },
        3: { reason: 'skipped', n: 3, count: 1, scheduledAt: 12, totals: { skipped: 2, overflow: 0, late: 0 } },
      });
      expectSubscriptions(work.subscriptions).toBe(workSubs);
    });
  });

  it('counts per subscription: a second subscription starts from zero', () => {
    const totals: number[][] = [[], []];
    testScheduler.run(({ cold }) => {
      const work = cold('a-----b|');
      for (const which of [0, 1]) {
        const subscription = timer$(4, () => work, { policy: 'skip', onMissed: (m) => totals[which]!.push(m.totals.skipped) }).subscribe();
        testScheduler.schedule(() => subscription.unsubscribe(), which === 0 ? 13 : 5);
      }
    });
    expect(totals).toEqual([[1, 2], [1]]);
  });

  it('a skipped tick is not reported as an error without onMissed (skipping is the policy)', () => {
    const errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      testScheduler.run(({ cold, expectObservable }) => {
        expectObservable(timer$(4, () => cold('a-----b|'), { policy: 'skip' }), '^ 9ms !').toBe('a-----b-a-');
      });
      expect(errorSpy).not.toHaveBeenCalled();
    } finally {
      errorSpy.mockRestore();
    }
  });
});

// policy 'queue' (concatMap): due ticks wait their turn, bounded by maxQueued.
describe("timer$ policy 'queue'", () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('fast ticks: each starts when due', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('-a|');
      expectObservable(timer$(4, () => work, { policy: 'queue' }), '^ 14ms !').toBe('-a---a---a---a-');
      expectSubscriptions(work.subscriptions).toBe(['^-!', '----^-!', '--------^-!', '------------^-!']);
    });
  });

  it('slow ticks run one after the other, each with its own due time; none is lost', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('a-----b|');
      const out$ = timer$(4, (n, at) => work.pipe(map((v) => `${v}${n}@${at}`)), { policy: 'queue' });
      expectObservable(out$, '^ 21ms !').toBe('a-----bc-----de-----fg', {
        a: 'a0@0', b: 'b0@0', c: 'a1@4', d: 'b1@4', e: 'a2@8', f: 'b2@8', g: 'a3@12',
      });
      expectSubscriptions(work.subscriptions).toBe(['^------!', '-------^------!', '--------------^------!', '---------------------^!']);
    });
  });

  it('maxQueued bounds the waiting ticks: a tick due when the queue is full is dropped and counted', () => {
    const misses: TimerMiss[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a-----b|');
      const subscription = timer$(4, () => work, { policy: 'queue', maxQueued: 1, onMissed: (m) => misses.push(m) }).subscribe();
      testScheduler.schedule(() => subscription.unsubscribe(), 22);
      // 4: t1 waits; 7: t1 runs; 8: t2 waits; 12: t3 finds t2 waiting → dropped; 14: t2 runs; 16: t4 waits;
      // 20: t5 finds t4 waiting → dropped; 21: t4 runs
      expectSubscriptions(work.subscriptions).toBe(['^------!', '-------^------!', '--------------^------!', '---------------------^!']);
    });
    expect(misses).toEqual([
      { reason: 'overflow', n: 3, count: 1, scheduledAt: 12, totals: { skipped: 0, overflow: 1, late: 0 } },
      { reason: 'overflow', n: 5, count: 1, scheduledAt: 20, totals: { skipped: 0, overflow: 2, late: 0 } },
    ]);
  });

  it('maxQueued: 0 runs a tick only when none is running (counted as overflow, unlike skip)', () => {
    const misses: string[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a-----b|');
      const subscription = timer$(4, () => work, { policy: 'queue', maxQueued: 0, onMissed: (m) => misses.push(`${m.reason} ${m.n}`) }).subscribe();
      testScheduler.schedule(() => subscription.unsubscribe(), 10);
      expectSubscriptions(work.subscriptions).toBe(['^------!', '--------^-!']);
    });
    expect(misses).toEqual(['overflow 1']);
  });

  it('without onMissed, each overflow is reported as a TimerQueueOverflowError (console.error without an app) and ticking goes on', () => {
    const errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      testScheduler.run(({ cold, expectObservable }) => {
        const out$ = timer$(4, (n) => cold('a-----b|').pipe(map((v) => `${v}${n}`)), { policy: 'queue', maxQueued: 1, name: 'sync' });
        expectObservable(out$, '^ 21ms !').toBe('a-----bc-----de-----fg', { a: 'a0', b: 'b0', c: 'a1', d: 'b1', e: 'a2', f: 'b2', g: 'a4' });
      });
      expect(errorSpy.mock.calls.map((call) => String(call[0]).split('\n')[0])).toEqual([
        "rxrun: timer$ 'sync' tick 3 failed: TimerQueueOverflowError: rxrun: timer$ 'sync' dropped tick 3: the queue is full (maxQueued 1); 1 dropped so far",
        "rxrun: timer$ 'sync' tick 5 failed: TimerQueueOverflowError: rxrun: timer$ 'sync' dropped tick 5: the queue is full (maxQueued 1); 2 dropped so far",
      ]);
    } finally {
      errorSpy.mockRestore();
    }
  });

  it('gives the overflow error to an onTickError function, with its figures', () => {
    const reported: unknown[] = [];
    testScheduler.run(({ cold }) => {
      const subscription = timer$(4, () => cold('a-----b|'), { policy: 'queue', maxQueued: 1, onTickError: (error, info) => reported.push(error, info) }).subscribe();
      testScheduler.schedule(() => subscription.unsubscribe(), 13);
    });
    expect(reported).toEqual([expect.any(TimerQueueOverflowError), { name: 'timer$', n: 3, scheduledAt: 12, state: 'missed' }]);
    expect(reported[0]).toMatchObject({ name: 'TimerQueueOverflowError', timerName: 'timer$', n: 3, scheduledAt: 12, maxQueued: 1, overflowed: 1 });
  });
});

// The diagram in TimerPolicy's TSDoc and in the README, checked frame by frame.
const DIAGRAM: Record<TimerPolicy, string> = {
  accumulate: 'a---a-b-a-b-a-b-a-b-a-',
  cancel: '    a---a---a---a---a---a-',
  skip: '      a-----b-a-----b-a-----',
  queue: '     a-----ba-----ba-----ba',
};

describe('timer$ policies side by side (the documented diagram)', () => {
  it.each(Object.keys(DIAGRAM) as TimerPolicy[])("policy '%s'", (policy) => {
    const testScheduler: TestScheduler = newScheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const work = cold('a-----b|');
      expectObservable(timer$(4, () => work, { policy }), '^ 21ms !').toBe(DIAGRAM[policy]);
    });
  });
});

/** A scheduler over `inner` whose clock can jump ahead, as when the process is blocked by synchronous work. */
function blockable(inner: SchedulerLike): SchedulerLike & { block(ms: number): void } {
  let offset = 0;
  return {
    now: () => inner.now() + offset,
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
      return inner.schedule(work, delay, state);
    },
    block(ms: number) {
      offset += ms;
    },
  };
}

describe('timer$ timing', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('has exactly zero drift over 10,000 ticks: each is due at start + firstDelay + n·period and fires then', () => {
    const period = 16.7; // not a whole number: adding periods up would drift by rounding alone
    const fired: { n: number; scheduledAt: number; at: number }[] = [];
    testScheduler.run(() => {
      testScheduler.schedule(() => {
        timer$(period, (n, scheduledAt) => {
          fired.push({ n, scheduledAt, at: testScheduler.now() });
          return [n];
        }, { firstDelay: 3 }).pipe(take(10_000)).subscribe();
      }, 5); // start = 5
    });
    expect(fired).toHaveLength(10_000);
    const wrong = fired.filter(({ n, scheduledAt, at }, index) => n !== index || scheduledAt !== 5 + 3 + n * period || at !== scheduledAt);
    expect(wrong).toEqual([]);
    // What chaining `period` delays would have produced instead (so the assertion above can tell the difference):
    let chained = 5 + 3;
    for (let n = 1; n < 10_000; n += 1) chained += period;
    expect(chained).not.toBe(5 + 3 + 9_999 * period);
  });

  it('time spent inside each tick does not push the later ones (no accumulated drift)', () => {
    const clock = blockable(testScheduler);
    const fired: string[] = [];
    testScheduler.run(() => {
      timer$(10, (n, scheduledAt) => {
        fired.push(`${n}@${scheduledAt} now ${clock.now()}`);
        clock.block(3); // busy 3 ms in every tick
        return [n];
      }, { scheduler: clock }).pipe(take(4)).subscribe();
    });
    expect(fired).toEqual(['0@0 now 0', '1@10 now 10', '2@20 now 20', '3@30 now 30']);
  });

  it("missedTicks 'skip' (default): blocked past several due times, fires the latest due tick once and counts the rest as late", () => {
    const clock = blockable(testScheduler);
    const fired: string[] = [];
    const misses: TimerMiss[] = [];
    testScheduler.run(() => {
      timer$(10, (n, scheduledAt) => {
        fired.push(`${n}@${scheduledAt} now ${clock.now()}`);
        if (n === 0) clock.block(35); // blocked from 0 to 35: ticks 1, 2, 3 are all due at once
        return [n];
      }, { scheduler: clock, onMissed: (miss) => misses.push(miss) }).pipe(take(3)).subscribe();
    });
    expect(fired).toEqual(['0@0 now 0', '3@30 now 35', '4@40 now 40']);
    expect(misses).toEqual([{ reason: 'late', n: 1, count: 2, scheduledAt: 10, totals: { skipped: 0, overflow: 0, late: 2 } }]);
  });

  it("missedTicks 'burst': fires every missed tick back to back, each with its own due time, then keeps the grid", () => {
    const clock = blockable(testScheduler);
    const fired: string[] = [];
    const misses: TimerMiss[] = [];
    testScheduler.run(() => {
      timer$(10, (n, scheduledAt) => {
        fired.push(`${n}@${scheduledAt} now ${clock.now()}`);
        if (n === 0) clock.block(35);
        return [n];
      }, { scheduler: clock, missedTicks: 'burst', onMissed: (miss) => misses.push(miss) }).pipe(take(5)).subscribe();
    });
    expect(fired).toEqual(['0@0 now 0', '1@10 now 35', '2@20 now 35', '3@30 now 35', '4@40 now 40']);
    expect(misses).toEqual([]);
  });

  it('firstDelay delays tick 0; the grid is anchored on it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(timer$(4, () => cold('a|'), { firstDelay: 2 }), '^ 12ms !').toBe('--a---a---a--');
      expectObservable(timer$(4, () => cold('a|'), { firstDelay: 0 }), '^ 12ms !').toBe('a---a---a---a');
    });
  });

  it('passes each tick its number and due time, and uses the app-less default asyncScheduler (virtual inside run)', () => {
    testScheduler.run(({ expectObservable }) => {
      expectObservable(timer$(3, (n, scheduledAt) => [`${n}@${scheduledAt}`]), '^ 7ms !').toBe('a--b--c-', { a: '0@0', b: '1@3', c: '2@6' });
    });
  });
});

const interesting = (line: string) => /protected|phase:(draining|finalizing|stopped)|error|stopped/.test(line);
/** The events `interesting` keeps, as labels, for a marble. */
const milestones = (events$: Observable<LifecycleEvent>) => events$.pipe(map(label), filter(interesting));
const MILESTONES = { d: 'phase:draining', D: 'protected-drained', f: 'phase:finalizing', x: 'phase:stopped', o: 'stopped:ok' };

describe('timer$ on stop', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it("onStop 'cancel' (default): the app's shutdown tears running ticks down at once and starts no new one", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('   a-----b|');
      const workSubs = [
        '                   ^-----!',
        '                   ----^-!',
      ];
      const expected = '    ------(dfxo|)';
      const app = runTestApp(() => timer$(4, () => work));
      app.port.signal('SIGTERM', 6);
      expectSubscriptions(work.subscriptions).toBe(workSubs);
      expectObservable(milestones(app.events$)).toBe(expected, MILESTONES);
    });
  });

  it("onStop 'finish': running ticks run to their end (values dropped), the app waits for them, no new tick starts", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('   a-----b|');
      const workSubs = [
        '                   ^------!', // tick 0 (0-7) and tick 1 (4-11) finish; tick 2, due at 8, never starts
        '                   ----^------!',
      ];
      const seen = '        a---b';  // b0 at 6 and b1 at 10 come after the stop: dropped
      const expected = '    -----(dp)--(Dfxo|)';
      const seen$ = new Subject<string>();
      const app = runTestApp(() => timer$(4, (n) => work.pipe(map((v) => `${v}${n}`)), { onStop: 'finish', name: 'job' }).pipe(tap(seen$)));
      app.port.signal('SIGTERM', 5);
      expectSubscriptions(work.subscriptions).toBe(workSubs);
      expectObservable(seen$).toBe(seen, { a: 'a0', b: 'a1' });
      expectObservable(milestones(app.events$)).toBe(expected, { ...MILESTONES, p: 'protected-pending:job tick 0,job tick 1' });
    });
  });

  it("onStop 'finish' without an app: the ticks simply run to their end after the unsubscription", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('a-----b|');
      expectObservable(timer$(4, () => work, { onStop: 'finish' }), '^ 5ms !').toBe('a---a-');
      expectSubscriptions(work.subscriptions).toBe(['^------!', '----^------!']);
    });
  });

  it("onStop 'finish' also applies to any unsubscription while the app runs: the app later waits for what is still running", () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a---------b|');
      const app = runTestApp((ctx) => {
        const subscription = timer$(4, () => work, { onStop: 'finish', name: 'job' }).subscribe();
        ctx.scheduler.schedule(() => subscription.unsubscribe(), 2);
        return NEVER;
      });
      app.port.signal('SIGTERM', 5);
      events = collect(app.events$);
      expectSubscriptions(work.subscriptions).toBe(['^----------!']);
    });
    expect(timeline(events).filter(interesting)).toEqual([
      '5 phase:draining', '5 protected-pending:job tick 0', '11 protected-drained', '11 phase:finalizing', '11 phase:stopped', '11 stopped:ok',
    ]);
  });

  it("onStop 'finish': a tick still running when the shutdown budget runs out is cut off (torn down) and named", () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a-------------------b|');
      const app = runTestApp(() => timer$(100, () => work, { onStop: 'finish', name: 'job' }), { shutdownTimeout: 8 });
      app.port.signal('SIGTERM', 2);
      events = collect(app.events$);
      expectSubscriptions(work.subscriptions).toBe(['^---------!']);
    });
    expect(outcomeOf(events).status).toBe('timeout');
    expect(outcomeOf(events).report?.pending).toEqual([{ kind: 'protected', name: 'job tick 0', state: 'running' }]);
  });

  it('a cancelled promise tick: its AbortSignal is aborted, and the app waits for the promise to settle', () => {
    let events: LifecycleEvent[] = [];
    const aborted: number[] = [];
    testScheduler.run(() => {
      const app = runTestApp((ctx) =>
        timer$(100, (_n, _at, signal) => {
          signal.addEventListener('abort', () => aborted.push(ctx.scheduler.now()));
          return virtualPromise(ctx.scheduler, 10); // settles at 10, whatever happens
        }),
      );
      app.port.signal('SIGTERM', 3);
      events = collect(app.events$);
    });
    expect(aborted).toEqual([3]);
    expect(timeline(events).filter(interesting)).toEqual([
      '3 phase:draining', '3 protected-pending:timer$ tick 0 (cancelled)', '10 protected-drained', '10 phase:finalizing', '10 phase:stopped', '10 stopped:ok',
    ]);
  });

  it("a promise tick cancelled by the 'cancel' policy keeps the app waiting at shutdown until it settles; its rejection is reported", () => {
    const boom = new Error('late failure');
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const app = runTestApp((ctx) =>
        timer$(4, (n) => (n === 0 ? virtualPromise(ctx.scheduler, 12, boom) : virtualPromise(ctx.scheduler, 1)), { policy: 'cancel', name: 'poll' }),
      );
      app.port.signal('SIGTERM', 6); // tick 0 was cancelled at 4 and rejects at 12; tick 1 (4-5) is done
      events = collect(app.events$);
    });
    expect(timeline(events).filter(interesting)).toEqual([
      '6 phase:draining', '6 protected-pending:poll tick 0 (cancelled)', '12 error:tick:poll tick 0', '12 protected-drained',
      '12 phase:finalizing', '12 phase:stopped', '12 stopped:error',
    ]);
    expect(outcomeOf(events).errors).toEqual([{ source: 'tick', name: 'poll tick 0', error: boom }]);
  });

  it("a cancelled promise tick that rejects with its own abort reason (fetch with the signal) is not reported", () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const app = runTestApp((ctx) =>
        timer$(100, (_n, _at, signal) => ({
          then(_ok?: (value: void) => unknown, fail?: (reason: unknown) => unknown) {
            signal.addEventListener('abort', () => ctx.scheduler.schedule(() => fail?.(signal.reason), 2));
            return this;
          },
        }) as PromiseLike<void>),
      );
      app.port.signal('SIGTERM', 3);
      events = collect(app.events$);
    });
    expect(timeline(events).filter(interesting)).toEqual([
      '3 phase:draining', '3 protected-pending:timer$ tick 0 (cancelled)', '5 protected-drained', '5 phase:finalizing', '5 phase:stopped', '5 stopped:ok',
    ]);
  });

  it('uses the app given as an option (its scheduler too) even when another app runs', () => {
    let events: LifecycleEvent[] = [];
    const boom = new Error('tick failed');
    testScheduler.run(({ cold }) => {
      const other = runTestApp(() => NEVER);
      const app = runTestApp((ctx) => timer$(4, (n) => (n === 1 ? cold('#', undefined, boom) : cold('a|')), { app: ctx }));
      app.port.signal('SIGTERM', 6);
      other.port.signal('SIGTERM', 6);
      events = collect(app.events$);
    });
    expect(outcomeOf(events).errors).toEqual([{ source: 'tick', name: 'timer$ tick 1', error: boom }]);
    expect(timeline(events).filter(interesting)).toEqual(['4 error:tick:timer$ tick 1', '6 phase:draining', '6 phase:finalizing', '6 phase:stopped', '6 stopped:error']);
  });

  it("onStop 'finish': an error from a tick running on after the stop is reported with state 'finishing'", () => {
    const boom = new Error('failed after the stop');
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp(() => timer$(100, () => cold('a-----#', undefined, boom), { onStop: 'finish', name: 'job' }));
      app.port.signal('SIGTERM', 2);
      events = collect(app.events$);
    });
    expect(timeline(events).filter(interesting)).toEqual([
      '2 phase:draining', '2 protected-pending:job tick 0', '6 error:tick:job tick 0', '6 protected-drained', '6 phase:finalizing', '6 phase:stopped', '6 stopped:error',
    ]);
  });

  it('a downstream that unsubscribes on a synchronous value tears that tick down at once', () => {
    const log: string[] = [];
    testScheduler.run(({ expectObservable }) => {
      const out$ = timer$(4, (n) =>
        new Observable<number>((subscriber) => {
          subscriber.next(n);
          subscriber.next(n + 100);
          return () => log.push(`teardown ${n} at ${testScheduler.now()}`);
        }),
      ).pipe(take(1));
      expectObservable(out$).toBe('(a|)', { a: 0 });
    });
    expect(log).toEqual(['teardown 0 at 0']);
  });
});

// Which app would await a 'finish' tick or receive a tick error is ambiguous with several running:
// the same NoCurrentAppError as shutdownWaitsFor, resource$ and serve$ (pass `app`), never a silent pick.
it('timer$ with several apps running and no app option errors with NoCurrentAppError', () => {
  const apps = [0, 1].map(() => runApp$(() => NEVER, { process: createTestProcess(), logger: false }).subscribe());
  let error: unknown;
  const subscription = timer$(1000, () => of(1)).subscribe({ error: (e: unknown) => (error = e) });
  subscription.unsubscribe();
  apps.forEach((app) => app.unsubscribe());
  expect(error).toBeInstanceOf(NoCurrentAppError);
});

const tick = () => EMPTY;

describe('timer$ validation (at call time, naming the option)', () => {
  it.each([
    [0, RangeError, /'period' must be a finite number of ms above 0/],
    [-5, RangeError, /'period'/],
    [Infinity, RangeError, /'period'/],
    [NaN, RangeError, /'period'/],
    [2 ** 31, RangeError, /'period'/],
    ['10', TypeError, /'period' must be a number of ms, got "10"/],
  ])('period %p → %p', (period, type, message) => {
    expect(() => timer$(period as number, tick)).toThrow(type);
    expect(() => timer$(period as number, tick)).toThrow(message);
  });

  it('tick must be a function', () => {
    expect(() => timer$(10, 'nope' as never)).toThrow(new TypeError(`timer$: 'tick' must be a function, got "nope"`));
  });

  it.each([
    [{ policy: 'merge' }, RangeError, /option 'policy' must be one of 'accumulate', 'cancel', 'skip', 'queue', got "merge"/],
    [{ concurrency: 0 }, RangeError, /option 'concurrency' must be a whole number from 1 up, or Infinity, got 0/],
    [{ concurrency: 1.5 }, RangeError, /option 'concurrency'/],
    [{ concurrency: '2' }, TypeError, /option 'concurrency' must be a number/],
    [{ policy: 'skip', concurrency: 2 }, TypeError, /option 'concurrency' applies only to policy 'accumulate'/],
    [{ policy: 'queue', maxQueued: -1 }, RangeError, /option 'maxQueued' must be a whole number from 0 up/],
    [{ policy: 'queue', maxQueued: NaN }, RangeError, /option 'maxQueued'/],
    [{ policy: 'skip', maxQueued: 3 }, TypeError, /option 'maxQueued' applies only to policy 'queue'/],
    [{ maxQueued: 3 }, TypeError, /option 'maxQueued' applies only/],
    [{ concurrency: Infinity, maxQueued: 3 }, TypeError, /option 'maxQueued' applies only/],
    [{ firstDelay: -1 }, RangeError, /option 'firstDelay'/],
    [{ firstDelay: Infinity }, RangeError, /option 'firstDelay'/],
    [{ missedTicks: 'catch-up' }, RangeError, /option 'missedTicks' must be one of 'skip', 'burst'/],
    [{ onStop: 'wait' }, RangeError, /option 'onStop' must be one of 'cancel', 'finish'/],
    [{ onTickError: 'ignore' }, RangeError, /option 'onTickError' must be one of 'continue', 'stop'/],
    [{ onMissed: 'log' }, TypeError, /option 'onMissed' must be a function/],
    [{ scheduler: {} }, TypeError, /option 'scheduler' must be a SchedulerLike/],
    [{ app: {} }, TypeError, /option 'app' must be the AppContext passed to main/],
    [{ name: 3 }, TypeError, /option 'name' must be a string/],
    [{ period: 3 }, TypeError, /unknown option 'period'/],
  ])('config %p → %p', (config, type, message) => {
    expect(() => timer$(10, tick, config as never)).toThrow(type);
    expect(() => timer$(10, tick, config as never)).toThrow(message);
  });

  it('config must be a plain object', () => {
    expect(() => timer$(10, tick, 5 as never)).toThrow(/timer\$: 'config' must be an object/);
  });

  it('accepts every valid combination', () => {
    expect(() => timer$(0.5, tick, { policy: 'accumulate', concurrency: 3, maxQueued: 0 })).not.toThrow();
    expect(() => timer$(10, tick, { policy: 'queue', maxQueued: Infinity, firstDelay: 0, missedTicks: 'burst', onStop: 'finish' })).not.toThrow();
    expect(() => timer$(10, tick, { policy: 'cancel', onTickError: () => undefined, onMissed: () => undefined, scheduler: asyncScheduler, name: 'x' })).not.toThrow();
    expect(() => timer$(10, tick, { onTickError: 'stop' })).not.toThrow();
  });
});
