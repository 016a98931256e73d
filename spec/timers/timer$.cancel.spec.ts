import { Observable, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { timer$ } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

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
    const aborted: number[] = [];
    testScheduler.run(({ cold }) => {
      const subscription = timer$(
        4,
        (n, _at, signal) => {
          signal.addEventListener('abort', () => aborted.push(n));
          return n === 1 ? cold('-|') : cold('a-----b|');
        },
        { policy: 'cancel' },
      ).subscribe();
      testScheduler.schedule(() => subscription.unsubscribe(), 10);
    });
    // tick 0 cancelled at 4; tick 1 ended by itself at 5; tick 2 torn down by the unsubscription at 10
    expect(aborted).toEqual([0, 2]);
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
