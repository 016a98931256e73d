import { take, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { timer$, type TimerMiss } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

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
