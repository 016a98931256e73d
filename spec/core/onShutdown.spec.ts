import { NEVER, Subject, filter, map, tap, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { StepTimeoutError, runApp$, type LifecycleEvent } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { label, newScheduler, timeline } from '../support/lifecycle';

describe('app.onShutdown', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('runs while every task is alive: a task keeps emitting during the hook and is torn down after it', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const task = hot('  -a-b-c-d-e-f-g-h-i-j-k-l-');
      const taskSubs = '  ^-----------!            ';
      const seen = '      -a-b-c-d-e-f-            ';
      const seen$ = new Subject<string>();
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('----|'), { name: 'flush' });
        return task.pipe(tap((value) => seen$.next(value)));
      });
      app.port.signal('SIGTERM', 8); // hook runs 8 → 12: e and f are emitted during it
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopping' || p === 'draining'))).toBe('8ms q---(d|)', {
        q: 'stopping',
        d: 'draining',
      });
      expectObservable(seen$).toBe(seen);
      expectSubscriptions(task.subscriptions).toBe(taskSubs);
    });
  });

  it('runs hooks one after another in registration order', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('  ---|');
      const second = cold('   ----|');
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => first, { name: 'first' });
        ctx.onShutdown(() => second, { name: 'second' });
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
      const hooks$ = app.events$.pipe(filter((e) => e.type.startsWith('hook-')), map(label));
      expectObservable(hooks$).toBe('--a--(bc)(e|)', {
        a: 'hook-start:first',
        b: 'hook-end:first',
        c: 'hook-start:second',
        e: 'hook-end:second',
      });
      expectSubscriptions(first.subscriptions).toBe('  --^--!');
      expectSubscriptions(second.subscriptions).toBe(' -----^---!');
    });
  });

  it("cuts a hook off at its own timeout with a StepTimeoutError, then shutdown goes on", () => {
    const events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const slow = cold('----------|');
      const port = createTestProcess();
      port.signal('SIGTERM', 5);
      runApp$(
        (app) => {
          app.onShutdown(() => slow, { name: 'slow', timeout: 3 });
          app.onShutdown(() => cold('-|'), { name: 'next' });
          return NEVER;
        },
        { process: port, logger: false },
      ).subscribe((event) => events.push(event));
      expectSubscriptions(slow.subscriptions).toBe('-----^--!');
    });
    expect(timeline(events).slice(2)).toEqual([
      '0 ready-sent',
      '5 shutdown-requested:SIGTERM',
      '5 phase:stopping',
      '5 hook-start:slow',
      '8 error:hook:slow',
      '8 hook-failed:slow',
      '8 hook-start:next',
      '9 hook-end:next',
      '9 phase:draining',
      '9 tasks-cancelled:1',
      '9 phase:finalizing',
      '9 finalizers-start:0',
      '9 phase:stopped',
      '9 stopped:error',
    ]);
    const outcome = (events[events.length - 1] as Extract<LifecycleEvent, { type: 'stopped' }>).outcome;
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ source: 'hook', name: 'slow' });
    expect(outcome.error).toBeInstanceOf(StepTimeoutError);
    expect(outcome.error).toMatchObject({ name: 'StepTimeoutError', kind: 'hook', stepName: 'slow', timeoutMs: 3 });
  });

  it('reports a hook that throws synchronously and a hook whose observable errors, in the outcome and the event stream', () => {
    const boomSync = new Error('sync');
    const boomAsync = new Error('async');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((ctx) => {
        ctx.onShutdown(
          () => {
            throw boomSync;
          },
          { name: 'throws' },
        );
        ctx.onShutdown(() => cold('--#', undefined, boomAsync), { name: 'errors' });
        ctx.onShutdown(() => throwError(() => 'not an Error'), { name: 'plain' });
        return NEVER;
      });
      app.port.signal('SIGTERM', 1);
      const failures$ = app.events$.pipe(
        filter((e) => e.type === 'hook-failed'),
        map((e) => ('error' in e ? e.error : undefined)),
      );
      expectObservable(failures$).toBe('-a-(bc|)', { a: boomSync, b: boomAsync, c: 'not an Error' });
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.errors]))).toBe('---(o|)', {
        o: [
          'error',
          [
            { source: 'hook', name: 'throws', error: boomSync },
            { source: 'hook', name: 'errors', error: boomAsync },
            { source: 'hook', name: 'plain', error: 'not an Error' },
          ],
        ],
      });
    });
  });

  it('does not turn a hook error into a new shutdown request', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('#'), { name: 'bad' });
        return NEVER;
      });
      app.port.signal('SIGTERM', 1);
      expectObservable(app.outcome$.pipe(map((o) => [o.reason, o.laterReasons]))).toBe('-(o|)', {
        o: [{ kind: 'signal', signal: 'SIGTERM' }, []],
      });
    });
  });
});
