import { NEVER, map } from 'rxjs';
import { NoCurrentAppError, resource$, resources$ } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

// With two apps running, "the one running app" is ambiguous: silently falling back to plain use would
// leave the release unawaited by either app, so the subscriber gets a NoCurrentAppError instead.

describe('resource$ with two apps running and no app given', () => {
  it('errors with NoCurrentAppError instead of silently releasing unawaited', () => {
    const testScheduler = newScheduler();
    const acquire = jest.fn(() => ['a']);
    const release = jest.fn();
    let error: unknown;
    testScheduler.run(() => {
      const apps = [runTestApp(() => NEVER), runTestApp(() => NEVER)];
      for (const app of apps) app.port.signal('SIGTERM', 1);
      resource$(acquire, release, { name: 'db' }).subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(error).toBeInstanceOf(NoCurrentAppError);
    expect((error as Error).message).toMatch(/resource\$: 2 apps are running/);
    expect(acquire).not.toHaveBeenCalled();
  });

  it('resources$ errors the same way, acquiring nothing', () => {
    const testScheduler = newScheduler();
    const acquire = jest.fn(() => ['a']);
    let error: unknown;
    testScheduler.run(() => {
      const apps = [runTestApp(() => NEVER), runTestApp(() => NEVER)];
      for (const app of apps) app.port.signal('SIGTERM', 1);
      resources$({ db: resource$(acquire, () => undefined) }).subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(error).toBeInstanceOf(NoCurrentAppError);
    expect(acquire).not.toHaveBeenCalled();
  });

  it('an explicit app is used even when two run', () => {
    const testScheduler = newScheduler();
    const release = jest.fn();
    testScheduler.run(({ expectObservable }) => {
      const first = runTestApp((ctx) => resource$(() => ['a'], release, { name: 'db', app: ctx }));
      runTestApp(() => NEVER).port.signal('SIGTERM', 1);
      first.port.signal('SIGTERM', 1);
      expectObservable(first.outcome$.pipe(map((o) => o.status))).toBe('-(o|)', { o: 'ok' });
    });
    expect(release).toHaveBeenCalledTimes(1);
  });
});
