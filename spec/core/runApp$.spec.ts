import { NEVER, map, take, takeUntil, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { runApp$, shutdownWaitsFor, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, label, newScheduler, timeline } from '../support/lifecycle';

describe('runApp$', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('is cold: nothing runs until subscribed, and each subscription runs its own app', () => {
    let started = 0;
    testScheduler.run(({ expectObservable }) => {
      const port = createTestProcess();
      const app$ = runApp$(
        (app) => {
          started += 1;
          // 5, not 4: the marble group (abr) spans frames 0-4
          return timer(5).pipe(map(() => app.stop()));
        },
        { process: port, logger: false },
      );
      expect(started).toBe(0);
      expectObservable(app$.pipe(map(label))).toBe('(abr)(cdeifghx|)', {
        a: 'phase:starting',
        b: 'phase:running',
        r: 'ready-sent', // no serve$ to wait for: ready once running (the test port has an IPC channel)
        c: 'shutdown-requested:stop',
        d: 'phase:stopping',
        e: 'phase:draining',
        i: 'tasks-cancelled:1',
        f: 'phase:finalizing',
        g: 'finalizers-start:0',
        h: 'phase:stopped',
        x: 'stopped:ok',
      });
      expectObservable(app$.pipe(map(label), take(1)), '--^').toBe('--(a|)', { a: 'phase:starting' });
    });
    expect(started).toBe(2);
  });

  it('main$.pipe(runApp$(options)) emits the same as runApp$(main$, options)', () => {
    let piped: LifecycleEvent[] = [];
    let direct: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const main$ = cold('--a--b--|');
      const options = (process: ReturnType<typeof createTestProcess>) => ({ process, logger: false as const, until: 'main-complete' as const });
      piped = collect(main$.pipe(runApp$(options(createTestProcess()))));
      direct = collect(runApp$(main$, options(createTestProcess())));
    });
    expect(piped).toEqual(direct);
    expect(timeline(piped)).toEqual([
      '0 phase:starting',
      '0 phase:running',
      '0 ready-sent',
      '8 shutdown-requested:main-complete',
      '8 phase:stopping',
      '8 phase:draining',
      '8 tasks-cancelled:0',
      '8 phase:finalizing',
      '8 finalizers-start:0',
      '8 phase:stopped',
      '8 stopped:ok',
    ]);
  });

  it('also works as an operator with no options', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const operator = runApp$();
      expect(typeof operator).toBe('function');
      const events$ = cold('-|').pipe(runApp$({ until: 'main-complete', logger: false, process: createTestProcess() }));
      expectObservable(events$.pipe(map(label), take(2))).toBe('(ab|)', { a: 'phase:starting', b: 'phase:running' });
    });
  });

  it('abandons the app when unsubscribed early: tasks and protected work torn down, listeners removed, no finalizer runs', () => {
    let finalized = false;
    let hooked = false;
    const port = createTestProcess();
    testScheduler.run(({ cold, hot, expectSubscriptions, expectObservable }) => {
      const task = hot('-a-b-c-d-e-');
      const work = cold('-----------------|');
      const app$ = runApp$(
        (app) => {
          app.defer(() => void (finalized = true));
          app.onShutdown(() => void (hooked = true));
          return [task, work.pipe(shutdownWaitsFor(app, { shield: true }))];
        },
        { process: port, logger: false },
      );
      const unsubscribeAt = cold('-----x|'); // at 5: the marble group (abr) spans frames 0-4
      expectObservable(app$.pipe(map(label), takeUntil(unsubscribeAt))).toBe('(abr)|', { a: 'phase:starting', b: 'phase:running', r: 'ready-sent' });
      expectSubscriptions(task.subscriptions).toBe('^----!');
      expectSubscriptions(work.subscriptions).toBe('^----!');
    });
    expect(finalized).toBe(false);
    expect(hooked).toBe(false);
    expect(port.listenerCount()).toBe(0);
    expect(port.keepAlives).toBe(0);
  });

  it('never touches the exit status of the process', () => {
    const port = createTestProcess();
    const types: string[] = [];
    testScheduler.run(() => {
      port.signal('SIGTERM', 2);
      runApp$(NEVER, { process: port, logger: false }).subscribe((e) => types.push(e.type));
    });
    expect(types[types.length - 1]).toBe('stopped');
    expect(port.exitCode).toBeUndefined();
    expect(port.raisedSignal).toBeUndefined();
  });
});
