import { NEVER, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { taskGroup } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

describe('taskGroup (persistent)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('hands each error to onError and keeps the siblings running; done$ completes after close() once they ended', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const seen: unknown[] = [];
      const group = taskGroup({ name: 'g', mode: 'persistent', onError: (error, task) => seen.push([task, error, testScheduler.now()]) });
      const a = cold('--a--a--a--a--a--|');
      const b = cold('------#', undefined, boom);
      group.spawn(a, { name: 'a' });
      group.spawn(b, { name: 'b' });
      testScheduler.schedule(() => group.close(), 9);
      expectObservable(group.done$).toBe('-----------------|');
      expectSubscriptions(a.subscriptions).toBe('^----------------!');
      expectSubscriptions(b.subscriptions).toBe('^-----!');
      testScheduler.schedule(() => expect(seen).toEqual([['b', boom, 6]]), 7);
    });
  });

  it('does not end when every child ended, only after close()', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const group = taskGroup({ mode: 'persistent' });
      group.spawn(cold('-|'));
      testScheduler.schedule(() => group.spawn(cold('--|')), 5);
      testScheduler.schedule(() => group.close(), 10);
      expectObservable(group.done$).toBe('----------|');
    });
  });

  it('refuses spawns once closed (closing), naming the group and the task', () => {
    testScheduler.run(({ cold }) => {
      const group = taskGroup({ name: 'pool', mode: 'persistent' });
      group.spawn(cold('-----|'));
      group.done$.subscribe();
      group.close();
      expect(group.state).toBe('closing');
      expect(() => group.spawn(NEVER, { name: 'x' })).toThrow(/taskGroup 'pool' is closed.*cannot spawn 'x'/);
    });
  });

  it('without onError, reports child errors to the app (source "group") and the app keeps running', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const sibling = cold('-s-s-s-s-s-s-s-s-');
      const app = runTestApp(() => {
        const group = taskGroup({ name: 'g', mode: 'persistent' });
        group.spawn(cold('---#', undefined, boom), { name: 'flaky' });
        group.spawn(sibling, { name: 'steady' });
        return group.done$;
      });
      app.port.signal('SIGTERM', 10);
      expectSubscriptions(sibling.subscriptions).toBe('^---------!');
      expectObservable(app.phases$.pipe(map((phase) => phase[0]))).toBe('(sr)------(sdfs|)');
      expectObservable(app.outcome$.pipe(map((o) => o.errors))).toBe('10ms (e|)', { e: [{ source: 'group', name: 'g/flaky', error: boom }] });
    });
  });

  it('without onError and without an app, logs child errors with console.error', () => {
    const boom = new Error('boom');
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      testScheduler.run(({ cold }) => {
        const group = taskGroup({ name: 'g', mode: 'persistent' });
        group.spawn(cold('-#', undefined, boom), { name: 'x' });
        group.done$.subscribe();
      });
      expect(spy).toHaveBeenCalledWith("rxrun: taskGroup 'g': task 'x' failed:", boom);
    } finally {
      spy.mockRestore();
    }
  });

  it('reports an error thrown by onError to the app', () => {
    const boom = new Error('boom');
    const broken = new Error('onError broke');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(() => {
        const group = taskGroup({ name: 'g', mode: 'persistent', onError: () => { throw broken; } });
        group.spawn(cold('-#', undefined, boom), { name: 'x' });
        return group.done$;
      });
      app.port.signal('SIGTERM', 3);
      expectObservable(app.outcome$.pipe(map((o) => o.errors))).toBe('3ms (e|)', { e: [{ source: 'group', name: 'g/x', error: broken }] });
    });
  });
});
