import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { timer$, type TimerMiss } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

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
