import { NEVER, Subject, filter, map, take, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { NoCurrentAppError, untilShutdown } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler } from '../support/lifecycle';

describe('untilShutdown', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('completes the source at the stopping frame, while hooks still run', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d-e-f-g-');
      const sourceSubs = '^------!        ';
      const expected = '  -a-b-c-|        ';
      const out$ = new Subject<string>();
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('----|'));
        return [source.pipe(untilShutdown(ctx), tap(out$)), NEVER];
      });
      app.port.signal('SIGTERM', 7);
      collect(app.events$);
      expectObservable(out$).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });

  it('inside the app, the task completes cleanly in stopping instead of being cancelled in draining', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-b-c-d-e-f-g-');
      const sourceSubs = '  ^---!          ';
      const hook = hot('    ----------|    ');
      const phases = '      ----q-----(d|)';
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => hook);
        return source.pipe(untilShutdown(ctx));
      });
      app.port.signal('SIGTERM', 4);
      // the source ends at 4 (stopping), while the hook runs on to 10; only then does draining begin
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopping' || p === 'draining'), take(2))).toBe(phases, { q: 'stopping', d: 'draining' });
    });
  });

  it('uses the one running app when none is given', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-b-c-');
      const sourceSubs = '  ^--!   ';
      const status = '      ---(o|)';
      const app = runTestApp(() => [source.pipe(untilShutdown()), NEVER]);
      app.port.signal('SIGTERM', 3);
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe(status, { o: 'ok' });
    });
  });

  it('errors with NoCurrentAppError on subscribe when no app runs', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a').pipe(untilShutdown())).toBe('#', undefined, expect.any(NoCurrentAppError));
    });
  });

  it('throws a TypeError at call time for something that is not an app', () => {
    expect(() => untilShutdown({} as never)).toThrow(/untilShutdown: 'app'/);
  });
});
