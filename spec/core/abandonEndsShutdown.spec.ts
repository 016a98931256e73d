// Regression (found in review), the defect it guards against: abandoning an app (unsubscribing runApp$ before `stopped`) completes shutdown$ without a
// value and never aborts app.signal. Work the app started outside its task root and bounded with
// `untilShutdown(app)` / `fromAbortSignal(app.signal)` (the README's own patterns) then runs forever.
import { NEVER, interval, take, takeUntil } from 'rxjs';
import { fromAbortSignal, runApp$, untilShutdown, type AppContext } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

it('after abandon, untilShutdown(app) and app.signal end the app\'s side work', () => {
  const testScheduler = newScheduler();
  let app: AppContext | undefined;
  const ended: string[] = [];
  testScheduler.run(() => {
    const subscription = runApp$(
      (ctx) => {
        app = ctx;
        // take(50) only bounds the test; the work should end at the abandon (frame 3)
        interval(1).pipe(take(50), untilShutdown(ctx)).subscribe({ complete: () => ended.push(`untilShutdown @${testScheduler.now()}`) });
        interval(1).pipe(take(50), takeUntil(fromAbortSignal(ctx.signal))).subscribe({ complete: () => ended.push(`signal @${testScheduler.now()}`) });
        return NEVER;
      },
      { process: createTestProcess(), logger: false },
    ).subscribe();
    testScheduler.schedule(() => subscription.unsubscribe(), 3);
  });
  expect(app?.phase).toBe('stopped');
  expect(app?.signal.aborted).toBe(true); // before the fix: false
  expect(ended.sort()).toEqual(['signal @3', 'untilShutdown @3']); // before the fix: both run on to frame 50
});
