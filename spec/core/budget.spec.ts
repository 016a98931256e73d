import { NEVER, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { shutdownWaitsFor, type LifecycleEvent } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline } from '../support/lifecycle';

describe("the shutdown budget ('shutdownTimeout')", () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('cuts off pending protected work at exactly the budget frame, unsubscribes it, and names it', () => {
    let events: LifecycleEvent[] = [];
    let finalized = false;
    testScheduler.run(({ cold, expectSubscriptions, expectObservable }) => {
      const work = cold('-a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-|');
      const app = runTestApp(
        (ctx) => {
          ctx.defer(() => void (finalized = true), { name: 'close-db' });
          return work.pipe(shutdownWaitsFor(ctx, { name: 'save' }));
        },
        { shutdownTimeout: 20 },
      );
      events = collect(app.events$);
      app.port.signal('SIGTERM', 5);
      expectSubscriptions(work.subscriptions).toBe('^ 24ms !');
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('25ms (t|)', { t: 'timeout' });
    });
    expect(finalized).toBe(false);
    expect(timeline(events).slice(-3)).toEqual(['25 timeout:draining', '25 phase:stopped', '25 stopped:timeout']);
    expect(outcomeOf(events).report).toEqual({
      cause: 'timeout',
      phase: 'draining',
      budgetMs: 20,
      pending: [
        { kind: 'finalizer', name: 'close-db', state: 'skipped' },
        { kind: 'protected', name: 'save', state: 'running' },
      ],
      activeHandles: [],
    });
    expect(outcomeOf(events).shutdownMs).toBe(20);
  });

  it('cuts off a never-ending hook: the hook is running, tasks too, and later hooks and finalizers are skipped', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const hook = cold('-');
      const task = cold('-');
      const app = runTestApp(
        (ctx) => {
          ctx.onShutdown(() => hook, { name: 'stuck-hook' });
          ctx.onShutdown(() => cold('|'), { name: 'next-hook' });
          ctx.defer(() => cold('|'), { name: 'fin' });
          ctx.spawn(task, { name: 'http' });
          return NEVER;
        },
        { shutdownTimeout: 100 },
      );
      events = collect(app.events$);
      app.port.signal('SIGTERM', 10);
      expectSubscriptions(hook.subscriptions).toBe('10ms ^ 99ms !');
      expectSubscriptions(task.subscriptions).toBe('^ 109ms !');
    });
    const outcome = outcomeOf(events);
    expect(outcome.status).toBe('timeout');
    expect(outcome.report).toMatchObject({
      phase: 'stopping',
      pending: [
        { kind: 'task', name: 'http', state: 'running' },
        { kind: 'task', name: 'main', state: 'running' },
        { kind: 'hook', name: 'stuck-hook', state: 'running' },
        { kind: 'hook', name: 'next-hook', state: 'skipped' },
        { kind: 'finalizer', name: 'fin', state: 'skipped' },
      ],
    });
    expect(timeline(events)).toContain('110 timeout:stopping');
  });

  it('cuts off a never-ending finalizer: it is running, the rest are skipped', () => {
    let events: LifecycleEvent[] = [];
    const pool = { name: 'pool', close: () => undefined };
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const stuck = cold('-');
      const app = runTestApp(
        (ctx) => {
          ctx.defer(() => cold('|'), { name: 'first-registered' });
          ctx.defer(() => stuck, { name: 'stuck' });
          return NEVER;
        },
        { shutdownTimeout: 30, executors: [pool] },
      );
      events = collect(app.events$);
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(stuck.subscriptions).toBe('-^ 29ms !');
    });
    expect(outcomeOf(events).report).toMatchObject({
      cause: 'timeout',
      phase: 'finalizing',
      pending: [
        { kind: 'finalizer', name: 'stuck', state: 'running' },
        { kind: 'finalizer', name: 'first-registered', state: 'skipped' },
        { kind: 'executor', name: 'pool', state: 'skipped' },
      ],
    });
  });

  it('names the active handles opened since start (port.resources) in the report and the outcome', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const port = createTestProcess();
      port.resources = ['PipeWrap']; // the baseline, read when the app starts
      const app = runTestApp(
        (ctx) => {
          ctx.onShutdown(() => cold('-'), { name: 'stuck' });
          return NEVER;
        },
        { shutdownTimeout: 10, process: port },
      );
      events = collect(app.events$);
      app.port.resources = ['PipeWrap', 'TCPServerWrap', 'FSReqCallback'];
      app.port.signal('SIGTERM', 1);
    });
    const outcome = outcomeOf(events);
    expect(outcome.report?.activeHandles).toEqual(['TCPServerWrap', 'FSReqCallback']);
    expect(outcome.openHandles).toEqual(['TCPServerWrap', 'FSReqCallback']);
  });

  it('does not fire when shutdown finishes within the budget', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(
        (ctx) => {
          ctx.onShutdown(() => cold('---------|'));
          return NEVER;
        },
        { shutdownTimeout: 10 },
      );
      app.port.signal('SIGTERM', 1);
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.report]))).toBe('10ms (o|)', { o: ['ok', undefined] });
    });
  });
});
