import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { timer$, type TimerMiss } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

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
    const misses: TimerMiss[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('a-----b|');
      const out$ = timer$(4, (n, at) => work.pipe(map((v) => `${v}${n}@${at}`)), { policy: 'skip', onMissed: (m) => misses.push(m) });
      expectObservable(out$, '^ 17ms !').toBe('a-----b-c-----d-e-', { a: 'a0@0', b: 'b0@0', c: 'a2@8', d: 'b2@8', e: 'a4@16' });
      expectSubscriptions(work.subscriptions).toBe(['^------!', '--------^------!', '----------------^-!']);
    });
    expect(misses).toEqual([
      { reason: 'skipped', n: 1, count: 1, scheduledAt: 4, totals: { skipped: 1, overflow: 0, late: 0 } },
      { reason: 'skipped', n: 3, count: 1, scheduledAt: 12, totals: { skipped: 2, overflow: 0, late: 0 } },
    ]);
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
