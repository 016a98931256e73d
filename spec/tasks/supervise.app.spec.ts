import { NEVER, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { SupervisorGaveUpError, supervise, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline } from '../support/lifecycle';

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
