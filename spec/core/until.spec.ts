import { EMPTY, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' };

describe("option 'until'", () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it("'main-complete' stops once every task completed", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('--a--|');
      const b = cold('--------b|');
      const app = runTestApp([a, b], { until: 'main-complete' });
      expectObservable(app.phases$).toBe('(sr) 5ms (qdfx|)', PHASES);
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.reason]))).toBe('9ms (o|)', {
        o: ['ok', { kind: 'main-complete' }],
      });
      expectSubscriptions(a.subscriptions).toBe('^----!');
      expectSubscriptions(b.subscriptions).toBe('^--------!');
    });
  });

  it("'main-complete' counts spawned tasks too", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(
        (ctx) => {
          ctx.spawn(cold('------|'), { name: 'worker' });
          return cold('--|');
        },
        { until: 'main-complete' },
      );
      expectObservable(app.outcome$.pipe(map((o) => o.reason))).toBe('6ms (o|)', { o: { kind: 'main-complete' } });
    });
  });

  it("'main-complete' with a main that completes at once stops at frame 0", () => {
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp(EMPTY, { until: 'main-complete' });
      expectObservable(app.phases$).toBe('(srqdfx|)', PHASES);
    });
  });

  it("'main-complete': a task error is the reason, not the completion it causes", () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(cold('---#', undefined, boom), { until: 'main-complete' });
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.reason]))).toBe('---(o|)', {
        o: ['error', { kind: 'error', error: boom }],
      });
    });
  });

  it("default 'shutdown' keeps running after main completes, until a signal", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(cold('--a--|'));
      app.port.signal('SIGTERM', 20);
      expectObservable(app.phases$).toBe('(sr) 16ms (qdfx|)', PHASES);
      expectObservable(app.outcome$.pipe(map((o) => o.reason))).toBe('20ms (o|)', { o: { kind: 'signal', signal: 'SIGTERM' } });
    });
  });
});
