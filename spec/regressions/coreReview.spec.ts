/**
 * Bugs found by the RxJS-maintainer review of the core (issue #9), each pinned by a test that failed
 * before its fix.
 */
import { NEVER, Subject, filter, timer } from 'rxjs';
import { runApp$, shutdownWaitsFor, type AppContext, type AppOutcome, type LifecycleEvent, type Logger } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';
import { manualScheduler } from '../support/manualScheduler';

describe('core review regressions', () => {
  it('drain: a protected-pending listener that finishes the last protected work does not leave the drain waiting for the budget', () => {
    let events: LifecycleEvent[] = [];
    newScheduler().run(() => {
      const work = new Subject<void>();
      const app = runTestApp((ctx: AppContext) => {
        ctx.events$.pipe(filter((event) => event.type === 'protected-pending')).subscribe(() => work.complete());
        return [NEVER, work.pipe(shutdownWaitsFor(ctx, { name: 'save' }))];
      });
      app.port.signal('SIGTERM', 5);
      events = collect(app.events$);
    });
    const outcome = outcomeOf(events);
    expect(outcome.status).toBe('ok');
    expect(outcome.report).toBeUndefined();
    const stopped = events.find((event) => event.type === 'stopped');
    expect(stopped?.at).toBe(5); // not at the 25 s budget
    expect(events.map((event) => event.type)).toContain('protected-drained');
  });

  it('app.spawn after stopped refuses silently: no event after stopped, nothing logged after the last line', () => {
    const lines: string[] = [];
    const logger: Logger = { info: (line) => lines.push(line), warn: (line) => lines.push(line), error: (line) => lines.push(line), debug: (line) => lines.push(line) };
    const seen: string[] = [];
    let app!: AppContext;
    runApp$((ctx) => {
      app = ctx;
      ctx.stop();
      return NEVER;
    }, { process: createTestProcess(), logger }).subscribe({ next: (event) => seen.push(event.type), complete: () => seen.push('complete') });
    expect(seen.at(-1)).toBe('complete');
    const linesBefore = lines.length;
    const refused = app.spawn(timer(10));
    expect(refused.closed).toBe(true);
    expect(seen.at(-1)).toBe('complete');
    expect(lines.length).toBe(linesBefore);
  });

  it('start() is exception-safe: a port that throws while binding leaves no app registered and no listener behind', () => {
    const good = createTestProcess();
    const bound: string[] = [];
    const disposed: string[] = [];
    const broken = {
      ...createTestProcess(),
      // The second signal cannot be bound.
      onSignal: (signal: NodeJS.Signals) => {
        if (bound.length === 1) throw new Error('no signals here');
        bound.push(signal);
        return () => void disposed.push(signal);
      },
    };
    const errors: unknown[] = [];
    runApp$(() => NEVER, { process: broken, logger: false }).subscribe({ error: (error: unknown) => errors.push(error) });
    expect(errors).toEqual([new Error('no signals here')]);
    expect(disposed).toEqual(bound); // what was bound before the throw is unbound
    expect(bound).toHaveLength(1);
    // The process is free again: a later app runs, and shutdownWaitsFor without an app finds just it
    // (a stale registration would make that ambiguous: NoCurrentAppError).
    let outcome: AppOutcome | undefined;
    runApp$(
      (ctx) => {
        ctx.stop();
        return [NEVER, timer(0).pipe(shutdownWaitsFor({ name: 'write' }))];
      },
      { process: good, logger: false },
    ).subscribe((event) => {
      if (event.type === 'stopped') outcome = event.outcome;
    });
    expect(outcome?.errors).toEqual([]);
    expect(outcome?.status).toBe('ok');
  });

  it('a shutdown requested while starting gets the whole budget from the request, and remainingBudget agrees with the timer', () => {
    const clock = manualScheduler();
    let outcome: AppOutcome | undefined;
    runApp$(
      (ctx) => {
        ctx.onShutdown(() => NEVER, { name: 'hung' });
        ctx.stop(); // requested at 0, while starting
        clock.advance(1000); // main takes a (virtual) second before it returns
        return NEVER;
      },
      { process: createTestProcess({ scheduler: clock }), scheduler: clock, logger: false, shutdownTimeout: 5000 },
    ).subscribe((event) => {
      if (event.type === 'stopped') outcome = event.outcome;
    });
    clock.advance(3999); // t = 4999: inside the budget counted from the request
    expect(outcome).toBeUndefined();
    clock.advance(1); // t = 5000: the budget, from the request, is spent
    expect(outcome?.status).toBe('timeout');
    expect(outcome?.shutdownMs).toBe(5000);
  });

  it('a logger that throws on the final line: its error is in the outcome', () => {
    const boom = new Error('disk full');
    const logger: Logger = {
      info: (line) => {
        if (/stopped|Bye/i.test(line)) throw boom;
      },
    };
    let outcome: AppOutcome | undefined;
    runApp$((ctx) => (ctx.stop(), NEVER), { process: createTestProcess(), logger }).subscribe((event) => {
      if (event.type === 'stopped') outcome = event.outcome;
    });
    expect(outcome?.errors).toContainEqual({ source: 'logger', error: boom });
    expect(outcome?.status).toBe('error');
  });

  it.each([
    ['app.spawn', (app: AppContext) => app.spawn(NEVER, { name: '' })],
    ['app.onShutdown', (app: AppContext) => app.onShutdown(() => undefined, { name: '' })],
    ['app.defer', (app: AppContext) => app.defer(() => undefined, { name: '' })],
  ])("%s refuses an empty name (RangeError naming 'name'), as every other function does", (_where, call) => {
    let thrown: unknown;
    runApp$((app) => {
      try {
        call(app);
      } catch (error) {
        thrown = error;
      }
      app.stop();
      return NEVER;
    }, { process: createTestProcess(), logger: false }).subscribe();
    expect(thrown).toBeInstanceOf(RangeError);
    expect(String(thrown)).toMatch(/option 'name' must not be empty/);
  });

  it("exitCode of the wrong type is a TypeError (a wrong value of the right type stays a RangeError)", () => {
    expect(() => runApp$(NEVER, { exitCode: 42 as never })).toThrow(TypeError);
    expect(() => runApp$(NEVER, { exitCode: 'sometimes' as never })).toThrow(RangeError);
  });

  it('a main returning 42 fails with a message about main, not app.spawn', () => {
    let outcome: AppOutcome | undefined;
    runApp$(() => 42 as never, { process: createTestProcess(), logger: false }).subscribe((event) => {
      if (event.type === 'stopped') outcome = event.outcome;
    });
    const message = String(outcome?.error);
    expect(message).toMatch(/^TypeError: main: returned 42/);
    expect(message).not.toMatch(/app\.spawn/);
  });
});
