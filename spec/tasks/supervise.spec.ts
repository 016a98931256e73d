import { NEVER, defer, mergeMap, throwError, timer, Observable, map, filter, queueScheduler, take, takeUntil } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { SupervisorGaveUpError, supervise, type LifecycleEvent, shutdownWaitsFor } from 'rxrun';
import { newScheduler, collect, outcomeOf, timeline } from '../support/lifecycle';
import { runTestApp } from 'rxrun/testing';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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

const restarts = (events: readonly LifecycleEvent[]) =>
  events.flatMap((e) => (e.type === 'task-restart' ? [[e.at, e.name, e.attempt, e.delayMs, e.error]] : []));

describe('supervise inside an app', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = newScheduler();
  });
  const boom = new Error('boom');

  it('emits task-restart events, then task-gave-up, and the give-up escalates (outcome error, exit code 1)', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(() => [NEVER, supervise(cold('--#', undefined, boom), { name: 'worker', backoff: { initial: 10 }, maxRestarts: 2 })]);
      events = collect(app.events$);
      expectObservable(app.exitCode$).toBe('36ms (c|)', { c: 1 });
    });
    expect(restarts(events)).toEqual([
      [2, 'worker', 1, 10, boom],
      [14, 'worker', 2, 20, boom],
    ]);
    expect(timeline(events).filter((line) => /task-|error:|shutdown-requested/.test(line))).toEqual([
      '2 task-restart:worker:1',
      '14 task-restart:worker:2',
      '36 task-gave-up:worker',
      '36 error:task:main[1]',
      '36 shutdown-requested:error',
    ]);
    const gaveUp = events.find((e) => e.type === 'task-gave-up');
    expect(gaveUp).toEqual({ type: 'task-gave-up', name: 'worker', restarts: 2, error: boom, at: 36 });
    const outcome = outcomeOf(events);
    expect(outcome.status).toBe('error');
    expect(outcome.errors[0]?.error).toBeInstanceOf(SupervisorGaveUpError);
    expect((outcome.errors[0]?.error as Error).cause).toBe(boom);
  });

  it("under onTaskError: 'isolate' a give-up is reported and the app keeps running", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(() => [NEVER, supervise(cold('-#', undefined, boom), { backoff: { initial: 1 }, maxRestarts: 1 })], { onTaskError: 'isolate' });
      app.port.signal('SIGTERM', 20);
      expectObservable(app.eventsOf$('task-gave-up').pipe(map((e) => e.at))).toBe('3ms a 16ms |', { a: 3 });
      expectObservable(app.outcome$.pipe(map((o) => o.reason.kind))).toBe('20ms (s|)', { s: 'signal' });
    });
  });

  it('never restarts once shutdown began: a pending restart completes at the shutdown', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const task = cold('--#', undefined, boom);
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('----------|'));
        return [NEVER, supervise(task, { name: 'w', backoff: { initial: 10 } })];
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 5);
      // The restart due at 12 never happens although tasks live until the hook ends (15).
      expectSubscriptions(task.subscriptions).toBe(['^-!']);
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('15ms (o|)', { o: 'ok' });
    });
    expect(restarts(events)).toEqual([[2, 'w', 1, 10, boom]]);
  });

  it('an error during shutdown is not restarted: it passes through (and is reported)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const task = cold('------#', undefined, boom);
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('----------|'));
        return [NEVER, supervise(task, { name: 'w', backoff: { initial: 1 } })];
      });
      app.port.signal('SIGTERM', 3);
      expectSubscriptions(task.subscriptions).toBe('^-----!');
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.errors.map((r) => r.error)]))).toBe('13ms (o|)', { o: ['error', [boom]] });
    });
  });

  it("restart: 'always' completes (no restart) when the run completes during shutdown", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const task = cold('------|');
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('----------|'));
        return [NEVER, supervise(task, { restart: 'always' })];
      });
      app.port.signal('SIGTERM', 3);
      expectSubscriptions(task.subscriptions).toBe('^-----!');
      expectObservable(app.eventsOf$('task-restart')).toBe('13ms |');
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('13ms (o|)', { o: 'ok' });
    });
  });
});

const delaysOf = (events: readonly LifecycleEvent[]) => events.flatMap((e) => (e.type === 'task-restart' ? [e.delayMs] : []));

