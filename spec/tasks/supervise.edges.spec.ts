import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NEVER, Observable, defer, filter, map, queueScheduler, take, takeUntil, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { shutdownWaitsFor, supervise, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler } from '../support/lifecycle';

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
