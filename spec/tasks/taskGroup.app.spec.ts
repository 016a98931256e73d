import { NEVER, catchError, filter, map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { TaskGroupClosedError, shutdownWaitsFor, taskGroup, type TaskGroup } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' };

describe('taskGroup inside an app', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it("is torn down by the app's shutdown; a child protected with shutdownWaitsFor detaches and is awaited", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const plain = cold('-a-a-a-a-a-a-a-a-a-a-');
      const save = cold('  ------------|');
      let group: TaskGroup | undefined;
      const app = runTestApp((ctx) => {
        group = taskGroup({ name: 'g' });
        group.spawn(plain, { name: 'plain' });
        group.spawn(save.pipe(shutdownWaitsFor(ctx, { name: 'save' })), { name: 'save' });
        return group.done$;
      });
      app.port.signal('SIGTERM', 4);
      expectSubscriptions(plain.subscriptions).toBe('^---!');
      expectSubscriptions(save.subscriptions).toBe('^-----------!');
      // finalizing waits for the protected save (12), not for the group's cancellation (4).
      expectObservable(app.phases$).toBe('(sr)(qd) 4ms (fx|)', PHASES);
      expectObservable(app.eventsOf$('protected-pending').pipe(map((e) => e.names))).toBe('4ms a 7ms |', { a: ['save'] });
      testScheduler.schedule(() => {
        expect(group?.state).toBe('ended');
        expect(() => group?.spawn(NEVER, { name: 'late' })).toThrow(TaskGroupClosedError);
      }, 5);
    });
  });

  it('works the same when done$ is spawned with app.spawn (the protected child is awaited)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const save = cold('------------|');
      const app = runTestApp((ctx) => {
        const group = taskGroup({ name: 'g' });
        ctx.spawn(group.done$, { name: 'group' });
        group.spawn(save.pipe(shutdownWaitsFor(ctx, { name: 'save' })), { name: 'save' });
        return NEVER;
      });
      app.port.signal('SIGTERM', 4);
      expectSubscriptions(save.subscriptions).toBe('^-----------!');
      expectObservable(app.phases$).toBe('(sr)(qd) 4ms (fx|)', PHASES);
    });
  });

  it('without shutdownWaitsFor, the same child is cancelled at the shutdown', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const save = cold('------------|');
      const app = runTestApp(() => {
        const group = taskGroup({ name: 'g' });
        group.spawn(save, { name: 'save' });
        return group.done$;
      });
      app.port.signal('SIGTERM', 4);
      expectSubscriptions(save.subscriptions).toBe('^---!');
      expectObservable(app.phases$).toBe('(sr)(qdfx|)', PHASES);
    });
  });

  it('refuses spawns while the app is stopping (app-stopping)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      let refused: unknown;
      const app = runTestApp((ctx) => {
        const group = taskGroup({ name: 'g', app: ctx });
        group.spawn(NEVER, { name: 'forever' });
        ctx.onShutdown(() => {
          try {
            group.spawn(NEVER, { name: 'too-late' });
          } catch (error) {
            refused = error;
          }
          return cold('-|');
        });
        return group.done$;
      });
      app.port.signal('SIGTERM', 2);
      expectObservable(app.outcome$.pipe(map(() => refused))).toBe('3ms (e|)', {
        e: new TaskGroupClosedError('g', 'too-late', 'app-stopping'),
      });
      testScheduler.schedule(() => expect((refused as Error).message).toMatch(/taskGroup 'g' belongs to an app that is stopping; cannot spawn 'too-late'/), 4);
    });
  });

  it('a failed fail-fast group spawned into the app escalates through the task error policy', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(() => {
        const group = taskGroup({ name: 'g' });
        group.spawn(NEVER);
        group.spawn(cold('--#', undefined, boom));
        return group.done$;
      });
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.errors[0]?.source, (o.errors[0]?.error as AggregateError).errors]))).toBe('--(o|)', {
        o: ['error', 'task', [boom]],
      });
      expectObservable(app.exitCode$).toBe('--(c|)', { c: 1 });
    });
  });

  it('main may recover a failed group with catchError (the AggregateError lists every error)', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(
        () => {
          const group = taskGroup();
          group.spawn(cold('-#', undefined, boom));
          return group.done$.pipe(catchError(() => of('recovered')));
        },
        { until: 'main-complete' },
      );
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('-(o|)', { o: 'ok' });
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopped'))).toBe('-(x|)', { x: 'stopped' });
    });
  });
});
