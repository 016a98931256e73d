// Regression found by the demos: the error of detached protected work was reported after the app had
// already finished (its settling let the app reach `stopped` first), so the outcome said 'ok'.
import { NEVER, map, timer } from 'rxjs';
import { shutdownWaitsFor, type AppOutcome } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

describe('shutdownWaitsFor: detached work that fails', () => {
  it('an error of detached protected work reaches the outcome even when nothing runs after it', () => {
    let outcome: AppOutcome | undefined;
    const testScheduler = newScheduler();
    testScheduler.run(() => {
      const boom = new Error('late boom');
      const app = runTestApp((ctx) => [
        NEVER,
        timer(5, testScheduler).pipe(
          map(() => {
            throw boom;
          }),
          shutdownWaitsFor(ctx, { name: 'save' }),
        ),
      ]);
      app.port.signal('SIGTERM', 1);
      app.outcome$.subscribe((value) => (outcome = value));
    });
    expect(outcome?.status).toBe('error');
    expect(outcome?.errors).toEqual([expect.objectContaining({ source: 'protected', name: 'save', error: expect.any(Error) })]);
  });

});
