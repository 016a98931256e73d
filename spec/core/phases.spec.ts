import { NEVER, filter, last, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { runApp$, shutdownWaitsFor, type LifecycleEvent } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { newScheduler, timeline } from '../support/lifecycle';

const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' };

describe('runApp$ phases', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('moves starting → running → stopping → draining → finalizing → stopped at the expected frames', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('---|'), { name: 'flush' });
        ctx.defer(() => cold('-----|'), { name: 'close-db' });
        return NEVER;
      });
      app.port.signal('SIGTERM', 10);
      // hook 10→13, finalizer 13→18
      expectObservable(app.phases$).toBe('(sr) 6ms q--(df)-(x|)', PHASES);
    });
  });

  it('emits every event between the phases, in order, with frame times', () => {
    const events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const port = createTestProcess();
      port.signal('SIGTERM', 10);
      runApp$(
        (app) => {
          app.onShutdown(() => cold('--|'), { name: 'h1' });
          app.onShutdown(() => cold('-|'), { name: 'h2' });
          app.defer(() => cold('---|'), { name: 'f1' });
          app.defer(() => cold('-|'), { name: 'f2' });
          const work$ = cold('--------------|').pipe(shutdownWaitsFor(app, { name: 'save' }));
          return [NEVER, work$];
        },
        { process: port, logger: false },
      ).subscribe((event) => events.push(event));
    });
    expect(timeline(events)).toEqual([
      '0 phase:starting',
      '0 phase:running',
      '0 ready-sent',
      '10 shutdown-requested:SIGTERM',
      '10 phase:stopping',
      '10 hook-start:h1',
      '12 hook-end:h1',
      '12 hook-start:h2',
      '13 hook-end:h2',
      '13 phase:draining',
      '13 tasks-cancelled:2',
      '13 protected-pending:save',
      '14 protected-drained',
      '14 phase:finalizing',
      '14 finalizers-start:2',
      '14 finalizer-start:f2',
      '15 finalizer-end:f2',
      '15 finalizer-start:f1',
      '18 finalizer-end:f1',
      '18 phase:stopped',
      '18 stopped:ok',
    ]);
    const stopped = events[events.length - 1] as Extract<LifecycleEvent, { type: 'stopped' }>;
    expect(stopped.outcome).toMatchObject({ status: 'ok', reason: { kind: 'signal', signal: 'SIGTERM' }, shutdownMs: 8, errors: [] });
  });

  it('ends with exactly one stopped event, carrying the outcome, and completes right after it', () => {
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp(NEVER);
      app.port.signal('SIGINT', 3);
      const stopped$ = app.events$.pipe(filter((event) => event.type === 'stopped'), map(() => 'x'));
      expectObservable(stopped$).toBe('3ms (x|)');
      expectObservable(app.events$.pipe(last(), map((event) => event.type))).toBe('3ms (l|)', { l: 'stopped' });
      expectObservable(app.outcome$).toBe('3ms (o|)', {
        o: expect.objectContaining({ status: 'ok', reason: { kind: 'signal', signal: 'SIGINT' }, laterReasons: [] }),
      });
    });
  });
});