describe('supervise edge cases', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = newScheduler();
  });
  const boom = new Error('boom');

  it('a consumer leaving during a synchronous emission stops the run at once', () => {
    let sent = 0;
    const source = new Observable<number>((subscriber) => {
      for (let i = 0; i < 1000 && !subscriber.closed; i += 1) {
        sent += 1;
        subscriber.next(i);
      }
    });
    const values: number[] = [];
    supervise(source).pipe(take(2)).subscribe((value) => values.push(value));
    expect(values).toEqual([0, 1]);
    expect(sent).toBe(2);
  });

  it('a consumer leaving on the task-restart event (synchronously) leaves no pending restart behind', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const task = cold('--#', undefined, boom);
      const app = runTestApp((ctx) => {
        const restarted$ = ctx.events$.pipe(filter((e) => e.type === 'task-restart'));
        return [NEVER, supervise(task, { name: 'w', backoff: { initial: 3 } }).pipe(takeUntil(restarted$))];
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 30);
      expectSubscriptions(task.subscriptions).toBe(['^-!']);
    });
    expect(events.filter((e) => e.type === 'task-restart')).toHaveLength(1);
  });

  it('backoff initial 0 stays 0 after 1,100 synchronous failures (no NaN from 0 × Infinity, no stack overflow)', () => {
    let events: LifecycleEvent[] = [];
    let runs = 0;
    testScheduler.run(({ expectObservable }) => {
      const task = defer(() => {
        runs += 1;
        return runs <= 1100 ? throwError(() => boom) : NEVER;
      });
      const app = runTestApp(() => supervise(task, { name: 'w', backoff: { initial: 0, factor: 2 }, maxRestarts: Infinity }));
      events = collect(app.events$);
      app.port.signal('SIGTERM', 5);
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('5ms (o|)', { o: 'ok' });
    });
    expect(runs).toBe(1101);
    const delays = delaysOf(events);
    expect(delays).toHaveLength(1100);
    expect(delays.every((delay) => delay === 0)).toBe(true);
  });

  it('huge attempt counts keep the delay at backoff.max (no overflow), with and without jitter', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp(() => [
        supervise(throwError(() => boom), { name: 'a', backoff: { initial: 1, factor: 1e6, max: 7 }, maxRestarts: Infinity }),
        supervise(throwError(() => boom), { name: 'b', backoff: { initial: 1, factor: 10, max: 8, jitter: 1 }, random: () => 0.5, maxRestarts: Infinity }),
      ]);
      events = collect(app.events$);
      app.port.signal('SIGTERM', 2000);
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('2000ms (o|)', { o: 'ok' });
    });
    const of = (name: string) => events.flatMap((e) => (e.type === 'task-restart' && e.name === name ? [e.delayMs] : []));
    expect(of('a').slice(0, 3)).toEqual([1, 7, 7]);
    expect(of('a').length).toBeGreaterThan(250);
    expect(of('a').every((d) => d === 1 || d === 7)).toBe(true);
    expect(of('b').slice(0, 3)).toEqual([1, 4, 4]); // 1 × 0.5 → 0.5 → 1 (rounded); 8 × 0.5 = 4
    expect(of('b').every((d) => Number.isFinite(d))).toBe(true);
  });

  it('a throwing random() fails the supervised observable with that error instead of stalling', () => {
    const broken = new Error('random broke');
    testScheduler.run(({ cold, expectObservable }) => {
      const task = cold('-#', undefined, boom);
      expectObservable(supervise(task, { backoff: { jitter: 0.5 }, random: () => { throw broken; } })).toBe('-#', undefined, broken);
    });
  });

  it('with a scheduler that runs due work synchronously, a restarted run is not cut short at the shutdown request', () => {
    testScheduler.run(({ cold, expectSubscriptions, expectObservable }) => {
      const second = cold('-a-a-a-a-a-a-a-a-a-a-a-a-a-a-');
      let runs = 0;
      const task = defer(() => (++runs === 1 ? throwError(() => boom) : second));
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('-----|'));
        return supervise(task, { name: 'w', backoff: { initial: 0 }, scheduler: queueScheduler });
      });
      app.port.signal('SIGTERM', 4);
      // The run lives until the root is torn down after the hook (draining at 9), not until the request (4).
      expectSubscriptions(second.subscriptions).toBe('^--------!');
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('9ms (o|)', { o: 'ok' });
    });
  });

  it('a run protected with shutdownWaitsFor detaches at the shutdown, is awaited, and its later failure is reported, not restarted', () => {
    testScheduler.run(({ cold, expectSubscriptions, expectObservable }) => {
      const task = cold('--------#', undefined, boom);
      const app = runTestApp((ctx) => supervise(task.pipe(shutdownWaitsFor(ctx, { name: 'save' })), { name: 'w', backoff: { initial: 1 } }));
      app.port.signal('SIGTERM', 3);
      expectSubscriptions(task.subscriptions).toBe('^-------!');
      expectObservable(app.outcome$.pipe(map((o) => o.errors.map((r) => [r.source, r.name, r.error])))).toBe('8ms (e|)', {
        e: [['protected', 'save', boom]],
      });
      expectObservable(app.eventsOf$('task-restart')).toBe('8ms |');
    });
  });

  it('10,000 restarts keep no ended run reachable', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const refs: WeakRef<object>[] = [];
    const task = defer(() => {
      // A fresh object per run: if the supervisor kept a run (or its subscription), its WeakRef would stay alive.
      const run = refs.length < 10_000 ? throwError(() => boom) : NEVER;
      refs.push(new WeakRef(run));
      return run;
    });
    const subscription = supervise(task, { backoff: { initial: 0 }, maxRestarts: Infinity, scheduler: queueScheduler }).subscribe();
    expect(refs).toHaveLength(10_001);
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
    expect(refs.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(1);
    subscription.unsubscribe();
  });
});
