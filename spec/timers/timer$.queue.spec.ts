import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { TimerQueueOverflowError, timer$, type TimerMiss } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

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
