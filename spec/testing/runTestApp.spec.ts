import { NEVER, count, map, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';
import type { AppOutcome } from 'rxrun';

const PHASES = { a: 'starting', b: 'running', c: 'stopping', d: 'draining', e: 'finalizing', f: 'stopped' };

describe('runTestApp', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('runs a whole app inside TestScheduler.run (the documented example)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(cold('--a--b--'));
      app.port.signal('SIGTERM', 4);
      expectObservable(app.phases$).toBe('(ab)(cdef|)', PHASES);
    });
  });

  it('runs the app once however many streams are asserted on', () => {
    let started = 0;
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp(() => {
        started += 1;
        return NEVER;
      });
      app.port.signal('SIGINT', 5);
      expectObservable(app.phases$.pipe(map((p) => p[0]))).toBe('(sr) 1ms (sdfs|)');
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('5ms (o|)', { o: 'ok' });
      expectObservable(app.exitCode$).toBe('5ms (c|)', { c: 130 });
      expectObservable(app.events$.pipe(count())).toBe('5ms (n|)', { n: 11 }); // ready-sent included
    });
    expect(started).toBe(1);
  });

  it('gives the exit status runApp would apply, per the exitCode option', () => {
    testScheduler.run(({ expectObservable }) => {
      const graceful = runTestApp(NEVER, { exitCode: 'zero-on-graceful' });
      graceful.port.signal('SIGTERM', 2);
      expectObservable(graceful.exitCode$).toBe('--(c|)', { c: 0 });
      const failing = runTestApp([NEVER, throwError(() => new Error('x'))]);
      expectObservable(failing.exitCode$).toBe('(c|)', { c: 1 });
      const custom = runTestApp(NEVER, { exitCode: () => 9 });
      custom.port.signal('SIGTERM', 1);
      expectObservable(custom.exitCode$).toBe('-(c|)', { c: 9 });
    });
  });

  it('uses the given test port and is silent unless a logger is given', () => {
    const port = createTestProcess({ platform: 'win32' });
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp(NEVER, { process: port });
      expect(app.port).toBe(port);
      port.signal('SIGBREAK', 3);
      expectObservable(app.outcome$.pipe(map((o) => o.reason))).toBe('3ms (r|)', { r: { kind: 'signal', signal: 'SIGBREAK' } });
    });
    expect(port.lines).toEqual([]);
    expect(port.exitCode).toBeUndefined();
  });
});

describe('runTestApp starts the app at once', () => {
  it('hears a signal sent before any assertion subscribes', () => {
    newScheduler().run(({ expectObservable }) => {
      const app = runTestApp(NEVER);
      app.port.signal('SIGTERM');
      expectObservable(app.phases$).toBe('(abcdef|)', PHASES);
    });
  });

  it('eventsOf$ gives the events of one type, typed', () => {
    newScheduler().run(({ expectObservable }) => {
      const app = runTestApp((ctx) => {
        ctx.defer(() => undefined, { name: 'close-db' });
        ctx.defer(() => undefined, { name: 'flush' });
        return NEVER;
      });
      app.port.signal('SIGINT', 3);
      expectObservable(app.eventsOf$('finalizer-start').pipe(map((event) => event.name))).toBe('3ms (ab|)', { a: 'flush', b: 'close-db' });
    });
  });
});

describe('runTestApp\'s scheduler option', () => {
  // Regression (found in review), the defect it guards against: runTestApp(main, { scheduler }) gives the scheduler to the app but not to the test process it
  // creates, which keeps asyncScheduler: outside `TestScheduler.run` (the classic `flush()` style) a
  // `port.signal('SIGTERM', 5)` is a real 5 ms timer, so the flush sees no shutdown at all.
  it('runTestApp uses the `scheduler` option for the port it creates', () => {
    const testScheduler = newScheduler();
    const app = runTestApp(NEVER, { scheduler: testScheduler });
    let outcome: AppOutcome | undefined;
    app.outcome$.subscribe((o) => (outcome = o));
    app.port.signal('SIGTERM', 5);
    testScheduler.flush();
    expect(outcome?.reason).toEqual({ kind: 'signal', signal: 'SIGTERM' }); // before the fix: undefined (a real timer is pending)
    expect(outcome?.shutdownMs).toBe(0);
    expect(testScheduler.now()).toBe(5);
  });
});
