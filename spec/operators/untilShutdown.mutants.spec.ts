// untilShutdown cases that mutation testing found unasserted (issue 9): applied once the shutdown has
// begun, it completes at once and never subscribes the source.
import { NEVER, Subject, defer, filter, map, of, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { NoCurrentAppError, untilShutdown } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

describe('untilShutdown after the shutdown began', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('completes at once and never subscribes the source (a hook in stopping)', () => {
    let subscribed = 0;
    testScheduler.run(({ expectObservable }) => {
      const out$ = new Subject<string>();
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => {
          defer(() => {
            subscribed += 1;
            return of('late');
          })
            .pipe(untilShutdown(ctx))
            .subscribe({ next: (v) => out$.next(v), complete: () => out$.next(`completed at ${ctx.scheduler.now()}`) });
        });
        return NEVER;
      });
      app.port.signal('SIGTERM', 3);
      expectObservable(out$).toBe('---c', { c: 'completed at 3' });
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopped'), map(() => 'x'))).toBe('---(x|)');
    });
    expect(subscribed).toBe(0);
  });

  it('before the shutdown it subscribes the source once and passes its values', () => {
    let subscribed = 0;
    testScheduler.run(({ cold, expectObservable }) => {
      const out$ = new Subject<string>();
      const app = runTestApp((ctx) =>
        defer(() => {
          subscribed += 1;
          return cold('-a-b-c-d');
        }).pipe(untilShutdown(ctx), tap(out$)),
      );
      app.port.signal('SIGTERM', 4);
      expectObservable(out$).toBe('-a-b|');
    });
    expect(subscribed).toBe(1);
  });
});

describe('untilShutdown without an app', () => {
  it('names itself in the NoCurrentAppError its subscriber gets', () => {
    let error: unknown;
    of(1).pipe(untilShutdown()).subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(NoCurrentAppError);
    expect((error as Error).message).toMatch(/^untilShutdown: /);
  });
});
