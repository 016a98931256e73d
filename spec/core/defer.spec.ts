import { NEVER, defer, filter, map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { StepTimeoutError, shutdownWaitsFor, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, timeline, virtualPromise } from '../support/lifecycle';

const isStep = (e: LifecycleEvent) =>
  e.type === 'finalizer-start' || e.type === 'finalizer-end' || e.type === 'finalizer-failed' || e.type === 'protected-drained';

describe('app.defer finalizers and executors', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('runs finalizers last-in first-out, one at a time, after protected work drained', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('    -----|');
      const first = cold('        --|');
      const second = cold('      -|');
      const app = runTestApp((ctx) => {
        ctx.defer(() => first, { name: 'first' });
        ctx.defer(() => second, { name: 'second' });
        return [NEVER, work.pipe(shutdownWaitsFor(ctx, { name: 'save' }))];
      });
      app.port.signal('SIGTERM', 2);
      events = collect(app.events$.pipe(filter(isStep)));
      // protected work ends at 5; second runs 5 → 6, first 6 → 8
      expectSubscriptions(second.subscriptions).toBe('-----^!');
      expectSubscriptions(first.subscriptions).toBe(' ------^-!');
    });
    expect(timeline(events)).toEqual([
      '5 protected-drained',
      '5 finalizer-start:second',
      '6 finalizer-end:second',
      '6 finalizer-start:first',
      '8 finalizer-end:first',
    ]);
  });

  it('closes executors (close() or destroy()) after every app.defer finalizer and awaits them', () => {
    const calls: string[] = [];
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const pool = { name: 'pool', close: () => (calls.push('pool.close'), virtualPromise(testScheduler, 3)) };
      const client = { destroy: () => void calls.push('client.destroy') };
      const app = runTestApp(
        (ctx) => {
          ctx.defer(() => (calls.push('defer'), cold('-|')), { name: 'defer' });
          return NEVER;
        },
        { executors: [client, pool] },
      );
      app.port.signal('SIGTERM', 1);
      events = collect(app.events$.pipe(filter(isStep)));
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopped'))).toBe('-----(x|)', { x: 'stopped' });
    });
    expect(calls).toEqual(['defer', 'pool.close', 'client.destroy']);
    expect(events.map((e) => `${e.at} ${e.type} ${'kind' in e ? e.kind : ''} ${'name' in e ? e.name : ''}`)).toEqual([
      '1 finalizer-start finalizer defer',
      '2 finalizer-end finalizer defer',
      '2 finalizer-start executor pool',
      '5 finalizer-end executor pool',
      '5 finalizer-start executor executor#1',
      '5 finalizer-end executor executor#1',
    ]);
  });

  it('runs a finalizer registered while finalizing next, before the ones still queued', () => {
    const order: string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((ctx) => {
        ctx.defer(() => void order.push('registered first'));
        ctx.defer(() =>
          defer(() => {
            order.push('registered second');
            ctx.defer(() => (order.push('late'), of(1)), { name: 'late' });
            return cold('--|');
          }),
        );
        return NEVER;
      });
      app.port.signal('SIGTERM', 3);
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopped'))).toBe('-----(x|)', { x: 'stopped' });
    });
    expect(order).toEqual(['registered second', 'late', 'registered first']);
  });

  it('bounds a finalizer by its own timeout and reports a failing one, then goes on with the rest', () => {
    const boom = new Error('close failed');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const stuck = cold('-------------|');
      const last = cold('-|');
      const app = runTestApp((ctx) => {
        ctx.defer(() => last, { name: 'last' });
        ctx.defer(() => stuck, { name: 'stuck', timeout: 4 });
        ctx.defer(() => cold('-#', undefined, boom), { name: 'failing' });
        return NEVER;
      });
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(stuck.subscriptions).toBe('--^---!');
      expectSubscriptions(last.subscriptions).toBe(' ------^!');
      expectObservable(app.outcome$.pipe(map((o) => o.errors.map((r) => [r.source, r.name, r.error])))).toBe('-------(o|)', {
        o: [
          ['finalizer', 'failing', boom],
          ['finalizer', 'stuck', expect.any(StepTimeoutError)],
        ],
      });
    });
  });

  it('runs finalizers registered during stopping, and refuses none of them', () => {
    let ran = false;
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => {
          ctx.defer(() => void (ran = true), { name: 'from-hook' });
          return cold('-|');
        });
        return NEVER;
      });
      app.port.signal('SIGTERM', 1);
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('--(s|)', { s: 'ok' });
    });
    expect(ran).toBe(true);
  });

  it('reports an executor that fails with source executor, and still closes the others', () => {
    const boom = new Error('pool stuck');
    let closed = false;
    testScheduler.run(({ expectObservable }) => {
      const broken = {
        name: 'broken',
        close: () => {
          throw boom;
        },
      };
      const fine = { name: 'fine', destroy: () => void (closed = true) };
      const app = runTestApp(NEVER, { executors: [fine, broken] });
      app.port.signal('SIGTERM', 1);
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.errors]))).toBe('-(o|)', {
        o: ['error', [{ source: 'executor', name: 'broken', error: boom }]],
      });
    });
    expect(closed).toBe(true);
  });
});
