import { NEVER, defer, mergeMap, throwError, timer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { SupervisorGaveUpError, supervise } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

describe('supervise (no app)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = newScheduler();
  });

  const boom = new Error('boom');
  /** Fails `after` frames after each subscription. */
  const failAfter = (after: number): Observable<never> => timer(after).pipe(mergeMap(() => throwError(() => boom)));

  it('restarts after exact exponential delays, then gives up after maxRestarts with SupervisorGaveUpError', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const task = cold('--#', undefined, boom);
      expectObservable(supervise(task, { name: 'w', backoff: { initial: 10, factor: 2 }, maxRestarts: 2 })).toBe(
        '36ms #',
        undefined,
        new SupervisorGaveUpError('w', 2, 60_000, boom),
      );
      // runs: 0-2, restart after 10 → 12-14, after 20 → 34-36, then give up.
      expectSubscriptions(task.subscriptions).toBe(['^-!', '12ms ^-!', '34ms ^-!']);
    });
  });

  it('caps the delay at backoff.max and passes values through', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const task = cold('a-#', undefined, boom);
      expectObservable(supervise(task, { backoff: { initial: 10, factor: 10, max: 30 }, maxRestarts: 3 })).toBe(
        'a-- 9ms a-- 29ms a-- 29ms a-#',
        undefined,
        new SupervisorGaveUpError('supervised', 3, 60_000, boom),
      );
      expectSubscriptions(task.subscriptions).toBe(['^-!', '12ms ^-!', '44ms ^-!', '76ms ^-!']);
    });
  });

  it('jitter reduces each delay by delay × jitter × random() (injected random)', () => {
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const task = cold('--#', undefined, boom);
      supervise(task, { backoff: { initial: 10, factor: 2, jitter: 0.5 }, random: () => 0.5, maxRestarts: 2 }).subscribe({ error: () => undefined });
      // 10 × (1 − 0.25) = 7.5 → 8; 20 × 0.75 = 15.
      expectSubscriptions(task.subscriptions).toBe(['^-!', '10ms ^-!', '27ms ^-!']);
    });
  });

  it('forgets restarts older than `within` (a sliding window), so slow failures never give up', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const task = cold('--#', undefined, boom);
      // Failures at 2, 14, 26, 38, …: with within 24 the restart at 2 is forgotten by 26.
      const sliding = supervise(task, { backoff: { initial: 10, factor: 1 }, maxRestarts: 2, within: 24 });
      expectObservable(sliding, '^ 60ms !').toBe('');
      expectSubscriptions(task.subscriptions).toBe(['^-!', '12ms ^-!', '24ms ^-!', '36ms ^-!', '48ms ^-!', '60ms ^!']);
    });
  });

  it('gives up when the window is one frame wider', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const task = cold('--#', undefined, boom);
      expectObservable(supervise(task, { backoff: { initial: 10, factor: 1 }, maxRestarts: 2, within: 25 })).toBe(
        '26ms #',
        undefined,
        new SupervisorGaveUpError('supervised', 2, 25, boom),
      );
    });
  });

  it('resets the backoff after a run that stayed up for resetAfter', () => {
    testScheduler.run(({ expectObservable }) => {
      let runs = 0;
      const starts: number[] = [];
      const task = defer(() => {
        runs += 1;
        starts.push(testScheduler.now());
        return runs === 2 ? failAfter(50) : runs < 4 ? failAfter(2) : NEVER;
      });
      expectObservable(supervise(task, { backoff: { initial: 10, factor: 2, resetAfter: 30 } }), '^ 100ms !').toBe('');
      testScheduler.schedule(() => {
        // run 1 fails at 2 → +10; run 2 (12-62) stayed up 50 ≥ 30 → +10 again (not 20); run 3 fails at 74 → +20.
        expect(starts).toEqual([0, 12, 72, 94]);
      }, 100);
    });
  });

  it("restart: 'always' restarts after completion too", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const task = cold('-a|');
      expectObservable(supervise(task, { restart: 'always', backoff: { initial: 5 }, maxRestarts: 1 })).toBe(
        '-a------a#',
        undefined,
        new SupervisorGaveUpError('supervised', 1, 60_000, undefined),
      );
      expectSubscriptions(task.subscriptions).toBe(['^-!', '7ms ^-!']);
    });
  });

  it("restart: 'always' gives up with a SupervisorGaveUpError whose lastError is undefined after a completion", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const task = cold('-|');
      expectObservable(supervise(task, { restart: 'always', backoff: { initial: 5 }, maxRestarts: 1 })).toBe(
        '7ms #',
        undefined,
        new SupervisorGaveUpError('supervised', 1, 60_000, undefined),
      );
    });
  });

  it("restart: 'on-error' completes when the task completes", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(supervise(cold('-a-|'))).toBe('-a-|');
    });
  });

  it("restart: 'never' passes the error through at once", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const task = cold('-a-#', undefined, boom);
      expectObservable(supervise(task, { restart: 'never' })).toBe('-a-#', undefined, boom);
      expectSubscriptions(task.subscriptions).toBe('^--!');
    });
  });

  it('maxRestarts: 0 gives up on the first failure; the error keeps the last error as cause', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(supervise(cold('-#', undefined, boom), { maxRestarts: 0 }).pipe()).toBe(
        '-#',
        undefined,
        expect.objectContaining({ name: 'SupervisorGaveUpError', cause: boom, lastError: boom, restarts: 0 }) as unknown,
      );
    });
  });

  it('unsubscribing during the backoff cancels the pending restart', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const task = cold('--#', undefined, boom);
      expectObservable(supervise(task, { backoff: { initial: 10 } }), '^----!').toBe('');
      expectSubscriptions(task.subscriptions).toBe(['^-!']);
    });
  });
});
