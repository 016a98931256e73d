import { NEVER, finalize, map, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { shutdownWaitsFor, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline } from '../support/lifecycle';

const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' };

describe('errors (DESIGN §4)', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it("onTaskError 'shutdown' (default): a task error starts a graceful shutdown; outcome status 'error'", () => {
    const boom = new Error('boom');
    let events: LifecycleEvent[] = [];
    let finalized = false;
    testScheduler.run(({ cold, hot, expectSubscriptions }) => {
      const sibling = hot('-a-b-c-d-e-f-g-');
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('--|'), { name: 'hook' });
        ctx.defer(() => void (finalized = true));
        return [sibling, cold('----#', undefined, boom)];
      });
      events = collect(app.events$);
      // the sibling lives through the hook (4 → 6), then is torn down
      expectSubscriptions(sibling.subscriptions).toBe('^-----!');
    });
    expect(timeline(events).slice(2, 7)).toEqual(['0 ready-sent', '4 error:task:main[1]', '4 shutdown-requested:error', '4 phase:stopping', '4 hook-start:hook']);
    expect(finalized).toBe(true);
    expect(outcomeOf(events)).toMatchObject({
      status: 'error',
      reason: { kind: 'error', error: boom },
      error: boom,
      errors: [{ source: 'task', name: 'main[1]', error: boom }],
    });
  });

  it("onTaskError 'isolate': siblings keep running, the error is still in the outcome", () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const sibling = hot('-a-b-c-d-e-f-g-');
      const app = runTestApp([sibling, cold('--#', undefined, boom)], { onTaskError: 'isolate' });
      app.port.signal('SIGTERM', 10);
      expectObservable(app.phases$).toBe('(sr) 6ms (qdfx|)', PHASES);
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.reason, o.errors]))).toBe('10ms (o|)', {
        o: ['error', { kind: 'signal', signal: 'SIGTERM' }, [{ source: 'task', name: 'main[1]', error: boom }]],
      });
      expectSubscriptions(sibling.subscriptions).toBe('^---------!');
    });
  });

  it('keeps every error, in order; the first is outcome.error and none replaces another', () => {
    const errors = [new Error('task 1'), new Error('task 2'), new Error('hook'), new Error('finalizer')];
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp(
        (ctx) => {
          ctx.onShutdown(() => cold('-#', undefined, errors[2]), { name: 'h' });
          ctx.defer(() => cold('-#', undefined, errors[3]), { name: 'f' });
          return [cold('--#', undefined, errors[0]), cold('---#', undefined, errors[1]), NEVER];
        },
        { onTaskError: 'isolate' },
      );
      events = collect(app.events$);
      app.port.signal('SIGTERM', 5);
    });
    const outcome = outcomeOf(events);
    expect(outcome.error).toBe(errors[0]);
    expect(outcome.errors.map((r) => [r.source, r.error])).toEqual([
      ['task', errors[0]],
      ['task', errors[1]],
      ['hook', errors[2]],
      ['finalizer', errors[3]],
    ]);
    expect(timeline(events).filter((line) => line.includes(' error:'))).toEqual([
      '2 error:task:main[0]',
      '3 error:task:main[1]',
      '6 error:hook:h',
      '7 error:finalizer:f',
    ]);
  });

  it("'isolate' with until 'main-complete': the last task failing stops the app as main-complete, error kept", () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp([cold('--|'), cold('----#', undefined, boom)], { onTaskError: 'isolate', until: 'main-complete' });
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.reason, o.errors]))).toBe('4ms (o|)', {
        o: ['error', { kind: 'main-complete' }, [{ source: 'task', name: 'main[1]', error: boom }]],
      });
    });
  });

  it('handles a task that errors synchronously while starting', () => {
    const boom = new Error('at once');
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp([throwError(() => boom), NEVER]);
      expectObservable(app.phases$).toBe('(srqdfx|)', PHASES);
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.reason]))).toBe('(o|)', { o: ['error', { kind: 'error', error: boom }] });
    });
  });

  it("reports errors thrown in teardown (a task's finalize throwing) with source 'teardown'", () => {
    const boom = new Error('teardown failed');
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ hot }) => {
      const app = runTestApp([
        hot('-a-').pipe(
          finalize(() => {
            throw boom;
          }),
        ),
        NEVER,
      ]);
      events = collect(app.events$);
      app.port.signal('SIGTERM', 3);
    });
    expect(timeline(events)).toContain('3 error:teardown');
    expect(outcomeOf(events)).toMatchObject({ status: 'error', errors: [{ source: 'teardown', error: boom }] });
  });

  it('reports the error of detached protected work', () => {
    const boom = new Error('write failed');
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => cold('------#', undefined, boom).pipe(shutdownWaitsFor(ctx, { name: 'write' })));
      events = collect(app.events$);
      app.port.signal('SIGTERM', 2);
    });
    expect(timeline(events)).toEqual(expect.arrayContaining(['2 protected-pending:write', '6 error:protected:write']));
    expect(outcomeOf(events)).toMatchObject({ status: 'error', reason: { kind: 'signal' }, errors: [{ source: 'protected', name: 'write', error: boom }] });
  });

  it('turns a main factory that throws into an error outcome', () => {
    const boom = new Error('bad main');
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp(() => {
        throw boom;
      });
      expectObservable(app.phases$).toBe('(srqdfx|)', PHASES);
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.reason, o.errors]))).toBe('(o|)', {
        o: ['error', { kind: 'error', error: boom }, [{ source: 'main', name: 'main', error: boom }]],
      });
    });
  });

  it('turns a main factory that returns a non-observable into an error outcome naming main', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const app = runTestApp(() => 42 as never);
      events = collect(app.events$);
    });
    const outcome = outcomeOf(events);
    expect(outcome.status).toBe('error');
    expect(outcome.errors[0]).toMatchObject({ source: 'main', name: 'main' });
    expect(outcome.error).toBeInstanceOf(TypeError);
  });

  it.each(['uncaughtException', 'unhandledRejection'] as const)('handles a process %s under the task error policy', (kind) => {
    const boom = new Error(kind);
    testScheduler.run(({ expectObservable }) => {
      const stopping = runTestApp(NEVER);
      stopping.port.crash(boom, 3, kind);
      expectObservable(stopping.outcome$.pipe(map((o) => [o.status, o.reason, o.errors]))).toBe('3ms (o|)', {
        o: ['error', { kind: 'error', error: boom }, [{ source: kind, error: boom }]],
      });
      const isolating = runTestApp(NEVER, { onTaskError: 'isolate' });
      isolating.port.crash(boom, 3, kind);
      isolating.port.signal('SIGTERM', 8);
      expectObservable(isolating.outcome$.pipe(map((o) => [o.status, o.reason?.kind, o.errors]))).toBe('8ms (o|)', {
        o: ['error', 'signal', [{ source: kind, error: boom }]],
      });
    });
  });

  it('ignores process errors with handleProcessErrors: false (no listener installed)', () => {
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp(NEVER, { handleProcessErrors: false });
      app.port.crash(new Error('not ours'), 2);
      app.port.crash(new Error('not ours'), 2, 'unhandledRejection');
      app.port.signal('SIGTERM', 5);
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.errors]))).toBe('5ms (o|)', { o: ['ok', []] });
    });
  });
});
