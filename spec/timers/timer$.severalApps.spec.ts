import { NEVER, of } from 'rxjs';
import { NoCurrentAppError, runApp$, timer$ } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

// Which app would await a 'finish' tick or receive a tick error is ambiguous with several running:
// the same NoCurrentAppError as shutdownWaitsFor, resource$ and serve$ (pass `app`), never a silent pick.
it('timer$ with several apps running and no app option errors with NoCurrentAppError', () => {
  const apps = [0, 1].map(() => runApp$(() => NEVER, { process: createTestProcess(), logger: false }).subscribe());
  let error: unknown;
  const subscription = timer$(1000, () => of(1)).subscribe({ error: (e: unknown) => (error = e) });
  subscription.unsubscribe();
  apps.forEach((app) => app.unsubscribe());
  expect(error).toBeInstanceOf(NoCurrentAppError);
});
