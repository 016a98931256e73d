import { NEVER, ReplaySubject, filter, map, finalize } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { type AppContext, type ShutdownReason, runApp$, type LifecycleEvent } from 'rxrun';
import { runTestApp, createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, label } from '../support/lifecycle';

const SIGTERM: ShutdownReason = { kind: 'signal', signal: 'SIGTERM' };

describe('AppContext', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('shutdown$ emits the reason at the stopping frame and completes at stopped', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      let ctx: AppContext | undefined;
      const app = runTestApp((c) => {
        ctx = c;
        c.onShutdown(() => cold('---|'));
        return NEVER;
      });
      app.port.signal('SIGTERM', 5);
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopped'))).toBe('8ms (x|)', { x: 'stopped' });
      // subscribed at frame 1, after main ran
      cold('-a').subscribe(() => expectObservable((ctx as AppContext).shutdown$).toBe('5ms r--|', { r: SIGTERM }));
    });
  });

  it('shutdown$ replays the reason to late subscribers', () => {
    const late: unknown[] = [];
    let ctx: AppContext | undefined;
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((c) => {
        ctx = c;
        c.onShutdown(() => cold('-----|'));
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopped'))).toBe('7ms (x|)', { x: 'stopped' });
      cold('----a').subscribe(() => ctx?.shutdown$.subscribe((reason) => late.push(reason)));
    });
    expect(late).toEqual([SIGTERM]);
    const afterStopped: unknown[] = [];
    let completed = false;
    ctx?.shutdown$.subscribe({ next: (reason) => afterStopped.push(reason), complete: () => (completed = true) });
    expect(afterStopped).toEqual([SIGTERM]);
    expect(completed).toBe(true);
  });

  it('signal is aborted with the reason at the stopping frame', () => {
    testScheduler.run(({ expectObservable }) => {
      const seen$ = new ReplaySubject<unknown>();
      const app = runTestApp((ctx) => {
        seen$.next(ctx.signal.aborted);
        ctx.signal.addEventListener('abort', () => seen$.next([ctx.signal.reason, ctx.phase]));
        return NEVER;
      });
      app.port.signal('SIGTERM', 6);
      collect(app.events$);
      expectObservable(seen$).toBe('a 5ms b', { a: false, b: [SIGTERM, 'stopping'] });
    });
  });

  it('phase follows the lifecycle, and events$ is hot (no replay) and completes at stopped', () => {
    const phases: string[] = [];
    let ctx: AppContext | undefined;
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((c) => {
        ctx = c;
        phases.push(c.phase);
        c.onShutdown(() => (phases.push(c.phase), cold('-----|')));
        c.defer(() => void phases.push(c.phase));
        return NEVER;
      });
      app.port.signal('SIGTERM', 3);
      collect(app.events$);
      cold('-a').subscribe(() => {
        phases.push((ctx as AppContext).phase);
        // subscribed at frame 1: the starting/running events of frame 0 are not replayed
        expectObservable((ctx as AppContext).events$.pipe(map((e) => e.type))).toBe('---(abc)(defghijkl|)', {
          a: 'shutdown-requested',
          b: 'phase',
          c: 'hook-start',
          d: 'hook-end',
          e: 'phase',
          f: 'tasks-cancelled',
          g: 'phase',
          h: 'finalizers-start',
          i: 'finalizer-start',
          j: 'finalizer-end',
          k: 'phase',
          l: 'stopped',
        });
      });
    });
    expect(phases).toEqual(['starting', 'running', 'stopping', 'finalizing']);
    expect(ctx?.phase).toBe('stopped');
  });
});

// Regression (found in review), the defect it guards against: finish() completes shutdown$ and events$ without a guard. A throwing teardown in a user's
// subscription to either (a `finalize` that flushes metrics, closes a client, …) throws out of finish():
// with shutdown$ the `stopped` event is never emitted; with events$ runApp$ never completes. The error
// escapes to whatever scheduled the last step (an uncaught exception after the app removed its
// listeners, in a real process) instead of reaching the outcome.
function runUntilSigterm(setUp: (app: AppContext) => void): { labels: string[]; completed: boolean; escaped: unknown } {
  const events: LifecycleEvent[] = [];
  let completed = false;
  let escaped: unknown;
  try {
    newScheduler().run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 5);
      runApp$((app) => {
        setUp(app);
        return NEVER;
      }, { process: port, logger: false }).subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    });
  } catch (error) {
    escaped = error;
  }
  return { labels: events.map(label), completed, escaped };
}

describe('a throwing teardown in a shutdown$ / events$ subscriber', () => {
  it('shutdown$: the app still emits `stopped` (with the error in the outcome) and completes', () => {
    const result = runUntilSigterm((app) => {
      app.shutdown$.pipe(finalize(() => { throw new Error('close client'); })).subscribe();
    });
    expect(result.escaped).toBeUndefined(); // before the fix: UnsubscriptionError thrown out of the scheduler
    expect(result.labels[result.labels.length - 1]).toBe('stopped:error'); // before the fix: last is 'phase:stopped'
    expect(result.completed).toBe(true);
  });

  it('events$: runApp$ completes after `stopped`', () => {
    const result = runUntilSigterm((app) => {
      app.events$.pipe(finalize(() => { throw new Error('metrics flush'); })).subscribe();
    });
    expect(result.escaped).toBeUndefined(); // before the fix: UnsubscriptionError thrown out of the scheduler
    expect(result.completed).toBe(true); // before the fix: false — lastValueFrom(runApp$(…)) never settles
  });
});
