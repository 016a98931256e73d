// shutdownWaitsFor cases that mutation testing found unasserted (issue 9): the downstream completing
// when the attached source completes, and errors passed on while attached.
import { NEVER, Subject, filter, map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { shutdownWaitsFor } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

describe('shutdownWaitsFor, attached (before shutdown)', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('passes values and completes the downstream when the source completes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('  --a--b--|');
      const workSubs = '   ^-------!';
      const out$ = new Subject<string>();
      runTestApp((ctx) => [NEVER, work.pipe(shutdownWaitsFor(ctx), tap(out$))]);
      expectObservable(out$).toBe('--a--b--|');
      expectSubscriptions(work.subscriptions).toBe(workSubs);
    });
  });

  it('passes an error to the downstream while attached (the task fails with it, reported once)', () => {
    const boom = new Error('boom');
    let events: ReturnType<typeof collect> = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const out$ = new Subject<string>();
      const app = runTestApp((ctx) => [
        NEVER,
        cold('--a--#', undefined, boom).pipe(
          shutdownWaitsFor(ctx, { name: 'w' }),
          tap({ next: (v) => out$.next(v), error: () => out$.next('e') }),
        ),
      ]);
      events = collect(app.events$);
      expectObservable(out$).toBe('--a--e');
      // The failed work is not awaited: nothing protected is pending when the error stops the app.
      expectObservable(app.events$.pipe(filter((e) => e.type === 'protected-pending'), map(() => 'p'))).toBe('-----|');
    });
    const outcome = outcomeOf(events);
    expect(outcome.errors.map((record) => [record.source, record.error])).toEqual([['task', boom]]);
  });
});

describe('shutdownWaitsFor names', () => {
  it("names unnamed work 'protected' in the pending list", () => {
    const testScheduler = newScheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((ctx) => [NEVER, cold('-----|').pipe(shutdownWaitsFor(ctx)), cold('------|').pipe(shutdownWaitsFor(ctx, { name: 'save' }))]);
      app.port.signal('SIGTERM', 2);
      expectObservable(
        app.events$.pipe(
          filter((e) => e.type === 'protected-pending'),
          map((e) => (e.type === 'protected-pending' ? e.names.join(',') : '')),
        ),
      ).toBe('--p---|', { p: 'protected,save' });
    });
  });
});

describe('shutdownWaitsFor arguments', () => {
  it.each<[string, unknown, unknown, RegExp]>([
    ['a string app', 'app', undefined, /^shutdownWaitsFor: 'app' must be the AppContext passed to main$/],
    ['a config and a second config', { name: 'a' }, { name: 'b' }, /^shutdownWaitsFor: 'app' must be the AppContext passed to main$/],
    ['no app and a config that is not an object', undefined, 42, /^shutdownWaitsFor: 'config' must be an object, got 42$/],
    ['a name that is not a string', { name: 1 }, undefined, /^shutdownWaitsFor: option 'name' must be a string/],
    ['a shield that is not a boolean', { shield: 1 }, undefined, /^shutdownWaitsFor: option 'shield' must be a boolean/],
    ['an unknown option', { names: 'x' }, undefined, /^shutdownWaitsFor: unknown option 'names' \(known: name, shield\)$/],
  ])('refuses %s with a TypeError naming it', (_, first, second, message) => {
    expect(() => shutdownWaitsFor(first as never, second as never)).toThrow(TypeError);
    expect(() => shutdownWaitsFor(first as never, second as never)).toThrow(message);
  });

  it('accepts its known options, in the config-only form too', () => {
    expect(typeof shutdownWaitsFor({ name: 'save', shield: true })).toBe('function');
    expect(typeof shutdownWaitsFor(undefined, { name: 'save', shield: false })).toBe('function');
    expect(typeof shutdownWaitsFor()).toBe('function');
  });
});
